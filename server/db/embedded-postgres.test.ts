// Starts the demo's embedded database in a temporary directory on a free port, so that it never
// touches .data/pglite or a demo running on the default port.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMigration, deployMigrations, migrationStatus } from '../../scripts/db/schema-engine';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres';

let dataDir: string;
let embedded: EmbeddedPostgres | undefined;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'registry-pglite-'));
  embedded = await startEmbeddedPostgres({ dataDir, port: 0 });
});

afterAll(async () => {
  await embedded?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('the embedded PostgreSQL (PGlite)', () => {
  it('serves a postgresql:// URL on 127.0.0.1', () => {
    expect(embedded?.url).toMatch(/^postgresql:\/\/postgres:postgres@127\.0\.0\.1:\d+\/postgres/);
  });

  it('takes the migrations, triggers included', async () => {
    const url = embedded!.url;
    const { applied } = await deployMigrations(url);
    expect(applied).toEqual(expect.arrayContaining(['20261122000000_init', '20261122000100_immutability']));
    expect((await migrationStatus(url)).upToDate).toBe(true);
  });

  it('refuses to create migrations (the engine would crash on its PostgreSQL 18 catalog)', async () => {
    await expect(createMigration(embedded!.url, 'nothing', { migrationsDir: path.join(dataDir, 'migrations') })).rejects.toThrow(
      /needs PostgreSQL 17 or older/,
    );
  });

  it('answers a pool of ten connections, and refuses to rewrite the log', async () => {
    const pool = new pg.Pool({ connectionString: embedded!.url, max: 10 });
    try {
      await pool.query(
        `INSERT INTO "LogEntry" (chain, "createdAt", kind, payload, "prevHash", hash, signature) VALUES (0, now(), 'TX', '{}', '0', 'h', 's')`,
      );
      const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => pool.query<{ n: number }>('SELECT $1::int AS n', [i])));
      expect(answers.map((a) => a.rows[0]?.n)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      const { rows } = await pool.query<{ count: number }>(`SELECT count(*)::int AS count FROM "LogEntry"`);
      expect(rows[0]?.count).toBe(1);
      await expect(pool.query(`UPDATE "LogEntry" SET kind = 'FORGED'`)).rejects.toThrow('LogEntry is append-only: UPDATE refused');
    } finally {
      await pool.end();
    }
  });

  it('keeps the data across a restart on the same directory', async () => {
    await embedded!.stop();
    embedded = await startEmbeddedPostgres({ dataDir, port: 0 });
    const client = new pg.Client({ connectionString: embedded.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ count: number }>(`SELECT count(*)::int AS count FROM "LogEntry"`);
      expect(rows[0]?.count).toBe(1);
    } finally {
      await client.end();
    }
    expect((await deployMigrations(embedded.url)).applied).toEqual([]);
  });
});
