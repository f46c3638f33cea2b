import type { Actor, LedgerContext } from '../types';
import { periodic, type Periodic } from '../periodic';
import { expireReservations } from './expire-reservations';

/**
 * The registry itself, expiring reservations: the log names it as the initiator of each expiry. It
 * holds a registry administrator's grant because EXPIRE is open to registry administrators (A6R-47).
 */
export const SCHEDULER_ACTOR: Actor = { userId: 'registry-scheduler', impersonatorId: null, grants: [{ role: 'REGISTRY_ADMIN', sectionId: null, accountId: null }] };

export interface ExpiryTick {
  /** Reservations this tick sent back (its own RELEASE_RESERVATION transactions, not replays). */
  readonly expired: readonly string[];
  /** Reservations another run, here or in another process, answered first. */
  readonly alreadyAnswered: readonly string[];
  /** False when the tick was skipped because the previous one was still running. */
  readonly ran: boolean;
}

/** `tick` runs once now; `stop` ends the timer and waits for a run in progress (periodic.ts). */
export type ExpiryScheduler = Periodic<ExpiryTick>;

export interface ExpirySchedulerOptions {
  /** Milliseconds between ticks; 0 creates no timer (ticks only when called). */
  readonly intervalMs: number;
  readonly log?: (line: string) => void;
}

/**
 * Expires due reservations (A6R-47) periodically inside the running registry. Single-flight in this
 * process: a tick that comes while the previous one runs is skipped, never queued. Across processes
 * the ledger makes it safe: each expiry's idempotency key is derived from the reservation and the
 * escrow account is locked, so of two processes expiring the same reservation exactly one records it
 * and the other gets that outcome back as a replay. Every expiry is a ledger transaction, in the log.
 */
export function scheduleReservationExpiry(ctx: LedgerContext, options: ExpirySchedulerOptions): ExpiryScheduler {
  const log = options.log ?? ((line: string) => console.log(line));

  async function once(): Promise<ExpiryTick> {
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
    return { expired, alreadyAnswered, ran: true };
  }

  return periodic('reservation expiry', options.intervalMs, once, { expired: [], alreadyAnswered: [], ran: false }, log);
}
