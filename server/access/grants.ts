import type { Role } from '../db/generated/enums';
import type { Prisma } from '../db/generated/client';
import type { Actor } from '../ledger/types';
import { abort, lockUser, runAct, type AccessContext, type AccessResult, type Acted } from './acts';
import { approachLimitProblem, granteeProblem, grantShapeProblem, mayAdministerGrant, mayAdministerSystemGrant, type GrantScope } from './policy';

/**
 * Grants (A6R-12..15, A6R-51): issued by the administrator of the level above, suspended and
 * reinstated (the grant and its settings stay), revoked (the grant is deleted; a new grant is needed
 * to restore it). Each act is logged with both identities when impersonating. A suspended grant no
 * longer counts from the next request on: sessions read the active grants at every request.
 */

export interface GrantRequest {
  readonly userId: string;
  readonly role: Role;
  readonly sectionId: string | null;
  readonly accountId: string | null;
  /** Limits the grant to these cooperative approaches (A6R-46); absent or empty: no such limit. */
  readonly cooperativeApproachIds?: readonly string[];
}

/** The scope of an account-level grant is judged by the account's section and approach: looked up here. */
async function scopeOf(tx: Prisma.TransactionClient, grant: { role: Role; sectionId: string | null; accountId: string | null; cooperativeApproachIds: readonly string[] }): Promise<GrantScope> {
  if (grant.sectionId !== null) {
    const section = await tx.section.findUnique({ where: { id: grant.sectionId }, select: { id: true } });
    if (!section) abort('SECTION_NOT_FOUND', `There is no section ${grant.sectionId}.`);
  }
  let accountSectionId: string | null = null;
  let accountApproachId: string | null = null;
  if (grant.accountId !== null) {
    const account = await tx.account.findUnique({ where: { id: grant.accountId }, select: { sectionId: true, cooperativeApproachId: true } });
    if (!account) abort('ACCOUNT_NOT_FOUND', `There is no account ${grant.accountId}.`);
    accountSectionId = account.sectionId;
    accountApproachId = account.cooperativeApproachId;
  }
  return { role: grant.role, sectionId: grant.sectionId, accountId: grant.accountId, cooperativeApproachIds: grant.cooperativeApproachIds, accountSectionId, accountApproachId };
}

/** The approaches a grant is limited to, each known to the registry, without repeats, in order. */
async function approachLimit(tx: Prisma.TransactionClient, requested: readonly string[] | undefined): Promise<string[]> {
  const ids = [...new Set(requested ?? [])].sort();
  if (ids.length === 0) return ids;
  const known = await tx.cooperativeApproach.findMany({ where: { id: { in: ids } }, select: { id: true } });
  const unknown = ids.filter((id) => !known.some((k) => k.id === id));
  if (unknown.length > 0) abort('APPROACH_NOT_FOUND', `There is no cooperative approach ${unknown.join(', ')}.`);
  return ids;
}

/** What the log records of a grant: its limit only when it has one, as the ledger records grants. */
const grantDetails = (g: { id: string; userId: string; role: Role; sectionId: string | null; accountId: string | null; cooperativeApproachIds: readonly string[] }) => ({
  grantId: g.id,
  userId: g.userId,
  role: g.role,
  sectionId: g.sectionId,
  accountId: g.accountId,
  ...(g.cooperativeApproachIds.length > 0 ? { cooperativeApproachIds: [...g.cooperativeApproachIds] } : {}),
});

/** True when the user is a registered external system's own user (A6R-8). */
async function isExternalSystem(tx: Prisma.TransactionClient, userId: string): Promise<boolean> {
  return (await tx.apiClient.findUnique({ where: { userId }, select: { id: true } })) !== null;
}

/** True when the user's latest identity check verified them (A6R-3). */
export async function identityVerified(tx: Prisma.TransactionClient, userId: string): Promise<boolean> {
  const latest = await tx.identityVerification.findFirst({ where: { userId }, orderBy: [{ checkedAt: 'desc' }, { createdAt: 'desc' }], select: { outcome: true } });
  return latest?.outcome === 'VERIFIED';
}

/**
 * Issues a grant. Checked in this order: the user, the scope's shape, the section or account and the
 * approaches, whether the approach limit fits the account, the granting administrator's right, the
 * user's identity check, a duplicate (one grant per role and section or account, whatever its limit:
 * to change the limit, revoke and grant again).
 */
export function createGrant(ctx: AccessContext, actor: Actor, request: GrantRequest, idempotencyKey?: string): Promise<AccessResult<{ grantId: string } & Acted>> {
  return runAct(ctx, actor, 'GRANT_CREATE', async (tx, now) => {
    const user = await lockUser(tx, request.userId);
    if (!user) abort('USER_NOT_FOUND');
    if (user.status !== 'ACTIVE') abort('USER_NOT_ACTIVE');
    const requestedLimit = [...new Set(request.cooperativeApproachIds ?? [])].sort();
    const shape = grantShapeProblem({ ...request, cooperativeApproachIds: requestedLimit });
    if (shape) abort('GRANT_SHAPE_INVALID', shape);
    const cooperativeApproachIds = await approachLimit(tx, requestedLimit);
    const scope = await scopeOf(tx, { ...request, cooperativeApproachIds });
    const limitProblem = approachLimitProblem(scope);
    if (limitProblem) abort('GRANT_SHAPE_INVALID', limitProblem);
    const system = await isExternalSystem(tx, request.userId);
    const granteeShape = granteeProblem(request.role, system);
    if (granteeShape) abort('GRANT_SHAPE_INVALID', granteeShape);
    if (!mayAdministerGrant(actor, scope) || (system && !mayAdministerSystemGrant(actor))) abort('NOT_ALLOWED', 'You may not grant this role in this scope.');
    if (!(await identityVerified(tx, request.userId))) abort('IDENTITY_NOT_VERIFIED');
    const duplicate = await tx.grant.findFirst({ where: { userId: request.userId, role: request.role, sectionId: request.sectionId, accountId: request.accountId }, select: { id: true } });
    if (duplicate) abort('GRANT_EXISTS');
    const grantId = ctx.newId();
    const grant = { id: grantId, userId: request.userId, role: request.role, sectionId: request.sectionId, accountId: request.accountId, cooperativeApproachIds };
    await tx.grant.create({ data: { ...grant, status: 'ACTIVE', createdAt: now, grantedById: actor.userId } });
    return { details: grantDetails(grant), result: { grantId } };
  }, { idempotencyKey, input: { userId: request.userId, role: request.role, sectionId: request.sectionId, accountId: request.accountId, cooperativeApproachIds: [...new Set(request.cooperativeApproachIds ?? [])].sort() } });
}

/** Loads a grant with its user locked, and checks that the actor administers it. */
async function administeredGrant(tx: Prisma.TransactionClient, actor: Actor, grantId: string) {
  const found = await tx.grant.findUnique({ where: { id: grantId }, select: { userId: true } });
  if (!found) abort('GRANT_NOT_FOUND');
  await lockUser(tx, found.userId);
  const grant = await tx.grant.findUnique({ where: { id: grantId } });
  if (!grant) abort('GRANT_NOT_FOUND');
  const scope = await scopeOf(tx, grant);
  if (!mayAdministerGrant(actor, scope) || ((await isExternalSystem(tx, grant.userId)) && !mayAdministerSystemGrant(actor))) abort('NOT_ALLOWED', 'You do not administer this grant.');
  return grant;
}

/** Suspends (true) or reinstates (false) a grant; its settings are kept either way. */
export function setGrantSuspended(ctx: AccessContext, actor: Actor, grantId: string, suspended: boolean, idempotencyKey?: string): Promise<AccessResult<Acted>> {
  return runAct(ctx, actor, suspended ? 'GRANT_SUSPEND' : 'GRANT_REINSTATE', async (tx, now) => {
    const grant = await administeredGrant(tx, actor, grantId);
    if ((grant.status === 'SUSPENDED') === suspended) abort('GRANT_ALREADY_IN_STATE', suspended ? 'The grant is already suspended.' : 'The grant is already active.');
    if (!suspended && !(await identityVerified(tx, grant.userId))) abort('IDENTITY_NOT_VERIFIED');
    await tx.grant.update({
      where: { id: grant.id },
      data: suspended ? { status: 'SUSPENDED', suspendedAt: now, suspendedById: actor.userId } : { status: 'ACTIVE', suspendedAt: null, suspendedById: null },
    });
    return { details: grantDetails(grant), result: {} };
  }, { idempotencyKey, input: { grantId, suspended } });
}

/** Revokes a grant: it is deleted, and only the log remembers it. */
export function revokeGrant(ctx: AccessContext, actor: Actor, grantId: string, idempotencyKey?: string): Promise<AccessResult<Acted>> {
  return runAct(ctx, actor, 'GRANT_REVOKE', async (tx) => {
    const grant = await administeredGrant(tx, actor, grantId);
    await tx.grant.delete({ where: { id: grant.id } });
    return { details: { ...grantDetails(grant), wasStatus: grant.status }, result: {} };
  }, { idempotencyKey, input: { grantId } });
}
