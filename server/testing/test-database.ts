import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createDb, type Db } from '../db/client';
import { quoteIdentifier } from '../db/sql-quote';
import { createLedgerContext } from '../ledger/context';
import { ed25519Signer, generateSigningKeyPem } from '../ledger/signer';
import type { LedgerContext } from '../ledger/types';
import { deployMigrations } from '../db/schema-engine';

/** The PostgreSQL server the integration tests use; each test file gets a database of its own on it. */
export const TEST_SERVER_URL = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  readonly url: string;
  readonly db: Db;
  /**
   * A ledger context over this database with a fresh signing key; `now` and `newId` may be given, and
   * `databaseUrl`: another way to reach the same database (the bench's Unix socket).
   */
  ledger(options?: { now?: () => Date; newId?: () => string; poolSize?: number; databaseUrl?: string }): LedgerContext & { publicKeyPem: string };
  drop(): Promise<void>;
}

/** Creates a fresh, migrated database with a random name; `drop` removes it again. */
export async function createTestDatabase(prefix = 'registry_test', serverUrl = TEST_SERVER_URL): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${quoteIdentifier(name)}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  await deployMigrations(url.toString());
  const db = createDb(url.toString(), 12);
  const contexts: { close(): Promise<void> }[] = [];
  return {
    url: url.toString(),
    db,
    ledger(options = {}) {
      const signer = ed25519Signer(generateSigningKeyPem());
      const context = createLedgerContext({ db, databaseUrl: url.toString(), signer, ...options });
      contexts.push(context);
      return { ...context, publicKeyPem: signer.publicKeyPem };
    },
    async drop() {
      await Promise.all(contexts.map((c) => c.close()));
      await db.$disconnect();
      const c = new Client({ connectionString: serverUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
