import type { Db } from '../db/client';
import { SIGN_IN_MESSAGES } from './sign-in-messages';

/**
 * Sign-in throttling (NIST SP 800-63B §5.2.2): failed password attempts are counted per account
 * (the email typed, known or not, so that the answer reveals nothing) and per network address, over
 * a sliding window. Past the limit the password is not even checked until the window has passed.
 * A success clears the account's count; the address's count keeps running, since one address
 * trying many accounts is the attack it is there for.
 */
export const THROTTLE_WINDOW_MS = 15 * 60 * 1000;
export const ACCOUNT_FAILURE_LIMIT = 5;
export const ADDRESS_FAILURE_LIMIT = 20;
/** Attempts are kept this long, then deleted as new ones arrive. */
const RETENTION_MS = 24 * 60 * 60 * 1000;

export type ThrottleDecision = { readonly allowed: true } | { readonly allowed: false; readonly code: 'ACCOUNT_THROTTLED' | 'ADDRESS_THROTTLED'; readonly message: string };

export async function checkThrottle(db: Db, email: string, address: string, now: Date): Promise<ThrottleDecision> {
  const since = new Date(now.getTime() - THROTTLE_WINDOW_MS);
  const lastSuccess = await db.signInAttempt.findFirst({ where: { email, succeeded: true, createdAt: { gt: since } }, orderBy: { createdAt: 'desc' }, select: { createdAt: true } });
  const accountSince = lastSuccess && lastSuccess.createdAt > since ? lastSuccess.createdAt : since;
  const [accountFailures, addressFailures] = await Promise.all([
    db.signInAttempt.count({ where: { email, succeeded: false, createdAt: { gt: accountSince } } }),
    db.signInAttempt.count({ where: { address, succeeded: false, createdAt: { gt: since } } }),
  ]);
  if (accountFailures >= ACCOUNT_FAILURE_LIMIT) return { allowed: false, code: 'ACCOUNT_THROTTLED', message: SIGN_IN_MESSAGES.ACCOUNT_THROTTLED };
  if (addressFailures >= ADDRESS_FAILURE_LIMIT) return { allowed: false, code: 'ADDRESS_THROTTLED', message: SIGN_IN_MESSAGES.ADDRESS_THROTTLED };
  return { allowed: true };
}

export async function recordAttempt(db: Db, email: string, address: string, succeeded: boolean, now: Date): Promise<void> {
  await db.signInAttempt.create({ data: { email, address, succeeded, createdAt: now } });
  await db.signInAttempt.deleteMany({ where: { email, createdAt: { lt: new Date(now.getTime() - RETENTION_MS) } } });
}

