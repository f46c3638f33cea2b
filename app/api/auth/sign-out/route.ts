import { cookies } from 'next/headers';
import { NextResponse } from 'next/server';
import { getAuthOptions } from '@/server/auth/auth-options';
import { getSessionId } from '@/server/auth/current-user';
import { revokeSession } from '@/server/auth/session-store';
import { db } from '@/server/db/client';
import { env } from '@/server/env';

/**
 * Ends the server session behind this request's cookie (effective at once, everywhere the token may
 * have been copied) and clears the cookie. The client then calls next-auth's signOut, whose event
 * revokes again harmlessly.
 */
export async function POST(request: Request): Promise<Response> {
  const origin = request.headers.get('origin');
  if (origin !== null && origin !== new URL(env().NEXTAUTH_URL).origin) {
    return NextResponse.json({ code: 'CROSS_ORIGIN', error: 'This request must come from the registry itself.' }, { status: 403 });
  }

  let revoked = true;
  try {
    const sid = await getSessionId();
    if (sid !== null) await revokeSession(db(), sid, new Date());
  } catch (error) {
    console.error('Sign-out could not revoke the server session:', error);
    revoked = false;
  }

  // The cookie goes either way: this browser is signed out even if the database could not be reached.
  const secure = getAuthOptions().useSecureCookies === true;
  const tokenCookie = `${secure ? '__Secure-' : ''}next-auth.session-token`;
  const jar = await cookies();
  for (const { name } of jar.getAll()) {
    // next-auth splits large tokens into `<name>.0`, `<name>.1` …; a __Secure- cookie can only be
    // overwritten by a Secure one, hence the explicit attributes.
    if (name === tokenCookie || name.startsWith(`${tokenCookie}.`)) {
      jar.set(name, '', { maxAge: 0, path: '/', httpOnly: true, sameSite: 'lax', secure });
    }
  }

  if (!revoked) {
    return NextResponse.json({ code: 'INTERNAL', error: 'You are signed out in this browser, but the registry could not end the session everywhere. Please try again.' }, { status: 500 });
  }
  return NextResponse.json({ ok: true }, { headers: { 'cache-control': 'no-store' } });
}
