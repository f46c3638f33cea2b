/**
 * End-to-end tests against the production build, driven by Playwright in Chromium, in two parts:
 *
 * 1. **PostgreSQL.** A fresh database of its own, migrated and seeded with the demo registry under a
 *    random password, served by the registry's web server: every spec in e2e/.
 * 2. **The embedded demo, as the README starts it.** `scripts/start.ts` with no DATABASE_URL, on a data
 *    directory of its own: the first start (the one that seeds) runs the transfer flow and a burst of
 *    concurrent transfers from several browsers; then the demo is stopped and started again, and the
 *    burst runs once more. At the end the embedded database's log is verified and its invariants checked.
 *    (The burst runs only here: it enrolls demo users that part 1's specs enroll as well.)
 *
 * Everything it creates it removes again, whatever the outcome. Arguments are passed to Playwright for
 * part 1 (e.g. one spec file); `--postgres-only` or `--embedded-only` runs one part.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { seedDemo } from '../server/demo/seed';
import { createLedgerContext } from '../server/ledger/context';
import { checkInvariants } from '../server/ledger/invariants';
import { ed25519Signer } from '../server/ledger/signer';
import { createLedgerPool } from '../server/ledger/sql';
import { verifyLedger } from '../server/ledger/verify';
import { createTestDatabase } from '../server/testing/test-database';
import { ensureBuild, PROJECT_ROOT, startNext, waitForServer } from './lib/next-build';
import { generateSecrets, type DemoSecrets } from './lib/secrets';

const PLAYWRIGHT = path.join(PROJECT_ROOT, 'node_modules', '@playwright', 'test', 'cli.js');
const TSX = path.join(PROJECT_ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs');
/** The specs that run on the embedded demo: the main job, and many browsers at once. */
const EMBEDDED_FIRST_START = ['e2e/transfer.spec.ts', 'e2e/demo-burst.spec.ts'];
const EMBEDDED_RESTART = ['e2e/demo-burst.spec.ts'];

function playwright(args: string[], env: Record<string, string>): number {
  const result = spawnSync(process.execPath, [PLAYWRIGHT, 'test', ...args], { cwd: PROJECT_ROOT, stdio: 'inherit', env: { ...process.env, ...env } });
  return result.status ?? 1;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

async function onPostgres(port: number, args: string[]): Promise<number> {
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
    return playwright(args, { E2E_BASE_URL: baseUrl, E2E_PASSWORD: secrets.demoPassword, E2E_DATABASE_URL: database.url, E2E_MAIL_DIR: mailDir });
  } finally {
    await stop(server);
    await database.drop();
    rmSync(mailDir, { recursive: true, force: true });
  }
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

/** `npm start` as a new user runs it: no DATABASE_URL, the demo's own data directory. */
function startDemo(env: Record<string, string>): ChildProcess {
  const inherited = { ...process.env };
  delete inherited.DATABASE_URL;
  delete inherited.NEXTAUTH_SECRET;
  delete inherited.LEDGER_SIGNING_KEY;
  delete inherited.NEXTAUTH_URL;
  return spawn(process.execPath, ['--import', TSX, path.join(PROJECT_ROOT, 'scripts', 'start.ts')], { cwd: PROJECT_ROOT, stdio: 'inherit', env: { ...inherited, ...env } });
}

async function onEmbeddedDemo(port: number): Promise<number> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'registry-e2e-demo-'));
  const stateDir = mkdtempSync(path.join(tmpdir(), 'registry-e2e-passkeys-'));
  const databasePort = await freePort();
  const baseUrl = `http://localhost:${port}`;
  const env = { REGISTRY_DATA_DIR: dataDir, PORT: String(port), EMBEDDED_DATABASE_PORT: String(databasePort) };
  const databaseUrl = `postgresql://postgres:postgres@127.0.0.1:${databasePort}/postgres?sslmode=disable`;
  let demo: ChildProcess | undefined;
  try {
    const run = async (label: string, specs: string[]): Promise<number> => {
      console.log(`\n== End-to-end on the embedded demo database: ${label}`);
      demo = startDemo(env);
      const gone = () => demo?.exitCode !== null || demo?.signalCode !== null;
      await waitForServer(`${baseUrl}/sign-in`, 240_000, gone);
      const secrets = JSON.parse(readFileSync(path.join(dataDir, 'demo-secrets.json'), 'utf8')) as DemoSecrets;
      const code = playwright(specs, { E2E_BASE_URL: baseUrl, E2E_PASSWORD: secrets.demoPassword, E2E_DATABASE_URL: databaseUrl, E2E_MAIL_DIR: path.join(dataDir, 'mail'), E2E_STATE_DIR: stateDir, E2E_TARGET: 'embedded' });
      if (code === 0 && label === 'after a restart') {
        const problems = await ledgerProblems(databaseUrl, secrets.LEDGER_SIGNING_KEY);
        if (problems.length > 0) {
          console.error(`The embedded demo's ledger disagrees with itself:\n  ${problems.join('\n  ')}`);
          return 1;
        }
        console.log('The embedded demo database: log verified, invariants hold.');
      }
      await stop(demo);
      return code;
    };
    const first = await run('the first start, which seeds', EMBEDDED_FIRST_START);
    if (first !== 0) return first;
    if (!existsSync(path.join(stateDir, 'cookstoves@demo.registry.passkeys.json'))) {
      console.error('The first start kept no passkeys for the restart.');
      return 1;
    }
    return await run('after a restart', EMBEDDED_RESTART);
  } finally {
    await stop(demo);
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(stateDir, { recursive: true, force: true });
  }
}

async function ledgerProblems(databaseUrl: string, signingKey: string): Promise<string[]> {
  // The ledger's own pool: its type parsers read sequence numbers and quantities as bigint.
  const pool = createLedgerPool(databaseUrl, 2);
  try {
    const violations = await checkInvariants(pool);
    const verified = await verifyLedger(pool, ed25519Signer(signingKey).publicKeyPem);
    return [...violations.map((v) => JSON.stringify(v)), ...(verified.ok ? [] : [`ledger:verify failed: ${JSON.stringify(verified).slice(0, 500)}`])];
  } finally {
    await pool.end();
  }
}

async function main(): Promise<number> {
  ensureBuild();
  const port = Number(process.env.E2E_PORT ?? 3100);
  const args = process.argv.slice(2).filter((a) => a !== '--postgres-only' && a !== '--embedded-only');
  const embeddedOnly = process.argv.includes('--embedded-only');
  const postgresOnly = process.argv.includes('--postgres-only') || args.length > 0;
  if (!embeddedOnly) {
    const code = await onPostgres(port, args);
    if (code !== 0 || postgresOnly) return code;
  }
  return onEmbeddedDemo(port + 1);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`End-to-end tests could not run: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
