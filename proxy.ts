import { NextResponse, type NextRequest } from 'next/server';
import { contentSecurityPolicy, crossSiteRefusal, STRICT_TRANSPORT_SECURITY } from './server/security/headers';

/**
 * Runs before every request but static files: refuses cross-site state changes (CSRF), and gives
 * every page a Content Security Policy with a fresh nonce (Next.js puts it on its own scripts) and,
 * over HTTPS, HSTS. The registry's origin is NEXTAUTH_URL's, not the Host header's, which a client
 * controls.
 */
export function proxy(request: NextRequest) {
  const registryUrl = new URL(process.env.NEXTAUTH_URL ?? request.nextUrl.origin);
  const https = registryUrl.protocol === 'https:';
  const refusal = crossSiteRefusal(request.method, request.headers, registryUrl.origin, request.nextUrl.pathname);
  if (refusal !== null) {
    return NextResponse.json({ code: 'CROSS_ORIGIN', error: `This request must come from the registry itself: ${refusal}.` }, { status: 403, headers: https ? { 'Strict-Transport-Security': STRICT_TRANSPORT_SECURITY } : {} });
  }
  const nonce = btoa(crypto.randomUUID());
  const csp = contentSecurityPolicy(nonce, { https, development: process.env.NODE_ENV === 'development' });
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set('x-nonce', nonce);
  requestHeaders.set('Content-Security-Policy', csp);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set('Content-Security-Policy', csp);
  if (https) response.headers.set('Strict-Transport-Security', STRICT_TRANSPORT_SECURITY);
  return response;
}

export const config = {
  matcher: [{ source: '/((?!_next/static|_next/image|favicon.ico).*)' }],
};
