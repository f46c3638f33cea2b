import { readFileSync, writeFileSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import { expect, type Browser, type CDPSession, type Page } from '@playwright/test';
import pg from 'pg';

export const PASSWORD = process.env.E2E_PASSWORD ?? '';
if (!PASSWORD) throw new Error('E2E_PASSWORD is not set: run the end-to-end tests with `npm run test:e2e`.');

/**
 * A DevTools virtual authenticator (CTAP2, platform, resident keys, user verification): the page's
 * navigator.credentials ceremonies run for real against it and the server verifies their signatures.
 */
export async function addVirtualAuthenticator(page: Page): Promise<{ client: CDPSession; authenticatorId: string }> {
  const client = await page.context().newCDPSession(page);
  await client.send('WebAuthn.enable', { enableUI: false });
  const { authenticatorId } = await client.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
  return { client, authenticatorId };
}

export async function signInWithPassword(page: Page, email: string, password = PASSWORD): Promise<void> {
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** First sign-in of a user: password, then the passkey enrollment that the registry demands. */
export async function signInAndEnroll(page: Page, email: string): Promise<void> {
  await signInWithPassword(page, email);
  await page.waitForURL('**/passkey/register');
  await page.getByRole('button', { name: 'Create passkey' }).click();
  await page.waitForURL((url) => url.pathname === '/');
  await expect(page.getByRole('heading', { level: 1, name: 'Dashboard' })).toBeVisible();
}

/** Any later sign-in: password, then the passkey. */
export async function signInWithPasskey(page: Page, email: string): Promise<void> {
  await signInWithPassword(page, email);
  await page.waitForURL('**/passkey/verify');
  await page.getByRole('button', { name: 'Use passkey' }).click();
  await page.waitForURL((url) => url.pathname === '/');
}

/** WCAG 2.1 A and AA rules, checked by axe on the page as it stands. */
export async function expectAccessible(page: Page): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const summary = results.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(summary, 'axe found accessibility violations').toEqual([]);
}

/** The balance of an account as its page shows it, as a bigint. */
export async function balanceOf(page: Page, accountId: string): Promise<bigint> {
  await page.goto(`/accounts/${accountId}`);
  const text = await page.getByTestId('account-balance').innerText();
  return BigInt(text.replace(/[^0-9]/g, ''));
}

/**
 * Keeps the passkeys of a virtual authenticator in a file, and puts them into a new one: the same
 * browser coming back after the registry restarted (the DevTools protocol exports each credential
 * with its private key and signature counter).
 */
export async function savePasskeys(client: CDPSession, authenticatorId: string, file: string): Promise<void> {
  const { credentials } = await client.send('WebAuthn.getCredentials', { authenticatorId });
  writeFileSync(file, JSON.stringify(credentials));
}

export async function restorePasskeys(client: CDPSession, authenticatorId: string, file: string): Promise<void> {
  const credentials = JSON.parse(readFileSync(file, 'utf8')) as Parameters<CDPSession['send']>[1][];
  for (const credential of credentials) await client.send('WebAuthn.addCredential', { authenticatorId, credential } as never);
}

/** A query on the registry's database under test (E2E_DATABASE_URL), for what a browser cannot see. */
export async function databaseQuery<T extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> {
  const url = process.env.E2E_DATABASE_URL;
  if (!url) throw new Error('E2E_DATABASE_URL is not set: run the end-to-end tests with `npm run test:e2e`.');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/**
 * Makes the last passkey confirmation of the user's open sessions older than the five minutes it
 * counts for (A6R-7): the next sensitive act of an elevated role must ask for a new one. Set in the
 * database, so that a test does not depend on how long its earlier steps took.
 */
export async function confirmationExpires(email: string): Promise<void> {
  await databaseQuery(`UPDATE "AuthSession" SET "stepUpAt" = (now() AT TIME ZONE 'UTC') - interval '10 minutes' WHERE "userId" = (SELECT id FROM "User" WHERE email = $1) AND "revokedAt" IS NULL`, [email]);
}

/**
 * Signs a demo user in, in a browser of its own, whether or not an earlier spec enrolled a passkey for
 * that user (whose private key went with that spec's browser): the user's passkeys are removed from
 * the database under test first, and the registry asks for a new one.
 */
export async function signedInAfresh(browser: Browser, email: string, viewport: { width: number; height: number }): Promise<Page> {
  await databaseQuery('DELETE FROM "WebAuthnCredential" WHERE "userId" = (SELECT id FROM "User" WHERE email = $1)', [email]);
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  await addVirtualAuthenticator(page);
  await signInAndEnroll(page, email);
  return page;
}
