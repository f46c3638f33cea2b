/**
 * Every business refusal has a stable number, a name and a message. Numbers group the checks in their
 * order of precedence, in the spirit of registry check codes: the proposal itself, then the
 * transferring account, the acquiring account, the units, the quantities. Checks run in that order and
 * a proposal is judged by all checks of the first group that fails, so that a user sees every problem
 * of the same kind at once and never a consequence of an earlier one.
 */
export const CHECKS = {
  // 1xxx: the proposal
  IDEMPOTENCY_KEY_REUSED: { code: 1001, message: 'This request id was already used for a different request.' },
  INITIATOR_UNKNOWN: { code: 1002, message: 'The initiator of this request is not a known user.' },
  INPUT_TOO_LARGE: { code: 1003, message: 'This request is too large to be recorded.' },
  // 2xxx: the transferring (or generating) account
  TRANSFERRING_ACCOUNT_NOT_FOUND: { code: 2001, message: 'The transferring account does not exist.' },
  TRANSFERRING_ACCOUNT_NOT_OPERATIONAL: { code: 2002, message: 'The transferring account is not active.' },
  TRANSFERRING_ACCOUNT_TYPE_CANNOT_TRANSFER: { code: 2003, message: 'Units cannot be transferred out of an account of this type.' },
  INITIATOR_NOT_ALLOWED_ON_TRANSFERRING_ACCOUNT: { code: 2004, message: 'You are not allowed to initiate transactions from this account.' },
  ACCOUNT_TYPE_CANNOT_GENERATE: { code: 2005, message: 'Units cannot be issued into an account of this type.' },
  ACCOUNT_ALREADY_EXISTS: { code: 2006, message: 'An account with this number already exists.' },
  NOT_ALLOWED_TO_OPEN_ACCOUNT: { code: 2007, message: 'You are not allowed to open an account of this type in this section.' },
  ACCOUNT_DEFINITION_INVALID: { code: 2008, message: 'The account definition is invalid.' },
  STATUS_CHANGE_NOT_ALLOWED: { code: 2009, message: 'You are not allowed to set this status on this account.' },
  NO_PROXY_ACCOUNT: { code: 2010, message: 'The registry has no proxy account for transfers to and from other registries.' },
  NOT_ALLOWED_TO_CONFIGURE: { code: 2011, message: 'Only registry administrators change this configuration.' },
  REFERENCE_ALREADY_EXISTS: { code: 2012, message: 'A section or cooperative approach with this id already exists.' },
  REFERENCE_INVALID: { code: 2013, message: 'The section or cooperative approach definition is invalid.' },
  RULE_UNKNOWN: { code: 2014, message: 'No pluggable business rule has this name.' },
  RULE_SETTINGS_INVALID: { code: 2015, message: 'The settings of the business rule are invalid.' },
  RULE_SCOPE_INVALID: { code: 2016, message: 'The scope of the business rule does not exist or does not fit the rule.' },
  RULE_SUSPENSION_INVALID: { code: 2017, message: 'A suspension needs a reason and a time window that ends after it starts.' },
  NOT_ALLOWED_TO_CORRECT: { code: 2018, message: 'Only registry administrators initiate corrective actions.' },
  CORRECTED_TRANSACTION_INVALID: { code: 2019, message: 'The transaction to correct does not exist or cannot be corrected this way.' },
  CORRECTION_REASON_MISSING: { code: 2020, message: 'A corrective action needs a reason of 1 to 500 characters.' },
  NOT_ALLOWED_TO_AUTHORIZE: { code: 2021, message: 'Only registry administrators and the section administrators of the Party record its authorizations.' },
  DESCRIPTOR_INVALID: { code: 2022, message: 'The descriptor record is invalid.' },
  APPROVER_IS_INITIATOR: { code: 2023, message: 'A transfer is approved by a second person, not by the one who proposed it.' },
  RESERVATION_NOT_PENDING: { code: 2024, message: 'The transfer no longer waits: it was approved, rejected or has expired, or it never waited.' },
  RESERVATION_NOT_EXPIRED: { code: 2025, message: 'The reservation has not expired yet.' },
  SUSPENSION_NOT_IN_FORCE: { code: 2026, message: 'There is no such suspension, or it has already ended or been lifted.' },
  SUSPENSION_LIFT_REASON_MISSING: { code: 2027, message: 'Lifting a suspension needs a reason of 1 to 500 characters.' },
  RELEASE_REASON_TOO_LONG: { code: 2028, message: 'The reason given for answering a waiting transfer is at most 500 characters.' },
  // Numbered apart from the checks above, which grow one by one: a grant limited to cooperative approaches.
  GRANT_OUTSIDE_COOPERATIVE_APPROACH: { code: 2050, message: 'Your grant is limited to other cooperative approaches than the one this act concerns.' },
  // 3xxx: the acquiring account
  ACQUIRING_ACCOUNT_NOT_FOUND: { code: 3001, message: 'The acquiring account does not exist.' },
  ACQUIRING_ACCOUNT_NOT_OPERATIONAL: { code: 3002, message: 'The acquiring account is not active.' },
  ACQUIRING_ACCOUNT_TYPE_CANNOT_ACQUIRE: { code: 3003, message: 'Units cannot be transferred into an account of this type.' },
  ACQUIRING_ACCOUNT_SAME_AS_TRANSFERRING: { code: 3004, message: 'The acquiring account must differ from the transferring account.' },
  // 4xxx: the units
  RANGE_NOT_HELD: { code: 4001, message: 'The serial range is not held, in one block, in the transferring account.' },
  NO_MATCHING_UNITS: { code: 4002, message: 'The transferring account holds no units that match the constraints.' },
  SERIES_ATTRIBUTES_INVALID: { code: 4003, message: 'The unit attributes are invalid.' },
  UNITS_ALREADY_EXIST: { code: 4004, message: 'Some of the arriving units already exist in this registry outside the proxy account.' },
  SERIES_ATTRIBUTES_CONFLICT: { code: 4005, message: 'The units belong to an existing series whose attributes differ from those given.' },
  CORRECTED_UNITS_MOVED: { code: 4006, message: 'Some units of the transaction to correct are no longer where it put them.' },
  AUTHORIZED_UNITS_NOT_FOUND: { code: 4007, message: 'Some of the units to authorize do not exist in this registry.' },
  UNITS_OUTSIDE_GRANT_APPROACH: { code: 4050, message: 'Some of the units belong to a cooperative approach your grant does not cover.' },
  MARKER_REISSUE_NOT_ALLOWED: { code: 4008, message: 'A first-transfer marker is re-issued only for marked units not transferred to another registry since, unless that transfer was reversed.' },
  // 5xxx: the quantities
  QUANTITY_NOT_POSITIVE: { code: 5001, message: 'The quantity must be a positive whole number of units.' },
  INSUFFICIENT_UNITS: { code: 5002, message: 'The transferring account holds fewer matching units than the quantity requested.' },
  QUANTITY_TOO_LARGE: { code: 5003, message: 'The quantity exceeds the largest block the registry accepts in one operation.' },
  // 6xxx: pluggable business rules (server/ledger/rules), judged once the transaction is otherwise valid
  TRANSFER_LIMIT_EXCEEDED: { code: 6001, message: 'The quantity exceeds the largest transfer the applicable rule allows.' },
  SUPPLEMENTARY_ACCOUNT_NOT_OPERATIONAL: { code: 6002, message: 'The account a rule sends a share of the units to does not exist, is not active or cannot receive units.' },
  UNITS_NOT_AUTHORIZED_FOR_USE: { code: 6003, message: 'Only units authorized for NDC use may enter a use account.' },
  VINTAGE_OUTSIDE_NDC_PERIOD: { code: 6004, message: 'The vintage of some units does not fit the NDC period of the retirement account.' },
  UNITS_NOT_AUTHORIZED_FOR_EXPORT: { code: 6005, message: 'Only authorized units may leave for another registry of the cooperative approach.' },
} as const satisfies Record<string, { code: number; message: string }>;

export type CheckName = keyof typeof CHECKS;

/** A failed condition, with the data it judged (A6R-47). */
export interface Refusal {
  readonly code: number;
  readonly check: CheckName;
  readonly message: string;
  readonly judged: Readonly<Record<string, string | number | boolean | null>>;
}

export function refusal(check: CheckName, judged: Refusal['judged'] = {}): Refusal {
  const definition = CHECKS[check];
  return { code: definition.code, check, message: definition.message, judged };
}

/** Keeps only the refusals of the first failing group, so that precedence is part of the contract. */
export function firstGroup(refusals: readonly Refusal[]): Refusal[] {
  if (refusals.length === 0) return [];
  const sorted = [...refusals].sort((a, b) => a.code - b.code);
  const group = Math.floor((sorted[0] as Refusal).code / 1000);
  return sorted.filter((r) => Math.floor(r.code / 1000) === group);
}
