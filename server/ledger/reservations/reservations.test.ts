import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../testing/test-database';
import { checkInvariants, describeViolations } from '../invariants';
import { accountBlocks } from '../queries';
import { WHOLE_REGISTRY } from '../authority';
import { replayLog } from '../replay';
import { liveStateAt, stateHash } from '../state';
import type { Actor, LedgerContext, Outcome, Proposal, SeriesAttributes } from '../types';
import { describeDisagreement, verifyLedger } from '../verify';
import { execute } from '../write-path';
import { expireReservations } from './expire-reservations';
import { testClockStart, versionsInForce } from '../../testing/test-clock';

/**
 * Transfers that wait (A6R-47) under the four-eyes rule: reserved units out of reach of everything
 * else, released on approval, rejection or expiry, under concurrency.
 */

let test: TestDatabase;
let ctx: LedgerContext & { publicKeyPem: string };
let n = 0;
let clock = testClockStart('2026-11-22T08:00:00.000Z');

const admin: Actor = { userId: 'reg', impersonatorId: null, grants: [{ role: 'REGISTRY_ADMIN', sectionId: null, accountId: null }] };
const ghanaAdmin: Actor = { userId: 'gha', impersonatorId: null, grants: [{ role: 'SECTION_ADMIN', sectionId: 'GHA', accountId: null }] };
const kenyaAdmin: Actor = { userId: 'ken', impersonatorId: null, grants: [{ role: 'SECTION_ADMIN', sectionId: 'KEN', accountId: null }] };
const holder: Actor = { userId: 'holder', impersonatorId: null, grants: [{ role: 'ACCOUNT_HOLDER', sectionId: null, accountId: 'GHA-200' }] };
const second: Actor = { userId: 'second', impersonatorId: null, grants: [{ role: 'ACCOUNT_HOLDER', sectionId: null, accountId: 'GHA-200' }] };
const impersonating: Actor = { userId: 'second', impersonatorId: 'holder', grants: second.grants };
const series: SeriesAttributes = { unitType: 'ITMO', cooperativeApproachId: null, originatingRegistry: 'IR', hostParty: 'GHA', firstTransferringParty: 'GHA', activityId: 'GHA-1', vintage: 2024, sectors: [], activityTypes: [], metric: 'tCO2e', pre2021: false };

type Unkeyed<P> = P extends unknown ? Omit<P, 'idempotencyKey'> : never;
const run = (actor: Actor, proposal: Unkeyed<Proposal>): Promise<Outcome> => execute(ctx, actor, { ...proposal, idempotencyKey: `r-${n++}` } as Proposal);
async function recorded(actor: Actor, proposal: Unkeyed<Proposal>): Promise<Outcome & { status: 'RECORDED' }> {
  const outcome = await run(actor, proposal);
  if (outcome.status !== 'RECORDED') throw new Error(`expected RECORDED, got ${JSON.stringify(outcome.refusals)}`);
  return outcome;
}
const codes = (outcome: Outcome): number[] => (outcome.status === 'REJECTED' ? outcome.refusals.map((r) => r.code) : []);
const transfer = (quantity: bigint, to = 'GHA-300') => ({ kind: 'TRANSFER', fromAccountId: 'GHA-200', toAccountId: to, selection: { mode: 'implicit', quantity, constraints: {} } }) as const;
const release = (reservationTransactionId: string, decision: 'APPROVE' | 'REJECT' | 'EXPIRE') => ({ kind: 'RELEASE_RESERVATION', reservationTransactionId, decision, reason: '' }) as const;
const balance = async (id: string) => (await accountBlocks(test.db, WHOLE_REGISTRY, id)).reduce((sum, b) => sum + (b.lastSerial - b.firstSerial + 1n), 0n);

beforeAll(async () => {
  test = await createTestDatabase('ledger_reservations');
  ctx = test.ledger({ now: () => new Date(clock++), poolSize: 12 });
  for (const [type, id] of [['SECTION', 'GHA'], ['SECTION', 'KEN']] as const) await recorded(admin, { kind: 'DEFINE_REFERENCE', reference: { type, id, name: id } });
  for (const [id, type, sectionId] of [['GHA-100', 'ISSUANCE', 'GHA'], ['GHA-200', 'HOLDING', 'GHA'], ['GHA-300', 'HOLDING', 'GHA'], ['ESCROW', 'ADMIN_HOLDING', null], ['FEE-1', 'HOLDING', null]] as const) {
    await recorded(admin, { kind: 'OPEN_ACCOUNT', account: { id, registry: 'INTERNATIONAL', name: id, type, holderName: 'H', sectionId, cooperativeApproachId: null } });
    await recorded(admin, { kind: 'SET_ACCOUNT_STATUS', accountId: id, status: 'ACTIVE' });
  }
  await recorded(admin, { kind: 'ISSUANCE', accountId: 'GHA-100', series, quantity: 2_000n });
  await recorded(admin, { kind: 'TRANSFER', fromAccountId: 'GHA-100', toAccountId: 'GHA-200', selection: { mode: 'implicit', quantity: 2_000n, constraints: {} } });
  await recorded(ghanaAdmin, { kind: 'CONFIGURE_RULE', rule: 'four-eyes', scope: { type: 'SECTION', id: 'GHA' }, enabled: true, settings: { threshold: '500', escrowAccountId: 'ESCROW', expiresAfterHours: 24 } });
});

afterAll(async () => {
  await test?.drop();
});

describe('four-eyes and reservations (A6R-47)', () => {
  let reserved = '';

  it('lets a transfer up to the threshold through, and reserves one above it', async () => {
    expect((await recorded(holder, transfer(400n))).pending).toBeUndefined();
    const waiting = await recorded(holder, transfer(900n));
    expect(waiting.pending).toBe(true);
    reserved = waiting.transactionId;
    expect(await balance('GHA-200')).toBe(700n);
    expect(await balance('ESCROW')).toBe(900n);
    expect(await balance('GHA-300')).toBe(400n);
    const record = await test.db.administrativeRecord.findFirstOrThrow({ where: { transactionId: reserved, kind: 'RESERVATION' } });
    expect(record.validUntil?.getTime()).toBe(record.createdAt.getTime() + 24 * 3_600_000);
  });

  it('walks the refusals of an answer in order: 2004, 2023 (initiator, or impersonated by him), 2024, 2025', async () => {
    const walked: number[] = [];
    for (const [actor, proposal] of [
      [kenyaAdmin, release(reserved, 'APPROVE')],
      [holder, release(reserved, 'APPROVE')],
      [impersonating, release(reserved, 'APPROVE')],
      [second, release('no-such-transaction', 'APPROVE')],
      [second, release(reserved, 'EXPIRE')],
    ] as const) {
      walked.push(...codes(await run(actor, proposal)));
    }
    expect(walked).toEqual([2004, 2023, 2023, 2024, 2025]);
  });

  it('refuses an answer whose reason is too long with its own code (2028), and changes nothing', async () => {
    const outcome = await run(second, { ...release(reserved, 'REJECT'), reason: 'r'.repeat(501) });
    expect(outcome).toMatchObject({ status: 'REJECTED', refusals: [{ code: 2028, check: 'RELEASE_REASON_TOO_LONG', judged: { field: 'reason', length: 501 } }] });
    if (outcome.status === 'REJECTED') expect(outcome.refusals[0]?.message).toMatch(/at most 500 characters/);
    // The transfer still waits: nothing released it.
    expect(await test.db.administrativeRecord.count({ where: { kind: 'RESERVATION_RELEASE', scopeId: reserved } })).toBe(0);
  });

  it('keeps reserved units out of reach: 20 racing transfers take only the 700 free units', async () => {
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => run(holder, transfer(50n, 'GHA-300'))));
    expect(outcomes.filter((o) => o.status === 'RECORDED')).toHaveLength(14);
    // Refused for want of units (5002), or once the account is empty, for want of any (4002).
    expect(new Set(outcomes.flatMap(codes)).size).toBeGreaterThan(0);
    for (const code of outcomes.flatMap(codes)) expect([4002, 5002]).toContain(code);
    expect(await balance('GHA-200')).toBe(0n);
    expect(await balance('ESCROW')).toBe(900n);
  });

  it('records exactly one of an approval and a rejection racing for the same reservation', async () => {
    const [approved, rejected] = await Promise.all([run(second, release(reserved, 'APPROVE')), run(ghanaAdmin, release(reserved, 'REJECT'))]);
    const winners = [approved, rejected].filter((o) => o.status === 'RECORDED');
    expect(winners).toHaveLength(1);
    expect([...codes(approved), ...codes(rejected)]).toEqual([2024]);
    expect(await balance('ESCROW')).toBe(0n);
    expect((await balance('GHA-200')) + (await balance('GHA-300'))).toBe(2_000n);
    // Approved: the 900 reserved units went on to GHA-300 (400 + 700 + 900); rejected: back to GHA-200.
    if (approved.status === 'RECORDED') expect([await balance('GHA-200'), await balance('GHA-300')]).toEqual([0n, 2_000n]);
    else expect([await balance('GHA-200'), await balance('GHA-300')]).toEqual([900n, 1_100n]);
  });

  it('releases an expired reservation back to the transferring account; a late approval is refused', async () => {
    await recorded(admin, { kind: 'ISSUANCE', accountId: 'GHA-100', series, quantity: 1_000n });
    // Within the threshold, so as not to wait.
    for (let i = 0; i < 2; i++) await recorded(admin, { kind: 'TRANSFER', fromAccountId: 'GHA-100', toAccountId: 'GHA-200', selection: { mode: 'implicit', quantity: 500n, constraints: {} } });
    await recorded(admin, { kind: 'CONFIGURE_RULE', rule: 'transfer-fee', scope: { type: 'ACCOUNT', id: 'GHA-200' }, enabled: true, settings: { accountId: 'FEE-1', basisPoints: 100 } });
    const before = await balance('GHA-200');
    const fees = await balance('FEE-1');
    const waiting = await recorded(holder, transfer(600n));
    expect(waiting.pending).toBe(true);
    // Nothing is charged while the transfer waits: every unit waits in escrow, the fee is deferred.
    expect(await balance('FEE-1')).toBe(fees);
    expect(await balance('ESCROW')).toBe(600n);
    clock += 24 * 3_600_000;
    expect(codes(await run(second, release(waiting.transactionId, 'APPROVE')))).toEqual([2024]);
    // The scheduler's job: every expired reservation, once.
    const expired = await expireReservations(ctx, admin);
    expect(expired.map((e) => [e.transactionId, e.outcome.status])).toEqual([[waiting.transactionId, 'RECORDED']]);
    expect(await expireReservations(ctx, admin)).toEqual([]);
    expect(codes(await run(admin, release(waiting.transactionId, 'EXPIRE')))).toEqual([2024]);
    expect(await balance('ESCROW')).toBe(0n);
    // Everything the held transfer took comes back; no fee was charged.
    expect(await balance('GHA-200')).toBe(before);
    expect(await balance('FEE-1')).toBe(fees);
  });

  it('returns every unit on rejection, fee included, and charges nothing', async () => {
    const before = await balance('GHA-200');
    const fees = await balance('FEE-1');
    const waiting = await recorded(holder, transfer(600n));
    expect(waiting.pending).toBe(true);
    expect((await recorded(second, release(waiting.transactionId, 'REJECT'))).quantity).toBe(600n);
    expect([await balance('GHA-200'), await balance('FEE-1'), await balance('ESCROW')]).toEqual([before, fees, 0n]);
  });

  it('judges the delivery again on approval: the rules in force then refuse it or charge their fee; four-eyes does not hold it again', async () => {
    const before = [await balance('GHA-200'), await balance('GHA-300'), await balance('FEE-1')] as const;
    const waiting = await recorded(holder, transfer(600n));
    expect(waiting.pending).toBe(true);
    // A limit set on the acquiring account after the proposal refuses the approval; the transfer keeps waiting.
    await recorded(admin, { kind: 'CONFIGURE_RULE', rule: 'transfer-limit', scope: { type: 'ACCOUNT', id: 'GHA-300' }, enabled: true, settings: { maximum: '500' } });
    const refused = await run(second, release(waiting.transactionId, 'APPROVE'));
    expect(codes(refused)).toEqual([6001]);
    expect(await balance('ESCROW')).toBe(600n);
    // The acquiring account suspended: the built-in status rule refuses the approval (3002).
    await recorded(admin, { kind: 'SET_ACCOUNT_STATUS', accountId: 'GHA-300', status: 'SUSPENDED' });
    expect(codes(await run(second, release(waiting.transactionId, 'APPROVE')))).toEqual([3002]);
    await recorded(admin, { kind: 'SET_ACCOUNT_STATUS', accountId: 'GHA-300', status: 'ACTIVE' });
    // The fee rate changed while it waited: the delivery pays the rate in force at approval.
    await recorded(admin, { kind: 'CONFIGURE_RULE', rule: 'transfer-limit', scope: { type: 'ACCOUNT', id: 'GHA-300' }, enabled: false, settings: {} });
    await recorded(admin, { kind: 'CONFIGURE_RULE', rule: 'transfer-fee', scope: { type: 'ACCOUNT', id: 'GHA-200' }, enabled: true, settings: { accountId: 'FEE-1', basisPoints: 200 } });
    const approved = await recorded(second, release(waiting.transactionId, 'APPROVE'));
    expect(approved.pending).toBeUndefined();
    expect([await balance('GHA-200'), await balance('GHA-300'), await balance('FEE-1'), await balance('ESCROW')]).toEqual([before[0] - 600n, before[1] + 588n, before[2] + 12n, 0n]);
    const entry = await ctx.pool.query<{ payload: string }>('SELECT payload FROM "LogEntry" WHERE "transactionId" = $1', [approved.transactionId]);
    const payload = JSON.parse(entry.rows[0]?.payload ?? '{}') as { operations: { op: string; rule?: string; diversions?: unknown }[]; ruleVersions: Record<string, number> };
    expect(payload.operations.filter((o) => o.op === 'rule').map((o) => [o.rule, o.diversions])).toEqual([
      ['four-eyes', []],
      ['transfer-fee', [{ accountId: 'FEE-1', quantity: '12' }]],
    ]);
    expect(payload.ruleVersions).toMatchObject(versionsInForce(clock, ['four-eyes', 'transfer-fee', 'account-status']));
    // The refusal was logged with what it rests on, and replay (next test) judges it again.
    const rejected = await ctx.pool.query<{ payload: string }>('SELECT payload FROM "LogEntry" WHERE "transactionId" = $1', [refused.transactionId]);
    expect(JSON.parse(rejected.rows[0]?.payload ?? '{}')).toMatchObject({ status: 'REJECTED', verdicts: { delivery: true, from: 'GHA-200', to: 'GHA-300', quantity: '600' } });
  });

  it('creates on approval the first-transfer markers the delivery constitutes', async () => {
    await recorded(admin, { kind: 'OPEN_ACCOUNT', account: { id: 'KEN-300', registry: 'INTERNATIONAL', name: 'KEN-300', type: 'HOLDING', holderName: 'H', sectionId: 'KEN', cooperativeApproachId: null } });
    await recorded(admin, { kind: 'SET_ACCOUNT_STATUS', accountId: 'KEN-300', status: 'ACTIVE' });
    await recorded(ghanaAdmin, { kind: 'RECORD_AUTHORIZATION', party: 'GHA', uses: 'NDC', units: { mode: 'conditions', conditions: { vintageFrom: 2024, vintageTo: 2024 } }, oimpFirstTransfer: null, applicableFrom: null, supersedes: null });
    await recorded(admin, { kind: 'ISSUANCE', accountId: 'GHA-100', series, quantity: 1_000n });
    for (let i = 0; i < 2; i++) await recorded(admin, { kind: 'TRANSFER', fromAccountId: 'GHA-100', toAccountId: 'GHA-200', selection: { mode: 'implicit', quantity: 500n, constraints: {} } });
    clock += 2 * 24 * 3_600_000;
    const waiting = await recorded(holder, transfer(600n, 'KEN-300'));
    expect(waiting.pending).toBe(true);
    // Held, the transfer has not happened yet: no marker.
    expect(await test.db.administrativeRecord.count({ where: { kind: 'FIRST_TRANSFER_MARKER' } })).toBe(0);
    const approved = await recorded(second, release(waiting.transactionId, 'APPROVE'));
    const markers = await test.db.administrativeRecord.findMany({ where: { kind: 'FIRST_TRANSFER_MARKER' } });
    expect(markers.map((m) => [m.subject, m.transactionId])).toEqual(markers.map(() => ['NDC', approved.transactionId]));
    // As for a direct transfer, the rule marks the units of the delivery as they arrive, before the fee is taken from them.
    const marked = markers.reduce((sum, m) => {
      const body = JSON.parse(m.body) as { firstSerial: string; lastSerial: string };
      return sum + BigInt(body.lastSerial) - BigInt(body.firstSerial) + 1n;
    }, 0n);
    expect(marked).toBe(600n);
  });

  it('lets a grant limited to the approach of the transferring account and of the units answer, and no other limited grant', async () => {
    await recorded(admin, { kind: 'DEFINE_REFERENCE', reference: { type: 'COOPERATIVE_APPROACH', id: 'CA9', name: 'Approach nine' } });
    for (const id of ['CA9-200', 'CA9-300']) {
      await recorded(admin, { kind: 'OPEN_ACCOUNT', account: { id, registry: 'INTERNATIONAL', name: id, type: 'HOLDING', holderName: 'H', sectionId: 'GHA', cooperativeApproachId: 'CA9' } });
      await recorded(admin, { kind: 'SET_ACCOUNT_STATUS', accountId: id, status: 'ACTIVE' });
    }
    await recorded(admin, { kind: 'ISSUANCE', accountId: 'GHA-100', series: { ...series, cooperativeApproachId: 'CA9', vintage: 2025 }, quantity: 1_000n });
    for (let i = 0; i < 2; i++) await recorded(admin, { kind: 'TRANSFER', fromAccountId: 'GHA-100', toAccountId: 'CA9-200', selection: { mode: 'implicit', quantity: 500n, constraints: {} } });
    const limited = (userId: string, approach: string): Actor => ({ userId, impersonatorId: null, grants: [{ role: 'ACCOUNT_HOLDER', sectionId: null, accountId: 'CA9-200', cooperativeApproachIds: [approach] }] });
    const waiting = await recorded(limited('ca9-initiator', 'CA9'), { kind: 'TRANSFER', fromAccountId: 'CA9-200', toAccountId: 'CA9-300', selection: { mode: 'implicit', quantity: 600n, constraints: {} } });
    expect(waiting.pending).toBe(true);
    // Limited to another approach: the grant does not count (2004), and 2050 says why.
    const refused = await run(limited('ca8-holder', 'CA8'), release(waiting.transactionId, 'APPROVE'));
    expect(codes(refused)).toEqual([2004, 2050]);
    expect(refused.status === 'REJECTED' && refused.refusals[1]?.judged).toMatchObject({ concerned: 'CA9', limitedTo: 'CA8' });
    // Limited to the approach: a second person answers as an unlimited holder would.
    const approved = await recorded(limited('ca9-approver', 'CA9'), release(waiting.transactionId, 'APPROVE'));
    const answer = await test.db.administrativeRecord.findFirstOrThrow({ where: { kind: 'RESERVATION_RELEASE', scopeId: waiting.transactionId } });
    expect([answer.subject, answer.transactionId]).toEqual(['APPROVE', approved.transactionId]);
    expect(await balance('CA9-200')).toBe(400n);
  });

  it('replays to the live state, judging the holding rule again; verify and invariants agree', async () => {
    const replayed = await replayLog(ctx.pool);
    expect(stateHash(replayed.state)).toBe(stateHash(await liveStateAt(ctx.pool, new Date('2100-01-01T00:00:00.000Z'))));
    const report = await verifyLedger(ctx.pool, ctx.publicKeyPem);
    expect(report.disagreement && describeDisagreement(report.disagreement)).toBeNull();
    expect(describeViolations(await checkInvariants(ctx.pool))).toBe(describeViolations([]));
  });
});
