import { expect, test, type Browser, type Page } from '@playwright/test';
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { signingString } from '../server/access/api-clients';
import { readCapturedMail } from '../server/mail/mailer';
import { addVirtualAuthenticator, databaseQuery, expectAccessible, signInAndEnroll, signInWithPassword } from './fixtures';

/** A second person in a browser of their own: a separate context, with its own authenticator. */
async function personIn(browser: Browser, email: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await addVirtualAuthenticator(page);
  await signInAndEnroll(page, email);
  return page;
}

const query = databaseQuery;

test.describe('identity and access', () => {
  test('a system administrator reaches no business function, confirms with a passkey, and a suspended user is out at the next click', async ({ page, browser }) => {
    // Anyone may apply; the application lands with no grants (A6R-13).
    await page.goto('/sign-in');
    await page.getByRole('link', { name: 'Apply for access' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Apply for access' })).toBeVisible();
    await expectAccessible(page);
    await page.getByLabel('Real name').fill('Kofi Boateng');
    await page.getByLabel('Email address').fill('kofi.boateng@example.test');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'An administrator will verify your identity' })).toBeVisible();
    expect(await query(`SELECT 1 FROM "User" u WHERE u.email = 'kofi.boateng@example.test' AND NOT EXISTS (SELECT 1 FROM "Grant" g WHERE g."userId" = u.id)`)).toHaveLength(1);

    const applicant = await personIn(browser, 'applicant@demo.registry');
    await expect(applicant.getByText('Your grants give you no accounts to see.')).toBeVisible();
    // Her own profile: a new contact method applies at once (A6R-10, A6R-11).
    await applicant.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Profile' }).click();
    await expect(applicant.getByRole('heading', { level: 1, name: 'Your profile' })).toBeVisible();
    await expectAccessible(applicant);
    await applicant.getByLabel('Contact methods').fill('EMAIL: applicant@demo.registry\nPHONE: +45 33 12 34 56');
    await applicant.getByRole('button', { name: 'Submit' }).click();
    await expect(applicant.getByRole('status').filter({ hasText: 'Your profile was updated.' })).toBeVisible();
    await applicant.goto('/security');
    await expect(applicant.getByRole('heading', { level: 1, name: 'Your passkeys' })).toBeVisible();
    await expectAccessible(applicant);

    await addVirtualAuthenticator(page);
    await signInAndEnroll(page, 'sysadmin@demo.registry');
    await expect(page.getByText('Your grants give you no accounts to see.')).toBeVisible();
    const menu = page.getByRole('navigation', { name: 'Main' });
    await expect(menu.getByRole('link', { name: 'Users' })).toBeVisible();
    await expect(menu.getByRole('link', { name: 'Transfer' })).toHaveCount(0);
    for (const path of ['/transfer', '/accounts/CHE-200-0001']) {
      const answer = await page.goto(path);
      expect(answer?.status(), path).toBe(403);
      await expect(page.getByRole('heading', { level: 1, name: 'No permission for this page' })).toBeVisible();
    }
    // The API says the same, whatever the page shows.
    expect(await page.evaluate(() => fetch('/api/trpc/account.list').then((r) => r.status))).toBe(403);

    await page.goto('/admin/users');
    await expect(page.getByRole('link', { name: 'Pia Petersen' })).toBeVisible();
    await expectAccessible(page);
    await page.getByRole('link', { name: 'Pia Petersen' }).click();
    await page.getByRole('button', { name: 'Suspend access and end sessions' }).click();
    // A sensitive act: the passkey again (A6R-7).
    await expect(page.getByRole('heading', { name: 'Confirm it is you' })).toBeVisible();
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Confirm with passkey' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Access suspended; every session of this user has ended.' })).toBeVisible();

    // The applicant's next click lands on the sign-in page; the password no longer opens a session.
    await applicant.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Passkeys' }).click();
    await applicant.waitForURL('**/sign-in**');
    await signInWithPassword(applicant, 'applicant@demo.registry');
    await expect(applicant.getByRole('alert').filter({ hasText: 'Your access to the registry is suspended' })).toBeVisible();

    // Within the confirmation's few minutes, the next sensitive act asks nothing more.
    await page.getByRole('button', { name: 'Restore access' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Access restored.' })).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Confirm it is you' })).toHaveCount(0);
    // The system administrator reads the credential log (A6R-50).
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Credential log' }).click();
    await expect(page.getByRole('row', { name: /USER_ACCESS_SUSPEND u-sysadmin/ })).toBeVisible();
    await expectAccessible(page);
    const acts = await query<{ kind: string; initiatorId: string }>(`SELECT kind, "initiatorId" FROM "LedgerTransaction" WHERE kind LIKE 'USER_ACCESS_%' ORDER BY "createdAt"`);
    expect(acts).toEqual([
      { kind: 'USER_ACCESS_SUSPEND', initiatorId: 'u-sysadmin' },
      { kind: 'USER_ACCESS_RESTORE', initiatorId: 'u-sysadmin' },
    ]);
  });

  test('a suspended grant denies at once; impersonation shows its banner and logs both identities', async ({ page, browser }) => {
    const holder = await personIn(browser, 'cookstoves@demo.registry');
    await holder.goto('/accounts/GHA-200-0001');
    await expect(holder.getByTestId('account-balance')).toBeVisible();

    await addVirtualAuthenticator(page);
    await signInAndEnroll(page, 'registry.admin@demo.registry');
    await page.goto('/admin/users/u-gha-holder');
    await expect(page.getByRole('heading', { level: 1, name: 'Ama Owusu' })).toBeVisible();
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Suspend grant: Account holder or representative, account GHA-200-0001' }).click();
    await page.getByRole('button', { name: 'Confirm with passkey' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Grant suspended' })).toBeVisible();

    // At once: the holder's next request no longer sees the account.
    await holder.reload();
    await expect(holder.getByRole('heading', { level: 1, name: 'No permission for this page' })).toBeVisible();

    await page.getByRole('button', { name: 'Reinstate grant: Account holder or representative, account GHA-200-0001' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Grant reinstated' })).toBeVisible();
    await holder.reload();
    await expect(holder.getByTestId('account-balance')).toBeVisible();

    // Impersonation (A6R-43).
    await page.getByRole('button', { name: 'Act as this user' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    const banner = page.getByRole('region', { name: 'Impersonation' });
    await expect(banner).toContainText('You are acting as Ama Owusu');
    await expect(page.getByRole('link', { name: 'GHA-200-0001' }).first()).toBeVisible();
    await page.goto('/accounts/GHA-200-0001');
    await expect(banner).toBeVisible();
    await expect(page.getByTestId('account-balance')).toBeVisible();
    await expectAccessible(page);
    // Never beyond the user's rights: the Swiss accounts stay out of reach, and so do the admin pages.
    // An account beyond them answers as one that does not exist: 404, whichever it is.
    expect((await page.goto('/accounts/CHE-200-0001'))?.status()).toBe(404);
    await expect(page.getByRole('heading', { level: 1, name: 'Page not found' })).toBeVisible();
    expect((await page.goto('/accounts/NONE-000-0000'))?.status()).toBe(404);
    // The greeting is the person acted for's.
    await page.goto('/');
    await expect(page.getByText('Welcome, Ama Owusu.')).toBeVisible();
    expect((await page.goto('/admin/users'))?.status()).toBe(403);
    await expect(page.getByRole('heading', { level: 1, name: 'No permission for this page' })).toBeVisible();
    await expect(banner).toBeVisible();
    await banner.getByRole('button', { name: 'End impersonation' }).click();
    await page.waitForURL('**/admin/users');
    await expect(page.getByRole('region', { name: 'Impersonation' })).toHaveCount(0);

    const acts = await query<{ kind: string; initiatorId: string; impersonatorId: string | null }>(
      `SELECT kind, "initiatorId", "impersonatorId" FROM "LedgerTransaction" WHERE kind LIKE 'IMPERSONATION_%' ORDER BY "createdAt"`,
    );
    expect(acts).toEqual([
      { kind: 'IMPERSONATION_START', initiatorId: 'u-regadmin', impersonatorId: null },
      { kind: 'IMPERSONATION_END', initiatorId: 'u-gha-holder', impersonatorId: 'u-regadmin' },
    ]);
    const entries = await query<{ n: number }>(`SELECT count(*)::int AS n FROM "LogEntry" WHERE kind LIKE 'IMPERSONATION_%'`);
    expect(entries[0]?.n).toBe(2);
    const reads = await query<{ action: string; userId: string; impersonatorId: string | null }>(`SELECT DISTINCT action, "userId", "impersonatorId" FROM "AccessLogEntry" WHERE resource = 'GHA-200-0001' AND "impersonatorId" IS NOT NULL`);
    expect(reads).toContainEqual({ action: 'account.read', userId: 'u-gha-holder', impersonatorId: 'u-regadmin' });
    expect(reads).toContainEqual({ action: 'account.list', userId: 'u-gha-holder', impersonatorId: 'u-regadmin' });

    // A new person: created without grants, identified, then invited by a single-use link (A6R-3, A6R-4, A6R-13).
    await page.getByLabel('Real name').fill('Nina Novak');
    await page.getByLabel('Email address').fill('nina.novak@example.test');
    await page.getByRole('button', { name: 'Create user' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Nina Novak was created, without grants.' })).toBeVisible();
    await page.getByRole('link', { name: 'Nina Novak' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Nina Novak' })).toBeVisible();
    await page.getByRole('button', { name: 'Send enrollment link' }).click();
    await expect(page.getByRole('alert').filter({ hasText: 'Verify this user' })).toBeVisible();
    await page.getByRole('button', { name: 'Record check' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Identity check recorded.' })).toBeVisible();
    await page.getByRole('button', { name: 'Send enrollment link' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'An enrollment link was sent to nina.novak@example.test' })).toBeVisible();
    await expectAccessible(page);

    const mailDir = process.env.E2E_MAIL_DIR ?? '';
    const mail = (await readCapturedMail(mailDir)).filter((m) => m.to === 'nina.novak@example.test');
    expect(mail).toHaveLength(1);
    const link = /https?:\/\/\S+\/enroll\/[A-Za-z0-9_-]+/.exec(mail[0]?.text ?? '')?.[0];
    expect(link, 'the enrollment link in the mail').toBeTruthy();

    const newcomerContext = await browser.newContext();
    const newcomer = await newcomerContext.newPage();
    await addVirtualAuthenticator(newcomer);
    await newcomer.goto(link ?? '');
    await expect(newcomer.getByRole('heading', { level: 1, name: 'Set up your access' })).toBeVisible();
    await expectAccessible(newcomer);
    await newcomer.getByLabel('New password').fill('qwertyuiop123');
    await newcomer.getByLabel('The same password again').fill('qwertyuiop123');
    await newcomer.getByRole('button', { name: 'Set password' }).click();
    await expect(newcomer.getByRole('alert').filter({ hasText: 'common and breached passwords' })).toBeVisible();
    const password = 'copper meadow lantern ninety';
    await newcomer.getByLabel('New password').fill(password);
    await newcomer.getByLabel('The same password again').fill(password);
    await newcomer.getByRole('button', { name: 'Set password' }).click();
    await expect(newcomer.getByRole('status').filter({ hasText: 'Your password is set.' })).toBeVisible();
    await signInWithPassword(newcomer, 'nina.novak@example.test', password);
    await newcomer.waitForURL('**/passkey/register');
    await newcomer.getByRole('button', { name: 'Create passkey' }).click();
    await newcomer.waitForURL((url) => url.pathname === '/');
    await expect(newcomer.getByText('Your grants give you no accounts to see.')).toBeVisible();
    // The link worked once.
    await newcomer.goto(link ?? '');
    await newcomer.getByLabel('New password').fill(password);
    await newcomer.getByLabel('The same password again').fill(password);
    await newcomer.getByRole('button', { name: 'Set password' }).click();
    await expect(newcomer.getByRole('alert').filter({ hasText: 'This enrollment link is not valid' })).toBeVisible();

    // An external system (A6R-8): registered with its risk assessment, then answered only within its grant.
    const keys = generateKeyPairSync('ed25519');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'External systems' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'External systems' })).toBeVisible();
    await page.getByLabel('Name').fill('Swiss national registry');
    await page.getByLabel('Ed25519 public key (PEM)').fill(keys.publicKey.export({ type: 'spki', format: 'pem' }).toString());
    await page.getByLabel('Risk assessment').fill('Reads one account; mutual TLS; key in the operator HSM.');
    await page.getByRole('button', { name: 'Register' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Swiss national registry is registered.' })).toBeVisible();
    await expectAccessible(page);
    const clientId = (await page.getByRole('row', { name: /Swiss national registry/ }).locator('td.font-mono').innerText()).trim();
    const path = '/api/external/v1/accounts/CHE-200-0001';
    const timestamp = new Date().toISOString();
    const nonce = randomBytes(16).toString('base64url');
    const signature = sign(null, Buffer.from(signingString('GET', path, timestamp, nonce, '')), keys.privateKey).toString('base64');
    const headers = { 'x-registry-client': clientId, 'x-registry-timestamp': timestamp, 'x-registry-nonce': nonce, 'x-registry-signature': signature };
    const first = await page.request.get(path, { headers });
    // Authenticated, but without a grant yet: refused by the policy.
    expect(first.status()).toBe(403);
    expect((await first.json()) as unknown).toMatchObject({ code: 'ROLE_NOT_ALLOWED' });
    const replay = await page.request.get(path, { headers });
    expect((await replay.json()) as unknown).toMatchObject({ code: 'NONCE_REUSED' });

    // Granted to represent the account, the system proposes a transfer through the running registry.
    await page.goto('/admin/users');
    await page.getByRole('link', { name: 'Swiss national registry' }).click();
    const grantForm = page.locator('form').filter({ has: page.getByRole('heading', { name: 'Grant a role' }) });
    // To read: every account of the Swiss section.
    await grantForm.getByLabel('Role').selectOption('EXTERNAL_SYSTEM');
    await grantForm.getByLabel('Section (ISO 3166-1 alpha-3)').fill('CHE');
    await expectAccessible(page);
    await grantForm.getByRole('button', { name: 'Grant' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Granted: External system.' })).toBeVisible();
    await expect(page.getByRole('cell', { name: 'section CHE', exact: true })).toBeVisible();
    await grantForm.getByLabel('Role').selectOption('ACCOUNT_HOLDER');
    await grantForm.getByLabel('Account number').fill('CHE-200-0001');
    await grantForm.getByRole('button', { name: 'Grant' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Granted: Account holder or representative.' })).toBeVisible();
    const signedHeaders = (method: string, target: string, body: string) => {
      const at = new Date().toISOString();
      const once = randomBytes(16).toString('base64url');
      return { 'x-registry-client': clientId, 'x-registry-timestamp': at, 'x-registry-nonce': once, 'x-registry-signature': sign(null, Buffer.from(signingString(method, target, at, once, body)), keys.privateKey).toString('base64'), 'content-type': 'application/json' };
    };
    const transfers = '/api/external/v1/transfers';
    const proposal = JSON.stringify({ idempotencyKey: `e2e-${randomBytes(6).toString('hex')}`, fromAccountId: 'CHE-200-0001', toAccountId: 'CHE-200-0002', selection: { mode: 'implicit', quantity: '7', constraints: {} } });
    const proposed = await page.request.post(transfers, { headers: signedHeaders('POST', transfers, proposal), data: proposal });
    expect(proposed.status()).toBe(201);
    expect((await proposed.json()) as unknown).toMatchObject({ status: 'RECORDED', quantity: '7', replayed: false });
    const malformed = '{"idempotencyKey": "e2e-malformed-1", "fromAccountId": "CHE-200-0001"}';
    const refused = await page.request.post(transfers, { headers: signedHeaders('POST', transfers, malformed), data: malformed });
    expect(refused.status()).toBe(400);
    expect((await refused.json()) as unknown).toMatchObject({ code: 'BODY_INVALID', error: expect.stringMatching(/toAccountId is required/) });
    // Without its signature, the same request carries no same-origin evidence and is refused before any handler runs.
    const unsigned = await page.request.post(transfers, { headers: { 'content-type': 'application/json' }, data: proposal });
    expect(unsigned.status()).toBe(403);
    expect((await unsigned.json()) as unknown).toMatchObject({ code: 'CROSS_ORIGIN' });
    // So is a write with the signed-in administrator's session cookie but neither Origin nor Sec-Fetch-Site.
    const cookieOnly = await page.request.post('/api/trpc/account.setStatus', { headers: { 'content-type': 'application/json' }, data: JSON.stringify({ json: { idempotencyKey: 'e2e-csrf-1', accountId: 'CHE-200-0002', status: 'SUSPENDED', reason: 'forged' } }) });
    expect(cookieOnly.status()).toBe(403);
    expect((await cookieOnly.json()) as unknown).toMatchObject({ code: 'CROSS_ORIGIN', error: expect.stringMatching(/neither Origin nor Sec-Fetch-Site/) });
    const historyPath = '/api/external/v1/accounts/CHE-200-0001/transactions?limit=1';
    const history = await page.request.get(historyPath, { headers: signedHeaders('GET', historyPath, '') });
    expect(history.status()).toBe(200);
    expect((await history.json()) as unknown).toMatchObject({ transactions: [{ kind: 'TRANSFER', change: '-7', counterpartAccountId: 'CHE-200-0002' }] });
  });
});
