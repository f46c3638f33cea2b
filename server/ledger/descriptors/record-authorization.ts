import { mayAuthorizeFor } from '../authority';
import { canonicalJson, type CanonicalValue } from '../canonical-json';
import { refusal, type Refusal } from '../check-codes';
import { MAX_SERIAL } from '../serial';
import { lockAccounts } from '../operations/lock-accounts';
import { NO_CHANGES, operationsOf, type Changes, type Plan } from '../plan';
import { forgetRules } from '../rules/engine';
import { prepared, utc, type Sql } from '../sql';
import type { Actor, LedgerContext, NewAdministrativeRecord, RecordAuthorizationProposal } from '../types';
import { earliestApplicability } from './coverage';

const USES = new Set(['NDC', 'OIMP', 'BOTH', 'NONE']);
const OIMP_EVENTS = new Set(['AUTHORIZATION', 'ISSUANCE', 'USE_OR_CANCELLATION']);
const MAX_RANGES = 1_000;
const CONDITION_FIELDS = new Set(['cooperativeApproachId', 'activityId', 'unitType', 'vintageFrom', 'vintageTo']);

const invalid = (field: string, problem: string): Refusal => refusal('DESCRIPTOR_INVALID', { field, problem });

/** The shape of the proposal, field by field, before anything is read. */
function shapeProblems(p: RecordAuthorizationProposal, createdAt: Date): Refusal[] {
  const problems: Refusal[] = [];
  if (!/^[A-Z]{3}$/.test(p.party)) problems.push(invalid('party', 'must be an ISO 3166-1 alpha-3 code'));
  if (!USES.has(p.uses)) problems.push(invalid('uses', 'must be NDC, OIMP, BOTH or NONE'));
  const oimp = p.uses === 'OIMP' || p.uses === 'BOTH';
  if (oimp && (p.oimpFirstTransfer === null || !OIMP_EVENTS.has(p.oimpFirstTransfer))) problems.push(invalid('oimpFirstTransfer', 'an authorization for OIMP names its first transfer: AUTHORIZATION, ISSUANCE or USE_OR_CANCELLATION'));
  if (!oimp && p.oimpFirstTransfer !== null) problems.push(invalid('oimpFirstTransfer', 'only an authorization for OIMP names its first transfer'));
  if (p.oimpFirstTransfer === 'AUTHORIZATION' && p.units.mode !== 'ranges') problems.push(invalid('oimpFirstTransfer', 'a first transfer at authorization needs specific units'));
  if (p.oimpFirstTransfer === 'ISSUANCE' && p.units.mode !== 'conditions') problems.push(invalid('oimpFirstTransfer', 'units that exist already cannot have their issuance as first transfer'));
  if (p.uses === 'NONE' && p.supersedes === null) problems.push(invalid('uses', 'NONE only withdraws an earlier authorization it supersedes'));
  const earliest = earliestApplicability(createdAt);
  if (p.applicableFrom !== null && (!(p.applicableFrom instanceof Date) || Number.isNaN(p.applicableFrom.getTime()) || p.applicableFrom < earliest)) {
    problems.push(invalid('applicableFrom', `must be ${utc(earliest)} or later`));
  }
  if (p.units.mode === 'ranges') {
    if (p.units.ranges.length === 0 || p.units.ranges.length > MAX_RANGES) problems.push(invalid('ranges', `must list 1 to ${MAX_RANGES} serial ranges`));
    for (const r of p.units.ranges) {
      if (r.firstSerial < 1n || r.firstSerial > r.lastSerial || r.lastSerial > MAX_SERIAL) problems.push(invalid('ranges', `[${r.firstSerial}, ${r.lastSerial}] of ${r.seriesId} is not a serial range`));
    }
  } else {
    const c = p.units.conditions;
    for (const field of Object.keys(c)) if (!CONDITION_FIELDS.has(field)) problems.push(invalid(`conditions.${field}`, 'unknown condition'));
    for (const field of ['vintageFrom', 'vintageTo'] as const) {
      const v = c[field];
      if (v !== undefined && (!Number.isInteger(v) || v < 1990 || v > 2100)) problems.push(invalid(`conditions.${field}`, 'must be a year from 1990 to 2100'));
    }
    if (c.vintageFrom !== undefined && c.vintageTo !== undefined && c.vintageFrom > c.vintageTo) problems.push(invalid('conditions.vintageTo', 'must not be before vintageFrom'));
  }
  return problems;
}

/** Every unit of the ranges exists here, in open blocks of series of the authorizing Party. */
async function unitProblems(sql: Sql, p: Extract<RecordAuthorizationProposal['units'], { mode: 'ranges' }>, party: string): Promise<Refusal[]> {
  const problems: Refusal[] = [];
  for (const r of p.ranges) {
    const series = await prepared<{ hostParty: string }>(sql, 'SELECT "hostParty" FROM "UnitSeries" WHERE id = $1', [r.seriesId]);
    const host = series.rows[0]?.hostParty;
    if (host === undefined) {
      problems.push(refusal('AUTHORIZED_UNITS_NOT_FOUND', { seriesId: r.seriesId, firstSerial: r.firstSerial.toString(), lastSerial: r.lastSerial.toString() }));
      continue;
    }
    if (host !== party) {
      problems.push(invalid('ranges', `units of ${r.seriesId} belong to ${host}, not ${party}`));
      continue;
    }
    const held = await prepared<{ units: bigint | null }>(
      sql,
      `SELECT sum(LEAST("lastSerial", $3::bigint) - GREATEST("firstSerial", $2::bigint) + 1)::bigint AS units FROM "UnitBlock"
       WHERE "seriesId" = $1 AND "closedByTxId" IS NULL AND "firstSerial" <= $3::bigint AND "lastSerial" >= $2::bigint`,
      [r.seriesId, r.firstSerial.toString(), r.lastSerial.toString()],
    );
    if ((held.rows[0]?.units ?? 0n) !== r.lastSerial - r.firstSerial + 1n) problems.push(refusal('AUTHORIZED_UNITS_NOT_FOUND', { seriesId: r.seriesId, firstSerial: r.firstSerial.toString(), lastSerial: r.lastSerial.toString() }));
  }
  return problems;
}

/**
 * Records an authorization (A6R-45), by a registry administrator or a section administrator of the
 * authorizing Party. A first transfer at authorization (OIMP) marks its units in the same transaction.
 */
export async function recordAuthorization(sql: Sql, ctx: LedgerContext, actor: Actor, p: RecordAuthorizationProposal): Promise<Plan> {
  const { chain } = await lockAccounts(sql, [], []);
  const createdAt = ctx.now();
  const refusals: Refusal[] = [];
  if (!mayAuthorizeFor(actor, p.party)) refusals.push(refusal('NOT_ALLOWED_TO_AUTHORIZE', { party: p.party, userId: actor.userId }));
  refusals.push(...shapeProblems(p, createdAt));
  if (refusals.length === 0) {
    const section = await prepared(sql, 'SELECT 1 FROM "Section" WHERE id = $1', [p.party]);
    if ((section.rowCount ?? 0) === 0) refusals.push(invalid('party', `${p.party} has no section in this registry`));
    if (p.supersedes !== null) {
      const earlier = await prepared<{ subject: string }>(sql, `SELECT subject FROM "AdministrativeRecord" WHERE id = $1 AND kind = 'AUTHORIZATION'`, [p.supersedes]);
      if (earlier.rows[0]?.subject !== p.party) refusals.push(invalid('supersedes', `${p.supersedes} is not an authorization of ${p.party}`));
    }
  }
  if (refusals.length === 0 && p.units.mode === 'ranges') refusals.push(...(await unitProblems(sql, p.units, p.party)));
  if (refusals.length > 0) return { createdAt, refusals };

  const applicableFrom = p.applicableFrom ?? earliestApplicability(createdAt);
  const units: CanonicalValue =
    p.units.mode === 'ranges'
      ? { mode: 'ranges', ranges: p.units.ranges.map((r) => ({ seriesId: r.seriesId, firstSerial: r.firstSerial, lastSerial: r.lastSerial })) }
      : { mode: 'conditions', conditions: JSON.parse(canonicalJson({ ...p.units.conditions })) as CanonicalValue };
  const records: NewAdministrativeRecord[] = [
    { kind: 'AUTHORIZATION', subject: p.party, scopeType: 'UNITS', scopeId: '', body: { uses: p.uses, units, oimpFirstTransfer: p.oimpFirstTransfer, supersedes: p.supersedes }, validFrom: applicableFrom, validUntil: null },
  ];
  if (p.oimpFirstTransfer === 'AUTHORIZATION' && p.units.mode === 'ranges') {
    // The authorization is the first transfer of these units: marked with it, dated when it applies.
    for (const r of p.units.ranges) {
      records.push({ kind: 'FIRST_TRANSFER_MARKER', subject: 'OIMP', scopeType: 'UNITS', scopeId: r.seriesId, body: { firstSerial: r.firstSerial, lastSerial: r.lastSerial, authorization: null, event: 'AUTHORIZATION' }, validFrom: applicableFrom, validUntil: null });
    }
  }
  const changes: Changes = { ...NO_CHANGES, records };
  forgetRules(ctx.pool);
  return { createdAt, chain, quantity: 0n, changes, operations: operationsOf(changes) };
}
