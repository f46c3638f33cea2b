import { expect, test } from '@playwright/test';
import { addVirtualAuthenticator, expectAccessible, signInAndEnroll } from './fixtures';

// A section administrator of its own (a passkey lives in one browser context): Switzerland's deputy.
test('a section administrator suspends and reactivates an account of his section, confirming with his passkey, and cannot freeze it', async ({ page }) => {
  await addVirtualAuthenticator(page);
  await signInAndEnroll(page, 'swiss.deputy@demo.registry');
  await page.goto('/accounts/CHE-400-0001');
  await expect(page.getByRole('heading', { level: 1, name: /Switzerland voluntary cancellation/ })).toBeVisible();

  const form = page.locator('form').filter({ has: page.getByRole('button', { name: 'Change the status' }) });
  await expect(form).toBeVisible();
  // Freezing and restricting are for registry administrators (A6R-41): not offered here.
  const offered = await form.getByLabel('New status').locator('option').allInnerTexts();
  expect(offered).toEqual(['Choose…', 'Suspended', 'Terminated']);
  await expectAccessible(page);

  // Each missing field is named.
  await form.getByRole('button', { name: 'Change the status' }).click();
  await expect(form.getByText('Choose the new status.')).toBeVisible();
  await expect(form.getByText('Give the reason for the change; it is recorded in the log.')).toBeVisible();

  await form.getByLabel('New status').selectOption('SUSPENDED');
  await expect(form.getByText('No transaction may involve the account until it is reactivated.')).toBeVisible();
  await form.getByLabel('Reason').fill('Holder asked for a pause while its mandate is renewed.');
  await form.getByRole('button', { name: 'Change the status' }).click();
  // A sensitive act (A6R-7): the sign-in's passkey counts for a few minutes, then the registry asks again.
  const confirm = form.getByRole('button', { name: 'Confirm with passkey' });
  await expect(confirm.or(form.getByRole('status'))).toBeVisible();
  if (await confirm.isVisible()) await confirm.click();
  await expect(form.getByRole('status')).toContainText('The status is changed.');
  await expect(page.getByText('Suspended', { exact: true }).first()).toBeVisible();
  await expectAccessible(page);

  // Back to active: the choices follow the account's new status.
  await expect(form.getByLabel('New status').locator('option')).toHaveText(['Choose…', 'Active', 'Terminated']);
  await form.getByLabel('New status').selectOption('ACTIVE');
  await form.getByLabel('Reason').fill('Mandate renewed.');
  await form.getByRole('button', { name: 'Change the status' }).click();
  await expect(form.getByRole('status')).toContainText('The status is changed.');
  await expect(form.getByLabel('New status').locator('option')).toHaveText(['Choose…', 'Suspended', 'Terminated']);
});
