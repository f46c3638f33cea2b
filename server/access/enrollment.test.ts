import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInWithPassword } from '../auth/auth-options';
import { createSession } from '../auth/session-store';
import { seedDemo } from '../demo/seed';
import type { Actor, LedgerContext } from '../ledger/types';
import { createMailer, readCapturedMail } from '../mail/mailer';
import { createTestDatabase, type TestDatabase } from '../testing/test-database';
import { enrollWithToken, ENROLLMENT_TTL_MS, issueEnrollmentLink } from './enrollment';
import { createUser, recordIdentityCheck } from './users';

let database: TestDatabase;
let ledger: LedgerContext;
let captureDir: string;
let clock = new Date('2026-11-22T09:00:00Z');
const registryAdmin: Actor = { userId: 'u-regadmin', impersonatorId: null, grants: [{ role: 'REGISTRY_ADMIN', sectionId: null, accountId: null }] };
const swissAdmin: Actor = { userId: 'u-che-admin', impersonatorId: null, grants: [{ role: 'SECTION_ADMIN', sectionId: 'CHE', accountId: null }] };
const NEW_PASSWORD = 'granite lantern orchard seventeen';

beforeAll(async () => {
  database = await createTestDatabase('registry_enroll');
  ledger = database.ledger({ now: () => (clock = new Date(clock.getTime() + 1)) });
  captureDir = await mkdtemp(path.join(tmpdir(), 'registry-mail-'));
  await seedDemo(ledger, 'the demo password, long enough');
});

afterAll(async () => {
  await database?.drop();
  if (captureDir) await rm(captureDir, { recursive: true, force: true });
});

const mail = () => ({ mailer: createMailer({ from: 'Registry <no-reply@example.test>', captureDir }), baseUrl: 'https://registry.example.test' });

async function lastLink(to: string): Promise<string> {
  const messages = (await readCapturedMail(captureDir)).filter((m) => m.to === to);
  const text = messages.at(-1)?.text ?? '';
  const match = /https:\/\/registry\.example\.test\/enroll\/([A-Za-z0-9_-]+)/.exec(text);
  if (!match?.[1]) throw new Error(`no enrollment link mailed to ${to}`);
  return match[1];
}

describe('enrollment links (A6R-4)', () => {
  it('are sent only for verified identities, work once, and lead to password then passkey', async () => {
    const created = await createUser(ledger, swissAdmin, { email: 'lena@example.test', name: 'Lena Lehmann' });
    if (!created.ok) throw new Error(created.message);
    const userId = created.userId;
    expect(await issueEnrollmentLink(ledger, swissAdmin, userId, mail())).toMatchObject({ ok: false, code: 'IDENTITY_NOT_VERIFIED' });
    expect(await readCapturedMail(captureDir)).toEqual([]);
    await recordIdentityCheck(ledger, registryAdmin, { userId, method: 'GOVERNMENT_ID', outcome: 'VERIFIED', checkedAt: clock, note: '' });

    expect(await issueEnrollmentLink(ledger, swissAdmin, userId, mail())).toMatchObject({ ok: true });
    const token = await lastLink('lena@example.test');
    const [message] = await readCapturedMail(captureDir);
    expect(message?.subject).toBe('Set up your access to the Article 6 Registry');
    expect(message?.text).toContain('The link works once and expires at');
    // Only the token's hash is stored; the log holds neither the token nor the address.
    expect(await database.db.enrollmentToken.count({ where: { tokenHash: token } })).toBe(0);
    const logged = await database.db.logEntry.findFirstOrThrow({ where: { kind: 'CREDENTIAL_ISSUE' } });
    expect(logged.payload).not.toContain(token);
    expect(logged.payload).not.toContain('lena@');

    // A refused password leaves the link usable; a good one uses it up.
    expect(await enrollWithToken(ledger, token, 'short')).toMatchObject({ ok: false, code: 'PASSWORD_REJECTED' });
    expect(await enrollWithToken(ledger, token, 'qwertyuiop123')).toMatchObject({ ok: false, code: 'PASSWORD_REJECTED', message: expect.stringMatching(/common and breached/) });
    expect(await enrollWithToken(ledger, token, 'lena lehmann forever')).toMatchObject({ ok: false, code: 'PASSWORD_REJECTED' });
    expect(await enrollWithToken(ledger, token, NEW_PASSWORD)).toMatchObject({ ok: true });
    expect(await enrollWithToken(ledger, token, NEW_PASSWORD)).toMatchObject({ ok: false, code: 'TOKEN_INVALID' });

    const signedIn = await signInWithPassword(database.db, { email: 'lena@example.test', password: NEW_PASSWORD }, clock, '192.0.2.50');
    expect(signedIn).toMatchObject({ ok: true });
    const enrolled = await database.db.ledgerTransaction.findFirstOrThrow({ where: { kind: 'CREDENTIAL_ENROLL' } });
    expect(enrolled.initiatorId).toBe(userId);
  });

  it('a newer link replaces the older one; an expired link is refused; enrolling again ends sessions and removes passkeys', async () => {
    const userId = 'u-viewer';
    expect(await issueEnrollmentLink(ledger, swissAdmin, userId, mail())).toMatchObject({ ok: true });
    const first = await lastLink('viewer@demo.registry');
    expect(await issueEnrollmentLink(ledger, swissAdmin, userId, mail())).toMatchObject({ ok: true });
    const second = await lastLink('viewer@demo.registry');
    expect(second).not.toBe(first);
    expect(await enrollWithToken(ledger, first, NEW_PASSWORD)).toMatchObject({ ok: false, code: 'TOKEN_INVALID' });

    await database.db.webAuthnCredential.create({ data: { id: 'cred-old', userId, publicKey: new Uint8Array([1]), counter: 0n, transports: [], label: 'old phone' } });
    const session = await createSession(database.db, userId, clock);
    expect(await enrollWithToken(ledger, second, NEW_PASSWORD)).toMatchObject({ ok: true });
    expect(await database.db.webAuthnCredential.count({ where: { userId } })).toBe(0);
    expect((await database.db.authSession.findUniqueOrThrow({ where: { id: session } })).revokedAt).not.toBeNull();

    expect(await issueEnrollmentLink(ledger, swissAdmin, userId, mail())).toMatchObject({ ok: true });
    const third = await lastLink('viewer@demo.registry');
    clock = new Date(clock.getTime() + ENROLLMENT_TTL_MS + 1000);
    expect(await enrollWithToken(ledger, third, NEW_PASSWORD)).toMatchObject({ ok: false, code: 'TOKEN_INVALID' });
    expect(await enrollWithToken(ledger, 'not a token at all', NEW_PASSWORD)).toMatchObject({ ok: false, code: 'TOKEN_INVALID' });
  });

  it('leaves registry administrators\' credentials to system administrators (A6R-50)', async () => {
    expect(await issueEnrollmentLink(ledger, registryAdmin, 'u-regadmin', mail())).toMatchObject({ ok: false, code: 'NOT_ALLOWED' });
    const sysadmin: Actor = { userId: 'u-sysadmin', impersonatorId: null, grants: [{ role: 'SYSTEM_ADMIN', sectionId: null, accountId: null }] };
    expect(await issueEnrollmentLink(ledger, sysadmin, 'u-regadmin', mail())).toMatchObject({ ok: true });
    // A section administrator does not reach another section's users.
    expect(await issueEnrollmentLink(ledger, swissAdmin, 'u-gha-holder', mail())).toMatchObject({ ok: false, code: 'NOT_ALLOWED' });
  });
});
