import { canonicalJson, type CanonicalValue } from '../canonical-json';
import { authorizationOf, inForce, type Authorization, type SerialRange, type SeriesFacts, type UnitRange } from '../descriptors/coverage';
import type { Actor } from '../types';
import { publishedVersion, versionInForce } from './catalog';
import { recordId, type AdministrativeKind, type AdministrativeRecordRow, type ScopeType } from './records';
import { firstTransferCandidatesV1, newMarkersV1 } from './first-transfer/v1';
import type { RuleAccount, RuleContext, RuledKind, RuleSettingsInput } from './types';

type Operation = { readonly [field: string]: unknown };

const KINDS: ReadonlySet<string> = new Set<AdministrativeKind>(['RULE_SETTING', 'RULE_SUSPENSION', 'CORRECTION', 'AUTHORIZATION', 'FIRST_TRANSFER_MARKER', 'RESERVATION', 'RESERVATION_RELEASE']);
const SCOPES: ReadonlySet<string> = new Set<ScopeType>(['REGISTRY', 'COOPERATIVE_APPROACH', 'SECTION', 'ACCOUNT', 'TRANSACTION', 'UNITS']);
const RULED: ReadonlySet<string> = new Set<RuledKind>(['ISSUANCE', 'TRANSFER', 'EXTERNAL_TRANSFER']);

/** What replay knows of one recorded entry when its operations have been applied. */
export interface ReplayedEntry {
  readonly kind: string;
  readonly transactionId: string;
  readonly createdAt: string;
  readonly actor: Actor;
  readonly ruleVersions: unknown;
  /** Units created in each account by the entry. */
  readonly createdByAccount: ReadonlyMap<string, bigint>;
  /** The blocks the entry created. */
  readonly created: readonly (SerialRange & { readonly accountId: string })[];
  /** The attributes of a series replay knows. */
  readonly seriesOf: (seriesId: string) => SeriesFacts | null;
  /** The entry's input (actor and proposal). */
  readonly input: unknown;
}

/** Ranges grouped by key, merged where adjacent, as one comparable text. */
function mergedRanges(ranges: readonly { key: string; firstSerial: bigint; lastSerial: bigint }[]): string {
  const sorted = [...ranges].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.firstSerial < b.firstSerial ? -1 : a.firstSerial > b.firstSerial ? 1 : 0));
  const out: { key: string; firstSerial: bigint; lastSerial: bigint }[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && last.key === r.key && last.lastSerial + 1n === r.firstSerial) last.lastSerial = r.lastSerial;
    else out.push({ ...r });
  }
  return out.map((r) => `${r.key} ${r.firstSerial}-${r.lastSerial}`).join('; ');
}

/**
 * Replay's part for the rules (A6R-39): rebuilds the administrative records from their `record`
 * operations, and judges every ruled transaction again by the versions its entry names, with the
 * settings it logged. A transaction recorded under version 1 of a rule is judged by version 1 however
 * many versions came since: changing a rule never changes the past, and an entry whose rule ruling
 * does not follow from its version and settings is reported.
 */
export class RulesReplay {
  private readonly records = new Map<string, AdministrativeRecordRow>();
  private readonly pending: Operation[] = [];
  private counter = 0;
  /** Authorizations parsed as they are recorded, and first-transfer markers by use and series: indexes for judging. */
  private readonly authorizations: Authorization[] = [];
  private readonly markers = new Map<string, SerialRange[]>();
  /** The first-transfer markers and reservation the entry being applied records. */
  private readonly entryMarkers: AdministrativeRecordRow[] = [];
  private entryHolds = false;

  beginEntry(): void {
    this.counter = 0;
    this.pending.length = 0;
    this.entryMarkers.length = 0;
    this.entryHolds = false;
  }

  /** A `record` operation; returns what is wrong with it, or null. */
  record(op: Operation, transactionId: string, createdAt: string): string | null {
    const { kind, subject, scopeType, scopeId, body, validFrom, validUntil } = op;
    if (typeof kind !== 'string' || !KINDS.has(kind)) return 'unknown record kind';
    if (typeof subject !== 'string' || typeof scopeType !== 'string' || !SCOPES.has(scopeType) || typeof scopeId !== 'string') return 'record lacks subject or scope';
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'record body is not an object';
    if ((validFrom !== null && typeof validFrom !== 'string') || (validUntil !== null && typeof validUntil !== 'string')) return 'record validity is neither a time nor null';
    if (kind === 'AUTHORIZATION' && validFrom === null) return 'an authorization without the moment it applies from';
    const id = recordId(transactionId, this.counter++);
    const row: AdministrativeRecordRow = { id, kind: kind as AdministrativeKind, subject, scopeType: scopeType as ScopeType, scopeId, body: canonicalJson(body as CanonicalValue), validFrom, validUntil, transactionId, createdAt };
    this.records.set(id, row);
    if (kind === 'AUTHORIZATION') this.authorizations.push(authorizationOf(row));
    if (kind === 'FIRST_TRANSFER_MARKER') this.entryMarkers.push(row);
    if (kind === 'RESERVATION') this.entryHolds = true;
    return null;
  }

  /**
   * Whether the entry being applied must be judged again: it has rule operations, or it is a ruled
   * transaction in a registry with authorizations (first-transfer markers), or it records markers.
   */
  needsJudging(kind: string): boolean {
    return this.pending.length > 0 || this.entryMarkers.length > 0 || (this.authorizations.length > 0 && RULED.has(kind));
  }

  /** Whether the entry being applied has rule operations to judge. */
  hasPending(): boolean {
    return this.pending.length > 0;
  }

  /** A `rule` or `rule-suspended` operation, judged when the entry's units are known. */
  note(op: Operation): void {
    this.pending.push(op);
  }

  /** Judges the entry's rule operations again; returns the first problem, or null. */
  endEntry(entry: ReplayedEntry, accountOf: (id: string) => RuleAccount | null): string | null {
    const markers = this.judgeMarkers(entry, accountOf);
    if (markers) return `first-transfer: ${markers}`;
    this.indexMarkers();
    if (this.pending.length === 0) return null;
    if (!RULED.has(entry.kind)) return `${entry.kind} transactions are not judged by pluggable rules`;
    const versions = (typeof entry.ruleVersions === 'object' && entry.ruleVersions !== null ? entry.ruleVersions : {}) as Record<string, unknown>;
    const diverted = new Map<string, bigint>();
    for (const op of this.pending) {
      const problem = op.op === 'rule' ? this.rejudge(op, entry, versions, accountOf, diverted) : this.suspended(op, entry);
      if (problem) return `${String(op.op)} ${String(op.rule)}: ${problem}`;
    }
    for (const [accountId, quantity] of diverted) {
      const created = entry.createdByAccount.get(accountId) ?? 0n;
      if (created !== quantity) return `the rules divert ${quantity} units to ${accountId}, the entry creates ${created} there`;
    }
    return null;
  }

  private rejudge(op: Operation, entry: ReplayedEntry, versions: Record<string, unknown>, accountOf: (id: string) => RuleAccount | null, diverted: Map<string, bigint>): string | null {
    const name = String(op.rule);
    const version = op.version;
    if (typeof version !== 'number') return 'no version';
    if (versions[name] !== version) return `the entry's ruleVersions name ${String(versions[name])}, the operation ${version}`;
    const rule = publishedVersion(name, version);
    if (!rule) return `version ${version} is not in the rule catalog`;
    if (versionInForce(name, entry.createdAt)?.version !== version) return `version ${version} was not in force at ${entry.createdAt}`;
    const settings = op.settings as RuleSettingsInput;
    const parsed = typeof settings === 'object' && settings !== null ? rule.parseSettings(settings) : { ok: false as const, problem: 'no settings' };
    if (!parsed.ok) return `settings invalid for version ${version}: ${parsed.problem}`;
    const from = typeof op.from === 'string' ? accountOf(op.from) : null;
    const to = typeof op.to === 'string' ? accountOf(op.to) : null;
    if (!to || (op.from !== null && !from)) return 'names an account that does not exist';
    if (typeof op.quantity !== 'string' || !/^[0-9]+$/.test(op.quantity)) return 'quantity is not a decimal';
    const quantity = BigInt(op.quantity);
    // The units the transaction issued or moved: everything created outside the transferring account.
    let moved = 0n;
    for (const [accountId, units] of entry.createdByAccount) if (accountId !== from?.id) moved += units;
    if (moved !== quantity) return `judged ${quantity} units, the entry moves ${moved}`;
    // The units as the rule saw them: everything the entry created outside the transferring account
    // (supplementary operations split them afterwards; rules judge serials, not block boundaries).
    const units: UnitRange[] = [];
    for (const b of entry.created) {
      if (b.accountId === from?.id) continue;
      const series = entry.seriesOf(b.seriesId);
      if (!series) return `series ${b.seriesId} is unknown`;
      units.push({ seriesId: b.seriesId, firstSerial: b.firstSerial, lastSerial: b.lastSerial, series });
    }
    const authorizations = inForce(this.authorizations, entry.createdAt);
    const verdict = rule.evaluate({ kind: entry.kind as RuledKind, at: entry.createdAt, actor: entry.actor, from, to, quantity, units, authorizations }, parsed.settings);
    if (verdict.refusals.length > 0) return `version ${version} refuses what was recorded (${verdict.refusals.map((r) => r.code).join(', ')})`;
    // A holding rule reserves, in escrow, whatever the entry's other rules did not divert.
    let otherwise = 0n;
    for (const other of this.pending) if (other !== op && Array.isArray(other.diversions)) for (const d of other.diversions as { quantity?: unknown }[]) otherwise += typeof d.quantity === 'string' ? BigInt(d.quantity) : 0n;
    const diversions = verdict.hold ? [...verdict.diversions, { accountId: verdict.hold.escrowAccountId, quantity: quantity - otherwise }] : verdict.diversions;
    const expected = canonicalJson(diversions.map((d) => ({ accountId: d.accountId, quantity: d.quantity })));
    const logged = canonicalJson(op.diversions as CanonicalValue);
    if (expected !== logged) return `version ${version} gives the supplementary operations ${expected}, the entry logged ${logged}`;
    for (const d of diversions) diverted.set(d.accountId, (diverted.get(d.accountId) ?? 0n) + d.quantity);
    return null;
  }

  /**
   * The built-in rule first-transfer, judged again: the markers an entry records must be exactly those
   * its version makes of the entry's units, the authorizations in force and the markers before it.
   * Compared as serial sets per use, series, authorization and event: block boundaries do not matter.
   */
  private judgeMarkers(entry: ReplayedEntry, accountOf: (id: string) => RuleAccount | null): string | null {
    // Markers made by an authorization (OIMP at authorization) or re-issued are the operation's own.
    if (entry.kind === 'RECORD_AUTHORIZATION' || entry.kind === 'REISSUE_MARKER') return null;
    const logged = this.entryMarkers.map((m) => {
      const body = JSON.parse(m.body) as { firstSerial: string; lastSerial: string; authorization: string | null; event: string };
      return { key: `${m.subject} ${m.scopeId} ${String(body.authorization)} ${body.event}`, firstSerial: BigInt(body.firstSerial), lastSerial: BigInt(body.lastSerial), validFrom: m.validFrom };
    });
    if (!RULED.has(entry.kind)) return logged.length > 0 ? `${entry.kind} transactions create no markers` : null;
    for (const m of logged) if (m.validFrom !== entry.createdAt) return `a marker dated ${String(m.validFrom)}, the entry is of ${entry.createdAt}`;
    const versions = (typeof entry.ruleVersions === 'object' && entry.ruleVersions !== null ? entry.ruleVersions : {}) as Record<string, unknown>;
    // Entries from before the rule existed name no version of it and may have no markers.
    if (versions['first-transfer'] === undefined) return logged.length > 0 ? 'markers from an entry that names no version of first-transfer' : null;
    if (versions['first-transfer'] !== 1) return `version ${String(versions['first-transfer'])} is not in the rule catalog`;
    const expected: { key: string; firstSerial: bigint; lastSerial: bigint }[] = [];
    if (!this.entryHolds) {
      const context = this.markerContext(entry, accountOf);
      if (typeof context === 'string') return context;
      if (context) {
        const candidates = firstTransferCandidatesV1(context);
        if (candidates.length > 0) {
          // The markers before this entry, of the series concerned.
          const existing = new Map<'NDC' | 'OIMP', SerialRange[]>();
          const seriesIds = new Set(candidates.flatMap((c) => c.units.map((u) => u.seriesId)));
          for (const use of ['NDC', 'OIMP'] as const) existing.set(use, [...seriesIds].flatMap((id) => this.markers.get(`${use} ${id}`) ?? []));
          for (const c of newMarkersV1(candidates, existing)) for (const u of c.units) expected.push({ key: `${c.use} ${u.seriesId} ${c.authorization} ${c.event}`, firstSerial: u.firstSerial, lastSerial: u.lastSerial });
        }
      }
    }
    const a = mergedRanges(logged);
    const b = mergedRanges(expected);
    return a === b ? null : `the entry records markers ${a || 'none'}, version 1 makes ${b || 'none'}`;
  }

  /** Adds the entry's markers to the index, once it has been judged. */
  private indexMarkers(): void {
    for (const m of this.entryMarkers) {
      const body = JSON.parse(m.body) as { firstSerial: string; lastSerial: string };
      const key = `${m.subject} ${m.scopeId}`;
      const list = this.markers.get(key) ?? [];
      list.push({ seriesId: m.scopeId, firstSerial: BigInt(body.firstSerial), lastSerial: BigInt(body.lastSerial) });
      this.markers.set(key, list);
    }
  }

  /** The rule context of a ruled entry, as the engine built it (null: nothing to judge). */
  private markerContext(entry: ReplayedEntry, accountOf: (id: string) => RuleAccount | null): RuleContext | string | null {
    const proposal = (entry.input as { proposal?: { fromAccountId?: string; toAccountId?: string; accountId?: string } } | undefined)?.proposal ?? {};
    const fromId = entry.kind === 'ISSUANCE' ? null : (proposal.fromAccountId ?? null);
    const toId = entry.kind === 'ISSUANCE' ? proposal.accountId : entry.kind === 'TRANSFER' ? proposal.toAccountId : entry.created[0]?.accountId;
    if (toId === undefined) return null;
    const to = accountOf(toId);
    const from = fromId === null ? null : accountOf(fromId);
    if (!to || (fromId !== null && !from)) return 'names an account that does not exist';
    const units: UnitRange[] = [];
    for (const b of entry.created) {
      if (b.accountId === fromId) continue;
      const series = entry.seriesOf(b.seriesId);
      if (!series) return `series ${b.seriesId} is unknown`;
      units.push({ seriesId: b.seriesId, firstSerial: b.firstSerial, lastSerial: b.lastSerial, series });
    }
    const quantity = units.reduce((sum, u) => sum + (u.lastSerial - u.firstSerial + 1n), 0n);
    return { kind: entry.kind as RuledKind, at: entry.createdAt, actor: entry.actor, from, to, quantity, units, authorizations: inForce(this.authorizations, entry.createdAt) };
  }

  private suspended(op: Operation, entry: ReplayedEntry): string | null {
    if (op.op !== 'rule-suspended') return 'unknown rule operation';
    const suspension = typeof op.suspension === 'string' ? this.records.get(op.suspension) : undefined;
    if (!suspension || suspension.kind !== 'RULE_SUSPENSION' || suspension.subject !== op.rule) return `no suspension ${String(op.suspension)} of this rule`;
    if (!(suspension.validFrom !== null && suspension.validFrom <= entry.createdAt && suspension.validUntil !== null && entry.createdAt < suspension.validUntil)) return `the suspension ${suspension.id} does not cover ${entry.createdAt}`;
    return null;
  }

  /** The records rebuilt, by id. */
  rows(): AdministrativeRecordRow[] {
    return [...this.records.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }
}
