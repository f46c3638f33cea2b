/**
 * End-to-end tests against the production build: a fresh PostgreSQL database of its own, migrated and
 * seeded with the demo registry under a random password, served by `next start`, driven by Playwright
 * in Chromium. Everything it creates it removes again, whatever the outcome.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { seedDemo } from '../server/demo/seed';
import { createLedgerContext } from '../server/ledger/context';
import { ed25519Signer } from '../server/ledger/signer';
import { createTestDatabase } from '../server/testing/test-database';
import { ensureBuild, PROJECT_ROOT, startNext, waitForServer } from './lib/next-build';
import { generateSecrets } from './lib/secrets';

async function main(): Promise<number> {
  ensureBuild();
  const port = Number(process.env.E2E_PORT ?? 3100);
  const baseUrl = `http://localhost:${port}`;
  const secrets = generateSecrets();
  const database = await createTestDatabase('registry_e2e');
  // Mail is captured as files here, where the tests read the enrollment links.
  const mailDir = mkdtempSync(path.join(tmpdir(), 'registry-e2e-mail-'));
  let server: ReturnType<typeof startNext> | undefined;
  try {
    const ledger = createLedgerContext({ db: database.db, databaseUrl: database.url, signer: ed25519Signer(secrets.LEDGER_SIGNING_KEY), poolSize: 2 });
    await seedDemo(ledger, secrets.demoPassword);
    await ledger.close();
    server = startNext(port, { DATABASE_URL: database.url, NEXTAUTH_SECRET: secrets.NEXTAUTH_SECRET, LEDGER_SIGNING_KEY: secrets.LEDGER_SIGNING_KEY, NEXTAUTH_URL: baseUrl, MAIL_CAPTURE_DIR: mailDir });
    await waitForServer(`${baseUrl}/sign-in`);
    const playwright = path.join(PROJECT_ROOT, 'node_modules', '@playwright', 'test', 'cli.js');
    const result = spawnSync(process.execPath, [playwright, 'test', ...process.argv.slice(2)], {
      cwd: PROJECT_ROOT,
      stdio: 'inherit',
      env: { ...process.env, E2E_BASE_URL: baseUrl, E2E_PASSWORD: secrets.demoPassword, E2E_DATABASE_URL: database.url, E2E_MAIL_DIR: mailDir },
    });
    return result.status ?? 1;
  } finally {
    server?.kill('SIGTERM');
    await database.drop();
    rmSync(mailDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`End-to-end tests could not run: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
