import type { Actor, LedgerContext, Outcome } from '../types';
import { execute } from '../write-path';

/**
 * Sends back the units of every transfer whose reservation has expired without an answer (A6R-47),
 * one RELEASE_RESERVATION (EXPIRE) each, through the write path. Safe to run at any time and from
 * several places at once: each expiry's idempotency key is derived from the reservation, so it is
 * recorded once, and an answer that comes first is respected (2024). Meant for a scheduler.
 */
export async function expireReservations(ctx: LedgerContext, actor: Actor, now: Date = ctx.now()): Promise<{ transactionId: string; outcome: Outcome }[]> {
  const expired = await ctx.pool.query<{ transactionId: string }>(
    `SELECT r."transactionId" FROM "AdministrativeRecord" r
     WHERE r.kind = 'RESERVATION' AND r."validUntil" <= $1::timestamp
       AND NOT EXISTS (SELECT 1 FROM "AdministrativeRecord" a WHERE a.kind = 'RESERVATION_RELEASE' AND a."scopeId" = r."transactionId")
     ORDER BY r."validUntil", r.id`,
    [now.toISOString()],
  );
  const done: { transactionId: string; outcome: Outcome }[] = [];
  for (const { transactionId } of expired.rows) {
    const outcome = await execute(ctx, actor, { kind: 'RELEASE_RESERVATION', idempotencyKey: `expire-${transactionId}`, reservationTransactionId: transactionId, decision: 'EXPIRE', reason: 'expired without an answer' });
    done.push({ transactionId, outcome });
  }
  return done;
}
