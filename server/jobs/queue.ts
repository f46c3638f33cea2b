import type pg from 'pg';
import { Logger, runMigrations } from 'graphile-worker';

/**
 * The registry's job queue: graphile-worker, on the registry's own PostgreSQL database (docs/architecture.md
 * says why this library). Its tables and functions live in their own schema, installed and upgraded by
 * the library itself (`migrateJobs`), beside the registry's migrations.
 *
 * A job is a row: it is enqueued by `enqueueJob` on any connection, inside any transaction, so that a
 * job is there exactly when the transaction that asked for it committed (an outbox: the ledger's
 * commit and its follow-up are one). Every worker process competes for the rows with `SKIP LOCKED`:
 * a job runs once across processes, and is retried with a growing delay when it fails, up to its
 * number of attempts. A commit that adds a job wakes the workers at once (LISTEN/NOTIFY, on the
 * embedded database too), and they also poll for jobs scheduled in the future.
 */
export const JOBS_SCHEMA = 'graphile_worker';

/** The tasks of the registry, by name: each has its handler in registry-jobs.ts. */
export type TaskName = 'reservation-expiry' | 'compliance-run' | (string & { readonly taskName?: never });

export interface JobSpec {
  /** Jobs of one queue run one at a time, in order; without one they run in parallel. */
  readonly queue?: string;
  /** Not before this moment; absent: now. */
  readonly runAt?: Date;
  /** Attempts before the job is left as failed (the library's default is 25). */
  readonly maxAttempts?: number;
  /**
   * At most one job waiting with this key: enqueuing again replaces the waiting one (or, when it is
   * already running, adds a new one), so a burst of the same request runs once.
   */
  readonly jobKey?: string;
}

/** The bounds a job spec is held to: the library's own (128 characters for names) and ours. */
const MAX_NAME = 128;
const MAX_PAYLOAD_CHARS = 64 * 1024;

/**
 * Enqueues a job on this connection, in whatever transaction it is in: the job exists if and only if
 * that transaction commits. Returns the job's id.
 */
export async function enqueueJob(client: Pick<pg.PoolClient, 'query'>, task: TaskName, payload: Record<string, unknown>, spec: JobSpec = {}): Promise<string> {
  if (task.length === 0 || task.length > MAX_NAME) throw new Error(`job task name must be 1 to ${MAX_NAME} characters, got ${task.length}`);
  if (spec.queue !== undefined && (spec.queue.length === 0 || spec.queue.length > MAX_NAME)) throw new Error(`job queue name must be 1 to ${MAX_NAME} characters`);
  if (spec.jobKey !== undefined && (spec.jobKey.length === 0 || spec.jobKey.length > 512)) throw new Error('job key must be 1 to 512 characters');
  if (spec.maxAttempts !== undefined && (!Number.isInteger(spec.maxAttempts) || spec.maxAttempts < 1 || spec.maxAttempts > 100)) throw new Error('job attempts must be a whole number from 1 to 100');
  const body = JSON.stringify(payload);
  if (body.length > MAX_PAYLOAD_CHARS) throw new Error(`job payload is ${body.length} characters, more than ${MAX_PAYLOAD_CHARS}`);
  const { rows } = await client.query<{ id: string }>(
    `SELECT (${JOBS_SCHEMA}.add_job($1::text, $2::json, queue_name => $3::text, run_at => $4::timestamptz, max_attempts => $5::int, job_key => $6::text)).id::text AS id`,
    [task, body, spec.queue ?? null, spec.runAt ?? null, spec.maxAttempts ?? null, spec.jobKey ?? null],
  );
  const id = rows[0]?.id;
  if (id === undefined) throw new Error('the job queue returned no job');
  return id;
}

/** Installs or upgrades the job queue's schema (idempotent, safe from several processes at once). */
export async function migrateJobs(databaseUrl: string): Promise<void> {
  await runMigrations({ connectionString: databaseUrl, maxPoolSize: 1, schema: JOBS_SCHEMA, logger: quietLogger() });
}

/** The library's log, kept to warnings and errors, on the registry's console. */
export function quietLogger(): Logger {
  return new Logger(() => (level, message) => {
    if (level === 'error' || level === 'warning') console.error(`jobs: ${message}`);
  });
}
