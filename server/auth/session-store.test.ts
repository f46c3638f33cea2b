import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testing/test-database';
import { createSession, loadSession, markSecondFactor, revokeAllSessions, revokeSession, SESSION_TTL_MS } from './session-store';

// Integration test against a real PostgreSQL: a fresh database per file, migrated with the project's
// migrations, dropped at the end.

let database: TestDatabase;
const T0 = new Date('2030-01-01T08:00:00.000Z');
const later = (ms: number) => new Date(T0.getTime() + ms);

beforeAll(async () => {
  database = await createTestDatabase('auth_sessions');
  const { db } = database;
  await db.section.create({ data: { id: 'CHE', name: 'Switzerland' } });
  await db.user.createMany({
    data: [
      { id: 'u-anna', email: 'anna@example.test', name: 'Anna Keller', passwordHash: 'not-used-here' },
      { id: 'u-bob', email: 'bob@example.test', name: 'Bob Builder', passwordHash: 'not-used-here' },
    ],
  });
  await db.grant.createMany({
    data: [
      { id: 'g-1', userId: 'u-anna', role: 'SECTION_ADMIN', sectionId: 'CHE' },
      { id: 'g-2', userId: 'u-anna', role: 'VIEWER', status: 'SUSPENDED' },
    ],
  });
});

afterAll(async () => {
  await database?.drop();
});

describe('server-side sessions', () => {
  it('a new session resolves to its user, without the second factor', async () => {
    const sid = await createSession(database.db, 'u-anna', T0);
    expect(sid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const user = await loadSession(database.db, sid, later(1000));
    expect(user).toEqual({
      sessionId: sid,
      userId: 'u-anna',
      email: 'anna@example.test',
      name: 'Anna Keller',
      secondFactorVerified: false,
      hasPasskey: false,
      // Only active grants count; the suspended one is left out.
      grants: [{ role: 'SECTION_ADMIN', sectionId: 'CHE', accountId: null }],
      stepUpAt: null,
      actingAs: null,
    });
  });

  it('markSecondFactor makes the session verified and clears a pending challenge', async () => {
    const sid = await createSession(database.db, 'u-anna', T0);
    await database.db.authSession.update({ where: { id: sid }, data: { challenge: 'authentication:0:abc' } });
    await markSecondFactor(database.db, sid, later(2000));
    expect((await loadSession(database.db, sid, later(3000)))?.secondFactorVerified).toBe(true);
    const row = await database.db.authSession.findUniqueOrThrow({ where: { id: sid } });
    expect(row.secondFactorAt).toEqual(later(2000));
    expect(row.challenge).toBeNull();
  });

  it('reports whether the account has a passkey', async () => {
    const sid = await createSession(database.db, 'u-bob', T0);
    expect((await loadSession(database.db, sid, T0))?.hasPasskey).toBe(false);
    await database.db.webAuthnCredential.create({
      data: { id: 'cred-bob-1', userId: 'u-bob', publicKey: new Uint8Array([1, 2, 3]), counter: 0n, transports: ['internal'], label: 'Test key' },
    });
    expect((await loadSession(database.db, sid, T0))?.hasPasskey).toBe(true);
  });

  it('a revoked session resolves to nothing, at once', async () => {
    const sid = await createSession(database.db, 'u-anna', T0);
    await markSecondFactor(database.db, sid, T0);
    await revokeSession(database.db, sid, later(5000));
    expect(await loadSession(database.db, sid, later(5001))).toBeNull();
    // Revoking twice keeps the first revocation time.
    await revokeSession(database.db, sid, later(9000));
    expect((await database.db.authSession.findUniqueOrThrow({ where: { id: sid } })).revokedAt).toEqual(later(5000));
  });

  it('revokeAllSessions ends every session of the user and no one else’s', async () => {
    const annaSessions = await Promise.all([createSession(database.db, 'u-anna', T0), createSession(database.db, 'u-anna', T0)]);
    const bobSession = await createSession(database.db, 'u-bob', T0);
    const ended = await revokeAllSessions(database.db, 'u-anna', later(1000));
    // Every live session of Anna's, including those of the tests above that were not revoked.
    expect(ended).toBeGreaterThanOrEqual(2);
    for (const sid of annaSessions) expect(await loadSession(database.db, sid, later(1001))).toBeNull();
    expect(await loadSession(database.db, bobSession, later(1001))).not.toBeNull();
    expect(await database.db.authSession.count({ where: { userId: 'u-anna', revokedAt: null } })).toBe(0);
    expect(await revokeAllSessions(database.db, 'u-anna', later(2000))).toBe(0);
  });

  it('a session expires after its lifetime, to the millisecond', async () => {
    const sid = await createSession(database.db, 'u-bob', T0);
    expect(await loadSession(database.db, sid, later(SESSION_TTL_MS - 1))).not.toBeNull();
    expect(await loadSession(database.db, sid, later(SESSION_TTL_MS))).toBeNull();
    expect(await loadSession(database.db, sid, later(SESSION_TTL_MS + 60_000))).toBeNull();
  });

  it('an unknown session id resolves to nothing', async () => {
    expect(await loadSession(database.db, 'no-such-session', T0)).toBeNull();
  });
});
