// Starts the demo's embedded database in a temporary directory on a free port, so that it never
// touches .data/pglite or a demo running on the default port.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMigration, deployMigrations, migrationStatus } from './schema-engine';
import { checkInvariants } from '../ledger/invariants';
import { createLedgerContext } from '../ledger/context';
import { seriesIdOf } from '../ledger/operations/issue-units';
import { ed25519Signer, generateSigningKeyPem } from '../ledger/signer';
import type { Actor, Proposal, SeriesAttributes } from '../ledger/types';
import { verifyLedger } from '../ledger/verify';
import { execute } from '../ledger/write-path';
import { createDb } from './client';
import { compareWithDatabase } from './functions';
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
    // And runs exactly the write path's functions of prisma/functions/, as PostgreSQL does.
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      expect(await compareWithDatabase(client)).toEqual({ changed: [], missing: [], withoutFile: [] });
    } finally {
      await client.end();
    }
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

describe('many connections at once on the embedded PostgreSQL', () => {
  it('keeps each connection\'s prepared statements its own: the same name on ten connections, and again after they have gone', async () => {
    for (let round = 0; round < 2; round++) {
      const pool = new pg.Pool({ connectionString: embedded!.url, max: 10 });
      try {
        const answers = await Promise.all(
          Array.from({ length: 40 }, (_, i) =>
            // Every connection prepares "same-name" with a text of its own (round 1 sees it again on new connections).
            pool.query<{ n: string }>({ name: `same-name-${i % 2}`, text: i % 2 === 0 ? 'SELECT ($1::int * 2)::text AS n' : 'SELECT ($1::int + $2::int)::text AS n', values: i % 2 === 0 ? [i] : [i, 1] }),
          ),
        );
        expect(answers.map((a) => a.rows[0]?.n)).toEqual(Array.from({ length: 40 }, (_, i) => String(i % 2 === 0 ? i * 2 : i + 1)));
      } finally {
        await pool.end();
      }
    }
  });

  it('never interleaves two connections\' extended-protocol cycles: a cycle waits for the one in progress to reach Sync', async () => {
    const a = await wireClient(embedded!.url);
    const b = await wireClient(embedded!.url);
    try {
      // a parses the unnamed statement with one parameter and stops there, mid-cycle.
      a.send(parse('', 'SELECT $1::text AS v'));
      await a.until('1'); // ParseComplete
      // b runs a whole cycle with a two-parameter unnamed statement meanwhile.
      b.send(Buffer.concat([parse('', 'SELECT $1::text || $2::text AS v'), bind('', ['x', 'y']), executePortal(), sync()]));
      await new Promise((resolve) => setTimeout(resolve, 100));
      // a binds its own statement: on a real server, and here, b's statement never replaced it.
      a.send(Buffer.concat([bind('', ['solo']), executePortal(), sync()]));
      expect(await a.rowsUntilReady()).toEqual(['solo']);
      expect(await b.rowsUntilReady()).toEqual(['xy']);
    } finally {
      a.end();
      b.end();
    }
  });

  it('answers 200 parameterised queries of different shapes from ten connections, each with its own result', async () => {
    const pool = new pg.Pool({ connectionString: embedded!.url, max: 10 });
    try {
      const answers = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          i % 3 === 0
            ? pool.query<{ v: string }>('SELECT $1::text AS v', [`a${i}`])
            : i % 3 === 1
              ? pool.query<{ v: string }>('SELECT $1::text || $2::text AS v', [`b${i}`, '!'])
              : pool.query<{ v: string }>('SELECT $1::text || $2::text || $3::text AS v', ['c', String(i), '?']),
        ),
      );
      expect(answers.map((a) => a.rows[0]?.v)).toEqual(Array.from({ length: 200 }, (_, i) => (i % 3 === 0 ? `a${i}` : i % 3 === 1 ? `b${i}!` : `c${i}?`)));
    } finally {
      await pool.end();
    }
  });

  it('keeps a transaction to its connection: another connection neither sees its writes before COMMIT nor runs inside it', async () => {
    const a = new pg.Client({ connectionString: embedded!.url });
    const b = new pg.Client({ connectionString: embedded!.url });
    await a.connect();
    await b.connect();
    try {
      await a.query('CREATE TABLE IF NOT EXISTS turn_probe (n int)');
      await a.query('BEGIN');
      await a.query('INSERT INTO turn_probe VALUES (1)');
      // b waits for a's turn to end; it must not run inside a's transaction (it would see the row, or be rolled back with it).
      const seenByB = b.query<{ count: number }>('SELECT count(*)::int AS count FROM turn_probe');
      await new Promise((resolve) => setTimeout(resolve, 50));
      await a.query('ROLLBACK');
      expect((await seenByB).rows[0]?.count).toBe(0);
    } finally {
      await a.end();
      await b.end();
    }
  });

  it('rolls back what a connection that vanished left open, and lets the others go on', async () => {
    const a = new pg.Client({ connectionString: embedded!.url });
    a.on('error', () => {});
    await a.connect();
    await a.query('CREATE TABLE IF NOT EXISTS vanish_probe (n int)');
    await a.query('BEGIN');
    await a.query('INSERT INTO vanish_probe VALUES (1)');
    // The socket dies with the transaction open (no Terminate, no ROLLBACK).
    (a as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    const b = new pg.Client({ connectionString: embedded!.url });
    await b.connect();
    try {
      const { rows } = await b.query<{ count: number; open: boolean }>(`SELECT (SELECT count(*)::int FROM vanish_probe) AS count, now() <> statement_timestamp() AS open`);
      expect(rows[0]).toEqual({ count: 0, open: false });
    } finally {
      await b.end();
    }
  });
});

describe('notifications on the embedded PostgreSQL', () => {
  const connect = async () => {
    const client = new pg.Client({ connectionString: embedded!.url });
    await client.connect();
    const received: string[] = [];
    client.on('notification', (n) => received.push(`${n.channel}:${n.payload ?? ''}`));
    return { client, received };
  };
  const settle = () => new Promise((resolve) => setTimeout(resolve, 100));

  it("delivers a committed NOTIFY to each connection that listens on its channel, not to the one that sent it, and one connection's UNLISTEN silences only itself", async () => {
    const [a, b, sender] = await Promise.all([connect(), connect(), connect()]);
    try {
      await a.client.query('LISTEN "jobs:insert"');
      await b.client.query('LISTEN "jobs:insert"; LISTEN other');
      await sender.client.query('BEGIN');
      await sender.client.query(`SELECT pg_notify('jobs:insert', 'first')`);
      await settle();
      // Not before the commit.
      expect([a.received, b.received]).toEqual([[], []]);
      await sender.client.query('COMMIT');
      await settle();
      expect(a.received).toEqual(['jobs:insert:first']);
      expect(b.received).toEqual(['jobs:insert:first']);
      expect(sender.received).toEqual([]);

      await a.client.query('UNLISTEN "jobs:insert"');
      await sender.client.query(`SELECT pg_notify('jobs:insert', 'second')`);
      await sender.client.query(`NOTIFY other, 'third'`);
      await settle();
      expect(a.received).toEqual(['jobs:insert:first']);
      expect(b.received).toEqual(['jobs:insert:first', 'jobs:insert:second', 'other:third']);
    } finally {
      await Promise.all([a.client.end(), b.client.end(), sender.client.end()]);
    }
  });

  it('forgets a listener that went away, and still delivers to the others', async () => {
    const [gone, stays, sender] = await Promise.all([connect(), connect(), connect()]);
    try {
      await gone.client.query('LISTEN departures');
      await stays.client.query('LISTEN departures');
      await gone.client.end();
      await settle();
      await sender.client.query(`NOTIFY departures, 'after'`);
      await settle();
      expect(stays.received).toEqual(['departures:after']);
    } finally {
      await Promise.all([stays.client.end(), sender.client.end()]);
    }
  });
});

describe('the write path on the embedded PostgreSQL', () => {
  let freshDir: string;
  let fresh: EmbeddedPostgres | undefined;
  // One registry key for the whole log of this database, as in a running registry.
  const signer = ed25519Signer(generateSigningKeyPem());

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

  it('carries a burst of concurrent transfers from eight connections, with reads beside them: each recorded once, nothing lost, the log intact', async () => {
    const prisma = createDb(fresh!.url, 4);
    const ctx = createLedgerContext({ db: prisma, databaseUrl: fresh!.url, signer, poolSize: 8 });
    const admin: Actor = { userId: 'admin', impersonatorId: null, grants: [{ role: 'REGISTRY_ADMIN', sectionId: null, accountId: null }] };
    const series: SeriesAttributes = { unitType: 'ITMO', cooperativeApproachId: null, originatingRegistry: 'IR', hostParty: 'GHA', firstTransferringParty: 'GHA', activityId: 'ACT-BURST', vintage: 2024, sectors: [], activityTypes: [], metric: 'tCO2e', pre2021: false };
    const run = (key: string, p: Record<string, unknown>) => execute(ctx, admin, { ...p, idempotencyKey: key } as unknown as Proposal);
    const senders = ['BURST-1', 'BURST-2', 'BURST-3', 'BURST-4'];
    try {
      for (const id of ['BURST-ISS', ...senders, 'BURST-SINK']) {
        await run(`open-${id}`, { kind: 'OPEN_ACCOUNT', account: { id, registry: 'INTERNATIONAL', name: id, type: id === 'BURST-ISS' ? 'ISSUANCE' : 'HOLDING', holderName: 'H', sectionId: null, cooperativeApproachId: null } });
        await run(`activate-${id}`, { kind: 'SET_ACCOUNT_STATUS', accountId: id, status: 'ACTIVE' });
      }
      await run('burst-issue', { kind: 'ISSUANCE', accountId: 'BURST-ISS', series, quantity: 4_000n });
      for (const s of senders) await run(`fund-${s}`, { kind: 'TRANSFER', fromAccountId: 'BURST-ISS', toAccountId: s, selection: { mode: 'implicit', quantity: 1_000n, constraints: {} } });

      // 48 transfers at once (12 per sender, some between senders), each sent twice with the same key, and reads in between.
      const proposals = senders.flatMap((s, k) =>
        Array.from({ length: 12 }, (_, i) => ({ key: `burst-${s}-${i}`, from: s, to: i % 4 === 0 ? senders[(k + 1) % senders.length]! : 'BURST-SINK', quantity: BigInt(i + 1) })),
      );
      const outcomes = await Promise.all([
        ...proposals.flatMap((t) => [0, 1].map(() => run(t.key, { kind: 'TRANSFER', fromAccountId: t.from, toAccountId: t.to, selection: { mode: 'implicit', quantity: t.quantity, constraints: {} } }))),
        ...Array.from({ length: 16 }, () => prisma.account.count().then(() => null)),
      ]);
      const answered = outcomes.filter((o) => o !== null);
      expect(answered.map((o) => o.status).filter((s) => s !== 'RECORDED')).toEqual([]);
      // A retry with the same key answers with the same transaction: 48 transactions, not 96.
      expect(new Set(answered.map((o) => (o.status === 'RECORDED' ? o.transactionId : ''))).size).toBe(proposals.length);

      const sunk = proposals.filter((t) => t.to === 'BURST-SINK').reduce((sum, t) => sum + t.quantity, 0n);
      const { rows } = await ctx.pool.query<{ units: string }>(`SELECT sum("lastSerial" - "firstSerial" + 1)::text AS units FROM "UnitBlock" WHERE "closedByTxId" IS NULL AND "accountId" = 'BURST-SINK'`);
      expect(BigInt(rows[0]?.units ?? '0')).toBe(sunk);
      expect(await checkInvariants(ctx.pool)).toEqual([]);
      expect((await verifyLedger(ctx.pool, signer.publicKeyPem)).ok).toBe(true);
    } finally {
      await ctx.close();
      await prisma.$disconnect();
    }
  });
});

// A minimal PostgreSQL wire-protocol client, to put messages on the wire exactly when a test says.
function message(type: string, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.write(type, 0, 'latin1');
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}
const cstr = (s: string) => Buffer.from(`${s}\0`, 'utf8');
const int16 = (n: number) => Buffer.from([(n >> 8) & 0xff, n & 0xff]);
const int32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
const parse = (name: string, text: string) => message('P', Buffer.concat([cstr(name), cstr(text), int16(0)]));
const bind = (statement: string, values: string[]) =>
  message('B', Buffer.concat([cstr(''), cstr(statement), int16(0), int16(values.length), ...values.flatMap((v) => [int32(Buffer.byteLength(v)), Buffer.from(v)]), int16(0)]));
const executePortal = () => message('E', Buffer.concat([cstr(''), int32(0)]));
const sync = () => message('S', Buffer.alloc(0));

async function wireClient(url: string) {
  const { port } = new URL(url);
  const socket = net.connect(Number(port), '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let buffer = Buffer.alloc(0);
  const received: { type: string; body: Buffer }[] = [];
  let wake: (() => void) | undefined;
  socket.on('data', (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    while (buffer.length >= 5 && buffer.length >= 1 + buffer.readInt32BE(1)) {
      const length = buffer.readInt32BE(1);
      received.push({ type: String.fromCharCode(buffer[0]!), body: buffer.subarray(5, 1 + length) });
      buffer = buffer.subarray(1 + length);
    }
    wake?.();
  });
  const next = async (): Promise<{ type: string; body: Buffer }> => {
    while (received.length === 0) await new Promise<void>((resolve) => (wake = resolve));
    return received.shift()!;
  };
  const until = async (type: string) => {
    for (;;) {
      const m = await next();
      if (m.type === 'E') throw new Error(`server error: ${m.body.toString('utf8').replace(/\0/g, ' ')}`);
      if (m.type === type) return m;
    }
  };
  const rowsUntilReady = async () => {
    const rows: string[] = [];
    for (;;) {
      const m = await next();
      if (m.type === 'E') throw new Error(`server error: ${m.body.toString('utf8').replace(/\0/g, ' ')}`);
      if (m.type === 'D') rows.push(m.body.toString('utf8', 2 + 4, 2 + 4 + m.body.readInt32BE(2)));
      if (m.type === 'Z') return rows;
    }
  };
  const params = Buffer.concat([cstr('user'), cstr('postgres'), cstr('database'), cstr('postgres'), Buffer.from([0])]);
  const startup = Buffer.concat([int32(8 + params.length), int32(196608), params]);
  socket.write(startup);
  await until('Z');
  return { send: (b: Buffer) => socket.write(b), until, rowsUntilReady, end: () => socket.end(message('X', Buffer.alloc(0))) };
}
