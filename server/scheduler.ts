import { env } from './env';
import { ledgerContext } from './ledger-context';
import { scheduleReservationExpiry, type ExpiryScheduler } from './ledger/reservations/expiry-scheduler';

const globalForScheduler = globalThis as unknown as { registryScheduler?: ExpiryScheduler | null };

/**
 * The registry's periodic work inside the running server, started once per process from
 * instrumentation.ts: the expiry of due reservations (A6R-47), every
 * RESERVATION_EXPIRY_INTERVAL_SECONDS (0: not at all; then run `npm run ledger:expire-reservations`
 * from a scheduler of your own). Several server processes may run it at once: the ledger records each
 * expiry once.
 */
export function startScheduler(): void {
  if (globalForScheduler.registryScheduler !== undefined) return;
  const seconds = env().RESERVATION_EXPIRY_INTERVAL_SECONDS;
  if (seconds === 0) {
    globalForScheduler.registryScheduler = null;
    console.log('reservation expiry: off (RESERVATION_EXPIRY_INTERVAL_SECONDS=0)');
    return;
  }
  globalForScheduler.registryScheduler = scheduleReservationExpiry(ledgerContext(), { intervalMs: seconds * 1000 });
  console.log(`reservation expiry: every ${seconds} s`);
}
