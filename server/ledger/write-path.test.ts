import { Client } from 'pg';
import { quoteLiteral } from '../db/sql-quote';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testing/test-database';
import { entryHash, GENESIS_HASH } from './log';
import { seriesIdOf } from './operations/issue-units';
import { firstRead } from './operations/select-units';
import type { Step } from './sql';
import { verifySignature } from './signer';
import type { Actor, LedgerContext, SeriesAttributes } from './types';
import { execute } from './write-path';
import { accountBlocks, accountHistory } from './queries';
import { WHOLE_REGISTRY } from './authority';

let test: TestDatabase;
let ctx: LedgerContext & { publicKeyPem: string };

const admin: Actor = { userId: 'admin', impersonatorId: null, grants: [{ role: 'REGISTRY_ADMIN', sectionId: null, accountId: null }] };
const holder: Actor = { userId: 'holder', impersonatorId: null, grants: [{ role: 'ACCOUNT_HOLDER', sectionId: null, accountId: 'H1' }] };
const series = (vintage: number): SeriesAttributes => ({ unitType: 'ITMO', cooperativeApproachId: null, originatingRegistry: 'IR', hostParty: 'GHA', firstTransferringParty: 'GHA', activityId: 'ACT-1', vintage, sectors: [], activityTypes: [], metric: 'tCO2e', pre2021: false });

async function balances(): Promise<Record<string, bigint>> {
  const rows = await test.db.$queryRaw<{ accountId: string; n: bigint }[]>`SELECT "accountId", sum("lastSerial"-"firstSerial"+1)::bigint AS n FROM "UnitBlock" WHERE "closedByTxId" IS NULL GROUP BY "accountId"`;
  return Object.fromEntries(rows.map((r) => [r.accountId, r.n]));
}

/** Invariants 2 and 3: current blocks never overlap, and units held per series equal units issued. */
async function assertInvariants(): Promise<void> {
  const overlaps = await test.db.$queryRaw<{ n: bigint }[]>`
    SELECT count(*)::bigint AS n FROM "UnitBlock" a JOIN "UnitBlock" b ON a."seriesId" = b."seriesId" AND a.id < b.id
    WHERE a."closedByTxId" IS NULL AND b."closedByTxId" IS NULL AND a."firstSerial" <= b."lastSerial" AND b."firstSerial" <= a."lastSerial"`;
  expect(overlaps[0]?.n).toBe(0n);
  const logs = await test.db.logEntry.findMany({ where: { kind: 'ISSUANCE' } });
  const issued = new Map<string, bigint>();
  for (const entry of logs) {
    const payload = JSON.parse(entry.payload) as { status: string; operations?: { op: string; seriesId: string; firstSerial: string; lastSerial: string }[] };
    if (payload.status !== 'RECORDED') continue;
    for (const op of (payload.operations ?? []).filter((o) => o.op === 'create')) issued.set(op.seriesId, (issued.get(op.seriesId) ?? 0n) + BigInt(op.lastSerial) - BigInt(op.firstSerial) + 1n);
  }
  const held = await test.db.$queryRaw<{ seriesId: string; n: bigint }[]>`SELECT "seriesId", sum("lastSerial"-"firstSerial"+1)::bigint AS n FROM "UnitBlock" WHERE "closedByTxId" IS NULL GROUP BY "seriesId"`;
  expect(Object.fromEntries(held.map((h) => [h.seriesId, h.n]))).toEqual(Object.fromEntries(issued));
}

beforeAll(async () => {
  test = await createTestDatabase('ledger_write_path');
  let clock = Date.parse('2026-01-01T00:00:00Z');
  ctx = test.ledger({ now: () => new Date((clock += 1000)) });
  await test.db.section.create({ data: { id: 'GHA', name: 'Ghana' } });
  await test.db.account.createMany({
    data: [
      { id: 'ISS', registry: 'INTERNATIONAL', name: 'Issuance', type: 'ISSUANCE', status: 'ACTIVE', holderName: 'Ghana', sectionId: 'GHA' },
      { id: 'H1', registry: 'INTERNATIONAL', name: 'Holding 1', type: 'HOLDING', status: 'ACTIVE', holderName: 'A' },
      { id: 'H2', registry: 'INTERNATIONAL', name: 'Holding 2', type: 'HOLDING', status: 'ACTIVE', holderName: 'B' },
      { id: 'SUS', registry: 'INTERNATIONAL', name: 'Suspended', type: 'HOLDING', status: 'SUSPENDED', holderName: 'C' },
      { id: 'USE', registry: 'INTERNATIONAL', name: 'Use', type: 'USE', status: 'ACTIVE', holderName: 'Ghana' },
    ],
  });
});

afterAll(async () => {
  await test?.drop();
});

describe('the write path', () => {
  it('issues a block into an issuance account with fresh serials and logs it', async () => {
    const first = await execute(ctx, admin, { kind: 'ISSUANCE', idempotencyKey: 'iss-1', accountId: 'ISS', series: series(2021), quantity: 1000n });
    const second = await execute(ctx, admin, { kind: 'ISSUANCE', idempotencyKey: 'iss-2', accountId: 'ISS', series: series(2021), quantity: 500n });
    expect(first).toMatchObject({ status: 'RECORDED', quantity: 1000n });
    expect(second).toMatchObject({ status: 'RECORDED', quantity: 500n });
    const blocks = await accountBlocks(test.db, WHOLE_REGISTRY, 'ISS');
    expect(blocks.map((b) => [b.firstSerial, b.lastSerial])).toEqual([
      [1n, 1000n],
      [1001n, 1500n],
    ]);
    expect(blocks[0]?.serialRange).toBe('NA-IR-GHA-1-2021–NA-IR-GHA-1000-2021');
    await assertInvariants();
  });

  it('refuses issuance into an account type that cannot generate units, changing nothing', async () => {
    const before = await balances();
    const outcome = await execute(ctx, admin, { kind: 'ISSUANCE', idempotencyKey: 'iss-bad', accountId: 'H1', series: series(2021), quantity: 10n });
    expect(outcome).toMatchObject({ status: 'REJECTED', refusals: [{ code: 2005 }] });
    expect(await balances()).toEqual(before);
  });

  it('transfers an explicit range, splitting the block into three', async () => {
    const outcome = await execute(ctx, admin, { kind: 'TRANSFER', idempotencyKey: 'x-1', fromAccountId: 'ISS', toAccountId: 'H1', selection: { mode: 'explicit', seriesId: seriesIdOf(series(2021)), firstSerial: 101n, lastSerial: 200n } });
    expect(outcome).toMatchObject({ status: 'RECORDED', quantity: 100n });
    expect((await accountBlocks(test.db, WHOLE_REGISTRY, 'ISS')).map((b) => [b.firstSerial, b.lastSerial])).toEqual([
      [1n, 100n],
      [201n, 1000n],
      [1001n, 1500n],
    ]);
    expect((await accountBlocks(test.db, WHOLE_REGISTRY, 'H1')).map((b) => [b.firstSerial, b.lastSerial])).toEqual([[101n, 200n]]);
    await assertInvariants();
  });

  it('refuses with 4001 an explicit range held by another account, or held only in part, and changes nothing', async () => {
    const before = await balances();
    const range = (key: string, firstSerial: bigint, lastSerial: bigint) => execute(ctx, admin, { kind: 'TRANSFER', idempotencyKey: key, fromAccountId: 'ISS', toAccountId: 'H2', selection: { mode: 'explicit', seriesId: seriesIdOf(series(2021)), firstSerial, lastSerial } });
    // [150, 160] is in H1's block [101, 200]; [95, 105] starts in ISS's [1, 100] and ends in H1's.
    expect(await range('x-other', 150n, 160n)).toMatchObject({ status: 'REJECTED', refusals: [{ code: 4001, judged: { accountId: 'ISS', firstSerial: '150', lastSerial: '160' } }] });
    expect(await range('x-part', 95n, 105n)).toMatchObject({ status: 'REJECTED', refusals: [{ code: 4001, judged: { accountId: 'ISS', firstSerial: '95', lastSerial: '105' } }] });
    expect(await balances()).toEqual(before);
  });

  it('finds an explicit range\'s block with one probe of the open blocks by serial, under a plan made once', async () => {
    const read = firstRead('ISS', { mode: 'explicit', seriesId: seriesIdOf(series(2021)), firstSerial: 150n, lastSerial: 160n }) as Step;
    expect(read.perCall).toBeUndefined();
    const c = new Client({ connectionString: test.url });
    await c.connect();
    try {
      await c.query(`PREPARE explicit_read(text, text) AS ${read.text}`);
      await c.query('SET enable_seqscan = off');
      for (const mode of ['force_custom_plan', 'force_generic_plan']) {
        await c.query(`SET plan_cache_mode = ${mode}`);
        const plan = (await c.query<{ 'QUERY PLAN': string }>(`EXPLAIN EXECUTE explicit_read(${(read.values ?? []).map((v) => (v === null ? 'NULL' : quoteLiteral(v))).join(', ')})`)).rows.map((r) => r['QUERY PLAN']).join('\n');
        expect(plan).toMatch(/Limit[\s\S]*Index Scan Backward using "UnitBlock_open_by_serial"/);
        expect(plan).not.toMatch(/Sort|accountId/);
      }
    } finally {
      await c.end();
    }
  });

  it('transfers by quantity, taking a whole block of that size before splitting anything', async () => {
    const outcome = await execute(ctx, admin, { kind: 'TRANSFER', idempotencyKey: 'q-1', fromAccountId: 'ISS', toAccountId: 'H2', selection: { mode: 'implicit', quantity: 500n, constraints: { vintage: 2021 } } });
    expect(outcome).toMatchObject({ status: 'RECORDED', quantity: 500n });
    expect((await accountBlocks(test.db, WHOLE_REGISTRY, 'H2')).map((b) => [b.firstSerial, b.lastSerial])).toEqual([[1001n, 1500n]]);
    await assertInvariants();
  });

  it('refuses a transfer larger than the balance with 5002 and the data judged, and changes nothing', async () => {
    const before = await balances();
    const outcome = await execute(ctx, holder, { kind: 'TRANSFER', idempotencyKey: 'too-much', fromAccountId: 'H1', toAccountId: 'H2', selection: { mode: 'implicit', quantity: 101n, constraints: {} } });
    expect(outcome).toMatchObject({ status: 'REJECTED', refusals: [{ code: 5002, judged: { requested: '101', available: '100' } }] });
    expect(await balances()).toEqual(before);
    const logged = await test.db.ledgerTransaction.findUnique({ where: { initiatorId_idempotencyKey: { initiatorId: 'holder', idempotencyKey: 'too-much' } } });
    expect(logged?.status).toBe('REJECTED');
  });

  it('checks the transferring account before the acquiring account before the units', async () => {
    const outcome = await execute(ctx, holder, { kind: 'TRANSFER', idempotencyKey: 'order', fromAccountId: 'H2', toAccountId: 'SUS', selection: { mode: 'implicit', quantity: 1_000_000n, constraints: {} } });
    expect(outcome.status === 'REJECTED' && outcome.refusals.map((r) => r.code)).toEqual([2004]);
    const next = await execute(ctx, holder, { kind: 'TRANSFER', idempotencyKey: 'order-2', fromAccountId: 'H1', toAccountId: 'SUS', selection: { mode: 'implicit', quantity: 1_000_000n, constraints: {} } });
    expect(next.status === 'REJECTED' && next.refusals.map((r) => r.code)).toEqual([3002]);
  });

  it('lets units into an end-use account and never out again', async () => {
    await execute(ctx, admin, { kind: 'TRANSFER', idempotencyKey: 'use-1', fromAccountId: 'H1', toAccountId: 'USE', selection: { mode: 'implicit', quantity: 10n, constraints: {} } });
    const out = await execute(ctx, admin, { kind: 'TRANSFER', idempotencyKey: 'use-2', fromAccountId: 'USE', toAccountId: 'H1', selection: { mode: 'implicit', quantity: 10n, constraints: {} } });
    expect(out).toMatchObject({ status: 'REJECTED', refusals: [{ code: 2003 }] });
  });

  it('answers a repeated idempotency key with the first outcome, and refuses it for a different input', async () => {
    const proposal = { kind: 'TRANSFER', idempotencyKey: 'idem', fromAccountId: 'H1', toAccountId: 'H2', selection: { mode: 'implicit', quantity: 5n, constraints: {} } } as const;
    const first = await execute(ctx, holder, proposal);
    const again = await execute(ctx, holder, proposal);
    expect(first).toMatchObject({ status: 'RECORDED', replayed: false });
    expect(again).toMatchObject({ status: 'RECORDED', replayed: true, transactionId: first.transactionId, quantity: 5n });
    const different = await execute(ctx, holder, { ...proposal, selection: { mode: 'implicit', quantity: 6n, constraints: {} } });
    expect(different).toMatchObject({ status: 'REJECTED', refusals: [{ code: 1001 }] });
    const history = await accountHistory(test.db, WHOLE_REGISTRY, 'H1');
    expect(history[0]).toMatchObject({ transactionId: first.transactionId, delta: -5n, counterpartAccountId: 'H2' });
  });

  it("keeps idempotency keys per initiator: another user's same key is a transaction of its own, and never answers with the first user's transaction", async () => {
    const other: Actor = { userId: 'other-holder', impersonatorId: null, grants: [{ role: 'ACCOUNT_HOLDER', sectionId: null, accountId: 'H2' }] };
    const key = 'shared-key';
    const mine = await execute(ctx, holder, { kind: 'TRANSFER', idempotencyKey: key, fromAccountId: 'H1', toAccountId: 'H2', selection: { mode: 'implicit', quantity: 2n, constraints: {} } });
    expect(mine).toMatchObject({ status: 'RECORDED', replayed: false });
    // The same key, another initiator, another request: recorded, with an id of its own.
    const theirs = await execute(ctx, other, { kind: 'TRANSFER', idempotencyKey: key, fromAccountId: 'H2', toAccountId: 'H1', selection: { mode: 'implicit', quantity: 3n, constraints: {} } });
    expect(theirs).toMatchObject({ status: 'RECORDED', replayed: false });
    expect(theirs.transactionId).not.toBe(mine.transactionId);
    // The same key, another initiator, the first user's very request (refused: not his account): no replay of the first user's outcome.
    const copied = await execute(ctx, other, { kind: 'TRANSFER', idempotencyKey: 'shared-key-2', fromAccountId: 'H1', toAccountId: 'H2', selection: { mode: 'implicit', quantity: 2n, constraints: {} } });
    expect(copied.status).toBe('REJECTED');
    const reused = await execute(ctx, other, { kind: 'TRANSFER', idempotencyKey: key, fromAccountId: 'H2', toAccountId: 'H1', selection: { mode: 'implicit', quantity: 4n, constraints: {} } });
    expect(reused).toMatchObject({ status: 'REJECTED', transactionId: null, refusals: [{ code: 1001, judged: { earlierTransactionId: theirs.transactionId } }] });
    expect(JSON.stringify(reused)).not.toContain(String(mine.transactionId));
    // Each initiator's retry answers with his own transaction.
    expect(await execute(ctx, holder, { kind: 'TRANSFER', idempotencyKey: key, fromAccountId: 'H1', toAccountId: 'H2', selection: { mode: 'implicit', quantity: 2n, constraints: {} } })).toMatchObject({ replayed: true, transactionId: mine.transactionId });
    expect(await execute(ctx, other, { kind: 'TRANSFER', idempotencyKey: key, fromAccountId: 'H2', toAccountId: 'H1', selection: { mode: 'implicit', quantity: 3n, constraints: {} } })).toMatchObject({ replayed: true, transactionId: theirs.transactionId });
  });

  it('keys an impersonated proposal to the user acted for, not to the administrator acting', async () => {
    const acting: Actor = { userId: 'holder', impersonatorId: 'admin', grants: holder.grants };
    const proposal = { kind: 'TRANSFER', idempotencyKey: 'impersonated', fromAccountId: 'H1', toAccountId: 'H2', selection: { mode: 'implicit', quantity: 1n, constraints: {} } } as const;
    const first = await execute(ctx, acting, proposal);
    expect(first).toMatchObject({ status: 'RECORDED' });
    // A retry by the administrator acting for him is a retry, not a second transfer.
    expect(await execute(ctx, acting, proposal)).toMatchObject({ replayed: true, transactionId: first.transactionId });
    // The key is in the holder's key space: the holder's own use of it names the transaction made for him.
    expect(await execute(ctx, holder, proposal)).toMatchObject({ status: 'REJECTED', refusals: [{ code: 1001, judged: { earlierTransactionId: first.transactionId } }] });
    // The administrator's own key space is apart.
    expect(await execute(ctx, admin, proposal)).toMatchObject({ status: 'RECORDED', replayed: false });
  });

  it('lets exactly the feasible ones of 50 concurrent transfers racing for the same units succeed', async () => {
    await execute(ctx, admin, { kind: 'TRANSFER', idempotencyKey: 'race-fund', fromAccountId: 'ISS', toAccountId: 'H1', selection: { mode: 'implicit', quantity: 200n, constraints: {} } });
    const available = (await balances()).H1 ?? 0n;
    const attempts = 50;
    const each = 10n;
    const outcomes = await Promise.all(
      Array.from({ length: attempts }, (_, i) => execute(ctx, admin, { kind: 'TRANSFER', idempotencyKey: `race-${i}`, fromAccountId: 'H1', toAccountId: 'H2', selection: { mode: 'implicit', quantity: each, constraints: {} } })),
    );
    const recorded = outcomes.filter((o) => o.status === 'RECORDED').length;
    expect(BigInt(recorded)).toBe(available / each < BigInt(attempts) ? available / each : BigInt(attempts));
    expect(outcomes.filter((o) => o.status === 'REJECTED').every((o) => o.status === 'REJECTED' && o.refusals[0]?.code === 5002)).toBe(true);
    await assertInvariants();
  });

  it('keeps a hash chain whose every link and signature verifies', async () => {
    const entries = await test.db.logEntry.findMany({ orderBy: { seq: 'asc' } });
    expect(entries.length).toBeGreaterThan(10);
    const heads = new Map<number, string>();
    for (const entry of entries) {
      const prev = heads.get(entry.chain) ?? GENESIS_HASH;
      expect(entry.prevHash).toBe(prev);
      expect(entry.hash).toBe(entryHash(prev, entry.payload));
      expect(verifySignature(ctx.publicKeyPem, entry.hash, entry.signature)).toBe(true);
      heads.set(entry.chain, entry.hash);
    }
    expect(heads.size).toBeGreaterThan(1);
  });

  it('is protected by the database itself: the log, transactions and closed blocks cannot be edited', async () => {
    // The guards are row triggers: a statement that meets no row is refused by nothing. The tests above
    // left log entries, transactions, closed and open blocks for each statement to meet.
    const [rows] = await test.db.$queryRaw<{ entries: bigint; transactions: bigint; closed: bigint; open: bigint }[]>`
      SELECT (SELECT count(*) FROM "LogEntry") AS entries, (SELECT count(*) FROM "LedgerTransaction") AS transactions,
        (SELECT count(*) FROM "UnitBlock" WHERE "closedByTxId" IS NOT NULL) AS closed, (SELECT count(*) FROM "UnitBlock" WHERE "closedByTxId" IS NULL) AS open`;
    expect(Object.values(rows ?? {}).every((n) => n > 0n)).toBe(true);
    await expect(test.db.$executeRaw`UPDATE "LogEntry" SET kind = 'X'`).rejects.toThrow('LogEntry is append-only: UPDATE refused');
    await expect(test.db.$executeRaw`DELETE FROM "LedgerTransaction"`).rejects.toThrow('LedgerTransaction is append-only: DELETE refused');
    await expect(test.db.$executeRaw`UPDATE "UnitBlock" SET "accountId" = 'H2' WHERE "closedByTxId" IS NOT NULL`).rejects.toThrow(/UnitBlock \d+ is closed: UPDATE refused/);
    await expect(test.db.$executeRaw`UPDATE "UnitBlock" SET "lastSerial" = "lastSerial" + 1 WHERE "closedByTxId" IS NULL`).rejects.toThrow(/UnitBlock \d+ can only be closed \(closedByTxId and closedAt both set\): UPDATE refused/);
    await expect(test.db.$executeRaw`DELETE FROM "UnitBlock"`).rejects.toThrow('UnitBlock is never deleted: DELETE refused');
  });

  it('reads further pages of the smallest blocks when the first read does not cover the quantity', async () => {
    await execute(ctx, admin, { kind: 'ISSUANCE', idempotencyKey: 'pages-issue', accountId: 'ISS', series: series(2031), quantity: 100n });
    const seriesId = seriesIdOf(series(2031));
    // 40 one-unit blocks in H2 (every second serial, so that none are adjacent): more than a first read holds.
    for (let serial = 1n; serial < 80n; serial += 2n) {
      expect(await execute(ctx, admin, { kind: 'TRANSFER', idempotencyKey: `pages-${serial}`, fromAccountId: 'ISS', toAccountId: 'H2', selection: { mode: 'explicit', seriesId, firstSerial: serial, lastSerial: serial } })).toMatchObject({ status: 'RECORDED' });
    }
    const before = await balances();
    const outcome = await execute(ctx, admin, { kind: 'TRANSFER', idempotencyKey: 'pages-move', fromAccountId: 'H2', toAccountId: 'H1', selection: { mode: 'implicit', quantity: 35n, constraints: {} } });
    expect(outcome).toMatchObject({ status: 'RECORDED', quantity: 35n });
    const after = await balances();
    expect([after.H1! - before.H1!, before.H2! - after.H2!]).toEqual([35n, 35n]);
    // Smallest first: 35 one-unit blocks taken whole, none split.
    const moved = await test.db.unitBlock.findMany({ where: { closedByTxId: outcome.transactionId ?? '' } });
    expect(moved).toHaveLength(35);
    expect(moved.every((b) => b.lastSerial === b.firstSerial)).toBe(true);
    await assertInvariants();
  });
});
