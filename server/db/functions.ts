import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';

/**
 * The registry's database functions (the write path's `registry_lock`, `registry_record`, … and the
 * immutability guards) as source files: `prisma/functions/<name>.sql` holds the current
 * `CREATE OR REPLACE FUNCTION` statement of each function of that name (one per argument list), as
 * PostgreSQL itself prints it, so that a reader finds what runs in one place (docs/database.md).
 *
 * Migrations remain the only way the database changes, and an applied migration is never edited. A
 * function changes by editing its file, then generating the migration from the files
 * (`npm run db:functions -- migration <name>`, against a database migrated to the latest migration),
 * which holds the statements of every function whose file differs from the database. The test
 * server/db/functions.test.ts fails when a migrated database runs anything but what the files say.
 */

export const PROJECT_ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
export const FUNCTIONS_DIR = path.join(PROJECT_ROOT, 'prisma', 'functions');

/** A `CREATE [OR REPLACE] FUNCTION` statement: the function's name and the statement's whole text. */
export interface FunctionStatement {
  readonly name: string;
  readonly text: string;
}

const CREATE = /CREATE\s+(?:OR\s+REPLACE\s+)?FUNCTION\s+(?:public\.)?"?([a-z_][a-z0-9_]*)"?\s*\(/gi;
const DOLLAR_TAG = /\$[A-Za-z_]*\$/g;

/**
 * The function statements of a SQL text, in order, each from `CREATE` to the `;` after its
 * dollar-quoted body (every body in this project is dollar-quoted; one that is not is reported
 * rather than cut short).
 */
export function functionStatements(sql: string): FunctionStatement[] {
  const statements: FunctionStatement[] = [];
  for (const match of sql.matchAll(CREATE)) {
    const start = match.index;
    DOLLAR_TAG.lastIndex = start;
    const open = DOLLAR_TAG.exec(sql);
    if (open === null) throw new Error(`function ${match[1]}: its body is not dollar-quoted`);
    const close = sql.indexOf(open[0], open.index + open[0].length);
    if (close < 0) throw new Error(`function ${match[1]}: its body's ${open[0]} is never closed`);
    const end = sql.indexOf(';', close + open[0].length);
    if (end < 0) throw new Error(`function ${match[1]}: no ; ends its statement`);
    statements.push({ name: (match[1] as string).toLowerCase(), text: sql.slice(start, end + 1) });
  }
  return statements;
}

/** The function source files: each name with its statements (one per argument list). */
export function functionSources(dir = FUNCTIONS_DIR): Map<string, readonly string[]> {
  const sources = new Map<string, readonly string[]>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.sql')).sort()) {
    const name = file.slice(0, -'.sql'.length);
    const statements = functionStatements(readFileSync(path.join(dir, file), 'utf8'));
    if (statements.length === 0 || statements.some((s) => s.name !== name)) throw new Error(`prisma/functions/${file} must hold only CREATE OR REPLACE FUNCTION statements of "${name}"`);
    sources.set(name, statements.map((s) => s.text));
  }
  return sources;
}

/** What PostgreSQL keeps of a function: its body as written, signature, language and attributes; one row per argument list. */
const DEFINITIONS = `SELECT pg_get_function_identity_arguments(p.oid) AS signature, p.prosrc AS body, pg_get_function_arguments(p.oid) AS arguments,
  pg_get_function_result(p.oid) AS result, l.lanname AS language, p.provolatile AS volatility, p.proisstrict AS strict,
  p.prosecdef AS "securityDefiner", p.proparallel AS parallel, p.proconfig AS config
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace JOIN pg_language l ON l.oid = p.prolang
  WHERE n.nspname = $1 AND p.proname = $2 ORDER BY 1`;

/** The registry's own functions in the public schema (those of extensions left out). */
const REGISTRY_FUNCTIONS = `SELECT DISTINCT p.proname AS name FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
  WHERE n.nspname = 'public' AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e') ORDER BY 1`;

const SCRATCH_SCHEMA = 'registry_function_files';

export interface FunctionComparison {
  /** Functions whose deployed definitions differ from their file's (any argument list). */
  readonly changed: readonly string[];
  /** Files of functions the database does not have. */
  readonly missing: readonly string[];
  /** Functions of the database that have no file. */
  readonly withoutFile: readonly string[];
}

/**
 * Compares what the database runs with the files: each file's statements are run in a scratch schema
 * of the same database, inside a transaction that is rolled back, and each function's definitions
 * there and in `public` are compared field by field. Changes nothing.
 */
export async function compareWithDatabase(client: pg.ClientBase, sources = functionSources()): Promise<FunctionComparison> {
  const changed: string[] = [];
  const missing: string[] = [];
  const deployedNames = (await client.query<{ name: string }>(REGISTRY_FUNCTIONS)).rows.map((r) => r.name);
  await client.query('BEGIN');
  try {
    await client.query(`CREATE SCHEMA ${SCRATCH_SCHEMA}`);
    await client.query(`SET LOCAL search_path TO ${SCRATCH_SCHEMA}, public`);
    for (const [name, statements] of sources) {
      for (const statement of statements) await client.query(statement);
      const [deployed, file] = await Promise.all([client.query(DEFINITIONS, ['public', name]), client.query(DEFINITIONS, [SCRATCH_SCHEMA, name])]);
      if (deployed.rows.length === 0) missing.push(name);
      else if (JSON.stringify(deployed.rows) !== JSON.stringify(file.rows)) changed.push(name);
    }
  } finally {
    await client.query('ROLLBACK');
  }
  const withoutFile = deployedNames.filter((name) => !sources.has(name));
  return { changed, missing, withoutFile };
}

/** The statements of a migration that brings the database to the files of these functions. */
export function migrationFromFiles(names: readonly string[], sources = functionSources()): string {
  const parts = names.map((name) => `-- prisma/functions/${name}.sql\n${(sources.get(name) ?? []).map((s) => s.trim()).join('\n\n')}\n`);
  return `-- Generated by \`npm run db:functions -- migration\` from the function source files (docs/database.md).\n\n${parts.join('\n')}`;
}

/**
 * A function file's text as PostgreSQL prints the deployed function (`pg_get_functiondef`), one
 * statement per argument list, unqualified so that it can be run in any schema.
 */
export async function printedFromDatabase(client: pg.ClientBase, name: string): Promise<string> {
  const { rows } = await client.query<{ def: string }>(
    `SELECT pg_get_functiondef(p.oid) AS def FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public' AND p.proname = $1 ORDER BY pg_get_function_identity_arguments(p.oid)`,
    [name],
  );
  return rows.map((r) => `${r.def.trim().replace(/^CREATE OR REPLACE FUNCTION public\./, 'CREATE OR REPLACE FUNCTION ')};\n`).join('\n');
}
