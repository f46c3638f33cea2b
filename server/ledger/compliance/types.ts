import type pg from 'pg';
import type { Parsed, RuleSettingsInput } from '../rules/types';

/**
 * Compliance rules (A6R-19) judge permissible end states of the registry's data, not transactions.
 * Like business rules they are named, versioned modules (`compliance/<name>/v<N>.ts`, never edited once
 * published), configured as logged configuration changes (CONFIGURE_RULE, registry scope), and run
 * after each transaction (on what it touched) and on demand (on everything), producing a report.
 */
export interface ComplianceFinding {
  readonly accountId: string;
  readonly message: string;
  readonly data: Readonly<Record<string, string | number | null>>;
}

/** Restricts a run to what one transaction touched: the accounts it created blocks in. */
export interface ComplianceScope {
  readonly accountIds: readonly string[] | null;
}

export interface ComplianceRuleVersion<S = unknown> {
  readonly name: string;
  readonly version: number;
  readonly effectiveFrom: string;
  readonly retiresAt: string | null;
  readonly summary: string;
  parseSettings(input: RuleSettingsInput): Parsed<S>;
  /** Read-only; `at` is the moment judged (ISO-8601 UTC). At most `limit` findings. */
  check(client: pg.PoolClient, settings: S, at: string, scope: ComplianceScope, limit: number): Promise<ComplianceFinding[]>;
}
