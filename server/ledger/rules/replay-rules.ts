import { canonicalJson, type CanonicalValue } from '../canonical-json';
import { authorizationOf, inForce, type Authorization, type SerialRange, type SeriesFacts, type UnitRange } from '../descriptors/coverage';
import type { AccountStatus } from '../../db/generated/enums';
import type { Actor, AdministrativeKind, AdministrativeRecordRow, ScopeType } from '../types';
import type { BuiltInRuleBook } from './built-in';
import { publishedVersion, versionInForce } from './catalog';
import { recordId } from './records';
import type { Diversion, RuleAccount, RuleContext, RuledKind, RuleSettingsInput } from './types';

type Operation = { readonly [field: string]: unknown };

const KINDS: ReadonlySet<string> = new Set<AdministrativeKind>(['RULE_SETTING', 'RULE_SUSPENSION', 'RULE_SUSPENSION_LIFT', 'CORRECTION', 'AUTHORIZATION', 'FIRST_TRANSFER_MARKER', 'RESERVATION', 'RESERVATION_RELEASE']);
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

const diversionsText = (diversions: readonly Diversion[]): string => canonicalJson(diversions.map((d) => ({ accountId: d.accountId, quantity: d.quantity })));

/** The published version a `rule` operation names, checked against the entry's versions and time, with its settings parsed. */
function ruleOf(op: Operation, versions: Record<string, unknown>, at: string) {
  const name = String(op.rule);
  const version = op.version;
  if (typeof version !== 'number') return 'no version';
  if (versions[name] !== version) return `the entry's ruleVersions name ${String(versions[name])}, the operation ${version}`;
  const rule = publishedVersion(name, version);
  if (!rule) return `version ${version} is not in the rule catalog`;
  if (versionInForce(name, at)?.version !== version) return `version ${version} was not in force at ${at}`;
  const settings = op.settings as RuleSettingsInput;
  const parsed = typeof settings === 'object' && settings !== null ? rule.parseSettings(settings) : { ok: false as const, problem: 'no settings' };
  if (!parsed.ok) return `settings invalid for version ${version}: ${parsed.problem}`;
  return { rule, version, parsed };
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
  /** Suspensions lifted early: the moment each was lifted, by the suspension's id. */
  private readonly lifted = new Map<string, string>();
  /** Reservations (transfers that wait) by the transaction that made them. */
  private readonly reservations = new Map<string, AdministrativeRecordRow>();
  /** The first-transfer markers and reservation the entry being applied records. */
  private readonly entryMarkers: AdministrativeRecordRow[] = [];
  private entryHolds = false;
  /** The reservation the entry being applied delivers on approval, if it does. */
  private entryDelivers: AdministrativeRecordRow | null = null;

  constructor(private readonly builtIns: BuiltInRuleBook) {}

  beginEntry(): void {
    this.counter = 0;
    this.pending.length = 0;
    this.entryMarkers.length = 0;
    this.entryHolds = false;
    this.entryDelivers = null;
  }

  /** A `record` operation; returns what is wrong with it, or null. */
  record(op: Operation, transactionId: string, createdAt: string): string | null {
    const { kind, subject, scopeType, scopeId, body, validFrom, validUntil } = op;
    if (typeof kind !== 'string' || !KINDS.has(kind)) return 'unknown record kind';
    if (typeof subject !== 'string' || typeof scopeType !== 'string' || !SCOPES.has(scopeType) || typeof scopeId !== 'string') return 'record lacks subject or scope';
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'record body is not an object';
    if ((validFrom !== null && typeof validFrom !== 'string') || (validUntil !== null && typeof validUntil !== 'string')) return 'record validity is neither a time nor null';
    if (kind === 'AUTHORIZATION' && validFrom === null) return 'an authorization without the moment it applies from';
    if (kind === 'RULE_SUSPENSION_LIFT') {
      const problem = this.lift(body as { suspension?: unknown }, subject, validFrom, createdAt);
      if (problem) return problem;
    }
    const id = recordId(transactionId, this.counter++);
    const row: AdministrativeRecordRow = { id, kind: kind as AdministrativeKind, subject, scopeType: scopeType as ScopeType, scopeId, body: canonicalJson(body as CanonicalValue), validFrom, validUntil, transactionId, createdAt };
    this.records.set(id, row);
    if (kind === 'AUTHORIZATION') this.authorizations.push(authorizationOf(row));
    if (kind === 'FIRST_TRANSFER_MARKER') this.entryMarkers.push(row);
    if (kind === 'RESERVATION') {
      this.entryHolds = true;
      this.reservations.set(transactionId, row);
    }
    if (kind === 'RESERVATION_RELEASE' && subject === 'APPROVE') {
      const reservation = this.reservations.get(scopeId);
      if (!reservation) return `an approval of ${scopeId}, which made no reservation`;
      this.entryDelivers = reservation;
    }
    return null;
  }

  /**
   * The kind of transfer the rules judged an entry as: its own kind, or a transfer for the delivery of
   * a transfer that waited (an approval); null for entries the rules do not judge.
   */
  private ruledKind(kind: string): RuledKind | null {
    if (RULED.has(kind)) return kind as RuledKind;
    return kind === 'RELEASE_RESERVATION' && this.entryDelivers ? 'TRANSFER' : null;
  }

  /**
   * Whether the entry being applied must be judged again: it has rule operations, or it is a ruled
   * transaction in a registry with authorizations (first-transfer markers), or it records markers.
   */
  needsJudging(kind: string): boolean {
    return this.pending.length > 0 || this.entryMarkers.length > 0 || (this.authorizations.length > 0 && this.ruledKind(kind) !== null);
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
    const ruledKind = this.ruledKind(entry.kind);
    if (ruledKind === null) return `${entry.kind} transactions are not judged by pluggable rules`;
    const versions = (typeof entry.ruleVersions === 'object' && entry.ruleVersions !== null ? entry.ruleVersions : {}) as Record<string, unknown>;
    const diverted = new Map<string, bigint>();
    for (const op of this.pending) {
      const problem = op.op === 'rule' ? this.rejudge(op, entry, ruledKind, versions, accountOf, diverted) : this.suspended(op, entry.createdAt);
      if (problem) return `${String(op.op)} ${String(op.rule)}: ${problem}`;
    }
    for (const [accountId, quantity] of diverted) {
      const created = entry.createdByAccount.get(accountId) ?? 0n;
      if (created !== quantity) return `the rules divert ${quantity} units to ${accountId}, the entry creates ${created} there`;
    }
    return null;
  }

  private rejudge(op: Operation, entry: ReplayedEntry, ruledKind: RuledKind, versions: Record<string, unknown>, accountOf: (id: string) => RuleAccount | null, diverted: Map<string, bigint>): string | null {
    const found = ruleOf(op, versions, entry.createdAt);
    if (typeof found === 'string') return found;
    const { rule, version, parsed } = found;
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
    const verdict = rule.evaluate({ kind: ruledKind, at: entry.createdAt, actor: entry.actor, from, to, quantity, units, authorizations }, parsed.settings);
    if (verdict.refusals.length > 0) return `version ${version} refuses what was recorded (${verdict.refusals.map((r) => r.code).join(', ')})`;
    // A holding rule reserves, in escrow, whatever the entry's other rules did not divert (every unit
    // since supplementary operations wait for the delivery); a delivery is not held again.
    let otherwise = 0n;
    for (const other of this.pending) if (other !== op && Array.isArray(other.diversions)) for (const d of other.diversions as { quantity?: unknown }[]) otherwise += typeof d.quantity === 'string' ? BigInt(d.quantity) : 0n;
    const holds = verdict.hold !== undefined && this.entryDelivers === null;
    const diversions = holds && verdict.hold ? [...verdict.diversions, { accountId: verdict.hold.escrowAccountId, quantity: quantity - otherwise }] : verdict.diversions;
    // Supplementary operations deferred to the delivery of a transfer that waits: logged, not carried out.
    if (op.deferred !== undefined) {
      if (!this.entryHolds) return 'supplementary operations deferred in a transaction that does not wait';
      if (canonicalJson(op.deferred as CanonicalValue) !== diversionsText(verdict.diversions)) return `version ${version} gives the supplementary operations ${diversionsText(verdict.diversions)}, the entry deferred ${canonicalJson(op.deferred as CanonicalValue)}`;
      if (canonicalJson(op.diversions as CanonicalValue) !== '[]') return 'deferred supplementary operations were carried out';
      return null;
    }
    const expected = diversionsText(diversions);
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
    if (this.ruledKind(entry.kind) === null) return logged.length > 0 ? `${entry.kind} transactions create no markers` : null;
    for (const m of logged) if (m.validFrom !== entry.createdAt) return `a marker dated ${String(m.validFrom)}, the entry is of ${entry.createdAt}`;
    const versions = (typeof entry.ruleVersions === 'object' && entry.ruleVersions !== null ? entry.ruleVersions : {}) as Record<string, unknown>;
    // Entries from before the rule existed name no version of it and may have no markers.
    if (versions['first-transfer'] === undefined) return logged.length > 0 ? 'markers from an entry that names no version of first-transfer' : null;
    // The version is the one in force at the entry's time (checked for every entry by the replayer).
    const firstTransfer = this.builtIns.atText(entry.createdAt).firstTransfer;
    if (versions['first-transfer'] !== firstTransfer.version) return `version ${String(versions['first-transfer'])} was not in force at ${entry.createdAt}`;
    const expected: { key: string; firstSerial: bigint; lastSerial: bigint }[] = [];
    if (!this.entryHolds) {
      const context = this.markerContext(entry, accountOf);
      if (typeof context === 'string') return context;
      if (context) {
        const candidates = firstTransfer.candidates(context);
        if (candidates.length > 0) {
          // The markers before this entry, of the series concerned.
          const existing = new Map<'NDC' | 'OIMP', SerialRange[]>();
          const seriesIds = new Set(candidates.flatMap((c) => c.units.map((u) => u.seriesId)));
          for (const use of ['NDC', 'OIMP'] as const) existing.set(use, [...seriesIds].flatMap((id) => this.markers.get(`${use} ${id}`) ?? []));
          for (const c of firstTransfer.newMarkers(candidates, existing)) for (const u of c.units) expected.push({ key: `${c.use} ${u.seriesId} ${c.authorization} ${c.event}`, firstSerial: u.firstSerial, lastSerial: u.lastSerial });
        }
      }
    }
    const a = mergedRanges(logged);
    const b = mergedRanges(expected);
    return a === b ? null : `the entry records markers ${a || 'none'}, version ${firstTransfer.version} makes ${b || 'none'}`;
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
    const kind = this.ruledKind(entry.kind);
    if (kind === null) return null;
    // A delivery is the transfer it completes: between the accounts of its reservation.
    const proposal = this.entryDelivers
      ? (JSON.parse(this.entryDelivers.body) as { fromAccountId?: string; toAccountId?: string })
      : ((entry.input as { proposal?: { fromAccountId?: string; toAccountId?: string; accountId?: string } } | undefined)?.proposal ?? {});
    const fromId = kind === 'ISSUANCE' ? null : (proposal.fromAccountId ?? null);
    const toId = kind === 'ISSUANCE' ? (proposal as { accountId?: string }).accountId : kind === 'TRANSFER' ? proposal.toAccountId : entry.created[0]?.accountId;
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
    return { kind, at: entry.createdAt, actor: entry.actor, from, to, quantity, units, authorizations: inForce(this.authorizations, entry.createdAt) };
  }

  /** A lift must name a suspension of the rule that has not ended nor been lifted, and take effect when recorded. */
  private lift(body: { suspension?: unknown }, rule: string, validFrom: unknown, createdAt: string): string | null {
    const suspension = typeof body.suspension === 'string' ? this.records.get(body.suspension) : undefined;
    if (!suspension || suspension.kind !== 'RULE_SUSPENSION' || suspension.subject !== rule) return `a lift of ${String(body.suspension)}, which is no suspension of ${rule}`;
    if (this.lifted.has(suspension.id)) return `the suspension ${suspension.id} is lifted twice`;
    if (validFrom !== createdAt) return 'a lift that does not take effect when it is recorded';
    if (suspension.validUntil === null || suspension.validUntil <= createdAt) return `the suspension ${suspension.id} had ended before it was lifted`;
    this.lifted.set(suspension.id, createdAt);
    return null;
  }

  private suspended(op: Operation, at: string): string | null {
    if (op.op !== 'rule-suspended') return 'unknown rule operation';
    const suspension = typeof op.suspension === 'string' ? this.records.get(op.suspension) : undefined;
    if (!suspension || suspension.kind !== 'RULE_SUSPENSION' || suspension.subject !== op.rule) return `no suspension ${String(op.suspension)} of this rule`;
    if (!(suspension.validFrom !== null && suspension.validFrom <= at && suspension.validUntil !== null && at < suspension.validUntil)) return `the suspension ${suspension.id} does not cover ${at}`;
    const liftedAt = this.lifted.get(suspension.id);
    if (liftedAt !== undefined && liftedAt <= at) return `the suspension ${suspension.id} was lifted at ${liftedAt}`;
    return null;
  }

  /**
   * A refusal by the pluggable rules (6xxx), judged again (A6R-39): the rule operations its entry logged
   * in `verdicts` are evaluated by the versions and settings they name, on the units and accounts
   * judged, with the authorizations rebuilt from the log; they must refuse with exactly the entry's
   * codes. When the rules themselves refused nothing, the refusal was the accounts that receive
   * supplementary units (6002): judged again by their status at the entry's place in the log and the
   * built-in rules in force. Returns the problem, or null.
   *
   * Limits: entries written before refusals carried their verdicts are not judged again; the units
   * judged are those the entry names (replay does not select them again from the transferring account).
   */
  judgeRefusal(payload: { readonly refusals?: unknown; readonly ruleVersions?: unknown; readonly verdicts?: unknown; readonly input?: unknown }, createdAt: string, accountOf: (id: string) => (RuleAccount & { readonly status: AccountStatus }) | null, seriesOf: (id: string) => SeriesFacts | null): string | null {
    const refusals = Array.isArray(payload.refusals) ? (payload.refusals as { code?: unknown }[]) : [];
    const codes = refusals.map((r) => Number(r.code));
    if (!codes.some((code) => code >= 6000 && code < 7000)) return payload.verdicts === undefined ? null : 'verdicts logged with a refusal that is not the rules\'';
    const v = payload.verdicts as { kind?: unknown; delivery?: unknown; from?: unknown; to?: unknown; quantity?: unknown; units?: unknown; operations?: unknown } | undefined;
    if (v === undefined) return null;
    if (typeof v !== 'object' || v === null || !Array.isArray(v.units) || !Array.isArray(v.operations) || typeof v.kind !== 'string' || !RULED.has(v.kind) || typeof v.to !== 'string' || typeof v.quantity !== 'string' || !/^[0-9]+$/.test(v.quantity)) return 'the verdicts of a refusal are malformed';
    const kind = v.kind as RuledKind;
    const from = typeof v.from === 'string' ? accountOf(v.from) : null;
    const to = accountOf(v.to);
    if (!to || (v.from !== null && !from)) return 'the verdicts of a refusal name an account that does not exist';
    const quantity = BigInt(v.quantity);
    const units: UnitRange[] = [];
    let counted = 0n;
    for (const u of v.units as { seriesId?: unknown; firstSerial?: unknown; lastSerial?: unknown }[]) {
      const series = typeof u.seriesId === 'string' ? seriesOf(u.seriesId) : null;
      if (!series || typeof u.firstSerial !== 'string' || typeof u.lastSerial !== 'string') return 'the verdicts of a refusal name units of an unknown series';
      const unit = { seriesId: u.seriesId as string, firstSerial: BigInt(u.firstSerial), lastSerial: BigInt(u.lastSerial), series };
      if (unit.firstSerial > unit.lastSerial) return 'the verdicts of a refusal name an empty range';
      counted += unit.lastSerial - unit.firstSerial + 1n;
      units.push(unit);
    }
    if (counted !== quantity) return `the verdicts of a refusal judge ${quantity} units but name ${counted}`;
    const actor = ((payload.input as { actor?: Actor } | undefined)?.actor ?? { userId: '', impersonatorId: null, grants: [] }) as Actor;
    const context: RuleContext = { kind, at: createdAt, actor, from, to, quantity, units, authorizations: inForce(this.authorizations, createdAt) };
    const versions = (typeof payload.ruleVersions === 'object' && payload.ruleVersions !== null ? payload.ruleVersions : {}) as Record<string, unknown>;
    const expected: number[] = [];
    const diverted: Diversion[] = [];
    let escrow: string | null = null;
    for (const op of v.operations as Operation[]) {
      if (op.op === 'rule-suspended') {
        const problem = this.suspended(op, createdAt);
        if (problem) return `rule-suspended ${String(op.rule)}: ${problem}`;
        continue;
      }
      if (op.op !== 'rule') return 'unknown rule operation in the verdicts of a refusal';
      const found = ruleOf(op, versions, createdAt);
      if (typeof found === 'string') return `rule ${String(op.rule)}: ${found}`;
      const setting = typeof op.setting === 'string' ? this.records.get(op.setting) : undefined;
      if (!setting || setting.kind !== 'RULE_SETTING' || setting.subject !== op.rule) return `rule ${String(op.rule)}: no setting ${String(op.setting)} of this rule`;
      if (canonicalJson((JSON.parse(setting.body) as { settings: CanonicalValue }).settings) !== canonicalJson(op.settings as CanonicalValue)) return `rule ${String(op.rule)}: the settings logged are not those of ${setting.id}`;
      const verdict = found.rule.evaluate(context, found.parsed.settings);
      expected.push(...verdict.refusals.map((r) => r.code));
      diverted.push(...verdict.diversions);
      if (verdict.hold && v.delivery !== true && escrow === null) escrow = verdict.hold.escrowAccountId;
    }
    // The accounts receiving units, judged as the engine does when the rules themselves refused nothing:
    // a held transfer sends every unit to escrow (its other supplementary operations wait for the delivery).
    const diversions = escrow === null ? diverted : [{ accountId: escrow, quantity }];
    if (expected.length === 0 && diversions.length > 0) {
      const accountType = this.builtIns.atText(createdAt).accountType;
      for (const id of [...new Set(diversions.map((d) => d.accountId))].sort()) {
        const account = accountOf(id);
        if (!account || account.status !== 'ACTIVE' || !accountType.canAcquire(account.type) || id === to.id || id === from?.id) expected.push(6002);
      }
      const total = diversions.reduce((sum, d) => sum + d.quantity, 0n);
      if (escrow === null ? total >= quantity : total !== quantity) expected.push(6002);
    }
    const sorted = [...expected].sort((a, b) => a - b);
    const group = sorted.length === 0 ? [] : sorted.filter((c) => Math.floor(c / 1000) === Math.floor((sorted[0] as number) / 1000));
    const logged = [...codes].sort((a, b) => a - b);
    return group.join(',') === logged.join(',') ? null : `the rules judged again refuse with ${group.join(', ') || 'nothing'}, the entry with ${logged.join(', ')}`;
  }

  /** The records rebuilt, by id. */
  rows(): AdministrativeRecordRow[] {
    return [...this.records.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }
}
