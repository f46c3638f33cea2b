import { env } from '../env';
import { ledgerContext } from '../ledger-context';
import { createLedgerPool } from '../ledger/sql';
import { startRegistryJobs } from './registry-jobs';
import type { JobWorker } from './worker';

const globalForJobs = globalThis as unknown as { registryJobs?: Promise<JobWorker> };

/**
 * The registry's job worker inside the running server, started once per process from
 * instrumentation.ts (docs/architecture.md, "Jobs"):
 * - `reservation-expiry` on RESERVATION_EXPIRY_SCHEDULE (default every minute): the expiry of due
 *   reservations (A6R-47);
 * - `compliance-run` on COMPLIANCE_SCHEDULE (default every hour): every compliance check on the whole
 *   registry (A6R-19);
 * and whatever jobs the registry enqueues. Every server process runs a worker; each job runs once
 * across them, and each scheduled minute is enqueued once.
 */
export function startJobs(): Promise<JobWorker> {
  if (globalForJobs.registryJobs === undefined) {
    const e = env();
    const ledger = ledgerContext();
    globalForJobs.registryJobs = startRegistryJobs({
      ledger,
      databaseUrl: e.DATABASE_URL,
      compliancePool: createLedgerPool(e.DATABASE_URL, 1),
      schedules: { reservationExpiry: e.RESERVATION_EXPIRY_SCHEDULE, compliance: e.COMPLIANCE_SCHEDULE },
    });
    globalForJobs.registryJobs.then(
      () => {
        console.log(`jobs: reservation expiry ${e.RESERVATION_EXPIRY_SCHEDULE === null ? 'off (RESERVATION_EXPIRY_SCHEDULE=off)' : `on "${e.RESERVATION_EXPIRY_SCHEDULE}"`}`);
        console.log(`jobs: compliance runs on the whole registry ${e.COMPLIANCE_SCHEDULE === null ? 'off (COMPLIANCE_SCHEDULE=off)' : `on "${e.COMPLIANCE_SCHEDULE}"`}`);
      },
      (error: unknown) => console.error(`jobs: the worker did not start: ${error instanceof Error ? error.message : String(error)}`),
    );
  }
  return globalForJobs.registryJobs;
}
