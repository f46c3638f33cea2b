import { createHmac, randomBytes } from 'node:crypto';
import type { Prisma } from '../db/generated/client';
import { canonicalJson, type CanonicalValue } from '../ledger/canonical-json';
import { recordAdministrativeAct } from '../ledger/administrative-act';
import type { Actor, LedgerContext } from '../ledger/types';

/**
 * What the access services need: the database, the log's signer, the clock and ids. The ledger
 * context has all of them, so the services take it.
 */
export type AccessContext = Pick<LedgerContext, 'db' | 'signer' | 'now' | 'newId'>;

/** Refusals of the access services: a stable code and a message for the person who asked. */
export const ACCESS_REFUSALS = {
  USER_NOT_FOUND: { status: 'NOT_FOUND', message: 'There is no such user.' },
  USER_NOT_ACTIVE: { status: 'CONFLICT', message: 'This user\'s access is suspended.' },
  EMAIL_TAKEN: { status: 'CONFLICT', message: 'A user with this email address already exists.' },
  GRANT_SHAPE_INVALID: { status: 'BAD_REQUEST', message: 'The grant\'s scope does not fit its role.' },
  SECTION_NOT_FOUND: { status: 'NOT_FOUND', message: 'There is no such section.' },
  ACCOUNT_NOT_FOUND: { status: 'NOT_FOUND', message: 'There is no such account.' },
  APPROACH_NOT_FOUND: { status: 'NOT_FOUND', message: 'There is no such cooperative approach.' },
  NOT_ALLOWED: { status: 'FORBIDDEN', message: 'You do not administer this.' },
  IDENTITY_NOT_VERIFIED: { status: 'CONFLICT', message: 'This user\'s identity has not been verified: record a successful identity check before granting a role.' },
  GRANT_EXISTS: { status: 'CONFLICT', message: 'The user already holds this grant.' },
  GRANT_NOT_FOUND: { status: 'NOT_FOUND', message: 'There is no such grant.' },
  GRANT_ALREADY_IN_STATE: { status: 'CONFLICT', message: 'The grant is already in that state.' },
  IMPERSONATION_REFUSED: { status: 'FORBIDDEN', message: 'This impersonation is not allowed.' },
  NOT_IMPERSONATING: { status: 'CONFLICT', message: 'You are not acting as another user.' },
  SELF_NOT_ALLOWED: { status: 'FORBIDDEN', message: 'You cannot do this to your own account.' },
  PASSKEY_NOT_FOUND: { status: 'NOT_FOUND', message: 'There is no such passkey.' },
  TOKEN_INVALID: { status: 'BAD_REQUEST', message: 'This enrollment link is not valid: it was used already, replaced by a newer one, or has expired. Ask your administrator for a new link.' },
  PASSWORD_REJECTED: { status: 'BAD_REQUEST', message: 'Choose another password.' },
  NO_CHANGE: { status: 'BAD_REQUEST', message: 'The profile is unchanged: change at least one field.' },
  REQUEST_PENDING: { status: 'CONFLICT', message: 'A change of this profile is already waiting for approval.' },
  REQUEST_NOT_FOUND: { status: 'NOT_FOUND', message: 'There is no such pending change request.' },
  STILL_ACTIVE: { status: 'CONFLICT', message: 'Suspend the user\'s access before anonymising their personal data.' },
  KEY_INVALID: { status: 'BAD_REQUEST', message: 'The public key must be an Ed25519 public key in PEM form (-----BEGIN PUBLIC KEY-----).' },
  CLIENT_NOT_FOUND: { status: 'NOT_FOUND', message: 'There is no such active API client.' },
  LAST_PASSKEY: { status: 'CONFLICT', message: 'This is your only passkey: add another one before removing it, since every sign-in needs one.' },
} as const satisfies Record<string, { status: 'NOT_FOUND' | 'CONFLICT' | 'BAD_REQUEST' | 'FORBIDDEN'; message: string }>;

export type AccessRefusalCode = keyof typeof ACCESS_REFUSALS;

export interface AccessRefusal {
  readonly ok: false;
  readonly code: AccessRefusalCode;
  readonly message: string;
}

export type AccessResult<T extends object = object> = ({ readonly ok: true } & T) | AccessRefusal;

export function refuse(code: AccessRefusalCode, message?: string): AccessRefusal {
  return { ok: false, code, message: message ?? ACCESS_REFUSALS[code].message };
}

/** Carries a refusal out of a database transaction so that it rolls back; turned back into a value. */
class RefusedAct extends Error {
  constructor(readonly refusal: AccessRefusal) {
    super(refusal.message);
  }
}

export function abort(code: AccessRefusalCode, message?: string): never {
  throw new RefusedAct(refuse(code, message));
}

/**
 * Runs one privileged act: `work` makes the change in `tx` (it may refuse with `abort`, which rolls
 * everything back) and returns the act's logged details and its result; then the act is appended to
 * the log in the same transaction. Nothing is changed without its log entry, and no entry is written
 * for a change that did not happen.
 */
export async function runAct<T extends object>(
  ctx: AccessContext,
  actor: Actor,
  kind: string,
  work: (tx: Prisma.TransactionClient, now: Date) => Promise<{ details: { [key: string]: CanonicalValue }; result: T }>,
): Promise<AccessResult<T & { transactionId: string }>> {
  const now = ctx.now();
  const transactionId = ctx.newId();
  try {
    return await ctx.db.$transaction(
      async (tx) => {
        const { details, result } = await work(tx, now);
        await recordAdministrativeAct(tx, ctx.signer, { kind, idempotencyKey: `${kind.toLowerCase()}:${transactionId}`, transactionId, createdAt: now, actor, details });
        return { ok: true as const, ...result, transactionId };
      },
      // Prisma's default of 5 s is too short for an act that hands a message to a mail server.
      { maxWait: 10_000, timeout: 30_000 },
    );
  } catch (error) {
    if (error instanceof RefusedAct) return error.refusal as AccessRefusal;
    throw error;
  }
}

/** Locks a user's row for the rest of the transaction: acts on one user's access are serialized. */
export async function lockUser(tx: Prisma.TransactionClient, userId: string): Promise<{ id: string; status: string } | null> {
  const rows = await tx.$queryRaw<{ id: string; status: string }[]>`SELECT "id", "status"::text AS "status" FROM "User" WHERE "id" = ${userId} FOR UPDATE`;
  return rows[0] ?? null;
}

/** A new random key for the digests of one user's personal data. */
export function newPersonalDataKey(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * The digest that stands for personal data in the log (A6R-49): an HMAC under the user's own key,
 * so that it proves what the data was while the key exists, and after anonymisation (which erases
 * the key) says nothing about it, not even to someone guessing names.
 */
export function personalDataDigest(key: string, data: { [key: string]: CanonicalValue }): string {
  return createHmac('sha256', Buffer.from(key, 'base64url')).update(canonicalJson(data)).digest('hex');
}
