import type { AuthOptions } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { db, type Db } from '../db/client';
import { env } from '../env';
import { hashPassword, verifyPassword } from './password';
import { createSession, revokeSession, SESSION_TTL_MS } from './session-store';
import { SHOWN_AS_IS, SIGN_IN_MESSAGES } from './sign-in-messages';
import { clientAddressFromHeaders } from '../http/peer-address';
import { checkThrottle, recordAttempt } from './throttle';

/*
 * Sign-in, step one (the password). next-auth's credentials provider only works with its JWT strategy,
 * so the JWT is reduced to a pointer: it carries nothing but `sid`, the id of a server-side
 * AuthSession. Every request resolves `sid` through loadSession (see current-user.ts), which is what
 * makes revocation effective at the next request and lets the passkey step be recorded server-side.
 */

declare module 'next-auth' {
  interface User {
    /** The AuthSession created by the password step; only present right after `authorize`. */
    sid?: string;
  }
}

declare module 'next-auth/jwt' {
  interface JWT {
    sid?: string;
  }
}

/** The one message for every failed password step, so that it does not reveal which emails exist. */
export const SIGN_IN_FAILED_MESSAGE = SIGN_IN_MESSAGES.INCORRECT;

/** Upper bounds keep absurd inputs away from scrypt; no real address or password comes near them. */
const credentialsSchema = z.object({
  email: z.string().trim().min(3).max(320),
  password: z.string().min(1).max(1024),
});

export type PasswordSignInResult =
  | { readonly ok: true; readonly userId: string; readonly email: string; readonly name: string; readonly sessionId: string }
  | { readonly ok: false; readonly code: 'CREDENTIALS_MALFORMED' | 'ACCOUNT_THROTTLED' | 'ADDRESS_THROTTLED' | 'CREDENTIALS_INVALID' | 'ACCESS_SUSPENDED'; readonly message: string };

let dummyHash: Promise<string> | undefined;

/**
 * A hash of a random password, verified when the email is unknown so that an unknown email takes as
 * long as a wrong password (no user enumeration by timing).
 */
function hashForUnknownUsers(): Promise<string> {
  dummyHash ??= hashPassword(randomBytes(32).toString('base64url'));
  return dummyHash;
}

/**
 * The password step on its own, free of next-auth: checks email and password and, on success, opens
 * a session that still lacks its second factor. Refusals are values, in a fixed order: malformed
 * input, throttled account or address (before the password is even checked), wrong credentials (one
 * code for unknown email and wrong password alike), then suspended access (told only to someone who
 * knows the password).
 */
export async function signInWithPassword(database: Db, input: unknown, now: Date, address = 'unknown'): Promise<PasswordSignInResult> {
  const parsed = credentialsSchema.safeParse(input);
  if (!parsed.success) return { ok: false, code: 'CREDENTIALS_MALFORMED', message: SIGN_IN_FAILED_MESSAGE };
  const email = parsed.data.email.toLowerCase();
  const throttle = await checkThrottle(database, email, address, now);
  if (!throttle.allowed) return { ok: false, code: throttle.code, message: throttle.message };
  const user = await database.user.findUnique({ where: { email }, select: { id: true, email: true, name: true, passwordHash: true, status: true } });
  const matches = await verifyPassword(parsed.data.password, user?.passwordHash ?? (await hashForUnknownUsers()));
  await recordAttempt(database, email, address, Boolean(user && matches), now);
  if (!user || !matches) return { ok: false, code: 'CREDENTIALS_INVALID', message: SIGN_IN_FAILED_MESSAGE };
  if (user.status !== 'ACTIVE') return { ok: false, code: 'ACCESS_SUSPENDED', message: SIGN_IN_MESSAGES.ACCESS_SUSPENDED };
  const sessionId = await createSession(database, user.id, now);
  return { ok: true, userId: user.id, email: user.email, name: user.name, sessionId };
}

/** The message shown when sign-in fails for a reason that is not the user's (database down and the like). */
export const SIGN_IN_UNAVAILABLE_MESSAGE = SIGN_IN_MESSAGES.UNAVAILABLE;

function buildAuthOptions(): AuthOptions {
  const e = env();
  return {
    secret: e.NEXTAUTH_SECRET,
    // The `__Secure-` cookie prefix and the Secure flag whenever the registry is served over HTTPS.
    useSecureCookies: e.NEXTAUTH_URL.startsWith('https://'),
    session: { strategy: 'jwt', maxAge: Math.floor(SESSION_TTL_MS / 1000) },
    pages: { signIn: '/sign-in', error: '/sign-in' },
    providers: [
      CredentialsProvider({
        id: 'credentials',
        name: 'Email and password',
        credentials: {
          email: { label: 'Email', type: 'email' },
          password: { label: 'Password', type: 'password' },
        },
        async authorize(credentials, request) {
          let result: PasswordSignInResult;
          try {
            const address = clientAddressFromHeaders(request?.headers, e.TRUSTED_PROXY_HOPS);
            result = await signInWithPassword(db(), credentials, new Date(), address);
          } catch (error) {
            // next-auth sends a thrown message to the browser as the error code; keep the cause here.
            console.error('Password sign-in failed unexpectedly:', error);
            throw new Error(SIGN_IN_UNAVAILABLE_MESSAGE);
          }
          // Throttling and suspension are told as they are; a wrong password is next-auth's null.
          if (!result.ok && SHOWN_AS_IS.has(result.message)) throw new Error(result.message);
          if (!result.ok) return null;
          return { id: result.userId, email: result.email, name: result.name, sid: result.sessionId };
        },
      }),
    ],
    callbacks: {
      // The token is reduced to the session id: name, email and roles are read fresh from the
      // database at every request instead of being frozen into a cookie.
      jwt({ token, user }) {
        if (user) {
          if (typeof user.sid !== 'string') throw new Error('authorize must return the new session id.');
          return { sid: user.sid };
        }
        return token;
      },
      // What /api/auth/session tells the browser: only that a token exists. The session id stays in
      // the (HttpOnly, encrypted) cookie; getCurrentUser reads it through its own callback.
      session({ session }) {
        return { expires: session.expires };
      },
    },
    events: {
      // next-auth's own sign-out also ends the server session, so no sign-out path leaves it alive.
      async signOut({ token }) {
        if (typeof token?.sid === 'string') await revokeSession(db(), token.sid, new Date());
      },
    },
  };
}

let cached: AuthOptions | undefined;

/**
 * The next-auth configuration. Built on first use rather than at import, so that importing a route
 * module (as `next build` does) does not require the configuration to be present.
 */
export function getAuthOptions(): AuthOptions {
  cached ??= buildAuthOptions();
  return cached;
}
