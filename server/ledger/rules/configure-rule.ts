import { administersSection, isRegistryAdmin } from '../authority';
import { refusal, type Refusal } from '../check-codes';
import { lockAccounts } from '../operations/lock-accounts';
import { NO_CHANGES, operationsOf, type Changes, type Plan } from '../plan';
import { prepared, utc, type Sql } from '../sql';
import type { Actor, ConfigureRuleProposal, LedgerContext, LiftSuspensionProposal, NewAdministrativeRecord, RuleScope, SuspendRuleProposal } from '../types';
import { complianceVersionsFrom, isComplianceRule } from '../compliance/catalog';
import { isPluggableRule, versionsFrom } from './catalog';
import { forgetRules } from './engine';
import { scopeIdOf } from './records';
import type { PluggableRuleVersion, RuleSettingsInput } from './types';

const RULE_CONFIGURATION_LOCK = 6_274_300;
const MAX_REASON_LENGTH = 500;

/** Whether the scope names something that exists: a cooperative approach, a section or an account (with its section). */
async function scopeFacts(sql: Sql, scope: RuleScope): Promise<{ exists: boolean; sectionId: string | null }> {
  switch (scope.type) {
    case 'REGISTRY':
      return { exists: true, sectionId: null };
    case 'COOPERATIVE_APPROACH':
      return { exists: ((await prepared(sql, 'SELECT 1 FROM "CooperativeApproach" WHERE id = $1', [scope.id])).rowCount ?? 0) > 0, sectionId: null };
    case 'SECTION':
      return { exists: ((await prepared(sql, 'SELECT 1 FROM "Section" WHERE id = $1', [scope.id])).rowCount ?? 0) > 0, sectionId: scope.id };
    case 'ACCOUNT': {
      const found = await prepared<{ sectionId: string | null }>(sql, 'SELECT "sectionId" FROM "Account" WHERE id = $1', [scope.id]);
      const row = found.rows[0];
      return { exists: row !== undefined, sectionId: row?.sectionId ?? null };
    }
    default:
      return { exists: false, sectionId: null };
  }
}

/**
 * Who configures a rule where (A6R-38): registry administrators anywhere; a section administrator for
 * his section or an account in it, when the rule allows section administrators to configure it.
 */
export function mayConfigureRule(actor: Actor, sectionConfigurable: boolean, scope: RuleScope, scopeSectionId: string | null): boolean {
  if (isRegistryAdmin(actor)) return true;
  if (!sectionConfigurable || (scope.type !== 'SECTION' && scope.type !== 'ACCOUNT') || scopeSectionId === null) return false;
  return administersSection(actor, scopeSectionId);
}

/** Serializes changes to one rule in one scope, so that revisions count without gaps or twins. */
async function lockRuleScope(sql: Sql, rule: string, scope: RuleScope): Promise<void> {
  await prepared(sql, 'SELECT pg_advisory_xact_lock($1, hashtext($2))', [RULE_CONFIGURATION_LOCK, `${rule}/${scope.type}/${scopeIdOf(scope)}`]);
}

/**
 * A configuration change (A6R-38): a pluggable rule applies, with these settings, in a scope; or no
 * longer applies there. The settings must satisfy every version of the rule in force from now on, so
 * that a scheduled version never meets settings it cannot read.
 */
export async function configureRule(sql: Sql, ctx: LedgerContext, actor: Actor, proposal: ConfigureRuleProposal): Promise<Plan> {
  const { chain } = await lockAccounts(sql, [], []);
  await lockRuleScope(sql, proposal.rule, proposal.scope);
  const createdAt = ctx.now();
  const refusals: Refusal[] = [];
  // Compliance rules (A6R-19) are configured the same way, for the whole registry.
  const compliance = isComplianceRule(proposal.rule);
  const versions: readonly Pick<PluggableRuleVersion, 'name' | 'version' | 'parseSettings' | 'sectionConfigurable'>[] = compliance
    ? complianceVersionsFrom(proposal.rule, utc(createdAt)).map((v) => ({ name: v.name, version: v.version, parseSettings: (input: RuleSettingsInput) => v.parseSettings(input), sectionConfigurable: false }))
    : versionsFrom(proposal.rule, utc(createdAt));
  if (!isPluggableRule(proposal.rule) && !compliance) return { createdAt, refusals: [refusal('RULE_UNKNOWN', { rule: proposal.rule })] };
  if (versions.length === 0) return { createdAt, refusals: [refusal('RULE_UNKNOWN', { rule: proposal.rule, reason: 'retired' })] };
  const scope = await scopeFacts(sql, proposal.scope);
  const scopeId = scopeIdOf(proposal.scope);
  if (!scope.exists || (compliance && proposal.scope.type !== 'REGISTRY')) refusals.push(refusal('RULE_SCOPE_INVALID', { scopeType: proposal.scope.type, scopeId }));
  else if (!mayConfigureRule(actor, versions.every((v) => v.sectionConfigurable), proposal.scope, scope.sectionId)) refusals.push(refusal('NOT_ALLOWED_TO_CONFIGURE', { rule: proposal.rule, scopeType: proposal.scope.type, scopeId, userId: actor.userId }));
  if (proposal.enabled) {
    // One refusal per problem, naming the versions that have it: versions often share their settings.
    const problems = new Map<string, number[]>();
    for (const v of versions) {
      const parsed = v.parseSettings(proposal.settings);
      if (!parsed.ok) problems.set(parsed.problem, [...(problems.get(parsed.problem) ?? []), v.version]);
    }
    for (const [problem, failing] of problems) refusals.push(refusal('RULE_SETTINGS_INVALID', { rule: proposal.rule, versions: failing.join(', '), problem }));
  } else if (Object.keys(proposal.settings).length > 0) {
    refusals.push(refusal('RULE_SETTINGS_INVALID', { rule: proposal.rule, problem: 'a rule that no longer applies takes no settings' }));
  }
  if (refusals.length > 0) return { createdAt, refusals };
  const latest = await prepared<{ revision: number | null }>(
    sql,
    `SELECT max((body::jsonb ->> 'revision')::int) AS revision FROM "AdministrativeRecord" WHERE kind = 'RULE_SETTING' AND subject = $1 AND "scopeType" = $2 AND "scopeId" = $3`,
    [proposal.rule, proposal.scope.type, scopeId],
  );
  const record: NewAdministrativeRecord = {
    kind: 'RULE_SETTING',
    subject: proposal.rule,
    scopeType: proposal.scope.type,
    scopeId,
    body: { enabled: proposal.enabled, settings: { ...proposal.settings }, revision: (latest.rows[0]?.revision ?? 0) + 1 },
    validFrom: null,
    validUntil: null,
  };
  const changes: Changes = { ...NO_CHANGES, records: [record] };
  forgetRules(ctx.pool);
  return { createdAt, chain, quantity: 0n, changes, operations: operationsOf(changes) };
}

/**
 * A registry administrator suspends a pluggable rule in a scope for a window [from, until), with a
 * reason (A6R-17): transactions in the window are not judged by it, and each one logs the suspension
 * it was judged under (`rule-suspended`).
 */
export async function suspendRule(sql: Sql, ctx: LedgerContext, actor: Actor, proposal: SuspendRuleProposal): Promise<Plan> {
  const { chain } = await lockAccounts(sql, [], []);
  const createdAt = ctx.now();
  const refusals: Refusal[] = [];
  if (!isRegistryAdmin(actor)) refusals.push(refusal('NOT_ALLOWED_TO_CONFIGURE', { rule: proposal.rule, userId: actor.userId }));
  if (!isPluggableRule(proposal.rule)) refusals.push(refusal('RULE_UNKNOWN', { rule: proposal.rule }));
  const scope = await scopeFacts(sql, proposal.scope);
  const scopeId = scopeIdOf(proposal.scope);
  if (!scope.exists) refusals.push(refusal('RULE_SCOPE_INVALID', { scopeType: proposal.scope.type, scopeId }));
  const from = proposal.from;
  const until = proposal.until;
  const reason = proposal.reason.trim();
  if (!(from instanceof Date) || !(until instanceof Date) || Number.isNaN(from.getTime()) || Number.isNaN(until.getTime())) {
    refusals.push(refusal('RULE_SUSPENSION_INVALID', { field: 'from/until', problem: 'not a time' }));
  } else {
    if (!(from < until)) refusals.push(refusal('RULE_SUSPENSION_INVALID', { field: 'until', problem: 'must be after from', from: utc(from), until: utc(until) }));
    if (!(until > createdAt)) refusals.push(refusal('RULE_SUSPENSION_INVALID', { field: 'until', problem: 'is already past', until: utc(until) }));
  }
  if (reason === '' || reason.length > MAX_REASON_LENGTH) refusals.push(refusal('RULE_SUSPENSION_INVALID', { field: 'reason', problem: `must be 1 to ${MAX_REASON_LENGTH} characters` }));
  if (refusals.length > 0) return { createdAt, refusals };
  // Never retroactive: transactions already recorded were judged by the rule, and stay so.
  const validFrom = from < createdAt ? createdAt : from;
  const record: NewAdministrativeRecord = { kind: 'RULE_SUSPENSION', subject: proposal.rule, scopeType: proposal.scope.type, scopeId, body: { reason, requestedFrom: from }, validFrom, validUntil: until };
  const changes: Changes = { ...NO_CHANGES, records: [record] };
  forgetRules(ctx.pool);
  return { createdAt, chain, quantity: 0n, changes, operations: operationsOf(changes) };
}

const SUSPENSION_LOCK = 6_274_301;

/**
 * A registry administrator lifts a suspension before its window ends, with a reason (A6R-17). The lift
 * is an administrative record (`RULE_SUSPENSION_LIFT`, `validFrom` its own time) naming the suspension:
 * from that moment the suspended rule judges transactions again (a window that has not begun never
 * applies). Transactions before it stay as they were judged. Lifts of one suspension are serialized,
 * so that it is lifted once. Refusals: 2011 (not a registry administrator), 2026 (no such suspension,
 * or already ended or lifted), 2027 (no reason).
 */
export async function liftSuspension(sql: Sql, ctx: LedgerContext, actor: Actor, proposal: LiftSuspensionProposal): Promise<Plan> {
  const { chain } = await lockAccounts(sql, [], []);
  await prepared(sql, 'SELECT pg_advisory_xact_lock($1, hashtext($2))', [SUSPENSION_LOCK, String(proposal.suspensionId)]);
  const createdAt = ctx.now();
  const refusals: Refusal[] = [];
  if (!isRegistryAdmin(actor)) refusals.push(refusal('NOT_ALLOWED_TO_CONFIGURE', { suspensionId: String(proposal.suspensionId), userId: actor.userId }));
  const found = await prepared<{ subject: string; scopeType: string; scopeId: string; validUntil: Date | null; lifted: boolean }>(
    sql,
    `SELECT s.subject, s."scopeType", s."scopeId", s."validUntil",
            EXISTS (SELECT 1 FROM "AdministrativeRecord" l WHERE l.kind = 'RULE_SUSPENSION_LIFT' AND l.body::jsonb ->> 'suspension' = s.id) AS lifted
     FROM "AdministrativeRecord" s WHERE s.id = $1 AND s.kind = 'RULE_SUSPENSION'`,
    [String(proposal.suspensionId)],
  );
  const suspension = found.rows[0];
  if (!suspension) refusals.push(refusal('SUSPENSION_NOT_IN_FORCE', { suspensionId: String(proposal.suspensionId), reason: 'no such suspension' }));
  else if (suspension.lifted) refusals.push(refusal('SUSPENSION_NOT_IN_FORCE', { suspensionId: proposal.suspensionId, reason: 'already lifted' }));
  else if (suspension.validUntil === null || suspension.validUntil <= createdAt) refusals.push(refusal('SUSPENSION_NOT_IN_FORCE', { suspensionId: proposal.suspensionId, reason: 'already ended', until: suspension.validUntil ? utc(suspension.validUntil) : null }));
  const reason = typeof proposal.reason === 'string' ? proposal.reason.trim() : '';
  if (reason === '' || reason.length > MAX_REASON_LENGTH) refusals.push(refusal('SUSPENSION_LIFT_REASON_MISSING', { field: 'reason', problem: `must be 1 to ${MAX_REASON_LENGTH} characters` }));
  if (refusals.length > 0 || !suspension) return { createdAt, refusals };
  const record: NewAdministrativeRecord = { kind: 'RULE_SUSPENSION_LIFT', subject: suspension.subject, scopeType: suspension.scopeType as RuleScope['type'], scopeId: suspension.scopeId, body: { suspension: proposal.suspensionId, reason }, validFrom: createdAt, validUntil: null };
  const changes: Changes = { ...NO_CHANGES, records: [record] };
  forgetRules(ctx.pool);
  return { createdAt, chain, quantity: 0n, changes, operations: operationsOf(changes) };
}
