import { expect, test } from '@playwright/test';
import { databaseQuery, signInWithPassword } from './fixtures';

async function attemptsFor(email: string): Promise<string[]> {
  return (await databaseQuery<{ address: string }>(`SELECT address FROM "SignInAttempt" WHERE email = $1 ORDER BY id`, [email])).map((r) => r.address);
}

// With no trusted proxy (TRUSTED_PROXY_HOPS=0, the default), a client cannot choose the address its
// failed sign-ins are counted against: X-Forwarded-For and a forged stamp are both ignored.
test('failed sign-ins are counted against the connection\'s address, whatever X-Forwarded-For or a forged stamp claims', async ({ page }) => {
  const email = 'nobody.forged@example.test';
  await page.setExtraHTTPHeaders({ 'x-forwarded-for': '5.5.5.5', 'x-registry-peer-address': '6.6.6.6' });
  await signInWithPassword(page, email, 'not the password at all');
  await expect(page.getByRole('alert')).toBeVisible();
  await page.setExtraHTTPHeaders({ 'x-forwarded-for': '6.6.6.6' });
  await signInWithPassword(page, email, 'not the password either');
  await expect(page.getByRole('alert')).toBeVisible();
  await expect.poll(() => attemptsFor(email)).toEqual(['127.0.0.1', '127.0.0.1']);
});
