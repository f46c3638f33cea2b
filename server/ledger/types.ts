import type pg from 'pg';
import type { Db } from '../db/client';
import type { AccountStatus, AccountType, Registry, Role } from '../db/generated/enums';
import type { CanonicalValue } from './canonical-json';
import type { Refusal } from './check-codes';

/*
 * The ledger's core vocabulary, with check-codes.ts (refusals) and plan.ts (what an operation decides).
 * The core imports nothing above it (operations, rules, descriptors, reservations, the write path);
 * eslint.config.mjs refuses such an import.
 */

/**
 * A grant as the ledger sees it: the role and the section or account it is scoped to, and, when it is
 * limited to some cooperative approaches (A6R-46), those. The field is absent, never empty, for a grant
 * without that limit, so that inputs logged before it existed encode, and replay, exactly as they did.
 */
export interface ActorGrant {
  readonly role: Role;
  readonly sectionId: string | null;
  readonly accountId: string | null;
  readonly cooperativeApproachIds?: readonly string[];
}

/**
 * Who proposes. When a registry administrator impersonates a user, `userId` is the impersonated user
 * and his grants are the ones that count (never beyond the user's rights); `impersonatorId` is the
 * administrator, recorded beside him.
 */
export interface Actor {
  readonly userId: string;
  readonly impersonatorId: string | null;
  readonly grants: readonly ActorGrant[];
}

/** Attributes shared by every unit of a series (A6R-40). */
export interface SeriesAttributes {
  readonly unitType: string;
  readonly cooperativeApproachId: string | null;
  readonly originatingRegistry: string;
  readonly hostParty: string;
  readonly firstTransferringParty: string;
  readonly activityId: string;
  readonly vintage: number;
  readonly sectors: readonly string[];
  readonly activityTypes: readonly string[];
  readonly metric: string;
  readonly pre2021: boolean;
  /**
   * Further attributes (¶24, ¶69): nomenclature name → code, each code an entry of that nomenclature.
   * Not part of the series' identity: the first issuance of a series fixes them.
   */
  readonly extra?: Readonly<Record<string, string>>;
}

export interface IssuanceProposal {
  readonly kind: 'ISSUANCE';
  readonly idempotencyKey: string;
  readonly accountId: string;
  readonly series: SeriesAttributes;
  readonly quantity: bigint;
}

/** Constraints of an implicit selection; an absent field does not constrain. */
export interface UnitConstraints {
  readonly seriesId?: string;
  readonly unitType?: string;
  readonly cooperativeApproachId?: string;
  readonly hostParty?: string;
  readonly activityId?: string;
  readonly vintage?: number;
}

export type UnitSelection =
  | { readonly mode: 'explicit'; readonly seriesId: string; readonly firstSerial: bigint; readonly lastSerial: bigint }
  | { readonly mode: 'implicit'; readonly quantity: bigint; readonly constraints: UnitConstraints };

export interface TransferProposal {
  readonly kind: 'TRANSFER';
  readonly idempotencyKey: string;
  readonly fromAccountId: string;
  readonly toAccountId: string;
  readonly selection: UnitSelection;
}

/** Units leave for another registry: they are placed in the proxy account (A6R-54). */
export interface ExternalTransferProposal {
  readonly kind: 'EXTERNAL_TRANSFER';
  readonly idempotencyKey: string;
  readonly fromAccountId: string;
  readonly destination: { readonly registryId: string; readonly accountId: string };
  readonly selection: UnitSelection;
}

/**
 * Units arrive from another registry (A6R-54): units that left from here come back out of the proxy
 * account; units never seen here are generated in the proxy account and transferred on, in the same
 * transaction. `message` is what the other registry sent, kept in the log so that replay can do without it.
 */
export interface ExternalArrivalProposal {
  readonly kind: 'EXTERNAL_ARRIVAL';
  readonly idempotencyKey: string;
  readonly toAccountId: string;
  readonly origin: { readonly registryId: string; readonly accountId: string; readonly messageId: string };
  readonly series: SeriesAttributes;
  readonly firstSerial: bigint;
  readonly lastSerial: bigint;
}

export interface AccountDefinition {
  readonly id: string;
  readonly registry: 'INTERNATIONAL' | 'MECHANISM';
  readonly name: string;
  readonly type: AccountType;
  readonly holderName: string;
  readonly sectionId: string | null;
  readonly cooperativeApproachId: string | null;
}

/** A configuration change (A6R-44): opening an account, in the Initial status unless stated. */
export interface OpenAccountProposal {
  readonly kind: 'OPEN_ACCOUNT';
  readonly idempotencyKey: string;
  readonly account: AccountDefinition;
}

/** A configuration change: an account's status (A6R-41), under the rules of who may set which. */
export interface SetAccountStatusProposal {
  readonly kind: 'SET_ACCOUNT_STATUS';
  readonly idempotencyKey: string;
  readonly accountId: string;
  readonly status: AccountStatus;
  /** Why (freezing an account, say): recorded in the log with the change. */
  readonly reason?: string;
}

/** A configuration change: a Party section (A6R-42) or cooperative approach (A6R-46) joins the registry. */
export interface DefineReferenceProposal {
  readonly kind: 'DEFINE_REFERENCE';
  readonly idempotencyKey: string;
  readonly reference: ReferenceDefinition;
}

/**
 * Reference data: a Party section, a cooperative approach, or an entry of a common nomenclature (a code
 * with its label, e.g. nomenclature "sector", id "energy").
 */
export type ReferenceDefinition =
  | { readonly type: 'SECTION' | 'COOPERATIVE_APPROACH'; readonly id: string; readonly name: string }
  | { readonly type: 'NOMENCLATURE_ENTRY'; readonly nomenclature: string; readonly id: string; readonly name: string };

/** Where a pluggable business rule applies (A6R-38): the whole registry, or one approach, section or account. */
export type RuleScope =
  | { readonly type: 'REGISTRY' }
  | { readonly type: 'COOPERATIVE_APPROACH' | 'SECTION' | 'ACCOUNT'; readonly id: string };

/**
 * A configuration change (A6R-38): a pluggable rule applies, with these settings, in this scope (or,
 * `enabled: false`, no longer applies there). Registry administrators; section administrators within
 * their section where the rule allows it. Settings are plain JSON the rule's version validates.
 */
export interface ConfigureRuleProposal {
  readonly kind: 'CONFIGURE_RULE';
  readonly idempotencyKey: string;
  readonly rule: string;
  readonly scope: RuleScope;
  readonly enabled: boolean;
  readonly settings: { readonly [key: string]: string | number | boolean | null };
}

/** A registry administrator suspends a pluggable rule in a scope for a time window [from, until), with a reason (A6R-17). */
export interface SuspendRuleProposal {
  readonly kind: 'SUSPEND_RULE';
  readonly idempotencyKey: string;
  readonly rule: string;
  readonly scope: RuleScope;
  readonly from: Date;
  readonly until: Date;
  readonly reason: string;
}

/**
 * A registry administrator ends a rule suspension before its window ends, with a reason (A6R-17): the
 * rule judges again every transaction from the moment the lift is recorded. A suspension whose window
 * has not begun is thereby cancelled.
 */
export interface LiftSuspensionProposal {
  readonly kind: 'LIFT_SUSPENSION';
  readonly idempotencyKey: string;
  /** The id of the suspension's administrative record. */
  readonly suspensionId: string;
  readonly reason: string;
}

/**
 * A corrective action (A6R-55), registry administrators only, disregarding the business rules it must:
 * - REVERSE: every unit a recorded transfer delivered goes back to the account it came from;
 * - CANCEL_ISSUANCE: units of a mistaken issuance are taken out of use into an administrative
 *   cancellation account;
 * - WITHHOLD: units are moved to an administrative holding account for the time being.
 * It records the transaction it corrects (none for WITHHOLD) and every rule it broke.
 */
export type CorrectiveTransferProposal =
  | { readonly kind: 'CORRECTIVE_TRANSFER'; readonly idempotencyKey: string; readonly action: 'REVERSE'; readonly correctsTransactionId: string; readonly reason: string }
  | {
      readonly kind: 'CORRECTIVE_TRANSFER';
      readonly idempotencyKey: string;
      readonly action: 'CANCEL_ISSUANCE' | 'WITHHOLD';
      readonly correctsTransactionId: string | null;
      readonly fromAccountId: string;
      readonly toAccountId: string;
      readonly selection: Extract<UnitSelection, { mode: 'explicit' }>;
      readonly reason: string;
    };

/**
 * A descriptor record (A6R-45): a Party authorizes units for NDC use, other international mitigation
 * purposes (OIMP) or both ('NONE' withdraws, for the future, what `supersedes` authorized), either
 * specific existing units (serial ranges of its own units) or every unit meeting a set of conditions
 * (its own units, of an approach, activity, unit type, vintages). It applies from `applicableFrom`, by
 * default and at the earliest 00:00 UTC of the next day and 12 hours after its creation. For OIMP,
 * `oimpFirstTransfer` says which event is the first transfer. Never recalled: a newer record supersedes.
 */
export interface RecordAuthorizationProposal {
  readonly kind: 'RECORD_AUTHORIZATION';
  readonly idempotencyKey: string;
  readonly party: string;
  readonly uses: 'NDC' | 'OIMP' | 'BOTH' | 'NONE';
  readonly units:
    | { readonly mode: 'ranges'; readonly ranges: readonly { readonly seriesId: string; readonly firstSerial: bigint; readonly lastSerial: bigint }[] }
    | { readonly mode: 'conditions'; readonly conditions: { readonly cooperativeApproachId?: string; readonly activityId?: string; readonly unitType?: string; readonly vintageFrom?: number; readonly vintageTo?: number } };
  readonly oimpFirstTransfer: 'AUTHORIZATION' | 'ISSUANCE' | 'USE_OR_CANCELLATION' | null;
  readonly applicableFrom: Date | null;
  readonly supersedes: string | null;
}

/**
 * The answer to a transfer that waits (A6R-47): APPROVE (a second authorized person, never its
 * initiator, before it expires) sends the reserved units on to the acquiring account; REJECT sends them
 * back to the transferring account; EXPIRE does the same once the reservation has expired.
 */
export interface ReleaseReservationProposal {
  readonly kind: 'RELEASE_RESERVATION';
  readonly idempotencyKey: string;
  readonly reservationTransactionId: string;
  readonly decision: 'APPROVE' | 'REJECT' | 'EXPIRE';
  readonly reason: string;
}

/**
 * Re-issues a first-transfer marker (A6R-45) for specific units of the Party, for one use: the latest
 * marker by date applies. Only for units not transferred to another registry since their latest marker,
 * unless that transfer was reversed by a corrective transfer.
 */
export interface ReissueMarkerProposal {
  readonly kind: 'REISSUE_MARKER';
  readonly idempotencyKey: string;
  readonly party: string;
  readonly use: 'NDC' | 'OIMP';
  readonly ranges: readonly { readonly seriesId: string; readonly firstSerial: bigint; readonly lastSerial: bigint }[];
  readonly reason: string;
}

export type Proposal =
  | ReissueMarkerProposal
  | ReleaseReservationProposal
  | RecordAuthorizationProposal
  | DefineReferenceProposal
  | IssuanceProposal
  | TransferProposal
  | ExternalTransferProposal
  | ExternalArrivalProposal
  | OpenAccountProposal
  | SetAccountStatusProposal
  | ConfigureRuleProposal
  | SuspendRuleProposal
  | LiftSuspensionProposal
  | CorrectiveTransferProposal;

export type Outcome =
  | { readonly status: 'RECORDED'; readonly transactionId: string; readonly quantity: bigint; readonly replayed: boolean; /** Waits for an approval, its units reserved (A6R-47). */ readonly pending?: boolean }
  | { readonly status: 'REJECTED'; readonly transactionId: string | null; readonly refusals: readonly Refusal[]; readonly replayed: boolean };

/** The account facts that the checks judge. */
export interface AccountFacts {
  readonly id: string;
  readonly registry: Registry;
  readonly type: AccountType;
  readonly status: AccountStatus;
  readonly sectionId: string | null;
}

/** Signs log entries with the registry's key (A6R-21). */
export interface LogSigner {
  readonly keyId: string;
  sign(data: string): string;
}

/** A job of the job queue that a recorded transaction asks for (LedgerContext.followUps). */
export interface FollowUpJob {
  readonly task: string;
  readonly payload: Record<string, unknown>;
  readonly queue?: string;
  readonly jobKey?: string;
  readonly maxAttempts?: number;
}

/**
 * What the ledger needs from outside, passed in so that tests and replay control it: the database
 * (Prisma for reads, a pg pool for the write path), the signer, the clock and the id source.
 */
export interface LedgerContext {
  readonly db: Db;
  readonly pool: pg.Pool;
  readonly signer: LogSigner;
  readonly now: () => Date;
  readonly newId: () => string;
  /**
   * The optional last step of a transaction (A6R-47): told of every outcome after it is committed.
   * It cannot change the outcome; a failure in it is reported and otherwise ignored.
   */
  readonly notify?: (proposal: Proposal, outcome: Outcome) => void | Promise<void>;
  /**
   * Work that follows from a recorded transaction (a notification, a message to a peer registry),
   * asked for as jobs of the job queue (server/jobs/). They are enqueued inside the transaction's own
   * database transaction, before its commit: a job exists exactly when the transaction was recorded.
   * Not asked for rejected proposals or replays.
   */
  readonly followUps?: (proposal: Proposal, recorded: { readonly transactionId: string; readonly createdAt: Date; readonly pending: boolean }) => readonly FollowUpJob[];
  // `builtInRules`, the book of built-in rules by date, is declared beside the book itself
  // (server/ledger/rules/built-in.ts), which adds it to this interface: the core names no type above it.
}

/** A claimed log chain and its head hash, held until the transaction ends (server/ledger/log.ts). */
export interface ClaimedChain {
  readonly chain: number;
  readonly head: string;
}

/**
 * Administrative records (table "AdministrativeRecord"): the history of rule settings, suspensions,
 * corrections, descriptor records (authorizations, first-transfer markers) and reservations.
 * Append-only; each is decided by one ledger transaction, logged as an elementary operation
 * `{ op: 'record', … }` of it, written with it, and rebuilt from the log by replay. Its id is
 * `<transactionId>/<n>`, n counting the transaction's records from 0 in log order
 * (server/ledger/rules/records.ts writes and reads them).
 */
export type AdministrativeKind = 'RULE_SETTING' | 'RULE_SUSPENSION' | 'RULE_SUSPENSION_LIFT' | 'CORRECTION' | 'AUTHORIZATION' | 'FIRST_TRANSFER_MARKER' | 'RESERVATION' | 'RESERVATION_RELEASE';

export type ScopeType = RuleScope['type'] | 'TRANSACTION' | 'UNITS';

export interface NewAdministrativeRecord {
  readonly kind: AdministrativeKind;
  readonly subject: string;
  readonly scopeType: ScopeType;
  /** '' for the registry as a whole. */
  readonly scopeId: string;
  readonly body: { readonly [key: string]: CanonicalValue };
  readonly validFrom: Date | null;
  readonly validUntil: Date | null;
}

/** A record as stored, times as ISO-8601 UTC text and the body as canonical JSON text. */
export interface AdministrativeRecordRow {
  readonly id: string;
  readonly kind: AdministrativeKind;
  readonly subject: string;
  readonly scopeType: ScopeType;
  readonly scopeId: string;
  readonly body: string;
  readonly validFrom: string | null;
  readonly validUntil: string | null;
  readonly transactionId: string;
  readonly createdAt: string;
}
