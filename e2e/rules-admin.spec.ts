import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { addVirtualAuthenticator, confirmationExpires, databaseQuery, expectAccessible, signInAndEnroll } from './fixtures';

const DEPUTY = 'registry.deputy@demo.registry';

// A registry administrator of its own: a passkey lives in one browser context, and other specs enroll
// the others. The tests share that one page and run in order.
test.describe.configure({ mode: 'serial' });

let context: BrowserContext;
let page: Page;

test.beforeAll(async ({ browser }, testInfo) => {
  // A context of its own (axe needs one made with newContext), shared by the tests below.
  context = await browser.newContext({ baseURL: testInfo.project.use.baseURL });
  page = await context.newPage();
  await addVirtualAuthenticator(page);
  await signInAndEnroll(page, DEPUTY);
});

test.afterAll(async () => {
  await context.close();
});

test('a registry administrator configures a rule, sees a refusal with its reason, and corrects nothing by mistake', async () => {
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

test('a registry administrator authorizes specific serial ranges, with each wrong field named', async () => {
  await page.goto('/admin/rules');
  const form = page.locator('form').filter({ has: page.getByRole('button', { name: 'Record the authorization' }) });
  await form.getByLabel('Authorizing Party').fill('GHA');
  await form.getByLabel('Specific serial ranges').check();
  const first = form.getByRole('group', { name: 'Range 1' });
  // The Party's series, by vintage: the first is its 2021 ITMOs.
  await first.getByLabel('Series').selectOption({ index: 1 });
  await expect(first).toContainText('CA0001-IR-GHA-1-2021');
  await form.getByRole('button', { name: 'Record the authorization' }).click();
  await expect(first.getByText('Range 1: the first serial must be a whole number greater than zero.')).toBeVisible();
  await expect(first.getByText('Range 1: the last serial must be a whole number greater than zero.')).toBeVisible();
  await expect(first.getByLabel('First serial')).toHaveAttribute('aria-invalid', 'true');
  await first.getByLabel('First serial').fill('1');
  await first.getByLabel('Last serial').fill('100');
  await expect(first).toContainText('CA0001-IR-GHA-1-2021–CA0001-IR-GHA-100-2021');

  await form.getByRole('button', { name: 'Add a serial range' }).click();
  const second = form.getByRole('group', { name: 'Range 2' });
  await form.getByRole('button', { name: 'Record the authorization' }).click();
  await expect(second.getByText('Range 2: choose the series of the units.')).toBeVisible();
  await second.getByLabel('Series').selectOption({ index: 1 });
  await second.getByLabel('First serial').fill('300');
  await second.getByLabel('Last serial').fill('201');
  await form.getByRole('button', { name: 'Record the authorization' }).click();
  await expect(second.getByText('Range 2: the last serial must not be before the first.')).toBeVisible();
  await expectAccessible(page);

  await second.getByLabel('Last serial').fill('400');
  // A sensitive act (A6R-7): with the last passkey confirmation more than five minutes old, the
  // registry asks for a new one and records nothing until it is given; then it records the
  // authorization once, although the form sent it twice.
  const authorizations = async () => Number((await databaseQuery<{ n: string }>(`SELECT count(*) AS n FROM "AdministrativeRecord" WHERE kind = 'AUTHORIZATION'`))[0]?.n);
  const before = await authorizations();
  await confirmationExpires(DEPUTY);
  await form.getByRole('button', { name: 'Record the authorization' }).click();
  const confirm = form.getByRole('button', { name: 'Confirm with passkey' });
  await expect(confirm).toBeVisible();
  await expect(form.getByRole('status')).toHaveCount(0);
  expect(await authorizations()).toBe(before);
  await confirm.click();
  await expect(form.getByRole('status')).toContainText('The authorization is recorded.');
  expect(await authorizations()).toBe(before + 1);
  const records = page.getByRole('table', { name: /Descriptor records/ });
  await expect(records).toContainText('CA0001-IR-GHA-1-2021–CA0001-IR-GHA-100-2021; CA0001-IR-GHA-300-2021–CA0001-IR-GHA-400-2021');
  await expectAccessible(page);
});

test('a registry administrator sees what the compliance rules find, runs every check now and reads the run\'s report', async () => {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Compliance' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Compliance' })).toBeVisible();
  await expectAccessible(page);

  // The demo's Swiss use account holds ITMOs that were not authorized for NDC use when they arrived.
  await page.getByRole('button', { name: 'Run all checks now' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'The checks ran' })).toContainText('1 finding, 1 new, 0 resolved');
  const open = page.getByRole('table', { name: /no later run has seen resolved/ });
  const finding = open.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'CHE-300-0001' }) });
  await expect(finding).toContainText('unauthorized-units-in-use v1');
  await expect(finding).toContainText('CA0001-IR-GHA-');
  await expect(finding).toContainText('not authorized for NDC use');
  await expect(finding).toContainText('on-demand run');

  // The run is listed with who asked, and its report names what it found as new.
  const runs = page.getByRole('table', { name: /latest runs/ });
  await expect(runs.getByRole('row').nth(1)).toContainText('on demand, by u-regdeputy');
  await expect(page.getByRole('heading', { name: /Report of run/ })).toBeVisible();
  await expect(page.getByRole('table', { name: 'What this run found.' }).getByRole('row').filter({ hasText: 'CHE-300-0001' })).toContainText('open, new in this run');
  await expectAccessible(page);

  // Run again: the same problem is seen again, still open, not counted as new.
  await page.getByRole('button', { name: 'Run all checks now' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'The checks ran' })).toContainText('1 finding, 0 new, 0 resolved');
  await expect(open.getByRole('rowheader', { name: 'CHE-300-0001' })).toHaveCount(1);
  await expect(page.getByRole('table', { name: 'What this run found.' }).getByRole('row').filter({ hasText: 'CHE-300-0001' })).toContainText(/open$/);
});
