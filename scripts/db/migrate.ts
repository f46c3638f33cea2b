/**
 * Database migrations from the command line, through the WebAssembly schema engine (see
 * server/db/schema-engine.ts for why not the `prisma migrate` CLI).
 *
 *   npx tsx scripts/db/migrate.ts deploy              apply pending migrations
 *   npx tsx scripts/db/migrate.ts status              compare prisma/migrations with the database
 *   npx tsx scripts/db/migrate.ts create <name>       write a migration for schema changes
 *   npx tsx scripts/db/migrate.ts create <name> --draft   write an empty one, for hand-written SQL
 *
 * The database is DATABASE_URL; DEBUG_MIGRATE=1 adds the engine's log. Exit status: 0 success
 * (status: up to date), 1 failure (status: not up to date), 2 wrong usage.
 */
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import {
  DatabaseToolError,
  describeConnection,
  openMigrationEngine,
  parseDatabaseUrl,
  type MigrationEngine,
  type MigrationStatus,
} from '../../server/db/schema-engine';

const USAGE = `Usage: npx tsx scripts/db/migrate.ts <command>

Commands:
  deploy                 apply every migration in prisma/migrations not yet applied
  status                 show which migrations are applied, pending, failed or edited
  create <name> [--draft]
                         write prisma/migrations/<timestamp>_<name>/migration.sql for the difference
                         between the migrations and prisma/schema.prisma (not applied; review it,
                         then deploy). --draft writes it even when empty, for hand-written SQL.
                         Use a scratch database on a real PostgreSQL server (not PGlite): the
                         migrations it lacks are applied to it first.

The database is taken from DATABASE_URL (postgresql://user:password@host:port/database).
DEBUG_MIGRATE=1 prints the engine's log and traces.`;

class UsageError extends Error {}

export interface Invocation {
  command: 'deploy' | 'status' | 'create';
  name?: string;
  draft: boolean;
}

export function parseArguments(argv: string[]): Invocation | 'help' {
  if (argv.includes('--help') || argv.includes('-h') || argv[0] === 'help') return 'help';
  const flags = argv.filter((a) => a.startsWith('--'));
  const positional = argv.filter((a) => !a.startsWith('--'));
  const unknown = flags.filter((f) => f !== '--draft');
  if (unknown.length > 0) throw new UsageError(`Unknown option ${unknown[0]}.`);
  const [command, ...rest] = positional;
  const draft = flags.includes('--draft');
  switch (command) {
    case 'deploy':
    case 'status':
      if (rest.length > 0 || draft) throw new UsageError(`"${command}" takes no arguments.`);
      return { command, draft: false };
    case 'create':
      if (rest.length !== 1) throw new UsageError('"create" needs exactly one migration name, e.g. create add_unit_series.');
      return { command, name: rest[0], draft };
    case undefined:
      throw new UsageError('No command given.');
    default:
      throw new UsageError(`Unknown command "${command}".`);
  }
}

export function formatStatus(status: MigrationStatus): string {
  const lines = [`${status.local.length} migration(s) in prisma/migrations.`];
  if (!status.hasMigrationsTable) lines.push('The database has no _prisma_migrations table yet (nothing applied).');
  if (status.unapplied.length > 0) lines.push(`Not yet applied:\n${status.unapplied.map((n) => `  ${n}`).join('\n')}`);
  if (status.failed.length > 0) {
    lines.push(
      `Failed (deploy refuses to continue; see docs/database.md, "When a migration fails"):\n${status.failed.map((n) => `  ${n}`).join('\n')}`,
    );
  }
  if (status.missingLocally.length > 0) {
    lines.push(`Applied to the database but missing from prisma/migrations:\n${status.missingLocally.map((n) => `  ${n}`).join('\n')}`);
  }
  if (status.edited.length > 0) {
    lines.push(`Changed on disk after being applied (the database ran the old text):\n${status.edited.map((n) => `  ${n}`).join('\n')}`);
  }
  lines.push(status.upToDate ? 'Database is up to date.' : 'Database is NOT up to date.');
  return lines.join('\n');
}

async function execute(invocation: Invocation, databaseUrl: string | undefined, debug: boolean): Promise<number> {
  // Parsed here too so that a bad URL is reported before the engine loads.
  const settings = parseDatabaseUrl(databaseUrl);
  const target = describeConnection(settings);
  let engine: MigrationEngine | undefined;
  try {
    engine = await openMigrationEngine(databaseUrl ?? '', debug ? { onLog: (line) => console.error(line) } : {});
    switch (invocation.command) {
      case 'deploy': {
        const started = Date.now();
        const { applied } = await engine.deploy();
        const took = `${((Date.now() - started) / 1000).toFixed(1)} s`;
        if (applied.length === 0) console.log(`${target}: no pending migrations (${took}).`);
        else console.log(`${target}: applied ${applied.length} migration(s) in ${took}:\n${applied.map((n) => `  ${n}`).join('\n')}`);
        return 0;
      }
      case 'status': {
        const status = await engine.status();
        console.log(`${target}\n${formatStatus(status)}`);
        return status.upToDate ? 0 : 1;
      }
      case 'create': {
        // As `prisma migrate dev` does: the scratch database first gets every migration it lacks, so
        // that the new one is the difference from the whole history (on an empty database the engine
        // otherwise fails with an unclear message about its shadow database).
        const { applied } = await engine.deploy();
        if (applied.length > 0) console.log(`${target}: applied ${applied.length} pending migration(s) first.`);
        const created = await engine.create(invocation.name ?? '', { draft: invocation.draft });
        if (created.file === null) {
          console.log('The schema and the migrations agree; no migration created (use --draft for an empty one).');
        } else {
          console.log(`Created ${path.relative(process.cwd(), created.file)}\nReview it, then apply it with: npx tsx scripts/db/migrate.ts deploy`);
        }
        return 0;
      }
      default:
        throw new UsageError(`Unknown command "${String(invocation.command satisfies never)}".`);
    }
  } finally {
    await engine?.close();
  }
}

export async function main(argv: string[], env: Record<string, string | undefined> = process.env): Promise<number> {
  let invocation: Invocation;
  try {
    const parsed = parseArguments(argv);
    if (parsed === 'help') {
      console.log(USAGE);
      return 0;
    }
    invocation = parsed;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n\n${USAGE}`);
    return 2;
  }
  const debug = Boolean(env.DEBUG_MIGRATE);
  try {
    return await execute(invocation, env.DATABASE_URL, debug);
  } catch (error) {
    if (error instanceof DatabaseToolError) {
      console.error(`Error: ${error.message}`);
      if (debug && error.engineTrace) console.error(error.engineTrace);
      return 1;
    }
    // Unexpected: keep the stack only when asked, the message is usually enough.
    console.error(`Unexpected error: ${error instanceof Error ? error.message : String(error)}`);
    if (debug && error instanceof Error) console.error(error.stack);
    return 1;
  }
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href;
if (invokedDirectly) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
