import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../demo/seed';
import type { Actor, LedgerContext, Proposal } from '../ledger/types';
import { execute } from '../ledger/write-path';
import { apiCallerFor } from '../testing/api-caller';
import { testClockStart } from '../testing/test-clock';
import { createTestDatabase, type TestDatabase } from '../testing/test-database';

/**
 * Reads answer within the reader's grants (house rule 11): a section administrator sees his own
 * Party's rule settings, suspensions, authorizations and waiting transfers and no other Party's; a
 * refusal and the acquiring-account lookup do not tell an account holder another Party's account status.
 */

const NOW = new Date(testClockStart('2026-11-22T10:00:00.000Z'));
let database: TestDatabase;
let ledger: LedgerContext;
let n = 0;

const registryAdmin: Actor = { userId: 'u-regadmin', impersonatorId: null, grants: [{ role: 'REGISTRY_ADMIN', sectionId: null, accountId: null }] };
const swissAdmin: Actor = { userId: 'u-che-admin', impersonatorId: null, grants: [{ role: 'SECTION_ADMIN', sectionId: 'CHE', accountId: null }] };
const ghanaAdmin: Actor = { userId: 'u-gha-admin', impersonatorId: null, grants: [{ role: 'SECTION_ADMIN', sectionId: 'GHA', accountId: null }] };
const cookstoves: Actor = { userId: 'u-gha-holder', impersonatorId: null, grants: [{ role: 'ACCOUNT_HOLDER', sectionId: null, accountId: 'GHA-200-0001' }] };
const alpine: Actor = { userId: 'u-holder', impersonatorId: null, grants: [{ role: 'ACCOUNT_HOLDER', sectionId: null, accountId: 'CHE-200-0001' }] };

type Unkeyed<P> = P extends unknown ? Omit<P, 'idempotencyKey'> : never;
async function recorded(actor: Actor, proposal: Unkeyed<Proposal>): Promise<string> {
  const outcome = await execute(ledger, actor, { ...proposal, idempotencyKey: `scope-${n++}` } as Proposal);
  if (outcome.status !== 'RECORDED') throw new Error(`expected RECORDED, got ${JSON.stringify(outcome.refusals)}`);
  return outcome.transactionId;
}

const caller = (actor: Actor) => apiCallerFor(database, ledger, actor, NOW);

beforeAll(async () => {
  database = await createTestDatabase('api_read_scope');
  let clock = NOW.getTime() - 3_600_000;
  ledger = database.ledger({ now: () => new Date(clock++) });
  await seedDemo(ledger, 'a demo password for this test');
  // An escrow account for transfers that wait, and the records of two Parties.
  await recorded(registryAdmin, { kind: 'OPEN_ACCOUNT', account: { id: 'IR-800-0001', registry: 'INTERNATIONAL', name: 'Escrow', type: 'ADMIN_HOLDING', holderName: 'International registry', sectionId: null, cooperativeApproachId: null } });
  await recorded(registryAdmin, { kind: 'SET_ACCOUNT_STATUS', accountId: 'IR-800-0001', status: 'ACTIVE' });
  await recorded(swissAdmin, { kind: 'CONFIGURE_RULE', rule: 'transfer-limit', scope: { type: 'SECTION', id: 'CHE' }, enabled: true, settings: { maximum: '777777' } });
  await recorded(ghanaAdmin, { kind: 'CONFIGURE_RULE', rule: 'transfer-limit', scope: { type: 'SECTION', id: 'GHA' }, enabled: true, settings: { maximum: '888888' } });
  await recorded(registryAdmin, { kind: 'CONFIGURE_RULE', rule: 'transfer-limit', scope: { type: 'ACCOUNT', id: 'CHE-200-0002' }, enabled: true, settings: { maximum: '666666' } });
  await recorded(registryAdmin, { kind: 'SUSPEND_RULE', rule: 'transfer-limit', scope: { type: 'SECTION', id: 'CHE' }, from: NOW, until: new Date(NOW.getTime() + 3_600_000), reason: 'Swiss migration' });
  for (const [actor, party] of [[swissAdmin, 'CHE'], [ghanaAdmin, 'GHA']] as const) {
    await recorded(actor, { kind: 'RECORD_AUTHORIZATION', party, uses: 'NDC', units: { mode: 'conditions', conditions: { vintageFrom: 2030 } }, oimpFirstTransfer: null, applicableFrom: null, supersedes: null });
  }
  // A Swiss transfer that waits for a second person.
  await recorded(registryAdmin, { kind: 'CONFIGURE_RULE', rule: 'four-eyes', scope: { type: 'ACCOUNT', id: 'CHE-200-0001' }, enabled: true, settings: { threshold: '10', escrowAccountId: 'IR-800-0001', expiresAfterHours: 24 } });
  const waiting = await execute(ledger, alpine, { kind: 'TRANSFER', idempotencyKey: 'swiss-waits', fromAccountId: 'CHE-200-0001', toAccountId: 'CHE-200-0002', selection: { mode: 'implicit', quantity: 50n, constraints: {} } });
  expect(waiting).toMatchObject({ status: 'RECORDED', pending: true });
  await recorded(registryAdmin, { kind: 'SET_ACCOUNT_STATUS', accountId: 'CHE-200-0002', status: 'FROZEN', reason: 'court order' } as Unkeyed<Proposal>);
}, 120_000);

afterAll(async () => {
  await database?.drop();
});

describe('rules.overview is scoped to the reader', () => {
  it("shows the Ghana section administrator Ghana's and the registry's records, and none of Switzerland's", async () => {
    const seen = await caller(ghanaAdmin).rules.overview();
    const text = JSON.stringify(seen, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
    expect(text).not.toContain('777777');
    expect(text).not.toContain('666666');
    expect(text).not.toContain('CHE');
    expect(text).not.toContain('Swiss migration');
    expect(seen.settings.map((s) => `${s.rule} ${s.scopeType} ${s.scopeId}`)).toContain('transfer-limit SECTION GHA');
    expect(seen.settings.every((s) => s.scopeType === 'REGISTRY' || s.scopeId === 'GHA' || s.scopeId.startsWith('GHA-'))).toBe(true);
    expect(seen.authorizations.map((a) => a.subject)).toEqual(['GHA']);
    expect(seen.reservations).toEqual([]);
    expect(seen.suspensions).toEqual([]);
    expect(seen.wholeRegistry).toBe(false);
  });

  it("shows the Swiss section administrator Switzerland's records, its waiting transfer included, and none of Ghana's", async () => {
    const seen = await caller(swissAdmin).rules.overview();
    expect(seen.settings.map((s) => `${s.rule} ${s.scopeType} ${s.scopeId}`)).toEqual(expect.arrayContaining(['transfer-limit SECTION CHE', 'transfer-limit ACCOUNT CHE-200-0002', 'four-eyes ACCOUNT CHE-200-0001']));
    expect(seen.settings.some((s) => s.scopeId === 'GHA')).toBe(false);
    expect(seen.authorizations.map((a) => a.subject)).toEqual(['CHE']);
    expect(seen.reservations.map((r) => r.body.fromAccountId)).toEqual(['CHE-200-0001']);
    expect(seen.suspensions.map((s) => s.body.reason)).toEqual(['Swiss migration']);
  });

  it('shows a registry administrator every Party', async () => {
    const seen = await caller(registryAdmin).rules.overview();
    expect(seen.settings.map((s) => s.scopeId)).toEqual(expect.arrayContaining(['GHA', 'CHE', 'CHE-200-0002']));
    expect(seen.authorizations.map((a) => a.subject).sort()).toEqual(['CHE', 'GHA']);
    expect(seen.reservations).toHaveLength(1);
    expect(seen.wholeRegistry).toBe(true);
  });
});

describe("another Party's account status stays with that Party", () => {
  it("a refusal tells the holder the acquiring account cannot receive, not that it is frozen", async () => {
    const outcome = await caller(cookstoves).transfer.submit({ idempotencyKey: 'to-frozen-1', fromAccountId: 'GHA-200-0001', toAccountId: 'CHE-200-0002', selection: { mode: 'implicit', quantity: 1n, constraints: {} } });
    expect(outcome.status).toBe('REJECTED');
    expect(outcome.status === 'REJECTED' && outcome.refusals.map((r) => r.code)).toEqual([3002]);
    expect(JSON.stringify(outcome)).not.toContain('FROZEN');
    // The log keeps what was judged, whole.
    const logged = await database.db.ledgerTransaction.findFirstOrThrow({ where: { initiatorId: 'u-gha-holder', idempotencyKey: 'to-frozen-1' } });
    expect(logged.refusals).toContain('FROZEN');
  });

  it('a refusal shows the status to a reader whose scope covers the account', async () => {
    const outcome = await caller(registryAdmin).transfer.submit({ idempotencyKey: 'to-frozen-2', fromAccountId: 'GHA-200-0001', toAccountId: 'CHE-200-0002', selection: { mode: 'implicit', quantity: 1n, constraints: {} } });
    expect(outcome.status === 'REJECTED' && outcome.refusals[0]?.judged).toMatchObject({ accountId: 'CHE-200-0002', status: 'FROZEN' });
  });

  it("account.lookup gives the published details of another Party's account without its status, and one's own with it", async () => {
    const foreign = await caller(cookstoves).account.lookup({ id: 'CHE-200-0002' });
    expect(foreign).toMatchObject({ id: 'CHE-200-0002', holderName: 'Alpine Climate Partners AG', status: null });
    expect((await caller(cookstoves).account.lookup({ id: 'GHA-200-0001' })).status).toBe('ACTIVE');
    expect((await caller(swissAdmin).account.lookup({ id: 'CHE-200-0002' })).status).toBe('FROZEN');
  });
});
