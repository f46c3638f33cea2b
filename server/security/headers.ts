/**
 * The registry's HTTP security baseline (A6R-25 (d), (f)): Content Security Policy with a fresh nonce
 * per page, HSTS whenever it is served over HTTPS, and the same-origin check that stops cross-site
 * request forgery. Pure functions of the request and the configuration; proxy.ts applies them.
 */

/** The CSP of a page. Scripts only from the registry with this response's nonce; no framing at all. */
export function contentSecurityPolicy(nonce: string, options: { readonly https: boolean; readonly development: boolean }): string {
  if (!/^[A-Za-z0-9+/=]{16,}$/.test(nonce)) throw new Error('contentSecurityPolicy: the nonce must be at least 16 base64 characters');
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${options.development ? " 'unsafe-eval'" : ''}`,
    // Inline style attributes (charts, React style props) are allowed; scripts are what CSP must stop.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' blob: data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(options.https ? ['upgrade-insecure-requests'] : []),
  ].join('; ');
}

/** Two years, subdomains included: the value the HSTS preload list asks for. */
export const STRICT_TRANSPORT_SECURITY = 'max-age=63072000; includeSubDomains';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Null when the request may proceed, or why it is refused: a state-changing request whose Origin
 * (or, lacking it, Sec-Fetch-Site) shows it was sent by another site. Session cookies are also
 * SameSite=Lax; this check covers same-site subdomains and older browsers as well. Requests with
 * neither header come from programs, not from a victim's browser, and carry no ambient cookies.
 */
export function crossSiteRefusal(method: string, headers: { get(name: string): string | null }, registryOrigin: string): string | null {
  if (SAFE_METHODS.has(method.toUpperCase())) return null;
  const origin = headers.get('origin');
  if (origin !== null) return origin === registryOrigin ? null : `requests from ${origin} are not accepted`;
  const site = headers.get('sec-fetch-site');
  if (site !== null && site !== 'same-origin' && site !== 'none') return `a ${site} request is not accepted`;
  return null;
}
