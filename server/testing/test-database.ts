import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createDb, type Db } from '../db/client';
import { deployMigrations } from '../../scripts/db/schema-engine';

/** The PostgreSQL server the integration tests use; each test file gets a database of its own on it. */
export const TEST_SERVER_URL = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  readonly url: string;
  readonly db: Db;
  drop(): Promise<void>;
}

/** Creates a fresh, migrated database with a random name; `drop` removes it again. */
export async function createTestDatabase(prefix = 'registry_test'): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: TEST_SERVER_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(TEST_SERVER_URL);
  url.pathname = `/${name}`;
  await deployMigrations(url.toString());
  const db = createDb(url.toString(), 12);
  return {
    url: url.toString(),
    db,
    async drop() {
      await db.$disconnect();
      const c = new Client({ connectionString: TEST_SERVER_URL });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
