import { parseCronItems, run, type CronItem, type Runner, type Task } from 'graphile-worker';
import { JOBS_SCHEMA, quietLogger } from './queue';

/** A task handler: the job's payload in, nothing out; throwing fails the attempt (retried later). */
export type JobHandler = (payload: unknown, job: { readonly id: string; readonly attempts: number; readonly maxAttempts: number }) => Promise<void>;

/** A job enqueued by the schedule: every time `schedule` (a crontab pattern, in UTC) matches. */
export interface ScheduledJob {
  readonly task: string;
  /** Five crontab fields: minute hour day-of-month month day-of-week, e.g. `* * * * *`, `0 * * * *`. */
  readonly schedule: string;
  /** Runs of one queue never overlap. */
  readonly queue: string;
  readonly maxAttempts: number;
}

export interface JobWorkerOptions {
  /** The database of the queue; the worker keeps a small pool of its own (polling, LISTEN, the jobs' bookkeeping). */
  readonly databaseUrl: string;
  readonly tasks: Readonly<Record<string, JobHandler>>;
  readonly scheduled?: readonly ScheduledJob[];
  /** Jobs run at once by this process. */
  readonly concurrency?: number;
  /** Milliseconds between looks for jobs that came due (new jobs wake the worker at once). */
  readonly pollIntervalMs?: number;
}

export interface JobWorker {
  /** Finishes the jobs in progress, then stops. */
  stop(): Promise<void>;
}

/** Checks crontab patterns: a clear message naming what is wrong, or null. */
export function scheduleProblem(name: string, schedule: string): string | null {
  try {
    parseCronItems([{ task: 'check', match: schedule, identifier: name }]);
    return null;
  } catch (error) {
    return `${name} must be a crontab pattern of five fields (minute hour day month weekday), such as "* * * * *" or "0 * * * *", or "off": ${error instanceof Error ? error.message : String(error)}`;
  }
}

/**
 * Starts this process's worker on the job queue. Several processes may run one each: a job runs once,
 * a scheduled job is enqueued once per matching minute whichever processes are up (the library records
 * each schedule's last run), and no signal handler is installed (the server's own shutdown stops it).
 */
export async function startJobWorker(options: JobWorkerOptions): Promise<JobWorker> {
  const taskList: Record<string, Task> = {};
  for (const [name, handler] of Object.entries(options.tasks)) {
    taskList[name] = async (payload, helpers) => handler(payload, { id: helpers.job.id, attempts: helpers.job.attempts, maxAttempts: helpers.job.max_attempts });
  }
  const cron: CronItem[] = (options.scheduled ?? []).map((s) => ({
    task: s.task,
    match: s.schedule,
    identifier: s.task,
    // A missed minute (every process down) is not made up: the next match runs the work anew.
    options: { backfillPeriod: 0, maxAttempts: s.maxAttempts, queueName: s.queue },
  }));
  const runner: Runner = await run({
    connectionString: options.databaseUrl,
    maxPoolSize: 3,
    schema: JOBS_SCHEMA,
    taskList,
    parsedCronItems: parseCronItems(cron),
    concurrency: options.concurrency ?? 2,
    pollInterval: options.pollIntervalMs ?? 2_000,
    noHandleSignals: true,
    logger: quietLogger(),
  });
  return {
    async stop() {
      await runner.stop();
    },
  };
}
