import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../testing/test-database';
import { createLedgerContext } from '../context';
import { checkInvariants, describeViolations } from '../invariants';
import { seriesIdOf } from '../operations/issue-units';
import { accountBlocks } from '../queries';
import { WHOLE_REGISTRY } from '../authority';
import { replayLog, ReplayError, Replayer, type LoggedPayload } from '../replay';
import { rebuildInto } from '../replay/rebuild';
import { createScratchDatabase } from '../replay/scratch-database';
import { createLedgerPool } from '../sql';
import { liveStateAt, stateHash } from '../state';
import type { Actor, LedgerContext, Outcome, Proposal, SeriesAttributes } from '../types';
import { describeDisagreement, verifyLedger } from '../verify';
import { execute } from '../write-path';
import { testClockStart, versionsInForce } from '../../testing/test-clock';

/**
 * The rules engine against PostgreSQL: configuration and suspension as logged changes, the built-in
 * and pluggable rules, supplementary operations, corrective actions, and replay across rule versions.
 * Each table walks a proposal's refusal codes in their order of precedence.
 */

let test: TestDatabase;
let ctx: LedgerContext & { publicKeyPem: string };
let n = 0;
/** The registry's clock, moved by the tests; every reading is a millisecond later than the last. */
let clock = testClockStart('2026-11-22T08:00:00.000Z');

const admin: Actor = { userId: 'reg', impersonatorId: null, grants: [{ role: 'REGISTRY_ADMIN', sectionId: null, accountId: null }] };
const ghanaAdmin: Actor = { userId: 'gha', impersonatorId: null, grants: [{ role: 'SECTION_ADMIN', sectionId: 'GHA', accountId: null }] };
const kenyaAdmin: Actor = { userId: 'ken', impersonatorId: null, grants: [{ role: 'SECTION_ADMIN', sectionId: 'KEN', accountId: null }] };
const holder: Actor = { userId: 'holder', impersonatorId: null, grants: [{ role: 'ACCOUNT_HOLDER', sectionId: null, accountId: 'GHA-200' }] };
const series: SeriesAttributes = { unitType: 'ITMO', cooperativeApproachId: 'CA1', originatingRegistry: 'IR', hostParty: 'GHA', firstTransferringParty: 'GHA', activityId: 'GHA-1', vintage: 2024, sectors: [], activityTypes: [], metric: 'tCO2e', pre2021: false };
const seriesId = seriesIdOf(series);

type Unkeyed<P> = P extends unknown ? Omit<P, 'idempotencyKey'> : never;

function run(actor: Actor, proposal: Unkeyed<Proposal>): Promise<Outcome> {
  return execute(ctx, actor, { ...proposal, idempotencyKey: `rules-${n++}` } as Proposal);
}

async function recorded(actor: Actor, proposal: Unkeyed<Proposal>): Promise<string> {
  const outcome = await run(actor, proposal);
  if (outcome.status !== 'RECORDED') throw new Error(`expected RECORDED, got ${JSON.stringify(outcome.refusals)}`);
  return outcome.transactionId;
}

const codes = (outcome: Outcome): number[] => (outcome.status === 'REJECTED' ? outcome.refusals.map((r) => r.code) : []);

async function balance(accountId: string): Promise<bigint> {
  return (await accountBlocks(test.db, WHOLE_REGISTRY, accountId)).reduce((sum, b) => sum + (b.lastSerial - b.firstSerial + 1n), 0n);
}

async function ruleVersionsOf(transactionId: string): Promise<Record<string, number>> {
  const row = await test.db.ledgerTransaction.findUniqueOrThrow({ where: { id: transactionId } });
  return JSON.parse(row.ruleVersions) as Record<string, number>;
}

const transfer = (from: string, to: string, quantity: bigint) => ({ kind: 'TRANSFER', fromAccountId: from, toAccountId: to, selection: { mode: 'implicit', quantity, constraints: {} } }) as const;

function account(id: string, type: 'ISSUANCE' | 'HOLDING' | 'USE' | 'ADMIN_CANCELLATION' | 'ADMIN_HOLDING' | 'ADAPTATION_FUND', sectionId: string | null) {
  return { kind: 'OPEN_ACCOUNT', account: { id, registry: 'INTERNATIONAL', name: id, type, holderName: 'Holder', sectionId, cooperativeApproachId: null } } as const;
}

/** A fresh registry: sections, an approach, the accounts, and 50,000 units in GHA-200. */
async function setUp(): Promise<void> {
  test = await createTestDatabase('ledger_rules');
  ctx = test.ledger({ now: () => new Date(clock++) });
  for (const [type, id, name] of [['SECTION', 'GHA', 'Ghana'], ['SECTION', 'KEN', 'Kenya'], ['COOPERATIVE_APPROACH', 'CA1', 'Approach']] as const) {
    await recorded(admin, { kind: 'DEFINE_REFERENCE', reference: { type, id, name } });
  }
  const accounts = [account('GHA-100', 'ISSUANCE', 'GHA'), account('GHA-200', 'HOLDING', 'GHA'), account('GHA-300', 'HOLDING', 'GHA'), account('GHA-USE', 'USE', 'GHA'), account('FEE-1', 'HOLDING', null), account('AF-1', 'ADAPTATION_FUND', null), account('ADM-CANCEL', 'ADMIN_CANCELLATION', null), account('ADM-HOLD', 'ADMIN_HOLDING', null)];
  for (const a of accounts) {
    await recorded(admin, a);
    await recorded(admin, { kind: 'SET_ACCOUNT_STATUS', accountId: a.account.id, status: 'ACTIVE' });
  }
  await recorded(admin, { kind: 'ISSUANCE', accountId: 'GHA-100', series, quantity: 100_000n });
  await recorded(admin, transfer('GHA-100', 'GHA-200', 50_000n));
}

beforeAll(setUp);

afterAll(async () => {
  await test?.drop();
});

describe('rule configuration (A6R-38), a logged configuration change', () => {
  const fee = { rule: 'transfer-fee', scope: { type: 'ACCOUNT', id: 'GHA-200' }, enabled: true, settings: { accountId: 'FEE-1', basisPoints: 100 } } as const;
  const cases: [string, Actor, Unkeyed<Proposal>, number][] = [
    ['a section administrator, for a rule only registry administrators configure', ghanaAdmin, { kind: 'CONFIGURE_RULE', ...fee }, 2011],
    ['a rule nobody wrote', admin, { kind: 'CONFIGURE_RULE', ...fee, rule: 'no-such-rule' }, 2014],
    ['settings the rule cannot read', admin, { kind: 'CONFIGURE_RULE', ...fee, settings: { accountId: 'FEE-1', basisPoints: 0 } }, 2015],
    ['an unknown setting', admin, { kind: 'CONFIGURE_RULE', ...fee, settings: { ...fee.settings, surcharge: 1 } }, 2015],
    ['settings for a rule being switched off', admin, { kind: 'CONFIGURE_RULE', ...fee, enabled: false }, 2015],
    ['an account that does not exist', admin, { kind: 'CONFIGURE_RULE', ...fee, scope: { type: 'ACCOUNT', id: 'NOPE-1' } }, 2016],
    ["a section administrator, outside his section", kenyaAdmin, { kind: 'CONFIGURE_RULE', rule: 'transfer-limit', scope: { type: 'SECTION', id: 'GHA' }, enabled: true, settings: { maximum: '10' } }, 2011],
  ];
  it.each(cases)('refuses %s', async (_name, actor, proposal, code) => {
    expect(codes(await run(actor, proposal))).toEqual([code]);
  });

  it('reports every problem of the first failing group at once, in code order', async () => {
    const outcome = await run(kenyaAdmin, { kind: 'CONFIGURE_RULE', rule: 'transfer-limit', scope: { type: 'SECTION', id: 'GHA' }, enabled: true, settings: { maximum: '0' } });
    expect(codes(outcome)).toEqual([2011, 2015]);
  });

  it('records a setting as an administrative record, written with its transaction and logged', async () => {
    const id = await recorded(admin, { kind: 'CONFIGURE_RULE', ...fee });
    const records = await test.db.administrativeRecord.findMany({ where: { transactionId: id } });
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ id: `${id}/0`, kind: 'RULE_SETTING', subject: 'transfer-fee', scopeType: 'ACCOUNT', scopeId: 'GHA-200' });
    expect(JSON.parse(records[0]?.body ?? '{}')).toEqual({ enabled: true, revision: 1, settings: { accountId: 'FEE-1', basisPoints: 100 } });
    const entry = await test.db.logEntry.findFirstOrThrow({ where: { transactionId: id } });
    expect(entry.payload).toContain('"op":"record"');
  });
});

describe('pluggable rules (A6R-37, A6R-38)', () => {
  it('transfer-fee sends its share of the units to the fee account, in the same transaction', async () => {
    const before = { from: await balance('GHA-200'), to: await balance('GHA-300'), fee: await balance('FEE-1') };
    const id = await recorded(holder, transfer('GHA-200', 'GHA-300', 1_000n));
    expect(await balance('GHA-200')).toBe(before.from - 1_000n);
    expect(await balance('GHA-300')).toBe(before.to + 990n);
    expect(await balance('FEE-1')).toBe(before.fee + 10n);
    expect(await ruleVersionsOf(id)).toMatchObject(versionsInForce(clock, ['transfer-fee', 'account-type', 'initiation']));
  });

  it('refuses the transfer, logged with the rule versions, when the fee account cannot receive (6002)', async () => {
    await recorded(admin, { kind: 'SET_ACCOUNT_STATUS', accountId: 'FEE-1', status: 'SUSPENDED' });
    const before = await balance('GHA-200');
    const outcome = await run(holder, transfer('GHA-200', 'GHA-300', 1_000n));
    expect(codes(outcome)).toEqual([6002]);
    expect(await balance('GHA-200')).toBe(before);
    expect(await ruleVersionsOf(outcome.transactionId as string)).toMatchObject(versionsInForce(clock, ['transfer-fee']));
    await recorded(admin, { kind: 'SET_ACCOUNT_STATUS', accountId: 'FEE-1', status: 'ACTIVE' });
  });

  it('transfer-limit: a section administrator sets it for his section; the most specific setting governs', async () => {
    await recorded(ghanaAdmin, { kind: 'CONFIGURE_RULE', rule: 'transfer-limit', scope: { type: 'SECTION', id: 'GHA' }, enabled: true, settings: { maximum: '500' } });
    const refused = await run(holder, transfer('GHA-200', 'GHA-300', 501n));
    expect(codes(refused)).toEqual([6001]);
    expect(refused.status === 'REJECTED' && refused.refusals[0]?.judged).toMatchObject({ maximum: '500', quantity: '501' });
    expect(await ruleVersionsOf(refused.transactionId as string)).toMatchObject(versionsInForce(clock, ['transfer-limit']));
    expect((await run(holder, transfer('GHA-200', 'GHA-300', 500n))).status).toBe('RECORDED');
    // An account-level setting that switches the rule off exempts the account.
    await recorded(admin, { kind: 'CONFIGURE_RULE', rule: 'transfer-limit', scope: { type: 'ACCOUNT', id: 'GHA-200' }, enabled: false, settings: {} });
    const exempt = await recorded(holder, transfer('GHA-200', 'GHA-300', 600n));
    expect(await ruleVersionsOf(exempt)).not.toHaveProperty('transfer-limit');
  });

  it('share-of-proceeds sends its share of an issuance to the Adaptation Fund account', async () => {
    await recorded(admin, { kind: 'CONFIGURE_RULE', rule: 'share-of-proceeds', scope: { type: 'SECTION', id: 'GHA' }, enabled: true, settings: { accountId: 'AF-1', basisPoints: 500 } });
    const before = await balance('GHA-100');
    await recorded(admin, { kind: 'ISSUANCE', accountId: 'GHA-100', series, quantity: 1_000n });
    expect(await balance('GHA-100')).toBe(before + 950n);
    expect(await balance('AF-1')).toBe(50n);
  });
});

describe("the engine's cache, checked at commit", () => {
  it('judges again when another process changed the settings since it read them', async () => {
    // A second context is a second pool, with a cache of its own, like a second server process.
    const other = createLedgerContext({ db: test.db, databaseUrl: test.url, signer: ctx.signer, now: () => new Date(clock++) });
    const key = () => `rules-other-${n++}`;
    expect((await execute(other, holder, { ...transfer('GHA-200', 'GHA-300', 10n), idempotencyKey: key() } as Proposal)).status).toBe('RECORDED');
    await recorded(admin, { kind: 'CONFIGURE_RULE', rule: 'transfer-limit', scope: { type: 'ACCOUNT', id: 'GHA-200' }, enabled: true, settings: { maximum: '5' } });
    // The other cache still has no limit for GHA-300; its commit-time check fails and it judges again.
    expect(codes(await execute(other, holder, { ...transfer('GHA-200', 'GHA-300', 6n), idempotencyKey: key() } as Proposal))).toEqual([6001]);
    await recorded(admin, { kind: 'CONFIGURE_RULE', rule: 'transfer-limit', scope: { type: 'ACCOUNT', id: 'GHA-200' }, enabled: false, settings: {} });
    // The fee account is suspended behind the other cache's back: refused, not sent to a suspended account.
    expect((await execute(other, holder, { ...transfer('GHA-200', 'GHA-300', 100n), idempotencyKey: key() } as Proposal)).status).toBe('RECORDED');
    await recorded(admin, { kind: 'SET_ACCOUNT_STATUS', accountId: 'FEE-1', status: 'SUSPENDED' });
    const fee = await balance('FEE-1');
    expect(codes(await execute(other, holder, { ...transfer('GHA-200', 'GHA-300', 100n), idempotencyKey: key() } as Proposal))).toEqual([6002]);
    await recorded(admin, { kind: 'SET_ACCOUNT_STATUS', accountId: 'FEE-1', status: 'ACTIVE' });
    expect((await execute(other, holder, { ...transfer('GHA-200', 'GHA-300', 100n), idempotencyKey: key() } as Proposal)).status).toBe('RECORDED');
    expect(await balance('FEE-1')).toBe(fee + 1n);
    await other.close();
  });
});

describe('suspension (A6R-17)', () => {
  const window = () => ({ from: new Date(clock), until: new Date(clock + 3_600_000) });
  const cases: [string, Actor, () => Unkeyed<Proposal>, number][] = [
    ['a section administrator', ghanaAdmin, () => ({ kind: 'SUSPEND_RULE', rule: 'transfer-fee', scope: { type: 'REGISTRY' }, ...window(), reason: 'fee account migration' }), 2011],
    ['a built-in rule', admin, () => ({ kind: 'SUSPEND_RULE', rule: 'initiation', scope: { type: 'REGISTRY' }, ...window(), reason: 'no' }), 2014],
    ['an unknown scope', admin, () => ({ kind: 'SUSPEND_RULE', rule: 'transfer-fee', scope: { type: 'SECTION', id: 'XXX' }, ...window(), reason: 'fee account migration' }), 2016],
    ['a window that ends before it starts', admin, () => ({ kind: 'SUSPEND_RULE', rule: 'transfer-fee', scope: { type: 'REGISTRY' }, from: new Date(clock + 20_000), until: new Date(clock + 10_000), reason: 'fee account migration' }), 2017],
    ['no reason', admin, () => ({ kind: 'SUSPEND_RULE', rule: 'transfer-fee', scope: { type: 'REGISTRY' }, ...window(), reason: '  ' }), 2017],
  ];
  it.each(cases)('refuses %s', async (_name, actor, proposal, code) => {
    expect(codes(await run(actor, proposal()))).toEqual([code]);
  });

  it('lifts the rule for its scope and window only, and every transaction in it logs the suspension', async () => {
    const start = clock;
    const suspension = await recorded(admin, { kind: 'SUSPEND_RULE', rule: 'transfer-fee', scope: { type: 'ACCOUNT', id: 'GHA-200' }, from: new Date(start), until: new Date(start + 60_000), reason: 'fee account migration' });
    const fee = await balance('FEE-1');
    const during = await recorded(holder, transfer('GHA-200', 'GHA-300', 200n));
    expect(await balance('FEE-1')).toBe(fee);
    expect(await ruleVersionsOf(during)).not.toHaveProperty('transfer-fee');
    const entry = await test.db.logEntry.findFirstOrThrow({ where: { transactionId: during } });
    expect(entry.payload).toContain(`"op":"rule-suspended"`);
    expect(entry.payload).toContain(`"suspension":"${suspension}/0"`);
    clock = start + 60_000;
    await recorded(holder, transfer('GHA-200', 'GHA-300', 200n));
    expect(await balance('FEE-1')).toBe(fee + 2n);
  });
});

describe('corrective actions (A6R-55)', () => {
  let delivered = '';
  let issuance = '';
  beforeAll(async () => {
    await recorded(admin, { kind: 'CONFIGURE_RULE', rule: 'transfer-fee', scope: { type: 'ACCOUNT', id: 'GHA-200' }, enabled: false, settings: {} });
    delivered = await recorded(holder, transfer('GHA-200', 'GHA-USE', 300n));
    issuance = await recorded(admin, { kind: 'ISSUANCE', accountId: 'GHA-100', series: { ...series, vintage: 2025 }, quantity: 100n });
  });

  const reverse = (id: () => string, reason = 'initiated by mistake') => ({ kind: 'CORRECTIVE_TRANSFER', action: 'REVERSE', correctsTransactionId: id(), reason }) as const;
  const withhold = (over: Partial<{ fromAccountId: string; toAccountId: string; firstSerial: bigint; lastSerial: bigint }> = {}) =>
    ({
      kind: 'CORRECTIVE_TRANSFER',
      action: 'WITHHOLD',
      correctsTransactionId: null,
      fromAccountId: over.fromAccountId ?? 'GHA-300',
      toAccountId: over.toAccountId ?? 'ADM-HOLD',
      selection: { mode: 'explicit', seriesId, firstSerial: over.firstSerial ?? 99_999_999n, lastSerial: over.lastSerial ?? 99_999_999n },
      reason: 'court order 17/2026',
    }) as const;

  it('walks the refusal codes in order: 2018, 2019, 2020, 3001, 3003, 3004, 4001', async () => {
    const walk: [Actor, Unkeyed<Proposal>][] = [
      [ghanaAdmin, reverse(() => delivered)],
      [admin, reverse(() => issuance)],
      [admin, reverse(() => delivered, '')],
      [admin, withhold({ toAccountId: 'NOPE-9' })],
      [admin, withhold({ toAccountId: 'GHA-200' })],
      [admin, withhold({ fromAccountId: 'ADM-HOLD', toAccountId: 'ADM-HOLD' })],
      [admin, withhold()],
    ];
    const walked: number[] = [];
    for (const [actor, proposal] of walk) walked.push(...codes(await run(actor, proposal)));
    expect(walked).toEqual([2018, 2019, 2020, 3001, 3003, 3004, 4001]);
  });

  it('reverses a transfer into a use account, recording what it reverses and the rules it broke', async () => {
    const before = { use: await balance('GHA-USE'), origin: await balance('GHA-200') };
    const id = await recorded(admin, reverse(() => delivered));
    expect(await balance('GHA-USE')).toBe(before.use - 300n);
    expect(await balance('GHA-200')).toBe(before.origin + 300n);
    const record = await test.db.administrativeRecord.findFirstOrThrow({ where: { transactionId: id } });
    expect(record).toMatchObject({ kind: 'CORRECTION', subject: 'REVERSE', scopeType: 'TRANSACTION', scopeId: delivered });
    expect(JSON.parse(record.body)).toEqual({ reason: 'initiated by mistake', brokenRules: [{ rule: 'account-type', version: 1, code: 2003, accountId: 'GHA-USE' }] });
    // Twice is refused: the units are no longer where the transfer put them (4006).
    expect(codes(await run(admin, reverse(() => delivered)))).toEqual([4006]);
  });

  it('takes mistakenly issued units out of use, only units of that issuance', async () => {
    const issued = (await accountBlocks(test.db, WHOLE_REGISTRY, 'GHA-100')).find((b) => b.seriesId === seriesIdOf({ ...series, vintage: 2025 }));
    if (!issued) throw new Error('the issuance has no block');
    const cancel = (first: bigint, last: bigint, corrects: string) =>
      ({ kind: 'CORRECTIVE_TRANSFER', action: 'CANCEL_ISSUANCE', correctsTransactionId: corrects, fromAccountId: 'GHA-100', toAccountId: 'ADM-CANCEL', selection: { mode: 'explicit', seriesId: issued.seriesId, firstSerial: first, lastSerial: last }, reason: 'issued twice' }) as const;
    expect(codes(await run(admin, cancel(issued.firstSerial, issued.lastSerial, delivered)))).toEqual([2019]);
    await recorded(admin, cancel(issued.firstSerial, issued.lastSerial, issuance));
    // The issuance's share of proceeds went to the Adaptation Fund account: the rest was in GHA-100.
    expect(await balance('ADM-CANCEL')).toBe(issued.lastSerial - issued.firstSerial + 1n);
    expect(await balance('ADM-CANCEL')).toBe(95n);
  });

  it('withholds units and releases them by reversing the withholding', async () => {
    const held = (await accountBlocks(test.db, WHOLE_REGISTRY, 'GHA-300'))[0];
    if (!held) throw new Error('GHA-300 holds nothing');
    const before = await balance('GHA-300');
    const id = await recorded(admin, withhold({ firstSerial: held.firstSerial, lastSerial: held.firstSerial + 9n }));
    expect(await balance('GHA-300')).toBe(before - 10n);
    expect(await balance('ADM-HOLD')).toBe(10n);
    await recorded(admin, reverse(() => id, 'released by the court'));
    expect(await balance('GHA-300')).toBe(before);
    expect(await balance('ADM-HOLD')).toBe(0n);
  });
});

describe('rule versions in the log and in replay (A6R-39)', () => {
  // The dates these tests are about, named: a registry of their own whose clock starts before version 2
  // of transfer-fee, whatever the test clock says (a registry's clock never goes back).
  beforeAll(async () => {
    await test.drop();
    clock = Date.parse('2026-12-31T00:00:00.000Z');
    await setUp();
    await recorded(admin, { kind: 'CONFIGURE_RULE', rule: 'transfer-fee', scope: { type: 'ACCOUNT', id: 'GHA-200' }, enabled: true, settings: { accountId: 'FEE-1', basisPoints: 100 } });
    await recorded(holder, transfer('GHA-200', 'GHA-300', 1_000n));
  });

  it('records version 2 from its date on, version 1 before; replay and verify reproduce both', async () => {
    await recorded(admin, { kind: 'CONFIGURE_RULE', rule: 'transfer-fee', scope: { type: 'ACCOUNT', id: 'GHA-200' }, enabled: true, settings: { accountId: 'FEE-1', basisPoints: 1 } });
    const fee = await balance('FEE-1');
    // 1 basis point of 50 units: version 1 rounds down to nothing.
    const old = await recorded(holder, transfer('GHA-200', 'GHA-300', 50n));
    expect(await balance('FEE-1')).toBe(fee);
    clock = Date.parse('2027-01-01T00:00:00.000Z');
    const current = await recorded(holder, transfer('GHA-200', 'GHA-300', 50n));
    expect(await balance('FEE-1')).toBe(fee + 1n);
    expect((await ruleVersionsOf(old))['transfer-fee']).toBe(1);
    expect((await ruleVersionsOf(current))['transfer-fee']).toBe(2);

    const replayed = await replayLog(ctx.pool);
    const live = await liveStateAt(ctx.pool, new Date('2100-01-01T00:00:00.000Z'));
    expect(replayed.state.administrativeRecords.length).toBeGreaterThanOrEqual(2); // both fee settings of this registry
    expect(stateHash(replayed.state)).toBe(stateHash(live));
    const report = await verifyLedger(ctx.pool, ctx.publicKeyPem);
    expect(report.disagreement && describeDisagreement(report.disagreement)).toBeNull();
    const violations = await checkInvariants(ctx.pool);
    expect(describeViolations(violations)).toBe(describeViolations([]));
    // ledger:replay's rebuild writes the administrative records too: the scratch database has the same state.
    const scratch = await createScratchDatabase(test.url);
    const pool = createLedgerPool(scratch.url, 2);
    try {
      await rebuildInto(scratch.url, replayed);
      expect(stateHash(await liveStateAt(pool, new Date('2100-01-01T00:00:00.000Z')))).toBe(stateHash(live));
    } finally {
      await pool.end();
      await scratch.drop();
    }
  });

  it('reports an entry whose supplementary operations do not follow from the version it names', async () => {
    const entries = await ctx.pool.query<{ seq: bigint; chain: number; payload: string }>('SELECT seq, chain, payload FROM "LogEntry" ORDER BY seq');
    const target = entries.rows.find((e) => e.payload.includes('"op":"rule"') && e.payload.includes('"rule":"transfer-fee"') && e.payload.includes('"settings":{"accountId":"FEE-1","basisPoints":100}'));
    if (!target) throw new Error('no entry judged by transfer-fee at 100 basis points');
    const replay = (payloadOf: (e: { seq: bigint; payload: string }) => string) => {
      const replayer = new Replayer();
      for (const e of entries.rows) {
        const text = payloadOf(e);
        replayer.apply(e.seq, e.chain, text, JSON.parse(text) as LoggedPayload);
      }
    };
    expect(() => replay((e) => e.payload)).not.toThrow();
    // The same entry, as if it had been judged at a different rate: its diversion no longer follows.
    const forged = (e: { seq: bigint; payload: string }) => (e.seq === target.seq ? e.payload.replace('"basisPoints":100}', '"basisPoints":200}') : e.payload);
    expect(() => replay(forged)).toThrow(ReplayError);
    expect(() => replay(forged)).toThrow(/supplementary operations/);
    // Or as if it named a version the catalog does not have.
    const unknownVersion = (e: { seq: bigint; payload: string }) => (e.seq === target.seq ? e.payload.replace('"transfer-fee":1', '"transfer-fee":9').replace('"to":"GHA-300","version":1}', '"to":"GHA-300","version":9}') : e.payload);
    expect(() => replay(unknownVersion)).toThrow(/version 9 is not in the rule catalog/);
    // Or as if version 2 had judged it, before version 2 was in force.
    const early = (e: { seq: bigint; payload: string }) => (e.seq === target.seq ? e.payload.replace('"transfer-fee":1', '"transfer-fee":2').replace('"to":"GHA-300","version":1}', '"to":"GHA-300","version":2}') : e.payload);
    expect(() => replay(early)).toThrow(/version 2 was not in force/);
  });
});
