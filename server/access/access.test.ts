import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession, loadSession, markSecondFactor } from '../auth/session-store';
import { seedDemo } from '../demo/seed';
import { verifyLedger } from '../ledger/verify';
import type { Actor, LedgerContext } from '../ledger/types';
import { createTestDatabase, type TestDatabase } from '../testing/test-database';
import { createGrant, revokeGrant, setGrantSuspended } from './grants';
import { startImpersonation, stopImpersonation } from './impersonation';
import { createUser, recordIdentityCheck, setUserAccessSuspended } from './users';

let database: TestDatabase;
let ledger: LedgerContext & { publicKeyPem: string };
let clock = new Date('2026-11-22T09:00:00Z');

const registryAdmin: Actor = { userId: 'u-regadmin', impersonatorId: null, grants: [{ role: 'REGISTRY_ADMIN', sectionId: null, accountId: null }] };
const systemAdmin: Actor = { userId: 'u-sysadmin', impersonatorId: null, grants: [{ role: 'SYSTEM_ADMIN', sectionId: null, accountId: null }] };
const swissAdmin: Actor = { userId: 'u-che-admin', impersonatorId: null, grants: [{ role: 'SECTION_ADMIN', sectionId: 'CHE', accountId: null }] };
const ghanaAdmin: Actor = { userId: 'u-gha-admin', impersonatorId: null, grants: [{ role: 'SECTION_ADMIN', sectionId: 'GHA', accountId: null }] };

beforeAll(async () => {
  database = await createTestDatabase('registry_access');
  // Every act a millisecond after the one before: their order in time is their order here.
  ledger = database.ledger({ now: () => (clock = new Date(clock.getTime() + 1)) });
  await seedDemo(ledger, 'a demo password of some length');
});

afterAll(async () => {
  await database?.drop();
});

const tick = () => {
  clock = new Date(clock.getTime() + 1000);
  return clock;
};

async function newVerifiedUser(email: string): Promise<string> {
  tick();
  const created = await createUser(ledger, swissAdmin, { email, name: 'Maria Muster' });
  if (!created.ok) throw new Error(created.message);
  tick();
  const checked = await recordIdentityCheck(ledger, registryAdmin, { userId: created.userId, method: 'GOVERNMENT_ID', outcome: 'VERIFIED', checkedAt: clock, note: 'passport seen in person' });
  if (!checked.ok) throw new Error(checked.message);
  return created.userId;
}

async function signedInSession(userId: string): Promise<string> {
  const sessionId = await createSession(database.db, userId, clock);
  await markSecondFactor(database.db, sessionId, clock);
  return sessionId;
}

describe('users and identity checks', () => {
  it('creates users without grants, refuses a second user with the same address, and keeps names out of the log', async () => {
    const created = await createUser(ledger, registryAdmin, { email: 'New.Person@Example.test', name: 'Nadia Neumann' });
    expect(created.ok).toBe(true);
    if (!created.ok) return;
    const user = await database.db.user.findUniqueOrThrow({ where: { id: created.userId }, include: { grants: true } });
    expect(user.email).toBe('new.person@example.test');
    expect(user.grants).toEqual([]);
    expect(await createUser(ledger, registryAdmin, { email: 'new.person@example.test', name: 'Someone Else' })).toMatchObject({ ok: false, code: 'EMAIL_TAKEN' });
    const entry = await database.db.logEntry.findFirstOrThrow({ where: { kind: 'USER_CREATE' }, orderBy: { seq: 'desc' } });
    expect(entry.kind).toBe('USER_CREATE');
    expect(entry.payload).not.toContain('Nadia');
    expect(entry.payload).not.toContain('new.person');
    expect(entry.payload).toMatch(/"personalData":"[0-9a-f]{64}"/);
  });

  it('refuses a grant until the identity is verified (A6R-3)', async () => {
    tick();
    const created = await createUser(ledger, swissAdmin, { email: 'unverified@example.test', name: 'Ulla Unverified' });
    if (!created.ok) throw new Error(created.message);
    const request = { userId: created.userId, role: 'VIEWER' as const, sectionId: null, accountId: 'CHE-200-0001' };
    expect(await createGrant(ledger, swissAdmin, request)).toMatchObject({ ok: false, code: 'IDENTITY_NOT_VERIFIED' });
    await recordIdentityCheck(ledger, registryAdmin, { userId: created.userId, method: 'RESIDENCE', outcome: 'REJECTED', checkedAt: tick(), note: '' });
    expect(await createGrant(ledger, swissAdmin, request)).toMatchObject({ ok: false, code: 'IDENTITY_NOT_VERIFIED' });
    await recordIdentityCheck(ledger, registryAdmin, { userId: created.userId, method: 'GOVERNMENT_ID', outcome: 'VERIFIED', checkedAt: tick(), note: '' });
    expect(await createGrant(ledger, swissAdmin, request)).toMatchObject({ ok: true });
    expect(await recordIdentityCheck(ledger, registryAdmin, { userId: 'u-regadmin', method: 'OTHER', outcome: 'VERIFIED', checkedAt: clock, note: '' })).toMatchObject({ ok: false, code: 'SELF_NOT_ALLOWED' });
  });
});

describe('grants flow down the hierarchy (A6R-14, A6R-15, A6R-51)', () => {
  it('lets each level grant only what it administers, in the order of its checks', async () => {
    const userId = await newVerifiedUser('maria@example.test');
    // A section administrator: accounts of his own section only; never a section administrator.
    expect(await createGrant(ledger, swissAdmin, { userId, role: 'ACCOUNT_HOLDER', sectionId: null, accountId: 'GHA-200-0001' })).toMatchObject({ ok: false, code: 'NOT_ALLOWED' });
    expect(await createGrant(ledger, swissAdmin, { userId, role: 'SECTION_ADMIN', sectionId: 'CHE', accountId: null })).toMatchObject({ ok: false, code: 'NOT_ALLOWED' });
    // Shape before scope before right.
    expect(await createGrant(ledger, swissAdmin, { userId, role: 'ACCOUNT_HOLDER', sectionId: 'CHE', accountId: null })).toMatchObject({ ok: false, code: 'GRANT_SHAPE_INVALID' });
    expect(await createGrant(ledger, swissAdmin, { userId, role: 'ACCOUNT_HOLDER', sectionId: null, accountId: 'NOPE-1' })).toMatchObject({ ok: false, code: 'ACCOUNT_NOT_FOUND' });
    expect(await createGrant(ledger, registryAdmin, { userId: 'u-nobody', role: 'VIEWER', sectionId: null, accountId: 'CHE-200-0001' })).toMatchObject({ ok: false, code: 'USER_NOT_FOUND' });
    // Registry administrators appoint section administrators; system administrators registry administrators.
    expect(await createGrant(ledger, registryAdmin, { userId, role: 'REGISTRY_ADMIN', sectionId: null, accountId: null })).toMatchObject({ ok: false, code: 'NOT_ALLOWED' });
    expect(await createGrant(ledger, systemAdmin, { userId, role: 'SECTION_ADMIN', sectionId: 'GHA', accountId: null })).toMatchObject({ ok: false, code: 'NOT_ALLOWED' });
    // One person, different roles in several sections (A6R-15).
    expect(await createGrant(ledger, swissAdmin, { userId, role: 'ACCOUNT_HOLDER', sectionId: null, accountId: 'CHE-200-0001' })).toMatchObject({ ok: true });
    expect(await createGrant(ledger, registryAdmin, { userId, role: 'SECTION_ADMIN', sectionId: 'GHA', accountId: null })).toMatchObject({ ok: true });
    expect(await createGrant(ledger, swissAdmin, { userId, role: 'ACCOUNT_HOLDER', sectionId: null, accountId: 'CHE-200-0001' })).toMatchObject({ ok: false, code: 'GRANT_EXISTS' });
    const grants = await database.db.grant.findMany({ where: { userId }, orderBy: { role: 'asc' } });
    expect(grants.map((g) => [g.role, g.sectionId, g.accountId, g.grantedById])).toEqual([
      ['SECTION_ADMIN', 'GHA', null, 'u-regadmin'],
      ['ACCOUNT_HOLDER', null, 'CHE-200-0001', 'u-che-admin'],
    ]);
  });

  it('suspends one grant without touching the others, effective at the next request; reinstates; revokes', async () => {
    const userId = await newVerifiedUser('sven@example.test');
    const inSwiss = await createGrant(ledger, swissAdmin, { userId, role: 'ACCOUNT_HOLDER', sectionId: null, accountId: 'CHE-200-0002' });
    const inGhana = await createGrant(ledger, ghanaAdmin, { userId, role: 'VIEWER', sectionId: null, accountId: 'GHA-200-0001' });
    if (!inSwiss.ok || !inGhana.ok) throw new Error('grants refused');
    const sessionId = await signedInSession(userId);
    expect((await loadSession(database.db, sessionId, clock))?.grants.map((g) => g.accountId).sort()).toEqual(['CHE-200-0002', 'GHA-200-0001']);

    // The Ghana administrator does not administer the Swiss grant.
    expect(await setGrantSuspended(ledger, ghanaAdmin, inSwiss.grantId, true)).toMatchObject({ ok: false, code: 'NOT_ALLOWED' });
    expect(await setGrantSuspended(ledger, swissAdmin, inSwiss.grantId, true)).toMatchObject({ ok: true });
    expect((await loadSession(database.db, sessionId, clock))?.grants.map((g) => g.accountId)).toEqual(['GHA-200-0001']);
    const suspended = await database.db.grant.findUniqueOrThrow({ where: { id: inSwiss.grantId } });
    expect([suspended.status, suspended.suspendedById, suspended.role, suspended.accountId]).toEqual(['SUSPENDED', 'u-che-admin', 'ACCOUNT_HOLDER', 'CHE-200-0002']);
    expect(await setGrantSuspended(ledger, swissAdmin, inSwiss.grantId, true)).toMatchObject({ ok: false, code: 'GRANT_ALREADY_IN_STATE' });
    // A higher level may lift what a lower level suspended.
    expect(await setGrantSuspended(ledger, registryAdmin, inSwiss.grantId, false)).toMatchObject({ ok: true });
    expect((await loadSession(database.db, sessionId, clock))?.grants).toHaveLength(2);

    expect(await revokeGrant(ledger, swissAdmin, inSwiss.grantId)).toMatchObject({ ok: true });
    expect(await database.db.grant.findUnique({ where: { id: inSwiss.grantId } })).toBeNull();
    expect(await setGrantSuspended(ledger, swissAdmin, inSwiss.grantId, false)).toMatchObject({ ok: false, code: 'GRANT_NOT_FOUND' });
    expect((await loadSession(database.db, sessionId, clock))?.grants.map((g) => g.accountId)).toEqual(['GHA-200-0001']);

    const kinds = await database.db.ledgerTransaction.findMany({ where: { input: { contains: inSwiss.grantId } }, orderBy: { createdAt: 'asc' }, select: { kind: true, initiatorId: true } });
    expect(kinds).toEqual([
      { kind: 'GRANT_CREATE', initiatorId: 'u-che-admin' },
      { kind: 'GRANT_SUSPEND', initiatorId: 'u-che-admin' },
      { kind: 'GRANT_REINSTATE', initiatorId: 'u-regadmin' },
      { kind: 'GRANT_REVOKE', initiatorId: 'u-che-admin' },
    ]);
  });
});

describe('suspending a user\'s access (A6R-5, A6R-50)', () => {
  it('ends every session at once; only system administrators suspend administrators', async () => {
    const userId = await newVerifiedUser('paula@example.test');
    const sessionId = await signedInSession(userId);
    expect(await setUserAccessSuspended(ledger, registryAdmin, 'u-sysadmin', true)).toMatchObject({ ok: false, code: 'NOT_ALLOWED' });
    expect(await setUserAccessSuspended(ledger, registryAdmin, 'u-regadmin', true)).toMatchObject({ ok: false, code: 'SELF_NOT_ALLOWED' });
    expect(await setUserAccessSuspended(ledger, registryAdmin, userId, true)).toMatchObject({ ok: true, sessionsEnded: 1 });
    expect(await loadSession(database.db, sessionId, clock)).toBeNull();
    const fresh = await signedInSession(userId);
    expect(await loadSession(database.db, fresh, clock)).toBeNull();
    expect(await setUserAccessSuspended(ledger, systemAdmin, userId, false)).toMatchObject({ ok: true });
    expect(await loadSession(database.db, fresh, clock)).not.toBeNull();
  });
});

describe('impersonation (A6R-43)', () => {
  it('acts with the user\'s grants only, records both identities, and ends explicitly or on timeout', async () => {
    const sessionId = await signedInSession('u-regadmin');
    expect(await startImpersonation(ledger, registryAdmin, sessionId, 'u-sysadmin')).toMatchObject({ ok: false, code: 'IMPERSONATION_REFUSED' });
    expect(await startImpersonation(ledger, registryAdmin, sessionId, 'u-regadmin')).toMatchObject({ ok: false, code: 'IMPERSONATION_REFUSED' });
    const started = await startImpersonation(ledger, registryAdmin, sessionId, 'u-holder');
    expect(started.ok).toBe(true);
    const session = await loadSession(database.db, sessionId, clock);
    expect(session?.actingAs?.userId).toBe('u-holder');
    expect(session?.userId).toBe('u-regadmin');
    expect(session?.grants.every((g) => g.role === 'ACCOUNT_HOLDER')).toBe(true);

    const start = await database.db.ledgerTransaction.findFirstOrThrow({ where: { kind: 'IMPERSONATION_START' }, orderBy: { createdAt: 'desc' } });
    expect([start.initiatorId, start.impersonatorId]).toEqual(['u-regadmin', null]);
    expect(start.input).toContain('"targetUserId":"u-holder"');

    const asHolder: Actor = { userId: 'u-holder', impersonatorId: 'u-regadmin', grants: session?.grants ?? [] };
    expect(await stopImpersonation(ledger, asHolder, sessionId)).toMatchObject({ ok: true });
    expect((await loadSession(database.db, sessionId, clock))?.actingAs).toBeNull();
    const end = await database.db.ledgerTransaction.findFirstOrThrow({ where: { kind: 'IMPERSONATION_END' } });
    expect([end.initiatorId, end.impersonatorId]).toEqual(['u-holder', 'u-regadmin']);
    expect(await stopImpersonation(ledger, asHolder, sessionId)).toMatchObject({ ok: false, code: 'NOT_IMPERSONATING' });

    await startImpersonation(ledger, registryAdmin, sessionId, 'u-holder');
    const later = new Date(clock.getTime() + 31 * 60 * 1000);
    const afterTimeout = await loadSession(database.db, sessionId, later);
    expect(afterTimeout?.actingAs).toBeNull();
    expect(afterTimeout?.grants.map((g) => g.role)).toEqual(['REGISTRY_ADMIN']);
  });
});

describe('the log', () => {
  it('stays verifiable with every access act in it', async () => {
    const report = await verifyLedger(ledger.pool, ledger.publicKeyPem);
    expect(report.disagreement).toBeNull();
    expect(report.ok).toBe(true);
    const acts = await database.db.ledgerTransaction.count({ where: { kind: { in: ['USER_CREATE', 'IDENTITY_CHECK', 'GRANT_CREATE', 'GRANT_SUSPEND', 'GRANT_REVOKE', 'USER_ACCESS_SUSPEND', 'IMPERSONATION_START'] } } });
    expect(acts).toBeGreaterThan(15);
  });
});
