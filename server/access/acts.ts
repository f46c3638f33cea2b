import { createHash, createHmac, randomBytes } from 'node:crypto';
import superjson from 'superjson';
import type { Db } from '../db/client';
import type { Prisma } from '../db/generated/client';
import { canonicalJson, type CanonicalValue } from '../ledger/canonical-json';
import { recordAdministrativeAct } from '../ledger/administrative-act';
import type { Actor, LedgerContext, LogSigner } from '../ledger/types';

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
  REGISTRY_INITIALISED: { status: 'CONFLICT', message: 'The registry is already initialised: it has users. Nothing was changed. Its system administrators create further administrators in the registry (Administration, Users).' },
  REGISTRY_ACCOUNTS_REFUSED: { status: 'CONFLICT', message: 'The registry\'s own accounts could not be set up.' },
  IDEMPOTENCY_KEY_REUSED: { status: 'CONFLICT', message: 'This request id (idempotencyKey) was used before for a different request. Nothing was changed: send a new request id for a new request.' },
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
 * What a client asked for, when it may retry: the idempotency key it drew for the request (one per
 * confirmed form) and the request itself, which only the fingerprint sees. Without a key (a test, the
 * demo seed, a link or a ceremony that is single-use by itself) the act is a one-off, keyed by its own
 * transaction id. Every procedure passes one (server/api/idempotency.test.ts).
 */
export interface ActRequest {
  readonly idempotencyKey: string | undefined;
  readonly input: { readonly [key: string]: CanonicalValue };
}

/** What every act answers besides its own result: its transaction, and whether this is a retry's answer. */
export interface Acted {
  readonly transactionId: string;
  /** True when the same request under the same key was answered before: the first answer, nothing changed. */
  readonly replayed: boolean;
}

/** The advisory-lock class of idempotency keys (the ledger's locks use 6274000, 6274300, 6274301). */
const ACT_KEY_LOCK = 6274400;

/**
 * Runs one privileged act: `work` makes the change in `tx` (it may refuse with `abort`, which rolls
 * everything back) and returns the act's logged details and its result; then the act is appended to
 * the log in the same transaction. Nothing is changed without its log entry, and no entry is written
 * for a change that did not happen.
 *
 * With an idempotency key, the first answer is kept (ActOutcome) in the same transaction, and the same
 * request under the same key answers it again without running `work`: one change, one log entry,
 * however often it is retried. Requests under one key wait for each other on an advisory lock, so a
 * concurrent retry finds the first one's answer. The same key with another request, or a key the
 * initiator already gave a ledger proposal, is refused (IDEMPOTENCY_KEY_REUSED). A refusal changes
 * nothing and keeps nothing: the request retried is judged again.
 */
export async function runAct<T extends object>(
  ctx: AccessContext,
  actor: Actor,
  kind: string,
  work: (tx: Prisma.TransactionClient, now: Date) => Promise<{ details: { [key: string]: CanonicalValue }; result: T }>,
  request?: ActRequest,
): Promise<AccessResult<T & Acted>> {
  const now = ctx.now();
  const transactionId = ctx.newId();
  const keyed = request?.idempotencyKey === undefined ? null : { key: request.idempotencyKey, fingerprint: requestFingerprint(ctx.signer, kind, request.input) };
  try {
    return await ctx.db.$transaction(
      async (tx) => {
        if (keyed) {
          await tx.$executeRaw`SELECT pg_advisory_xact_lock(${ACT_KEY_LOCK}::integer, hashtext(${`${actor.userId}\n${keyed.key}`}))`;
          const earlier = await earlierAnswer<T>(tx, actor.userId, keyed);
          if (earlier) return earlier;
        }
        const { details, result } = await work(tx, now);
        await recordAdministrativeAct(tx, ctx.signer, { kind, idempotencyKey: keyed?.key ?? `${kind.toLowerCase()}:${transactionId}`, transactionId, createdAt: now, actor, details });
        if (keyed) {
          await tx.actOutcome.create({ data: { transactionId, initiatorId: actor.userId, idempotencyKey: keyed.key, kind, fingerprint: keyed.fingerprint, result: superjson.stringify(result), createdAt: now } });
        }
        return { ok: true as const, ...result, transactionId, replayed: false };
      },
      // Prisma's default of 5 s is too short for an act that hands a message to a mail server.
      { maxWait: 10_000, timeout: 30_000 },
    );
  } catch (error) {
    if (error instanceof RefusedAct) return error.refusal as AccessRefusal;
    // The key was taken meanwhile by a request that does not wait on the key's lock (a ledger proposal
    // of the same initiator, whose row the unique index kept out): answer as for that request.
    const earlier = keyed ? await earlierAnswer<T>(ctx.db, actor.userId, keyed) : null;
    if (earlier) return earlier;
    throw error;
  }
}

/**
 * The answer a key already has for this initiator: the first answer when the request is the same,
 * a refusal when the key named another request (another act, or a ledger proposal); null when unused.
 */
async function earlierAnswer<T extends object>(db: Db | Prisma.TransactionClient, initiatorId: string, keyed: { key: string; fingerprint: string }): Promise<AccessResult<T & Acted> | null> {
  const taken = await db.ledgerTransaction.findFirst({ where: { initiatorId, idempotencyKey: keyed.key }, select: { id: true } });
  if (!taken) return null;
  const outcome = await db.actOutcome.findUnique({ where: { transactionId: taken.id } });
  if (!outcome || outcome.fingerprint !== keyed.fingerprint) return refuse('IDEMPOTENCY_KEY_REUSED');
  // Invariant: an outcome is kept under its transaction's own initiator and key.
  if (outcome.initiatorId !== initiatorId || outcome.idempotencyKey !== keyed.key) throw new Error(`act outcome ${outcome.transactionId} is not under the key of its transaction`);
  return { ...superjson.parse<T>(outcome.result), ok: true as const, transactionId: outcome.transactionId, replayed: true };
}

/**
 * A digest of what was asked (the act's kind and its input), keyed by the registry's signing key: it
 * tells a retry from another request under the same key, and says nothing about the request (a name,
 * an address) to whoever reads the table, since only the registry can compute it. Ed25519 signatures
 * are deterministic: the same request always has the same fingerprint under the same key.
 */
function requestFingerprint(signer: LogSigner, kind: string, input: { readonly [key: string]: CanonicalValue }): string {
  return createHash('sha256').update(signer.sign(`registry act request\n${canonicalJson({ kind, input })}`)).digest('hex');
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
