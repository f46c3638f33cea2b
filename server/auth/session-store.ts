import { randomBytes } from 'node:crypto';
import type { Db } from '../db/client';
import type { Prisma } from '../db/generated/client';
import { actorGrant } from '../ledger/approach-scope';
import type { ActorGrant } from '../ledger/types';

/** How long a session lives without activity limits; revocation ends it sooner. */
export const SESSION_TTL_MS = 8 * 60 * 60 * 1000;

/** The signed-in person as every layer above the database sees them. */
export interface CurrentUser {
  readonly sessionId: string;
  readonly userId: string;
  readonly email: string;
  readonly name: string;
  /** True once this session has passed the passkey ceremony; nothing but enrollment works before. */
  readonly secondFactorVerified: boolean;
  readonly hasPasskey: boolean;
  /**
   * The active grants that count for this session: the user's own, or, while impersonating, only
   * the impersonated user's (A6R-43). A suspended grant is absent from the next request on.
   */
  readonly grants: readonly ActorGrant[];
  /** The session's last passkey confirmation for a sensitive act (A6R-7), or null. */
  readonly stepUpAt: Date | null;
  /** Set while this session impersonates another user (A6R-43). */
  readonly actingAs: { readonly userId: string; readonly name: string; readonly endsAt: Date } | null;
}

export function newSessionId(): string {
  return randomBytes(32).toString('base64url');
}

export async function createSession(db: Db, userId: string, now: Date): Promise<string> {
  const id = newSessionId();
  await db.authSession.create({ data: { id, userId, createdAt: now, expiresAt: new Date(now.getTime() + SESSION_TTL_MS) } });
  return id;
}

const toActorGrant = (g: { role: ActorGrant['role']; sectionId: string | null; accountId: string | null; cooperativeApproachIds: string[] }): ActorGrant => actorGrant(g);

/**
 * The live session behind a token, or null when it is unknown, expired or revoked, or its user's
 * access is suspended. An impersonation past its end is ignored: the session is the administrator's
 * own again.
 */
export async function loadSession(db: Db, sessionId: string, now: Date): Promise<CurrentUser | null> {
  const session = await db.authSession.findUnique({
    where: { id: sessionId },
    include: { user: { include: { grants: { where: { status: 'ACTIVE' } }, credentials: { select: { id: true } } } } },
  });
  if (!session || session.revokedAt || session.expiresAt <= now || session.user.status !== 'ACTIVE') return null;
  let actingAs: CurrentUser['actingAs'] = null;
  let grants = session.user.grants.map(toActorGrant);
  if (session.impersonatedUserId !== null && session.impersonationEndsAt !== null && session.impersonationEndsAt > now) {
    const target = await db.user.findUnique({ where: { id: session.impersonatedUserId }, include: { grants: { where: { status: 'ACTIVE' } } } });
    // A target whose access was suspended meanwhile can no longer be acted for: the impersonation is over.
    if (target && target.status === 'ACTIVE') {
      actingAs = { userId: target.id, name: target.name, endsAt: session.impersonationEndsAt };
      grants = target.grants.map(toActorGrant);
    }
  }
  return {
    sessionId: session.id,
    userId: session.userId,
    email: session.user.email,
    name: session.user.name,
    secondFactorVerified: session.secondFactorAt !== null,
    hasPasskey: session.user.credentials.length > 0,
    grants,
    stepUpAt: session.stepUpAt,
    actingAs,
  };
}

/** The shared client or an open transaction of it: lets a caller mark the factor inside its own transaction. */
export type DbOrTransaction = Db | Prisma.TransactionClient;

/**
 * Marks the session's second factor; `stepUp` when it was proved by an assertion of an enrolled
 * passkey, which also counts as a step-up (A6R-7). A registration does not: the new passkey has not
 * been confirmed before.
 */
export async function markSecondFactor(db: DbOrTransaction, sessionId: string, now: Date, options: { readonly stepUp?: boolean } = {}): Promise<void> {
  await db.authSession.update({ where: { id: sessionId }, data: { secondFactorAt: now, challenge: null, ...(options.stepUp ? { stepUpAt: now } : {}) } });
}

export async function revokeSession(db: Db, sessionId: string, now: Date): Promise<void> {
  await db.authSession.updateMany({ where: { id: sessionId, revokedAt: null }, data: { revokedAt: now } });
}

/** Ends every session of a user at once (A6R-5): effective at the user's next request. */
export async function revokeAllSessions(db: Db, userId: string, now: Date): Promise<number> {
  const result = await db.authSession.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: now } });
  return result.count;
}
