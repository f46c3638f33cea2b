import type { Db } from '../db/client';
import type { Prisma } from '../db/generated/client';
import { canonicalJson, type CanonicalValue } from '../ledger/canonical-json';
import type { Actor } from '../ledger/types';
import { abort, lockUser, personalDataDigest, runAct, type AccessContext, type AccessResult, type Acted } from './acts';
import { mayReadUser } from './policy';

/**
 * Profiles (A6R-9, A6R-10, A6R-11, A6R-49): a real name, affiliations and several contact methods,
 * kept as a history of versions. A user asks for a change; contact methods are applied at once, the
 * name and affiliations (which identify the person) wait for a section or registry administrator.
 * The log chains a keyed digest of every version and request, never the data; anonymisation erases
 * the data and the key, and the log stays verifiable.
 */
export const CONTACT_KINDS = ['EMAIL', 'PHONE', 'POSTAL', 'OTHER'] as const;
export type ContactKind = (typeof CONTACT_KINDS)[number];

export interface Profile {
  readonly name: string;
  readonly affiliations: readonly string[];
  readonly contacts: readonly { readonly kind: ContactKind; readonly value: string }[];
}

/** Fields whose change needs an administrator's approval. */
const NEEDS_APPROVAL: readonly (keyof Profile)[] = ['name', 'affiliations'];

const asCanonical = (profile: Profile): { [key: string]: CanonicalValue } => ({
  name: profile.name,
  affiliations: [...profile.affiliations],
  contacts: profile.contacts.map((c) => ({ kind: c.kind, value: c.value })),
});

/** The latest version, or the profile a user starts with: the name and sign-in address given at creation. */
export async function currentProfile(db: Db | Prisma.TransactionClient, userId: string): Promise<Profile | null> {
  const latest = await db.profileVersion.findFirst({ where: { userId }, orderBy: { version: 'desc' } });
  if (latest && latest.anonymisedAt === null) return JSON.parse(latest.data) as Profile;
  const user = await db.user.findUnique({ where: { id: userId }, select: { name: true, email: true } });
  return user ? { name: user.name, affiliations: [], contacts: [{ kind: 'EMAIL', value: user.email }] } : null;
}

function changedFields(before: Profile, after: Profile): (keyof Profile)[] {
  const a = asCanonical(before);
  const b = asCanonical(after);
  return (['name', 'affiliations', 'contacts'] as const).filter((f) => canonicalJson(a[f] ?? null) !== canonicalJson(b[f] ?? null));
}

async function keyOf(tx: Prisma.TransactionClient, userId: string): Promise<string> {
  const user = await tx.user.findUnique({ where: { id: userId }, select: { personalDataKey: true } });
  if (!user?.personalDataKey) abort('USER_NOT_FOUND', 'This user\'s personal data has been anonymised.');
  return user.personalDataKey;
}

async function applyVersion(tx: Prisma.TransactionClient, ctx: AccessContext, userId: string, profile: Profile, requestId: string, now: Date): Promise<number> {
  const latest = await tx.profileVersion.findFirst({ where: { userId }, orderBy: { version: 'desc' }, select: { version: true } });
  const version = (latest?.version ?? 0) + 1;
  await tx.profileVersion.create({ data: { id: ctx.newId(), userId, version, data: canonicalJson(asCanonical(profile)), createdAt: now, requestId } });
  await tx.user.update({ where: { id: userId }, data: { name: profile.name } });
  return version;
}

/** The user (or an administrator impersonating him) asks for a change of his own profile. */
export function requestProfileChange(ctx: AccessContext, actor: Actor, proposed: Profile, idempotencyKey?: string): Promise<AccessResult<{ requestId: string; applied: boolean } & Acted>> {
  return runAct(ctx, actor, 'PROFILE_CHANGE_REQUEST', async (tx, now) => {
    const userId = actor.userId;
    await lockUser(tx, userId);
    const key = await keyOf(tx, userId);
    const current = await currentProfile(tx, userId);
    if (!current) abort('USER_NOT_FOUND');
    const fields = changedFields(current, proposed);
    if (fields.length === 0) abort('NO_CHANGE');
    if (await tx.profileChangeRequest.count({ where: { userId, status: 'PENDING' } })) abort('REQUEST_PENDING');
    const applied = !fields.some((f) => NEEDS_APPROVAL.includes(f));
    const requestId = ctx.newId();
    await tx.profileChangeRequest.create({ data: { id: requestId, userId, proposed: canonicalJson(asCanonical(proposed)), status: applied ? 'APPLIED' : 'PENDING', createdAt: now, decidedAt: applied ? now : null } });
    const version = applied ? await applyVersion(tx, ctx, userId, proposed, requestId, now) : null;
    return { details: { userId, requestId, fields, applied, version, digest: personalDataDigest(key, asCanonical(proposed)) }, result: { requestId, applied } };
  }, { idempotencyKey, input: asCanonical(proposed) });
}

async function targetGrants(tx: Prisma.TransactionClient, userId: string) {
  const grants = await tx.grant.findMany({ where: { userId }, select: { role: true, sectionId: true, accountId: true, account: { select: { sectionId: true, cooperativeApproachId: true } } } });
  return grants.map((g) => ({ role: g.role, sectionId: g.sectionId, accountId: g.accountId, accountSectionId: g.account?.sectionId ?? null, accountApproachId: g.account?.cooperativeApproachId ?? null }));
}

/** A section or registry administrator approves or rejects a pending change, never his own. */
export function decideProfileChange(ctx: AccessContext, actor: Actor, requestId: string, approve: boolean, idempotencyKey?: string): Promise<AccessResult<{ version: number | null } & Acted>> {
  return runAct(ctx, actor, approve ? 'PROFILE_CHANGE_APPROVE' : 'PROFILE_CHANGE_REJECT', async (tx, now) => {
    const request = await tx.profileChangeRequest.findUnique({ where: { id: requestId } });
    if (!request || request.status !== 'PENDING') abort('REQUEST_NOT_FOUND');
    await lockUser(tx, request.userId);
    if (request.userId === actor.userId || request.userId === actor.impersonatorId) abort('SELF_NOT_ALLOWED', 'Another administrator decides on your own profile.');
    if (!mayReadUser(actor, { grants: await targetGrants(tx, request.userId) })) abort('NOT_ALLOWED', 'You do not administer this user.');
    const taken = await tx.profileChangeRequest.updateMany({ where: { id: requestId, status: 'PENDING' }, data: { status: approve ? 'APPLIED' : 'REJECTED', decidedById: actor.userId, decidedAt: now } });
    if (taken.count !== 1) abort('REQUEST_NOT_FOUND');
    const version = approve ? await applyVersion(tx, ctx, request.userId, JSON.parse(request.proposed) as Profile, requestId, now) : null;
    return { details: { userId: request.userId, requestId, version }, result: { version } };
  }, { idempotencyKey, input: { requestId, approve } });
}

export interface PendingChange {
  readonly requestId: string;
  readonly userId: string;
  readonly current: Profile | null;
  readonly proposed: Profile;
  readonly createdAt: Date;
}

/** The pending changes of one user, for an administrator who may see him. */
export async function pendingChangesOf(db: Db, userId: string): Promise<PendingChange[]> {
  const requests = await db.profileChangeRequest.findMany({ where: { userId, status: 'PENDING' }, orderBy: { createdAt: 'asc' } });
  const current = await currentProfile(db, userId);
  return requests.map((r) => ({ requestId: r.id, userId: r.userId, current, proposed: JSON.parse(r.proposed) as Profile, createdAt: r.createdAt }));
}

/** The history of one's profile: versions, newest first, and the status of one's requests. */
export async function ownProfile(db: Db, userId: string) {
  const [profile, versions, requests] = await Promise.all([
    currentProfile(db, userId),
    db.profileVersion.count({ where: { userId } }),
    db.profileChangeRequest.findMany({ where: { userId }, orderBy: { createdAt: 'desc' }, take: 10, select: { id: true, status: true, createdAt: true, decidedAt: true } }),
  ]);
  return { profile, versions, requests };
}

/**
 * Anonymisation (A6R-49) as its own logged act: the name, sign-in address, every profile version,
 * every change request and the notes of identity checks are erased, and so is the key of the digests
 * in the log, which therefore no longer link to anyone. Grants, transactions and log entries stay:
 * they name the user only by id. The user's access must be suspended first.
 */
export function anonymiseUser(ctx: AccessContext, actor: Actor, userId: string, idempotencyKey?: string): Promise<AccessResult<{ versionsErased: number } & Acted>> {
  return runAct(ctx, actor, 'USER_ANONYMISE', async (tx, now) => {
    const user = await lockUser(tx, userId);
    if (!user) abort('USER_NOT_FOUND');
    if (userId === actor.userId || userId === actor.impersonatorId) abort('SELF_NOT_ALLOWED');
    if (user.status === 'ACTIVE') abort('STILL_ACTIVE');
    const versions = await tx.profileVersion.updateMany({ where: { userId, anonymisedAt: null }, data: { data: '{}', anonymisedAt: now } });
    const requests = await tx.profileChangeRequest.updateMany({ where: { userId }, data: { proposed: '{}', status: 'ERASED' } });
    await tx.identityVerification.updateMany({ where: { userId, note: { not: '' } }, data: { note: '' } });
    await tx.signInAttempt.deleteMany({ where: { email: (await tx.user.findUniqueOrThrow({ where: { id: userId }, select: { email: true } })).email } });
    await tx.user.update({ where: { id: userId }, data: { name: 'Anonymised user', email: `anonymised+${userId}@invalid`, personalDataKey: null, anonymisedAt: now } });
    return { details: { userId, versionsErased: versions.count, requestsErased: requests.count }, result: { versionsErased: versions.count } };
  }, { idempotencyKey, input: { userId } });
}
