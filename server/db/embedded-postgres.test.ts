// Starts the demo's embedded database in a temporary directory on a free port, so that it never
// touches .data/pglite or a demo running on the default port.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMigration, deployMigrations, migrationStatus } from '../../scripts/db/schema-engine';
import { checkInvariants } from '../ledger/invariants';
import { createLedgerContext } from '../ledger/context';
import { seriesIdOf } from '../ledger/operations/issue-units';
import { ed25519Signer, generateSigningKeyPem } from '../ledger/signer';
import type { Actor, Proposal, SeriesAttributes } from '../ledger/types';
import { verifyLedger } from '../ledger/verify';
import { execute } from '../ledger/write-path';
import { createDb } from './client';
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

describe('the write path on the embedded PostgreSQL', () => {
  let freshDir: string;
  let fresh: EmbeddedPostgres | undefined;

  beforeAll(async () => {
    freshDir = await mkdtemp(path.join(os.tmpdir(), 'registry-pglite-ledger-'));
    fresh = await startEmbeddedPostgres({ dataDir: freshDir, port: 0 });
    await deployMigrations(fresh.url);
  });

  afterAll(async () => {
    await fresh?.stop();
    await rm(freshDir, { recursive: true, force: true });
  });

  it('runs the write path: transfers recorded by its prepared statements, a refusal logged, the invariants and the log intact', async () => {
    const signer = ed25519Signer(generateSigningKeyPem());
    const prisma = createDb(fresh!.url, 2);
    const ctx = createLedgerContext({ db: prisma, databaseUrl: fresh!.url, signer, poolSize: 4 });
    const admin: Actor = { userId: 'admin', impersonatorId: null, grants: [{ role: 'REGISTRY_ADMIN', sectionId: null, accountId: null }] };
    const series: SeriesAttributes = { unitType: 'ITMO', cooperativeApproachId: null, originatingRegistry: 'IR', hostParty: 'GHA', firstTransferringParty: 'GHA', activityId: 'ACT-EMB', vintage: 2023, sectors: [], activityTypes: [], metric: 'tCO2e', pre2021: false };
    let n = 0;
    const run = (p: Record<string, unknown>) => execute(ctx, admin, { ...p, idempotencyKey: `emb-${n++}` } as unknown as Proposal);
    try {
      for (const [id, type] of [['EMB-ISS', 'ISSUANCE'], ['EMB-A', 'HOLDING'], ['EMB-B', 'HOLDING']] as const) {
        expect((await run({ kind: 'OPEN_ACCOUNT', account: { id, registry: 'INTERNATIONAL', name: id, type, holderName: 'H', sectionId: null, cooperativeApproachId: null } })).status).toBe('RECORDED');
        expect((await run({ kind: 'SET_ACCOUNT_STATUS', accountId: id, status: 'ACTIVE' })).status).toBe('RECORDED');
      }
      expect((await run({ kind: 'ISSUANCE', accountId: 'EMB-ISS', series, quantity: 1_000n })).status).toBe('RECORDED');
      expect((await run({ kind: 'TRANSFER', fromAccountId: 'EMB-ISS', toAccountId: 'EMB-A', selection: { mode: 'implicit', quantity: 600n, constraints: {} } })).status).toBe('RECORDED');
      const explicit = await run({ kind: 'TRANSFER', fromAccountId: 'EMB-A', toAccountId: 'EMB-B', selection: { mode: 'explicit', seriesId: seriesIdOf(series), firstSerial: 101n, lastSerial: 150n } });
      expect(explicit.status).toBe('RECORDED');
      const refused = await run({ kind: 'TRANSFER', fromAccountId: 'EMB-B', toAccountId: 'EMB-A', selection: { mode: 'implicit', quantity: 51n, constraints: {} } });
      expect(refused.status === 'REJECTED' ? refused.refusals.map((r) => r.code) : refused.status).toEqual([5002]);
      const { rows } = await ctx.pool.query<{ account: string; units: string }>(
        `SELECT "accountId" AS account, sum("lastSerial" - "firstSerial" + 1)::text AS units FROM "UnitBlock" WHERE "closedByTxId" IS NULL GROUP BY 1 ORDER BY 1`,
      );
      expect(rows).toEqual([
        { account: 'EMB-A', units: '550' },
        { account: 'EMB-B', units: '50' },
        { account: 'EMB-ISS', units: '400' },
      ]);
      expect(await checkInvariants(ctx.pool)).toEqual([]);
      expect((await verifyLedger(ctx.pool, signer.publicKeyPem)).ok).toBe(true);
    } finally {
      await ctx.close();
      await prisma.$disconnect();
    }
  });
});
