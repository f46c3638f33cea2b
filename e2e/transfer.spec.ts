import { expect, test } from '@playwright/test';
import { addVirtualAuthenticator, balanceOf, expectAccessible, signInAndEnroll } from './fixtures';

const FROM = 'CHE-200-0001';
const TO = 'CHE-200-0002';

test('an account holder sees balances and the chart, transfers units, and a transfer beyond the balance is refused', async ({ page }) => {
  await addVirtualAuthenticator(page);
  await signInAndEnroll(page, 'holder@demo.registry');

  // Dashboard: the holder's accounts with balances, and the chart of holdings by vintage.
  const accounts = page.getByRole('table', { name: /accounts/i });
  await expect(accounts.getByRole('link', { name: FROM })).toBeVisible();
  await expect(accounts.getByRole('link', { name: TO })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Holdings by vintage' })).toBeVisible();
  await expect(page.locator('.recharts-surface').first()).toBeVisible();
  await expectAccessible(page);

  const fromBefore = await balanceOf(page, FROM);
  const toBefore = await balanceOf(page, TO);
  await expect(page.getByRole('table', { name: 'Unit blocks' })).toContainText('CA0001-IR-GHA-');
  await expectAccessible(page);

  // A transfer by quantity, through the confirmation step.
  await page.goto(`/transfer?from=${FROM}`);
  await expectAccessible(page);
  await page.getByLabel('To account').fill(TO);
  await page.getByLabel('By quantity').check();
  await page.getByLabel('Quantity', { exact: true }).fill('1234');
  await page.getByRole('button', { name: 'Review transfer' }).click();
  await expect(page.getByText('Alpine Climate Partners reserve')).toBeVisible();
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Confirm transfer' }).click();
  await expect(page.getByRole('status')).toContainText('Transfer recorded');

  expect(await balanceOf(page, FROM)).toBe(fromBefore - 1234n);
  expect(await balanceOf(page, TO)).toBe(toBefore + 1234n);
  await expect(page.getByRole('table', { name: 'Transaction history' })).toContainText('+1,234');

  // More than the balance: refused with a readable message, and nothing changes.
  await page.goto(`/transfer?from=${FROM}`);
  await page.getByLabel('To account').fill(TO);
  await page.getByLabel('By quantity').check();
  await page.getByLabel('Quantity', { exact: true }).fill((fromBefore + 1n).toString());
  await page.getByRole('button', { name: 'Review transfer' }).click();
  await page.getByRole('button', { name: 'Confirm transfer' }).click();
  const alert = page.getByRole('alert', { name: 'Transfer refused' });
  await expect(alert).toContainText('Transfer refused');
  await expect(alert).toContainText('fewer matching units than the quantity requested');
  await expect(alert).toContainText('5002');

  expect(await balanceOf(page, FROM)).toBe(fromBefore - 1234n);
  expect(await balanceOf(page, TO)).toBe(toBefore + 1234n);
});
