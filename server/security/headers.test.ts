import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, crossSiteRefusal } from './headers';

const headers = (values: Record<string, string>) => ({ get: (name: string) => values[name] ?? null });
const ORIGIN = 'https://registry.example.org';

describe('content security policy', () => {
  it('allows scripts only from the registry with the nonce, forbids framing and plugins', () => {
    const csp = contentSecurityPolicy('bm9uY2Utbm9uY2Utbm9uY2U=', { https: true, development: false });
    expect(csp).toContain("script-src 'self' 'nonce-bm9uY2Utbm9uY2Utbm9uY2U=' 'strict-dynamic'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain('upgrade-insecure-requests');
    expect(csp).not.toContain('unsafe-eval');
    expect(contentSecurityPolicy('bm9uY2Utbm9uY2Utbm9uY2U=', { https: false, development: true })).toContain("'unsafe-eval'");
    expect(() => contentSecurityPolicy("x' 'unsafe-inline", { https: true, development: false })).toThrow();
  });
});

describe('cross-site request refusal', () => {
  it('lets reads through and same-origin writes', () => {
    expect(crossSiteRefusal('GET', headers({ origin: 'https://evil.example' }), ORIGIN)).toBeNull();
    expect(crossSiteRefusal('POST', headers({ origin: ORIGIN }), ORIGIN)).toBeNull();
    expect(crossSiteRefusal('POST', headers({ 'sec-fetch-site': 'same-origin' }), ORIGIN)).toBeNull();
    expect(crossSiteRefusal('POST', headers({ 'sec-fetch-site': 'none' }), ORIGIN)).toBeNull();
  });

  it('refuses a write that carries no same-origin evidence at all: neither Origin nor Sec-Fetch-Site', () => {
    expect(crossSiteRefusal('POST', headers({}), ORIGIN, '/api/trpc/account.setStatus')).toMatch(/neither Origin nor Sec-Fetch-Site/);
    expect(crossSiteRefusal('POST', headers({}), ORIGIN, '/api/auth/callback/credentials')).not.toBeNull();
    // A signature header outside the signed API admits nothing: the other routes judge by cookie.
    expect(crossSiteRefusal('POST', headers({ 'x-registry-signature': 'abc' }), ORIGIN, '/api/trpc/transfer.submit')).not.toBeNull();
  });

  it('lets a signed API request through to be judged by its signature, and only on the signed API', () => {
    expect(crossSiteRefusal('POST', headers({ 'x-registry-signature': 'abc' }), ORIGIN, '/api/external/v1/transfers')).toBeNull();
    expect(crossSiteRefusal('POST', headers({}), ORIGIN, '/api/external/v1/transfers')).not.toBeNull();
    // A signed request from a browser page of another site is still refused by its Origin.
    expect(crossSiteRefusal('POST', headers({ 'x-registry-signature': 'abc', origin: 'https://evil.example' }), ORIGIN, '/api/external/v1/transfers')).not.toBeNull();
  });

  it('refuses writes from another origin, a sibling subdomain or another site', () => {
    expect(crossSiteRefusal('POST', headers({ origin: 'https://evil.example' }), ORIGIN)).toMatch(/evil/);
    expect(crossSiteRefusal('POST', headers({ origin: 'https://sub.registry.example.org' }), ORIGIN)).not.toBeNull();
    expect(crossSiteRefusal('POST', headers({ origin: 'http://registry.example.org' }), ORIGIN)).not.toBeNull();
    expect(crossSiteRefusal('DELETE', headers({ 'sec-fetch-site': 'cross-site' }), ORIGIN)).not.toBeNull();
    expect(crossSiteRefusal('post', headers({ 'sec-fetch-site': 'same-site' }), ORIGIN)).not.toBeNull();
  });
});
