import { createHash } from 'node:crypto';
import pg from 'pg';

/**
 * The ledger's own connection pool. The write path talks to PostgreSQL directly, a few statements per
 * transaction, because it is the registry's hot path (A6R-36); reads elsewhere go through Prisma.
 */
export type Sql = pg.PoolClient;

const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    // int8: serials and quantities are bigint end to end, never a lossy JS number.
    if (oid === 20) return (value: string) => BigInt(value);
    // timestamp without time zone holds UTC (as Prisma writes it); pg would read it as local time.
    if (oid === 1114) return (value: string) => new Date(`${value.replace(' ', 'T')}Z`);
    return pg.types.getTypeParser(oid, format as 'text');
  },
} as pg.CustomTypesConfig;

export function createLedgerPool(connectionString: string, max = 10, prepare: readonly string[] = []): pg.Pool {
  const pool = new pg.Pool({ connectionString, max, types });
  // Statements every connection prepares before its first use (the hot path's reads): the query is
  // queued ahead of anything the connection is then given.
  // Should it fail (a database not yet migrated), the statements that use them fail with that reason.
  if (prepare.length > 0) {
    pool.on('connect', (client) => {
      client.query(prepare.join(';\n')).catch((error: Error) => console.error(`ledger pool: preparing the hot path's reads failed: ${error.message}`));
    });
  }
  // An idle connection that the server ends (restart, failover) must not crash the process; the pool
  // replaces it at the next checkout.
  pool.on('error', (error) => console.error(`ledger pool: idle connection lost: ${error.message}`));
  return pool;
}

/** PostgreSQL errors after which the whole transaction may simply be run again. */
const RETRYABLE = new Set(['40001', '40P01']);
export const MAX_ATTEMPTS = 5;

/** Connections handed out by inTransaction, and how far their transaction has got. */
const managed = new WeakSet<pg.PoolClient>();
const begun = new WeakSet<pg.PoolClient>();
const committed = new WeakSet<pg.PoolClient>();

/**
 * Runs `work` in one database transaction (READ COMMITTED plus row locks) and commits it; rolls back on
 * any error. A serialization failure or deadlock is retried, at most MAX_ATTEMPTS times, with jitter.
 *
 * BEGIN and COMMIT are not sent on their own when they can travel with a statement: `beginWith` and
 * `commitWith` send them in the same message as the first and last statement. Each round trip costs
 * more than the statements of a transfer themselves, so a transfer makes three instead of five.
 */
export async function inTransaction<T>(pool: pg.Pool, work: (sql: Sql) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    managed.add(client);
    try {
      const result = await work(client);
      if (begun.has(client) && !committed.has(client)) await client.query('COMMIT');
      return result;
    } catch (error) {
      // Also when unsure whether BEGIN went out: a ROLLBACK outside a transaction is harmless.
      if (!committed.has(client)) await client.query('ROLLBACK').catch(() => undefined);
      if (attempt < MAX_ATTEMPTS && RETRYABLE.has(sqlState(error))) {
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
        continue;
      }
      throw error;
    } finally {
      managed.delete(client);
      begun.delete(client);
      committed.delete(client);
      client.release();
    }
  }
}

async function ensureBegun(sql: Sql | pg.Pool): Promise<void> {
  if (sql instanceof pg.Pool || !managed.has(sql) || begun.has(sql)) return;
  await sql.query('BEGIN');
  begun.add(sql);
}

/**
 * Sends statements of literal SQL (no parameters: build them with `literal`) as the transaction's
 * first, together with its BEGIN, and returns their results. Outside inTransaction they are sent alone.
 */
export async function beginWith(sql: Sql, text: string): Promise<pg.QueryResult[]> {
  const opening = managed.has(sql) && !begun.has(sql);
  // Marked before sending: if the statement fails, the transaction it opened must still be rolled back
  // before the connection goes back to the pool.
  if (opening) begun.add(sql);
  const sent = (await sql.query(opening ? `BEGIN; ${text}` : text)) as unknown as pg.QueryResult | pg.QueryResult[];
  const results = Array.isArray(sent) ? sent : [sent];
  return opening ? results.slice(1) : results;
}

/** Sends the transaction's last statement together with its COMMIT; an error in it prevents the commit. */
export async function commitWith<R extends pg.QueryResultRow>(sql: Sql, text: string): Promise<pg.QueryResult<R>> {
  await ensureBegun(sql);
  if (!managed.has(sql)) return sql.query<R>(text);
  const results = (await sql.query(`${text}; COMMIT`)) as unknown as pg.QueryResult<R>[];
  committed.add(sql);
  return results[0] as pg.QueryResult<R>;
}

/** A value as an SQL literal, for `beginWith` and `commitWith`: the client escapes it. */
export function literal(sql: Sql, value: string | number | null | readonly string[]): string {
  if (value === null) return 'NULL';
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new Error(`literal: ${value} is not an integer`);
    return String(value);
  }
  if (typeof value === 'string') return sql.escapeLiteral(value);
  return `ARRAY[${value.map((v) => sql.escapeLiteral(v)).join(',')}]::text[]`;
}

export function sqlState(error: unknown): string {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : '';
}

/** A unique-constraint violation on the named constraint. */
export function isUniqueViolation(error: unknown, constraint: string): boolean {
  return sqlState(error) === '23505' && typeof error === 'object' && error !== null && 'constraint' in error && error.constraint === constraint;
}

/** Timestamps cross as ISO-8601 UTC text: the columns hold UTC without a zone. */
export const utc = (date: Date): string => date.toISOString();

const statementNames = new Map<string, string>();

/**
 * Runs a statement as a named prepared statement: each connection parses and plans it once, and
 * afterwards only its parameters travel. The write path's statements are few and fixed in shape, so
 * naming them by a digest of their text is safe and keeps the hot path cheap on both sides.
 */
export async function prepared<R extends pg.QueryResultRow>(sql: Sql | pg.Pool, text: string, values: unknown[] = []): Promise<pg.QueryResult<R>> {
  await ensureBegun(sql);
  let name = statementNames.get(text);
  if (!name) {
    name = `l${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    statementNames.set(text, name);
  }
  return sql.query<R>({ name, text, values });
}
