import pg from 'pg';
import { quoteIdentifier } from '../../db/sql-quote';

/** The simulation's throwaway test database: tuned for speed at the start, dropped whatever happens at the end. */

/**
 * Turns off waiting for the WAL flush at commit in a throwaway test database (for connections opened
 * afterwards). The flush would dominate the simulation's time (docs/ledger.md, "Simulation and replay:
 * measured"); the database is dropped at the end, so durability buys nothing, and visibility and
 * locking are unchanged.
 */
export async function relaxDurability(databaseUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET synchronous_commit = off', current_database()); END $$`);
  } finally {
    await client.end();
  }
}

/**
 * Drops a throwaway test database, giving its own `drop` a few seconds first: after a hang (see
 * REGRESSION_PROBES) pool connections stay checked out and closing the pool would wait forever. Then it
 * drops the database from the server's maintenance database, which ends those connections too.
 */
export async function dropTestDatabase(test: { readonly url: string; drop(): Promise<void> }, graceMs = 10_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const dropped = await Promise.race([test.drop().then(() => true), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), graceMs)))]);
  clearTimeout(timer);
  if (dropped) return;
  const url = new URL(test.url);
  const name = decodeURIComponent(url.pathname.slice(1));
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
