import { createHash, createPublicKey, randomBytes, verify } from 'node:crypto';
import { hashPassword } from '../auth/password';
import type { Db } from '../db/client';
import type { Actor } from '../ledger/types';
import { abort, newPersonalDataKey, runAct, type AccessContext, type AccessResult, type Acted } from './acts';

/**
 * External systems (A6R-8), identified by a distinct process: a registry administrator registers the
 * system with a risk assessment of its connection and its Ed25519 public key. The system becomes a
 * user of its own, with no password and no passkey, whose rights are ordinary EXTERNAL_SYSTEM grants
 * on accounts (issued, suspended and revoked like any grant). Its requests are signed; see
 * `verifySignedRequest`.
 */
export const RISK_LEVELS = ['LOW', 'MEDIUM', 'HIGH'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

/** How far a request's timestamp may be from the registry's clock; nonces are kept this long. */
export const SIGNATURE_WINDOW_MS = 5 * 60 * 1000;

export interface NewApiClient {
  readonly name: string;
  readonly publicKeyPem: string;
  readonly riskLevel: RiskLevel;
  readonly riskAssessment: string;
}

/** The key in a normalised PEM, or null when it is not an Ed25519 public key. */
export function ed25519PublicKey(pem: string): string | null {
  try {
    const key = createPublicKey(pem);
    if (key.asymmetricKeyType !== 'ed25519') return null;
    return key.export({ type: 'spki', format: 'pem' }).toString();
  } catch {
    return null;
  }
}

export async function registerApiClient(ctx: AccessContext, actor: Actor, client: NewApiClient, idempotencyKey?: string): Promise<AccessResult<{ clientId: string; userId: string } & Acted>> {
  const passwordHash = await hashPassword(randomBytes(32).toString('base64url'));
  return runAct(ctx, actor, 'API_CLIENT_REGISTER', async (tx, now) => {
    const publicKey = ed25519PublicKey(client.publicKeyPem);
    if (!publicKey) abort('KEY_INVALID');
    const clientId = `c-${randomBytes(9).toString('base64url')}`;
    const userId = `u-${ctx.newId()}`;
    // The system's user: an address that cannot receive mail, a password nobody knows.
    await tx.user.create({ data: { id: userId, email: `${clientId}@api-clients.invalid`, name: client.name, passwordHash, createdAt: now, personalDataKey: newPersonalDataKey() } });
    await tx.apiClient.create({ data: { id: clientId, userId, name: client.name, publicKey, riskLevel: client.riskLevel, riskAssessment: client.riskAssessment, registeredById: actor.userId, createdAt: now } });
    // The risk assessment is this user's identification: it lets grants be issued to the system.
    await tx.identityVerification.create({ data: { id: ctx.newId(), userId, method: 'RISK_ASSESSMENT', outcome: 'VERIFIED', verifiedById: actor.userId, checkedAt: now, note: '', createdAt: now } });
    const keyDigest = createHash('sha256').update(publicKey).digest('hex');
    return { details: { clientId, userId, name: client.name, riskLevel: client.riskLevel, riskAssessmentDigest: createHash('sha256').update(client.riskAssessment).digest('hex'), keyDigest }, result: { clientId, userId } };
  }, { idempotencyKey, input: { name: client.name, publicKeyPem: client.publicKeyPem, riskLevel: client.riskLevel, riskAssessment: client.riskAssessment } });
}

/** Revokes a client at once: its key no longer authenticates anything, and its grants stop counting. */
export function revokeApiClient(ctx: AccessContext, actor: Actor, clientId: string, idempotencyKey?: string): Promise<AccessResult<Acted>> {
  return runAct(ctx, actor, 'API_CLIENT_REVOKE', async (tx, now) => {
    const revoked = await tx.apiClient.updateMany({ where: { id: clientId, revokedAt: null }, data: { revokedAt: now, revokedById: actor.userId } });
    if (revoked.count !== 1) abort('CLIENT_NOT_FOUND');
    const client = await tx.apiClient.findUniqueOrThrow({ where: { id: clientId }, select: { userId: true } });
    await tx.user.update({ where: { id: client.userId }, data: { status: 'SUSPENDED' } });
    return { details: { clientId, userId: client.userId }, result: {} };
  }, { idempotencyKey, input: { clientId } });
}

export async function listApiClients(db: Db) {
  return db.apiClient.findMany({ orderBy: { createdAt: 'asc' }, select: { id: true, userId: true, name: true, riskLevel: true, riskAssessment: true, createdAt: true, revokedAt: true } });
}

// ---------------------------------------------------------------------------------------------------
// Signed requests

export const SIGNATURE_HEADERS = {
  client: 'x-registry-client',
  timestamp: 'x-registry-timestamp',
  nonce: 'x-registry-nonce',
  signature: 'x-registry-signature',
} as const;

/**
 * What is signed: method, path with query, timestamp, nonce and the SHA-256 of the body, one per
 * line. Binding the body and the path means a signature cannot be moved to another request.
 */
export function signingString(method: string, pathWithQuery: string, timestamp: string, nonce: string, body: string): string {
  return [method.toUpperCase(), pathWithQuery, timestamp, nonce, createHash('sha256').update(body, 'utf8').digest('hex')].join('\n');
}

export type SignedRequestRefusal = 'SIGNATURE_MISSING' | 'CLIENT_UNKNOWN' | 'TIMESTAMP_OUT_OF_WINDOW' | 'SIGNATURE_INVALID' | 'NONCE_REUSED';

export const SIGNED_REQUEST_MESSAGES: Record<SignedRequestRefusal, string> = {
  SIGNATURE_MISSING: 'Sign the request: X-Registry-Client, X-Registry-Timestamp, X-Registry-Nonce and X-Registry-Signature are required.',
  CLIENT_UNKNOWN: 'The client is unknown or its registration has been revoked.',
  TIMESTAMP_OUT_OF_WINDOW: 'The request\'s timestamp is more than five minutes from the registry\'s clock.',
  SIGNATURE_INVALID: 'The signature does not verify with the client\'s registered key.',
  NONCE_REUSED: 'This nonce was used before: the request is a replay.',
};

export interface SignedRequest {
  readonly method: string;
  readonly pathWithQuery: string;
  readonly headers: { get(name: string): string | null };
  readonly body: string;
}

/**
 * The client behind a signed request, or why it is refused, in this order: headers present, client
 * known and not revoked, timestamp within the window, signature valid, nonce unused. The nonce is
 * stored only for a request that passed everything else, so that nobody can burn a client's nonces.
 */
export async function verifySignedRequest(db: Db, request: SignedRequest, now: Date): Promise<{ ok: true; clientId: string; userId: string } | { ok: false; code: SignedRequestRefusal; message: string }> {
  const refuse = (code: SignedRequestRefusal) => ({ ok: false as const, code, message: SIGNED_REQUEST_MESSAGES[code] });
  const clientId = request.headers.get(SIGNATURE_HEADERS.client);
  const timestamp = request.headers.get(SIGNATURE_HEADERS.timestamp);
  const nonce = request.headers.get(SIGNATURE_HEADERS.nonce);
  const signature = request.headers.get(SIGNATURE_HEADERS.signature);
  if (!clientId || !timestamp || !nonce || !signature || !/^[A-Za-z0-9_-]{16,128}$/.test(nonce) || clientId.length > 64) return refuse('SIGNATURE_MISSING');
  const client = await db.apiClient.findUnique({ where: { id: clientId }, select: { id: true, userId: true, publicKey: true, revokedAt: true } });
  if (!client || client.revokedAt !== null) return refuse('CLIENT_UNKNOWN');
  const at = Date.parse(timestamp);
  if (!Number.isFinite(at) || Math.abs(at - now.getTime()) > SIGNATURE_WINDOW_MS) return refuse('TIMESTAMP_OUT_OF_WINDOW');
  const data = Buffer.from(signingString(request.method, request.pathWithQuery, timestamp, nonce, request.body), 'utf8');
  let valid = false;
  try {
    valid = verify(null, data, createPublicKey(client.publicKey), Buffer.from(signature, 'base64'));
  } catch {
    valid = false;
  }
  if (!valid) return refuse('SIGNATURE_INVALID');
  await db.apiNonce.deleteMany({ where: { createdAt: { lt: new Date(now.getTime() - 2 * SIGNATURE_WINDOW_MS) } } });
  const stored = await db.apiNonce.createMany({ data: [{ clientId, nonce, createdAt: now }], skipDuplicates: true });
  if (stored.count !== 1) return refuse('NONCE_REUSED');
  return { ok: true, clientId: client.id, userId: client.userId };
}
