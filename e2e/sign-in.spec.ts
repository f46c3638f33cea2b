import { expect, test } from '@playwright/test';
import { addVirtualAuthenticator, expectAccessible, signInAndEnroll, signInWithPasskey, signInWithPassword } from './fixtures';

const EMAIL = 'swiss.admin@demo.registry';

test.describe('sign-in with password and passkey', () => {
  test('the sign-in page is accessible and a wrong password is refused', async ({ page }) => {
    await page.goto('/sign-in');
    await expectAccessible(page);
    await signInWithPassword(page, EMAIL, 'not-the-password-at-all');
    await expect(page.getByRole('alert').filter({ hasText: 'Email or password is incorrect' })).toBeVisible();
    await expect(page).toHaveURL(/\/sign-in/);
  });

  test('a new user enrolls a passkey, and from then on every sign-in needs both factors', async ({ page }) => {
    const authenticator = await addVirtualAuthenticator(page);
    await signInWithPassword(page, EMAIL);
    await page.waitForURL('**/passkey/register');
    await expectAccessible(page);
    // Nothing else is reachable before the passkey exists.
    await page.goto('/');
    await expect(page).toHaveURL(/\/passkey\/register/);
    await page.getByRole('button', { name: 'Create passkey' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    await expect(page.getByRole('heading', { level: 1, name: 'Dashboard' })).toBeVisible();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/sign-in**');
    await signInWithPasskey(page, EMAIL);
    await expect(page.getByRole('heading', { level: 1, name: 'Dashboard' })).toBeVisible();

    // The passkey of this sign-in counts as a fresh confirmation (A6R-7): the section administrator's
    // first sensitive act within the window asks for nothing more. A grant limited to a cooperative
    // approach the account does not belong to is refused with the reason.
    await page.goto('/admin/users');
    await page.getByRole('link', { name: 'Vera Viewer' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Vera Viewer' })).toBeVisible();
    const grantForm = page.locator('form').filter({ has: page.getByRole('heading', { name: 'Grant a role' }) });
    await grantForm.getByLabel('Role').selectOption('VIEWER');
    await grantForm.getByLabel('Account number').fill('CHE-200-0002');
    await grantForm.getByLabel('Only for cooperative approaches (optional)').fill('CA0001');
    await expectAccessible(page);
    await grantForm.getByRole('button', { name: 'Grant' }).click();
    await expect(page.getByRole('alert').filter({ hasText: 'Account CHE-200-0002 belongs to no cooperative approach' })).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Confirm it is you' })).toHaveCount(0);
    await grantForm.getByLabel('Only for cooperative approaches (optional)').fill('');
    await grantForm.getByRole('button', { name: 'Grant' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Granted: Read-only viewer.' })).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Confirm it is you' })).toHaveCount(0);
    await expect(page.getByRole('cell', { name: 'account CHE-200-0002', exact: true })).toBeVisible();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/sign-in**');

    // Another device: a different authenticator without this user's passkey. The password alone is refused.
    await authenticator.client.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId: authenticator.authenticatorId });
    await addVirtualAuthenticator(page);
    await signInWithPassword(page, EMAIL);
    await page.waitForURL('**/passkey/verify');
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Use passkey' }).click();
    await expect(page.getByRole('alert').filter({ hasText: 'Sign-in refused' })).toBeVisible();
    await page.goto('/');
    await expect(page).toHaveURL(/\/passkey\/verify/);
    await page.goto('/accounts/CHE-200-0001');
    await expect(page).toHaveURL(/\/passkey\/verify/);
  });

  test('a signed-out visitor is sent to the sign-in page', async ({ page }) => {
    await page.goto('/');
    await expect(page).toHaveURL(/\/sign-in/);
    await addVirtualAuthenticator(page);
    await signInAndEnroll(page, 'ghana.admin@demo.registry');
  });
});
