import { canonicalJson, type CanonicalValue } from '../canonical-json';
import { authorizationsInForce, type SerialRange, type SeriesFacts, type UnitRange } from '../descriptors/coverage';
import type { Actor } from '../types';
import { publishedVersion, versionInForce } from './catalog';
import { recordId, type AdministrativeKind, type AdministrativeRecordRow, type ScopeType } from './records';
import type { RuleAccount, RuledKind, RuleSettingsInput } from './types';

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

  beginEntry(): void {
    this.counter = 0;
    this.pending.length = 0;
  }

  /** A `record` operation; returns what is wrong with it, or null. */
  record(op: Operation, transactionId: string, createdAt: string): string | null {
    const { kind, subject, scopeType, scopeId, body, validFrom, validUntil } = op;
    if (typeof kind !== 'string' || !KINDS.has(kind)) return 'unknown record kind';
    if (typeof subject !== 'string' || typeof scopeType !== 'string' || !SCOPES.has(scopeType) || typeof scopeId !== 'string') return 'record lacks subject or scope';
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'record body is not an object';
    if ((validFrom !== null && typeof validFrom !== 'string') || (validUntil !== null && typeof validUntil !== 'string')) return 'record validity is neither a time nor null';
    const id = recordId(transactionId, this.counter++);
    this.records.set(id, { id, kind: kind as AdministrativeKind, subject, scopeType: scopeType as ScopeType, scopeId, body: canonicalJson(body as CanonicalValue), validFrom, validUntil, transactionId, createdAt });
    return null;
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
    const authorizations = authorizationsInForce([...this.records.values()], entry.createdAt);
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
