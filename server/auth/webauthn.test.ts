import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isoBase64URL, isoCBOR } from '@simplewebauthn/server/helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testing/test-database';
import { gate, STEP_UP_WINDOW_MS } from '../access/policy';
import { actorOf } from './actor';
import { SIGN_IN_FAILED_MESSAGE, signInWithPassword } from './auth-options';
import { hashPassword } from './password';
import { createSession, loadSession, revokeSession, type CurrentUser } from './session-store';
import {
  CHALLENGE_TTL_MS,
  finishPasskeyAuthentication,
  finishPasskeyRegistration,
  handlePasskeyRequest,
  relyingPartyFrom,
  startPasskeyAuthentication,
  startPasskeyRegistration,
  type RelyingParty,
} from './webauthn';

/*
 * The two sign-in steps against a real PostgreSQL, with a software authenticator standing in for the
 * browser: it builds the same attestation and assertion structures a platform authenticator does
 * (fmt "none", ES256), so @simplewebauthn/server verifies them for real. The browser side (the
 * DevTools virtual authenticator) is the end-to-end tests' job.
 */

const RP: RelyingParty = relyingPartyFrom('http://localhost:3000', 'Article 6 Registry (test)');
const T0 = new Date('2030-01-01T08:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

const FLAG_USER_PRESENT = 0x01;
const FLAG_USER_VERIFIED = 0x04;
const FLAG_ATTESTED_DATA = 0x40;

/** The library's base64url helper wants a plain ArrayBuffer-backed array; Node's Buffer may be pooled. */
const bytes = (buffer: Uint8Array): Uint8Array<ArrayBuffer> => new Uint8Array(buffer);

class SoftwareAuthenticator {
  readonly credentialId = isoBase64URL.fromBuffer(bytes(randomBytes(32)));
  private readonly privateKey: KeyObject;
  private readonly publicJwk: { x: string; y: string };
  counter = 0;

  constructor() {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.privateKey = privateKey;
    const jwk = publicKey.export({ format: 'jwk' });
    if (!jwk.x || !jwk.y) throw new Error('no EC coordinates');
    this.publicJwk = { x: jwk.x, y: jwk.y };
  }

  private authData(rpId: string, flags: number, attested?: Uint8Array): Buffer {
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(this.counter);
    return Buffer.concat([createHash('sha256').update(rpId).digest(), Buffer.from([flags]), counter, ...(attested ? [attested] : [])]);
  }

  private clientData(type: string, challenge: string, origin: string): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }));
  }

  register(options: { challenge: string }, { rpId = RP.id, origin = RP.origin, flags = FLAG_USER_PRESENT | FLAG_USER_VERIFIED } = {}) {
    const cose = isoCBOR.encode(
      new Map<number, number | Uint8Array>([
        [1, 2], // kty: EC2
        [3, -7], // alg: ES256
        [-1, 1], // crv: P-256
        [-2, isoBase64URL.toBuffer(this.publicJwk.x)],
        [-3, isoBase64URL.toBuffer(this.publicJwk.y)],
      ]),
    );
    const credentialId = isoBase64URL.toBuffer(this.credentialId);
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(credentialId.length);
    const attested = Buffer.concat([Buffer.alloc(16), idLength, credentialId, cose]);
    const authData = this.authData(rpId, flags | FLAG_ATTESTED_DATA, attested);
    const attestationObject = isoCBOR.encode(
      new Map<string, string | Uint8Array | Map<string, never>>([
        ['fmt', 'none'],
        ['attStmt', new Map<string, never>()],
        ['authData', new Uint8Array(authData)],
      ]),
    );
    return {
      id: this.credentialId,
      rawId: this.credentialId,
      type: 'public-key',
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
      response: {
        clientDataJSON: isoBase64URL.fromBuffer(bytes(this.clientData('webauthn.create', options.challenge, origin))),
        attestationObject: isoBase64URL.fromBuffer(attestationObject),
        transports: ['internal'],
      },
    };
  }

  assert(options: { challenge: string }, { rpId = RP.id, origin = RP.origin, flags = FLAG_USER_PRESENT | FLAG_USER_VERIFIED } = {}) {
    this.counter += 1;
    const authData = this.authData(rpId, flags);
    const clientData = this.clientData('webauthn.get', options.challenge, origin);
    const signature = sign('sha256', Buffer.concat([authData, createHash('sha256').update(clientData).digest()]), this.privateKey);
    return {
      id: this.credentialId,
      rawId: this.credentialId,
      type: 'public-key',
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
      response: {
        clientDataJSON: isoBase64URL.fromBuffer(bytes(clientData)),
        authenticatorData: isoBase64URL.fromBuffer(bytes(authData)),
        signature: isoBase64URL.fromBuffer(bytes(signature)),
      },
    };
  }
}

let database: TestDatabase;
let userSeq = 0;

async function newUser(): Promise<string> {
  userSeq += 1;
  const id = `u-test-${userSeq}`;
  await database.db.user.create({ data: { id, email: `${id}@example.test`, name: `Test User ${userSeq}`, passwordHash: 'unused' } });
  return id;
}

/** A session that has passed the password step only. */
async function passwordStage(userId: string, now = T0): Promise<CurrentUser> {
  const sid = await createSession(database.db, userId, now);
  const session = await loadSession(database.db, sid, now);
  if (!session) throw new Error('session not created');
  return session;
}

async function reload(session: CurrentUser, now = T0): Promise<CurrentUser | null> {
  return loadSession(database.db, session.sessionId, now);
}

/** A user with one enrolled passkey, and a fresh password-stage session of theirs. */
async function enrolledUser(): Promise<{ userId: string; key: SoftwareAuthenticator; session: CurrentUser }> {
  const userId = await newUser();
  const key = new SoftwareAuthenticator();
  const first = await passwordStage(userId);
  const options = await startPasskeyRegistration(database.db, first, RP, T0);
  if (!options.ok) throw new Error(options.code);
  const done = await finishPasskeyRegistration(database.db, first, RP, key.register(options.options), T0);
  if (!done.ok) throw new Error(`${done.code} ${done.detail ?? ''}`);
  return { userId, key, session: await passwordStage(userId) };
}

beforeAll(async () => {
  database = await createTestDatabase('auth_webauthn');
});

afterAll(async () => {
  await database?.drop();
});

describe('step one: the password', () => {
  beforeAll(async () => {
    await database.db.user.create({ data: { id: 'u-pw', email: 'pat@example.test', name: 'Pat Password', passwordHash: await hashPassword('a long passphrase') } });
  });

  it('opens a session without its second factor for the right password (email case-insensitive)', async () => {
    const result = await signInWithPassword(database.db, { email: '  Pat@Example.TEST ', password: 'a long passphrase', csrfToken: 'ignored' }, T0);
    expect(result).toMatchObject({ ok: true, userId: 'u-pw', email: 'pat@example.test', name: 'Pat Password' });
    if (!result.ok) return;
    const session = await loadSession(database.db, result.sessionId, T0);
    expect(session).toMatchObject({ userId: 'u-pw', secondFactorVerified: false, hasPasskey: false });
  });

  it('refuses a wrong password and an unknown email with the same code and message', async () => {
    const before = await database.db.authSession.count();
    const wrong = await signInWithPassword(database.db, { email: 'pat@example.test', password: 'a long passphrasE' }, T0);
    const unknown = await signInWithPassword(database.db, { email: 'nobody@example.test', password: 'a long passphrase' }, T0);
    expect(wrong).toEqual({ ok: false, code: 'CREDENTIALS_INVALID', message: SIGN_IN_FAILED_MESSAGE });
    expect(unknown).toEqual(wrong);
    expect(SIGN_IN_FAILED_MESSAGE).toBe('Email or password is incorrect.');
    expect(await database.db.authSession.count()).toBe(before);
  });

  it('refuses malformed input before touching the database', async () => {
    for (const input of [undefined, null, {}, { email: 'pat@example.test' }, { email: 'pat@example.test', password: '' }, { email: 'p', password: 'x'.repeat(2000) }]) {
      expect(await signInWithPassword(database.db, input, T0)).toEqual({ ok: false, code: 'CREDENTIALS_MALFORMED', message: SIGN_IN_FAILED_MESSAGE });
    }
  });
});

describe('step two: enrolling the first passkey', () => {
  it('creates the passkey and verifies the session in one go', async () => {
    const userId = await newUser();
    const session = await passwordStage(userId);
    const key = new SoftwareAuthenticator();

    const options = await startPasskeyRegistration(database.db, session, RP, T0);
    if (!options.ok) throw new Error(options.code);
    expect(options.options.rp).toEqual({ id: 'localhost', name: 'Article 6 Registry (test)' });
    expect(options.options.user.name).toBe(`${userId}@example.test`);
    expect(options.options.user.id).toBe(isoBase64URL.fromUTF8String(userId));
    expect(options.options.authenticatorSelection?.userVerification).toBe('required');
    expect(options.options.excludeCredentials).toEqual([]);
    const stored = await database.db.authSession.findUniqueOrThrow({ where: { id: session.sessionId } });
    expect(stored.challenge).toBe(`registration:${T0.getTime()}:${options.options.challenge}`);

    const done = await finishPasskeyRegistration(database.db, session, RP, key.register(options.options), at(1000), '  My laptop  ');
    expect(done).toEqual({ ok: true, credentialId: key.credentialId });
    const credential = await database.db.webAuthnCredential.findUniqueOrThrow({ where: { id: key.credentialId } });
    expect(credential).toMatchObject({ userId, counter: 0n, transports: ['internal'], label: 'My laptop', lastUsedAt: at(1000) });
    // Registering a first passkey completes the sign-in but is no step-up: that passkey was never confirmed before.
    expect(await reload(session, at(1000))).toMatchObject({ secondFactorVerified: true, hasPasskey: true, stepUpAt: null });
    expect((await database.db.authSession.findUniqueOrThrow({ where: { id: session.sessionId } })).challenge).toBeNull();
  });

  it('uses each challenge once: a replayed registration is refused', async () => {
    const userId = await newUser();
    const session = await passwordStage(userId);
    const key = new SoftwareAuthenticator();
    const options = await startPasskeyRegistration(database.db, session, RP, T0);
    if (!options.ok) throw new Error(options.code);
    const response = key.register(options.options);
    expect((await finishPasskeyRegistration(database.db, session, RP, response, T0)).ok).toBe(true);
    expect(await finishPasskeyRegistration(database.db, session, RP, response, T0)).toMatchObject({ ok: false, code: 'CHALLENGE_MISSING' });
    expect(await database.db.webAuthnCredential.count({ where: { userId } })).toBe(1);
  });

  it('refuses a passkey made for another site or origin, and one that did not verify the user', async () => {
    const cases = [
      { rpId: 'evil.example', code: 'VERIFICATION_FAILED' },
      { origin: 'https://evil.example', code: 'VERIFICATION_FAILED' },
      { flags: FLAG_USER_PRESENT, code: 'VERIFICATION_FAILED' },
    ] as const;
    for (const { code, ...tamper } of cases) {
      const session = await passwordStage(await newUser());
      const options = await startPasskeyRegistration(database.db, session, RP, T0);
      if (!options.ok) throw new Error(options.code);
      const result = await finishPasskeyRegistration(database.db, session, RP, new SoftwareAuthenticator().register(options.options, tamper), T0);
      expect(result).toMatchObject({ ok: false, code });
      expect(await reload(session)).toMatchObject({ secondFactorVerified: false, hasPasskey: false });
    }
  });

  it('refuses a malformed answer, a missing challenge and an expired one', async () => {
    const session = await passwordStage(await newUser());
    const key = new SoftwareAuthenticator();
    expect(await finishPasskeyRegistration(database.db, session, RP, { id: 'x' }, T0)).toMatchObject({ ok: false, code: 'RESPONSE_MALFORMED' });
    expect(await finishPasskeyRegistration(database.db, session, RP, key.register({ challenge: 'never-issued-challenge' }), T0)).toMatchObject({
      ok: false,
      code: 'CHALLENGE_MISSING',
    });
    const options = await startPasskeyRegistration(database.db, session, RP, T0);
    if (!options.ok) throw new Error(options.code);
    expect(await finishPasskeyRegistration(database.db, session, RP, key.register(options.options), at(CHALLENGE_TTL_MS + 1))).toMatchObject({
      ok: false,
      code: 'CHALLENGE_EXPIRED',
    });
    expect(await reload(session)).toMatchObject({ secondFactorVerified: false, hasPasskey: false });
  });

  it('refuses a second "first" passkey from a session that has not used the first one', async () => {
    const { session } = await enrolledUser();
    expect(await startPasskeyRegistration(database.db, session, RP, T0)).toMatchObject({ ok: false, code: 'PASSKEY_ALREADY_ENROLLED' });
  });

  it('lets only one of two concurrent password-stage sessions enrol the first passkey', async () => {
    const userId = await newUser();
    const sessions = [await passwordStage(userId), await passwordStage(userId)];
    const attempts = await Promise.all(
      sessions.map(async (session) => {
        const options = await startPasskeyRegistration(database.db, session, RP, T0);
        if (!options.ok) throw new Error(options.code);
        return { session, response: new SoftwareAuthenticator().register(options.options) };
      }),
    );
    const results = await Promise.all(attempts.map(({ session, response }) => finishPasskeyRegistration(database.db, session, RP, response, T0)));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok)).toMatchObject([{ code: 'PASSKEY_ALREADY_ENROLLED' }]);
    expect(await database.db.webAuthnCredential.count({ where: { userId } })).toBe(1);
  });

  it('refuses to complete for a session revoked during the ceremony', async () => {
    const userId = await newUser();
    const session = await passwordStage(userId);
    const options = await startPasskeyRegistration(database.db, session, RP, T0);
    if (!options.ok) throw new Error(options.code);
    await revokeSession(database.db, session.sessionId, T0);
    expect(await finishPasskeyRegistration(database.db, session, RP, new SoftwareAuthenticator().register(options.options), T0)).toMatchObject({
      ok: false,
      code: 'SESSION_NOT_FOUND',
    });
    expect(await database.db.webAuthnCredential.count({ where: { userId } })).toBe(0);
  });
});

describe('step two: the passkey check at a later sign-in', () => {
  it('verifies the assertion, advances the counter and verifies the session', async () => {
    const { key, session } = await enrolledUser();
    expect(session).toMatchObject({ secondFactorVerified: false, hasPasskey: true });

    const options = await startPasskeyAuthentication(database.db, session, RP, T0);
    if (!options.ok) throw new Error(options.code);
    expect(options.options.rpId).toBe('localhost');
    expect(options.options.userVerification).toBe('required');
    expect(options.options.allowCredentials).toEqual([{ id: key.credentialId, type: 'public-key', transports: ['internal'] }]);

    const response = key.assert(options.options);
    expect(await finishPasskeyAuthentication(database.db, session, RP, response, at(500))).toEqual({ ok: true, credentialId: key.credentialId });
    expect(await reload(session, at(500))).toMatchObject({ secondFactorVerified: true });
    expect(await database.db.webAuthnCredential.findUniqueOrThrow({ where: { id: key.credentialId } })).toMatchObject({ counter: 1n, lastUsedAt: at(500) });

    // The same answer again: its challenge is spent.
    expect(await finishPasskeyAuthentication(database.db, session, RP, response, at(600))).toMatchObject({ ok: false, code: 'CHALLENGE_MISSING' });
  });

  it("refuses another account's passkey", async () => {
    const mallory = await enrolledUser();
    const { session } = await enrolledUser();
    const options = await startPasskeyAuthentication(database.db, session, RP, T0);
    if (!options.ok) throw new Error(options.code);
    expect(await finishPasskeyAuthentication(database.db, session, RP, mallory.key.assert(options.options), T0)).toMatchObject({
      ok: false,
      code: 'CREDENTIAL_UNKNOWN',
    });
    expect(await reload(session)).toMatchObject({ secondFactorVerified: false });
  });

  it('refuses a forged signature, a wrong origin, a missing user verification and a counter that went back', async () => {
    const { key, session } = await enrolledUser();
    const attempt = async (make: (challenge: { challenge: string }) => ReturnType<SoftwareAuthenticator['assert']>) => {
      const options = await startPasskeyAuthentication(database.db, session, RP, T0);
      if (!options.ok) throw new Error(options.code);
      return finishPasskeyAuthentication(database.db, session, RP, make(options.options), T0);
    };
    const forged = await attempt((o) => ({ ...key.assert(o), response: { ...key.assert(o).response, signature: new SoftwareAuthenticator().assert(o).response.signature } }));
    expect(forged).toMatchObject({ ok: false, code: 'VERIFICATION_FAILED' });
    expect(await attempt((o) => key.assert(o, { origin: 'https://evil.example' }))).toMatchObject({ ok: false, code: 'VERIFICATION_FAILED' });
    expect(await attempt((o) => key.assert(o, { flags: FLAG_USER_PRESENT }))).toMatchObject({ ok: false, code: 'VERIFICATION_FAILED' });

    expect((await attempt((o) => key.assert(o))).ok).toBe(true);
    const counter = (await database.db.webAuthnCredential.findUniqueOrThrow({ where: { id: key.credentialId } })).counter;
    key.counter = Number(counter) - 2; // a cloned authenticator lagging behind
    expect(await attempt((o) => key.assert(o))).toMatchObject({ ok: false, code: 'VERIFICATION_FAILED' });
  });

  it('does not spend a registration challenge on an authentication, nor the other way round', async () => {
    const { key, session } = await enrolledUser();
    const options = await startPasskeyAuthentication(database.db, session, RP, T0);
    if (!options.ok) throw new Error(options.code);
    expect(await finishPasskeyRegistration(database.db, session, RP, new SoftwareAuthenticator().register(options.options), T0)).toMatchObject({
      ok: false,
      code: 'CHALLENGE_MISSING',
    });
    // The attempt above consumed the challenge, so the genuine answer must start over.
    expect(await finishPasskeyAuthentication(database.db, session, RP, key.assert(options.options), T0)).toMatchObject({ ok: false, code: 'CHALLENGE_MISSING' });
  });

  it('has nothing to check for an account without a passkey', async () => {
    const session = await passwordStage(await newUser());
    expect(await startPasskeyAuthentication(database.db, session, RP, T0)).toMatchObject({ ok: false, code: 'NO_PASSKEY_ENROLLED' });
  });
});

describe('the HTTP adapter', () => {
  const deps = (user: CurrentUser | null) => ({ currentUser: async () => user, relyingParty: () => RP });
  const request = (body: string, origin: string | null = RP.origin) =>
    new Request('http://localhost:3000/api/auth/passkey/authenticate/verify', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(origin ? { origin } : {}) },
      body,
    });

  it('answers 401 without a live session, 403 from another origin and 400 for a bad body', async () => {
    const session = await passwordStage(await newUser());
    const step = async () => ({ ok: true as const });
    const signedOut = await handlePasskeyRequest(request('{}'), deps(null), step);
    expect(signedOut.status).toBe(401);
    expect(await signedOut.json()).toMatchObject({ code: 'SESSION_NOT_FOUND' });
    expect((await handlePasskeyRequest(request('{}', 'https://evil.example'), deps(session), step)).status).toBe(403);
    expect((await handlePasskeyRequest(request('{not json'), deps(session), step)).status).toBe(400);
    expect((await handlePasskeyRequest(request('[1]'), deps(session), step)).status).toBe(400);
    expect((await handlePasskeyRequest(request(''), deps(session), step)).status).toBe(200);
  });

  it('maps refusals to their status and message, and hides unexpected errors', async () => {
    const session = await passwordStage(await newUser());
    const refused = await handlePasskeyRequest(request('{}'), deps(session), (s) => startPasskeyAuthentication(database.db, s, RP, T0));
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({ code: 'NO_PASSKEY_ENROLLED', error: 'This account has no passkey yet. Create one first.' });

    const originalError = console.error;
    console.error = () => {};
    try {
      const broken = await handlePasskeyRequest(request('{}'), deps(session), async () => {
        throw new Error('secret internals at /srv/registry');
      });
      expect(broken.status).toBe(500);
      const text = await broken.text();
      expect(text).not.toContain('secret internals');
      expect(JSON.parse(text)).toMatchObject({ code: 'INTERNAL' });
    } finally {
      console.error = originalError;
    }
  });
});

describe('relying party', () => {
  it('is the host and origin of NEXTAUTH_URL, and refuses plain HTTP off localhost', () => {
    expect(relyingPartyFrom('https://registry.example.org/some/path', 'R')).toEqual({ id: 'registry.example.org', name: 'R', origin: 'https://registry.example.org' });
    expect(relyingPartyFrom('http://localhost:3000', 'R')).toEqual({ id: 'localhost', name: 'R', origin: 'http://localhost:3000' });
    expect(() => relyingPartyFrom('http://registry.example.org', 'R')).toThrow(/https/);
  });
});

describe('step-up before sensitive acts (A6R-7)', () => {
  it('counts the sign-in\'s passkey check as a step-up for the window, never the password alone', async () => {
    const { userId, key } = await enrolledUser();
    await database.db.grant.create({ data: { id: `g-${userId}`, userId, role: 'REGISTRY_ADMIN' } });
    await database.db.user.update({ where: { id: userId }, data: { passwordHash: await hashPassword('an administrator passphrase') } });
    // The password step, as the sign-in form runs it: a session, no second factor, no step-up.
    const password = await signInWithPassword(database.db, { email: `${userId}@example.test`, password: 'an administrator passphrase' }, T0);
    if (!password.ok) throw new Error(password.code);
    const afterPassword = await loadSession(database.db, password.sessionId, T0);
    if (!afterPassword) throw new Error('session lost');
    const session = afterPassword;
    expect(afterPassword).toMatchObject({ secondFactorVerified: false, stepUpAt: null });
    expect(gate('grant.create', actorOf(afterPassword), afterPassword.stepUpAt, T0)).toMatchObject({ allowed: false, reason: 'STEP_UP_REQUIRED' });

    const signIn = await startPasskeyAuthentication(database.db, session, RP, T0);
    if (!signIn.ok) throw new Error(signIn.code);
    expect(await finishPasskeyAuthentication(database.db, session, RP, key.assert(signIn.options), at(100))).toMatchObject({ ok: true });
    const signedIn = await reload(session, at(100));
    if (!signedIn) throw new Error('session lost');
    expect(signedIn).toMatchObject({ secondFactorVerified: true, stepUpAt: at(100) });
    // The first sensitive act within the window needs no second confirmation; after it, one is asked for.
    expect(gate('grant.create', actorOf(signedIn), signedIn.stepUpAt, at(100 + STEP_UP_WINDOW_MS))).toEqual({ allowed: true });
    expect(gate('grant.create', actorOf(signedIn), signedIn.stepUpAt, at(101 + STEP_UP_WINDOW_MS))).toMatchObject({ allowed: false, reason: 'STEP_UP_REQUIRED' });
  });

  it('needs a fully signed-in session, records the confirmation, and never takes a sign-in challenge for one', async () => {
    const { key, session } = await enrolledUser();
    expect(await startPasskeyAuthentication(database.db, session, RP, T0, 'step-up')).toMatchObject({ ok: false, code: 'SIGN_IN_INCOMPLETE' });
    const signIn = await startPasskeyAuthentication(database.db, session, RP, T0);
    if (!signIn.ok) throw new Error(signIn.code);
    expect(await finishPasskeyAuthentication(database.db, session, RP, key.assert(signIn.options), at(100))).toMatchObject({ ok: true });
    const verified = await reload(session, at(100));
    if (!verified) throw new Error('session lost');
    expect(verified.stepUpAt).toEqual(at(100));

    // A sign-in challenge answered at the step-up endpoint is refused.
    const again = await startPasskeyAuthentication(database.db, verified, RP, at(200));
    if (!again.ok) throw new Error(again.code);
    expect(await finishPasskeyAuthentication(database.db, verified, RP, key.assert(again.options), at(300), 'step-up')).toMatchObject({ ok: false, code: 'CHALLENGE_MISSING' });

    const stepUp = await startPasskeyAuthentication(database.db, verified, RP, at(400), 'step-up');
    if (!stepUp.ok) throw new Error(stepUp.code);
    expect(await finishPasskeyAuthentication(database.db, verified, RP, key.assert(stepUp.options), at(500), 'step-up')).toMatchObject({ ok: true });
    expect((await reload(session, at(500)))?.stepUpAt).toEqual(at(500));
  });
});

describe('credential issuance is logged', () => {
  it('writes the log entry of a new passkey in the transaction that stores it', async () => {
    const { ed25519Signer, generateSigningKeyPem } = await import('../ledger/signer');
    const { passkeyRegistrationLogger } = await import('../access/passkeys');
    const userId = await newUser();
    const session = await passwordStage(userId);
    const key = new SoftwareAuthenticator();
    const options = await startPasskeyRegistration(database.db, session, RP, T0);
    if (!options.ok) throw new Error(options.code);
    const log = passkeyRegistrationLogger(ed25519Signer(generateSigningKeyPem()), userId, T0, () => `tx-${userId}`);
    expect(await finishPasskeyRegistration(database.db, session, RP, key.register(options.options), T0, undefined, log)).toMatchObject({ ok: true });
    const entry = await database.db.ledgerTransaction.findUniqueOrThrow({ where: { id: `tx-${userId}` } });
    expect([entry.kind, entry.initiatorId]).toEqual(['PASSKEY_REGISTER', userId]);
    expect(entry.input).toContain(key.credentialId);
  });
});
