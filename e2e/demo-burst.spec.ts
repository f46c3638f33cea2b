import { existsSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { addVirtualAuthenticator, balanceOf, confirmationExpires, restorePasskeys, savePasskeys, signInAndEnroll, signInWithPasskey } from './fixtures';

/**
 * Several browsers at once on one registry: the demo's promise. `scripts/e2e.ts` runs this file on the
 * embedded demo database twice, right after the first start (the one that seeds) and after a restart;
 * the passkeys created the first time are kept in E2E_STATE_DIR and brought back the second time.
 */
const STATE_DIR = process.env.E2E_STATE_DIR ?? '';

/** Signs `email` in, in a browser of its own; `keep()` stores its passkeys (with their counters as they now stand) for the next run. */
async function signedIn(browser: Browser, email: string): Promise<{ page: Page; keep: () => Promise<void> }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const { client, authenticatorId } = await addVirtualAuthenticator(page);
  const file = path.join(STATE_DIR, `${email}.passkeys.json`);
  if (STATE_DIR && existsSync(file)) {
    await restorePasskeys(client, authenticatorId, file);
    await signInWithPasskey(page, email);
  } else {
    await signInAndEnroll(page, email);
  }
  return { page, keep: async () => (STATE_DIR ? savePasskeys(client, authenticatorId, file) : undefined) };
}

/** A transfer by quantity taken to its review step, ready to confirm. */
async function reviewed(page: Page, from: string, to: string, quantity: bigint): Promise<Page> {
  const tab = await page.context().newPage();
  await tab.goto(`/transfer?from=${from}`);
  await tab.getByLabel('To account').fill(to);
  await tab.getByLabel('By quantity').check();
  await tab.getByLabel('Quantity', { exact: true }).fill(quantity.toString());
  await tab.getByRole('button', { name: 'Review transfer' }).click();
  await expect(tab.getByRole('button', { name: 'Confirm transfer' })).toBeVisible();
  return tab;
}

test('two users in two browsers confirm eight transfers at the same moment while a third changes an account status: every one is recorded and the balances add up', async ({ browser }) => {
  test.setTimeout(180_000);
  const people = [
    await signedIn(browser, 'cookstoves@demo.registry'), // holds GHA-200-0001
    await signedIn(browser, 'ghana.admin@demo.registry'), // runs Ghana's section, GHA-100-0001 among it
    await signedIn(browser, 'registry.admin@demo.registry'),
  ];
  const [holder, party, overseer] = people.map((p) => p.page) as [Page, Page, Page];

  const holderBefore = await balanceOf(holder, 'GHA-200-0001');
  const issuanceBefore = await balanceOf(party, 'GHA-100-0001');
  const swissBefore = await balanceOf(overseer, 'CHE-200-0001');

  const out = [11n, 12n, 13n, 14n]; // GHA-200-0001 → CHE-200-0001
  const into = [21n, 22n, 23n, 24n]; // GHA-100-0001 → GHA-200-0001
  const tabs = [
    ...(await Promise.all(out.map((q) => reviewed(holder, 'GHA-200-0001', 'CHE-200-0001', q)))),
    ...(await Promise.all(into.map((q) => reviewed(party, 'GHA-100-0001', 'GHA-200-0001', q)))),
  ];

  // The registry administrator suspends an account while the transfers go in.
  await overseer.goto('/accounts/CHE-400-0001');
  const form = overseer.locator('form').filter({ has: overseer.getByRole('button', { name: 'Change the status' }) });
  await form.getByLabel('New status').selectOption('SUSPENDED');
  await form.getByLabel('Reason').fill('Checked during a burst of transfers.');

  // A sensitive act (A6R-7): the administrator's last passkey confirmation is made older than five
  // minutes (on the first start he has none, after the restart his sign-in made one), so the
  // registry asks for a new one, whichever run this is.
  await confirmationExpires('registry.admin@demo.registry');
  await Promise.all([...tabs.map((tab) => tab.getByRole('button', { name: 'Confirm transfer' }).click()), form.getByRole('button', { name: 'Change the status' }).click()]);
  for (const tab of tabs) await expect(tab.getByRole('status')).toContainText('Transfer recorded', { timeout: 60_000 });
  const confirm = form.getByRole('button', { name: 'Confirm with passkey' });
  await expect(confirm).toBeVisible();
  await confirm.click();
  await expect(form.getByRole('status')).toContainText('The status is changed.');

  // And back, so that the next run finds the account as the seed left it.
  await form.getByLabel('New status').selectOption('ACTIVE');
  await form.getByLabel('Reason').fill('Burst checked.');
  await form.getByRole('button', { name: 'Change the status' }).click();
  await expect(form.getByRole('status')).toContainText('The status is changed.');

  const sum = (xs: bigint[]) => xs.reduce((a, b) => a + b, 0n);
  expect(await balanceOf(holder, 'GHA-200-0001')).toBe(holderBefore - sum(out) + sum(into));
  expect(await balanceOf(party, 'GHA-100-0001')).toBe(issuanceBefore - sum(into));
  expect(await balanceOf(overseer, 'CHE-200-0001')).toBe(swissBefore + sum(out));
  for (const person of people) await person.keep();
});
