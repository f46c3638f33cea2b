import { expect, test } from '@playwright/test';
import { signInWithPassword } from './fixtures';

/** The web baseline of A6R-25 as a browser and a hostile site meet it, on the production server. */
test.describe('web baseline: headers, session cookie, cross-site writes', () => {
  test('every page answers with a nonce CSP, no framing, no sniffing, a strict referrer policy and no framework banner', async ({ request }) => {
    for (const path of ['/sign-in', '/apply']) {
      const answer = await request.get(path);
      expect(answer.status(), path).toBe(200);
      const headers = answer.headers();
      expect(headers['content-security-policy'], path).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
      expect(headers['content-security-policy'], path).toContain("frame-ancestors 'none'");
      expect(headers['x-frame-options'], path).toBe('DENY');
      expect(headers['x-content-type-options'], path).toBe('nosniff');
      expect(headers['referrer-policy'], path).toBe('same-origin');
      expect(headers['permissions-policy'], path).toContain('camera=()');
      expect(headers['x-powered-by'], path).toBeUndefined();
    }
    const first = (await request.get('/sign-in')).headers()['content-security-policy'];
    const second = (await request.get('/sign-in')).headers()['content-security-policy'];
    expect(first, 'each page gets its own nonce').not.toBe(second);
  });

  test('the session cookie is HttpOnly and SameSite=Lax, and holds no user data', async ({ page }) => {
    await signInWithPassword(page, 'swiss.admin@demo.registry');
    await page.waitForURL('**/passkey/**');
    const session = (await page.context().cookies()).find((cookie) => cookie.name.endsWith('next-auth.session-token'));
    expect(session, 'a session cookie is set after the password step').toBeDefined();
    expect(session!.httpOnly).toBe(true);
    expect(session!.sameSite).toBe('Lax');
    expect(session!.value).not.toContain('swiss.admin');
    expect(await page.evaluate(() => document.cookie)).not.toContain('session-token');
  });

  test('a write from another site is refused with 403 and a message, before it reaches any procedure', async ({ request }) => {
    const answer = await request.post('/api/trpc/transfer.propose', {
      headers: { origin: 'https://evil.example', 'content-type': 'application/json' },
      data: { json: {} },
    });
    expect(answer.status()).toBe(403);
    const body = (await answer.json()) as { code: string; error: string };
    expect(body.code).toBe('CROSS_ORIGIN');
    expect(body.error).toMatch(/must come from the registry itself/);
  });
});
