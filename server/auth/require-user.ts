import { forbidden, redirect } from 'next/navigation';
import type { PolicyName } from '../access/policy';
import { mayUse } from './actor';
import { getCurrentUser } from './current-user';
import type { CurrentUser } from './session-store';

export type SignInStep = '/sign-in' | '/passkey/register' | '/passkey/verify';

/**
 * Where a request must go before it may see the registry, or null when it is fully signed in:
 * no session → the password step; a session without a passkey on the account → enrolment; a session
 * whose passkey check is still missing → the passkey check.
 */
export function pendingSignInStep(user: CurrentUser | null): SignInStep | null {
  if (!user) return '/sign-in';
  if (user.secondFactorVerified) return null;
  return user.hasPasskey ? '/passkey/verify' : '/passkey/register';
}

/** For pages: the fully signed-in user (password and passkey), or a redirect to the missing step. */
export async function requireUser(): Promise<CurrentUser> {
  const user = await getCurrentUser();
  const step = pendingSignInStep(user);
  if (step !== null || !user) redirect(step ?? '/sign-in');
  return user;
}

/**
 * For pages behind a policy: the fully signed-in user whose grants open it. Anyone else gets the
 * forbidden page (403), which says that a permission is missing: the registry's pages are no secret,
 * only what is on them. A resource the person may not see (an account of another Party) is a 404,
 * like one that does not exist; that is the page's own check.
 */
export async function requirePolicy(name: PolicyName): Promise<CurrentUser> {
  const user = await requireUser();
  if (!mayUse(user, name)) forbidden();
  return user;
}
