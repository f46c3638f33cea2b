import { randomBytes } from 'node:crypto';
import { hashPassword } from '../auth/password';
import { abort, newPersonalDataKey, personalDataDigest, runAct, type AccessContext, type AccessResult } from './acts';

/**
 * People apply to use the registry (A6R-13): the application creates a user with no grants and no
 * usable credentials. An administrator then checks the identity (A6R-3) and has the registry send an
 * enrollment link (A6R-4). The answer is the same whether or not the address is already known, so the
 * form tells nobody who has an account. Applications are limited per client address.
 */
export const APPLICATIONS_PER_ADDRESS_PER_HOUR = 5;
const APPLICATION_MARKER = '(application)';

export const APPLICATION_MESSAGES = {
  RECEIVED: 'Thank you. An administrator will verify your identity and then email you a link to set up your access.',
  TOO_MANY: 'Too many applications from your network. Please try again in an hour.',
} as const;

export async function applyForAccess(ctx: AccessContext, application: { name: string; email: string }, address: string): Promise<AccessResult<{ message: string }>> {
  const now = ctx.now();
  const recent = await ctx.db.signInAttempt.count({ where: { email: APPLICATION_MARKER, address, createdAt: { gt: new Date(now.getTime() - 60 * 60 * 1000) } } });
  if (recent >= APPLICATIONS_PER_ADDRESS_PER_HOUR) return { ok: false, code: 'NOT_ALLOWED', message: APPLICATION_MESSAGES.TOO_MANY };
  await ctx.db.signInAttempt.create({ data: { email: APPLICATION_MARKER, address, succeeded: true, createdAt: now } });
  const email = application.email.trim().toLowerCase();
  const name = application.name.trim();
  if (await ctx.db.user.findUnique({ where: { email }, select: { id: true } })) return { ok: true, message: APPLICATION_MESSAGES.RECEIVED };
  const userId = `u-${ctx.newId()}`;
  const passwordHash = await hashPassword(randomBytes(32).toString('base64url'));
  const result = await runAct(ctx, { userId, impersonatorId: null, grants: [] }, 'USER_APPLY', async (tx) => {
    if (await tx.user.findUnique({ where: { email }, select: { id: true } })) abort('EMAIL_TAKEN');
    const personalDataKey = newPersonalDataKey();
    await tx.user.create({ data: { id: userId, email, name, passwordHash, createdAt: now, personalDataKey } });
    return { details: { userId, personalData: personalDataDigest(personalDataKey, { email, name }) }, result: {} };
  });
  // A concurrent application with the same address is the same answer.
  if (!result.ok && result.code !== 'EMAIL_TAKEN') return result;
  return { ok: true, message: APPLICATION_MESSAGES.RECEIVED };
}
