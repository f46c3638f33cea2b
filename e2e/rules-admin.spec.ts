import { expect, test } from '@playwright/test';
import { addVirtualAuthenticator, expectAccessible, signInAndEnroll } from './fixtures';

// A registry administrator of its own: a passkey lives in one browser context, and other specs enroll the others.
test.describe.configure({ mode: 'serial' });

test('a registry administrator configures a rule, sees a refusal with its reason, and corrects nothing by mistake', async ({ page }) => {
  await addVirtualAuthenticator(page);
  await signInAndEnroll(page, 'registry.deputy@demo.registry');

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Rules' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Business rules' })).toBeVisible();
  await expect(page.getByRole('rowheader', { name: 'transfer-fee' }).first()).toBeVisible();
  await expectAccessible(page);

  // Settings a rule cannot read are refused by the ledger with their code and the field named.
  const form = page.locator('form').filter({ has: page.getByRole('button', { name: 'Record the configuration' }) });
  await form.getByLabel('Rule').selectOption('transfer-limit');
  await form.getByLabel('Scope').selectOption('SECTION');
  await form.getByLabel('Id of the approach, section or account').fill('GHA');
  await form.getByLabel('Settings').fill('{"maximum": 5}');
  await form.getByRole('button', { name: 'Record the configuration' }).click();
  // A sensitive act: the registry asks for a fresh passkey confirmation once (valid five minutes).
  await form.getByRole('button', { name: 'Confirm with passkey' }).click();
  await expect(form.getByRole('alert')).toContainText('2015');
  await expect(form.getByRole('alert')).toContainText('maximum must be a positive whole number of units');

  await form.getByLabel('Settings').fill('{"maximum": "1000000000"}');
  await form.getByRole('button', { name: 'Record the configuration' }).click();
  await expect(form.getByRole('status')).toContainText('The configuration is recorded.');
  await expect(page.getByRole('table', { name: /latest setting of each rule/ }).getByRole('rowheader', { name: 'transfer-limit' })).toBeVisible();
  await expectAccessible(page);

  // A suspension, then lifted before its window ends: each a logged act with its reason.
  const suspendForm = page.locator('form').filter({ has: page.getByRole('button', { name: 'Record the suspension' }) });
  await suspendForm.getByLabel('Rule').selectOption('transfer-limit');
  await suspendForm.getByLabel('Until (UTC)').fill('2099-01-01T00:00');
  await suspendForm.getByLabel('Reason').fill('Limit under review.');
  await suspendForm.getByRole('button', { name: 'Record the suspension' }).click();
  await expect(suspendForm.getByRole('status')).toContainText('The suspension is recorded.');
  await page.getByRole('button', { name: 'Lift the suspension of transfer-limit for the registry' }).click();
  const liftForm = page.getByRole('form', { name: 'Lift the suspension of transfer-limit for the registry' });
  await expect(liftForm.getByRole('heading', { name: 'Lift the suspension of transfer-limit for the registry' })).toBeFocused();
  await liftForm.getByRole('button', { name: 'Lift the suspension now' }).click();
  await expect(liftForm.getByText('Give the reason for lifting the suspension.')).toBeVisible();
  await liftForm.getByLabel('Reason for lifting').fill('Review finished early.');
  await liftForm.getByRole('button', { name: 'Lift the suspension now' }).click();
  await expect(liftForm.getByRole('status')).toContainText('The suspension is lifted.');
  await expect(page.getByText('Lifted: Review finished early.')).toBeVisible();
  await expectAccessible(page);

  // An authorization by the Ghana section, of its units from vintage 2021.
  const authorization = page.locator('form').filter({ has: page.getByRole('button', { name: 'Record the authorization' }) });
  await authorization.getByLabel('Authorizing Party').fill('GHA');
  await authorization.getByLabel('Vintages from (optional)').fill('2021');
  await authorization.getByRole('button', { name: 'Record the authorization' }).click();
  await expect(authorization.getByRole('status')).toContainText('The authorization is recorded.');
  await expect(page.getByRole('table', { name: /Descriptor records/ }).getByRole('rowheader', { name: 'GHA' })).toBeVisible();

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Corrections' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Corrective actions' })).toBeVisible();
  await page.getByRole('button', { name: 'Record the correction' }).click();
  await expect(page.getByText('Give the reason for the correction.')).toBeVisible();
  await page.getByLabel('Transaction to correct').fill('no-such-transaction');
  await page.getByLabel('Reason').fill('entered by mistake');
  await page.getByRole('button', { name: 'Record the correction' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Refused' })).toContainText('2019: The transaction to correct does not exist');
  await expectAccessible(page);
});
