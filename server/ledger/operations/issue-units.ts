import { createHash } from 'node:crypto';
import { Prisma } from '../../db/generated/client';
import { canGenerate, mayInitiateOn, statusAllows } from '../account-rules';
import { refusal, type Refusal } from '../check-codes';
import type { OperationResult } from '../write-path';
import type { Actor, IssuanceProposal, SeriesAttributes } from '../types';
import { lockAccounts } from './lock-accounts';

/** The largest block one issuance may create; far above any real issuance, it bounds bad input. */
export const MAX_ISSUANCE = 1_000_000_000_000n;

const ALPHA3 = /^[A-Z]{3}$/;

/** A series id is derived from its attributes, so that replay and every registry arrive at the same id. */
export function seriesIdOf(series: SeriesAttributes): string {
  const key = [series.unitType, series.cooperativeApproachId ?? '', series.originatingRegistry, series.hostParty, series.firstTransferringParty, series.activityId, String(series.vintage)].join('|');
  return `S${createHash('sha256').update(key).digest('hex').slice(0, 20)}`;
}

function seriesProblems(series: SeriesAttributes): Refusal[] {
  const problems: Refusal[] = [];
  if (!ALPHA3.test(series.hostParty)) problems.push(refusal('SERIES_ATTRIBUTES_INVALID', { field: 'hostParty', value: series.hostParty }));
  if (!ALPHA3.test(series.firstTransferringParty)) problems.push(refusal('SERIES_ATTRIBUTES_INVALID', { field: 'firstTransferringParty', value: series.firstTransferringParty }));
  if (!Number.isInteger(series.vintage) || series.vintage < 1990 || series.vintage > 2100) problems.push(refusal('SERIES_ATTRIBUTES_INVALID', { field: 'vintage', value: series.vintage }));
  if (series.unitType.trim() === '' || series.activityId.trim() === '' || series.originatingRegistry.trim() === '') problems.push(refusal('SERIES_ATTRIBUTES_INVALID', { field: 'unitType/activityId/originatingRegistry', value: 'empty' }));
  return problems;
}

/**
 * Issuance (A6R-44): generates a block of new serials at the end of the series, into an account whose
 * type may generate units. The series row is locked so that two issuances never allocate the same serials.
 */
export async function issueUnits(tx: Prisma.TransactionClient, actor: Actor, proposal: IssuanceProposal, transactionId: string, createdAt: Date): Promise<OperationResult> {
  const accounts = await lockAccounts(tx, [proposal.accountId], []);
  const account = accounts.get(proposal.accountId);
  const refusals: Refusal[] = [];
  if (!account) {
    refusals.push(refusal('TRANSFERRING_ACCOUNT_NOT_FOUND', { accountId: proposal.accountId }));
  } else {
    if (!statusAllows(account.status, actor)) refusals.push(refusal('TRANSFERRING_ACCOUNT_NOT_OPERATIONAL', { accountId: account.id, status: account.status }));
    if (!mayInitiateOn(actor, account)) refusals.push(refusal('INITIATOR_NOT_ALLOWED_ON_TRANSFERRING_ACCOUNT', { accountId: account.id, userId: actor.userId }));
    if (!canGenerate(account.type)) refusals.push(refusal('ACCOUNT_TYPE_CANNOT_GENERATE', { accountId: account.id, type: account.type }));
  }
  refusals.push(...seriesProblems(proposal.series));
  if (proposal.quantity <= 0n) refusals.push(refusal('QUANTITY_NOT_POSITIVE', { quantity: proposal.quantity.toString() }));
  if (proposal.quantity > MAX_ISSUANCE) refusals.push(refusal('QUANTITY_TOO_LARGE', { quantity: proposal.quantity.toString(), maximum: MAX_ISSUANCE.toString() }));
  if (refusals.length > 0 || !account) return { refusals };

  const seriesId = seriesIdOf(proposal.series);
  const s = proposal.series;
  await tx.$executeRaw`
    INSERT INTO "UnitSeries" (id, "unitType", "cooperativeApproachId", "originatingRegistry", "hostParty", "firstTransferringParty", "activityId", vintage, sectors, "activityTypes", metric, pre2021, "createdAt")
    VALUES (${seriesId}, ${s.unitType}, ${s.cooperativeApproachId}, ${s.originatingRegistry}, ${s.hostParty}, ${s.firstTransferringParty}, ${s.activityId}, ${s.vintage}, ${[...s.sectors]}, ${[...s.activityTypes]}, ${s.metric}, ${s.pre2021}, ${createdAt})
    ON CONFLICT (id) DO NOTHING`;
  await tx.$queryRaw`SELECT id FROM "UnitSeries" WHERE id = ${seriesId} FOR UPDATE`;
  const top = await tx.$queryRaw<{ last: bigint | null }[]>`SELECT max("lastSerial") AS last FROM "UnitBlock" WHERE "seriesId" = ${seriesId}`;
  const firstSerial = (top[0]?.last ?? 0n) + 1n;
  const lastSerial = firstSerial + proposal.quantity - 1n;

  await tx.unitBlock.create({ data: { seriesId, firstSerial, lastSerial, accountId: account.id, createdByTxId: transactionId, createdAt } });
  return {
    quantity: proposal.quantity,
    operations: [{ op: 'issue', seriesId, series: { ...s, sectors: [...s.sectors], activityTypes: [...s.activityTypes] }, accountId: account.id, firstSerial, lastSerial }],
  };
}
