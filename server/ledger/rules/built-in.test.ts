import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountStatus } from '../../db/generated/enums';
import { createTestDatabase, type TestDatabase } from '../../testing/test-database';
import { replayLog, ReplayError, Replayer, type LoggedPayload } from '../replay';
import { liveStateAt, stateHash } from '../state';
import type { Actor, LedgerContext, Outcome, Proposal, SeriesAttributes } from '../types';
import { describeDisagreement, verifyLedger } from '../verify';
import { execute } from '../write-path';
import { BUILT_IN_CATALOG, BUILT_IN_RULES, BuiltInRuleBook, type AccountStatusRule, type BuiltInCatalog } from './built-in';

/**
 * Built-in rules are superseded by date like pluggable ones (A6R-39): a catalog with a version 2 of
 * account-status scheduled at T, given to the ledger and to replay. The registry's own catalog is not
 * touched: version 2 lives only in this test.
 */

const T = '2026-11-23T00:00:00.000Z';

/** A stricter account-status: restricted accounts take part in nothing, whoever initiates. */
const accountStatusV2: AccountStatusRule = {
  name: 'account-status',
  version: 2,
  effectiveFrom: T,
  retiresAt: null,
  summary: 'Only active accounts take part in transactions.',
  statusAllows: (status: AccountStatus) => status === 'ACTIVE',
};

const catalog: BuiltInCatalog = { ...BUILT_IN_CATALOG, 'account-status': [...BUILT_IN_CATALOG['account-status'], accountStatusV2] };
const book = new BuiltInRuleBook(catalog);

let test: TestDatabase;
let ctx: LedgerContext;
let publicKeyPem = '';
let clock = Date.parse('2026-11-22T20:00:00.000Z');
let n = 0;

const admin: Actor = { userId: 'reg', impersonatorId: null, grants: [{ role: 'REGISTRY_ADMIN', sectionId: null, accountId: null }] };
const series: SeriesAttributes = { unitType: 'ITMO', cooperativeApproachId: null, originatingRegistry: 'IR', hostParty: 'GHA', firstTransferringParty: 'GHA', activityId: 'GHA-1', vintage: 2024, sectors: [], activityTypes: [], metric: 'tCO2e', pre2021: false };

type Unkeyed<P> = P extends unknown ? Omit<P, 'idempotencyKey'> : never;
const run = (proposal: Unkeyed<Proposal>): Promise<Outcome> => execute(ctx, admin, { ...proposal, idempotencyKey: `b-${n++}` } as Proposal);
async function recorded(proposal: Unkeyed<Proposal>): Promise<string> {
  const outcome = await run(proposal);
  if (outcome.status !== 'RECORDED') throw new Error(`expected RECORDED, got ${JSON.stringify(outcome.refusals)}`);
  return outcome.transactionId;
}
const transfer = (from: string, to: string, quantity: bigint) => ({ kind: 'TRANSFER', fromAccountId: from, toAccountId: to, selection: { mode: 'implicit', quantity, constraints: {} } }) as const;
const versionsOf = async (transactionId: string | null): Promise<Record<string, number>> => {
  const row = await ctx.pool.query<{ ruleVersions: string }>('SELECT "ruleVersions" FROM "LedgerTransaction" WHERE id = $1', [transactionId]);
  return JSON.parse(row.rows[0]?.ruleVersions ?? '{}') as Record<string, number>;
};

beforeAll(async () => {
  test = await createTestDatabase('ledger_built_in');
  const ledger = test.ledger({ now: () => new Date(clock++) });
  publicKeyPem = ledger.publicKeyPem;
  ctx = { ...ledger, builtInRules: book };
  await recorded({ kind: 'DEFINE_REFERENCE', reference: { type: 'SECTION', id: 'GHA', name: 'Ghana' } });
  for (const [id, type] of [['GHA-100', 'ISSUANCE'], ['GHA-200', 'HOLDING'], ['GHA-R', 'HOLDING']] as const) {
    await recorded({ kind: 'OPEN_ACCOUNT', account: { id, registry: 'INTERNATIONAL', name: id, type, holderName: 'H', sectionId: 'GHA', cooperativeApproachId: null } });
    await recorded({ kind: 'SET_ACCOUNT_STATUS', accountId: id, status: 'ACTIVE' });
  }
  await recorded({ kind: 'ISSUANCE', accountId: 'GHA-100', series, quantity: 1_000n });
  await recorded(transfer('GHA-100', 'GHA-R', 500n));
  await recorded({ kind: 'SET_ACCOUNT_STATUS', accountId: 'GHA-R', status: 'RESTRICTED' });
});

afterAll(async () => {
  await test?.drop();
});

describe('the book of built-in rules', () => {
  it('gives the version in force at each moment, superseded at its date', () => {
    expect(book.at(new Date(Date.parse(T) - 1)).versions['account-status']).toBe(1);
    expect(book.at(new Date(T)).versions['account-status']).toBe(2);
    expect(book.atText('2026-11-22T23:59:59.999Z').accountStatus.version).toBe(1);
    expect(book.atText(T).accountStatus).toBe(accountStatusV2);
    // Before the first version's date the first version applies: there is no registry without built-in rules.
    expect(book.atText('2020-01-01T00:00:00.000Z').versions).toEqual({ 'account-type': 1, 'account-status': 1, initiation: 1, 'first-transfer': 1 });
    // The registry's own book has version 1 of each, for ever.
    expect(BUILT_IN_RULES.atText('2099-01-01T00:00:00.000Z').versions).toEqual({ 'account-type': 1, 'account-status': 1, initiation: 1, 'first-transfer': 1 });
  });

  it('refuses at load a catalog whose versions have gaps, overlap, or leave a rule without a version', () => {
    const v1 = BUILT_IN_CATALOG['account-status'][0] as AccountStatusRule;
    const withStatus = (versions: AccountStatusRule[]) => () => new BuiltInRuleBook({ ...BUILT_IN_CATALOG, 'account-status': versions });
    expect(withStatus([])).toThrow(/account-status has no version/);
    expect(withStatus([v1, { ...accountStatusV2, version: 3 }])).toThrow(/version 3 is out of order \(expected 2\)/);
    expect(withStatus([v1, { ...accountStatusV2, effectiveFrom: v1.effectiveFrom }])).toThrow(/v2 must start after v1/);
    expect(withStatus([v1, { ...accountStatusV2, retiresAt: '2027-01-01T00:00:00.000Z' }])).toThrow(/retires with no successor/);
    expect(withStatus([{ ...v1, retiresAt: '2026-11-24T00:00:00.000Z' }, accountStatusV2])).toThrow(/not when v2 starts/);
    expect(withStatus([v1, { ...accountStatusV2, effectiveFrom: '23 Nov 2026' }])).toThrow(/not an ISO-8601 UTC time/);
    expect(withStatus([{ ...v1, retiresAt: T }, accountStatusV2])).not.toThrow();
  });
});

describe('transactions across the date of a new built-in version', () => {
  let before = '';
  let after = '';

  it('are judged, before the date, by version 1, and name it', async () => {
    // Version 1: a registry administrator may still move units out of a restricted account.
    before = await recorded(transfer('GHA-R', 'GHA-200', 100n));
    expect(await versionsOf(before)).toMatchObject({ 'account-status': 1, 'account-type': 1, initiation: 1, 'first-transfer': 1 });
  });

  it('are judged, from the date, by version 2, and name it, refused or recorded', async () => {
    clock = Date.parse(T) + 1_000;
    const refused = await run(transfer('GHA-R', 'GHA-200', 100n));
    expect(refused.status === 'REJECTED' ? refused.refusals.map((r) => r.code) : []).toEqual([2002]);
    expect(await versionsOf(refused.transactionId)).toMatchObject({ 'account-status': 2 });
    after = await recorded(transfer('GHA-100', 'GHA-200', 100n));
    expect(await versionsOf(after)).toMatchObject({ 'account-status': 2, 'account-type': 1 });
  });

  it('replay with the same book agrees with the live state; with a book that lacks version 2 it stops at the first entry after the date', async () => {
    const replayed = await replayLog(ctx.pool, { builtInRules: book });
    expect(stateHash(replayed.state)).toBe(stateHash(await liveStateAt(ctx.pool, new Date('2100-01-01T00:00:00.000Z'))));
    const report = await verifyLedger(ctx.pool, publicKeyPem, { builtInRules: book });
    expect(report.disagreement && describeDisagreement(report.disagreement)).toBeNull();
    const first = await ctx.pool.query<{ seq: string; chain: number }>('SELECT seq::text, chain FROM "LogEntry" WHERE "createdAt" >= $1::timestamp ORDER BY seq LIMIT 1', [T]);
    const error = await replayLog(ctx.pool).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReplayError);
    expect(error).toMatchObject({ seq: BigInt(first.rows[0]?.seq ?? '0'), chain: first.rows[0]?.chain });
    expect((error as ReplayError).reason).toMatch(/names account-status version 2, but version 1 was in force/);
  });

  it('replay catches an entry whose recorded built-in versions were not those in force at its time', async () => {
    const entries = await ctx.pool.query<{ seq: bigint; chain: number; payload: string; transactionId: string | null }>('SELECT seq, chain, payload, "transactionId" FROM "LogEntry" ORDER BY seq');
    const replay = (tamper: (e: { payload: string; transactionId: string | null }) => string) => {
      const replayer = new Replayer({ keepTransactions: false, builtInRules: book });
      for (const e of entries.rows) {
        const text = tamper(e);
        replayer.apply(e.seq, e.chain, text, JSON.parse(text) as LoggedPayload);
      }
    };
    expect(() => replay((e) => e.payload)).not.toThrow();
    for (const [id, from, to] of [
      [before, '"account-status":1', '"account-status":2'],
      [after, '"account-status":2', '"account-status":1'],
      [after, '"initiation":1', '"initiation":2'],
    ] as const) {
      const target = entries.rows.find((e) => e.transactionId === id);
      if (!target) throw new Error(`no entry for ${id}`);
      expect(target.payload).toContain(from);
      const tampered = (e: { payload: string; transactionId: string | null }) => (e.transactionId === id ? e.payload.replace(from, to) : e.payload);
      let caught: unknown = null;
      try {
        replay(tampered);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(ReplayError);
      expect(caught).toMatchObject({ seq: target.seq, chain: target.chain });
      expect((caught as ReplayError).reason).toMatch(/was in force at/);
    }
  });
});
