import { Prisma } from '../../db/generated/client';
import { canAcquire, canTransferFrom, mayInitiateOn, statusAllows } from '../account-rules';
import { refusal, type Refusal } from '../check-codes';
import { blockSize, remainders, selectExplicit, selectImplicit, type HeldBlock, type Take } from '../splitting';
import type { OperationResult } from '../write-path';
import type { Actor, TransferProposal, UnitConstraints } from '../types';
import { lockAccounts } from './lock-accounts';

/**
 * Internal transfer (A6R-44, A6R-52): by explicit serial range or by quantity under constraints.
 * Taken blocks are closed and re-created in the acquiring account; remainders are re-created in the
 * transferring account. Units are neither created nor destroyed: asserted before returning.
 */
export async function transferUnits(tx: Prisma.TransactionClient, actor: Actor, proposal: TransferProposal, transactionId: string, createdAt: Date): Promise<OperationResult> {
  const accounts = await lockAccounts(tx, [proposal.fromAccountId], [proposal.toAccountId]);
  const from = accounts.get(proposal.fromAccountId);
  const to = accounts.get(proposal.toAccountId);

  const refusals: Refusal[] = [];
  if (!from) refusals.push(refusal('TRANSFERRING_ACCOUNT_NOT_FOUND', { accountId: proposal.fromAccountId }));
  else {
    if (!statusAllows(from.status, actor)) refusals.push(refusal('TRANSFERRING_ACCOUNT_NOT_OPERATIONAL', { accountId: from.id, status: from.status }));
    if (!canTransferFrom(from.type)) refusals.push(refusal('TRANSFERRING_ACCOUNT_TYPE_CANNOT_TRANSFER', { accountId: from.id, type: from.type }));
    if (!mayInitiateOn(actor, from)) refusals.push(refusal('INITIATOR_NOT_ALLOWED_ON_TRANSFERRING_ACCOUNT', { accountId: from.id, userId: actor.userId }));
  }
  if (!to) refusals.push(refusal('ACQUIRING_ACCOUNT_NOT_FOUND', { accountId: proposal.toAccountId }));
  else {
    if (!statusAllows(to.status, actor)) refusals.push(refusal('ACQUIRING_ACCOUNT_NOT_OPERATIONAL', { accountId: to.id, status: to.status }));
    if (!canAcquire(to.type)) refusals.push(refusal('ACQUIRING_ACCOUNT_TYPE_CANNOT_ACQUIRE', { accountId: to.id, type: to.type }));
    if (proposal.toAccountId === proposal.fromAccountId) refusals.push(refusal('ACQUIRING_ACCOUNT_SAME_AS_TRANSFERRING', { accountId: to.id }));
  }
  if (refusals.length > 0 || !from || !to) return { refusals };

  const selected = await selectUnits(tx, from.id, proposal);
  if ('refusals' in selected) return selected;
  const takes = selected.takes;

  const closing = takes.map((t) => t.block.id);
  const closed = await tx.unitBlock.updateMany({ where: { id: { in: closing }, accountId: from.id, closedByTxId: null }, data: { closedByTxId: transactionId, closedAt: createdAt } });
  // The account lock makes this impossible; if it ever happens, stop before anything commits.
  if (closed.count !== closing.length) throw new Error(`transferUnits: closed ${closed.count} of ${closing.length} blocks; a block changed under the account lock`);

  const created = [
    ...takes.map((t) => ({ seriesId: t.block.seriesId, firstSerial: t.firstSerial, lastSerial: t.lastSerial, accountId: to.id })),
    ...takes.flatMap((t) => remainders(t).map((r) => ({ seriesId: t.block.seriesId, ...r, accountId: from.id }))),
  ];
  await tx.unitBlock.createMany({ data: created.map((c) => ({ ...c, createdByTxId: transactionId, createdAt })) });

  const quantity = takes.reduce((sum, t) => sum + blockSize(t), 0n);
  assertConserved(takes, created);
  return {
    quantity,
    operations: [
      ...takes.map((t) => ({ op: 'close', seriesId: t.block.seriesId, firstSerial: t.block.firstSerial, lastSerial: t.block.lastSerial, accountId: from.id })),
      ...created.map((c) => ({ op: 'create', ...c })),
    ],
  };
}

async function selectUnits(tx: Prisma.TransactionClient, fromAccountId: string, proposal: TransferProposal): Promise<{ takes: readonly Take[] } | { refusals: Refusal[] }> {
  const selection = proposal.selection;
  if (selection.mode === 'explicit') {
    if (selection.firstSerial > selection.lastSerial || selection.firstSerial <= 0n) {
      return { refusals: [refusal('QUANTITY_NOT_POSITIVE', { firstSerial: selection.firstSerial.toString(), lastSerial: selection.lastSerial.toString() })] };
    }
    const candidates = await tx.$queryRaw<HeldBlock[]>`
      SELECT id, "seriesId", "firstSerial", "lastSerial" FROM "UnitBlock"
      WHERE "accountId" = ${fromAccountId} AND "closedByTxId" IS NULL AND "seriesId" = ${selection.seriesId}
        AND "firstSerial" <= ${selection.firstSerial} AND "lastSerial" >= ${selection.lastSerial}`;
    const take = selectExplicit(candidates, selection.seriesId, selection.firstSerial, selection.lastSerial);
    if (!take) return { refusals: [refusal('RANGE_NOT_HELD', { accountId: fromAccountId, seriesId: selection.seriesId, firstSerial: selection.firstSerial.toString(), lastSerial: selection.lastSerial.toString() })] };
    return { takes: [take] };
  }
  if (selection.quantity <= 0n) return { refusals: [refusal('QUANTITY_NOT_POSITIVE', { quantity: selection.quantity.toString() })] };
  const matching = await matchingBlocks(tx, fromAccountId, selection.constraints);
  if (matching.length === 0) return { refusals: [refusal('NO_MATCHING_UNITS', { accountId: fromAccountId, constraints: JSON.stringify(constraintsForDisplay(selection.constraints)) })] };
  const chosen = selectImplicit(matching, selection.quantity);
  if (!chosen.ok) return { refusals: [refusal('INSUFFICIENT_UNITS', { accountId: fromAccountId, requested: selection.quantity.toString(), available: chosen.available.toString() })] };
  return { takes: chosen.takes };
}

function constraintsForDisplay(c: UnitConstraints): Record<string, string | number> {
  return Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined)) as Record<string, string | number>;
}

async function matchingBlocks(tx: Prisma.TransactionClient, accountId: string, c: UnitConstraints): Promise<HeldBlock[]> {
  const conditions: Prisma.Sql[] = [Prisma.sql`b."accountId" = ${accountId}`, Prisma.sql`b."closedByTxId" IS NULL`];
  if (c.seriesId !== undefined) conditions.push(Prisma.sql`b."seriesId" = ${c.seriesId}`);
  if (c.unitType !== undefined) conditions.push(Prisma.sql`s."unitType" = ${c.unitType}`);
  if (c.cooperativeApproachId !== undefined) conditions.push(Prisma.sql`s."cooperativeApproachId" = ${c.cooperativeApproachId}`);
  if (c.hostParty !== undefined) conditions.push(Prisma.sql`s."hostParty" = ${c.hostParty}`);
  if (c.activityId !== undefined) conditions.push(Prisma.sql`s."activityId" = ${c.activityId}`);
  if (c.vintage !== undefined) conditions.push(Prisma.sql`s.vintage = ${c.vintage}`);
  return tx.$queryRaw<HeldBlock[]>`
    SELECT b.id, b."seriesId", b."firstSerial", b."lastSerial" FROM "UnitBlock" b JOIN "UnitSeries" s ON s.id = b."seriesId"
    WHERE ${Prisma.join(conditions, ' AND ')}`;
}

function assertConserved(takes: readonly Take[], created: readonly { firstSerial: bigint; lastSerial: bigint }[]): void {
  const before = takes.reduce((sum, t) => sum + blockSize(t.block), 0n);
  const after = created.reduce((sum, c) => sum + blockSize(c), 0n);
  if (before !== after) throw new Error(`transferUnits: ${before} units closed but ${after} created`);
}
