import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { z } from 'zod';
import type { Prisma } from '../db/generated/client';
import type { Db } from '../db/client';
import { markSecondFactor, type CurrentUser, type DbOrTransaction } from './session-store';

/*
 * Sign-in, step two (the passkey). Pure of Next: the database, the session, the relying party and the
 * time come in as arguments, so the route handlers stay thin and this module can be driven by tests.
 *
 * The pending challenge lives in AuthSession.challenge as `<kind>:<issuedAtMs>:<challenge>`. It is
 * consumed (set back to null, atomically) before the browser's answer is verified, so each challenge
 * serves one attempt at most, successful or not; the kind keeps a registration challenge from being
 * spent on an authentication and the issue time bounds its life.
 */

/** The WebAuthn relying party: the registry as the authenticator sees it. */
export interface RelyingParty {
  /** Hostname of NEXTAUTH_URL; passkeys are bound to it. */
  readonly id: string;
  readonly name: string;
  /** Origin of NEXTAUTH_URL (scheme, host, port): the only page origin whose ceremonies are accepted. */
  readonly origin: string;
}

export function relyingPartyFrom(nextAuthUrl: string, rpName: string): RelyingParty {
  const url = new URL(nextAuthUrl);
  if (url.protocol !== 'https:' && url.hostname !== 'localhost') {
    // Browsers refuse WebAuthn on plain HTTP except on localhost; failing here names the cause.
    throw new Error(`Passkeys need NEXTAUTH_URL on https:// (or http://localhost), found ${url.origin}.`);
  }
  return { id: url.hostname, name: rpName, origin: url.origin };
}

/** How long the browser may take for one ceremony, and how long its challenge stays valid. */
export const CEREMONY_TIMEOUT_MS = 120_000;
export const CHALLENGE_TTL_MS = 5 * 60_000;

/**
 * Every refusal, in the order the checks run: the session, the account's enrolment state, the shape of
 * the browser's answer, the challenge, the credential, the signature, and finally the database state
 * at commit.
 */
export const PASSKEY_REFUSALS = {
  SESSION_NOT_FOUND: { status: 401, message: 'Your sign-in has expired or ended. Please sign in again with your email and password.' },
  PASSKEY_ALREADY_ENROLLED: { status: 400, message: 'This account already has a passkey. Confirm your sign-in with it instead.' },
  NO_PASSKEY_ENROLLED: { status: 400, message: 'This account has no passkey yet. Create one first.' },
  RESPONSE_MALFORMED: { status: 400, message: "The browser's passkey answer was incomplete. Please try again." },
  CHALLENGE_MISSING: { status: 400, message: 'No passkey check was in progress, or it was already used. Please try again.' },
  CHALLENGE_EXPIRED: { status: 400, message: 'The passkey check took too long. Please try again.' },
  CREDENTIAL_UNKNOWN: { status: 400, message: 'This passkey is not registered to your account.' },
  CREDENTIAL_ALREADY_REGISTERED: { status: 400, message: 'This passkey is already registered.' },
  SIGN_IN_INCOMPLETE: { status: 401, message: 'Finish signing in with your passkey first.' },
  VERIFICATION_FAILED: { status: 400, message: 'The passkey could not be verified.' },
} as const satisfies Record<string, { status: 400 | 401; message: string }>;

export type PasskeyRefusalCode = keyof typeof PASSKEY_REFUSALS;

export interface PasskeyRefusal {
  readonly ok: false;
  readonly code: PasskeyRefusalCode;
  readonly message: string;
  /** Technical detail for the server log; never shown to the user. */
  readonly detail?: string;
}

export type PasskeyResult<T> = ({ readonly ok: true } & T) | PasskeyRefusal;

function refuse(code: PasskeyRefusalCode, detail?: string): PasskeyRefusal {
  return { ok: false, code, message: PASSKEY_REFUSALS[code].message, ...(detail === undefined ? {} : { detail }) };
}

type ChallengeKind = 'registration' | 'authentication' | 'step-up';

function encodeChallenge(kind: ChallengeKind, issuedAt: Date, challenge: string): string {
  return `${kind}:${issuedAt.getTime()}:${challenge}`;
}

/**
 * Takes the session's pending challenge, whatever happens next. The conditional update makes two
 * concurrent attempts race for it: exactly one gets the challenge.
 */
async function consumeChallenge(db: Db, sessionId: string, kind: ChallengeKind, now: Date): Promise<PasskeyResult<{ challenge: string }>> {
  const row = await db.authSession.findUnique({ where: { id: sessionId }, select: { challenge: true } });
  const stored = row?.challenge ?? null;
  if (stored === null) return refuse('CHALLENGE_MISSING');
  const taken = await db.authSession.updateMany({ where: { id: sessionId, challenge: stored }, data: { challenge: null } });
  if (taken.count !== 1) return refuse('CHALLENGE_MISSING', 'taken by a concurrent attempt');
  const [storedKind, issuedText, challenge] = stored.split(':');
  if (storedKind !== kind || issuedText === undefined || challenge === undefined || challenge === '') {
    return refuse('CHALLENGE_MISSING', `pending challenge is for ${storedKind ?? 'nothing'}`);
  }
  const issuedAtMs = Number(issuedText);
  if (!Number.isSafeInteger(issuedAtMs)) throw new Error(`AuthSession ${sessionId} holds a malformed challenge.`);
  const ageMs = now.getTime() - issuedAtMs;
  if (ageMs < 0 || ageMs > CHALLENGE_TTL_MS) return refuse('CHALLENGE_EXPIRED', `age ${ageMs} ms`);
  return { ok: true, challenge };
}

/** Reads the session inside a transaction: live (not revoked, not expired) and whether it is verified. */
async function liveSessionState(tx: DbOrTransaction, sessionId: string, now: Date): Promise<{ verified: boolean } | null> {
  const row = await tx.authSession.findUnique({ where: { id: sessionId }, select: { revokedAt: true, expiresAt: true, secondFactorAt: true } });
  if (!row || row.revokedAt !== null || row.expiresAt <= now) return null;
  return { verified: row.secondFactorAt !== null };
}

/**
 * The user handle the authenticator stores with the passkey. User ids are short registry ids; WebAuthn
 * allows at most 64 bytes.
 */
function userHandle(userId: string): Uint8Array<ArrayBuffer> {
  const bytes = new TextEncoder().encode(userId);
  if (bytes.length === 0 || bytes.length > 64) throw new Error(`User id ${JSON.stringify(userId)} cannot be a WebAuthn user handle (1–64 bytes).`);
  return bytes;
}

// The browser's answers are checked for shape before the library sees them, so that a malformed body
// is a refusal with a clear message instead of a TypeError deep inside the verification.
const base64url = z.string().min(1).max(2048).regex(/^[A-Za-z0-9_-]+$/);
const clientData = { clientDataJSON: z.string().min(1).max(16_384) };
const registrationResponseSchema = z.looseObject({
  id: base64url,
  rawId: base64url,
  type: z.literal('public-key'),
  clientExtensionResults: z.looseObject({}).default({}),
  response: z.looseObject({ ...clientData, attestationObject: z.string().min(1).max(65_536), transports: z.array(z.string().max(32)).max(16).optional() }),
});
const authenticationResponseSchema = z.looseObject({
  id: base64url,
  rawId: base64url,
  type: z.literal('public-key'),
  clientExtensionResults: z.looseObject({}).default({}),
  response: z.looseObject({ ...clientData, authenticatorData: z.string().min(1).max(65_536), signature: z.string().min(1).max(16_384) }),
});

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// ---------------------------------------------------------------------------------------------------
// Registration (enrolment)

/**
 * Options for navigator.credentials.create(). A session that has only passed the password step may
 * enrol only when the account has no passkey yet; an account that has one must use it first.
 */
export async function startPasskeyRegistration(
  db: Db,
  session: CurrentUser,
  rp: RelyingParty,
  now: Date,
): Promise<PasskeyResult<{ options: PublicKeyCredentialCreationOptionsJSON }>> {
  const existing = await db.webAuthnCredential.findMany({ where: { userId: session.userId }, select: { id: true, transports: true } });
  if (existing.length > 0 && !session.secondFactorVerified) return refuse('PASSKEY_ALREADY_ENROLLED');
  const options = await generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.id,
    userName: session.email,
    userDisplayName: session.name,
    userID: userHandle(session.userId),
    timeout: CEREMONY_TIMEOUT_MS,
    attestationType: 'none',
    excludeCredentials: existing.map((c) => ({ id: c.id, transports: c.transports })),
    authenticatorSelection: { residentKey: 'preferred', userVerification: 'required' },
  });
  if (options.challenge.length < 16) throw new Error('generateRegistrationOptions returned a short challenge.');
  await db.authSession.update({ where: { id: session.sessionId }, data: { challenge: encodeChallenge('registration', now, options.challenge) } });
  return { ok: true, options };
}

/**
 * Verifies the new passkey, stores it and marks this session's second factor: enrolling right after
 * the password step is the second factor of that first session.
 */
export async function finishPasskeyRegistration(
  db: Db,
  session: CurrentUser,
  rp: RelyingParty,
  response: unknown,
  now: Date,
  label?: string,
  /** Records the new credential in the registry's log, inside the transaction that stores it. */
  logRegistration?: (tx: Prisma.TransactionClient, credentialId: string) => Promise<void>,
): Promise<PasskeyResult<{ credentialId: string }>> {
  const parsed = registrationResponseSchema.safeParse(response);
  if (!parsed.success) return refuse('RESPONSE_MALFORMED', parsed.error.message);
  const consumed = await consumeChallenge(db, session.sessionId, 'registration', now);
  if (!consumed.ok) return consumed;

  let verification;
  try {
    verification = await verifyRegistrationResponse({
      response: parsed.data as unknown as RegistrationResponseJSON,
      expectedChallenge: consumed.challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      requireUserVerification: true,
    });
  } catch (error) {
    return refuse('VERIFICATION_FAILED', errorText(error));
  }
  if (!verification.verified) return refuse('VERIFICATION_FAILED', 'registration not verified');
  const { credential } = verification.registrationInfo;
  if (credential.id !== parsed.data.id) throw new Error('verifyRegistrationResponse returned a different credential id than the response.');

  const userId = session.userId;
  const credentialLabel = (label ?? '').trim().slice(0, 100) || `Passkey added ${now.toISOString().slice(0, 10)}`;
  // One transaction, the user's row locked: two password-stage sessions of the same account cannot
  // both enrol a "first" passkey, and the session must still be live when the credential is stored.
  return db.$transaction(async (tx): Promise<PasskeyResult<{ credentialId: string }>> => {
    await tx.$queryRaw`SELECT "id" FROM "User" WHERE "id" = ${userId} FOR UPDATE`;
    const state = await liveSessionState(tx, session.sessionId, now);
    if (!state) return refuse('SESSION_NOT_FOUND');
    const enrolled = await tx.webAuthnCredential.count({ where: { userId } });
    if (enrolled > 0 && !state.verified) return refuse('PASSKEY_ALREADY_ENROLLED', 'enrolled concurrently');
    const taken = await tx.webAuthnCredential.findUnique({ where: { id: credential.id }, select: { id: true } });
    if (taken) return refuse('CREDENTIAL_ALREADY_REGISTERED');
    await tx.webAuthnCredential.create({
      data: {
        id: credential.id,
        userId,
        publicKey: new Uint8Array(credential.publicKey),
        counter: BigInt(credential.counter),
        transports: credential.transports ?? parsed.data.response.transports ?? [],
        label: credentialLabel,
        createdAt: now,
        lastUsedAt: now,
      },
    });
    await markSecondFactor(tx, session.sessionId, now);
    if (logRegistration) await logRegistration(tx, credential.id);
    return { ok: true, credentialId: credential.id };
  });
}

// ---------------------------------------------------------------------------------------------------
// Authentication (the second factor of every later sign-in, and the step-up before sensitive acts)

/**
 * 'sign-in' completes the second factor of a session; 'step-up' confirms a fully signed-in elevated
 * user again before a sensitive act (A6R-7) and sets the session's `stepUpAt`. Their challenges are
 * kept apart, so an answer to one is never accepted as the other.
 */
export type AuthenticationPurpose = 'sign-in' | 'step-up';

/** Options for navigator.credentials.get(): only this user's passkeys, user verification required. */
export async function startPasskeyAuthentication(
  db: Db,
  session: CurrentUser,
  rp: RelyingParty,
  now: Date,
  purpose: AuthenticationPurpose = 'sign-in',
): Promise<PasskeyResult<{ options: PublicKeyCredentialRequestOptionsJSON }>> {
  if (purpose === 'step-up' && !session.secondFactorVerified) return refuse('SIGN_IN_INCOMPLETE');
  const credentials = await db.webAuthnCredential.findMany({ where: { userId: session.userId }, select: { id: true, transports: true } });
  if (credentials.length === 0) return refuse('NO_PASSKEY_ENROLLED');
  const options = await generateAuthenticationOptions({
    rpID: rp.id,
    allowCredentials: credentials.map((c) => ({ id: c.id, transports: c.transports })),
    userVerification: 'required',
    timeout: CEREMONY_TIMEOUT_MS,
  });
  if (options.challenge.length < 16) throw new Error('generateAuthenticationOptions returned a short challenge.');
  await db.authSession.update({ where: { id: session.sessionId }, data: { challenge: encodeChallenge(purpose === 'step-up' ? 'step-up' : 'authentication', now, options.challenge) } });
  return { ok: true, options };
}

/**
 * Verifies the assertion against the user's own stored passkey, advances its signature counter and
 * marks this session's second factor, which is also a fresh step-up; or, for 'step-up', the step-up.
 */
export async function finishPasskeyAuthentication(
  db: Db,
  session: CurrentUser,
  rp: RelyingParty,
  response: unknown,
  now: Date,
  purpose: AuthenticationPurpose = 'sign-in',
): Promise<PasskeyResult<{ credentialId: string }>> {
  if (purpose === 'step-up' && !session.secondFactorVerified) return refuse('SIGN_IN_INCOMPLETE');
  const parsed = authenticationResponseSchema.safeParse(response);
  if (!parsed.success) return refuse('RESPONSE_MALFORMED', parsed.error.message);
  const consumed = await consumeChallenge(db, session.sessionId, purpose === 'step-up' ? 'step-up' : 'authentication', now);
  if (!consumed.ok) return consumed;

  // Looked up by id *and* owner: another account's passkey is unknown here, not a match.
  const stored = await db.webAuthnCredential.findFirst({ where: { id: parsed.data.id, userId: session.userId } });
  if (!stored) return refuse('CREDENTIAL_UNKNOWN');

  let verification;
  try {
    verification = await verifyAuthenticationResponse({
      response: parsed.data as unknown as AuthenticationResponseJSON,
      expectedChallenge: consumed.challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      credential: { id: stored.id, publicKey: new Uint8Array(stored.publicKey), counter: Number(stored.counter), transports: stored.transports },
      requireUserVerification: true,
    });
  } catch (error) {
    // Includes a signature counter that went backwards (a possibly cloned authenticator).
    return refuse('VERIFICATION_FAILED', errorText(error));
  }
  if (!verification.verified) return refuse('VERIFICATION_FAILED', 'assertion not verified');
  if (verification.authenticationInfo.credentialID !== stored.id) throw new Error('verifyAuthenticationResponse verified a different credential.');

  const newCounter = BigInt(verification.authenticationInfo.newCounter);
  return db.$transaction(async (tx): Promise<PasskeyResult<{ credentialId: string }>> => {
    const state = await liveSessionState(tx, session.sessionId, now);
    if (!state) return refuse('SESSION_NOT_FOUND');
    // Conditional on the counter we verified against: a concurrent use of the same passkey makes one
    // of the two attempts fail instead of silently moving the counter backwards.
    const updated = await tx.webAuthnCredential.updateMany({
      where: { id: stored.id, userId: session.userId, counter: stored.counter },
      data: { counter: newCounter, lastUsedAt: now },
    });
    if (updated.count !== 1) return refuse('VERIFICATION_FAILED', 'credential counter changed concurrently');
    // The sign-in's assertion is the same proof as a step-up's (the user's own enrolled passkey, user
    // verification required, a fresh single-use challenge): it counts as one, so an administrator who
    // has just signed in is not asked again for his first sensitive act within the window (A6R-7).
    // Only a verified assertion sets it: the password step and a first passkey's registration never do.
    if (purpose === 'step-up') await tx.authSession.update({ where: { id: session.sessionId }, data: { stepUpAt: now, challenge: null } });
    else await markSecondFactor(tx, session.sessionId, now, { stepUp: true });
    return { ok: true, credentialId: stored.id };
  });
}

// ---------------------------------------------------------------------------------------------------
// HTTP adapter for the four route handlers (web-standard Request/Response, no Next imports)

const MAX_BODY_BYTES = 64 * 1024;

export interface PasskeyEndpointDeps {
  /** The request's session, verified or not; null when signed out, expired or revoked. */
  readonly currentUser: () => Promise<CurrentUser | null>;
  readonly relyingParty: () => RelyingParty;
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', 'cache-control': 'no-store' } });
}

/**
 * Runs one passkey step for a POST request: same-origin check, live session, JSON body, then the step.
 * Refusals become `{ code, error }` with 400/401/403; anything unexpected is logged and answered with
 * a generic 500, never with a stack trace.
 */
export async function handlePasskeyRequest<T extends object>(
  request: Request,
  deps: PasskeyEndpointDeps,
  step: (session: CurrentUser, body: Record<string, unknown>, rp: RelyingParty) => Promise<PasskeyResult<T>>,
): Promise<Response> {
  try {
    const rp = deps.relyingParty();
    // Cookies are SameSite=Lax already; the Origin check also stops same-site (sibling subdomain) forgeries.
    const origin = request.headers.get('origin');
    if (origin !== null && origin !== rp.origin) return json(403, { code: 'CROSS_ORIGIN', error: 'This request must come from the registry itself.' });
    const session = await deps.currentUser();
    if (!session) return json(401, { code: 'SESSION_NOT_FOUND', error: PASSKEY_REFUSALS.SESSION_NOT_FOUND.message });

    const text = await request.text();
    if (text.length > MAX_BODY_BYTES) return json(400, { code: 'RESPONSE_MALFORMED', error: 'The request is too large.' });
    let body: unknown = {};
    if (text.trim() !== '') {
      try {
        body = JSON.parse(text);
      } catch {
        return json(400, { code: 'RESPONSE_MALFORMED', error: 'The request body is not valid JSON.' });
      }
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return json(400, { code: 'RESPONSE_MALFORMED', error: 'The request body must be a JSON object.' });
    }

    const result = await step(session, body as Record<string, unknown>, rp);
    if (!result.ok) {
      if (result.detail) console.warn(`Passkey step refused for session of user ${session.userId}: ${result.code} (${result.detail})`);
      return json(PASSKEY_REFUSALS[result.code].status, { code: result.code, error: result.message });
    }
    const { ok: _ok, ...payload } = result;
    return json(200, { ok: true, ...payload });
  } catch (error) {
    console.error('Passkey step failed unexpectedly:', error);
    return json(500, { code: 'INTERNAL', error: 'Something went wrong on our side. Please try again.' });
  }
}
