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

/** The paths of the signed API (docs/external-api.md): their requests authenticate by signature, never by cookie. */
export const SIGNED_API_PATHS: readonly string[] = ['/api/external/'];
/** The header every signed request carries (server/access/api-clients.ts, SIGNATURE_HEADERS). */
const SIGNATURE_HEADER = 'x-registry-signature';

/**
 * Null when the request may proceed, or why it is refused (CSRF). A state-changing request must carry
 * evidence that the registry's own pages sent it: an Origin equal to the registry's, or, where a
 * browser sends no Origin, Sec-Fetch-Site `same-origin` (or `none`: typed or bookmarked by the user).
 * A request with neither is refused: it may come from a browser that sends neither header (then its
 * session cookie would ride along), and a program that means to change state has a way of its own:
 * the signed API, whose requests carry a signature and are judged by it, not by any cookie (the
 * signature itself is verified by the API's handler; here only its presence admits the request to
 * be judged there). Session cookies are also SameSite=Lax; this check covers same-site subdomains
 * and older browsers as well.
 */
export function crossSiteRefusal(method: string, headers: { get(name: string): string | null }, registryOrigin: string, pathname = '/'): string | null {
  if (SAFE_METHODS.has(method.toUpperCase())) return null;
  const origin = headers.get('origin');
  if (origin !== null) return origin === registryOrigin ? null : `requests from ${origin} are not accepted`;
  const site = headers.get('sec-fetch-site');
  if (site !== null) return site === 'same-origin' || site === 'none' ? null : `a ${site} request is not accepted`;
  if (SIGNED_API_PATHS.some((prefix) => pathname.startsWith(prefix)) && headers.get(SIGNATURE_HEADER) !== null) return null;
  return 'a request that changes something must come from the registry\'s own pages (it carries neither Origin nor Sec-Fetch-Site), or be a signed API request';
}
