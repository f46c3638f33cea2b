import type { AccountStatus, AccountType } from '../../db/generated/enums';
import { canAcquire } from '../account-rules';
import type { CanonicalValue } from '../canonical-json';
import { refusal, type Refusal } from '../check-codes';
import { operationsOf, type Changes } from '../plan';
import { prepared, utc, type Sql } from '../sql';
import type { Actor, Proposal } from '../types';
import { BUILT_IN_VERSIONS, versionInForce } from './catalog';
import { divert } from './divert';
import { coveringSuspension, governingSettings, type AdministrativeRecordRow } from './records';
import type { Diversion, RuleAccount, RuleContext, RuledKind, RuleVerdict } from './types';

/**
 * The rules engine (A6R-37, A6R-38): after an operation has decided a transaction and before it is
 * recorded, the pluggable rules that govern it are judged, each at the version in force at the
 * transaction's time, and their supplementary operations are folded into its changes. What applied is
 * logged: the versions in `ruleVersions`, and per rule an elementary operation `rule` (or
 * `rule-suspended`) that lets replay judge the transaction again with the same version and settings.
 */

type RecordRef = Pick<AdministrativeRecordRow, 'id' | 'kind' | 'subject' | 'scopeType' | 'scopeId' | 'body'>;

export interface Judgement {
  readonly ruleVersions: Readonly<Record<string, number>>;
  readonly refusals: readonly Refusal[];
  readonly diversions: readonly Diversion[];
  /** The `rule` and `rule-suspended` operations to log. */
  readonly operations: readonly CanonicalValue[];
}

/**
 * Judges a transaction by the pluggable rules its settings make applicable, skipping those a
 * suspension covers. Pure: `records` are the settings of the scopes involved and the suspensions in
 * force at `context.at`.
 */
export function judge(context: RuleContext, records: readonly RecordRef[]): Judgement {
  const accounts = [context.from, context.to];
  const ruleVersions: Record<string, number> = { ...BUILT_IN_VERSIONS };
  const refusals: Refusal[] = [];
  const diversions: Diversion[] = [];
  const operations: CanonicalValue[] = [];
  for (const setting of governingSettings(records, accounts)) {
    const rule = versionInForce(setting.rule, context.at);
    // Retired without a successor, or not yet in force: the rule does not apply.
    if (!rule || !rule.appliesTo.includes(context.kind)) continue;
    const suspension = coveringSuspension(records, setting.rule, accounts);
    if (suspension) {
      operations.push({ op: 'rule-suspended', rule: setting.rule, version: rule.version, suspension: suspension.id });
      continue;
    }
    const parsed = rule.parseSettings(setting.body.settings);
    // Settings are checked against every version in force from their date on when configured.
    if (!parsed.ok) throw new Error(`rule ${rule.name} v${rule.version}: the setting ${setting.recordId} is invalid (${parsed.problem})`);
    const verdict: RuleVerdict = rule.evaluate(context, parsed.settings);
    ruleVersions[rule.name] = rule.version;
    refusals.push(...verdict.refusals);
    diversions.push(...verdict.diversions);
    operations.push(ruleOperation(rule.name, rule.version, setting.recordId, setting.body.settings, context, verdict.diversions));
  }
  return { ruleVersions, refusals, diversions, operations };
}

export function ruleOperation(rule: string, version: number, settingId: string, settings: CanonicalValue, context: RuleContext, diversions: readonly Diversion[]): CanonicalValue {
  return {
    op: 'rule',
    rule,
    version,
    setting: settingId,
    settings,
    from: context.from?.id ?? null,
    to: context.to.id,
    quantity: context.quantity,
    diversions: diversions.map((d) => ({ accountId: d.accountId, quantity: d.quantity })),
  };
}

export type RuleOutcome =
  | { readonly ok: true; readonly changes: Changes; readonly operations: readonly CanonicalValue[]; readonly ruleVersions: Readonly<Record<string, number>> }
  | { readonly ok: false; readonly refusals: readonly Refusal[]; readonly ruleVersions: Readonly<Record<string, number>> };

interface Decided {
  readonly createdAt: Date;
  readonly quantity: bigint;
  readonly changes: Changes;
  readonly operations: readonly CanonicalValue[];
}

/** The accounts a ruled transaction is between: [transferring or null, acquiring]. */
function partiesOf(proposal: Proposal, changes: Changes): { kind: RuledKind; from: string | null; to: string } | null {
  switch (proposal.kind) {
    case 'ISSUANCE':
      return { kind: 'ISSUANCE', from: null, to: proposal.accountId };
    case 'TRANSFER':
      return { kind: 'TRANSFER', from: proposal.fromAccountId, to: proposal.toAccountId };
    case 'EXTERNAL_TRANSFER': {
      // The taken range goes to the proxy account and comes first among the created blocks.
      const proxy = changes.create[0]?.accountId;
      if (!proxy) throw new Error('an external transfer that creates nothing');
      return { kind: 'EXTERNAL_TRANSFER', from: proposal.fromAccountId, to: proxy };
    }
    default:
      return null;
  }
}

const CONTEXT_QUERY = `
  WITH acc AS (SELECT id, type, status, "sectionId", "cooperativeApproachId" FROM "Account" WHERE id = ANY($1::text[]))
  SELECT (SELECT coalesce(jsonb_agg(jsonb_build_object('id', id, 'type', type, 'status', status, 'sectionId', "sectionId", 'cooperativeApproachId', "cooperativeApproachId")), '[]'::jsonb) FROM acc) AS accounts,
         (SELECT coalesce(jsonb_agg(jsonb_build_object('id', r.id, 'kind', r.kind, 'subject', r.subject, 'scopeType', r."scopeType", 'scopeId', r."scopeId", 'body', r.body)), '[]'::jsonb)
            FROM "AdministrativeRecord" r
           WHERE r.kind IN ('RULE_SETTING', 'RULE_SUSPENSION')
             AND (r."scopeType" = 'REGISTRY'
                  OR (r."scopeType" = 'ACCOUNT' AND r."scopeId" IN (SELECT id FROM acc))
                  OR (r."scopeType" = 'SECTION' AND r."scopeId" IN (SELECT "sectionId" FROM acc))
                  OR (r."scopeType" = 'COOPERATIVE_APPROACH' AND r."scopeId" IN (SELECT "cooperativeApproachId" FROM acc)))
             AND (r.kind = 'RULE_SETTING' OR (r."validFrom" <= $2::timestamp AND r."validUntil" > $2::timestamp))) AS records`;

/** The facts of the accounts, and the settings and suspensions that may concern them at `at`: one query. */
export async function loadRuleContext(sql: Sql, ids: readonly string[], at: Date): Promise<{ accounts: Map<string, RuleAccount>; records: RecordRef[] }> {
  const found = await prepared<{ accounts: RuleAccount[]; records: RecordRef[] }>(sql, CONTEXT_QUERY, [ids, utc(at)]);
  const row = found.rows[0];
  return { accounts: new Map((row?.accounts ?? []).map((a) => [a.id, a])), records: row?.records ?? [] };
}

/**
 * Runs the rules on a decided transaction, inside its database transaction: one query for the facts
 * and settings, one more only when a rule sends units to another account (which is locked FOR SHARE
 * and must be able to receive them).
 */
export async function applyRules(sql: Sql, actor: Actor, proposal: Proposal, decided: Decided): Promise<RuleOutcome> {
  const parties = partiesOf(proposal, decided.changes);
  if (!parties) return { ok: true, changes: decided.changes, operations: decided.operations, ruleVersions: BUILT_IN_VERSIONS };
  const ids = parties.from === null ? [parties.to] : [parties.from, parties.to];
  const { accounts: byId, records } = await loadRuleContext(sql, ids, decided.createdAt);
  const to = byId.get(parties.to);
  // The operation has locked and judged these accounts already: their absence here is a bug.
  if (!to || (parties.from !== null && !byId.has(parties.from))) throw new Error(`rules: the accounts ${ids.join(', ')} are not all there`);
  const context: RuleContext = { kind: parties.kind, at: utc(decided.createdAt), actor, from: parties.from === null ? null : (byId.get(parties.from) ?? null), to, quantity: decided.quantity };
  const judgement = judge(context, records);
  if (judgement.refusals.length > 0) return { ok: false, refusals: judgement.refusals, ruleVersions: judgement.ruleVersions };
  let changes = decided.changes;
  let operations = decided.operations;
  if (judgement.diversions.length > 0) {
    const refused = await supplementaryAccountProblems(sql, judgement.diversions, context);
    if (refused.length > 0) return { ok: false, refusals: refused, ruleVersions: judgement.ruleVersions };
    changes = divert(decided.changes, parties.to, judgement.diversions);
    operations = operationsOf(changes);
  }
  return { ok: true, changes, operations: judgement.operations.length > 0 ? [...operations, ...judgement.operations] : operations, ruleVersions: judgement.ruleVersions };
}

/** The accounts that receive supplementary units must exist, be active and be of a type that receives. */
async function supplementaryAccountProblems(sql: Sql, diversions: readonly Diversion[], context: RuleContext): Promise<Refusal[]> {
  const ids = [...new Set(diversions.map((d) => d.accountId))].sort();
  const found = await prepared<{ id: string; type: AccountType; status: AccountStatus }>(sql, 'SELECT id, type, status FROM "Account" WHERE id = ANY($1::text[]) ORDER BY id FOR SHARE', [ids]);
  const byId = new Map(found.rows.map((a) => [a.id, a]));
  const problems: Refusal[] = [];
  const total = diversions.reduce((sum, d) => sum + d.quantity, 0n);
  if (total >= context.quantity) problems.push(refusal('SUPPLEMENTARY_ACCOUNT_NOT_OPERATIONAL', { reason: 'the rules would divert every unit', quantity: context.quantity.toString(), diverted: total.toString() }));
  for (const id of ids) {
    const account = byId.get(id);
    if (!account || account.status !== 'ACTIVE' || !canAcquire(account.type) || id === context.to.id || id === context.from?.id) {
      problems.push(refusal('SUPPLEMENTARY_ACCOUNT_NOT_OPERATIONAL', { accountId: id, status: account?.status ?? 'missing', type: account?.type ?? 'missing' }));
    }
  }
  return problems;
}
