import type { AccountStatus, AccountType } from '../../db/generated/enums';
import type { CanonicalValue } from '../canonical-json';
import { refusal, type Refusal } from '../check-codes';
import { operationsOf, type Changes, type DecidedPlan, type Delivery } from '../plan';
import type { Pool } from 'pg';
import { prepared, sqlState, utc, type Sql } from '../sql';
import type { Actor, AdministrativeRecordRow, NewAdministrativeRecord, Proposal } from '../types';
import { BUILT_IN_RULES, type BuiltInRules } from './built-in';
import { versionInForce } from './catalog';
import { authorizationOf, inForce, type Authorization, type SerialRange, type SeriesFacts, type UnitRange } from '../descriptors/coverage';
import { divert } from './divert';
import { coveringSuspension, governingSettings, latestSettings, settingsEncoded, type SettingBody } from './records';
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
  /** The transaction waits (A6R-47): what arrives after the other diversions goes to escrow, reserved. */
  readonly hold: { readonly rule: string; readonly escrowAccountId: string; readonly expiresAt: string; readonly quantity: bigint } | null;
}

/**
 * Judges a transaction by the pluggable rules its settings make applicable, skipping those a
 * suspension covers. Pure: `records` are the settings of the scopes involved and the suspensions in
 * force at `context.at`; `builtIns` the built-in rules in force then, whose versions head `ruleVersions`.
 *
 * A transaction a rule holds (A6R-47) has not happened yet: every unit waits in escrow, and the other
 * rules' supplementary operations (a fee) are not carried out but logged as `deferred`; they are judged
 * again, by the rules then in force, when the transfer is delivered on approval, and never charged when
 * it is rejected or expires. A `delivery` is not held again.
 */
export function judge(context: RuleContext, records: readonly RecordRef[], builtIns: BuiltInRules = BUILT_IN_RULES.atText(context.at), delivery = false): Judgement {
  const accounts = [context.from, context.to];
  const ruleVersions: Record<string, number> = { ...builtIns.versions };
  const refusals: Refusal[] = [];
  const judged: { rule: string; version: number; settingId: string; settings: CanonicalValue; diversions: readonly Diversion[] }[] = [];
  const suspended: CanonicalValue[] = [];
  let hold: { rule: string; version: number; settingId: string; settings: CanonicalValue; escrowAccountId: string; expiresAt: string } | null = null;
  for (const setting of governingSettings(records, accounts)) {
    const rule = versionInForce(setting.rule, context.at);
    // Retired without a successor, or not yet in force: the rule does not apply.
    if (!rule || !rule.appliesTo.includes(context.kind)) continue;
    const suspension = coveringSuspension(records, setting.rule, accounts);
    if (suspension) {
      suspended.push({ op: 'rule-suspended', rule: setting.rule, version: rule.version, suspension: suspension.id });
      continue;
    }
    const parsed = rule.parseSettings(setting.body.settings);
    // Settings are checked against every version in force from their date on when configured.
    if (!parsed.ok) throw new Error(`rule ${rule.name} v${rule.version}: the setting ${setting.recordId} is invalid (${parsed.problem})`);
    const verdict: RuleVerdict = rule.evaluate(context, parsed.settings);
    ruleVersions[rule.name] = rule.version;
    refusals.push(...verdict.refusals);
    // A holding rule's operation is logged last, once it is known how many units it reserves.
    if (verdict.hold && !delivery && !hold) hold = { rule: rule.name, version: rule.version, settingId: setting.recordId, settings: settingsEncoded(setting.body), ...verdict.hold };
    else judged.push({ rule: rule.name, version: rule.version, settingId: setting.recordId, settings: settingsEncoded(setting.body), diversions: verdict.diversions });
  }
  if (!hold) {
    const operations = [...suspended, ...judged.map((j) => ruleOperation(j.rule, j.version, j.settingId, j.settings, context, j.diversions))];
    return { ruleVersions, refusals, diversions: judged.flatMap((j) => j.diversions), operations, hold: null };
  }
  const escrow = { accountId: hold.escrowAccountId, quantity: context.quantity };
  const operations = [
    ...suspended,
    ...judged.map((j) => (j.diversions.length === 0 ? ruleOperation(j.rule, j.version, j.settingId, j.settings, context, []) : { ...(ruleOperation(j.rule, j.version, j.settingId, j.settings, context, []) as object), deferred: j.diversions.map((d) => ({ accountId: d.accountId, quantity: d.quantity })) })),
    ruleOperation(hold.rule, hold.version, hold.settingId, hold.settings, context, [escrow]),
  ];
  return { ruleVersions, refusals, diversions: [escrow], operations, hold: { rule: hold.rule, escrowAccountId: hold.escrowAccountId, expiresAt: hold.expiresAt, quantity: context.quantity } };
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

/**
 * The rules engine's commit-time check, which travels in the record: registry_record refuses the
 * transaction with RG001 unless the rule settings are still at `generation` and every account in
 * `receivers` (they receive supplementary units) is still active, held with its shared lock.
 */
export interface RulesGuard {
  readonly generation: string;
  readonly receivers: readonly string[];
}

export type RuleOutcome =
  | {
      readonly ok: true;
      readonly changes: Changes;
      readonly operations: readonly CanonicalValue[];
      readonly ruleVersions: Readonly<Record<string, number>>;
      /** What registry_record checks at commit for the rules (see RulesGuard); null for none. */
      readonly guard: RulesGuard | null;
      /** The transaction waits for an approval; its units are reserved in escrow. */
      readonly pending: boolean;
    }
  | {
      readonly ok: false;
      readonly refusals: readonly Refusal[];
      readonly ruleVersions: Readonly<Record<string, number>>;
      /** What the refusal rests on, logged with it so that replay can judge it again (see `verdictsOf`). */
      readonly verdicts: CanonicalValue;
    };

/**
 * The context and rule operations a refusal by the rules rests on: the kind, accounts, quantity and
 * units judged, and the `rule` / `rule-suspended` operations with the versions and settings applied.
 * Logged in the rejected entry (`verdicts`), where replay judges them again (replay-rules.ts).
 */
function verdictsOf(context: RuleContext, delivery: boolean, judgement: Judgement): CanonicalValue {
  return {
    kind: context.kind,
    delivery,
    from: context.from?.id ?? null,
    to: context.to.id,
    quantity: context.quantity,
    units: context.units.map((u) => ({ seriesId: u.seriesId, firstSerial: u.firstSerial, lastSerial: u.lastSerial })),
    operations: [...judgement.operations],
  };
}

/** What the rules judge of a decided plan (its log chain is not theirs to see). */
type Decided = Omit<DecidedPlan, 'chain'>;

/** The accounts a ruled transaction is between: [transferring or null, acquiring]. */
function partiesOf(proposal: Proposal, changes: Changes, delivery: Delivery | undefined): { kind: RuledKind; from: string | null; to: string; delivery: boolean } | null {
  if (delivery) return { kind: 'TRANSFER', from: delivery.fromAccountId, to: delivery.toAccountId, delivery: true };
  switch (proposal.kind) {
    case 'ISSUANCE':
      return { kind: 'ISSUANCE', from: null, to: proposal.accountId, delivery: false };
    case 'TRANSFER':
      return { kind: 'TRANSFER', from: proposal.fromAccountId, to: proposal.toAccountId, delivery: false };
    case 'EXTERNAL_TRANSFER': {
      // The taken range goes to the proxy account and comes first among the created blocks.
      const proxy = changes.create[0]?.accountId;
      if (!proxy) throw new Error('an external transfer that creates nothing');
      return { kind: 'EXTERNAL_TRANSFER', from: proposal.fromAccountId, to: proxy, delivery: false };
    }
    default:
      return null;
  }
}

/**
 * What the engine keeps in memory, per connection pool (so per database): every rule setting and
 * suspension as of `generation`, the immutable facts of the accounts it has met, and the last known
 * state of the accounts that receive supplementary units. Nothing in it is trusted at commit: the
 * transaction's record carries the generation and those accounts, which registry_record checks,
 * and fails with RG001 when they changed, after which the write path drops the cache and judges again.
 * A transfer under rules thus costs no extra round trip once the cache is warm.
 */
interface RulesCache {
  readonly generation: string;
  /** The latest revision of each rule setting (latestSettings), and every suspension and authorization. */
  readonly records: readonly (RecordRef & { readonly validFrom: string | null; readonly validUntil: string | null })[];
  readonly accounts: Map<string, RuleAccount>;
  readonly receivers: Map<string, { readonly type: AccountType; readonly status: AccountStatus }>;
  readonly series: Map<string, SeriesFacts>;
  /** Every authorization, parsed once. */
  readonly authorizations: readonly Authorization[];
  /** Per rule setting in force (its latest revision) that is enabled, its scope and the accounts its settings name (receiversToLock), parsed once. */
  readonly receiverSettings: readonly { readonly scopeType: string; readonly scopeId: string; readonly accounts: readonly string[] }[];
}

const caches = new WeakMap<Pool, RulesCache>();

const ISO = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;
const CACHE_QUERY = `
  SELECT g.generation::text AS generation,
         (SELECT coalesce(jsonb_agg(jsonb_build_object('id', r.id, 'kind', r.kind, 'subject', r.subject, 'scopeType', r."scopeType", 'scopeId', r."scopeId", 'body', r.body,
                                                      'validFrom', to_char(r."validFrom", ${ISO}), 'validUntil', to_char(r."validUntil", ${ISO}))), '[]'::jsonb)
            FROM "AdministrativeRecord" r WHERE r.kind IN ('RULE_SETTING', 'RULE_SUSPENSION', 'RULE_SUSPENSION_LIFT', 'AUTHORIZATION')) AS records
  FROM "RuleGeneration" g WHERE g.id = 1`;

/**
 * Suspensions as they apply: a suspension lifted early (RULE_SUSPENSION_LIFT) ends when it was lifted,
 * if that is before the end of its window. The lifts themselves are then of no further use.
 */
export function withLifts<R extends { readonly id: string; readonly kind: string; readonly body: string; readonly validFrom: string | null; readonly validUntil: string | null }>(records: readonly R[]): R[] {
  const lifted = new Map<string, string>();
  for (const r of records) if (r.kind === 'RULE_SUSPENSION_LIFT' && r.validFrom !== null) lifted.set((JSON.parse(r.body) as { suspension: string }).suspension, r.validFrom);
  return records.flatMap((r) => {
    if (r.kind === 'RULE_SUSPENSION_LIFT') return [];
    const at = r.kind === 'RULE_SUSPENSION' ? lifted.get(r.id) : undefined;
    return at !== undefined && (r.validUntil === null || at < r.validUntil) ? [{ ...r, validUntil: at }] : [r];
  });
}

async function rulesCache(sql: Sql, pool: Pool): Promise<RulesCache> {
  const cached = caches.get(pool);
  if (cached) return cached;
  const found = await prepared<{ generation: string; records: RulesCache['records'] }>(sql, CACHE_QUERY);
  const row = found.rows[0];
  if (!row) throw new Error('rules: the RuleGeneration row is missing');
  // Only the latest revision of each setting: the earlier ones govern nothing (latestSettings).
  const all = withLifts(row.records);
  const records = [...latestSettings(all), ...all.filter((r) => r.kind !== 'RULE_SETTING')];
  const cache: RulesCache = { generation: row.generation, records, accounts: new Map(), receivers: new Map(), series: new Map(), authorizations: records.filter((r) => r.kind === 'AUTHORIZATION').map(authorizationOf), receiverSettings: receiverSettingsOf(records) };
  caches.set(pool, cache);
  return cache;
}

/**
 * The accounts that may receive supplementary units (a fee, a share, an escrow) in a transaction between
 * `accountIds`, from the cache alone (no round trip; none when it is cold): the account ids in the
 * settings of every enabled rule whose scope covers one of them, or might (an account the cache has
 * not met yet). The operation locks them (shared) with its own accounts, before it reads the clock,
 * so that a transaction sending units out of such an account is ordered alike by time and by commit
 * with one that sends units into it. A superset is harmless: a shared lock only waits for a sender.
 */
export function receiversToLock(pool: Pool, accountIds: readonly string[]): string[] {
  const cache = caches.get(pool);
  if (!cache || cache.receiverSettings.length === 0) return [];
  const accounts = accountIds.map((id) => cache.accounts.get(id));
  const known = accounts.every((a) => a !== undefined);
  const out = new Set<string>();
  for (const r of cache.receiverSettings) {
    const mayCover = r.scopeType === 'REGISTRY' || (r.scopeType === 'ACCOUNT' ? accountIds.includes(r.scopeId) : !known || accounts.some((a) => (r.scopeType === 'SECTION' ? a?.sectionId : a?.cooperativeApproachId) === r.scopeId));
    if (mayCover) for (const id of r.accounts) out.add(id);
  }
  for (const id of accountIds) out.delete(id);
  return [...out].sort();
}

/** The enabled rule settings that name accounts (every field whose name ends in `accountId`): receivers of supplementary units. */
function receiverSettingsOf(records: readonly RecordRef[]): RulesCache['receiverSettings'] {
  return records.flatMap((r) => {
    if (r.kind !== 'RULE_SETTING') return [];
    const body = JSON.parse(r.body) as SettingBody;
    const accounts = body.enabled ? Object.entries(body.settings).flatMap(([key, value]) => (/accountId$/i.test(key) && typeof value === 'string' ? [value] : [])) : [];
    return accounts.length > 0 ? [{ scopeType: r.scopeType, scopeId: r.scopeId, accounts }] : [];
  });
}

/** The error that makes the write path judge a transaction again (as a change of the rules does). */
function judgeAgain(reason: string): Error {
  return Object.assign(new Error(`rules: ${reason}`), { code: JUDGE_AGAIN });
}

/** Not a database state: the engine's own request to judge a transaction again with the cache it has now. */
const JUDGE_AGAIN = 'RG-JUDGE-AGAIN';

/** Drops the cache of `pool`: its own configuration changes need not wait for the guard to notice. */
export function forgetRules(pool: Pool): void {
  caches.delete(pool);
}

/** Whether a failure is the rules' commit-time check (RG001); if so the cache of `pool` is dropped. */
export function rulesChanged(pool: Pool, error: unknown): boolean {
  if (sqlState(error) === JUDGE_AGAIN) return true;
  if (sqlState(error) !== 'RG001') return false;
  caches.delete(pool);
  return true;
}

/** The facts rules judge of an account never change (only its status does): read once per pool. */
async function ruleAccounts(sql: Sql, cache: RulesCache, ids: readonly string[]): Promise<Map<string, RuleAccount>> {
  const missing = ids.filter((id) => !cache.accounts.has(id));
  if (missing.length > 0) {
    const found = await prepared<RuleAccount>(sql, 'SELECT id, type, "sectionId", "cooperativeApproachId" FROM "Account" WHERE id = ANY($1::text[])', [missing]);
    for (const a of found.rows) cache.accounts.set(a.id, { id: a.id, type: a.type, sectionId: a.sectionId, cooperativeApproachId: a.cooperativeApproachId });
  }
  return new Map(ids.flatMap((id) => (cache.accounts.has(id) ? [[id, cache.accounts.get(id) as RuleAccount]] : [])));
}

/** The suspensions in force at `at`, and every setting. */
function recordsAt(cache: RulesCache, at: string): RecordRef[] {
  return cache.records.filter((r) => r.kind === 'RULE_SETTING' || (r.kind === 'RULE_SUSPENSION' && r.validFrom !== null && r.validUntil !== null && r.validFrom <= at && at < r.validUntil));
}

/**
 * Runs the rules on a decided transaction, inside its database transaction. Once the cache is warm it
 * reads nothing: the settings, suspensions and account facts come from memory and are checked by the
 * guard the write path sends with the record.
 */
export async function applyRules(sql: Sql, pool: Pool, actor: Actor, proposal: Proposal, decided: Decided, builtIns: BuiltInRules): Promise<RuleOutcome> {
  const parties = partiesOf(proposal, decided.changes, decided.delivery);
  if (!parties) return { ok: true, changes: decided.changes, operations: decided.operations, ruleVersions: builtIns.versions, guard: null, pending: false };
  const outcome = await judgeWith(sql, await rulesCache(sql, pool), actor, parties, decided, builtIns);
  if (outcome.ok) return outcome;
  // A refusal never rests on a stale cache: the guard checks only what is recorded.
  const current = await prepared<{ generation: string }>(sql, 'SELECT generation::text AS generation FROM "RuleGeneration" WHERE id = 1');
  if (current.rows[0]?.generation === caches.get(pool)?.generation) return outcome;
  caches.delete(pool);
  return judgeWith(sql, await rulesCache(sql, pool), actor, parties, decided, builtIns);
}

async function judgeWith(sql: Sql, cache: RulesCache, actor: Actor, parties: { kind: RuledKind; from: string | null; to: string; delivery: boolean }, decided: Decided, builtIns: BuiltInRules): Promise<RuleOutcome> {
  const ids = parties.from === null ? [parties.to] : [parties.from, parties.to];
  const accounts = await ruleAccounts(sql, cache, ids);
  const to = accounts.get(parties.to);
  // The operation has locked and judged these accounts already: their absence here is a bug.
  if (!to || (parties.from !== null && !accounts.has(parties.from))) throw new Error(`rules: the accounts ${ids.join(', ')} are not all there`);
  const at = utc(decided.createdAt);
  const arriving = decided.changes.create.filter((b) => b.accountId === parties.to);
  const series = await seriesFacts(sql, cache, decided.changes, arriving.map((b) => b.seriesId));
  const units: UnitRange[] = arriving.map((b) => ({ seriesId: b.seriesId, firstSerial: b.firstSerial, lastSerial: b.lastSerial, series: series.get(b.seriesId) as SeriesFacts }));
  const records = recordsAt(cache, at);
  const context: RuleContext = { kind: parties.kind, at, actor, from: parties.from === null ? null : (accounts.get(parties.from) ?? null), to, quantity: decided.quantity, units, authorizations: inForce(cache.authorizations, at) };
  const judgement = judge(context, records, builtIns, parties.delivery);
  if (judgement.refusals.length > 0) return { ok: false, refusals: judgement.refusals, ruleVersions: judgement.ruleVersions, verdicts: verdictsOf(context, parties.delivery, judgement) };
  let changes = decided.changes;
  let operations = decided.operations;
  const receivers = [...new Set(judgement.diversions.map((d) => d.accountId))].sort();
  // A receiver the operation did not lock before reading its time (the cache was cold, or has changed
  // since): judged again from the start, now with the cache that names it, so that it is locked first.
  const prelocked = [...(decided.receivers ?? []), parties.to, ...(parties.from === null ? [] : [parties.from])];
  if (receivers.some((id) => !prelocked.includes(id))) throw judgeAgain(`the accounts ${receivers.join(', ')} receive units but were not locked first`);
  if (receivers.length > 0) {
    const refused = await receiverProblems(sql, cache, decided.locked, receivers, judgement.diversions, context, judgement.hold !== null, builtIns);
    if (refused.length > 0) return { ok: false, refusals: refused, ruleVersions: judgement.ruleVersions, verdicts: verdictsOf(context, parties.delivery, judgement) };
    changes = divert(decided.changes, parties.to, judgement.diversions);
    operations = operationsOf(changes);
  }
  // A held transfer has not happened yet: no first transfer, only a reservation.
  const added = judgement.hold ? [reservationRecord(context, judgement.hold)] : await firstTransferMarkers(sql, context, builtIns);
  if (added.length > 0) {
    changes = { ...changes, records: [...(changes.records ?? []), ...added] };
    operations = operationsOf(changes);
  }
  return {
    ok: true,
    changes,
    operations: judgement.operations.length > 0 ? [...operations, ...judgement.operations] : operations,
    ruleVersions: judgement.ruleVersions,
    // Receivers judged by their facts as read under the locks this transaction holds cannot change
    // before it commits: only the others (none, when the operation passes its locked accounts) are
    // checked again at commit.
    guard: { generation: cache.generation, receivers: receivers.filter((id) => !decided.locked?.has(id)) },
    pending: judgement.hold !== null,
  };
}

/** The reservation a held transfer leaves: what waits, where, for whom, until when. */
function reservationRecord(context: RuleContext, hold: NonNullable<Judgement['hold']>): NewAdministrativeRecord {
  return {
    kind: 'RESERVATION',
    subject: hold.rule,
    scopeType: 'TRANSACTION',
    scopeId: '',
    body: { fromAccountId: context.from?.id ?? null, toAccountId: context.to.id, escrowAccountId: hold.escrowAccountId, quantity: hold.quantity, initiatorId: context.actor.userId, impersonatorId: context.actor.impersonatorId },
    validFrom: new Date(context.at),
    validUntil: new Date(hold.expiresAt),
  };
}

/** The attributes of series, read from the database (for corrective transfers, which keep no cache). */
export async function readSeriesFacts(sql: Sql, ids: readonly string[]): Promise<Map<string, SeriesFacts>> {
  const found = await prepared<SeriesFacts & { id: string }>(sql, 'SELECT id, "unitType", "cooperativeApproachId", "hostParty", "activityId", vintage FROM "UnitSeries" WHERE id = ANY($1::text[])', [[...new Set(ids)]]);
  return new Map(found.rows.map(({ id, ...facts }) => [id, facts]));
}

/** The attributes of the series of the units, which never change: from the transaction, the cache, or read once. */
async function seriesFacts(sql: Sql, cache: RulesCache, changes: Changes, ids: readonly string[]): Promise<Map<string, SeriesFacts>> {
  for (const s of changes.series) if (!cache.series.has(s.id)) cache.series.set(s.id, { unitType: s.unitType, cooperativeApproachId: s.cooperativeApproachId, hostParty: s.hostParty, activityId: s.activityId, vintage: s.vintage });
  const missing = [...new Set(ids)].filter((id) => !cache.series.has(id));
  if (missing.length > 0) {
    const found = await prepared<SeriesFacts & { id: string }>(sql, 'SELECT id, "unitType", "cooperativeApproachId", "hostParty", "activityId", vintage FROM "UnitSeries" WHERE id = ANY($1::text[])', [missing]);
    for (const { id, ...facts } of found.rows) cache.series.set(id, facts);
  }
  const out = new Map<string, SeriesFacts>();
  for (const id of ids) {
    const facts = cache.series.get(id);
    if (!facts) throw new Error(`rules: series ${id} of units being moved does not exist`);
    out.set(id, facts);
  }
  return out;
}

/**
 * First-transfer markers (built-in rule first-transfer): read the markers of the series concerned only
 * when an authorization in force makes this transaction a first transfer of some of its units.
 */
async function firstTransferMarkers(sql: Sql, context: RuleContext, builtIns: BuiltInRules): Promise<NewAdministrativeRecord[]> {
  const candidates = builtIns.firstTransfer.candidates(context);
  if (candidates.length === 0) return [];
  const seriesIds = [...new Set(candidates.flatMap((c) => c.units.map((u) => u.seriesId)))];
  const found = await prepared<{ subject: 'NDC' | 'OIMP'; scopeId: string; body: string }>(sql, `SELECT subject, "scopeId", body FROM "AdministrativeRecord" WHERE kind = 'FIRST_TRANSFER_MARKER' AND "scopeId" = ANY($1::text[])`, [seriesIds]);
  const existing = new Map<'NDC' | 'OIMP', SerialRange[]>();
  for (const m of found.rows) {
    const body = JSON.parse(m.body) as { firstSerial: string; lastSerial: string };
    existing.set(m.subject, [...(existing.get(m.subject) ?? []), { seriesId: m.scopeId, firstSerial: BigInt(body.firstSerial), lastSerial: BigInt(body.lastSerial) }]);
  }
  return builtIns.firstTransfer.newMarkers(candidates, existing).flatMap((c) =>
    c.units.map(
      (u): NewAdministrativeRecord => ({
        kind: 'FIRST_TRANSFER_MARKER',
        subject: c.use,
        scopeType: 'UNITS',
        scopeId: u.seriesId,
        body: { firstSerial: u.firstSerial, lastSerial: u.lastSerial, authorization: c.authorization, event: c.event },
        validFrom: new Date(context.at),
        validUntil: null,
      }),
    ),
  );
}

/**
 * The accounts that receive supplementary units must exist, be active and be of a type that receives.
 * Judged on what the cache knows; a refusal only on what the database says now.
 */
async function receiverProblems(
  sql: Sql,
  cache: RulesCache,
  locked: Decided['locked'],
  ids: readonly string[],
  diversions: readonly Diversion[],
  context: RuleContext,
  holding: boolean,
  builtIns: BuiltInRules,
): Promise<Refusal[]> {
  const judgeAll = () =>
    ids.flatMap((id) => {
      const account = locked?.get(id) ?? cache.receivers.get(id);
      return !account || account.status !== 'ACTIVE' || !builtIns.accountType.canAcquire(account.type) || id === context.to.id || id === context.from?.id ? [refusal('SUPPLEMENTARY_ACCOUNT_NOT_OPERATIONAL', { accountId: id, status: account?.status ?? 'missing', type: account?.type ?? 'missing' })] : [];
    });
  let problems = judgeAll();
  if (problems.length > 0 || ids.some((id) => !locked?.has(id) && !cache.receivers.has(id))) {
    const found = await prepared<{ id: string; type: AccountType; status: AccountStatus }>(sql, 'SELECT id, type, status FROM "Account" WHERE id = ANY($1::text[])', [ids]);
    for (const id of ids) cache.receivers.delete(id);
    for (const a of found.rows) cache.receivers.set(a.id, { type: a.type, status: a.status });
    problems = judgeAll();
  }
  const total = diversions.reduce((sum, d) => sum + d.quantity, 0n);
  if (holding ? total !== context.quantity : total >= context.quantity) problems.push(refusal('SUPPLEMENTARY_ACCOUNT_NOT_OPERATIONAL', { reason: 'the rules would divert every unit', quantity: context.quantity.toString(), diverted: total.toString() }));
  return problems;
}

const CONTEXT_QUERY = `
  WITH acc AS (SELECT id, type, status, "sectionId", "cooperativeApproachId" FROM "Account" WHERE id = ANY($1::text[]))
  SELECT (SELECT coalesce(jsonb_agg(jsonb_build_object('id', id, 'type', type, 'status', status, 'sectionId', "sectionId", 'cooperativeApproachId', "cooperativeApproachId")), '[]'::jsonb) FROM acc) AS accounts,
         (SELECT coalesce(jsonb_agg(jsonb_build_object('id', r.id, 'kind', r.kind, 'subject', r.subject, 'scopeType', r."scopeType", 'scopeId', r."scopeId", 'body', r.body, 'validFrom', to_char(r."validFrom", ${ISO}))), '[]'::jsonb)
            FROM "AdministrativeRecord" r
           WHERE r.kind IN ('RULE_SETTING', 'RULE_SUSPENSION', 'AUTHORIZATION')
             AND (r.kind <> 'RULE_SUSPENSION' OR (r."validFrom" <= $2::timestamp AND r."validUntil" > $2::timestamp
                  AND NOT EXISTS (SELECT 1 FROM "AdministrativeRecord" l WHERE l.kind = 'RULE_SUSPENSION_LIFT' AND l.body::jsonb ->> 'suspension' = r.id AND l."validFrom" <= $2::timestamp)))) AS records`;

/**
 * The facts of the accounts, with their status, and the settings and suspensions in force at `at`,
 * read from the database (not the cache): for corrective transfers, which are rare and must judge
 * what holds now.
 */
export async function loadRuleContext(sql: Sql, ids: readonly string[], at: Date): Promise<{ accounts: Map<string, RuleAccount & { readonly status: AccountStatus }>; records: (RecordRef & { readonly validFrom: string | null })[] }> {
  const found = await prepared<{ accounts: (RuleAccount & { status: AccountStatus })[]; records: (RecordRef & { validFrom: string | null })[] }>(sql, CONTEXT_QUERY, [ids, utc(at)]);
  const row = found.rows[0];
  return { accounts: new Map((row?.accounts ?? []).map((a) => [a.id, a])), records: row?.records ?? [] };
}
