import type { AccountType } from '../../db/generated/enums';
import type { Refusal } from '../check-codes';
import type { Authorization, UnitRange } from '../descriptors/coverage';
import type { Actor } from '../types';

/**
 * The vocabulary of business rules (A6R-37..39, docs/rules.md). A rule is a named module; each of its
 * versions is a file `rules/<name>/v<N>.ts` that is never edited once published: a newer version
 * supersedes it from its `effectiveFrom`, and a version with `retiresAt` stops applying then.
 */

/**
 * Facts of an account a rule may judge: those that never change. Its status is the built-in rules'
 * concern, judged by the operation before any pluggable rule.
 */
export interface RuleAccount {
  readonly id: string;
  readonly type: AccountType;
  readonly sectionId: string | null;
  readonly cooperativeApproachId: string | null;
}

/** The kinds of transaction pluggable rules judge. */
export type RuledKind = 'ISSUANCE' | 'TRANSFER' | 'EXTERNAL_TRANSFER';

/**
 * The data context of a transaction, as a pluggable rule receives it: decided by the operation, not
 * yet recorded. `from` is null for an issuance; `to` is the issuance account, the acquiring account or
 * (external transfers) the proxy account. `quantity` is the number of units issued or moved.
 */
export interface RuleContext {
  readonly kind: RuledKind;
  /** ISO-8601 UTC, the transaction's time. */
  readonly at: string;
  readonly actor: Actor;
  readonly from: RuleAccount | null;
  readonly to: RuleAccount;
  readonly quantity: bigint;
  /** The units issued or moved, as they arrive in `to` before any supplementary operation. */
  readonly units: readonly UnitRange[];
  /** The authorizations (descriptor records, A6R-45) in force at `at`. */
  readonly authorizations: readonly Authorization[];
}

/**
 * A supplementary operation (A6R-37): part of the units issued or moved goes to another account in the
 * same transaction, atomically (a fee, a levy, a share of proceeds). Taken from the units arriving in
 * `to`, the highest serials first.
 */
export interface Diversion {
  readonly accountId: string;
  readonly quantity: bigint;
}

/**
 * A rule's ruling: refusals (6xxx codes) or nothing against, and any supplementary operations. `hold`
 * makes the transaction wait (A6R-47): the units that would arrive go to the escrow account instead,
 * reserved, until a second person approves (they go on) or it is rejected or expires (they go back).
 */
export interface RuleVerdict {
  readonly refusals: readonly Refusal[];
  readonly diversions: readonly Diversion[];
  readonly hold?: { readonly escrowAccountId: string; readonly expiresAt: string };
}

export const ALLOW: RuleVerdict = { refusals: [], diversions: [] };

/** Settings as configured: a flat JSON object (bigint quantities travel as decimal strings). */
export type RuleSettingsInput = { readonly [key: string]: string | number | boolean | null };

export type Parsed<S> = { readonly ok: true; readonly settings: S } | { readonly ok: false; readonly problem: string };

/** One published version of a pluggable rule. */
export interface PluggableRuleVersion<S = unknown> {
  readonly name: string;
  readonly version: number;
  /** When this version starts to apply (ISO-8601 UTC); it supersedes earlier versions from then. */
  readonly effectiveFrom: string;
  /** When this version stops applying, whether or not a newer one follows; null: not scheduled. */
  readonly retiresAt: string | null;
  /** One line for administrators: what the rule does. */
  readonly summary: string;
  readonly appliesTo: readonly RuledKind[];
  /** Whether a section administrator may configure it for his section and its accounts. */
  readonly sectionConfigurable: boolean;
  parseSettings(input: RuleSettingsInput): Parsed<S>;
  evaluate(context: RuleContext, settings: S): RuleVerdict;
}

/** One published version of a built-in rule: always applies; its logic is called by the operations. */
export interface BuiltInRuleVersion {
  readonly name: string;
  readonly version: number;
  readonly effectiveFrom: string;
  readonly retiresAt: string | null;
  readonly summary: string;
}
