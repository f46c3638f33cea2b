import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../testing/test-database';
import { replayLog } from '../replay';
import { liveStateAt, stateHash } from '../state';
import type { Actor, LedgerContext, Outcome, Proposal, SeriesAttributes } from '../types';
import { execute } from '../write-path';
import { receiversToLock } from './engine';
import { testClockStart } from '../../testing/test-clock';

/**
 * Supplementary units and the order of time (docs/rules.md): a fee paid into an account and a transfer
 * out of that account conflict, so they must be ordered alike by their timestamps and by the log. The
 * fee account is locked with the transaction's own accounts, before its clock is read.
 */

let test: TestDatabase;
let ctx: LedgerContext;
let n = 0;

const admin: Actor = { userId: 'reg', impersonatorId: null, grants: [{ role: 'REGISTRY_ADMIN', sectionId: null, accountId: null }] };
const series: SeriesAttributes = { unitType: 'ITMO', cooperativeApproachId: null, originatingRegistry: 'IR', hostParty: 'GHA', firstTransferringParty: 'GHA', activityId: 'GHA-1', vintage: 2024, sectors: [], activityTypes: [], metric: 'tCO2e', pre2021: false };

type Unkeyed<P> = P extends unknown ? Omit<P, 'idempotencyKey'> : never;
const run = (proposal: Unkeyed<Proposal>): Promise<Outcome> => execute(ctx, admin, { ...proposal, idempotencyKey: `f-${n++}` } as Proposal);
async function recorded(proposal: Unkeyed<Proposal>): Promise<string> {
  const outcome = await run(proposal);
  if (outcome.status !== 'RECORDED') throw new Error(`expected RECORDED, got ${JSON.stringify(outcome.refusals)}`);
  return outcome.transactionId;
}
const transfer = (from: string, to: string, quantity: bigint) => ({ kind: 'TRANSFER', fromAccountId: from, toAccountId: to, selection: { mode: 'implicit', quantity, constraints: {} } }) as const;

/** The wall clock, moved as far as the test clock is moved: the order of time is what is under test. */
const offset = testClockStart(new Date().toISOString()) - Date.now();
const now = () => new Date(Date.now() + offset);

beforeAll(async () => {
  test = await createTestDatabase('ledger_receivers_lock');
  ctx = test.ledger({ poolSize: 12, now });
  await recorded({ kind: 'DEFINE_REFERENCE', reference: { type: 'SECTION', id: 'GHA', name: 'Ghana' } });
  for (const [id, type] of [['GHA-100', 'ISSUANCE'], ['GHA-A', 'HOLDING'], ['GHA-B', 'HOLDING'], ['FEE-1', 'HOLDING']] as const) {
    await recorded({ kind: 'OPEN_ACCOUNT', account: { id, registry: 'INTERNATIONAL', name: id, type, holderName: 'H', sectionId: id === 'FEE-1' ? null : 'GHA', cooperativeApproachId: null } });
    await recorded({ kind: 'SET_ACCOUNT_STATUS', accountId: id, status: 'ACTIVE' });
  }
  await recorded({ kind: 'ISSUANCE', accountId: 'GHA-100', series, quantity: 10_000n });
  await recorded(transfer('GHA-100', 'GHA-A', 5_000n));
  await recorded(transfer('GHA-100', 'FEE-1', 2_000n));
  await recorded({ kind: 'CONFIGURE_RULE', rule: 'transfer-fee', scope: { type: 'ACCOUNT', id: 'GHA-A' }, enabled: true, settings: { accountId: 'FEE-1', basisPoints: 100 } });
});

afterAll(async () => {
  await test?.drop();
});

describe('fees paid into an account that also sends', () => {
  it('orders every transaction touching the fee account alike by time and by the log, under concurrency', async () => {
    const ids = new Set<string>();
    for (let round = 0; round < 3; round++) {
      const outcomes = await Promise.all(Array.from({ length: 24 }, (_, i) => run(i % 2 === 0 ? transfer('GHA-A', 'GHA-B', 100n) : transfer('FEE-1', 'GHA-B', 10n))));
      for (const o of outcomes) {
        expect(o.status).toBe('RECORDED');
        if (o.transactionId) ids.add(o.transactionId);
      }
    }
    const entries = await ctx.pool.query<{ seq: string; createdAt: Date }>('SELECT seq::text, "createdAt" FROM "LogEntry" WHERE "transactionId" = ANY($1::text[]) ORDER BY seq', [[...ids]]);
    expect(entries.rows).toHaveLength(72);
    // Every pair conflicts (on GHA-A or on FEE-1): in log order, time never goes back.
    for (let i = 1; i < entries.rows.length; i++) expect((entries.rows[i]?.createdAt as Date).getTime()).toBeGreaterThanOrEqual((entries.rows[i - 1]?.createdAt as Date).getTime());
    // 36 fees of one unit each went in, 36 × 10 units went out.
    const fee = await ctx.pool.query<{ units: string }>('SELECT sum("lastSerial" - "firstSerial" + 1)::text AS units FROM "UnitBlock" WHERE "accountId" = $1 AND "closedByTxId" IS NULL', ['FEE-1']);
    expect(fee.rows[0]?.units).toBe(String(2_000 + 36 - 360));
    const replayed = await replayLog(ctx.pool);
    expect(stateHash(replayed.state)).toBe(stateHash(await liveStateAt(ctx.pool, new Date('2100-01-01T00:00:00.000Z'))));
  });
});

describe('a refused issuance of a new series', () => {
  it('is judged again by replay on the attributes it proposed, since the series exists nowhere else', async () => {
    await recorded({ kind: 'OPEN_ACCOUNT', account: { id: 'OMGE-1', registry: 'INTERNATIONAL', name: 'OMGE', type: 'CANCELLATION', holderName: 'Registry', sectionId: null, cooperativeApproachId: null } });
    // The cancellation account is never activated: the share it would receive is refused (6002).
    await recorded({ kind: 'CONFIGURE_RULE', rule: 'omge-cancellation', scope: { type: 'REGISTRY' }, enabled: true, settings: { accountId: 'OMGE-1', basisPoints: 200 } });
    const outcome = await run({ kind: 'ISSUANCE', accountId: 'GHA-100', series: { ...series, vintage: 2025, activityId: 'GHA-NEW' }, quantity: 1_000n });
    expect(outcome.status).toBe('REJECTED');
    expect(outcome.status === 'REJECTED' ? outcome.refusals.map((r) => r.code) : []).toEqual([6002]);
    const replayed = await replayLog(ctx.pool);
    expect(replayed.entries).toBeGreaterThan(0);
    expect(stateHash(replayed.state)).toBe(stateHash(await liveStateAt(ctx.pool, new Date('2100-01-01T00:00:00.000Z'))));
  });
});

describe('a receiver of supplementary units that changed under a warm cache', () => {
  it('is judged by its status as read under its lock: suspended elsewhere, the fee is refused (6002); active again, it is paid', async () => {
    await recorded(transfer('GHA-A', 'GHA-B', 100n)); // the cache now knows FEE-1 as active
    // Another process (a context with its own cache) suspends the fee account.
    const other = test.ledger({ poolSize: 2, now });
    const suspend = await execute(other, admin, { kind: 'SET_ACCOUNT_STATUS', idempotencyKey: `f-${n++}`, accountId: 'FEE-1', status: 'SUSPENDED' } as Proposal);
    expect(suspend.status).toBe('RECORDED');
    const refused = await run(transfer('GHA-A', 'GHA-B', 100n));
    expect(refused.status === 'REJECTED' ? refused.refusals.map((r) => r.code) : refused.status).toEqual([6002]);
    expect((await execute(other, admin, { kind: 'SET_ACCOUNT_STATUS', idempotencyKey: `f-${n++}`, accountId: 'FEE-1', status: 'ACTIVE' } as Proposal)).status).toBe('RECORDED');
    await recorded(transfer('GHA-A', 'GHA-B', 100n));
    const replayed = await replayLog(ctx.pool);
    expect(stateHash(replayed.state)).toBe(stateHash(await liveStateAt(ctx.pool, new Date('2100-01-01T00:00:00.000Z'))));
  });
});

describe('a repeated idempotency key', () => {
  it('answers with the quantity the first outcome gave, for a transfer that paid a fee and for an issuance that paid the OMGE share', async () => {
    await recorded({ kind: 'SET_ACCOUNT_STATUS', accountId: 'OMGE-1', status: 'ACTIVE' });
    for (const proposal of [transfer('GHA-A', 'GHA-B', 300n), { kind: 'ISSUANCE', accountId: 'GHA-100', series, quantity: 250n } as const]) {
      const keyed = { ...proposal, idempotencyKey: `repeat-${n++}` } as Proposal;
      const first = await execute(ctx, admin, keyed);
      const again = await execute(ctx, admin, keyed);
      expect(first).toMatchObject({ status: 'RECORDED', replayed: false });
      expect(again).toMatchObject({ status: 'RECORDED', replayed: true, transactionId: first.transactionId, quantity: first.status === 'RECORDED' ? first.quantity : -1n });
    }
  });
});

describe('a setting switched off', () => {
  it('no longer has its accounts locked, and its earlier revisions are not judged: only the latest revision of a setting governs', async () => {
    await recorded({ kind: 'OPEN_ACCOUNT', account: { id: 'GHA-C', registry: 'INTERNATIONAL', name: 'GHA-C', type: 'HOLDING', holderName: 'H', sectionId: 'GHA', cooperativeApproachId: null } });
    await recorded({ kind: 'SET_ACCOUNT_STATUS', accountId: 'GHA-C', status: 'ACTIVE' });
    const fee = { kind: 'CONFIGURE_RULE', rule: 'transfer-fee', scope: { type: 'ACCOUNT', id: 'GHA-B' } } as const;
    await recorded({ ...fee, enabled: true, settings: { accountId: 'FEE-1', basisPoints: 100 } });
    await recorded(transfer('GHA-B', 'GHA-C', 100n)); // judged under the fee: the cache is warm
    expect(receiversToLock(ctx.pool, ['GHA-B', 'GHA-C'])).toContain('FEE-1');
    await recorded({ ...fee, enabled: false, settings: {} });
    const free = await run(transfer('GHA-B', 'GHA-C', 100n));
    expect(free.status).toBe('RECORDED');
    // No fee was paid, and FEE-1 is no longer locked by transfers out of GHA-B: the enabled revision is superseded.
    const paid = await ctx.pool.query(`SELECT 1 FROM "UnitBlock" WHERE "createdByTxId" = $1 AND "accountId" = 'FEE-1'`, [free.transactionId]);
    expect(paid.rowCount).toBe(0);
    expect(receiversToLock(ctx.pool, ['GHA-B', 'GHA-C'])).not.toContain('FEE-1');
  });
});
