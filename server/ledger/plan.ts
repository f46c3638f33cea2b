import type { AccountStatus } from '../db/generated/enums';
import type { CanonicalValue } from './canonical-json';
import type { Refusal } from './check-codes';
import type { AccountDefinition, AccountFacts, ClaimedChain, NewAdministrativeRecord, ReferenceDefinition, SeriesAttributes } from './types';

/** A block record to create. */
export interface NewBlock {
  readonly seriesId: string;
  readonly firstSerial: bigint;
  readonly lastSerial: bigint;
  readonly accountId: string;
}

/** An open block record to close, as the operation read it under its account's lock. */
export interface ClosingBlock extends NewBlock {
  readonly id: bigint;
}

/**
 * What an operation decided, for the write path to record. Operations read and lock; only the write
 * path writes, so that every change, its transaction row and its log entry go out in one statement.
 */
export interface Changes {
  readonly series: readonly (SeriesAttributes & { readonly id: string })[];
  readonly close: readonly ClosingBlock[];
  readonly create: readonly NewBlock[];
  readonly openAccounts: readonly (AccountDefinition & { readonly status: AccountStatus })[];
  readonly statusChanges: readonly { readonly accountId: string; readonly from: AccountStatus; readonly to: AccountStatus }[];
  readonly references: readonly ReferenceDefinition[];
  /** Rule settings, suspensions, corrections, descriptor records and reservations (AdministrativeKind); absent: none. */
  readonly records?: readonly NewAdministrativeRecord[];
}

export const NO_CHANGES: Changes = { series: [], close: [], create: [], openAccounts: [], statusChanges: [], references: [] };

/**
 * An operation's decision. `createdAt` is read from the clock after the locks are held, so that two
 * transactions touching the same account are timestamped in the order they happened: replay and
 * as-of queries depend on it.
 */
export type Plan =
  | { readonly createdAt: Date; readonly refusals: readonly Refusal[] }
  | {
      readonly createdAt: Date;
      readonly chain: ClaimedChain;
      readonly quantity: bigint;
      readonly changes: Changes;
      readonly operations: readonly CanonicalValue[];
      readonly delivery?: Delivery;
      /** The accounts locked (shared) as possible receivers of supplementary units (receiversToLock). */
      readonly receivers?: readonly string[];
      /** The accounts the operation locked, as registry_lock read them under the locks (its `accounts`). */
      readonly locked?: ReadonlyMap<string, AccountFacts>;
    };

/** A plan that decided to record: its changes, elementary operations and what the rules need to judge them. */
export type DecidedPlan = Extract<Plan, { readonly chain: ClaimedChain }>;

/**
 * A transfer that waited (A6R-47) being delivered on approval: the rules judge it as a transfer from
 * `fromAccountId` to `toAccountId` of the units the plan creates there, at the approval's time, except
 * that a rule that holds transfers does not hold it again (the approval is what it waited for).
 */
export interface Delivery {
  readonly fromAccountId: string;
  readonly toAccountId: string;
}

/** The elementary operation of an administrative record, as the log carries it. */
export function recordOperation(r: NewAdministrativeRecord): CanonicalValue {
  return { op: 'record', kind: r.kind, subject: r.subject, scopeType: r.scopeType, scopeId: r.scopeId, body: r.body, validFrom: r.validFrom, validUntil: r.validUntil };
}

/** The elementary operations (A6R-44) of a set of changes, as they appear in the log and drive replay. */
export function operationsOf(changes: Changes): CanonicalValue[] {
  return [
    ...changes.references.map((r) => ({ op: 'reference', ...r })),
    ...changes.openAccounts.map((a) => ({ op: 'open-account', ...a })),
    ...changes.statusChanges.map((s) => ({ op: 'account-status', ...s })),
    ...changes.series.map((s) => ({ op: 'series', ...s, sectors: [...s.sectors], activityTypes: [...s.activityTypes], extra: s.extra ? { ...s.extra } : undefined })),
    ...changes.close.map((b) => ({ op: 'close', seriesId: b.seriesId, firstSerial: b.firstSerial, lastSerial: b.lastSerial, accountId: b.accountId })),
    ...changes.create.map((b) => ({ op: 'create', seriesId: b.seriesId, firstSerial: b.firstSerial, lastSerial: b.lastSerial, accountId: b.accountId })),
    ...(changes.records ?? []).map(recordOperation),
  ];
}
