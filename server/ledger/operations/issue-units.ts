import { createHash } from 'node:crypto';
import { canonicalJson } from '../canonical-json';
import { refusal, type Refusal } from '../check-codes';
import { operationsOf, NO_CHANGES, type Changes, type Plan } from '../plan';
import { builtInRulesAt, type BuiltInRules } from '../rules/built-in';
import { receiversToLock } from '../rules/engine';
import { MAX_ISSUANCE } from '../serial';
import { prepared, type Sql } from '../sql';
import type { AccountFacts, Actor, IssuanceProposal, LedgerContext, SeriesAttributes } from '../types';
import { lockAccounts } from './lock-accounts';

const ALPHA3 = /^[A-Z]{3}$/;
const SERIES_LOCK = 6_274_100;

/** A series id is derived from its attributes, so that replay and every registry arrive at the same id. */
export function seriesIdOf(series: SeriesAttributes): string {
  const key = [series.unitType, series.cooperativeApproachId ?? '', series.originatingRegistry, series.hostParty, series.firstTransferringParty, series.activityId, String(series.vintage)].join('|');
  return `S${createHash('sha256').update(key).digest('hex').slice(0, 20)}`;
}

export function seriesProblems(series: SeriesAttributes): Refusal[] {
  const problems: Refusal[] = [];
  const invalid = (field: string, value: string | number) => problems.push(refusal('SERIES_ATTRIBUTES_INVALID', { field, value }));
  if (!ALPHA3.test(series.hostParty)) invalid('hostParty', series.hostParty);
  if (!ALPHA3.test(series.firstTransferringParty)) invalid('firstTransferringParty', series.firstTransferringParty);
  if (!Number.isInteger(series.vintage) || series.vintage < 1990 || series.vintage > 2100) invalid('vintage', String(series.vintage));
  for (const field of ['unitType', 'activityId', 'originatingRegistry', 'metric'] as const) if (series[field].trim() === '') invalid(field, 'empty');
  return problems;
}

export function quantityProblems(quantity: bigint): Refusal[] {
  if (quantity <= 0n) return [refusal('QUANTITY_NOT_POSITIVE', { quantity: quantity.toString() })];
  if (quantity > MAX_ISSUANCE) return [refusal('QUANTITY_TOO_LARGE', { quantity: quantity.toString(), maximum: MAX_ISSUANCE.toString() })];
  return [];
}

/**
 * Attributes from the common nomenclatures (¶24, ¶69): every extra attribute must name a nomenclature
 * entry; sectors and activity types must be entries of "sector" and "activity-type" once an
 * administrator has defined those nomenclatures.
 */
export async function nomenclatureProblems(sql: Sql, series: SeriesAttributes): Promise<Refusal[]> {
  const wanted: [string, string][] = [...Object.entries(series.extra ?? {}), ...series.sectors.map((s): [string, string] => ['sector', s]), ...series.activityTypes.map((a): [string, string] => ['activity-type', a])];
  if (wanted.length === 0) return [];
  const known = await prepared<{ nomenclature: string; code: string }>(
    sql,
    `SELECT nomenclature, code FROM "NomenclatureEntry" WHERE nomenclature = ANY($1::text[])`,
    [[...new Set(wanted.map(([n]) => n))]],
  );
  const defined = new Set(known.rows.map((r) => r.nomenclature));
  const entries = new Set(known.rows.map((r) => `${r.nomenclature}\u0000${r.code}`));
  const extraNames = new Set(Object.keys(series.extra ?? {}));
  return wanted
    .filter(([nomenclature, code]) => (extraNames.has(nomenclature) || defined.has(nomenclature)) && !entries.has(`${nomenclature}\u0000${code}`))
    .map(([nomenclature, code]) => refusal('SERIES_ATTRIBUTES_INVALID', { field: nomenclature, value: code, reason: 'not in the nomenclature' }));
}

/** A unit's cooperative approach must be one the registry knows (A6R-46): an unknown one is invalid. */
export async function approachProblems(sql: Sql, series: SeriesAttributes): Promise<Refusal[]> {
  if (series.cooperativeApproachId === null) return [];
  const found = await prepared(sql, 'SELECT 1 FROM "CooperativeApproach" WHERE id = $1', [series.cooperativeApproachId]);
  return (found.rowCount ?? 0) > 0 ? [] : [refusal('SERIES_ATTRIBUTES_INVALID', { field: 'cooperativeApproachId', value: series.cooperativeApproachId, reason: 'unknown cooperative approach' })];
}

/**
 * A series is fixed by its first issuance: later units of the same series (same identity) must carry the
 * same further attributes, or the log would record attributes that never took effect.
 */
export async function seriesConflicts(sql: Sql, seriesId: string, series: SeriesAttributes): Promise<Refusal[]> {
  const found = await prepared<{ sectors: string[]; activityTypes: string[]; metric: string; pre2021: boolean; extra: string }>(
    sql,
    `SELECT sectors, "activityTypes", metric, pre2021, extra FROM "UnitSeries" WHERE id = $1`,
    [seriesId],
  );
  const existing = found.rows[0];
  if (!existing) return [];
  const differs: string[] = [];
  if (existing.sectors.join('\u0000') !== series.sectors.join('\u0000')) differs.push('sectors');
  if (existing.activityTypes.join('\u0000') !== series.activityTypes.join('\u0000')) differs.push('activityTypes');
  if (existing.metric !== series.metric) differs.push('metric');
  if (existing.pre2021 !== series.pre2021) differs.push('pre2021');
  if (existing.extra !== canonicalJson(series.extra ?? {})) differs.push('extra');
  return differs.map((field) => refusal('SERIES_ATTRIBUTES_CONFLICT', { seriesId, field }));
}

/** The highest serial a series has ever used, under a lock that keeps two issuances from sharing serials. */
export async function lockSeriesTop(sql: Sql, seriesId: string): Promise<bigint> {
  await prepared(sql, 'SELECT pg_advisory_xact_lock($1, hashtext($2))', [SERIES_LOCK, seriesId]);
  // The open blocks of a series cover every serial it has ever had (units are never destroyed, only
  // moved into other blocks), and do not overlap: the last by first serial holds the highest.
  const top = await prepared<{ last: bigint }>(sql, `SELECT "lastSerial" AS last FROM "UnitBlock" WHERE "seriesId" = $1 AND "closedByTxId" IS NULL ORDER BY "firstSerial" DESC LIMIT 1`, [seriesId]);
  return top.rows[0]?.last ?? 0n;
}

/** The 2xxx checks of the account units are issued into, by the built-in rules in force. */
function generatingChecks(rules: BuiltInRules, actor: Actor, accountId: string, account: AccountFacts | undefined): Refusal[] {
  if (!account) return [refusal('TRANSFERRING_ACCOUNT_NOT_FOUND', { accountId })];
  const refusals: Refusal[] = [];
  if (!rules.accountStatus.statusAllows(account.status, actor)) refusals.push(refusal('TRANSFERRING_ACCOUNT_NOT_OPERATIONAL', { accountId: account.id, status: account.status }));
  if (!rules.initiation.mayInitiateOn(actor, account)) refusals.push(refusal('INITIATOR_NOT_ALLOWED_ON_TRANSFERRING_ACCOUNT', { accountId: account.id, userId: actor.userId }));
  if (!rules.accountType.canGenerate(account.type)) refusals.push(refusal('ACCOUNT_TYPE_CANNOT_GENERATE', { accountId: account.id, type: account.type }));
  return refusals;
}

/**
 * Issuance (A6R-44): generates a block of new serials at the end of the series, into an account whose
 * type may generate units (an issuance account, or the mechanism's pending account).
 */
export async function issueUnits(sql: Sql, ctx: LedgerContext, actor: Actor, proposal: IssuanceProposal): Promise<Plan> {
  const receivers = receiversToLock(ctx.pool, [proposal.accountId]);
  const { accounts, chain } = await lockAccounts(sql, [proposal.accountId], receivers);
  const createdAt = ctx.now();
  const account = accounts.get(proposal.accountId);
  const refusals: Refusal[] = generatingChecks(builtInRulesAt(ctx, createdAt), actor, proposal.accountId, account);
  refusals.push(...seriesProblems(proposal.series), ...quantityProblems(proposal.quantity), ...(await approachProblems(sql, proposal.series)));
  if (refusals.length === 0) refusals.push(...(await nomenclatureProblems(sql, proposal.series)));
  if (refusals.length > 0) return { createdAt, refusals };

  const seriesId = seriesIdOf(proposal.series);
  const firstSerial = (await lockSeriesTop(sql, seriesId)) + 1n;
  // Read again under the series lock: concurrent issuances of a series are timestamped in serial order.
  const issuedAt = ctx.now();
  // The checks were made by the built-in rules in force at createdAt; the entry is of issuedAt.
  if (builtInRulesAt(ctx, issuedAt) !== builtInRulesAt(ctx, createdAt)) {
    const again = generatingChecks(builtInRulesAt(ctx, issuedAt), actor, proposal.accountId, account);
    if (again.length > 0) return { createdAt: issuedAt, refusals: again };
  }
  const conflicts = await seriesConflicts(sql, seriesId, proposal.series);
  if (conflicts.length > 0) return { createdAt: issuedAt, refusals: conflicts };
  const changes: Changes = {
    ...NO_CHANGES,
    series: [{ ...proposal.series, id: seriesId }],
    create: [{ seriesId, firstSerial, lastSerial: firstSerial + proposal.quantity - 1n, accountId: proposal.accountId }],
  };
  return { createdAt: issuedAt, chain, quantity: proposal.quantity, changes, operations: operationsOf(changes), receivers, locked: accounts };
}
