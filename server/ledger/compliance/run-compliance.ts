import type pg from 'pg';
import type { CanonicalValue } from '../canonical-json';
import type { SettingBody } from '../rules/records';
import { inSnapshot, type Queryable } from '../state';
import { complianceVersionInForce, isComplianceRule } from './catalog';
import type { ComplianceFinding } from './types';

export interface ComplianceResult {
  readonly rule: string;
  readonly version: number;
  readonly settings: CanonicalValue;
  readonly findings: readonly ComplianceFinding[];
  /** The rule found as many as it was allowed to report: there may be more. */
  readonly truncated: boolean;
}

export interface ComplianceReport {
  /** The moment judged, ISO-8601 UTC. */
  readonly at: string;
  /** The transactions whose accounts were judged; empty for the whole registry. */
  readonly transactionIds: readonly string[];
  /** The accounts judged, or null for the whole registry. */
  readonly accountIds: readonly string[] | null;
  readonly results: readonly ComplianceResult[];
  readonly findings: number;
}

/** The compliance rules switched on (latest registry-wide setting of each, enabled). */
async function configured(client: pg.PoolClient): Promise<{ rule: string; body: SettingBody }[]> {
  const rows = await client.query<{ subject: string; body: string }>(`SELECT subject, body FROM "AdministrativeRecord" WHERE kind = 'RULE_SETTING' AND "scopeType" = 'REGISTRY'`);
  const latest = new Map<string, SettingBody>();
  for (const r of rows.rows) {
    const body = JSON.parse(r.body) as SettingBody;
    const known = latest.get(r.subject);
    if (!known || known.revision < body.revision) latest.set(r.subject, body);
  }
  return [...latest].filter(([rule, body]) => body.enabled && isComplianceRule(rule)).map(([rule, body]) => ({ rule, body })).sort((a, b) => (a.rule < b.rule ? -1 : 1));
}

/**
 * The accounts that recorded transactions touched: those they created or closed blocks in. Closing
 * counts too, so that units moving out of an account let a finding about them be seen as resolved.
 */
async function touchedAccounts(client: pg.PoolClient, transactionIds: readonly string[]): Promise<string[]> {
  const found = await client.query<{ accountId: string }>(
    `SELECT DISTINCT "accountId" FROM "UnitBlock" WHERE "createdByTxId" = ANY($1::text[]) OR "closedByTxId" = ANY($1::text[]) ORDER BY "accountId"`,
    [transactionIds],
  );
  return found.rows.map((r) => r.accountId);
}

export interface ComplianceOptions {
  /** The moment judged (default now). */
  readonly at?: Date;
  /** Judge only the accounts these transactions touched; absent: the whole registry. */
  readonly transactionIds?: readonly string[];
  /** At most this many findings per rule (default 100); a result that reaches it is `truncated`. */
  readonly limit?: number;
}

/**
 * Runs the configured compliance rules (A6R-19) in one snapshot, each at its version in force at `at`
 * (default now): on the whole registry, or, after transactions, on the accounts they touched.
 * Read-only. Given a connection, runs in the caller's transaction (which should be a snapshot).
 */
export async function runCompliance(db: Queryable, options: ComplianceOptions = {}): Promise<ComplianceReport> {
  const limit = options.limit ?? 100;
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`runCompliance: limit must be a positive whole number, got ${limit}`);
  return inSnapshot(db, async (client) => {
    const at = (options.at ?? new Date()).toISOString();
    const transactionIds = options.transactionIds ?? [];
    const accountIds = options.transactionIds ? await touchedAccounts(client, transactionIds) : null;
    const results: ComplianceResult[] = [];
    for (const { rule, body } of await configured(client)) {
      const version = complianceVersionInForce(rule, at);
      if (!version) continue;
      const parsed = version.parseSettings(body.settings);
      if (!parsed.ok) throw new Error(`compliance rule ${rule} v${version.version}: its settings are invalid (${parsed.problem})`);
      const findings = accountIds && accountIds.length === 0 ? [] : await version.check(client, parsed.settings, at, { accountIds }, limit);
      if (findings.length > limit) throw new Error(`compliance rule ${rule} v${version.version} returned ${findings.length} findings, more than the limit ${limit}`);
      results.push({ rule, version: version.version, settings: { ...body.settings }, findings, truncated: findings.length === limit });
    }
    return { at, transactionIds, accountIds, results, findings: results.reduce((sum, r) => sum + r.findings.length, 0) };
  });
}
