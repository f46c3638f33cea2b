import { createHash, randomBytes } from 'node:crypto';
import { hashPassword } from '../auth/password';
import { PASSWORD_PROBLEMS, passwordProblem } from '../auth/password-policy';
import type { Prisma } from '../db/generated/client';
import type { Mailer } from '../mail/mailer';
import type { Actor } from '../ledger/types';
import { abort, lockUser, refuse, runAct, type AccessContext, type AccessResult, type Acted } from './acts';
import { identityVerified } from './grants';
import { mayIssueCredentials } from './policy';

/**
 * Credentials are never sent (A6R-4): an administrator has the registry email a single-use link,
 * valid for ENROLLMENT_TTL_MS, only once the user's identity has been verified (which is where an
 * out-of-date address is caught). Through the link the user sets a password; the next sign-in asks
 * for a passkey. A new link replaces any earlier unused one. Enrolling replaces the user's former
 * credentials: the old password stops working, passkeys are removed and every session ends, so the
 * same link also serves recovery after a lost device.
 */
export const ENROLLMENT_TTL_MS = 48 * 60 * 60 * 1000;

export const tokenHash = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

export interface EnrollmentMail {
  readonly mailer: Mailer;
  /** The registry's public URL, where the link points. */
  readonly baseUrl: string;
}

/** Retried under its idempotency key, the link is not sent again: the first answer is. */
export function issueEnrollmentLink(ctx: AccessContext, actor: Actor, userId: string, mail: EnrollmentMail, idempotencyKey?: string): Promise<AccessResult<{ expiresAt: Date } & Acted>> {
  return runAct(ctx, actor, 'CREDENTIAL_ISSUE', async (tx, now) => {
    const locked = await lockUser(tx, userId);
    if (!locked) abort('USER_NOT_FOUND');
    const user = await tx.user.findUniqueOrThrow({ where: { id: userId }, select: { email: true, name: true, status: true, grants: { select: { role: true, sectionId: true, accountId: true, account: { select: { sectionId: true, cooperativeApproachId: true } } } } } });
    if (user.status !== 'ACTIVE') abort('USER_NOT_ACTIVE');
    const grants = user.grants.map((g) => ({ role: g.role, sectionId: g.sectionId, accountId: g.accountId, accountSectionId: g.account?.sectionId ?? null, accountApproachId: g.account?.cooperativeApproachId ?? null }));
    if (!mayIssueCredentials(actor, { grants })) abort('NOT_ALLOWED', 'You do not issue credentials to this user.');
    if (!(await identityVerified(tx, userId))) abort('IDENTITY_NOT_VERIFIED', 'Verify this user\'s identity before sending an enrollment link.');
    const { tokenId, expiresAt } = await createEnrollmentLink(tx, ctx, { userId, email: user.email, name: user.name, createdById: actor.userId, now }, mail);
    return { details: { userId, tokenId, expiresAt }, result: { expiresAt } };
  }, { idempotencyKey, input: { userId } });
}

/**
 * Replaces any unused link of the user with a new one and mails it, inside the caller's transaction:
 * sent before the commit, so that if the mail cannot be handed over the link is not recorded either.
 * Returns the link too, for the operator who initialises a registry (scripts/registry-init.ts).
 */
export async function createEnrollmentLink(
  tx: Prisma.TransactionClient,
  ctx: Pick<AccessContext, 'newId'>,
  to: { userId: string; email: string; name: string; createdById: string; now: Date },
  mail: EnrollmentMail,
): Promise<{ tokenId: string; expiresAt: Date; link: string }> {
  const { userId, now } = to;
  await tx.enrollmentToken.updateMany({ where: { userId, usedAt: null, supersededAt: null }, data: { supersededAt: now } });
  const token = randomBytes(32).toString('base64url');
  const tokenId = ctx.newId();
  const expiresAt = new Date(now.getTime() + ENROLLMENT_TTL_MS);
  await tx.enrollmentToken.create({ data: { id: tokenId, userId, tokenHash: tokenHash(token), createdById: to.createdById, createdAt: now, expiresAt } });
  const link = new URL(`/enroll/${token}`, mail.baseUrl).toString();
  await mail.mailer.send({
    to: to.email,
    subject: 'Set up your access to the Article 6 Registry',
    text: [
      `Dear ${to.name},`,
      '',
      'An administrator of the Article 6 Registry has invited you to set up your access. Open this link to choose your password:',
      '',
      link,
      '',
      `The link works once and expires at ${expiresAt.toISOString().slice(0, 16).replace('T', ' ')} UTC. After choosing your password you will create a passkey on your device; every sign-in needs both.`,
      '',
      'If you did not expect this message, do not open the link and tell the registry administrators.',
    ].join('\n'),
  });
  return { tokenId, expiresAt, link };
}

/**
 * Sets the user's password through a link. The password is judged before the link is used up, so a
 * refused password leaves the link valid; the link is taken by a conditional update, so two
 * concurrent uses cannot both succeed.
 */
export async function enrollWithToken(ctx: AccessContext, token: string, password: string): Promise<AccessResult<{ email: string }>> {
  if (typeof token !== 'string' || !/^[A-Za-z0-9_-]{20,100}$/.test(token)) return refuse('TOKEN_INVALID');
  const now = ctx.now();
  const found = await ctx.db.enrollmentToken.findUnique({ where: { tokenHash: tokenHash(token) } });
  if (!found || found.usedAt !== null || found.supersededAt !== null || found.expiresAt <= now) return refuse('TOKEN_INVALID');
  const user = await ctx.db.user.findUnique({ where: { id: found.userId }, select: { id: true, email: true, name: true, status: true } });
  if (!user) return refuse('TOKEN_INVALID');
  if (user.status !== 'ACTIVE') return refuse('USER_NOT_ACTIVE');
  const problem = passwordProblem(password, { email: user.email, name: user.name });
  if (problem) return refuse('PASSWORD_REJECTED', PASSWORD_PROBLEMS[problem]);
  const passwordHash = await hashPassword(password);
  const actor: Actor = { userId: user.id, impersonatorId: null, grants: [] };
  return runAct(ctx, actor, 'CREDENTIAL_ENROLL', async (tx, at) => {
    await lockUser(tx, user.id);
    const taken = await tx.enrollmentToken.updateMany({ where: { id: found.id, usedAt: null, supersededAt: null, expiresAt: { gt: at } }, data: { usedAt: at } });
    if (taken.count !== 1) abort('TOKEN_INVALID');
    await tx.user.update({ where: { id: user.id }, data: { passwordHash } });
    const removed = await tx.webAuthnCredential.deleteMany({ where: { userId: user.id } });
    const ended = await tx.authSession.updateMany({ where: { userId: user.id, revokedAt: null }, data: { revokedAt: at } });
    return { details: { userId: user.id, tokenId: found.id, passkeysRemoved: removed.count, sessionsEnded: ended.count }, result: { email: user.email } };
  });
}
