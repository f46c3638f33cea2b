import { env } from './env';
import { ledgerContext } from './ledger-context';
import { scheduleComplianceRuns, type ComplianceSchedule } from './ledger/compliance/schedule';
import { scheduleReservationExpiry, type ExpiryScheduler } from './ledger/reservations/expiry-scheduler';
import { createLedgerPool } from './ledger/sql';

const globalForScheduler = globalThis as unknown as { registryScheduler?: { expiry: ExpiryScheduler | null; compliance: ComplianceSchedule | null } };

/**
 * The registry's periodic work inside the running server, started once per process from
 * instrumentation.ts:
 * - the expiry of due reservations (A6R-47), every RESERVATION_EXPIRY_INTERVAL_SECONDS (0: not at all;
 *   then run `npm run ledger:expire-reservations` from a scheduler of your own);
 * - every compliance check on the whole registry (A6R-19), every COMPLIANCE_INTERVAL_SECONDS (0: not at
 *   all; the checks still run after each transaction and on demand), on a connection of its own.
 * Several server processes may run both at once: the ledger records each expiry once, and compliance
 * runs are serialized and never open a problem twice.
 */
export function startScheduler(): void {
  if (globalForScheduler.registryScheduler !== undefined) return;
  const e = env();
  const expirySeconds = e.RESERVATION_EXPIRY_INTERVAL_SECONDS;
  const complianceSeconds = e.COMPLIANCE_INTERVAL_SECONDS;
  const ledger = ledgerContext();
  globalForScheduler.registryScheduler = {
    expiry: expirySeconds === 0 ? null : scheduleReservationExpiry(ledger, { intervalMs: expirySeconds * 1000 }),
    compliance: complianceSeconds === 0 ? null : scheduleComplianceRuns({ ...ledger, pool: createLedgerPool(e.DATABASE_URL, 1) }, { intervalMs: complianceSeconds * 1000 }),
  };
  console.log(expirySeconds === 0 ? 'reservation expiry: off (RESERVATION_EXPIRY_INTERVAL_SECONDS=0)' : `reservation expiry: every ${expirySeconds} s`);
  console.log(complianceSeconds === 0 ? 'compliance runs: off (COMPLIANCE_INTERVAL_SECONDS=0)' : `compliance runs on the whole registry: every ${complianceSeconds} s`);
}
