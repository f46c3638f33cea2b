import { expect, test, type Browser, type Page, type TestInfo } from '@playwright/test';
import { expectAccessible, signedInAfresh } from './fixtures';

/**
 * Phones, tablets and desktops: the main pages of every role at 375, 768 and 1024 px scroll only
 * downwards, pass axe, and keep their touch targets at least 24 × 24 px. Screenshots of each are
 * attached to the test's results.
 */

const WIDTHS = [375, 768, 1024] as const;

/** Each role's main pages; the users are demo users no later spec enrolls. */
const ROLES = [
  { role: 'registry administrator', email: 'registry.admin@demo.registry', pages: ['/', '/admin/users', '/admin/rules', '/admin/compliance', '/admin/corrections', '/admin/credential-log', '/admin/api-clients', '/accounts/GHA-200-0001', '/transfer'] },
  { role: 'section administrator', email: 'swiss.deputy@demo.registry', pages: ['/', '/accounts/CHE-200-0001', '/admin/rules', '/admin/users', '/admin/compliance', '/transfer'] },
  { role: 'account holder', email: 'cookstoves@demo.registry', pages: ['/', '/accounts/GHA-200-0001', '/transfer?from=GHA-200-0001', '/profile', '/security'] },
  { role: 'viewer', email: 'viewer@demo.registry', pages: ['/', '/accounts/CHE-200-0001', '/profile'] },
  { role: 'system administrator', email: 'sysadmin@demo.registry', pages: ['/', '/admin/users', '/admin/credential-log', '/profile'] },
] as const;

/** How far the page is wider than the window, in pixels: 0 when nothing scrolls sideways. */
async function sidewaysOverflow(page: Page): Promise<number> {
  return page.evaluate(() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth) - window.innerWidth);
}

async function settled(page: Page, path: string): Promise<void> {
  const answer = await page.goto(path);
  expect(answer?.status(), `${path} answers`).toBe(200);
  await expect(page.getByRole('heading', { level: 1 }).first()).toBeVisible();
  // Client-rendered content (tables, charts) has arrived when no "Loading" status remains.
  await expect(page.getByRole('status').filter({ hasText: /^Loading/ })).toHaveCount(0, { timeout: 15_000 });
}

async function shoot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach(name, { path, contentType: 'image/png' });
}

async function signedIn(browser: Browser, email: string): Promise<Page> {
  return signedInAfresh(browser, email, { width: 1024, height: 800 });
}

for (const { role, email, pages } of ROLES) {
  test(`${/^[aeiou]/.test(role) ? 'an' : 'a'} ${role}'s main pages fit 375, 768 and 1024 px without sideways scrolling, and pass axe at each`, async ({ browser }, testInfo) => {
    test.setTimeout(240_000);
    const page = await signedIn(browser, email);
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 800 });
      for (const path of pages) {
        await settled(page, path);
        const slug = `${role.replace(/ /g, '-')}-${path.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '') || 'dashboard'}-${width}`;
        await shoot(page, testInfo, slug);
        expect(await sidewaysOverflow(page), `${path} at ${width} px scrolls sideways by`).toBeLessThanOrEqual(0);
        await expectAccessible(page);
      }
    }
    await page.context().close();
  });
}

test('below 1024 px the main menu folds behind a Menu button that opens and closes it', async ({ browser }) => {
  const page = await signedIn(browser, 'registry.admin@demo.registry');
  await page.setViewportSize({ width: 375, height: 800 });
  await page.goto('/admin/rules');
  const menu = page.getByRole('navigation', { name: 'Main' });
  const button = menu.getByRole('button', { name: /Menu/ });
  await expect(button).toHaveAttribute('aria-expanded', 'false');
  await expect(menu.getByRole('link', { name: 'Users' })).toBeHidden();
  await button.click();
  await expect(button).toHaveAttribute('aria-expanded', 'true');
  await expect(menu.getByRole('link', { name: 'Rules' })).toHaveAttribute('aria-current', 'page');
  expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0);
  await menu.getByRole('link', { name: 'Users' }).click();
  await page.waitForURL('**/admin/users');
  await expect(menu.getByRole('button', { name: /Menu/ })).toHaveAttribute('aria-expanded', 'false');
  // From 1024 px the menu is a row of links, no button.
  await page.setViewportSize({ width: 1024, height: 800 });
  await expect(menu.getByRole('button', { name: /Menu/ })).toBeHidden();
  await expect(menu.getByRole('link', { name: 'Users' })).toBeVisible();
  await page.context().close();
});

test('touch targets are at least 24 px, and a long quantity in the review wraps instead of widening the page', async ({ browser }, testInfo) => {
  const page = await signedIn(browser, 'cookstoves@demo.registry');
  await page.setViewportSize({ width: 375, height: 800 });
  await settled(page, '/accounts/GHA-200-0001');
  const blockLinks = page.getByRole('link', { name: /Transfer from this block/ });
  expect(await blockLinks.count()).toBeGreaterThan(0);
  for (const box of await Promise.all((await blockLinks.all()).map((l) => l.boundingBox()))) expect(box?.height ?? 0).toBeGreaterThanOrEqual(24);
  await settled(page, '/transfer?from=GHA-200-0001');
  for (const radio of await page.getByRole('radio').all()) {
    const box = await radio.boundingBox();
    expect(Math.min(box?.width ?? 0, box?.height ?? 0), 'a radio button').toBeGreaterThanOrEqual(24);
  }
  await page.getByLabel('To account').fill('CHE-200-0001');
  await page.getByLabel('By quantity').check();
  await page.getByLabel('Quantity', { exact: true }).fill('1234567890123456789');
  await page.getByRole('button', { name: 'Review transfer' }).click();
  // Beyond the balance the review still shows the quantity asked for; it must wrap at 375 px.
  await expect(page.getByText(/1,?234,?567,?890,?123,?456,?789|1234567890123456789/).first()).toBeVisible();
  await shoot(page, testInfo, 'transfer-review-long-quantity-375');
  expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0);
  await page.context().close();
});

test("a viewer is offered no transfer: neither 'Transfer units' nor 'Transfer from this block'", async ({ browser }) => {
  const page = await signedIn(browser, 'viewer@demo.registry');
  await settled(page, '/accounts/CHE-200-0001');
  await expect(page.getByTestId('account-balance')).toBeVisible();
  await expect(page.getByRole('link', { name: 'Transfer units' })).toHaveCount(0);
  await expect(page.getByRole('link', { name: /Transfer from this block/ })).toHaveCount(0);
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Transfer' })).toHaveCount(0);
  await page.context().close();
});
