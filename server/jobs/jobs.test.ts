import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../db/embedded-postgres';
import { createTestDatabase, type TestDatabase } from '../testing/test-database';
import { enqueueJob, JOBS_SCHEMA, migrateJobs } from './queue';
import { startJobWorker, type JobHandler, type JobWorker } from './worker';

/**
 * What the registry asks of its job library (docs/architecture.md, "Jobs"), on PostgreSQL and on the
 * embedded database of the demo: a job exists exactly when the transaction that enqueued it commits,
 * runs once however many workers compete for it, is retried when it fails, and wakes a worker at once
 * rather than at its next poll.
 */

interface Target {
  readonly url: string;
  stop(): Promise<void>;
}

async function postgres(): Promise<Target> {
  const test: TestDatabase = await createTestDatabase('jobs');
  return { url: test.url, stop: () => test.drop() };
}

async function embedded(): Promise<Target> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'registry-jobs-'));
  const server: EmbeddedPostgres = await startEmbeddedPostgres({ dataDir, port: 0 });
  return {
    url: server.url,
    stop: async () => {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

const until = async (done: () => boolean, ms: number) => {
  const deadline = Date.now() + ms;
  while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
};

describe.each([
  ['PostgreSQL', postgres],
  ['the embedded database', embedded],
])('the job queue on %s', (_name, make) => {
  let target: Target;
  let pool: pg.Pool;
  const workers: JobWorker[] = [];
  /** What each task saw: payload `n` per run. */
  const runs: { task: string; n: number; attempt: number; at: number }[] = [];
  const record =
    (task: string, fail?: (n: number, attempt: number) => boolean): JobHandler =>
    async (payload, job) => {
      const n = (payload as { n: number }).n;
      runs.push({ task, n, attempt: job.attempts, at: Date.now() });
      if (fail?.(n, job.attempts)) throw new Error(`task ${task} failed on purpose (attempt ${job.attempts})`);
    };
  const tasks = { counted: record('counted'), flaky: record('flaky', (_n, attempt) => attempt === 1), woken: record('woken') };

  const withClient = async <T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    try {
      return await work(client);
    } finally {
      client.release();
    }
  };

  beforeAll(async () => {
    target = await make();
    pool = new pg.Pool({ connectionString: target.url, max: 4 });
    await migrateJobs(target.url);
    // Two server processes' workers, polling rarely: a job that runs soon was woken by its commit.
    for (let i = 0; i < 2; i++) workers.push(await startJobWorker({ databaseUrl: target.url, tasks, concurrency: 2, pollIntervalMs: 60_000 }));
  }, 60_000);

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await pool?.end();
    await target?.stop();
  });

  it('runs a job only when the transaction that enqueued it commits', async () => {
    await withClient(async (client) => {
      await client.query('BEGIN');
      await enqueueJob(client, 'counted', { n: 1 });
      await client.query('ROLLBACK');
      await client.query('BEGIN');
      await enqueueJob(client, 'counted', { n: 2 });
      // Not before the commit either.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(runs.filter((r) => r.task === 'counted')).toEqual([]);
      await client.query('COMMIT');
    });
    await until(() => runs.some((r) => r.task === 'counted'), 10_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(runs.filter((r) => r.task === 'counted').map((r) => r.n)).toEqual([2]);
  });

  it('runs each of 40 jobs exactly once while two workers compete for them', async () => {
    await withClient(async (client) => {
      await client.query('BEGIN');
      for (let n = 100; n < 140; n++) await enqueueJob(client, 'counted', { n });
      await client.query('COMMIT');
    });
    const mine = () => runs.filter((r) => r.task === 'counted' && r.n >= 100);
    await until(() => mine().length >= 40, 20_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(mine().map((r) => r.n).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => 100 + i));
    const { rows } = await pool.query<{ waiting: number }>(`SELECT count(*)::int AS waiting FROM ${JOBS_SCHEMA}.jobs WHERE task_identifier = 'counted'`);
    expect(rows[0]?.waiting).toBe(0);
  });

  it('wakes a worker when a job is committed, long before its next poll', async () => {
    const sent = Date.now();
    await withClient((client) => enqueueJob(client, 'woken', { n: 7 }));
    await until(() => runs.some((r) => r.task === 'woken'), 10_000);
    const run = runs.find((r) => r.task === 'woken');
    expect(run).toBeDefined();
    // The workers poll every 60 s: only the commit's notification starts it this soon.
    expect((run?.at ?? Infinity) - sent).toBeLessThan(5_000);
  });

  it('retries a failed job later, and stops once it succeeds', async () => {
    await withClient((client) => enqueueJob(client, 'flaky', { n: 9 }, { maxAttempts: 3 }));
    await until(() => runs.some((r) => r.task === 'flaky'), 10_000);
    // The library waits about e^attempts seconds before a retry, and a worker's poll finds it when due:
    // one that polls often, in place of the two that poll every minute.
    for (const w of workers.splice(0)) await w.stop();
    workers.push(await startJobWorker({ databaseUrl: target.url, tasks, concurrency: 1, pollIntervalMs: 200 }));
    await until(() => runs.filter((r) => r.task === 'flaky').length >= 2, 15_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(runs.filter((r) => r.task === 'flaky').map((r) => r.attempt)).toEqual([1, 2]);
    const { rows } = await pool.query<{ waiting: number }>(`SELECT count(*)::int AS waiting FROM ${JOBS_SCHEMA}.jobs WHERE task_identifier = 'flaky'`);
    expect(rows[0]?.waiting).toBe(0);
  }, 30_000);

  it('refuses a job spec out of bounds, naming what is wrong, and enqueues nothing', async () => {
    await withClient(async (client) => {
      await expect(enqueueJob(client, '', { n: 1 })).rejects.toThrow(/task name must be 1 to 128 characters/);
      await expect(enqueueJob(client, 'counted', { n: 1 }, { maxAttempts: 0 })).rejects.toThrow(/attempts must be a whole number from 1 to 100/);
      await expect(enqueueJob(client, 'counted', { text: 'x'.repeat(70_000) })).rejects.toThrow(/payload is 700\d\d characters, more than 65536/);
    });
    const { rows } = await pool.query<{ waiting: number }>(`SELECT count(*)::int AS waiting FROM ${JOBS_SCHEMA}.jobs`);
    expect(rows[0]?.waiting).toBe(0);
  });
});

describe('the scheduled jobs', () => {
  let target: Target;
  beforeAll(async () => {
    target = await postgres();
  });
  afterAll(async () => {
    await target?.stop();
  });

  it('are registered once however many workers start with them, and a bad pattern is refused by name', async () => {
    const scheduled = [{ task: 'counted', schedule: '* * * * *', queue: 'counted', maxAttempts: 3 }];
    const started = await Promise.all([0, 1, 2].map(() => startJobWorker({ databaseUrl: target.url, tasks: { counted: async () => undefined }, scheduled, pollIntervalMs: 60_000 })));
    const pool = new pg.Pool({ connectionString: target.url, max: 1 });
    try {
      const { rows } = await pool.query<{ identifier: string }>(`SELECT identifier FROM ${JOBS_SCHEMA}._private_known_crontabs`);
      expect(rows.map((r) => r.identifier)).toEqual(['counted']);
    } finally {
      await Promise.all(started.map((w) => w.stop()));
      await pool.end();
    }
    const { scheduleProblem } = await import('./worker');
    expect(scheduleProblem('COMPLIANCE_SCHEDULE', '* * * * *')).toBeNull();
    expect(scheduleProblem('COMPLIANCE_SCHEDULE', 'every hour')).toMatch(/^COMPLIANCE_SCHEDULE must be a crontab pattern of five fields/);
  });
});
