import { canonicalJson, encoded, type CanonicalValue, type Encoded } from '../canonical-json';
import { prepared, utc, type Sql } from '../sql';
import type { AdministrativeRecordRow, NewAdministrativeRecord, RuleScope, ScopeType } from '../types';
import type { RuleAccount } from './types';

// Administrative records, as the rules write and read them. Their types are the core's
// (server/ledger/types.ts): the descriptors, replay and the state's readers use them without the rules.

// Published compliance rule versions import the row's type from here, and a published version is never
// edited (compliance/published.json holds its digest).
export type { AdministrativeRecordRow } from '../types';

/** The body of a RULE_SETTING record. `revision` counts the settings of one rule in one scope from 1. */
export interface SettingBody {
  readonly enabled: boolean;
  readonly settings: { readonly [key: string]: string | number | boolean | null };
  readonly revision: number;
}

export const recordId = (transactionId: string, n: number): string => `${transactionId}/${n}`;

export const scopeIdOf = (scope: RuleScope): string => (scope.type === 'REGISTRY' ? '' : scope.id);

/** Writes a transaction's records, in its database transaction, before its registry_record call. */
export async function writeAdministrativeRecords(sql: Sql, transactionId: string, createdAt: Date, records: readonly NewAdministrativeRecord[]): Promise<void> {
  const rows = records.map((r, n) => ({
    id: recordId(transactionId, n),
    kind: r.kind,
    subject: r.subject,
    scopeType: r.scopeType,
    scopeId: r.scopeId,
    body: canonicalJson(r.body),
    validFrom: r.validFrom ? utc(r.validFrom) : null,
    validUntil: r.validUntil ? utc(r.validUntil) : null,
  }));
  await prepared(sql, 'SELECT registry_record_administrative($1::jsonb)', [JSON.stringify({ transactionId, createdAt: utc(createdAt), records: rows })]);
}

const SPECIFICITY: Readonly<Record<ScopeType, number>> = { ACCOUNT: 3, SECTION: 2, COOPERATIVE_APPROACH: 1, REGISTRY: 0, TRANSACTION: -1, UNITS: -1 };

/**
 * Which side of the transaction a scope covers: 0 the transferring side, 1 the acquiring side, -1
 * neither. The registry scope covers both; an account scope its account; a section or approach scope
 * the accounts in it.
 */
function sideOf(scopeType: ScopeType, scopeId: string, accounts: readonly (RuleAccount | null)[]): number {
  return accounts.findIndex((a) => {
    if (!a) return false;
    if (scopeType === 'REGISTRY') return true;
    if (scopeType === 'ACCOUNT') return a.id === scopeId;
    if (scopeType === 'SECTION') return a.sectionId === scopeId;
    if (scopeType === 'COOPERATIVE_APPROACH') return a.cooperativeApproachId === scopeId;
    return false;
  });
}

export interface ApplicableSetting {
  readonly recordId: string;
  readonly rule: string;
  readonly scopeType: ScopeType;
  readonly scopeId: string;
  readonly body: SettingBody;
}

/**
 * The setting of each rule that governs a transaction between `accounts` ([transferring, acquiring]):
 * per rule and scope the latest revision; among the scopes that cover the transaction the most
 * specific (account, then section, then cooperative approach, then registry), the transferring side
 * before the acquiring one. A governing setting that is disabled exempts the transaction.
 */
/**
 * A setting record's body, parsed once per record object: the engine's cache and replay hold their
 * records for many transactions, and every transaction asks for the settings that govern it. Records
 * never change, and the parsed body is never modified.
 */
const parsedBodies = new WeakMap<object, SettingBody>();

function settingBody(record: { readonly body: string }): SettingBody {
  let body = parsedBodies.get(record);
  if (!body) {
    body = JSON.parse(record.body) as SettingBody;
    parsedBodies.set(record, body);
  }
  return body;
}

/**
 * A setting's settings in canonical JSON, encoded once per parsed body: every transaction a rule judges
 * logs them in its operation, as the same bytes.
 */
const encodedSettings = new WeakMap<SettingBody, Encoded>();

export function settingsEncoded(body: SettingBody): Encoded {
  let json = encodedSettings.get(body);
  if (!json) {
    json = encoded(body.settings as CanonicalValue);
    encodedSettings.set(body, json);
  }
  return json;
}

/**
 * The settings records that can govern anything: per rule and scope, the latest revision. Every earlier
 * revision is superseded whatever the transaction, so the rules engine keeps only these in its cache:
 * judging a transfer, and choosing the accounts it locks for supplementary units, then costs the same
 * however often the rules were configured before.
 */
export function latestSettings<R extends Pick<AdministrativeRecordRow, 'kind' | 'subject' | 'scopeType' | 'scopeId' | 'body'>>(records: readonly R[]): R[] {
  const latest = new Map<string, { record: R; revision: number }>();
  for (const r of records) {
    if (r.kind !== 'RULE_SETTING') continue;
    const { revision } = settingBody(r);
    const key = `${r.subject}\u0000${r.scopeType}\u0000${r.scopeId}`;
    const known = latest.get(key);
    if (!known || known.revision < revision) latest.set(key, { record: r, revision });
  }
  return [...latest.values()].map((l) => l.record);
}

export function governingSettings(records: readonly Pick<AdministrativeRecordRow, 'id' | 'kind' | 'subject' | 'scopeType' | 'scopeId' | 'body'>[], accounts: readonly (RuleAccount | null)[]): ApplicableSetting[] {
  const best = new Map<string, { setting: ApplicableSetting; rank: number }>();
  for (const r of latestSettings(records)) {
    const side = sideOf(r.scopeType, r.scopeId, accounts);
    if (side < 0) continue;
    const rank = SPECIFICITY[r.scopeType] * 2 + (side === 0 ? 1 : 0);
    const known = best.get(r.subject);
    if (!known || known.rank < rank) best.set(r.subject, { setting: { recordId: r.id, rule: r.subject, scopeType: r.scopeType, scopeId: r.scopeId, body: settingBody(r) }, rank });
  }
  return [...best.values()].map((b) => b.setting).filter((s) => s.body.enabled).sort((a, b) => (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0));
}

/** The suspension of `rule` that covers the transaction, if any (the records given are those in force at its time). */
export function coveringSuspension<R extends Pick<AdministrativeRecordRow, 'id' | 'kind' | 'subject' | 'scopeType' | 'scopeId'>>(records: readonly R[], rule: string, accounts: readonly (RuleAccount | null)[]): R | null {
  return records.find((r) => r.kind === 'RULE_SUSPENSION' && r.subject === rule && sideOf(r.scopeType, r.scopeId, accounts) >= 0) ?? null;
}
