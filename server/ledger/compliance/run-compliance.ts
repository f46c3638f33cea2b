import type pg from 'pg';
import type { CanonicalValue } from '../canonical-json';
import type { SettingBody } from '../rules/records';
import { inSnapshot, type Queryable } from '../state';
import { complianceVersionInForce } from './catalog';
import type { ComplianceFinding } from './types';

export interface ComplianceResult {
  readonly rule: string;
  readonly version: number;
  readonly settings: CanonicalValue;
  readonly findings: readonly ComplianceFinding[];
}

export interface ComplianceReport {
  /** The moment judged, ISO-8601 UTC. */
  readonly at: string;
  /** The transaction whose accounts were judged, or null for the whole registry. */
  readonly transactionId: string | null;
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
  return [...latest].filter(([, body]) => body.enabled).map(([rule, body]) => ({ rule, body })).sort((a, b) => (a.rule < b.rule ? -1 : 1));
}

/**
 * Runs the configured compliance rules (A6R-19) in one snapshot, each at its version in force at `at`
 * (default now): on the whole registry, or, after a transaction, on the accounts it created blocks in,
 * as of that transaction's time unless `at` is given. Read-only.
 */
export async function runCompliance(db: Queryable, options: { at?: Date; transactionId?: string; limit?: number } = {}): Promise<ComplianceReport> {
  const limit = options.limit ?? 100;
  return inSnapshot(db, async (client) => {
    // After a transaction, by default the state it left: as of its own time.
    const recordedAt = options.transactionId && !options.at ? (await client.query<{ at: string }>(`SELECT to_char("createdAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at FROM "LedgerTransaction" WHERE id = $1`, [options.transactionId])).rows[0]?.at : undefined;
    const at = recordedAt ?? (options.at ?? new Date()).toISOString();
    const accountIds = options.transactionId ? (await client.query<{ accountId: string }>(`SELECT DISTINCT "accountId" FROM "UnitBlock" WHERE "createdByTxId" = $1`, [options.transactionId])).rows.map((r) => r.accountId) : null;
    const results: ComplianceResult[] = [];
    for (const { rule, body } of await configured(client)) {
      const version = complianceVersionInForce(rule, at);
      if (!version) continue;
      const parsed = version.parseSettings(body.settings);
      if (!parsed.ok) throw new Error(`compliance rule ${rule} v${version.version}: its settings are invalid (${parsed.problem})`);
      const findings = accountIds && accountIds.length === 0 ? [] : await version.check(client, parsed.settings, at, { accountIds }, limit);
      results.push({ rule, version: version.version, settings: { ...body.settings }, findings });
    }
    return { at, transactionId: options.transactionId ?? null, results, findings: results.reduce((sum, r) => sum + r.findings.length, 0) };
  });
}

/**
 * A notification step (LedgerContext.notify) that runs the compliance rules on what each recorded
 * transaction touched and hands a report with findings to `report`. It cannot change the outcome.
 */
export function complianceAfterEachTransaction(pool: Queryable, report: (r: ComplianceReport) => void): (proposal: unknown, outcome: { status: string; transactionId: string | null }) => Promise<void> {
  return async (_proposal, outcome) => {
    if (outcome.status !== 'RECORDED' || outcome.transactionId === null) return;
    const result = await runCompliance(pool, { transactionId: outcome.transactionId });
    if (result.findings > 0) report(result);
  };
}
