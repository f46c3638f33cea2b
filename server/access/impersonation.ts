import type { Actor } from '../ledger/types';
import { abort, runAct, type AccessContext, type AccessResult, type Acted } from './acts';
import { mayImpersonate } from './policy';

/**
 * Impersonation (A6R-43): a registry administrator's session acts as another user, with that user's
 * grants only, until it is ended or IMPERSONATION_TTL_MS has passed. Its start and end are logged
 * acts; every act in between is recorded with both identities (the actor's `impersonatorId`).
 */
export const IMPERSONATION_TTL_MS = 30 * 60 * 1000;

/**
 * Starts impersonating `targetUserId` in session `sessionId`. `actor` is the administrator as
 * himself. The start entry records the end it will have if nobody ends it earlier, so the log shows
 * a timeout as well as an explicit end.
 */
export function startImpersonation(ctx: AccessContext, actor: Actor, sessionId: string, targetUserId: string, idempotencyKey?: string): Promise<AccessResult<{ endsAt: Date } & Acted>> {
  return runAct(ctx, actor, 'IMPERSONATION_START', async (tx, now) => {
    const target = await tx.user.findUnique({ where: { id: targetUserId }, select: { id: true, status: true, grants: { where: { status: 'ACTIVE' }, select: { role: true, sectionId: true, accountId: true } } } });
    if (!target) abort('USER_NOT_FOUND');
    const problem = mayImpersonate(actor, { userId: target.id, grants: target.grants });
    if (problem) abort('IMPERSONATION_REFUSED', problem);
    if (target.status !== 'ACTIVE') abort('USER_NOT_ACTIVE');
    const endsAt = new Date(now.getTime() + IMPERSONATION_TTL_MS);
    const updated = await tx.authSession.updateMany({ where: { id: sessionId, userId: actor.userId, revokedAt: null }, data: { impersonatedUserId: target.id, impersonationEndsAt: endsAt } });
    if (updated.count !== 1) throw new Error('startImpersonation: the administrator\'s session is gone');
    return { details: { targetUserId: target.id, endsAt }, result: { endsAt } };
  }, { idempotencyKey, input: { targetUserId } });
}

/** Ends the impersonation of session `sessionId`; `actor` is the impersonated user with the administrator beside him. */
export function stopImpersonation(ctx: AccessContext, actor: Actor, sessionId: string, idempotencyKey?: string): Promise<AccessResult<Acted>> {
  return runAct(ctx, actor, 'IMPERSONATION_END', async (tx) => {
    if (actor.impersonatorId === null) abort('NOT_IMPERSONATING');
    const updated = await tx.authSession.updateMany({ where: { id: sessionId, userId: actor.impersonatorId, impersonatedUserId: actor.userId }, data: { impersonatedUserId: null, impersonationEndsAt: null } });
    if (updated.count !== 1) abort('NOT_IMPERSONATING');
    return { details: { targetUserId: actor.userId }, result: {} };
  }, { idempotencyKey, input: {} });
}
