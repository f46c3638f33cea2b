/**
 * Prisma migrations without the native schema engine.
 *
 * `prisma migrate` downloads a native schema-engine binary on first use, which machines without
 * internet cannot do. The same engine is published on npm compiled to WebAssembly
 * (`@prisma/schema-engine-wasm`); it reaches the database through a JavaScript driver adapter
 * (`@prisma/adapter-pg`) instead of its own network code. This module drives that engine.
 *
 * It reads and writes exactly what `prisma migrate` does — `prisma/migrations/<name>/migration.sql`,
 * `prisma/migrations/migration_lock.toml` and the `_prisma_migrations` table — so on a connected
 * machine `npx prisma migrate deploy|status|dev` remains a valid alternative on the same database.
 * The registry's start, the tests, replay's scratch databases and `scripts/db/migrate.ts` all use it.
 *
 * Workarounds for adapter-pg 7.10.1, each explained where it is applied:
 *   - PostgreSQL's internal `"char"` type (returned by the engine's catalog queries) is reported as
 *     text, because the adapter refuses to map it.
 *   - Migration scripts are sent whole, because the adapter's `executeScript` splits on every `;`,
 *     which breaks PL/pgSQL function bodies.
 *   - The shadow database is dropped after its pool is closed, `WITH (FORCE)`, because the adapter
 *     drops it while its own pool still holds connections to it.
 *   - Connections are configured from discrete fields, because node-postgres lets a
 *     `connectionString` override an explicit `database`.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { quoteIdentifier } from './sql-quote';
import {
  bindMigrationAwareSqlAdapterFactory,
  type ErrorRegistry,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';
import type {
  CreateMigrationOutput,
  DiagnoseMigrationHistoryOutput,
  MigrationList,
  SchemaEngine,
  SchemaFilter,
} from '@prisma/schema-engine-wasm';

/**
 * The project root is found from this file (two levels up), so the commands work from any working
 * directory; when this module has been bundled elsewhere, the working directory is the fallback.
 */
const PROJECT_ROOT = (() => {
  const fromFile = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
  return existsSync(path.join(fromFile, 'prisma')) ? fromFile : process.cwd();
})();

export const DEFAULT_MIGRATIONS_DIR = path.join(PROJECT_ROOT, 'prisma', 'migrations');
export const DEFAULT_SCHEMA_PATH = path.join(PROJECT_ROOT, 'prisma', 'schema.prisma');

const LOCKFILE_NAME = 'migration_lock.toml';
const MIGRATION_FILE_NAME = 'migration.sql';
const NO_FILTER: SchemaFilter = { externalTables: [], externalEnums: [] };

export interface MigrationOptions {
  /** Folder of `<name>/migration.sql` folders and `migration_lock.toml`. */
  migrationsDir?: string;
  /** The Prisma schema that `createMigration` turns into SQL. */
  schemaPath?: string;
  /** Receives every log line of the engine (JSON text), e.g. to print them when debugging. */
  onLog?: (line: string) => void;
}

/**
 * A failure the operator can act on. Its message is complete on its own, so command-line tools print
 * it without a stack trace.
 */
export class DatabaseToolError extends Error {
  override name = 'DatabaseToolError';
  /** The Prisma error code (P1001, P3018 …) or PostgreSQL SQLSTATE, when there is one. */
  readonly code: string | undefined;
  /** The engine's internal trace, for bug reports; not shown to operators. */
  engineTrace = '';

  constructor(message: string, code?: string) {
    super(message);
    this.code = code;
  }
}

// ---------------------------------------------------------------------------------------------------
// Connection settings

export interface ConnectionSettings {
  host: string;
  port: number;
  user: string;
  password: string | undefined;
  database: string;
  /** Prisma's `?schema=` parameter: the PostgreSQL schema that holds the tables. */
  schema: string | undefined;
  ssl: pg.ClientConfig['ssl'];
}

/**
 * Splits a postgresql:// URL into discrete fields. The fields, not the URL, are handed to
 * node-postgres so that the database name can be replaced (for the shadow database) reliably.
 */
export function parseDatabaseUrl(databaseUrl: string | undefined): ConnectionSettings {
  if (databaseUrl === undefined || databaseUrl.trim() === '') {
    throw new DatabaseToolError(
      'DATABASE_URL is not set. Set it to a PostgreSQL connection URL, e.g. postgresql://postgres@127.0.0.1:5432/registry',
    );
  }
  let url: URL;
  try {
    url = new URL(databaseUrl.trim());
  } catch {
    throw new DatabaseToolError('DATABASE_URL is not a valid URL. Expected postgresql://user:password@host:port/database');
  }
  if (url.protocol !== 'postgresql:' && url.protocol !== 'postgres:') {
    throw new DatabaseToolError(
      `DATABASE_URL must start with postgresql:// or postgres:// (found ${url.protocol}//). Only PostgreSQL is supported.`,
    );
  }
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (database === '' || database.includes('/')) {
    throw new DatabaseToolError('DATABASE_URL must name a database, e.g. postgresql://postgres@127.0.0.1:5432/registry');
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1') || url.searchParams.get('host') || '';
  if (host === '') {
    throw new DatabaseToolError('DATABASE_URL must name a host, e.g. postgresql://postgres@127.0.0.1:5432/registry');
  }
  const port = url.port === '' ? 5432 : Number(url.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new DatabaseToolError(`DATABASE_URL has an invalid port: ${url.port}`);
  }
  const sslmode = url.searchParams.get('sslmode');
  let ssl: pg.ClientConfig['ssl'] = false;
  if (sslmode === 'require' || sslmode === 'prefer' || sslmode === 'no-verify') ssl = { rejectUnauthorized: false };
  else if (sslmode === 'verify-ca' || sslmode === 'verify-full') ssl = { rejectUnauthorized: true };
  return {
    host,
    port,
    user: decodeURIComponent(url.username) || 'postgres',
    password: url.password === '' ? undefined : decodeURIComponent(url.password),
    database,
    schema: url.searchParams.get('schema') ?? undefined,
    ssl,
  };
}

/** The URL without its password, for messages. */
export function describeConnection(settings: ConnectionSettings): string {
  return `postgresql://${settings.user}@${settings.host}:${settings.port}/${settings.database}`;
}

function poolConfig(settings: ConnectionSettings, database = settings.database): pg.PoolConfig {
  return {
    host: settings.host,
    port: settings.port,
    user: settings.user,
    password: settings.password,
    database,
    ssl: settings.ssl,
    application_name: 'registry-migrate',
    connectionTimeoutMillis: 15_000,
    // The engine holds PostgreSQL's session-level advisory lock while it migrates; one connection keeps
    // the lock, the migration and the unlock on the same session, as the native engine does.
    max: 1,
    ...(settings.schema ? { options: `-c search_path="${settings.schema.replace(/"/g, '""')}"` } : {}),
  };
}

/** Turns node-postgres connection failures into sentences that say what to fix. */
export function explainConnectionError(error: unknown, settings: ConnectionSettings): DatabaseToolError {
  const where = describeConnection(settings);
  const e = error as { code?: unknown; message?: unknown };
  const code = typeof e?.code === 'string' ? e.code : undefined;
  const message = typeof e?.message === 'string' ? e.message : String(error);
  switch (code) {
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ECONNRESET':
      return new DatabaseToolError(
        `Cannot reach the database server at ${settings.host}:${settings.port} (${code}). Is PostgreSQL running, and is DATABASE_URL (${where}) right?`,
        'P1001',
      );
    case '3D000':
      return new DatabaseToolError(`Database "${settings.database}" does not exist on ${settings.host}:${settings.port}. Create it first (createdb).`, 'P1003');
    case '28P01':
    case '28000':
      return new DatabaseToolError(`Authentication failed for user "${settings.user}" at ${settings.host}:${settings.port}: ${message}`, 'P1000');
    case '53300':
      return new DatabaseToolError(`The database server at ${settings.host}:${settings.port} refuses more connections: ${message}`, code);
  }
  if (/timeout/i.test(message)) {
    return new DatabaseToolError(`Timed out connecting to the database server at ${settings.host}:${settings.port} (${where}).`, 'P1001');
  }
  return new DatabaseToolError(`Cannot connect to ${where}: ${message}`, code);
}

/**
 * Connects once with a plain client, so that a wrong URL fails with a clear message before the engine
 * starts. Returns the server's version number (e.g. 150020 for 15.20).
 */
export async function checkConnection(settings: ConnectionSettings): Promise<number> {
  const client = new pg.Client(poolConfig(settings));
  // A failed connect also emits 'error'; without a listener that would crash the process.
  client.on('error', () => {});
  try {
    await client.connect();
    const { rows } = await client.query<{ server_version_num: string }>('SHOW server_version_num');
    return Number(rows[0]?.server_version_num ?? 0);
  } catch (error) {
    throw explainConnectionError(error, settings);
  } finally {
    await client.end().catch(() => {});
  }
}

async function runAdminStatement(settings: ConnectionSettings, sql: string): Promise<void> {
  const client = new pg.Client(poolConfig(settings));
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query(sql);
  } finally {
    await client.end().catch(() => {});
  }
}

// ---------------------------------------------------------------------------------------------------
// The driver adapter handed to the engine

const PG_INTERNAL_CHAR_OID = 18;
const PG_TEXT_OID = 25;

type QueryResultLike = { fields?: Array<{ dataTypeID: number }> };

function reportCharAsText(result: unknown): void {
  for (const r of Array.isArray(result) ? result : [result]) {
    for (const field of (r as QueryResultLike | undefined)?.fields ?? []) {
      if (field.dataTypeID === PG_INTERNAL_CHAR_OID) field.dataTypeID = PG_TEXT_OID;
    }
  }
}

/**
 * The engine's catalog queries return columns of PostgreSQL's one-byte `"char"` type (pg_class.relkind
 * and the like); adapter-pg 7.10.1 has no mapping for it and fails the whole query. Its text form is
 * an ordinary one-character string, so each connection relabels such columns as text before the
 * adapter sees them.
 */
function relabelCharColumns(client: pg.PoolClient): void {
  const original = client.query.bind(client) as (...args: unknown[]) => unknown;
  const patched = (...args: unknown[]): unknown => {
    const last = args[args.length - 1];
    if (typeof last === 'function') {
      const callback = last as (err: unknown, res: unknown) => void;
      args[args.length - 1] = (err: unknown, res: unknown) => {
        if (!err) reportCharAsText(res);
        callback(err, res);
      };
      return original(...args);
    }
    const result = original(...args);
    if (result && typeof (result as Promise<unknown>).then === 'function') {
      return (result as Promise<unknown>).then((res) => {
        reportCharAsText(res);
        return res;
      });
    }
    return result;
  };
  (client as unknown as { query: unknown }).query = patched;
}

function createPool(settings: ConnectionSettings, database?: string): pg.Pool {
  const pool = new pg.Pool(poolConfig(settings, database));
  pool.on('connect', relabelCharColumns);
  // An idle connection dropped by the server must not crash the process; the next query reports it.
  pool.on('error', () => {});
  return pool;
}

async function connectAdapter(pool: pg.Pool, settings: ConnectionSettings, onDispose?: () => Promise<void>): Promise<SqlDriverAdapter> {
  const adapter = await new PrismaPg(pool, { disposeExternalPool: true, schema: settings.schema }).connect();
  // adapter-pg's executeScript splits the script on every ';', which cuts CREATE FUNCTION bodies in
  // pieces. A query without parameters goes out as one simple-protocol message, which PostgreSQL
  // runs statement by statement as one implicit transaction — what `psql -f` and the native engine do.
  adapter.executeScript = async (script: string) => {
    await adapter.executeRaw({ sql: script, args: [], argTypes: [] });
  };
  if (onDispose) {
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      try {
        await dispose();
      } finally {
        await onDispose();
      }
    };
  }
  return adapter;
}

export interface AdapterFactory extends SqlMigrationAwareDriverAdapterFactory {
  /** Ends every pool this factory opened that the engine has not disposed of; drops leftover shadow databases. */
  release(): Promise<void>;
}

/** The factory the engine asks for its main connection and for throw-away shadow databases. */
export function createAdapterFactory(settings: ConnectionSettings): AdapterFactory {
  const pools = new Set<pg.Pool>();
  const shadows = new Set<string>();
  const openPool = (database?: string) => {
    const pool = createPool(settings, database);
    pools.add(pool);
    return pool;
  };
  const dropShadow = async (shadow: string) => {
    shadows.delete(shadow);
    await runAdminStatement(settings, `DROP DATABASE IF EXISTS ${quoteIdentifier(shadow)} WITH (FORCE)`);
  };
  return {
    provider: 'postgres',
    adapterName: '@prisma/adapter-pg',
    connect: () => connectAdapter(openPool(), settings),
    connectToShadowDb: async () => {
      const shadow = `prisma_migrate_shadow_db_${randomUUID()}`;
      await runAdminStatement(settings, `CREATE DATABASE ${quoteIdentifier(shadow)}`).catch((error: Error) => {
        throw new DatabaseToolError(
          `Cannot create a temporary shadow database as user "${settings.user}" (${error.message}). Creating a migration needs a role with CREATEDB, on a real PostgreSQL server.`,
        );
      });
      shadows.add(shadow);
      // The pool is closed (by the adapter's dispose) before the drop; FORCE ends any connection the
      // engine may still have left behind, so no shadow database outlives the command.
      return connectAdapter(openPool(shadow), { ...settings, schema: undefined }, () => dropShadow(shadow));
    },
    release: async () => {
      // The engine does not always dispose of its main connection when freed; an open pool would
      // keep the process alive.
      await Promise.all([...pools].filter((pool) => !pool.ended).map((pool) => pool.end().catch(() => {})));
      pools.clear();
      await Promise.all([...shadows].map((shadow) => dropShadow(shadow).catch(() => {})));
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// The WebAssembly engine

type EngineGlue = typeof import('@prisma/schema-engine-wasm/schema_engine_bg');

let gluePromise: Promise<EngineGlue> | undefined;
let poisoned: string | undefined;

interface PanicRegistry {
  message: string;
  set_message(message: string): void;
}

function panicRegistry(): PanicRegistry {
  const g = globalThis as unknown as { PRISMA_WASM_PANIC_REGISTRY?: PanicRegistry };
  // The engine reports a Rust panic's message through this global before it traps.
  g.PRISMA_WASM_PANIC_REGISTRY ??= {
    message: '',
    set_message(message: string) {
      this.message = message;
    },
  };
  return g.PRISMA_WASM_PANIC_REGISTRY;
}

/**
 * The engine arms timers it never clears (the 10 s advisory-lock timeout, for one), which would keep
 * a finished command alive for seconds; they are tracked and cleared once no engine is open.
 */
const engineTimers = new Set<NodeJS.Timeout>();
let openEngines = 0;

function trackedSetTimeout(callback: () => void, milliseconds: number): NodeJS.Timeout {
  const handle = setTimeout(() => {
    engineTimers.delete(handle);
    callback();
  }, milliseconds >>> 0);
  engineTimers.add(handle);
  return handle;
}

function engineClosed(): void {
  openEngines -= 1;
  if (openEngines > 0) return;
  for (const handle of engineTimers) clearTimeout(handle);
  engineTimers.clear();
}

/**
 * The package's entry point imports the .wasm file as an ES module, which Node.js does not support
 * without a flag; so the JavaScript glue is imported alone and the module instantiated here. One
 * instance serves the whole process.
 */
function loadEngineGlue(): Promise<EngineGlue> {
  gluePromise ??= (async () => {
    panicRegistry();
    const glue = await import('@prisma/schema-engine-wasm/schema_engine_bg');
    const require = createRequire(import.meta.url);
    const wasmPath = path.join(path.dirname(require.resolve('@prisma/schema-engine-wasm/schema_engine_bg')), 'schema_engine_bg.wasm');
    const imports: Record<string, unknown> = { ...glue };
    for (const name of Object.keys(glue).filter((key) => key.startsWith('__wbg_setTimeout_'))) {
      imports[name] = trackedSetTimeout;
    }
    const { instance } = await WebAssembly.instantiate(await readFile(wasmPath), {
      './schema_engine_bg.js': imports as WebAssembly.ModuleImports,
    });
    glue.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return glue;
  })();
  gluePromise.catch(() => {
    gluePromise = undefined;
  });
  return gluePromise;
}

interface EngineFailure {
  code?: unknown;
  message?: unknown;
  name?: unknown;
}

/**
 * The engine appends its internal span trace ("   0: sql_schema_connector::…") to messages; operators
 * need the sentence before it, so the trace is kept apart (see `DatabaseToolError.engineTrace`).
 */
export function splitEngineTrace(message: string): { text: string; trace: string } {
  const lines = message.split('\n');
  const cut = lines.findIndex((line) => /^\s*\d+: [\w]+(::[\w]+)+/.test(line));
  if (cut === -1) return { text: message.trim(), trace: '' };
  return { text: lines.slice(0, cut).join('\n').trim(), trace: lines.slice(cut).join('\n') };
}

function translateEngineError(error: unknown, registry: ErrorRegistry, logs: string[]): DatabaseToolError {
  if (error instanceof DatabaseToolError) return error;
  const e = (error ?? {}) as EngineFailure;
  const message = typeof e.message === 'string' ? e.message : String(error);
  if (error instanceof WebAssembly.RuntimeError) {
    // A trapped wasm instance may have left its memory inconsistent; refuse further use in this process.
    const reason = panicRegistry().message || message;
    poisoned = reason;
    return new DatabaseToolError(`The schema engine crashed: ${reason}`);
  }
  // An error thrown by JavaScript inside the adapter (not a database error) reaches the engine only as
  // "GenericJs" and an id; the original is kept in the registry.
  const code = typeof e.code === 'string' ? e.code : undefined;
  const { text, trace } = splitEngineTrace(message);
  const external = /External error id#(\d+)/.exec(text);
  if (external?.[1]) {
    const original = registry.consumeError(Number(external[1]))?.error;
    const context = text.slice(0, external.index).trim();
    if (original instanceof DatabaseToolError) return original;
    if (original) {
      const reason = original instanceof Error ? original.message : String(original);
      return new DatabaseToolError(context ? `${context}: ${reason}` : reason, code);
    }
  }
  const lastError = [...logs].reverse().find((line) => line.includes('"level":"ERROR"'));
  let sentence = text.replace(/^external connector error\s*/i, '') || lastError || 'Unknown schema engine error';
  // The failing migration's name is only in the trace; the operator needs it to fix the right file.
  const migration = /migration_name="([^"]+)"/.exec(trace)?.[1];
  if (migration && !sentence.includes(migration)) sentence = `Migration ${migration} failed: ${sentence}`;
  const result = new DatabaseToolError(code ? `${code}: ${sentence}` : sentence, code);
  result.engineTrace = trace;
  return result;
}

/** One connected engine. Call `close()` when done: it frees the wasm object and the connection pool. */
export interface MigrationEngine {
  readonly settings: ConnectionSettings;
  readonly migrationsDir: string;
  /** Applies every migration folder not yet recorded in `_prisma_migrations`, oldest first. */
  deploy(): Promise<{ applied: string[] }>;
  /** Compares the migrations folder with `_prisma_migrations`; read-only, no shadow database. */
  status(): Promise<MigrationStatus>;
  /** Writes a new migration folder for the difference between the migrations and the schema; does not apply it. */
  create(name: string, options?: { draft?: boolean }): Promise<CreatedMigration>;
  close(): Promise<void>;
}

export interface MigrationStatus {
  /** Migration folders found on disk, in the order they apply. */
  local: string[];
  hasMigrationsTable: boolean;
  /** On disk but not yet applied. */
  unapplied: string[];
  /** Recorded as applied in the database but missing on disk. */
  missingLocally: string[];
  /** Started but not finished; the engine refuses to deploy until they are resolved. */
  failed: string[];
  /** Applied, but migration.sql changed on disk since. */
  edited: string[];
  /** True when every local migration is applied and none failed. */
  upToDate: boolean;
  raw: DiagnoseMigrationHistoryOutput;
}

export interface CreatedMigration {
  /** The folder name, e.g. 20261122000000_init; null when the schema needs no change. */
  name: string | null;
  /** Absolute path of the migration.sql written, or null. */
  file: string | null;
}

/** Reads the migrations folder the way the Prisma CLI does (sorted folder names, file errors passed on). */
export async function readMigrationsList(migrationsDir: string): Promise<MigrationList> {
  const lockfileContent = await readFile(path.join(migrationsDir, LOCKFILE_NAME), 'utf8').catch(() => null);
  const entries = await readdir(migrationsDir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  const directories = await Promise.all(
    entries
      .filter((entry) => entry.isDirectory())
      .map(async (entry) => ({
        path: entry.name,
        migrationFile: {
          path: MIGRATION_FILE_NAME,
          content: await readFile(path.join(migrationsDir, entry.name, MIGRATION_FILE_NAME), 'utf8').then(
            (value) => ({ tag: 'ok' as const, value }),
            (error: Error) => ({ tag: 'error' as const, value: error.message }),
          ),
        },
      })),
  );
  directories.sort((a, b) => a.path.localeCompare(b.path));
  return {
    baseDir: migrationsDir,
    lockfile: { path: LOCKFILE_NAME, content: lockfileContent },
    shadowDbInitScript: '',
    migrationDirectories: directories,
  };
}

const MIGRATION_NAME = /^[A-Za-z0-9_]{1,150}$/;

/**
 * Connects the WebAssembly engine to the database in `databaseUrl`. The connection is tested first,
 * so a wrong URL or a stopped server is reported as such rather than as an engine error.
 */
export async function openMigrationEngine(databaseUrl: string, options: MigrationOptions = {}): Promise<MigrationEngine> {
  if (poisoned) throw new DatabaseToolError(`The schema engine crashed earlier in this process (${poisoned}); restart the process.`);
  const settings = parseDatabaseUrl(databaseUrl);
  const migrationsDir = path.resolve(options.migrationsDir ?? DEFAULT_MIGRATIONS_DIR);
  const schemaPath = path.resolve(options.schemaPath ?? DEFAULT_SCHEMA_PATH);
  const serverVersion = await checkConnection(settings);

  const glue = await loadEngineGlue();
  const logs: string[] = [];
  const log = (line: string) => {
    if (options.onLog) options.onLog(line);
    logs.push(line);
    if (logs.length > 200) logs.shift();
  };
  const adapters = createAdapterFactory(settings);
  const factory = bindMigrationAwareSqlAdapterFactory(adapters);
  // Only `create` needs the schema; deploy and status work from the migrations alone, as they must on
  // a server that ships without the schema file.
  const datamodels = async (): Promise<[string, string][] | undefined> => {
    const content = await readFile(schemaPath, 'utf8').catch(() => undefined);
    return content === undefined ? undefined : [[schemaPath, content]];
  };

  let engine: SchemaEngine;
  openEngines += 1;
  try {
    engine = await glue.SchemaEngine.new({ datamodels: await datamodels() }, log, factory);
  } catch (error) {
    engineClosed();
    await adapters.release();
    throw translateEngineError(error, factory.errorRegistry, logs);
  }

  const run = async <T>(command: () => Promise<T>): Promise<T> => {
    try {
      return await command();
    } catch (error) {
      throw translateEngineError(error, factory.errorRegistry, logs);
    }
  };

  let closed = false;
  return {
    settings,
    migrationsDir,

    deploy: () =>
      run(async () => {
        const migrationsList = await readMigrationsList(migrationsDir);
        const { appliedMigrationNames } = await engine.applyMigrations({ migrationsList, filters: NO_FILTER });
        return { applied: appliedMigrationNames };
      }),

    status: () =>
      run(async () => {
        const migrationsList = await readMigrationsList(migrationsDir);
        const raw = await engine.diagnoseMigrationHistory({ migrationsList, optInToShadowDatabase: false, filters: NO_FILTER });
        const history = raw.history;
        const unapplied = history && history.diagnostic !== 'migrationsDirectoryIsBehind' ? history.unappliedMigrationNames : [];
        const missingLocally = history && history.diagnostic !== 'databaseIsBehind' ? history.unpersistedMigrationNames : [];
        return {
          local: migrationsList.migrationDirectories.map((d) => d.path),
          hasMigrationsTable: raw.hasMigrationsTable,
          unapplied,
          missingLocally,
          failed: raw.failedMigrationNames,
          edited: raw.editedMigrationNames,
          upToDate: history === null && raw.failedMigrationNames.length === 0,
          raw,
        };
      }),

    create: (name, createOptions = {}) =>
      run(async () => {
        if (!MIGRATION_NAME.test(name)) {
          throw new DatabaseToolError(`Invalid migration name "${name}": use letters, digits and underscores only (e.g. add_unit_series).`);
        }
        const schemaContent = await readFile(schemaPath, 'utf8').catch(() => {
          throw new DatabaseToolError(`Cannot read the Prisma schema at ${schemaPath}.`);
        });
        if (serverVersion >= 180000) {
          // Its Rust panic surfaces as an uncaught exception that kills the process, so refuse first.
          throw new DatabaseToolError(
            `Creating migrations needs PostgreSQL 17 or older: this schema engine cannot read PostgreSQL 18 catalogs (NOT NULL constraints in pg_constraint) and crashes. ${describeConnection(settings)} runs PostgreSQL ${Math.floor(serverVersion / 10000)} (PGlite is PostgreSQL 18). Create migrations against a scratch database on the PostgreSQL 15 server; deploy them anywhere.`,
          );
        }
        let migrationsList = await readMigrationsList(migrationsDir);
        // The engine computes the migration against a shadow database rebuilt from the migrations; it
        // expects this diagnosis first, and it also tells us when the database has drifted.
        const { action } = await engine.devDiagnostic({ migrationsList, filters: NO_FILTER });
        if (action.tag === 'reset') {
          throw new DatabaseToolError(
            `The database ${describeConnection(settings)} does not match the migrations history, so no migration was created: ${action.reason}\nUse an empty scratch database for "create".`,
          );
        }
        migrationsList = await readMigrationsList(migrationsDir);
        const output: CreateMigrationOutput = await engine.createMigration({
          draft: createOptions.draft ?? false,
          migrationName: name,
          migrationsList,
          schema: { files: [{ path: schemaPath, content: schemaContent }] },
          filters: NO_FILTER,
        });
        if (output.migrationScript === null) return { name: null, file: null };
        const folder = path.join(migrationsDir, output.generatedMigrationName);
        if (existsSync(folder)) throw new DatabaseToolError(`The migration folder ${folder} already exists.`);
        await mkdir(folder, { recursive: true });
        const file = path.join(folder, `migration.${output.extension}`);
        await writeFile(file, output.migrationScript, 'utf8');
        await writeFile(
          path.join(migrationsDir, LOCKFILE_NAME),
          `# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = "${output.connectorType}"\n`,
          'utf8',
        );
        return { name: output.generatedMigrationName, file };
      }),

    close: async () => {
      if (closed) return;
      closed = true;
      engine.free();
      engineClosed();
      await adapters.release();
    },
  };
}

async function withEngine<T>(databaseUrl: string, options: MigrationOptions | undefined, action: (engine: MigrationEngine) => Promise<T>): Promise<T> {
  const engine = await openMigrationEngine(databaseUrl, options);
  try {
    return await action(engine);
  } finally {
    await engine.close();
  }
}

/**
 * Brings the database up to date with prisma/migrations (`prisma migrate deploy`). Safe to call at
 * every start: applied migrations are skipped, and concurrent callers wait for each other on
 * PostgreSQL's advisory lock.
 */
export function deployMigrations(databaseUrl: string, options?: MigrationOptions): Promise<{ applied: string[] }> {
  return withEngine(databaseUrl, options, (engine) => engine.deploy());
}

/** `prisma migrate status`: what is applied, pending, failed or edited. Never changes the database. */
export function migrationStatus(databaseUrl: string, options?: MigrationOptions): Promise<MigrationStatus> {
  return withEngine(databaseUrl, options, (engine) => engine.status());
}

/**
 * `prisma migrate dev --create-only`: writes prisma/migrations/<timestamp>_<name>/migration.sql for the
 * difference between the migrations and the schema. With `draft`, writes the folder even when there is
 * no difference, for hand-written SQL. Needs CREATE DATABASE rights (for the shadow database) and a
 * real PostgreSQL server: it panics against PGlite.
 */
export function createMigration(databaseUrl: string, name: string, options?: MigrationOptions & { draft?: boolean }): Promise<CreatedMigration> {
  return withEngine(databaseUrl, options, (engine) => engine.create(name, { draft: options?.draft }));
}
