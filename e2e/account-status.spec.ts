import { randomBytes } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { addVirtualAuthenticator, confirmationExpires, databaseQuery, expectAccessible, signInAndEnroll } from './fixtures';

const DEPUTY = 'swiss.deputy@demo.registry';
const ACCOUNT = 'CHE-400-0001';
const statusOf = async (accountId: string) => (await databaseQuery<{ status: string }>('SELECT status::text AS status FROM "Account" WHERE id = $1', [accountId]))[0]?.status;

// A section administrator of its own (a passkey lives in one browser context): Switzerland's deputy.
test('a section administrator suspends and reactivates an account of his section, confirming with his passkey, and cannot freeze it', async ({ page }) => {
  await addVirtualAuthenticator(page);
  await signInAndEnroll(page, DEPUTY);
  await page.goto(`/accounts/${ACCOUNT}`);
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
  // A sensitive act for an elevated role (A6R-7): with the last passkey confirmation more than five
  // minutes old, the registry asks for a new one, and changes nothing until it is given.
  await confirmationExpires(DEPUTY);
  await form.getByRole('button', { name: 'Change the status' }).click();
  const confirm = form.getByRole('button', { name: 'Confirm with passkey' });
  await expect(confirm).toBeVisible();
  await expect(form.getByRole('status')).toHaveCount(0);
  expect(await statusOf(ACCOUNT)).toBe('ACTIVE');
  await confirm.click();
  await expect(form.getByRole('status')).toContainText('The status is changed.');
  await expect(page.getByText('Suspended', { exact: true }).first()).toBeVisible();
  expect(await statusOf(ACCOUNT)).toBe('SUSPENDED');
  await expectAccessible(page);

  // Back to active: the choices follow the account's new status, and the confirmation still counts.
  await expect(form.getByLabel('New status').locator('option')).toHaveText(['Choose…', 'Active', 'Terminated']);
  await form.getByLabel('New status').selectOption('ACTIVE');
  await form.getByLabel('Reason').fill('Mandate renewed.');
  await form.getByRole('button', { name: 'Change the status' }).click();
  await expect(form.getByRole('status')).toContainText('The status is changed.');
  await expect(form.getByLabel('New status').locator('option')).toHaveText(['Choose…', 'Suspended', 'Terminated']);

  // Not offered is not enough: the freeze itself, sent from his session as the form would send it,
  // is refused by the ledger (2009), logged as refused, and the account stays active.
  const idempotencyKey = `e2e-freeze-${randomBytes(6).toString('hex')}`;
  const attempt = await page.evaluate(async (input) => {
    const response = await fetch('/api/trpc/account.setStatus', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ json: input }) });
    return { status: response.status, body: (await response.json()) as unknown };
  }, { idempotencyKey, accountId: ACCOUNT, status: 'FROZEN', reason: 'Trying what the form does not offer.' });
  expect(attempt).toMatchObject({ status: 200, body: { result: { data: { json: { status: 'REJECTED', refusals: [{ code: 2009, check: 'STATUS_CHANGE_NOT_ALLOWED' }] } } } } });
  expect(await statusOf(ACCOUNT)).toBe('ACTIVE');
  expect(await databaseQuery('SELECT status::text AS status, kind FROM "LedgerTransaction" WHERE "initiatorId" = (SELECT id FROM "User" WHERE email = $1) AND "idempotencyKey" = $2', [DEPUTY, idempotencyKey])).toEqual([{ status: 'REJECTED', kind: 'SET_ACCOUNT_STATUS' }]);
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: /Switzerland voluntary cancellation/ })).toBeVisible();
  await expect(page.getByText('Frozen', { exact: true })).toHaveCount(0);
  await expect(page.getByText('Active', { exact: true }).first()).toBeVisible();
});
