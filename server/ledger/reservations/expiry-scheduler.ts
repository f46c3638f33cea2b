import type { Actor, LedgerContext } from '../types';
import { expireReservations } from './expire-reservations';

/**
 * The registry itself, expiring reservations: the log names it as the initiator of each expiry. It
 * holds a registry administrator's grant because EXPIRE is open to registry administrators (A6R-47).
 */
export const SCHEDULER_ACTOR: Actor = { userId: 'registry-scheduler', impersonatorId: null, grants: [{ role: 'REGISTRY_ADMIN', sectionId: null, accountId: null }] };

export interface ExpiryRun {
  /** Reservations this run sent back (its own RELEASE_RESERVATION transactions, not replays). */
  readonly expired: readonly string[];
  /** Reservations another run, here or in another process, answered first. */
  readonly alreadyAnswered: readonly string[];
}

/**
 * Expires the reservations due now (A6R-47): one run of the registry's scheduled job
 * `reservation-expiry` (server/jobs/registry-jobs.ts). Safe to run from several processes at once: each
 * expiry's idempotency key is derived from the reservation and the escrow account is locked, so of two
 * runs expiring the same reservation exactly one records it and the other gets that outcome back as a
 * replay. Every expiry is a ledger transaction, in the log.
 */
export async function expireDueReservations(ctx: LedgerContext, log: (line: string) => void): Promise<ExpiryRun> {
  const done = await expireReservations(ctx, SCHEDULER_ACTOR, ctx.now());
  const expired: string[] = [];
  const alreadyAnswered: string[] = [];
  for (const { transactionId, outcome } of done) {
    if (outcome.status === 'RECORDED' && !outcome.replayed) {
      expired.push(transactionId);
      log(`reservation expiry: ${transactionId} expired, units sent back (transaction ${outcome.transactionId})`);
    } else {
      alreadyAnswered.push(transactionId);
    }
  }
  return { expired, alreadyAnswered };
}
