import type pg from 'pg';
import { scheduledComplianceRun } from '../ledger/compliance/schedule';
import { expireDueReservations } from '../ledger/reservations/expiry-scheduler';
import type { LedgerContext } from '../ledger/types';
import { migrateJobs } from './queue';
import { startJobWorker, type JobHandler, type JobWorker, type ScheduledJob } from './worker';

/**
 * The registry's jobs, by task name. Each is safe to run again (a retry, or a run that overlapped one
 * in another process, changes nothing twice): the ledger de-duplicates by idempotency key, and the
 * compliance lock serializes runs.
 */
export function registryTasks(ledger: LedgerContext, compliancePool: pg.Pool, log: (line: string) => void): Record<string, JobHandler> {
  return {
    /** Sends back the units of transfers whose four-eyes reservation expired unanswered (A6R-47). */
    'reservation-expiry': async () => {
      await expireDueReservations(ledger, log);
    },
    /** Every compliance check on the whole registry (A6R-19), on a connection of its own. */
    'compliance-run': async () => {
      await scheduledComplianceRun({ ...ledger, pool: compliancePool }, log);
    },
  };
}

export interface RegistrySchedules {
  /** Crontab pattern for `reservation-expiry`, or null: not scheduled. */
  readonly reservationExpiry: string | null;
  /** Crontab pattern for `compliance-run`, or null: not scheduled. */
  readonly compliance: string | null;
}

/** The scheduled jobs: each in a queue of its own, so that two runs of one never overlap. */
export function registrySchedule(schedules: RegistrySchedules): ScheduledJob[] {
  const jobs: ScheduledJob[] = [];
  if (schedules.reservationExpiry !== null) jobs.push({ task: 'reservation-expiry', schedule: schedules.reservationExpiry, queue: 'reservation-expiry', maxAttempts: 3 });
  if (schedules.compliance !== null) jobs.push({ task: 'compliance-run', schedule: schedules.compliance, queue: 'compliance-run', maxAttempts: 3 });
  return jobs;
}

export interface RegistryJobsOptions {
  readonly ledger: LedgerContext;
  /** The database; the worker keeps connections of its own (the job library's polling and LISTEN), apart from the ledger's. */
  readonly databaseUrl: string;
  readonly compliancePool: pg.Pool;
  readonly schedules: RegistrySchedules;
  readonly log?: (line: string) => void;
  readonly pollIntervalMs?: number;
}

/** Installs the job queue if needed and starts this process's worker with the registry's tasks and schedule. */
export async function startRegistryJobs(options: RegistryJobsOptions): Promise<JobWorker> {
  const log = options.log ?? ((line: string) => console.log(line));
  await migrateJobs(options.databaseUrl);
  return startJobWorker({
    databaseUrl: options.databaseUrl,
    tasks: registryTasks(options.ledger, options.compliancePool, log),
    scheduled: registrySchedule(options.schedules),
    pollIntervalMs: options.pollIntervalMs,
  });
}
