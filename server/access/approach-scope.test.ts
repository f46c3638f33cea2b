import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession, loadSession, markSecondFactor } from '../auth/session-store';
import { actorOf } from '../auth/actor';
import { seedDemo } from '../demo/seed';
import { execute } from '../ledger/write-path';
import { readScope } from '../ledger/authority';
import { listAccounts } from '../ledger/queries';
import { verifyLedger } from '../ledger/verify';
import type { Actor, LedgerContext, Outcome, Proposal, SeriesAttributes } from '../ledger/types';
import { createTestDatabase, type TestDatabase } from '../testing/test-database';
import { createGrant } from './grants';
import { createUser, recordIdentityCheck } from './users';

/**
 * Grants limited to cooperative approaches (A6R-12, A6R-46), end to end: issued through the grant
 * service, loaded by the session as every request loads them, and judged by the ledger's one write path.
 */
let database: TestDatabase;
let ledger: LedgerContext & { publicKeyPem: string };
let clock = new Date('2026-11-22T09:00:00Z');
let key = 0;

const registryAdmin: Actor = { userId: 'u-regadmin', impersonatorId: null, grants: [{ role: 'REGISTRY_ADMIN', sectionId: null, accountId: null }] };
const series = (approach: string | null, vintage: number): SeriesAttributes => ({
  unitType: 'ITMO',
  cooperativeApproachId: approach,
  originatingRegistry: 'IR',
  hostParty: 'GHA',
  firstTransferringParty: 'GHA',
  activityId: `GHA-SCOPE-${approach ?? 'NONE'}`,
  vintage,
  sectors: ['energy'],
  activityTypes: ['solar'],
  metric: 'tCO2e',
  pre2021: false,
});

/** A proposal without its idempotency key, distributed over the union so each kind keeps its fields. */
type Unkeyed = Proposal extends infer P ? (P extends Proposal ? Omit<P, 'idempotencyKey'> : never) : never;
const propose = (actor: Actor, proposal: Unkeyed): Promise<Outcome> => execute(ledger, actor, { ...proposal, idempotencyKey: `scope-${++key}` } as Proposal);
const codes = (outcome: Outcome) => (outcome.status === 'REJECTED' ? outcome.refusals.map((r) => r.code) : []);
async function must(outcome: Promise<Outcome>): Promise<void> {
  const o = await outcome;
  if (o.status !== 'RECORDED') throw new Error(JSON.stringify(o.refusals));
}

/** A verified user holding exactly this grant, as a signed-in session sees him. */
async function personWith(email: string, grant: { role: 'SECTION_ADMIN' | 'ACCOUNT_HOLDER'; sectionId: string | null; accountId: string | null; cooperativeApproachIds: string[] }): Promise<Actor> {
  const created = await createUser(ledger, registryAdmin, { email, name: 'Scoped Person' });
  if (!created.ok) throw new Error(created.message);
  const checked = await recordIdentityCheck(ledger, registryAdmin, { userId: created.userId, method: 'GOVERNMENT_ID', outcome: 'VERIFIED', checkedAt: clock, note: '' });
  if (!checked.ok) throw new Error(checked.message);
  const granted = await createGrant(ledger, registryAdmin, { userId: created.userId, ...grant });
  if (!granted.ok) throw new Error(granted.message);
  const sessionId = await createSession(database.db, created.userId, clock);
  await markSecondFactor(database.db, sessionId, clock);
  const user = await loadSession(database.db, sessionId, clock);
  if (!user) throw new Error('no session');
  return actorOf(user);
}

let ghanaForCa1: Actor;
let holderForCa1: Actor;

beforeAll(async () => {
  database = await createTestDatabase('registry_approach_scope');
  ledger = database.ledger({ now: () => (clock = new Date(clock.getTime() + 1)) });
  await seedDemo(ledger, 'a demo password of some length');
  // A second approach in the Ghana section, with its own issuance account, and a holding account of
  // CA0001 that also holds units of CA0002.
  await must(propose(registryAdmin, { kind: 'DEFINE_REFERENCE', reference: { type: 'COOPERATIVE_APPROACH', id: 'CA0002', name: 'Second approach' } }));
  const open = async (id: string, type: 'ISSUANCE' | 'HOLDING', approach: string) => {
    await must(propose(registryAdmin, { kind: 'OPEN_ACCOUNT', account: { id, registry: 'INTERNATIONAL', name: id, type, holderName: 'Republic of Ghana', sectionId: 'GHA', cooperativeApproachId: approach } }));
    await must(propose(registryAdmin, { kind: 'SET_ACCOUNT_STATUS', accountId: id, status: 'ACTIVE' }));
  };
  await open('GHA-100-0002', 'ISSUANCE', 'CA0002');
  await open('GHA-200-0011', 'HOLDING', 'CA0001');
  await must(propose(registryAdmin, { kind: 'ISSUANCE', accountId: 'GHA-100-0002', series: series('CA0002', 2024), quantity: 1_000n }));
  await must(propose(registryAdmin, { kind: 'ISSUANCE', accountId: 'GHA-100-0001', series: series('CA0001', 2024), quantity: 1_000n }));
  await must(propose(registryAdmin, { kind: 'TRANSFER', fromAccountId: 'GHA-100-0002', toAccountId: 'GHA-200-0011', selection: { mode: 'implicit', quantity: 100n, constraints: { cooperativeApproachId: 'CA0002' } } }));
  await must(propose(registryAdmin, { kind: 'TRANSFER', fromAccountId: 'GHA-100-0001', toAccountId: 'GHA-200-0011', selection: { mode: 'implicit', quantity: 300n, constraints: { cooperativeApproachId: 'CA0001', vintage: 2024 } } }));

  ghanaForCa1 = await personWith('ghana.ca1@example.test', { role: 'SECTION_ADMIN', sectionId: 'GHA', accountId: null, cooperativeApproachIds: ['CA0001'] });
  holderForCa1 = await personWith('holder.ca1@example.test', { role: 'ACCOUNT_HOLDER', sectionId: null, accountId: 'GHA-200-0011', cooperativeApproachIds: ['CA0001'] });
});

afterAll(async () => {
  await database?.drop();
});

describe('a grant limited to a cooperative approach (A6R-46)', () => {
  it('reaches the session and the logged input with its limit', async () => {
    expect(ghanaForCa1.grants).toEqual([{ role: 'SECTION_ADMIN', sectionId: 'GHA', accountId: null, cooperativeApproachIds: ['CA0001'] }]);
    const created = await database.db.ledgerTransaction.findFirstOrThrow({ where: { kind: 'GRANT_CREATE', input: { contains: 'GHA-200-0011' } }, select: { input: true } });
    expect(JSON.parse(created.input).proposal).toMatchObject({ role: 'ACCOUNT_HOLDER', accountId: 'GHA-200-0011', cooperativeApproachIds: ['CA0001'] });
  });

  it('lets a section administrator act on the accounts of his approach, and refuses the others with 2050', async () => {
    const inside = await propose(ghanaForCa1, { kind: 'TRANSFER', fromAccountId: 'GHA-100-0001', toAccountId: 'GHA-200-0001', selection: { mode: 'implicit', quantity: 10n, constraints: { cooperativeApproachId: 'CA0001' } } });
    expect(inside.status).toBe('RECORDED');
    const outside = await propose(ghanaForCa1, { kind: 'TRANSFER', fromAccountId: 'GHA-100-0002', toAccountId: 'GHA-200-0001', selection: { mode: 'implicit', quantity: 10n, constraints: {} } });
    expect(codes(outside)).toEqual([2004, 2050]);
    const refusal = outside.status === 'REJECTED' ? outside.refusals.find((r) => r.code === 2050) : undefined;
    expect(refusal?.message).toMatch(/limited to other cooperative approaches/);
    expect(refusal?.judged).toMatchObject({ concerned: 'CA0002', limitedTo: 'CA0001' });
    // An account of no approach is outside every limited grant.
    expect(codes(await propose(ghanaForCa1, { kind: 'TRANSFER', fromAccountId: 'GHA-200-0001', toAccountId: 'GHA-200-0011', selection: { mode: 'implicit', quantity: 1n, constraints: {} } }))).toEqual([2004, 2050]);
    // Status changes follow the same limit.
    expect(codes(await propose(ghanaForCa1, { kind: 'SET_ACCOUNT_STATUS', accountId: 'GHA-100-0002', status: 'SUSPENDED' }))).toEqual([2009, 2050]);
    expect((await propose(ghanaForCa1, { kind: 'SET_ACCOUNT_STATUS', accountId: 'GHA-200-0011', status: 'SUSPENDED' })).status).toBe('RECORDED');
    expect((await propose(ghanaForCa1, { kind: 'SET_ACCOUNT_STATUS', accountId: 'GHA-200-0011', status: 'ACTIVE' })).status).toBe('RECORDED');
  });

  it('issues only units of its approach (4050), into an account of its approach', async () => {
    expect((await propose(ghanaForCa1, { kind: 'ISSUANCE', accountId: 'GHA-100-0001', series: series('CA0001', 2025), quantity: 50n })).status).toBe('RECORDED');
    const foreign = await propose(ghanaForCa1, { kind: 'ISSUANCE', accountId: 'GHA-100-0001', series: series('CA0002', 2025), quantity: 50n });
    expect(codes(foreign)).toEqual([4050]);
    expect(foreign.status === 'REJECTED' && foreign.refusals[0]?.judged).toMatchObject({ accountId: 'GHA-100-0001', approaches: 'CA0002' });
  });

  it('lets a representative limited to an approach move only that approach\'s units out of a mixed account', async () => {
    const ca1 = await propose(holderForCa1, { kind: 'TRANSFER', fromAccountId: 'GHA-200-0011', toAccountId: 'GHA-200-0001', selection: { mode: 'implicit', quantity: 20n, constraints: { cooperativeApproachId: 'CA0001' } } });
    expect(ca1.status).toBe('RECORDED');
    const ca2 = await propose(holderForCa1, { kind: 'TRANSFER', fromAccountId: 'GHA-200-0011', toAccountId: 'GHA-200-0001', selection: { mode: 'implicit', quantity: 20n, constraints: { cooperativeApproachId: 'CA0002' } } });
    expect(codes(ca2)).toEqual([4050]);
    // Unconstrained, the smallest blocks come first: the CA0002 block of 100 is taken, and refused.
    expect(codes(await propose(holderForCa1, { kind: 'TRANSFER', fromAccountId: 'GHA-200-0011', toAccountId: 'GHA-200-0001', selection: { mode: 'implicit', quantity: 100n, constraints: {} } }))).toEqual([4050]);
    // A refused proposal changed nothing: the account still holds its 100 units of CA0002.
    const held = await database.db.$queryRaw<{ n: bigint }[]>`SELECT sum(b."lastSerial" - b."firstSerial" + 1)::bigint AS n FROM "UnitBlock" b JOIN "UnitSeries" s ON s.id = b."seriesId" WHERE b."accountId" = 'GHA-200-0011' AND b."closedByTxId" IS NULL AND s."cooperativeApproachId" = 'CA0002'`;
    expect(held[0]?.n).toBe(100n);
  });

  it('shows only the accounts of its approach', async () => {
    const seen = (await listAccounts(database.db, readScope(ghanaForCa1))).map((a) => a.id);
    expect(seen).toEqual(['GHA-100-0001', 'GHA-200-0011']);
    expect((await listAccounts(database.db, readScope(holderForCa1))).map((a) => a.id)).toEqual(['GHA-200-0011']);
  });

  it('grants within its own limit only, and never a grant that could not count', async () => {
    const userId = (await createUser(ledger, registryAdmin, { email: 'new.rep@example.test', name: 'New Representative' })) as { ok: true; userId: string };
    await recordIdentityCheck(ledger, registryAdmin, { userId: userId.userId, method: 'GOVERNMENT_ID', outcome: 'VERIFIED', checkedAt: clock, note: '' });
    const on = (accountId: string, cooperativeApproachIds: string[]) => ({ userId: userId.userId, role: 'ACCOUNT_HOLDER' as const, sectionId: null, accountId, cooperativeApproachIds });
    expect(await createGrant(ledger, ghanaForCa1, on('GHA-200-0011', []))).toMatchObject({ ok: false, code: 'NOT_ALLOWED' });
    expect(await createGrant(ledger, ghanaForCa1, on('GHA-100-0002', ['CA0002']))).toMatchObject({ ok: false, code: 'NOT_ALLOWED' });
    expect(await createGrant(ledger, ghanaForCa1, on('GHA-200-0011', ['CA0009']))).toMatchObject({ ok: false, code: 'APPROACH_NOT_FOUND' });
    expect(await createGrant(ledger, registryAdmin, on('GHA-200-0001', ['CA0001']))).toMatchObject({ ok: false, code: 'GRANT_SHAPE_INVALID', message: expect.stringMatching(/belongs to no cooperative approach/) });
    expect(await createGrant(ledger, registryAdmin, { userId: userId.userId, role: 'REGISTRY_ADMIN', sectionId: null, accountId: null, cooperativeApproachIds: ['CA0001'] })).toMatchObject({ ok: false, code: 'GRANT_SHAPE_INVALID' });
    expect(await createGrant(ledger, ghanaForCa1, on('GHA-200-0011', ['CA0001']))).toMatchObject({ ok: true });
    // The database refuses a limited registry-wide role too, whatever writes it.
    await expect(database.db.$executeRawUnsafe(`INSERT INTO "Grant" (id, "userId", role, "cooperativeApproachIds") VALUES ('g-limited-admin', $1, 'REGISTRY_ADMIN', ARRAY['CA0001'])`, userId.userId)).rejects.toThrow(/not limited to cooperative approaches/);
  });

  it('leaves the log verifiable and replayable, limited grants in its inputs', async () => {
    const report = await verifyLedger(ledger.pool, ledger.publicKeyPem);
    expect(report.disagreement).toBeNull();
  });
});
