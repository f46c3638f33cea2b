import { randomBytes } from 'node:crypto';
import { hashPassword } from '../auth/password';
import type { Db } from '../db/client';
import type { Role, VerificationOutcome } from '../db/generated/enums';
import type { Prisma } from '../db/generated/client';
import type { Actor } from '../ledger/types';
import { abort, lockUser, newPersonalDataKey, personalDataDigest, refuse, runAct, type AccessContext, type AccessResult, type Acted } from './acts';
import { holdsRole } from '../ledger/authority';
import { mayReadUser } from './policy';

/**
 * Users (A6R-3, A6R-5, A6R-13, A6R-50): created without grants, identified by recorded checks,
 * suspended and restored as a whole. Names and addresses stay out of the log: it chains an HMAC of
 * them under the user's own key (see acts.ts).
 */

export const VERIFICATION_METHODS = ['GOVERNMENT_ID', 'RESIDENCE', 'UN_SYSTEM', 'OTHER'] as const;
export type VerificationMethod = (typeof VERIFICATION_METHODS)[number];

const ADMIN_ROLES: readonly Role[] = ['SYSTEM_ADMIN', 'REGISTRY_ADMIN'];

export interface NewUser {
  readonly email: string;
  readonly name: string;
}

/**
 * Creates a user with no grants (A6R-13) and no usable password: credentials are set by the user
 * through an enrollment link, never sent (A6R-4). Every act here takes the client's idempotency key
 * last (see `runAct`): the same request retried under it answers the same and changes nothing.
 */
export async function createUser(ctx: AccessContext, actor: Actor, user: NewUser, idempotencyKey?: string): Promise<AccessResult<{ userId: string } & Acted>> {
  // A hash of 32 random bytes nobody knows: no password works until the user sets one. Hashed
  // before the transaction, which should not wait for scrypt.
  const passwordHash = await hashPassword(randomBytes(32).toString('base64url'));
  const email = user.email.trim().toLowerCase();
  return runAct(ctx, actor, 'USER_CREATE', async (tx, now) => {
    const taken = await tx.user.findUnique({ where: { email }, select: { id: true } });
    if (taken) abort('EMAIL_TAKEN');
    const userId = `u-${ctx.newId()}`;
    const personalDataKey = newPersonalDataKey();
    await tx.user.create({ data: { id: userId, email, name: user.name.trim(), passwordHash, createdAt: now, personalDataKey } });
    return { details: { userId, personalData: personalDataDigest(personalDataKey, { email, name: user.name.trim() }) }, result: { userId } };
  }, { idempotencyKey, input: { email, name: user.name.trim() } });
}

export interface IdentityCheck {
  readonly userId: string;
  readonly method: VerificationMethod;
  readonly outcome: VerificationOutcome;
  readonly checkedAt: Date;
  readonly note: string;
}

/** Records what was checked, by whom, when, with what outcome (A6R-3). The note stays out of the log. */
export function recordIdentityCheck(ctx: AccessContext, actor: Actor, check: IdentityCheck, idempotencyKey?: string): Promise<AccessResult<{ verificationId: string } & Acted>> {
  return runAct(ctx, actor, 'IDENTITY_CHECK', async (tx, now) => {
    const user = await lockUser(tx, check.userId);
    if (!user) abort('USER_NOT_FOUND');
    if (check.userId === actor.userId || check.userId === actor.impersonatorId) abort('SELF_NOT_ALLOWED', 'Your own identity is checked by another administrator.');
    const key = (await tx.user.findUnique({ where: { id: check.userId }, select: { personalDataKey: true } }))?.personalDataKey ?? null;
    const verificationId = ctx.newId();
    await tx.identityVerification.create({ data: { id: verificationId, userId: check.userId, method: check.method, outcome: check.outcome, verifiedById: actor.userId, checkedAt: check.checkedAt, note: check.note, createdAt: now } });
    return {
      details: { verificationId, userId: check.userId, method: check.method, outcome: check.outcome, checkedAt: check.checkedAt, note: key === null || check.note === '' ? null : personalDataDigest(key, { note: check.note }) },
      result: { verificationId },
    };
  }, { idempotencyKey, input: { userId: check.userId, method: check.method, outcome: check.outcome, checkedAt: check.checkedAt, note: check.note } });
}

/**
 * Suspends (true) or restores (false) a user's access to the registry as a whole (A6R-5, A6R-50):
 * on suspension every session ends at once, effective at the user's next request, and password and
 * passkeys stop working; grants keep their settings. System administrators may do it to anyone;
 * registry administrators to anyone but system and registry administrators.
 */
export function setUserAccessSuspended(ctx: AccessContext, actor: Actor, userId: string, suspended: boolean, idempotencyKey?: string): Promise<AccessResult<{ sessionsEnded: number } & Acted>> {
  return runAct(ctx, actor, suspended ? 'USER_ACCESS_SUSPEND' : 'USER_ACCESS_RESTORE', async (tx, now) => {
    const user = await lockUser(tx, userId);
    if (!user) abort('USER_NOT_FOUND');
    if (userId === actor.userId || userId === actor.impersonatorId) abort('SELF_NOT_ALLOWED');
    const isSystemAdmin = holdsRole(actor, 'SYSTEM_ADMIN');
    if (!isSystemAdmin) {
      const targetIsAdmin = await tx.grant.count({ where: { userId, role: { in: [...ADMIN_ROLES] } } });
      if (targetIsAdmin > 0) abort('NOT_ALLOWED', 'Only system administrators suspend the access of registry and system administrators.');
    }
    if ((user.status === 'SUSPENDED') === suspended) abort('GRANT_ALREADY_IN_STATE', suspended ? 'This user\'s access is already suspended.' : 'This user\'s access is already active.');
    await tx.user.update({ where: { id: userId }, data: { status: suspended ? 'SUSPENDED' : 'ACTIVE' } });
    const ended = suspended ? await tx.authSession.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: now } }) : { count: 0 };
    return { details: { userId, sessionsEnded: ended.count }, result: { sessionsEnded: ended.count } };
  }, { idempotencyKey, input: { userId, suspended } });
}

// ---------------------------------------------------------------------------------------------------
// Reads

export interface UserSummary {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly status: string;
  readonly verified: boolean;
  readonly grants: readonly { readonly id: string; readonly role: Role; readonly sectionId: string | null; readonly accountId: string | null; readonly cooperativeApproachIds: readonly string[]; readonly status: string }[];
}

const userSelect = {
  id: true,
  email: true,
  name: true,
  status: true,
  grants: { select: { id: true, role: true, sectionId: true, accountId: true, cooperativeApproachIds: true, status: true, account: { select: { sectionId: true, cooperativeApproachId: true } } }, orderBy: { createdAt: 'asc' as const } },
  verifications: { select: { outcome: true, checkedAt: true, createdAt: true }, orderBy: [{ checkedAt: 'desc' as const }, { createdAt: 'desc' as const }], take: 1 },
} satisfies Prisma.UserSelect;

type SelectedUser = Awaited<ReturnType<typeof loadUsers>>[number];

function loadUsers(db: Db, where: { id?: string }) {
  return db.user.findMany({ where, select: userSelect, orderBy: { email: 'asc' } });
}

function visible(actor: Actor, user: SelectedUser): boolean {
  return mayReadUser(actor, { grants: user.grants.map((g) => ({ role: g.role, sectionId: g.sectionId, accountId: g.accountId, accountSectionId: g.account?.sectionId ?? null, accountApproachId: g.account?.cooperativeApproachId ?? null })) });
}

function summary(user: SelectedUser): UserSummary {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    status: user.status,
    verified: user.verifications[0]?.outcome === 'VERIFIED',
    grants: user.grants.map((g) => ({ id: g.id, role: g.role, sectionId: g.sectionId, accountId: g.accountId, cooperativeApproachIds: g.cooperativeApproachIds, status: g.status })),
  };
}

/** The users this administrator may see (policy: mayReadUser). */
export async function listUsers(db: Db, actor: Actor): Promise<UserSummary[]> {
  const users = await loadUsers(db, {});
  return users.filter((u) => visible(actor, u)).map(summary);
}

export interface UserDetail extends UserSummary {
  readonly verifications: readonly { readonly method: string; readonly outcome: string; readonly checkedAt: Date; readonly verifiedById: string }[];
}

export async function readUser(db: Db, actor: Actor, userId: string): Promise<AccessResult<{ user: UserDetail }>> {
  const [user] = await loadUsers(db, { id: userId });
  if (!user || !visible(actor, user)) return refuse('USER_NOT_FOUND');
  const verifications = await db.identityVerification.findMany({ where: { userId }, orderBy: [{ checkedAt: 'desc' }, { createdAt: 'desc' }], select: { method: true, outcome: true, checkedAt: true, verifiedById: true } });
  return { ok: true, user: { ...summary(user), verifications } };
}
