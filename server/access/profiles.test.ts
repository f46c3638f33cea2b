import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../demo/seed';
import { verifyLedger } from '../ledger/verify';
import type { Actor, LedgerContext } from '../ledger/types';
import { createTestDatabase, type TestDatabase } from '../testing/test-database';
import { anonymiseUser, currentProfile, decideProfileChange, requestProfileChange, type Profile } from './profiles';
import { setUserAccessSuspended } from './users';

let database: TestDatabase;
let ledger: LedgerContext & { publicKeyPem: string };
let clock = new Date('2026-11-22T09:00:00Z');
const holder: Actor = { userId: 'u-holder', impersonatorId: null, grants: [{ role: 'ACCOUNT_HOLDER', sectionId: null, accountId: 'CHE-200-0001' }] };
const swissAdmin: Actor = { userId: 'u-che-admin', impersonatorId: null, grants: [{ role: 'SECTION_ADMIN', sectionId: 'CHE', accountId: null }] };
const ghanaAdmin: Actor = { userId: 'u-gha-admin', impersonatorId: null, grants: [{ role: 'SECTION_ADMIN', sectionId: 'GHA', accountId: null }] };
const registryAdmin: Actor = { userId: 'u-regadmin', impersonatorId: null, grants: [{ role: 'REGISTRY_ADMIN', sectionId: null, accountId: null }] };

beforeAll(async () => {
  database = await createTestDatabase('registry_profiles');
  ledger = database.ledger({ now: () => (clock = new Date(clock.getTime() + 1)) });
  await seedDemo(ledger, 'the demo password, long enough');
});

afterAll(async () => {
  await database?.drop();
});

const base: Profile = { name: 'Lukas Brunner', affiliations: [], contacts: [{ kind: 'EMAIL', value: 'holder@demo.registry' }] };

describe('profiles (A6R-9..11, A6R-49)', () => {
  it('applies new contact methods at once and keeps only a digest in the log', async () => {
    const withPhone: Profile = { ...base, contacts: [...base.contacts, { kind: 'PHONE', value: '+41 44 555 01 23' }] };
    expect(await requestProfileChange(ledger, holder, withPhone)).toMatchObject({ ok: true, applied: true });
    expect(await currentProfile(database.db, 'u-holder')).toEqual(withPhone);
    expect(await requestProfileChange(ledger, holder, withPhone)).toMatchObject({ ok: false, code: 'NO_CHANGE' });
    const entry = await database.db.logEntry.findFirstOrThrow({ where: { kind: 'PROFILE_CHANGE_REQUEST' } });
    // The number's digits alone could occur in a hash or a key's fingerprint; its spaced form cannot.
    expect(entry.payload).not.toContain('555 01 23');
    expect(entry.payload).not.toContain('PHONE');
    expect(entry.payload).toMatch(/"digest":"[0-9a-f]{64}"/);
  });

  it('holds a change of name or affiliation for the administrator who administers the user', async () => {
    const current = (await currentProfile(database.db, 'u-holder')) as Profile;
    const renamed: Profile = { ...current, name: 'Lukas Brunner-Meier', affiliations: ['Alpine Climate Partners AG'] };
    const requested = await requestProfileChange(ledger, holder, renamed);
    expect(requested).toMatchObject({ ok: true, applied: false });
    if (!requested.ok) return;
    expect(await requestProfileChange(ledger, holder, { ...renamed, name: 'Someone Else' })).toMatchObject({ ok: false, code: 'REQUEST_PENDING' });
    expect((await currentProfile(database.db, 'u-holder'))?.name).toBe('Lukas Brunner');
    expect(await decideProfileChange(ledger, ghanaAdmin, requested.requestId, true)).toMatchObject({ ok: false, code: 'NOT_ALLOWED' });
    expect(await decideProfileChange(ledger, swissAdmin, requested.requestId, true)).toMatchObject({ ok: true, version: 2 });
    expect(await decideProfileChange(ledger, registryAdmin, requested.requestId, false)).toMatchObject({ ok: false, code: 'REQUEST_NOT_FOUND' });
    expect((await database.db.user.findUniqueOrThrow({ where: { id: 'u-holder' } })).name).toBe('Lukas Brunner-Meier');
    expect(await database.db.profileVersion.count({ where: { userId: 'u-holder' } })).toBe(2);
  });

  it('anonymises as its own logged act, after suspension, leaving the log verifiable', async () => {
    expect(await anonymiseUser(ledger, registryAdmin, 'u-holder')).toMatchObject({ ok: false, code: 'STILL_ACTIVE' });
    expect(await setUserAccessSuspended(ledger, registryAdmin, 'u-holder', true)).toMatchObject({ ok: true });
    expect(await anonymiseUser(ledger, registryAdmin, 'u-holder')).toMatchObject({ ok: true, versionsErased: 2 });
    const user = await database.db.user.findUniqueOrThrow({ where: { id: 'u-holder' } });
    expect([user.name, user.email, user.personalDataKey]).toEqual(['Anonymised user', 'anonymised+u-holder@invalid', null]);
    const versions = await database.db.profileVersion.findMany({ where: { userId: 'u-holder' } });
    expect(versions.every((v) => v.data === '{}' && v.anonymisedAt !== null)).toBe(true);
    // The history cannot be rewritten otherwise, not even by a console session.
    await expect(database.db.$executeRawUnsafe(`UPDATE "ProfileVersion" SET "data" = '{"name":"x"}' WHERE "userId" = 'u-holder'`)).rejects.toThrow(/can only be anonymised/);
    await expect(database.db.$executeRawUnsafe(`DELETE FROM "ProfileVersion" WHERE "userId" = 'u-holder'`)).rejects.toThrow(/never deleted/);
    expect(await anonymiseUser(ledger, registryAdmin, 'u-holder')).toMatchObject({ ok: true, versionsErased: 0 });
    expect(await requestProfileChange(ledger, holder, base)).toMatchObject({ ok: false, code: 'USER_NOT_FOUND' });
    const report = await verifyLedger(ledger.pool, ledger.publicKeyPem);
    expect(report.disagreement).toBeNull();
    const everything = (await database.db.logEntry.findMany({ select: { payload: true } })).map((e) => e.payload).join('\n');
    expect(everything).not.toContain('Brunner');
  });
});
