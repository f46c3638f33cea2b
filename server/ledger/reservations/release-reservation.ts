import { isRegistryAdmin } from '../authority';
import { refusal, type Refusal } from '../check-codes';
import { lockAccounts } from '../operations/lock-accounts';
import { NO_CHANGES, operationsOf, type Changes, type ClosingBlock, type Plan } from '../plan';
import { builtInRulesAt } from '../rules/built-in';
import { receiversToLock } from '../rules/engine';
import { prepared, type Sql } from '../sql';
import type { Actor, LedgerContext, NewAdministrativeRecord, ReleaseReservationProposal } from '../types';

const MAX_REASON_LENGTH = 500;

interface Reservation {
  readonly fromAccountId: string;
  readonly toAccountId: string;
  readonly escrowAccountId: string;
  readonly initiatorId: string;
  readonly impersonatorId: string | null;
  readonly expiresAt: Date;
}

/** The reservation a waiting transfer made, from its record (never changed once made), or null. */
export async function reservationOf(sql: Sql, transactionId: string): Promise<Reservation | null> {
  const found = await prepared<{ body: string; validUntil: Date }>(sql, `SELECT body, "validUntil" FROM "AdministrativeRecord" WHERE "transactionId" = $1 AND kind = 'RESERVATION'`, [transactionId]);
  const row = found.rows[0];
  if (!row) return null;
  const body = JSON.parse(row.body) as Omit<Reservation, 'expiresAt'>;
  return { ...body, expiresAt: row.validUntil };
}

/**
 * Ends a transfer that waits (A6R-47). The escrow account is locked exclusively, so that of two
 * answers racing for one reservation exactly one is recorded and the other finds it answered (2024).
 *
 * APPROVE: a second authorized person (never the initiator, nor the one who impersonated him), before
 * it expires. The delivery is judged again, at the approval's time, as the transfer it completes: by the
 * built-in rules then in force (both accounts active, of types that send and receive: 2002, 2003,
 * 3002, 3003), and by the pluggable rules then in force between the two accounts (write-path → rules
 * engine, `delivery`): those that refuse (transfer-limit, use-authorized-units, retirement-vintage)
 * refuse the approval, which leaves the transfer waiting; those that add supplementary operations
 * (transfer-fee) take them from the delivered units now; a rule that holds transfers (four-eyes) does
 * not hold it again. The first-transfer markers the delivery constitutes are created with it.
 * REJECT: anyone who may initiate on the transferring account; EXPIRE: once expired, such a person or a
 * registry administrator. Every unit the held transfer took goes back to the transferring account:
 * nothing was charged while it waited.
 */
export async function releaseReservation(sql: Sql, ctx: LedgerContext, actor: Actor, p: ReleaseReservationProposal): Promise<Plan> {
  const reservation = await reservationOf(sql, p.reservationTransactionId);
  const destination = reservation ? (p.decision === 'APPROVE' ? reservation.toAccountId : reservation.fromAccountId) : null;
  // A delivery may pay supplementary units (a fee): their accounts are locked first, as for a transfer.
  const receivers = reservation && p.decision === 'APPROVE' ? receiversToLock(ctx.pool, [reservation.fromAccountId, reservation.toAccountId]) : [];
  const { accounts, chain } = await lockAccounts(sql, reservation ? [reservation.escrowAccountId] : [], reservation ? [...new Set([reservation.fromAccountId, reservation.toAccountId, ...receivers])] : []);
  const createdAt = ctx.now();
  const rules = builtInRulesAt(ctx, createdAt);
  if (!reservation || destination === null) return { createdAt, refusals: [refusal('RESERVATION_NOT_PENDING', { transactionId: p.reservationTransactionId, reason: 'no such reservation' })] };
  const answered = await prepared(sql, `SELECT 1 FROM "AdministrativeRecord" WHERE kind = 'RESERVATION_RELEASE' AND "scopeId" = $1`, [p.reservationTransactionId]);
  const refusals: Refusal[] = [];
  if ((answered.rowCount ?? 0) > 0) refusals.push(refusal('RESERVATION_NOT_PENDING', { transactionId: p.reservationTransactionId, reason: 'already answered' }));
  const origin = accounts.get(reservation.fromAccountId);
  const mayAnswer = origin !== undefined && rules.initiation.mayInitiateOn(actor, origin);
  const expired = createdAt >= reservation.expiresAt;
  if (p.decision === 'APPROVE') {
    if (actor.userId === reservation.initiatorId || actor.impersonatorId === reservation.initiatorId || (reservation.impersonatorId !== null && (actor.userId === reservation.impersonatorId || actor.impersonatorId === reservation.impersonatorId))) {
      refusals.push(refusal('APPROVER_IS_INITIATOR', { transactionId: p.reservationTransactionId, userId: actor.userId }));
    } else if (!mayAnswer) refusals.push(refusal('INITIATOR_NOT_ALLOWED_ON_TRANSFERRING_ACCOUNT', { accountId: reservation.fromAccountId, userId: actor.userId }));
    if (expired) refusals.push(refusal('RESERVATION_NOT_PENDING', { transactionId: p.reservationTransactionId, reason: 'expired', expiresAt: reservation.expiresAt.toISOString() }));
  } else if (p.decision === 'REJECT') {
    if (!mayAnswer) refusals.push(refusal('INITIATOR_NOT_ALLOWED_ON_TRANSFERRING_ACCOUNT', { accountId: reservation.fromAccountId, userId: actor.userId }));
  } else {
    if (!mayAnswer && !isRegistryAdmin(actor)) refusals.push(refusal('INITIATOR_NOT_ALLOWED_ON_TRANSFERRING_ACCOUNT', { accountId: reservation.fromAccountId, userId: actor.userId }));
    if (!expired) refusals.push(refusal('RESERVATION_NOT_EXPIRED', { transactionId: p.reservationTransactionId, expiresAt: reservation.expiresAt.toISOString() }));
  }
  if (p.reason.length > MAX_REASON_LENGTH) refusals.push(refusal('RELEASE_REASON_TOO_LONG', { field: 'reason', length: p.reason.length, problem: `at most ${MAX_REASON_LENGTH} characters` }));
  const target = accounts.get(destination);
  if (!target) refusals.push(refusal('ACQUIRING_ACCOUNT_NOT_FOUND', { accountId: destination }));
  else if (p.decision === 'APPROVE') {
    // The delivery is the transfer happening now: judged by the built-in rules in force now.
    if (origin && !rules.accountStatus.statusAllows(origin.status, actor)) refusals.push(refusal('TRANSFERRING_ACCOUNT_NOT_OPERATIONAL', { accountId: origin.id, status: origin.status }));
    if (origin && !rules.accountType.canTransferFrom(origin.type)) refusals.push(refusal('TRANSFERRING_ACCOUNT_TYPE_CANNOT_TRANSFER', { accountId: origin.id, type: origin.type }));
    if (!rules.accountStatus.statusAllows(target.status, actor)) refusals.push(refusal('ACQUIRING_ACCOUNT_NOT_OPERATIONAL', { accountId: destination, status: target.status }));
    if (!rules.accountType.canAcquire(target.type)) refusals.push(refusal('ACQUIRING_ACCOUNT_TYPE_CANNOT_ACQUIRE', { accountId: destination, type: target.type }));
  }
  if (refusals.length > 0) return { createdAt, refusals };

  const blocks = await prepared<ClosingBlock & { closed: boolean }>(
    sql,
    `SELECT id, "seriesId", "firstSerial", "lastSerial", "accountId", "closedByTxId" IS NOT NULL AS closed FROM "UnitBlock"
     WHERE "createdByTxId" = $1 AND "accountId" = $2 ORDER BY "seriesId", "firstSerial"`,
    [p.reservationTransactionId, reservation.escrowAccountId],
  );
  // Escrowed units leave only by an answer (checked above) or a registry administrator's corrective transfer.
  const moved = blocks.rows.filter((b) => b.closed);
  if (moved.length > 0 || blocks.rows.length === 0) return { createdAt, refusals: [refusal('CORRECTED_UNITS_MOVED', { accountId: reservation.escrowAccountId, transactionId: p.reservationTransactionId })] };
  const close = blocks.rows.map(({ closed: _closed, ...b }) => b);
  const record: NewAdministrativeRecord = { kind: 'RESERVATION_RELEASE', subject: p.decision, scopeType: 'TRANSACTION', scopeId: p.reservationTransactionId, body: { reason: p.reason.trim(), destination }, validFrom: null, validUntil: null };
  const changes: Changes = {
    ...NO_CHANGES,
    close,
    create: close.map((b) => ({ seriesId: b.seriesId, firstSerial: b.firstSerial, lastSerial: b.lastSerial, accountId: destination })),
    records: [record],
  };
  const quantity = close.reduce((sum, b) => sum + (b.lastSerial - b.firstSerial + 1n), 0n);
  // Postcondition: every unit in escrow for this reservation leaves it, to one destination.
  if (changes.create.some((b) => b.accountId !== destination) || quantity <= 0n) throw new Error(`release of ${p.reservationTransactionId}: units left behind or sent elsewhere`);
  const delivery = p.decision === 'APPROVE' ? { delivery: { fromAccountId: reservation.fromAccountId, toAccountId: reservation.toAccountId }, receivers, locked: accounts } : {};
  return { createdAt, chain, quantity, changes, operations: operationsOf(changes), ...delivery };
}
