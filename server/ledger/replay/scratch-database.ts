import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { quoteIdentifier } from '../../db/sql-quote';

/**
 * Scratch databases for replay (A6R-48): an empty, migrated database beside the registry's, which
 * `rebuildInto` (rebuild.ts) fills from a replay and which is dropped afterwards. This is the only
 * place in the replay that creates or drops databases; the replayer itself (../replay.ts) only reads
 * a log.
 */

export interface ScratchDatabase {
  readonly name: string;
  readonly url: string;
  drop(): Promise<void>;
}

/**
 * Creates an empty, migrated database beside the one `databaseUrl` names, called `<db>_replay_<random>`
 * (needs the CREATEDB privilege). `drop` removes it, closing any connection still open to it.
 */
export async function createScratchDatabase(databaseUrl: string): Promise<ScratchDatabase> {
  const source = new URL(databaseUrl);
  const base = decodeURIComponent(source.pathname.replace(/^\//, '')) || 'postgres';
  const name = `${base.slice(0, 40)}_replay_${randomBytes(6).toString('hex')}`;
  const target = new URL(databaseUrl);
  target.pathname = `/${encodeURIComponent(name)}`;
  const scratch = { name, url: target.toString(), drop: () => dropDatabase(target.toString()) };
  try {
    await prepareScratch(scratch.url);
  } catch (error) {
    await scratch.drop().catch(() => undefined);
    throw error;
  }
  return scratch;
}

/** Drops the database `databaseUrl` names, closing the connections still open to it. */
export async function dropDatabase(databaseUrl: string): Promise<void> {
  const { admin, name } = adminUrlFor(databaseUrl);
  await adminStatement(admin, `DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`);
}


/** The database name in a URL, and the URL to reach its server by (see adminStatement). */
function adminUrlFor(databaseUrl: string): { admin: string; name: string } {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (name === '') throw new Error(`no database name in ${url.host}`);
  return { admin: url.toString(), name };
}

/** Creates the scratch database when it does not exist, and brings it up to date with the migrations. */
export async function prepareScratch(scratchUrl: string): Promise<void> {
  const probe = new pg.Client({ connectionString: scratchUrl });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
  } catch (error) {
    // 3D000: no such database. Anything else (unreachable server, authentication) is the caller's to see.
    if ((error as { code?: unknown }).code !== '3D000') throw error;
    const { admin, name } = adminUrlFor(scratchUrl);
    await adminStatement(admin, `CREATE DATABASE ${quoteIdentifier(name)}`);
  } finally {
    await probe.end().catch(() => undefined);
  }
  // Loaded only when a scratch database is prepared: the migration engine (WebAssembly) stays out of
  // the module graph of whoever imports this file for something else.
  const { deployMigrations } = await import('../../db/schema-engine');
  await deployMigrations(scratchUrl);
}

/** Runs one statement on the maintenance database `postgres`, or on `template1` where there is none. */
async function adminStatement(databaseUrl: string, text: string): Promise<void> {
  for (const database of ['postgres', 'template1']) {
    const url = new URL(databaseUrl);
    url.pathname = `/${database}`;
    const client = new pg.Client({ connectionString: url.toString() });
    client.on('error', () => undefined);
    try {
      await client.connect();
    } catch (error) {
      if ((error as { code?: unknown }).code === '3D000' && database === 'postgres') continue;
      throw error;
    }
    try {
      await client.query(text);
      return;
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}
