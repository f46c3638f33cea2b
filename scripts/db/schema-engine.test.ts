// Integration tests against a real PostgreSQL server (TEST_DATABASE_URL, by default the local one).
// Each run creates its own database and drops it, so runs never see each other's data.
import { randomBytes } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from './migrate';
import {
  DEFAULT_MIGRATIONS_DIR,
  DEFAULT_SCHEMA_PATH,
  DatabaseToolError,
  createMigration,
  deployMigrations,
  migrationStatus,
  parseDatabaseUrl,
  splitEngineTrace,
} from '../../server/db/schema-engine';

const serverUrl = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const databaseName = `registry_test_${randomBytes(5).toString('hex')}`;
const databaseUrl = (() => {
  const url = new URL(serverUrl);
  url.pathname = `/${databaseName}`;
  return url.toString();
})();

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function shadowDatabases(): Promise<string[]> {
  const { rows } = await db.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'prisma_migrate_shadow_db_%'`);
  return rows.map((r) => r.datname);
}

let db: pg.Pool;

beforeAll(async () => {
  await admin(`CREATE DATABASE "${databaseName}"`);
  db = new pg.Pool({ connectionString: databaseUrl, max: 2 });
});

afterAll(async () => {
  await db?.end();
  await admin(`DROP DATABASE IF EXISTS "${databaseName}" WITH (FORCE)`);
});

describe('parseDatabaseUrl', () => {
  it('splits a URL into the fields node-postgres needs', () => {
    // secretlint-disable-next-line -- a made-up password, to test the parser
    expect(parseDatabaseUrl('postgresql://alice:p%40ss@db.example:6543/registry?schema=reg&sslmode=require')).toEqual({
      host: 'db.example',
      port: 6543,
      user: 'alice',
      password: 'p@ss',
      database: 'registry',
      schema: 'reg',
      ssl: { rejectUnauthorized: false },
    });
  });

  it.each([
    [undefined, /DATABASE_URL is not set/],
    ['', /DATABASE_URL is not set/],
    ['localhost:5432/x', /must start with postgresql:\/\//],
    ['not a url', /not a valid URL/],
    ['mysql://root@localhost/x', /Only PostgreSQL/],
    ['postgresql://postgres@localhost:5432', /must name a database/],
  ])('rejects %j with a message that says what to fix', (url, message) => {
    expect(() => parseDatabaseUrl(url)).toThrow(DatabaseToolError);
    expect(() => parseDatabaseUrl(url)).toThrow(message);
  });
});

describe('splitEngineTrace', () => {
  it('keeps the sentence and sets the engine trace apart', () => {
    const { text, trace } = splitEngineTrace(
      'Error querying the database: ERROR: boom\n   0: sql_schema_connector::apply_migration::apply_script\n           at x.rs:1',
    );
    expect(text).toBe('Error querying the database: ERROR: boom');
    expect(trace).toMatch(/^ {3}0: sql_schema_connector/);
  });
});

describe('the migrations on PostgreSQL', () => {
  it('deploys every migration folder, then nothing on a second run', async () => {
    const local = (await readdir(DEFAULT_MIGRATIONS_DIR, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
    expect(local).toEqual(expect.arrayContaining(['20261122000000_init', '20261122000100_immutability']));

    const first = await deployMigrations(databaseUrl);
    expect(first.applied).toEqual(local);
    const second = await deployMigrations(databaseUrl);
    expect(second.applied).toEqual([]);
  });

  it('reports the database up to date', async () => {
    const status = await migrationStatus(databaseUrl);
    expect(status).toMatchObject({ hasMigrationsTable: true, upToDate: true, unapplied: [], failed: [], edited: [] });
  });

  it('created the tables and recorded the migrations as Prisma does', async () => {
    const { rows } = await db.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
    );
    expect(rows.map((r) => r.table_name)).toEqual(
      expect.arrayContaining(['Account', 'LedgerTransaction', 'LogEntry', 'UnitBlock', 'UnitSeries', 'User', '_prisma_migrations']),
    );
    const applied = await db.query(`SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`);
    expect(applied.rowCount).toBeGreaterThanOrEqual(2);
  });

  describe('immutability triggers', () => {
    beforeAll(async () => {
      await db.query(`
        INSERT INTO "LedgerTransaction" (id, "idempotencyKey", kind, status, input, "inputHash", "createdAt")
          VALUES ('tx-1', 'key-1', 'ISSUANCE', 'RECORDED', '{}', 'h1', now()), ('tx-2', 'key-2', 'TRANSFER', 'RECORDED', '{}', 'h2', now());
        INSERT INTO "Account" (id, registry, name, type, "holderName") VALUES ('CHE-100-0001', 'INTERNATIONAL', 'Holding', 'HOLDING', 'Switzerland');
        INSERT INTO "UnitSeries" (id, "unitType", "originatingRegistry", "hostParty", "firstTransferringParty", "activityId", vintage)
          VALUES ('series-1', 'ITMO', 'CHE', 'GHA', 'GHA', 'ACT-1', 2024);
        INSERT INTO "UnitBlock" ("seriesId", "firstSerial", "lastSerial", "accountId", "createdByTxId", "createdAt")
          VALUES ('series-1', 1, 100, 'CHE-100-0001', 'tx-1', now());
        INSERT INTO "LogEntry" (chain, "createdAt", kind, payload, "prevHash", hash, signature) VALUES (0, now(), 'TX', '{}', '0', 'h', 's');
      `);
    });

    it('refuses UPDATE, DELETE and TRUNCATE of a log entry', async () => {
      await expect(db.query(`UPDATE "LogEntry" SET kind = 'FORGED'`)).rejects.toThrow('LogEntry is append-only: UPDATE refused');
      await expect(db.query(`DELETE FROM "LogEntry"`)).rejects.toThrow('LogEntry is append-only: DELETE refused');
      await expect(db.query(`TRUNCATE "LogEntry"`)).rejects.toThrow('LogEntry is append-only: TRUNCATE refused');
    });

    it('refuses changing a ledger transaction', async () => {
      await expect(db.query(`UPDATE "LedgerTransaction" SET status = 'REJECTED' WHERE id = 'tx-1'`)).rejects.toThrow(
        'LedgerTransaction is append-only: UPDATE refused',
      );
    });

    it('refuses DELETE of a unit block and any change other than closing it', async () => {
      await expect(db.query(`DELETE FROM "UnitBlock"`)).rejects.toThrow('UnitBlock is never deleted: DELETE refused');
      await expect(db.query(`TRUNCATE "UnitBlock"`)).rejects.toThrow('UnitBlock is never deleted: TRUNCATE refused');
      await expect(db.query(`UPDATE "UnitBlock" SET "lastSerial" = 50`)).rejects.toThrow(/can only be closed.*UPDATE refused/);
      await expect(db.query(`UPDATE "UnitBlock" SET "closedByTxId" = 'tx-2'`)).rejects.toThrow(/can only be closed/);
      await expect(db.query(`UPDATE "UnitBlock" SET "closedByTxId" = 'tx-2', "closedAt" = now(), "lastSerial" = 50`)).rejects.toThrow(
        /immutable except for closing it: UPDATE refused/,
      );
    });

    it('lets a unit block be closed once, then never changed again', async () => {
      const closed = await db.query(`UPDATE "UnitBlock" SET "closedByTxId" = 'tx-2', "closedAt" = now()`);
      expect(closed.rowCount).toBe(1);
      await expect(db.query(`UPDATE "UnitBlock" SET "closedAt" = now()`)).rejects.toThrow(/UnitBlock \d+ is closed: UPDATE refused/);
      await expect(db.query(`UPDATE "UnitBlock" SET "closedByTxId" = NULL, "closedAt" = NULL`)).rejects.toThrow(/is closed/);
    });
  });

  it('creates a migration for a schema change, through a shadow database it then drops', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'registry-migrations-'));
    try {
      await cp(DEFAULT_MIGRATIONS_DIR, path.join(dir, 'migrations'), { recursive: true });
      const schemaPath = path.join(dir, 'schema.prisma');
      const options = { migrationsDir: path.join(dir, 'migrations'), schemaPath };
      const shadowsBefore = await shadowDatabases();

      await writeFile(schemaPath, await readFile(DEFAULT_SCHEMA_PATH, 'utf8'));
      expect(await createMigration(databaseUrl, 'nothing', options)).toEqual({ name: null, file: null });

      await writeFile(schemaPath, `${await readFile(DEFAULT_SCHEMA_PATH, 'utf8')}\nmodel Probe {\n  id Int @id\n}\n`);
      const created = await createMigration(databaseUrl, 'probe', options);
      expect(created.name).toMatch(/^\d{14}_probe$/);
      expect(await readFile(created.file!, 'utf8')).toContain('CREATE TABLE "Probe"');
      expect(await readFile(path.join(dir, 'migrations', 'migration_lock.toml'), 'utf8')).toContain('provider = "postgresql"');

      const leftover = (await shadowDatabases()).filter((name) => !shadowsBefore.includes(name));
      expect(leftover).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('names the migration that failed, and status reports it', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'registry-migrations-'));
    const failingDb = `${databaseName}_f`;
    await admin(`CREATE DATABASE "${failingDb}"`);
    try {
      await mkdir(path.join(dir, '20260101000000_broken'));
      await writeFile(path.join(dir, '20260101000000_broken', 'migration.sql'), 'CREATE TABLE "t" (id int);\nSELECT 1/0;\n');
      const url = databaseUrl.replace(databaseName, failingDb);
      await expect(deployMigrations(url, { migrationsDir: dir })).rejects.toThrow(/Migration 20260101000000_broken failed: .*division by zero/);
      const status = await migrationStatus(url, { migrationsDir: dir });
      expect(status).toMatchObject({ upToDate: false, failed: ['20260101000000_broken'] });
    } finally {
      await rm(dir, { recursive: true, force: true });
      await admin(`DROP DATABASE IF EXISTS "${failingDb}" WITH (FORCE)`);
    }
  });

  it('says plainly when the server cannot be reached', async () => {
    await expect(deployMigrations('postgresql://postgres@127.0.0.1:1/registry')).rejects.toThrow(/Cannot reach the database server at 127.0.0.1:1/);
  });
});

describe('the migrate command', () => {
  async function run(argv: string[], env: Record<string, string | undefined>): Promise<{ code: number; out: string; err: string }> {
    const out = vi.spyOn(console, 'log').mockImplementation(() => {});
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const code = await main(argv, env);
      return { code, out: out.mock.calls.flat().join('\n'), err: err.mock.calls.flat().join('\n') };
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
  }

  it('exits 0 when the database is up to date', async () => {
    const result = await run(['status'], { DATABASE_URL: databaseUrl });
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/Database is up to date/);
  });

  it('exits 1 with one line and no stack when DATABASE_URL is missing or unreachable', async () => {
    const missing = await run(['deploy'], {});
    expect(missing).toMatchObject({ code: 1 });
    expect(missing.err).toMatch(/^Error: DATABASE_URL is not set/);
    const unreachable = await run(['deploy'], { DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/registry' });
    expect(unreachable.code).toBe(1);
    expect(unreachable.err).toMatch(/Cannot reach the database server/);
    expect(unreachable.err).not.toMatch(/\n\s+at /);
  });

  it('exits 2 on wrong usage', async () => {
    expect((await run([], {})).code).toBe(2);
    expect((await run(['create'], {})).code).toBe(2);
    expect((await run(['deploy', '--force'], {})).code).toBe(2);
  });
});
