import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testing/test-database';
import { seriesIdOf } from './operations/issue-units';
import { ed25519Signer, generateSigningKeyPem } from './signer';
import { createLedgerPool } from './sql';
import type { AccountDefinition, Actor, LedgerContext, Proposal, SeriesAttributes } from './types';
import { describeDisagreement, verifyLedger, type VerifyReport } from './verify';
import { execute } from './write-path';

const admin: Actor = { userId: 'admin', impersonatorId: null, grants: [{ role: 'REGISTRY_ADMIN', sectionId: null, accountId: null }] };
const itmo = (vintage: number, originatingRegistry = 'IR'): SeriesAttributes => ({ unitType: 'ITMO', cooperativeApproachId: null, originatingRegistry, hostParty: 'GHA', firstTransferringParty: 'GHA', activityId: 'ACT-1', vintage, sectors: ['energy'], activityTypes: [], metric: 'tCO2e', pre2021: false });
const account = (id: string, type: AccountDefinition['type']): AccountDefinition => ({ id, registry: 'INTERNATIONAL', name: `Account ${id}`, type, holderName: `Holder of ${id}`, sectionId: 'GHA', cooperativeApproachId: null });

type Draft = Proposal extends infer P ? (P extends Proposal ? Omit<P, 'idempotencyKey'> : never) : never;

let test: TestDatabase;
let ctx: LedgerContext & { publicKeyPem: string };
let pool: pg.Pool;

/** A short history of every kind of entry: recorded, rejected, refused duplicates, arrivals. */
async function buildHistory(): Promise<void> {
  let key = 0;
  const run = async (proposal: Draft) => execute(ctx, admin, { ...proposal, idempotencyKey: `v-${key++}` } as Proposal);
  await run({ kind: 'DEFINE_REFERENCE', reference: { type: 'SECTION', id: 'GHA', name: 'Ghana' } });
  await run({ kind: 'DEFINE_REFERENCE', reference: { type: 'COOPERATIVE_APPROACH', id: 'CA0001', name: 'Approach one' } });
  await run({ kind: 'DEFINE_REFERENCE', reference: { type: 'NOMENCLATURE_ENTRY', nomenclature: 'methodology', id: 'AMS-I.D', name: 'Grid connected renewables' } });
  for (const a of [account('ISS', 'ISSUANCE'), account('H-1', 'HOLDING'), account('H-2', 'HOLDING'), account('USE', 'USE'), account('PROXY', 'PROXY')]) {
    await run({ kind: 'OPEN_ACCOUNT', account: a });
    await run({ kind: 'SET_ACCOUNT_STATUS', accountId: a.id, status: 'ACTIVE' });
  }
  await run({ kind: 'ISSUANCE', accountId: 'ISS', series: itmo(2021), quantity: 10_000n });
  await run({ kind: 'ISSUANCE', accountId: 'ISS', series: { ...itmo(2022), extra: { methodology: 'AMS-I.D' } }, quantity: 5_000n });
  for (let i = 0; i < 20; i++) {
    await run({ kind: 'TRANSFER', fromAccountId: 'ISS', toAccountId: i % 2 ? 'H-1' : 'H-2', selection: { mode: 'implicit', quantity: BigInt(50 + i * 7), constraints: i % 3 ? {} : { vintage: 2022 } } });
    await run({ kind: 'TRANSFER', fromAccountId: 'H-1', toAccountId: 'H-2', selection: { mode: 'implicit', quantity: BigInt(3 + i), constraints: {} } });
  }
  await run({ kind: 'TRANSFER', fromAccountId: 'ISS', toAccountId: 'H-1', selection: { mode: 'explicit', seriesId: seriesIdOf(itmo(2021)), firstSerial: 9_001n, lastSerial: 9_100n } });
  await run({ kind: 'TRANSFER', fromAccountId: 'H-2', toAccountId: 'USE', selection: { mode: 'implicit', quantity: 40n, constraints: {} } });
  await run({ kind: 'EXTERNAL_TRANSFER', fromAccountId: 'H-1', destination: { registryId: 'XR', accountId: 'XR-1' }, selection: { mode: 'explicit', seriesId: seriesIdOf(itmo(2021)), firstSerial: 9_001n, lastSerial: 9_050n } });
  await run({ kind: 'EXTERNAL_ARRIVAL', toAccountId: 'H-2', origin: { registryId: 'XR', accountId: 'XR-1', messageId: 'm-1' }, series: itmo(2021), firstSerial: 9_010n, lastSerial: 9_020n });
  await run({ kind: 'EXTERNAL_ARRIVAL', toAccountId: 'H-2', origin: { registryId: 'XR', accountId: 'XR-1', messageId: 'm-2' }, series: itmo(2020, 'XR'), firstSerial: 1n, lastSerial: 500n });
  await run({ kind: 'TRANSFER', fromAccountId: 'H-1', toAccountId: 'H-2', selection: { mode: 'implicit', quantity: 1_000_000n, constraints: {} } });
  await run({ kind: 'SET_ACCOUNT_STATUS', accountId: 'H-1', status: 'SUSPENDED' });
  await run({ kind: 'TRANSFER', fromAccountId: 'H-2', toAccountId: 'H-1', selection: { mode: 'implicit', quantity: 5n, constraints: {} } });
  await execute(ctx, admin, { kind: 'SET_ACCOUNT_STATUS', idempotencyKey: 'v-0', accountId: 'H-2', status: 'FROZEN' });
}

/**
 * Applies `change` as a superuser bypassing the triggers would, verifies inside the same transaction,
 * and rolls the change back: every case starts from the clean ledger.
 */
async function verifyTampered(change: (client: pg.PoolClient) => Promise<unknown>, publicKeyPem = ctx.publicKeyPem): Promise<VerifyReport> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SET LOCAL session_replication_role = replica');
    await change(client);
    return await verifyLedger(client, publicKeyPem);
  } finally {
    await client.query('ROLLBACK');
    client.release();
  }
}

async function one<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R> {
  const { rows } = await pool.query<R>(text, values);
  if (!rows[0]) throw new Error(`no row for ${text}`);
  return rows[0];
}

beforeAll(async () => {
  test = await createTestDatabase('ledger_verify');
  let clock = Date.parse('2026-04-01T00:00:00Z');
  ctx = test.ledger({ now: () => new Date((clock += 1_000)) });
  pool = createLedgerPool(test.url, 4);
  await buildHistory();
});

afterAll(async () => {
  await pool?.end();
  await test?.drop();
});

describe('verifying the ledger', () => {
  it('finds a clean ledger intact and counts what it checked', async () => {
    const report = await verifyLedger(pool, ctx.publicKeyPem);
    expect(report.disagreement).toBeNull();
    const counts = await one<{ entries: number; chains: number; transactions: number; blocks: number }>(
      `SELECT (SELECT count(*) FROM "LogEntry")::int AS entries, (SELECT count(DISTINCT chain) FROM "LogEntry")::int AS chains,
              (SELECT count(*) FROM "LedgerTransaction")::int AS transactions, (SELECT count(*) FROM "UnitBlock")::int AS blocks`,
    );
    expect(report).toMatchObject({ ok: true, ...counts });
    expect(counts.entries).toBeGreaterThan(60);
    const statuses = await pool.query<{ status: string }>(`SELECT DISTINCT payload::jsonb->>'status' AS status FROM "LogEntry" ORDER BY 1`);
    expect(statuses.rows.map((r) => r.status)).toEqual(['RECORDED', 'REFUSED_DUPLICATE', 'REJECTED']);
  });

  it('reports a block moved to another account, naming the row', async () => {
    const block = await one<{ id: bigint }>(`SELECT id FROM "UnitBlock" WHERE "closedByTxId" IS NULL AND "accountId" = 'H-2' ORDER BY id LIMIT 1`);
    const report = await verifyTampered((c) => c.query(`UPDATE "UnitBlock" SET "accountId" = 'H-1' WHERE id = $1`, [block.id]));
    expect(report.ok).toBe(false);
    expect(report.disagreement).toMatchObject({ kind: 'row', table: 'UnitBlock', id: block.id.toString() });
    expect(report.disagreement?.message).toMatch(/accountId is "H-1", but replaying the log gives "H-2"/);
  });

  it('reports a closed block whose serials were changed', async () => {
    const block = await one<{ id: bigint }>(`SELECT id FROM "UnitBlock" WHERE "closedByTxId" IS NOT NULL ORDER BY id DESC LIMIT 1`);
    const report = await verifyTampered((c) => c.query(`UPDATE "UnitBlock" SET "lastSerial" = "lastSerial" + 1 WHERE id = $1`, [block.id]));
    expect(report.disagreement).toMatchObject({ kind: 'row', table: 'UnitBlock', id: block.id.toString() });
    expect(report.disagreement?.message).toMatch(/^lastSerial is/);
  });

  it('reports a block row deleted, naming the entry that created it', async () => {
    const block = await one<{ id: bigint; createdByTxId: string }>(`SELECT id, "createdByTxId" FROM "UnitBlock" WHERE "closedByTxId" IS NULL ORDER BY id LIMIT 1 OFFSET 3`);
    const entry = await one<{ seq: bigint; chain: number }>(`SELECT seq, chain FROM "LogEntry" WHERE "transactionId" = $1`, [block.createdByTxId]);
    const report = await verifyTampered((c) => c.query(`DELETE FROM "UnitBlock" WHERE id = $1`, [block.id]));
    expect(report.disagreement).toMatchObject({ kind: 'entry', seq: entry.seq, chain: entry.chain });
    expect(report.disagreement?.message).toMatch(/has no "UnitBlock" row/);
  });

  it('reports a transaction row changed, naming the row and its entry', async () => {
    const tx = await one<{ id: string }>(`SELECT id FROM "LedgerTransaction" WHERE kind = 'TRANSFER' AND status = 'RECORDED' ORDER BY "createdAt" LIMIT 1 OFFSET 5`);
    const report = await verifyTampered((c) => c.query(`UPDATE "LedgerTransaction" SET input = replace(input, '"ISS"', '"H-1"') WHERE id = $1`, [tx.id]));
    expect(report.disagreement).toMatchObject({ kind: 'row', table: 'LedgerTransaction', id: tx.id });
    expect(report.disagreement?.message).toMatch(/^input is .* but log entry seq=\d+ chain=\d+ says/);
  });

  it('reports an account whose status was changed behind the log', async () => {
    const report = await verifyTampered((c) => c.query(`UPDATE "Account" SET status = 'ACTIVE' WHERE id = 'H-1'`));
    expect(report.disagreement).toMatchObject({ kind: 'row', table: 'Account', id: 'H-1' });
    expect(report.disagreement?.message).toMatch(/status is "ACTIVE", but replaying the log gives "SUSPENDED"/);
  });

  it('reports a series whose attributes were changed, and a nomenclature entry added behind the log', async () => {
    const changed = await verifyTampered((c) => c.query(`UPDATE "UnitSeries" SET extra = '{}' WHERE extra <> '{}'`));
    expect(changed.disagreement).toMatchObject({ kind: 'row', table: 'UnitSeries', id: seriesIdOf(itmo(2022)) });
    expect(changed.disagreement?.message).toMatch(/^extra is "\{\}", but replaying the log gives "\{\\"methodology\\":\\"AMS-I.D\\"\}"/);
    const added = await verifyTampered((c) => c.query(`INSERT INTO "NomenclatureEntry" (nomenclature, code, label) VALUES ('sector', 'energy', 'Energy')`));
    expect(added.disagreement).toMatchObject({ kind: 'row', table: 'NomenclatureEntry', id: '(sector, energy)', message: 'the log never creates it' });
  });

  it("reports a log entry whose payload was changed, by its hash", async () => {
    const entry = await one<{ seq: bigint; chain: number }>(`SELECT seq, chain FROM "LogEntry" WHERE kind = 'TRANSFER' AND payload LIKE '%"toAccountId":"H-2"%' ORDER BY seq LIMIT 1 OFFSET 5`);
    const report = await verifyTampered((c) => c.query(`UPDATE "LogEntry" SET payload = replace(payload, '"toAccountId":"H-2"', '"toAccountId":"H-1"') WHERE seq = $1`, [entry.seq]));
    expect(report.disagreement).toMatchObject({ kind: 'entry', seq: entry.seq, chain: entry.chain });
    expect(report.disagreement?.message).toMatch(/hash does not match/);
  });

  it('reports a log entry deleted from the middle of a chain, at the next entry of the chain', async () => {
    const [deleted, next] = (await pool.query<{ seq: bigint; chain: number }>(`SELECT seq, chain FROM "LogEntry" WHERE chain = (SELECT chain FROM "LogEntry" GROUP BY chain ORDER BY count(*) DESC LIMIT 1) ORDER BY seq LIMIT 2 OFFSET 1`)).rows;
    if (!deleted || !next) throw new Error('the busiest chain is too short');
    const report = await verifyTampered((c) => c.query(`DELETE FROM "LogEntry" WHERE seq = $1`, [deleted.seq]));
    expect(report.disagreement).toMatchObject({ kind: 'entry', seq: next.seq, chain: next.chain });
    expect(report.disagreement?.message).toMatch(/prevHash .* an entry is missing/);
  });

  it("reports the last entry of a chain deleted, whatever it recorded, by the chain's head", async () => {
    // Each chain's tail; chains are claimed at random, so a refused duplicate may end one.
    const tails = (await pool.query<{ seq: bigint; chain: number; transactionId: string | null }>(`SELECT DISTINCT ON (chain) seq, chain, "transactionId" FROM "LogEntry" ORDER BY chain, seq DESC`)).rows;
    expect(tails.length).toBeGreaterThan(1);
    for (const tail of tails) {
      const report = await verifyTampered((c) => c.query(`DELETE FROM "LogEntry" WHERE seq = $1`, [tail.seq]));
      expect(report.disagreement).toMatchObject({ kind: 'row', table: 'LogChainHead', id: String(tail.chain) });
      expect(report.disagreement?.message).toMatch(new RegExp(`but the chain's last entry is seq \\d+ .*an entry at its end is missing`));
    }
    const duplicate = await one<{ seq: bigint }>(`SELECT seq FROM "LogEntry" WHERE "transactionId" IS NULL ORDER BY seq DESC LIMIT 1`);
    expect(duplicate.seq).toBeGreaterThan(0n);
  });

  it("reports a chain's head moved back, and the database refuses to move it back", async () => {
    // A chain with at least two entries (chains are claimed at random).
    const head = await one<{ chain: number; seq: bigint }>(`SELECT chain, seq FROM "LogChainHead" h WHERE (SELECT count(*) FROM "LogEntry" e WHERE e.chain = h.chain) >= 2 ORDER BY seq DESC LIMIT 1`);
    const previous = await one<{ seq: bigint; hash: string }>(`SELECT seq, hash FROM "LogEntry" WHERE chain = $1 AND seq < $2 ORDER BY seq DESC LIMIT 1`, [head.chain, head.seq]);
    const report = await verifyTampered((c) => c.query(`UPDATE "LogChainHead" SET seq = $2, hash = $3 WHERE chain = $1`, [head.chain, previous.seq, previous.hash]));
    expect(report.disagreement).toMatchObject({ kind: 'row', table: 'LogChainHead', id: String(head.chain) });
    await expect(pool.query(`UPDATE "LogChainHead" SET seq = $2, hash = $3 WHERE chain = $1`, [head.chain, previous.seq, previous.hash])).rejects.toThrow(/only moves forward/);
    await expect(pool.query(`DELETE FROM "LogChainHead" WHERE chain = $1`, [head.chain])).rejects.toThrow(/rows belong to the migrations/);
  });

  it('with heads kept from an earlier verification, also catches tail entries removed together with their head', async () => {
    const clean = await verifyLedger(pool, ctx.publicKeyPem);
    expect(clean.heads).toHaveLength(16);
    const longest = await one<{ chain: number }>(`SELECT chain FROM "LogEntry" GROUP BY chain ORDER BY count(*) DESC, chain LIMIT 1`);
    const head = clean.heads[longest.chain] as (typeof clean.heads)[number];
    const previous = await one<{ seq: bigint; hash: string }>(`SELECT seq, hash FROM "LogEntry" WHERE chain = $1 AND seq < $2 ORDER BY seq DESC LIMIT 1`, [head.chain, head.seq]);
    const twoChanges = async (c: pg.PoolClient) => {
      await c.query(`DELETE FROM "LogEntry" WHERE seq = $1`, [head.seq]);
      await c.query(`UPDATE "LogChainHead" SET seq = $2, hash = $3 WHERE chain = $1`, [head.chain, previous.seq, previous.hash]);
    };
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SET LOCAL session_replication_role = replica');
      await twoChanges(client);
      // The database alone cannot tell which entry once ended the chain: at most a transaction row
      // left behind shows it (a refused duplicate leaves none).
      const unaided = (await verifyLedger(client, ctx.publicKeyPem)).disagreement;
      expect(unaided === null || (unaided.kind === 'row' && unaided.table === 'LedgerTransaction')).toBe(true);
      const aided = await verifyLedger(client, ctx.publicKeyPem, { since: clean.heads });
      expect(aided.disagreement).toMatchObject({ kind: 'entry', seq: head.seq, chain: head.chain });
      expect(aided.disagreement?.message).toMatch(/kept heads name this entry, and it is not in the log/);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
    expect((await verifyLedger(pool, ctx.publicKeyPem, { since: clean.heads })).ok).toBe(true);
  });

  it('reports a forged signature, and a log signed by another key', async () => {
    const forger = ed25519Signer(generateSigningKeyPem());
    const entry = await one<{ seq: bigint; chain: number; hash: string }>(`SELECT seq, chain, hash FROM "LogEntry" ORDER BY seq LIMIT 1 OFFSET 20`);
    const report = await verifyTampered((c) => c.query(`UPDATE "LogEntry" SET signature = $2 WHERE seq = $1`, [entry.seq, forger.sign(entry.hash)]));
    expect(report.disagreement).toMatchObject({ kind: 'entry', seq: entry.seq, chain: entry.chain });
    expect(report.disagreement?.message).toMatch(/signature does not verify/);
    const first = await one<{ seq: bigint }>(`SELECT min(seq) AS seq FROM "LogEntry"`);
    const otherKey = await verifyLedger(pool, forger.publicKeyPem);
    expect(otherKey.disagreement).toMatchObject({ kind: 'entry', seq: first.seq });
  });

  it('is clean again after every tampering was rolled back, and describes what it finds in one line', async () => {
    expect((await verifyLedger(pool, ctx.publicKeyPem)).ok).toBe(true);
    expect(describeDisagreement({ kind: 'entry', seq: 7n, chain: 3, message: 'hash does not match' })).toBe('log entry seq=7 chain=3: hash does not match');
    expect(describeDisagreement({ kind: 'row', table: 'UnitBlock', id: '12', message: 'x' })).toBe('"UnitBlock" row 12: x');
  });
});
