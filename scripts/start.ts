/**
 * `npm start`: builds when needed, prepares the database and serves the registry.
 *
 * Without DATABASE_URL it runs an embedded PostgreSQL-compatible server (PGlite) with its data under
 * `.data/`, migrates it, seeds the demo registry on first start and prints the demo sign-in details:
 * a demo database, not a place for real records. With DATABASE_URL it migrates that PostgreSQL and
 * seeds only when asked (`npm start -- --seed`).
 */
import path from 'node:path';
import { createDb } from '../server/db/client';
import { DEMO_APPLICANT, DEMO_USERS, seedDemo } from '../server/demo/seed';
import { createLedgerContext } from '../server/ledger/context';
import { startEmbeddedPostgres } from '../server/db/embedded-postgres';
import { ed25519Signer } from '../server/ledger/signer';
import { deployMigrations } from './db/schema-engine';
import { ensureBuild, PROJECT_ROOT, startNext } from './lib/next-build';
import { loadOrCreateDemoSecrets } from './lib/secrets';

const DATA_DIR = path.join(PROJECT_ROOT, '.data');

function flag(name: string): boolean {
  return process.argv.includes(`--${name}`);
}

function fail(message: string): never {
  console.error(`\nThe registry did not start: ${message}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 1 || port > 65535) fail(`PORT must be a port number, got "${process.env.PORT}".`);

  ensureBuild();

  const embedded = !process.env.DATABASE_URL;
  let stopDatabase = async () => {};
  let databaseUrl = process.env.DATABASE_URL ?? '';
  let secrets: { NEXTAUTH_SECRET?: string; LEDGER_SIGNING_KEY?: string; demoPassword?: string } = {};
  if (embedded) {
    console.log('No DATABASE_URL is set: starting the embedded demo database in .data/ (PGlite).');
    console.log('This is a DEMO DATABASE for trying the registry out, not for real records.');
    const server = await startEmbeddedPostgres({ dataDir: path.join(DATA_DIR, 'pglite') });
    databaseUrl = server.url;
    stopDatabase = server.stop;
    secrets = loadOrCreateDemoSecrets(DATA_DIR);
  } else {
    if (!process.env.NEXTAUTH_SECRET || !process.env.LEDGER_SIGNING_KEY) fail('with DATABASE_URL set, NEXTAUTH_SECRET and LEDGER_SIGNING_KEY must be set too (see README.md, "Configuration").');
  }

  const env = {
    DATABASE_URL: databaseUrl,
    NEXTAUTH_SECRET: process.env.NEXTAUTH_SECRET ?? secrets.NEXTAUTH_SECRET ?? '',
    LEDGER_SIGNING_KEY: process.env.LEDGER_SIGNING_KEY ?? secrets.LEDGER_SIGNING_KEY ?? '',
    NEXTAUTH_URL: process.env.NEXTAUTH_URL ?? `http://localhost:${port}`,
  };

  const { applied } = await deployMigrations(databaseUrl);
  if (applied.length > 0) console.log(`Applied ${applied.length} migration(s): ${applied.join(', ')}`);

  const db = createDb(databaseUrl, 2);
  const empty = (await db.user.count()) === 0;
  const seed = (embedded && empty) || flag('seed');
  const demoPassword = secrets.demoPassword ?? process.env.DEMO_PASSWORD;
  if (seed) {
    if (!demoPassword) fail('seeding a PostgreSQL database needs DEMO_PASSWORD: the password to give the demo users (12 characters or more).');
    console.log('Seeding the demo registry…');
    const ledger = createLedgerContext({ db, databaseUrl, signer: ed25519Signer(env.LEDGER_SIGNING_KEY), poolSize: 2 });
    await seedDemo(ledger, demoPassword);
    await ledger.close();
  }
  await db.$disconnect();

  const child = startNext(port, env);
  if (embedded || seed) {
    console.log(`\nArticle 6 Registry: http://localhost:${port}`);
    console.log(`Demo users (password for all: ${demoPassword}):`);
    for (const u of [...DEMO_USERS, DEMO_APPLICANT]) console.log(`  ${u.email.padEnd(32)} ${u.description}`);
    console.log('Each user registers a passkey at first sign-in (a device passkey, a security key or the browser’s own).\n');
  }

  const shutdown = () => child.kill('SIGTERM');
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  child.on('exit', async (code) => {
    await stopDatabase();
    process.exit(code ?? 0);
  });
}

main().catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));
