import type pg from 'pg';

/**
 * What the simulation reads from the ledger's database, besides the replies of `execute`: the open
 * blocks and account facts it compares with the model, and the timestamps that order a burst. Plain
 * reads through the ledger's pool; the simulation never writes but through the write path.
 */

export type BlockRow = { accountId: string; seriesId: string; firstSerial: bigint; lastSerial: bigint };
export type AccountRow = { id: string; type: string; status: string; sectionId: string | null };

/** How many transactions the database holds (a simulation starts on an empty one). */
export async function transactionCount(pool: pg.Pool): Promise<number> {
  const existing = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM "LedgerTransaction"`);
  return existing.rows[0]?.n ?? 0;
}

/** The open blocks and the account facts of the given accounts (all when null), in one round trip. */
export async function readAccounts(pool: pg.Pool, accountIds: readonly string[] | null): Promise<{ blocks: BlockRow[]; accounts: AccountRow[] }> {
  const only = (column: string) => (accountIds ? ` AND ${column} = ANY($1::text[])` : '');
  const result = await pool.query<{ row: 'block' | 'account'; id: string; a: string; b: string | null; c: string | null }>(
    `SELECT 'block' AS row, "accountId" AS id, "seriesId" AS a, "firstSerial"::text AS b, "lastSerial"::text AS c FROM "UnitBlock" WHERE "closedByTxId" IS NULL${only('"accountId"')}
     UNION ALL
     SELECT 'account', id, type::text, status::text, "sectionId" FROM "Account" WHERE true${only('id')}`,
    accountIds ? [accountIds] : [],
  );
  const blocks: BlockRow[] = [];
  const accounts: AccountRow[] = [];
  for (const r of result.rows) {
    if (r.row === 'block') blocks.push({ accountId: r.id, seriesId: r.a, firstSerial: BigInt(r.b as string), lastSerial: BigInt(r.c as string) });
    else accounts.push({ id: r.id, type: r.a, status: r.b as string, sectionId: r.c });
  }
  return { blocks, accounts };
}

/** The creation time (ms) of each of these transactions that has a row. */
export async function transactionTimes(pool: pg.Pool, transactionIds: readonly string[]): Promise<Map<string, number>> {
  const times = new Map<string, number>();
  const rows = await pool.query<{ id: string; createdAt: Date }>(`SELECT id, "createdAt" FROM "LedgerTransaction" WHERE id = ANY($1::text[])`, [transactionIds]);
  for (const r of rows.rows) times.set(r.id, r.createdAt.getTime());
  return times;
}
