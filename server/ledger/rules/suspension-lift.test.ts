import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../testing/test-database';
import { checkInvariants, describeViolations } from '../invariants';
import { replayLog, ReplayError, Replayer, type LoggedPayload } from '../replay';
import { liveStateAt, stateHash } from '../state';
import type { Actor, LedgerContext, Outcome, Proposal, SeriesAttributes } from '../types';
import { describeDisagreement, verifyLedger } from '../verify';
import { execute } from '../write-path';
import { suspensions } from './queries';
import { testClockStart } from '../../testing/test-clock';
import { WHOLE_REGISTRY } from '../authority';

/**
 * Lifting a suspension early (A6R-17) and replay judging refusals by the rules again (A6R-39), against
 * PostgreSQL: the lift's refusals in order, its effect on the transactions after it, and replay of both.
 */

let test: TestDatabase;
let ctx: LedgerContext & { publicKeyPem: string };
let n = 0;
let clock = testClockStart('2026-11-22T08:00:00.000Z');
const HOUR = 3_600_000;

const admin: Actor = { userId: 'reg', impersonatorId: null, grants: [{ role: 'REGISTRY_ADMIN', sectionId: null, accountId: null }] };
const ghanaAdmin: Actor = { userId: 'gha', impersonatorId: null, grants: [{ role: 'SECTION_ADMIN', sectionId: 'GHA', accountId: null }] };
const series: SeriesAttributes = { unitType: 'ITMO', cooperativeApproachId: null, originatingRegistry: 'IR', hostParty: 'GHA', firstTransferringParty: 'GHA', activityId: 'GHA-1', vintage: 2024, sectors: [], activityTypes: [], metric: 'tCO2e', pre2021: false };

type Unkeyed<P> = P extends unknown ? Omit<P, 'idempotencyKey'> : never;
const run = (actor: Actor, proposal: Unkeyed<Proposal>): Promise<Outcome> => execute(ctx, actor, { ...proposal, idempotencyKey: `l-${n++}` } as Proposal);
async function recorded(actor: Actor, proposal: Unkeyed<Proposal>): Promise<string> {
  const outcome = await run(actor, proposal);
  if (outcome.status !== 'RECORDED') throw new Error(`expected RECORDED, got ${JSON.stringify(outcome.refusals)}`);
  return outcome.transactionId;
}
const codes = (outcome: Outcome): number[] => (outcome.status === 'REJECTED' ? outcome.refusals.map((r) => r.code) : []);
const transfer = (quantity: bigint) => ({ kind: 'TRANSFER', fromAccountId: 'GHA-100', toAccountId: 'GHA-200', selection: { mode: 'implicit', quantity, constraints: {} } }) as const;
const lift = (suspensionId: string, reason = 'The fee account is back.') => ({ kind: 'LIFT_SUSPENSION', suspensionId, reason }) as const;
const suspend = (from: number, until: number) => ({ kind: 'SUSPEND_RULE', rule: 'transfer-limit', scope: { type: 'ACCOUNT', id: 'GHA-200' }, from: new Date(from), until: new Date(until), reason: 'Migration of the account.' }) as const;
const suspensionOf = async (transactionId: string) => (await test.db.administrativeRecord.findFirstOrThrow({ where: { transactionId, kind: 'RULE_SUSPENSION' } })).id;

let refusedAfterLift = '';

beforeAll(async () => {
  test = await createTestDatabase('ledger_suspension_lift');
  ctx = test.ledger({ now: () => new Date(clock++) });
  await recorded(admin, { kind: 'DEFINE_REFERENCE', reference: { type: 'SECTION', id: 'GHA', name: 'Ghana' } });
  for (const [id, type] of [['GHA-100', 'ISSUANCE'], ['GHA-200', 'HOLDING']] as const) {
    await recorded(admin, { kind: 'OPEN_ACCOUNT', account: { id, registry: 'INTERNATIONAL', name: id, type, holderName: 'H', sectionId: 'GHA', cooperativeApproachId: null } });
    await recorded(admin, { kind: 'SET_ACCOUNT_STATUS', accountId: id, status: 'ACTIVE' });
  }
  await recorded(admin, { kind: 'ISSUANCE', accountId: 'GHA-100', series, quantity: 10_000n });
  await recorded(admin, { kind: 'CONFIGURE_RULE', rule: 'transfer-limit', scope: { type: 'REGISTRY' }, enabled: true, settings: { maximum: '100' } });
});

afterAll(async () => {
  await test?.drop();
});

describe('lifting a suspension early (A6R-17)', () => {
  let suspension = '';

  it('lets transactions through while the suspension is in force', async () => {
    expect(codes(await run(admin, transfer(150n)))).toEqual([6001]);
    suspension = await suspensionOf(await recorded(admin, suspend(clock, clock + 2 * HOUR)));
    expect((await run(admin, transfer(150n))).status).toBe('RECORDED');
  });

  it('walks the refusals of a lift in order: 2011 (not a registry administrator), 2026 (no such suspension), 2027 (no reason)', async () => {
    expect(codes(await run(ghanaAdmin, lift(suspension)))).toEqual([2011]);
    expect(codes(await run(admin, lift('no-such-record/0', ' ')))).toEqual([2026, 2027]);
    expect(codes(await run(admin, lift(suspension, '   ')))).toEqual([2027]);
  });

  it('ends the suspension when it is lifted: the rule judges every transaction after it', async () => {
    clock += HOUR;
    await recorded(admin, lift(suspension));
    const refused = await run(admin, transfer(150n));
    expect(codes(refused)).toEqual([6001]);
    refusedAfterLift = refused.transactionId ?? '';
    // Lifted once: a second lift is refused, as is lifting a suspension whose window is over.
    expect(codes(await run(admin, lift(suspension)))).toEqual([2026]);
    const short = await suspensionOf(await recorded(admin, suspend(clock, clock + 10)));
    clock += 100;
    expect(codes(await run(admin, lift(short)))).toEqual([2026]);
    const views = await suspensions(test.db, WHOLE_REGISTRY);
    expect(views.find((v) => v.id === suspension)?.lifted).toMatchObject({ reason: 'The fee account is back.' });
    expect(views.find((v) => v.id === short)?.lifted).toBeNull();
  });

  it('cancels a suspension whose window has not begun', async () => {
    const later = await suspensionOf(await recorded(admin, suspend(clock + HOUR, clock + 3 * HOUR)));
    await recorded(admin, lift(later, 'No longer needed.'));
    clock += 2 * HOUR;
    expect(codes(await run(admin, transfer(150n)))).toEqual([6001]);
  });

  it('replays to the live state, judging the lifts and the refusals again; verify and invariants agree', async () => {
    const replayed = await replayLog(ctx.pool);
    expect(stateHash(replayed.state)).toBe(stateHash(await liveStateAt(ctx.pool, new Date('2100-01-01T00:00:00.000Z'))));
    expect(replayed.state.administrativeRecords.filter((r) => r.kind === 'RULE_SUSPENSION_LIFT')).toHaveLength(2);
    const report = await verifyLedger(ctx.pool, ctx.publicKeyPem);
    expect(report.disagreement && describeDisagreement(report.disagreement)).toBeNull();
    expect(describeViolations(await checkInvariants(ctx.pool))).toBe(describeViolations([]));
  });
});

describe('replay judges refusals by the rules again', () => {
  const replayTampered = async (transactionId: string, tamper: (payload: string) => string): Promise<{ error: unknown; seq: bigint; chain: number }> => {
    const entries = await ctx.pool.query<{ seq: bigint; chain: number; payload: string; transactionId: string | null }>('SELECT seq, chain, payload, "transactionId" FROM "LogEntry" ORDER BY seq');
    const target = entries.rows.find((e) => e.transactionId === transactionId);
    if (!target) throw new Error(`no entry for ${transactionId}`);
    const replayer = new Replayer({ keepTransactions: false });
    try {
      for (const e of entries.rows) {
        const text = e === target ? tamper(e.payload) : e.payload;
        if (e === target) expect(text).not.toBe(e.payload);
        replayer.apply(e.seq, e.chain, text, JSON.parse(text) as LoggedPayload);
      }
    } catch (error) {
      return { error, seq: target.seq, chain: target.chain };
    }
    return { error: null, seq: target.seq, chain: target.chain };
  };

  it('logs with a refusal the verdicts it rests on', async () => {
    const entry = await ctx.pool.query<{ payload: string }>('SELECT payload FROM "LogEntry" WHERE "transactionId" = $1', [refusedAfterLift]);
    expect(JSON.parse(entry.rows[0]?.payload ?? '{}')).toMatchObject({
      status: 'REJECTED',
      verdicts: { kind: 'TRANSFER', from: 'GHA-100', to: 'GHA-200', quantity: '150', operations: [{ op: 'rule', rule: 'transfer-limit', version: 1, settings: { maximum: '100' } }] },
    });
  });

  it('stops at a refusal whose codes the rules judged again do not give', async () => {
    const { error, seq, chain } = await replayTampered(refusedAfterLift, (p) => p.replace('"code":6001', '"code":6004'));
    expect(error).toBeInstanceOf(ReplayError);
    expect(error).toMatchObject({ seq, chain });
    expect((error as ReplayError).reason).toMatch(/refuse with 6001, the entry with 6004/);
  });

  it('stops at a refusal whose logged settings are not those of the setting it names', async () => {
    const { error, seq } = await replayTampered(refusedAfterLift, (p) => p.replace('"settings":{"maximum":"100"}', '"settings":{"maximum":"100000"}'));
    expect(error).toMatchObject({ seq });
    expect((error as ReplayError).reason).toMatch(/the settings logged are not those of/);
  });

  it('stops at a refusal that claims a suspension lifted before it', async () => {
    const { error, seq } = await replayTampered(refusedAfterLift, (p) => p.replace(/"operations":\[\{"diversions":\[\],"from":"GHA-100".*?\}\]/, `"operations":[{"op":"rule-suspended","rule":"transfer-limit","suspension":"${'x'}","version":1}]`));
    expect(error).toMatchObject({ seq });
    expect((error as ReplayError).reason).toMatch(/no suspension x/);
    const lifted = (await test.db.administrativeRecord.findFirstOrThrow({ where: { kind: 'RULE_SUSPENSION_LIFT' }, orderBy: { createdAt: 'asc' } })).body;
    const suspension = (JSON.parse(lifted) as { suspension: string }).suspension;
    const claimed = await replayTampered(refusedAfterLift, (p) => p.replace(/"operations":\[\{"diversions":\[\],"from":"GHA-100".*?\}\]/, `"operations":[{"op":"rule-suspended","rule":"transfer-limit","suspension":"${suspension}","version":1}]`));
    expect(claimed.error).toMatchObject({ seq: claimed.seq });
    expect((claimed.error as ReplayError).reason).toMatch(/was lifted at/);
  });
});
