import type { AccountStatus, AccountType } from '../../db/generated/enums';
import type { SerialRange } from '../descriptors/coverage';
import type { AccountFacts, Actor } from '../types';
import { accountStatusV1, statusAllowsV1 } from './account-status/v1';
import { accountTypeV1, canAcquireV1, canGenerateV1, canTransferFromV1 } from './account-type/v1';
import { firstTransferCandidatesV1, firstTransferV1, newMarkersV1, type MarkerCandidate } from './first-transfer/v1';
import { initiationV1, mayInitiateOnV1 } from './initiation/v1';
import type { BuiltInRuleVersion, RuleContext } from './types';

/**
 * The built-in rules (A6R-37) are versioned like the pluggable ones (A6R-39): each version is a file
 * `rules/<name>/v<N>.ts` that is never edited once published; a newer version supersedes it from its
 * `effectiveFrom`. Unlike a pluggable rule, a built-in rule always applies, so a version retires only
 * when its successor starts, and the first version of each rule applies from the registry's beginning.
 *
 * The operations ask the book for the rules in force at the transaction's time (`at`), judge with
 * them, and record their versions in `ruleVersions`; replay refuses an entry that names a built-in
 * version other than the one in force at its time.
 */

export interface AccountTypeRule extends BuiltInRuleVersion {
  canGenerate(type: AccountType): boolean;
  canTransferFrom(type: AccountType): boolean;
  /** The proxy account receives only units leaving for another registry, never an internal transfer (A6R-54). */
  canAcquire(type: AccountType): boolean;
}

export interface AccountStatusRule extends BuiltInRuleVersion {
  statusAllows(status: AccountStatus, actor: Actor): boolean;
}

export interface InitiationRule extends BuiltInRuleVersion {
  mayInitiateOn(actor: Actor, account: AccountFacts): boolean;
}

export interface FirstTransferRule extends BuiltInRuleVersion {
  candidates(context: RuleContext): MarkerCandidate[];
  newMarkers(candidates: readonly MarkerCandidate[], existing: ReadonlyMap<'NDC' | 'OIMP', readonly SerialRange[]>): MarkerCandidate[];
}

/** Every published version of every built-in rule, oldest first. */
export interface BuiltInCatalog {
  readonly 'account-type': readonly AccountTypeRule[];
  readonly 'account-status': readonly AccountStatusRule[];
  readonly initiation: readonly InitiationRule[];
  readonly 'first-transfer': readonly FirstTransferRule[];
}

export type BuiltInRuleName = keyof BuiltInCatalog;

export const BUILT_IN_RULE_NAMES: readonly BuiltInRuleName[] = ['account-type', 'account-status', 'initiation', 'first-transfer'];

/** The built-in rules in force during one interval of time: one version of each. */
export interface BuiltInRules {
  readonly accountType: AccountTypeRule;
  readonly accountStatus: AccountStatusRule;
  readonly initiation: InitiationRule;
  readonly firstTransfer: FirstTransferRule;
  /** The versions, as `ruleVersions` records them. */
  readonly versions: Readonly<Record<BuiltInRuleName, number>>;
}

/** The catalog of the registry: version 1 of each built-in rule. */
export const BUILT_IN_CATALOG: BuiltInCatalog = {
  'account-type': [{ ...accountTypeV1, canGenerate: canGenerateV1, canTransferFrom: canTransferFromV1, canAcquire: canAcquireV1 }],
  'account-status': [{ ...accountStatusV1, statusAllows: statusAllowsV1 }],
  initiation: [{ ...initiationV1, mayInitiateOn: mayInitiateOnV1 }],
  'first-transfer': [{ ...firstTransferV1, candidates: firstTransferCandidatesV1, newMarkers: newMarkersV1 }],
};

interface Interval {
  /** Start and end in milliseconds since the epoch; the first interval starts at -Infinity, the last ends at +Infinity. */
  readonly fromMs: number;
  readonly untilMs: number;
  /** The same bounds as ISO-8601 UTC texts, which compare as times ('' and '\uffff' for the open ends). */
  readonly from: string;
  readonly until: string;
  readonly rules: BuiltInRules;
}

/**
 * The built-in rules by time. The catalog is checked once, when the book is made: versions numbered
 * 1..n without gaps, each starting after the one it supersedes, none retiring except when its
 * successor starts (a built-in rule never stops applying), the last not retiring at all.
 */
export class BuiltInRuleBook {
  private readonly intervals: readonly Interval[];
  /** The interval last asked for: consecutive transactions almost always fall in the same one. */
  private last: Interval;

  constructor(readonly catalog: BuiltInCatalog) {
    for (const name of BUILT_IN_RULE_NAMES) checkVersions(name, catalog[name]);
    const starts = [...new Set(BUILT_IN_RULE_NAMES.flatMap((name) => catalog[name].slice(1).map((v) => v.effectiveFrom)))].sort();
    const bounds = ['', ...starts, '\uffff'];
    this.intervals = bounds.slice(0, -1).map((from, i) => {
      const until = bounds[i + 1] as string;
      const pick = <R extends BuiltInRuleVersion>(versions: readonly R[]): R => {
        let found = versions[0] as R;
        for (const v of versions) if (v.effectiveFrom <= from) found = v;
        return found;
      };
      const accountType = pick(catalog['account-type']);
      const accountStatus = pick(catalog['account-status']);
      const initiation = pick(catalog.initiation);
      const firstTransfer = pick(catalog['first-transfer']);
      const versions = Object.freeze({ 'account-type': accountType.version, 'account-status': accountStatus.version, initiation: initiation.version, 'first-transfer': firstTransfer.version });
      return { fromMs: from === '' ? -Infinity : Date.parse(from), untilMs: until === '\uffff' ? Infinity : Date.parse(until), from, until, rules: Object.freeze({ accountType, accountStatus, initiation, firstTransfer, versions }) };
    });
    this.last = this.intervals[0] as Interval;
  }

  /** The built-in rules in force at `at`: one comparison in the common case. */
  at(at: Date): BuiltInRules {
    const ms = at.getTime();
    if (Number.isNaN(ms)) throw new Error('built-in rules: the time is not a time');
    if (ms >= this.last.fromMs && ms < this.last.untilMs) return this.last.rules;
    const found = this.intervals.find((i) => ms >= i.fromMs && ms < i.untilMs) as Interval;
    this.last = found;
    return found.rules;
  }

  /** The same, for a time as the log writes it (ISO-8601 UTC with milliseconds). */
  atText(at: string): BuiltInRules {
    if (at >= this.last.from && at < this.last.until) return this.last.rules;
    const found = this.intervals.find((i) => at >= i.from && at < i.until) as Interval;
    this.last = found;
    return found.rules;
  }

  /** Every version, as administrators see them. */
  all(): BuiltInRuleVersion[] {
    return BUILT_IN_RULE_NAMES.flatMap((name) => [...this.catalog[name]]);
  }

  isBuiltIn(name: string): name is BuiltInRuleName {
    return (BUILT_IN_RULE_NAMES as readonly string[]).includes(name);
  }
}

function checkVersions(name: string, versions: readonly BuiltInRuleVersion[]): void {
  if (versions.length === 0) throw new Error(`built-in rule catalog: ${name} has no version`);
  versions.forEach((v, i) => {
    if (v.name !== name) throw new Error(`built-in rule catalog: ${v.name} v${v.version} is listed under ${name}`);
    if (v.version !== i + 1) throw new Error(`built-in rule catalog: ${name} version ${v.version} is out of order (expected ${i + 1})`);
    if (Number.isNaN(Date.parse(v.effectiveFrom)) || new Date(v.effectiveFrom).toISOString() !== v.effectiveFrom) throw new Error(`built-in rule catalog: ${name} v${v.version} starts at ${v.effectiveFrom}, not an ISO-8601 UTC time`);
    const previous = versions[i - 1];
    if (previous && !(previous.effectiveFrom < v.effectiveFrom)) throw new Error(`built-in rule catalog: ${name} v${v.version} must start after v${previous.version}`);
    const next = versions[i + 1];
    if (!next && v.retiresAt !== null) throw new Error(`built-in rule catalog: ${name} v${v.version} retires with no successor, and a built-in rule always applies`);
    if (next && v.retiresAt !== null && v.retiresAt !== next.effectiveFrom) throw new Error(`built-in rule catalog: ${name} v${v.version} retires at ${v.retiresAt}, not when v${next.version} starts (${next.effectiveFrom})`);
  });
}

/** The registry's book of built-in rules. Tests give the ledger another (LedgerContext.builtInRules). */
export const BUILT_IN_RULES = new BuiltInRuleBook(BUILT_IN_CATALOG);

// The ledger context (server/ledger/types.ts) carries the book of built-in rules. The core cannot name
// the book's type without importing the rules, so the book adds its member to the context here.
declare module '../types' {
  interface LedgerContext {
    /**
     * The built-in rules by date; absent: the registry's own book (BUILT_IN_RULES). Tests give a book
     * with versions scheduled around their clock; replay must be given the same one.
     */
    readonly builtInRules?: BuiltInRuleBook;
  }
}

/** The built-in rules in force at `at` for a ledger: its own book, or the registry's. */
export function builtInRulesAt(ctx: { readonly builtInRules?: BuiltInRuleBook }, at: Date): BuiltInRules {
  return (ctx.builtInRules ?? BUILT_IN_RULES).at(at);
}
