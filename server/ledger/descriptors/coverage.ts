import type { AdministrativeRecordRow } from '../types';

/**
 * Descriptor records (A6R-45), as the rules read them: authorizations and first-transfer markers.
 * Both are administrative records (append-only, logged, replayed). Pure functions: what is in force at
 * a moment, and which units an authorization covers.
 */

export type AuthorizedUse = 'NDC' | 'OIMP' | 'BOTH' | 'NONE';
export type OimpFirstTransfer = 'AUTHORIZATION' | 'ISSUANCE' | 'USE_OR_CANCELLATION';

/** The attributes of a series an authorization's conditions may name. */
export interface SeriesFacts {
  readonly unitType: string;
  readonly cooperativeApproachId: string | null;
  readonly hostParty: string;
  readonly activityId: string;
  readonly vintage: number;
}

export interface AuthorizationConditions {
  readonly cooperativeApproachId?: string;
  readonly activityId?: string;
  readonly unitType?: string;
  readonly vintageFrom?: number;
  readonly vintageTo?: number;
}

export interface SerialRange {
  readonly seriesId: string;
  readonly firstSerial: bigint;
  readonly lastSerial: bigint;
}

/** Units of a transaction, with the facts of their series. */
export interface UnitRange extends SerialRange {
  readonly series: SeriesFacts;
}

export interface Authorization {
  readonly id: string;
  /** The authorizing Party (ISO 3166-1 alpha-3, its section's id). */
  readonly party: string;
  readonly uses: AuthorizedUse;
  readonly units: { readonly mode: 'ranges'; readonly ranges: readonly SerialRange[] } | { readonly mode: 'conditions'; readonly conditions: AuthorizationConditions };
  readonly oimpFirstTransfer: OimpFirstTransfer | null;
  readonly supersedes: string | null;
  /** ISO-8601 UTC: when it applies from. */
  readonly applicableFrom: string;
}

type RecordLike = Pick<AdministrativeRecordRow, 'id' | 'kind' | 'subject' | 'body' | 'validFrom'>;

interface AuthorizationBody {
  readonly uses: AuthorizedUse;
  readonly units: { readonly mode: 'ranges'; readonly ranges: readonly { seriesId: string; firstSerial: string; lastSerial: string }[] } | { readonly mode: 'conditions'; readonly conditions: AuthorizationConditions };
  readonly oimpFirstTransfer: OimpFirstTransfer | null;
  readonly supersedes: string | null;
}

export function authorizationOf(record: RecordLike): Authorization {
  const body = JSON.parse(record.body) as AuthorizationBody;
  const units =
    body.units.mode === 'ranges'
      ? { mode: 'ranges' as const, ranges: body.units.ranges.map((r) => ({ seriesId: r.seriesId, firstSerial: BigInt(r.firstSerial), lastSerial: BigInt(r.lastSerial) })) }
      : { mode: 'conditions' as const, conditions: body.units.conditions };
  if (record.validFrom === null) throw new Error(`authorization ${record.id} has no applicability date`);
  return { id: record.id, party: record.subject, uses: body.uses, units, oimpFirstTransfer: body.oimpFirstTransfer, supersedes: body.supersedes, applicableFrom: record.validFrom };
}

/**
 * The authorizations in force at `at`: applicable by then, and not superseded by a newer record that is
 * itself applicable by then. Never recalled, only superseded (A6R-45).
 */
export function authorizationsInForce(records: readonly RecordLike[], at: string): Authorization[] {
  return inForce(records.filter((r) => r.kind === 'AUTHORIZATION').map(authorizationOf), at);
}

/** The same, over authorizations already parsed (the rules engine keeps them so, per pool). */
export function inForce(all: readonly Authorization[], at: string): Authorization[] {
  const applicable = all.filter((a) => a.applicableFrom <= at);
  if (applicable.length === 0) return [];
  const superseded = new Set(applicable.flatMap((a) => (a.supersedes ? [a.supersedes] : [])));
  return applicable.filter((a) => !superseded.has(a.id));
}

const includes = (uses: AuthorizedUse, wanted: 'NDC' | 'OIMP' | 'ANY'): boolean => uses !== 'NONE' && (wanted === 'ANY' || uses === 'BOTH' || uses === wanted);

function matchesConditions(series: SeriesFacts, party: string, c: AuthorizationConditions): boolean {
  if (series.hostParty !== party) return false;
  if (c.cooperativeApproachId !== undefined && series.cooperativeApproachId !== c.cooperativeApproachId) return false;
  if (c.activityId !== undefined && series.activityId !== c.activityId) return false;
  if (c.unitType !== undefined && series.unitType !== c.unitType) return false;
  if (c.vintageFrom !== undefined && series.vintage < c.vintageFrom) return false;
  if (c.vintageTo !== undefined && series.vintage > c.vintageTo) return false;
  return true;
}

/** Removes [first, last] from a sorted list of disjoint ranges. */
function subtract(ranges: readonly [bigint, bigint][], first: bigint, last: bigint): [bigint, bigint][] {
  const out: [bigint, bigint][] = [];
  for (const [a, b] of ranges) {
    if (b < first || a > last) out.push([a, b]);
    else {
      if (a < first) out.push([a, first - 1n]);
      if (b > last) out.push([last + 1n, b]);
    }
  }
  return out;
}

/**
 * The parts of `units` that no authorization in `authorizations` covers for `use` (ANY: any use but
 * NONE): empty when every unit is authorized. Block boundaries do not matter, only serials.
 */
export function unauthorized(units: readonly UnitRange[], authorizations: readonly Authorization[], use: 'NDC' | 'OIMP' | 'ANY'): UnitRange[] {
  const relevant = authorizations.filter((a) => includes(a.uses, use));
  const out: UnitRange[] = [];
  for (const u of units) {
    if (relevant.some((a) => a.units.mode === 'conditions' && matchesConditions(u.series, a.party, a.units.conditions))) continue;
    let left: [bigint, bigint][] = [[u.firstSerial, u.lastSerial]];
    for (const a of relevant) {
      if (a.units.mode !== 'ranges' || u.series.hostParty !== a.party) continue;
      for (const r of a.units.ranges) if (r.seriesId === u.seriesId) left = subtract(left, r.firstSerial, r.lastSerial);
    }
    for (const [firstSerial, lastSerial] of left) out.push({ ...u, firstSerial, lastSerial });
  }
  return out;
}

/** The parts of `units` that `authorization` covers (for markers). */
export function coveredBy(units: readonly UnitRange[], authorization: Authorization): UnitRange[] {
  const out: UnitRange[] = [];
  for (const u of units) {
    const missing = unauthorized([u], [{ ...authorization, uses: 'BOTH' }], 'ANY');
    let left: [bigint, bigint][] = [[u.firstSerial, u.lastSerial]];
    for (const m of missing) left = subtract(left, m.firstSerial, m.lastSerial);
    for (const [firstSerial, lastSerial] of left) out.push({ ...u, firstSerial, lastSerial });
  }
  return out;
}

/** The parts of `units` outside every range of `marked` (ranges of the same series). */
export function outside(units: readonly UnitRange[], marked: readonly SerialRange[]): UnitRange[] {
  const out: UnitRange[] = [];
  for (const u of units) {
    let left: [bigint, bigint][] = [[u.firstSerial, u.lastSerial]];
    for (const m of marked) if (m.seriesId === u.seriesId) left = subtract(left, m.firstSerial, m.lastSerial);
    for (const [firstSerial, lastSerial] of left) out.push({ ...u, firstSerial, lastSerial });
  }
  return out;
}

/**
 * The earliest moment a descriptor created at `createdAt` may apply from (A6R-45): no earlier than
 * 00:00 UTC of the next day, and at least 12 hours after its creation, so that it can reach every
 * registry of the cooperative approach before it matters.
 */
export function earliestApplicability(createdAt: Date): Date {
  const nextMidnight = Date.UTC(createdAt.getUTCFullYear(), createdAt.getUTCMonth(), createdAt.getUTCDate() + 1);
  return new Date(Math.max(nextMidnight, createdAt.getTime() + 12 * 3_600_000));
}
