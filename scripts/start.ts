/**
 * `npm start`: builds when needed, prepares the database and serves the registry.
 *
 * Without DATABASE_URL it runs an embedded PostgreSQL-compatible server (PGlite) with its data under
 * `.data/` (or REGISTRY_DATA_DIR), migrates it, seeds the demo registry on first start and, once the
 * registry answers, prints the demo sign-in details: a demo database, not a place for real records.
 * With DATABASE_URL it migrates that PostgreSQL and seeds only when asked (`npm start -- --seed`).
 *
 * The registry listens on 127.0.0.1 only: put a TLS proxy in front of it to serve anyone else.
 */
import path from 'node:path';
import { configurationProblems } from '../server/env';
import { createDb } from '../server/db/client';
import { startEmbeddedPostgres } from '../server/db/embedded-postgres';
import { DEMO_APPLICANT, DEMO_USERS, seedDemo } from '../server/demo/seed';
import { createLedgerContext } from '../server/ledger/context';
import { ed25519Signer } from '../server/ledger/signer';
import { deployMigrations } from '../server/db/schema-engine';
import { lockDataDirectory, portIsFree } from './lib/demo-lock';
import { ensureBuild, PROJECT_ROOT, startNext, waitForServer } from './lib/next-build';
import { loadOrCreateDemoSecrets } from './lib/secrets';

function flag(name: string): boolean {
  return process.argv.includes(`--${name}`);
}

function fail(message: string): never {
  console.error(`\nThe registry did not start: ${message}\n`);
  process.exit(1);
}

function portFrom(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < min || value > 65535) fail(`${name} must be a port number from ${min} to 65535, got "${raw}".`);
  return value;
}

async function main(): Promise<void> {
  const port = portFrom('PORT', 3000, 1);
  // 0: any free port, so that two demos (or a demo beside the tests) never collide.
  const databasePort = portFrom('EMBEDDED_DATABASE_PORT', 0, 0);
  const dataDir = path.resolve(process.env.REGISTRY_DATA_DIR || path.join(PROJECT_ROOT, '.data'));
  if (!(await portIsFree(port))) fail(`port ${port} on 127.0.0.1 is already in use (another registry or demo?). Start this one on another port: PORT=${port + 1} npm start`);

  ensureBuild();

  const embedded = !process.env.DATABASE_URL;
  let stopDatabase = async () => {};
  let databaseUrl = process.env.DATABASE_URL ?? '';
  let secrets: { NEXTAUTH_SECRET?: string; LEDGER_SIGNING_KEY?: string; demoPassword?: string } = {};
  if (embedded) {
    console.log(`No DATABASE_URL is set: starting the embedded demo database in ${path.relative(process.cwd(), dataDir) || '.'}/ (PGlite).`);
    console.log('This is a DEMO DATABASE for trying the registry out, not for real records.');
    const unlock = lockDataDirectory(dataDir);
    if (typeof unlock === 'string') fail(unlock);
    const server = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'pglite'), port: databasePort }).catch((error: unknown) => {
      unlock();
      throw error;
    });
    databaseUrl = server.url;
    stopDatabase = async () => {
      await server.stop();
      unlock();
    };
    secrets = loadOrCreateDemoSecrets(dataDir);
  } else {
    if (!process.env.NEXTAUTH_SECRET || !process.env.LEDGER_SIGNING_KEY) fail('with DATABASE_URL set, NEXTAUTH_SECRET and LEDGER_SIGNING_KEY must be set too (see README.md, "Configuration").');
  }

  const env: Record<string, string> = {
    DATABASE_URL: databaseUrl,
    NEXTAUTH_SECRET: process.env.NEXTAUTH_SECRET ?? secrets.NEXTAUTH_SECRET ?? '',
    LEDGER_SIGNING_KEY: process.env.LEDGER_SIGNING_KEY ?? secrets.LEDGER_SIGNING_KEY ?? '',
    NEXTAUTH_URL: process.env.NEXTAUTH_URL ?? `http://localhost:${port}`,
  };
  if (embedded && !process.env.MAIL_CAPTURE_DIR) env.MAIL_CAPTURE_DIR = path.join(dataDir, 'mail');
  // The server would refuse an invalid configuration at its first request; say so now, before anything starts.
  const problems = configurationProblems({ ...process.env, ...env });
  if (problems !== null) {
    await stopDatabase();
    fail(problems);
  }

  try {
    const { applied } = await deployMigrations(databaseUrl);
    if (applied.length > 0) console.log(`Applied ${applied.length} migration(s): ${applied.join(', ')}`);
  } catch (error) {
    await stopDatabase();
    throw error;
  }

  const db = createDb(databaseUrl, 2);
  const empty = (await db.user.count()) === 0;
  const seed = (embedded && empty) || flag('seed');
  const demoPassword = secrets.demoPassword ?? process.env.DEMO_PASSWORD;
  if (seed) {
    if (!demoPassword) fail('seeding a PostgreSQL database needs DEMO_PASSWORD: the password to give the demo users (12 characters or more).');
    console.log('Seeding the demo registry…');
    const ledger = createLedgerContext({ db, databaseUrl, signer: ed25519Signer(env.LEDGER_SIGNING_KEY!), poolSize: 2 });
    await seedDemo(ledger, demoPassword);
    await ledger.close();
  }
  await db.$disconnect();

  const child = startNext(port, env);
  let exited = false;
  const shutdown = () => child.kill('SIGTERM');
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  child.on('exit', async (code) => {
    exited = true;
    await stopDatabase();
    process.exit(code ?? 0);
  });

  // Tell people where to go only once the registry answers there.
  try {
    await waitForServer(`http://127.0.0.1:${port}/sign-in`, 180_000, () => exited);
  } catch (error) {
    if (exited) return; // the server said why, and the exit handler ends this process
    shutdown();
    throw error;
  }
  console.log(`\nArticle 6 Registry: http://localhost:${port} (listening on 127.0.0.1 only)`);
  if (embedded) console.log(`Embedded demo database: ${databaseUrl} (for psql while the demo runs)`);
  if (embedded || seed) {
    console.log(`Demo users (password for all: ${demoPassword}):`);
    for (const u of [...DEMO_USERS, DEMO_APPLICANT]) console.log(`  ${u.email.padEnd(32)} ${u.description}`);
    console.log('Each user registers a passkey at first sign-in (a device passkey, a security key or the browser’s own).\n');
  }
}

main().catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));
