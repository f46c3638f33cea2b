import { getServerSession } from 'next-auth/next';
import { cookies } from 'next/headers';
import { cache } from 'react';
import { db } from '../db/client';
import { env } from '../env';
import { getAuthOptions } from './auth-options';
import { loadSession, type CurrentUser } from './session-store';
import { relyingPartyFrom, type PasskeyEndpointDeps } from './webauthn';

/** next-auth's token cookie, over HTTP and HTTPS; large tokens are split into `<name>.0`, `<name>.1` … */
const SESSION_COOKIE_NAMES = ['next-auth.session-token', '__Secure-next-auth.session-token'] as const;

/**
 * The server-side session id named by this request's next-auth cookie, or null. It uses its own
 * session callback so that the id reaches only server code: /api/auth/session never hands it to the
 * browser's scripts.
 */
export async function getSessionId(): Promise<string | null> {
  // Cookies first: reading them marks the page dynamic before the configuration is touched, so
  // `next build` (which runs without secrets) never tries to prerender a signed-in view. A request
  // without a session cookie is signed out, with no need to decrypt anything.
  const jar = await cookies();
  if (!jar.getAll().some(({ name }) => SESSION_COOKIE_NAMES.some((prefix) => name.startsWith(prefix)))) return null;
  const options = getAuthOptions();
  const session = await getServerSession({
    ...options,
    callbacks: { ...options.callbacks, session: ({ token }) => ({ sid: token.sid }) },
  });
  const sid = session?.sid;
  return typeof sid === 'string' && sid !== '' ? sid : null;
}

/**
 * The person behind this request, resolved through the database at every request so that a revoked or
 * expired session ends at once. Null when signed out. The session may still lack its second factor:
 * check `secondFactorVerified` (requireUser and signedInProcedure do).
 *
 * For server components, route handlers and the tRPC context; memoised per server render.
 */
export const getCurrentUser = cache(async (): Promise<CurrentUser | null> => {
  const sid = await getSessionId();
  if (sid === null) return null;
  return loadSession(db(), sid, new Date());
});

/** What the passkey route handlers need from the request and the configuration. */
export const passkeyEndpointDeps: PasskeyEndpointDeps = {
  currentUser: getCurrentUser,
  relyingParty: () => {
    const e = env();
    return relyingPartyFrom(e.NEXTAUTH_URL, e.WEBAUTHN_RP_NAME);
  },
};
