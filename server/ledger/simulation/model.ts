import type { AccountStatus, AccountType, Registry } from '../../db/generated/enums';
import { seriesIdOf } from '../operations/issue-units';
import type {
  AccountDefinition,
  Actor,
  ConfigureRuleProposal,
  CorrectiveTransferProposal,
  RecordAuthorizationProposal,
  ReleaseReservationProposal,
  DefineReferenceProposal,
  ExternalArrivalProposal,
  ExternalTransferProposal,
  IssuanceProposal,
  LiftSuspensionProposal,
  OpenAccountProposal,
  Proposal,
  SeriesAttributes,
  SetAccountStatusProposal,
  RuleScope,
  SuspendRuleProposal,
  TransferProposal,
  UnitConstraints,
  UnitSelection,
} from '../types';

/**
 * A deliberately simple model of the ledger, for the simulator (STYLE.md, TigerBeetle row): plain maps
 * and arrays in memory, every rule written again from DOMAIN.md and the requirement text rather than
 * imported from the ledger, so that a bug on one side shows up as a disagreement. It is obviously
 * correct rather than fast: it scans arrays where the ledger uses indexes.
 *
 * The only thing taken from the ledger is `seriesIdOf`, which names a series; naming is not a rule.
 */

export interface ModelBlock {
  readonly seriesId: string;
  readonly firstSerial: bigint;
  readonly lastSerial: bigint;
}

export interface ModelAccount {
  readonly id: string;
  readonly registry: Registry;
  readonly type: AccountType;
  readonly status: AccountStatus;
  readonly sectionId: string | null;
  readonly cooperativeApproachId: string | null;
}

/** A transfer waiting in escrow for its answer, or units withheld, and where they came from and go. */
export interface Waiting {
  readonly kind: 'reservation' | 'withholding';
  readonly fromId: string;
  readonly toId: string;
  /** Where the units wait: the escrow account, or the administrative holding account. */
  readonly holdId: string;
  readonly blocks: readonly ModelBlock[];
  readonly initiator: Actor;
  answered: boolean;
}

export interface ModelSeries extends SeriesAttributes {
  readonly id: string;
}

/** What the model expects the ledger to answer, and which accounts' blocks to compare afterwards. */
export type Prediction =
  | { readonly status: 'RECORDED'; readonly quantity: bigint; readonly replayed: boolean; readonly accounts: readonly string[] }
  | { readonly status: 'REJECTED'; readonly codes: readonly number[]; readonly replayed: boolean; readonly accounts: readonly string[] };

/** The largest quantity one operation may create (the ledger's published limit, part of its contract). */
export const MODEL_MAX_QUANTITY = 1_000_000_000_000n;
/** The serial space: positive 64-bit integers. Units beyond it cannot exist, so no proposal may create them. */
export const MODEL_MAX_SERIAL = 2n ** 63n - 1n;

// The refusal codes, as published in check-codes.ts: numbers are the contract, so the model names them itself.
const C = {
  KEY_REUSED: 1001,
  FROM_NOT_FOUND: 2001,
  FROM_NOT_OPERATIONAL: 2002,
  FROM_CANNOT_SEND: 2003,
  INITIATOR_NOT_ALLOWED: 2004,
  CANNOT_GENERATE: 2005,
  ACCOUNT_EXISTS: 2006,
  NOT_ALLOWED_TO_OPEN: 2007,
  ACCOUNT_INVALID: 2008,
  STATUS_CHANGE_NOT_ALLOWED: 2009,
  NO_PROXY: 2010,
  NOT_ALLOWED_TO_CONFIGURE: 2011,
  REFERENCE_EXISTS: 2012,
  REFERENCE_INVALID: 2013,
  TO_NOT_FOUND: 3001,
  TO_NOT_OPERATIONAL: 3002,
  TO_CANNOT_RECEIVE: 3003,
  TO_SAME_AS_FROM: 3004,
  RANGE_NOT_HELD: 4001,
  NO_MATCHING_UNITS: 4002,
  SERIES_INVALID: 4003,
  UNITS_EXIST: 4004,
  SERIES_CONFLICT: 4005,
  QUANTITY_NOT_POSITIVE: 5001,
  INSUFFICIENT: 5002,
  QUANTITY_TOO_LARGE: 5003,
  // Rules, corrections, descriptors and reservations (docs/rules.md).
  NOT_ALLOWED_TO_CORRECT: 2018,
  CORRECTED_INVALID: 2019,
  NOT_ALLOWED_TO_AUTHORIZE: 2021,
  APPROVER_IS_INITIATOR: 2023,
  NOT_PENDING: 2024,
  UNITS_MOVED: 4006,
  RULE_SUSPENSION_INVALID: 2017,
  SUSPENSION_NOT_IN_FORCE: 2026,
  LIFT_REASON_MISSING: 2027,
  TRANSFER_LIMIT: 6001,
  SUPPLEMENTARY_ACCOUNT: 6002,
} as const;

/** The pluggable rules the simulation configures, each in one scope, with their settings (docs/rules.md). */
type ModelRule =
  | { readonly rule: 'four-eyes'; readonly scope: RuleScope; readonly threshold: bigint; readonly escrowId: string }
  | { readonly rule: 'transfer-fee' | 'share-of-proceeds'; readonly scope: RuleScope; readonly accountId: string; readonly basisPoints: bigint }
  | { readonly rule: 'transfer-limit'; readonly scope: RuleScope; readonly maximum: bigint };

/** A suspension of a rule in a scope, from when it was recorded until lifted (the simulation's windows end in 2100). */
interface ModelSuspension {
  readonly rule: string;
  readonly scope: RuleScope;
  lifted: boolean;
}

/** Units a rule sends elsewhere in the same transaction. */
interface ModelDiversion {
  readonly accountId: string;
  readonly quantity: bigint;
}

/** Which kinds of transaction each rule judges (the rules' `appliesTo`). */
const RULE_KINDS: Readonly<Record<ModelRule['rule'], readonly ('ISSUANCE' | 'TRANSFER' | 'EXTERNAL_TRANSFER')[]>> = {
  'four-eyes': ['TRANSFER'],
  'share-of-proceeds': ['ISSUANCE'],
  'transfer-fee': ['TRANSFER'],
  'transfer-limit': ['TRANSFER', 'EXTERNAL_TRANSFER'],
};

/** Whether a scope covers an account: the registry all, an approach or section its accounts, an account itself. */
function covers(scope: RuleScope, account: ModelAccount | undefined): boolean {
  if (!account) return false;
  if (scope.type === 'REGISTRY') return true;
  if (scope.type === 'ACCOUNT') return account.id === scope.id;
  if (scope.type === 'SECTION') return account.sectionId === scope.id;
  return account.cooperativeApproachId === scope.id;
}

/**
 * Account types and what units may do in them (A6R-41, DOMAIN.md "Ledger objects", mechanism paper):
 * issuance and pending accounts generate; end-use accounts (use, cancellation, administrative
 * cancellation) only receive; the proxy account changes only through external transfers and
 * arrivals (A6R-54), never through an internal transfer; higher-tier amounts are never transacted
 * directly (A6R-53).
 */
const TYPE_RULES: Record<AccountType, { readonly generates: boolean; readonly sends: boolean; readonly receives: boolean }> = {
  ISSUANCE: { generates: true, sends: true, receives: false },
  PENDING: { generates: true, sends: true, receives: false },
  HOLDING: { generates: false, sends: true, receives: true },
  USE: { generates: false, sends: false, receives: true },
  CANCELLATION: { generates: false, sends: false, receives: true },
  ADMIN_CANCELLATION: { generates: false, sends: false, receives: true },
  ADMIN_HOLDING: { generates: false, sends: true, receives: true },
  ADAPTATION_FUND: { generates: false, sends: true, receives: true },
  PROXY: { generates: false, sends: false, receives: false },
  HIGHER_TIER: { generates: false, sends: false, receives: false },
};

export const modelTypeRules = (type: AccountType) => TYPE_RULES[type];

const hasRole = (actor: Actor, role: string) => actor.grants.some((g) => g.role === role);
const isRegistryAdmin = (actor: Actor) => hasRole(actor, 'REGISTRY_ADMIN');
const isSectionAdminOf = (actor: Actor, sectionId: string | null) => sectionId !== null && actor.grants.some((g) => g.role === 'SECTION_ADMIN' && g.sectionId === sectionId);

/** A6R-41: Active works for everyone, Restricted only when a registry administrator initiates, the rest for nobody. */
function operational(account: ModelAccount, actor: Actor): boolean {
  if (account.status === 'ACTIVE') return true;
  return account.status === 'RESTRICTED' && isRegistryAdmin(actor);
}

/** Grants flow down (A6R-14): registry admin anywhere, section admin in his section, holder on his account. */
export function modelMayInitiate(actor: Actor, account: ModelAccount): boolean {
  if (isRegistryAdmin(actor) || isSectionAdminOf(actor, account.sectionId)) return true;
  return actor.grants.some((g) => g.role === 'ACCOUNT_HOLDER' && g.accountId === account.id);
}

/**
 * A6R-41 as a table. Nobody sets Initial, repeats the current status or leaves Terminated. A registry
 * administrator sets anything else. A section administrator, on an account of his section, moves
 * between Initial/Active/Suspended and to Terminated, but neither sets nor lifts Restricted or Frozen.
 */
function mayChangeStatus(actor: Actor, account: ModelAccount, to: AccountStatus): boolean {
  if (to === 'INITIAL' || to === account.status || account.status === 'TERMINATED') return false;
  if (isRegistryAdmin(actor)) return true;
  if (!isSectionAdminOf(actor, account.sectionId)) return false;
  const sectionAdminSets: readonly AccountStatus[] = ['ACTIVE', 'SUSPENDED', 'TERMINATED'];
  const sectionAdminLeaves: readonly AccountStatus[] = ['INITIAL', 'ACTIVE', 'SUSPENDED'];
  return sectionAdminSets.includes(to) && sectionAdminLeaves.includes(account.status);
}

/** Section admins open the Party's issuance, holding, use and cancellation accounts; the rest is the registry admin's. */
function mayOpen(actor: Actor, definition: AccountDefinition): boolean {
  if (isRegistryAdmin(actor)) return true;
  const partyTypes: readonly AccountType[] = ['ISSUANCE', 'HOLDING', 'USE', 'CANCELLATION'];
  return partyTypes.includes(definition.type) && isSectionAdminOf(actor, definition.sectionId);
}

/** The further attributes (beyond the series identity) in which two descriptions of a series differ. */
export function attributeDifferences(a: SeriesAttributes, b: SeriesAttributes): string[] {
  const fields: [string, unknown, unknown][] = [
    ['sectors', [...a.sectors], [...b.sectors]],
    ['activityTypes', [...a.activityTypes], [...b.activityTypes]],
    ['metric', a.metric, b.metric],
    ['pre2021', a.pre2021, b.pre2021],
    ['extra', a.extra ?? {}, b.extra ?? {}],
  ];
  return fields.filter(([, x, y]) => stableText(x) !== stableText(y)).map(([name]) => name);
}

const size = (b: { readonly firstSerial: bigint; readonly lastSerial: bigint }) => b.lastSerial - b.firstSerial + 1n;

/** A range taken out of a held block. */
export interface ModelTake {
  readonly block: ModelBlock;
  readonly firstSerial: bigint;
  readonly lastSerial: bigint;
}

/** Smallest first; ties by series id, then first serial (the published tie order). */
function bySize(a: ModelBlock, b: ModelBlock): number {
  const d = size(a) - size(b);
  if (d !== 0n) return d < 0n ? -1 : 1;
  if (a.seriesId !== b.seriesId) return a.seriesId < b.seriesId ? -1 : 1;
  return a.firstSerial === b.firstSerial ? 0 : a.firstSerial < b.firstSerial ? -1 : 1;
}

function bySeriesThenSerial(a: ModelBlock, b: ModelBlock): number {
  if (a.seriesId !== b.seriesId) return a.seriesId < b.seriesId ? -1 : 1;
  return a.firstSerial === b.firstSerial ? 0 : a.firstSerial < b.firstSerial ? -1 : 1;
}

/** The lowest `count` serials of a block: a split keeps the lowest serials for the transfer. */
const lowest = (block: ModelBlock, count: bigint): ModelTake => ({ block, firstSerial: block.firstSerial, lastSerial: block.firstSerial + count - 1n });
const wholeOf = (block: ModelBlock): ModelTake => ({ block, firstSerial: block.firstSerial, lastSerial: block.lastSerial });

/**
 * A6R-52, read straight from the requirement: (1) a range matching the amount by length is taken;
 * (2a) otherwise sort by size, shortest first; (2b) accumulate enough; (2c) if the last range taken is
 * shorter than the amount, transfer it and the smaller ones, splitting the smallest if necessary, and
 * leave out the smallest ones that lie wholly inside the overshoot, so that nothing is split needlessly;
 * (2d) if the last range is longer than the amount, transfer all from the smallest and split the
 * largest (the last).
 */
export type SelectionBranch = 'exact' | 'whole-blocks' | 'split-largest' | 'split-smallest' | 'left-out-small-blocks';

export function modelImplicitSelection(matching: readonly ModelBlock[], quantity: bigint): { readonly takes: readonly ModelTake[]; readonly branch: SelectionBranch } | { readonly available: bigint } {
  if (quantity <= 0n) throw new Error('modelImplicitSelection: quantity must be positive');
  const sorted = [...matching].sort(bySize);
  const exact = sorted.find((b) => size(b) === quantity);
  if (exact) return checked({ takes: [wholeOf(exact)], branch: 'exact' }, quantity);
  const taken: ModelBlock[] = [];
  let sum = 0n;
  for (const block of sorted) {
    if (sum >= quantity) break;
    taken.push(block);
    sum += size(block);
  }
  if (sum < quantity) return { available: sum };
  if (sum === quantity) return checked({ takes: taken.map(wholeOf), branch: 'whole-blocks' }, quantity);
  const last = taken[taken.length - 1] as ModelBlock;
  if (size(last) > quantity) {
    const before = taken.slice(0, -1);
    const rest = quantity - before.reduce((s, b) => s + size(b), 0n);
    return checked({ takes: [...before.map(wholeOf), lowest(last, rest)], branch: 'split-largest' }, quantity);
  }
  let excess = sum - quantity;
  let kept = taken;
  while (kept.length > 0 && excess >= size(kept[0] as ModelBlock)) {
    excess -= size(kept[0] as ModelBlock);
    kept = kept.slice(1);
  }
  const branch: SelectionBranch = kept.length < taken.length ? 'left-out-small-blocks' : 'split-smallest';
  if (excess === 0n) return checked({ takes: kept.map(wholeOf), branch }, quantity);
  const smallest = kept[0] as ModelBlock;
  return checked({ takes: [lowest(smallest, size(smallest) - excess), ...kept.slice(1).map(wholeOf)], branch }, quantity);
}

/** Postconditions of every selection: exactly the quantity, inside the blocks, at most one block split. */
function checked(selection: { readonly takes: readonly ModelTake[]; readonly branch: SelectionBranch }, quantity: bigint): { readonly takes: readonly ModelTake[]; readonly branch: SelectionBranch } {
  const total = selection.takes.reduce((s, t) => s + size(t), 0n);
  if (total !== quantity) throw new Error(`model selection took ${total} units for ${quantity}`);
  if (selection.takes.some((t) => t.firstSerial < t.block.firstSerial || t.lastSerial > t.block.lastSerial || t.firstSerial > t.lastSerial)) throw new Error('model selection left its block');
  if (selection.takes.filter((t) => size(t) !== size(t.block)).length > 1) throw new Error('model selection split more than one block');
  return selection;
}

/** Keeps the codes of the lowest group only, sorted: the precedence contract of check-codes.ts. */
function firstGroupOf(codes: readonly number[]): number[] {
  if (codes.length === 0) return [];
  const group = Math.min(...codes.map((c) => Math.floor(c / 1000)));
  return codes.filter((c) => Math.floor(c / 1000) === group).sort((a, b) => a - b);
}

/** Order-independent text of a value: the same input gives the same text (bigint as decimal, keys sorted, undefined dropped). */
export function stableText(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'bigint') return JSON.stringify(value.toString());
  if (typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(stableText).join(',')}]`;
  const o = value as Record<string, unknown>;
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stableText(o[k])}`)
    .join(',')}}`;
}

type Decision = { readonly codes: readonly number[] } | { readonly quantity: bigint; readonly commit: () => void };

const ACCOUNT_ID = /^[A-Z0-9][A-Z0-9-]{2,63}$/;
const ALPHA3 = /^[A-Z]{3}$/;

export class LedgerModel {
  private readonly sections = new Set<string>();
  private readonly approaches = new Set<string>();
  private readonly accountsById = new Map<string, ModelAccount>();
  private readonly seriesById = new Map<string, ModelSeries>();
  /** Highest serial ever used per series: issuance continues after it. */
  private readonly top = new Map<string, bigint>();
  private readonly holdings = new Map<string, ModelBlock[]>();
  private readonly decided = new Map<string, { readonly input: string; readonly prediction: Prediction }>();
  /** The pluggable rules configured, by name (one scope each). */
  private readonly rules = new Map<ModelRule['rule'], ModelRule>();
  /** Suspensions by the idempotency key of their proposal, then by their record id. */
  private readonly suspensionsByKey = new Map<string, ModelSuspension>();
  private readonly suspensions = new Map<string, ModelSuspension>();
  /** Transfers that wait and withholdings, by the idempotency key of their proposal, then by transaction id. */
  private readonly waitingByKey = new Map<string, Waiting>();
  private readonly waiting = new Map<string, Waiting>();
  /** How often the model predicted each effect of the pluggable rules: workload coverage of docs/rules.md. */
  readonly ruleCoverage = { diverted: 0, limitRefused: 0, receiverRefused: 0, letThroughBySuspension: 0, held: 0, delivered: 0, lifted: 0 };
  /** How often each branch of A6R-52 was predicted, and the most blocks one selection took: workload coverage. */
  readonly coverage: Record<SelectionBranch | 'insufficient', number> & { maxBlocksTaken: number } = {
    exact: 0,
    'whole-blocks': 0,
    'split-largest': 0,
    'split-smallest': 0,
    'left-out-small-blocks': 0,
    insufficient: 0,
    maxBlocksTaken: 0,
  };

  // ---- queries, for the workload generator and the comparisons ----

  account(id: string): ModelAccount | undefined {
    return this.accountsById.get(id);
  }

  accounts(): ModelAccount[] {
    return [...this.accountsById.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /**
   * The open blocks of an account in a canonical order (series, then first serial), whatever order the
   * model learnt them in: after a concurrent burst that order varies, and the workload picks by index.
   */
  blocksOf(accountId: string): readonly ModelBlock[] {
    return [...(this.holdings.get(accountId) ?? [])].sort(bySeriesThenSerial);
  }

  blockCount(accountId: string): number {
    return this.holdings.get(accountId)?.length ?? 0;
  }

  balanceOf(accountId: string): bigint {
    return (this.holdings.get(accountId) ?? []).reduce((s, b) => s + size(b), 0n);
  }

  series(id: string): ModelSeries | undefined {
    return this.seriesById.get(id);
  }

  allSeries(): ModelSeries[] {
    return [...this.seriesById.values()];
  }

  topOf(seriesId: string): bigint {
    return this.top.get(seriesId) ?? 0n;
  }

  hasSection(id: string): boolean {
    return this.sections.has(id);
  }

  hasApproach(id: string): boolean {
    return this.approaches.has(id);
  }

  wasDecided(initiatorId: string, idempotencyKey: string): boolean {
    return this.decided.has(keyOf(initiatorId, idempotencyKey));
  }

  /** The registry's proxy account: the first by id that is not terminated. */
  proxyAccount(): ModelAccount | undefined {
    return this.accounts().find((a) => a.type === 'PROXY' && a.status !== 'TERMINATED');
  }

  /** Open blocks of a series, in any account, that share a serial with [first, last]. */
  overlapping(seriesId: string, firstSerial: bigint, lastSerial: bigint): { accountId: string; block: ModelBlock }[] {
    const out: { accountId: string; block: ModelBlock }[] = [];
    for (const [accountId, blocks] of this.holdings) {
      for (const block of blocks) if (block.seriesId === seriesId && block.firstSerial <= lastSerial && firstSerial <= block.lastSerial) out.push({ accountId, block });
    }
    return out;
  }

  matchingBlocks(accountId: string, c: UnitConstraints): ModelBlock[] {
    return this.blocksOf(accountId).filter((b) => {
      const s = this.seriesById.get(b.seriesId);
      if (!s) throw new Error(`model: block of unknown series ${b.seriesId}`);
      return (
        (c.seriesId === undefined || c.seriesId === s.id) &&
        (c.unitType === undefined || c.unitType === s.unitType) &&
        (c.cooperativeApproachId === undefined || c.cooperativeApproachId === s.cooperativeApproachId) &&
        (c.hostParty === undefined || c.hostParty === s.hostParty) &&
        (c.activityId === undefined || c.activityId === s.activityId) &&
        (c.vintage === undefined || c.vintage === s.vintage)
      );
    });
  }

  /** Total units per series over all accounts: what conservation says must never change except by generation. */
  heldPerSeries(): Map<string, bigint> {
    const out = new Map<string, bigint>();
    for (const blocks of this.holdings.values()) for (const b of blocks) out.set(b.seriesId, (out.get(b.seriesId) ?? 0n) + size(b));
    return out;
  }

  // ---- the one entry point ----

  /** Predicts the ledger's answer to a proposal and, when it is recorded, applies its effect to the model. */
  apply(actor: Actor, proposal: Proposal): Prediction {
    const input = stableText({ actor: { userId: actor.userId, impersonatorId: actor.impersonatorId, grants: actor.grants }, proposal });
    const accounts = this.accountsNamed(proposal);
    // Keys are the initiator's own: another user's same key is a request of its own.
    const key = keyOf(actor.userId, proposal.idempotencyKey);
    const earlier = this.decided.get(key);
    if (earlier) {
      // A repeated key answers the first outcome and changes nothing; a different input under it is refused.
      if (earlier.input === input) return { ...earlier.prediction, replayed: true, accounts };
      return { status: 'REJECTED', codes: [C.KEY_REUSED], replayed: false, accounts };
    }
    const decision = this.decide(actor, proposal);
    let prediction: Prediction;
    if ('codes' in decision) {
      prediction = { status: 'REJECTED', codes: firstGroupOf(decision.codes), replayed: false, accounts };
    } else {
      decision.commit();
      prediction = { status: 'RECORDED', quantity: decision.quantity, replayed: false, accounts };
    }
    this.decided.set(key, { input, prediction });
    return prediction;
  }

  /** Every account a proposal names, plus the proxy for external movements: the accounts to compare. */
  private accountsNamed(p: Proposal): string[] {
    const proxy = this.proxyAccount()?.id;
    switch (p.kind) {
      case 'ISSUANCE':
        return [...new Set([p.accountId, ...this.receivers([p.accountId])])];
      case 'TRANSFER':
        return [...new Set([p.fromAccountId, p.toAccountId, ...this.receivers([p.fromAccountId, p.toAccountId])])];
      case 'EXTERNAL_TRANSFER':
        return [...new Set([p.fromAccountId, ...(proxy ? [proxy] : [])])];
      case 'EXTERNAL_ARRIVAL':
        return [...new Set([p.toAccountId, ...(proxy ? [proxy] : [])])];
      case 'OPEN_ACCOUNT':
        return [p.account.id];
      case 'SET_ACCOUNT_STATUS':
        return [p.accountId];
      case 'DEFINE_REFERENCE':
      case 'CONFIGURE_RULE':
      case 'RECORD_AUTHORIZATION':
      case 'SUSPEND_RULE':
      case 'LIFT_SUSPENSION':
        return [];
      case 'RELEASE_RESERVATION': {
        const w = this.waiting.get(p.reservationTransactionId);
        return w ? [...new Set([w.holdId, w.fromId, w.toId, ...this.receivers([w.fromId, w.toId])])] : [];
      }
      case 'CORRECTIVE_TRANSFER': {
        if (p.action !== 'REVERSE') return [...new Set([p.fromAccountId, p.toAccountId])];
        const w = this.waiting.get(p.correctsTransactionId);
        return w ? [...new Set([w.holdId, w.fromId])] : [];
      }
      default:
        throw new Error(`the simulation model does not predict ${p.kind} proposals`);
    }
  }

  private decide(actor: Actor, p: Proposal): Decision {
    switch (p.kind) {
      case 'DEFINE_REFERENCE':
        return this.defineReference(actor, p);
      case 'OPEN_ACCOUNT':
        return this.openAccount(actor, p);
      case 'SET_ACCOUNT_STATUS':
        return this.setStatus(actor, p);
      case 'ISSUANCE':
        return this.issue(actor, p);
      case 'TRANSFER':
        return this.transfer(actor, p);
      case 'EXTERNAL_TRANSFER':
        return this.externalTransfer(actor, p);
      case 'EXTERNAL_ARRIVAL':
        return this.arrival(actor, p);
      case 'CONFIGURE_RULE':
        return this.configureRule(actor, p);
      case 'SUSPEND_RULE':
        return this.suspendRule(actor, p);
      case 'LIFT_SUSPENSION':
        return this.liftSuspension(actor, p);
      case 'RELEASE_RESERVATION':
        return this.releaseReservation(actor, p);
      case 'CORRECTIVE_TRANSFER':
        return this.corrective(actor, p);
      case 'RECORD_AUTHORIZATION':
        return this.authorize(actor, p);
      default:
        throw new Error(`the simulation model does not predict ${p.kind} proposals`);
    }
  }

  private defineReference(actor: Actor, p: DefineReferenceProposal): Decision {
    const r = p.reference;
    const codes: number[] = [];
    if (!isRegistryAdmin(actor)) codes.push(C.NOT_ALLOWED_TO_CONFIGURE);
    const valid = r.type === 'SECTION' ? ALPHA3.test(r.id) : /^[A-Z0-9][A-Z0-9-]{1,31}$/.test(r.id);
    if (!valid || r.name.trim() === '') codes.push(C.REFERENCE_INVALID);
    const set = r.type === 'SECTION' ? this.sections : this.approaches;
    if (set.has(r.id)) codes.push(C.REFERENCE_EXISTS);
    if (codes.length > 0) return { codes };
    return { quantity: 0n, commit: () => set.add(r.id) };
  }

  private openAccount(actor: Actor, p: OpenAccountProposal): Decision {
    const a = p.account;
    const codes: number[] = [];
    if (this.accountsById.has(a.id)) codes.push(C.ACCOUNT_EXISTS);
    if (!ACCOUNT_ID.test(a.id)) codes.push(C.ACCOUNT_INVALID);
    if (a.name.trim() === '' || a.holderName.trim() === '') codes.push(C.ACCOUNT_INVALID);
    if (!mayOpen(actor, a)) codes.push(C.NOT_ALLOWED_TO_OPEN);
    if (a.sectionId !== null && !this.sections.has(a.sectionId)) codes.push(C.ACCOUNT_INVALID);
    if (a.cooperativeApproachId !== null && !this.approaches.has(a.cooperativeApproachId)) codes.push(C.ACCOUNT_INVALID);
    if (codes.length > 0) return { codes };
    return {
      quantity: 0n,
      commit: () => {
        // Accounts are created in the Initial status, which behaves as Suspended (A6R-41).
        this.accountsById.set(a.id, { id: a.id, registry: a.registry, type: a.type, status: 'INITIAL', sectionId: a.sectionId, cooperativeApproachId: a.cooperativeApproachId });
      },
    };
  }

  private setStatus(actor: Actor, p: SetAccountStatusProposal): Decision {
    const account = this.accountsById.get(p.accountId);
    if (!account) return { codes: [C.FROM_NOT_FOUND] };
    if (!mayChangeStatus(actor, account, p.status)) return { codes: [C.STATUS_CHANGE_NOT_ALLOWED] };
    // Terminated is final: units that could still move would be stranded there. (Units in an end-use
    // account never move again anyway, and stay recorded as used.)
    if (p.status === 'TERMINATED' && TYPE_RULES[account.type].sends && this.balanceOf(account.id) > 0n) return { codes: [C.STATUS_CHANGE_NOT_ALLOWED] };
    return { quantity: 0n, commit: () => this.accountsById.set(account.id, { ...account, status: p.status }) };
  }

  private seriesCodes(series: SeriesAttributes): number[] {
    const codes: number[] = [];
    if (!ALPHA3.test(series.hostParty)) codes.push(C.SERIES_INVALID);
    if (!ALPHA3.test(series.firstTransferringParty)) codes.push(C.SERIES_INVALID);
    if (!Number.isInteger(series.vintage) || series.vintage < 1990 || series.vintage > 2100) codes.push(C.SERIES_INVALID);
    for (const text of [series.unitType, series.activityId, series.originatingRegistry, series.metric]) if (text.trim() === '') codes.push(C.SERIES_INVALID);
    // A unit's cooperative approach comes from the nomenclature (A6R-46): an unknown one is invalid input.
    if (series.cooperativeApproachId !== null && !this.approaches.has(series.cooperativeApproachId)) codes.push(C.SERIES_INVALID);
    return codes;
  }

  /**
   * Every unit of a series has identical attributes (A6R-40): the first units fix them, and new units
   * of the same series (same identity) under other further attributes are refused, one code per
   * attribute that differs. Judged once everything else about the proposal holds.
   */
  private conflictCodes(series: SeriesAttributes): number[] {
    const existing = this.seriesById.get(seriesIdOf(series));
    if (!existing) return [];
    return attributeDifferences(existing, series).map(() => C.SERIES_CONFLICT);
  }

  private quantityCodes(quantity: bigint): number[] {
    if (quantity <= 0n) return [C.QUANTITY_NOT_POSITIVE];
    if (quantity > MODEL_MAX_QUANTITY) return [C.QUANTITY_TOO_LARGE];
    return [];
  }

  private issue(actor: Actor, p: IssuanceProposal): Decision {
    const account = this.accountsById.get(p.accountId);
    const codes: number[] = [];
    if (!account) codes.push(C.FROM_NOT_FOUND);
    else {
      if (!operational(account, actor)) codes.push(C.FROM_NOT_OPERATIONAL);
      if (!modelMayInitiate(actor, account)) codes.push(C.INITIATOR_NOT_ALLOWED);
      if (!TYPE_RULES[account.type].generates) codes.push(C.CANNOT_GENERATE);
    }
    codes.push(...this.seriesCodes(p.series), ...this.quantityCodes(p.quantity));
    if (codes.length > 0) return { codes };
    const seriesId = seriesIdOf(p.series);
    const conflicts = this.conflictCodes(p.series);
    if (conflicts.length > 0) return { codes: conflicts };
    if (this.topOf(seriesId) + p.quantity > MODEL_MAX_SERIAL) return { codes: [C.QUANTITY_TOO_LARGE] };
    const ruled = this.judge('ISSUANCE', null, p.accountId, p.quantity, false);
    if ('codes' in ruled) return ruled;
    return {
      quantity: p.quantity,
      commit: () => {
        // New serials always continue after the highest serial the series has ever used.
        const first = this.topOf(seriesId) + 1n;
        this.addSeries(seriesId, p.series);
        this.arrive([{ seriesId, firstSerial: first, lastSerial: first + p.quantity - 1n }], p.accountId, ruled.diversions);
      },
    };
  }

  private fromCodes(actor: Actor, id: string): number[] {
    const account = this.accountsById.get(id);
    if (!account) return [C.FROM_NOT_FOUND];
    const codes: number[] = [];
    if (!operational(account, actor)) codes.push(C.FROM_NOT_OPERATIONAL);
    if (!TYPE_RULES[account.type].sends) codes.push(C.FROM_CANNOT_SEND);
    if (!modelMayInitiate(actor, account)) codes.push(C.INITIATOR_NOT_ALLOWED);
    return codes;
  }

  private toCodes(actor: Actor, id: string, fromId: string | null, receives: (a: ModelAccount) => boolean): number[] {
    const account = this.accountsById.get(id);
    if (!account) return [C.TO_NOT_FOUND];
    const codes: number[] = [];
    if (!operational(account, actor)) codes.push(C.TO_NOT_OPERATIONAL);
    if (!receives(account)) codes.push(C.TO_CANNOT_RECEIVE);
    if (id === fromId) codes.push(C.TO_SAME_AS_FROM);
    return codes;
  }

  /** Which ranges of the transferring account a selection takes, or the refusal. */
  private select(accountId: string, selection: UnitSelection): { takes: readonly ModelTake[] } | { codes: number[] } {
    if (selection.mode === 'explicit') {
      if (selection.firstSerial < 1n || selection.firstSerial > selection.lastSerial) return { codes: [C.QUANTITY_NOT_POSITIVE] };
      // Explicit splitting needs the whole range inside one block of the account (A6R-52).
      const block = this.blocksOf(accountId).find((b) => b.seriesId === selection.seriesId && b.firstSerial <= selection.firstSerial && selection.lastSerial <= b.lastSerial);
      if (!block) return { codes: [C.RANGE_NOT_HELD] };
      return { takes: [{ block, firstSerial: selection.firstSerial, lastSerial: selection.lastSerial }] };
    }
    if (selection.quantity <= 0n) return { codes: [C.QUANTITY_NOT_POSITIVE] };
    // No operation moves more than the largest block an issuance may create.
    if (selection.quantity > MODEL_MAX_QUANTITY) return { codes: [C.QUANTITY_TOO_LARGE] };
    const matching = this.matchingBlocks(accountId, selection.constraints);
    if (matching.length === 0) return { codes: [C.NO_MATCHING_UNITS] };
    const chosen = modelImplicitSelection(matching, selection.quantity);
    if ('available' in chosen) {
      this.coverage.insufficient++;
      return { codes: [C.INSUFFICIENT] };
    }
    // Counted when predicted, whether or not the proposal then passes: coverage of the algorithm only.
    this.coverage[chosen.branch]++;
    this.coverage.maxBlocksTaken = Math.max(this.coverage.maxBlocksTaken, chosen.takes.length);
    return { takes: chosen.takes };
  }

  /** Moves the taken ranges: each taken block leaves, its taken part arrives, its remainders stay. */
  private move(takes: readonly ModelTake[], fromId: string, toId: string): void {
    const before = this.balanceOf(fromId) + this.balanceOf(toId);
    const moved = takes.reduce((s, t) => s + size(t), 0n);
    for (const t of takes) {
      this.remove(fromId, t.block);
      if (t.firstSerial > t.block.firstSerial) this.add(fromId, { seriesId: t.block.seriesId, firstSerial: t.block.firstSerial, lastSerial: t.firstSerial - 1n });
      if (t.lastSerial < t.block.lastSerial) this.add(fromId, { seriesId: t.block.seriesId, firstSerial: t.lastSerial + 1n, lastSerial: t.block.lastSerial });
      this.add(toId, { seriesId: t.block.seriesId, firstSerial: t.firstSerial, lastSerial: t.lastSerial });
    }
    // Transfers move units; they never create or destroy them (invariant 3).
    if (this.balanceOf(fromId) + this.balanceOf(toId) !== before) throw new Error(`model: a move of ${moved} units changed the total of ${fromId} and ${toId}`);
  }

  /** The ledger's id of a recorded transaction, so that answers and reversals can name it. */
  noteTransaction(initiatorId: string, idempotencyKey: string, transactionId: string): void {
    const key = keyOf(initiatorId, idempotencyKey);
    const w = this.waitingByKey.get(key);
    if (w && !this.waiting.has(transactionId)) this.waiting.set(transactionId, w);
    // A suspension is the transaction's first administrative record.
    const suspension = this.suspensionsByKey.get(key);
    if (suspension) this.suspensions.set(`${transactionId}/0`, suspension);
  }

  /** Transactions that wait or withhold, not yet answered: [transaction id, what waits]. */
  openWaiting(): [string, Waiting][] {
    return [...this.waiting].filter(([, w]) => !w.answered);
  }

  private transfer(actor: Actor, p: TransferProposal): Decision {
    // Units go from the mechanism registry to the international registry, one way: they do not come back (DOMAIN.md).
    const from = this.accountsById.get(p.fromAccountId);
    const receives = (a: ModelAccount) => TYPE_RULES[a.type].receives && !(from?.registry === 'INTERNATIONAL' && a.registry === 'MECHANISM');
    const codes = [...this.fromCodes(actor, p.fromAccountId), ...this.toCodes(actor, p.toAccountId, p.fromAccountId, receives)];
    if (codes.length > 0) return { codes };
    const selected = this.select(p.fromAccountId, p.selection);
    if ('codes' in selected) return selected;
    const quantity = selected.takes.reduce((s, t) => s + size(t), 0n);
    const ruled = this.judge('TRANSFER', p.fromAccountId, p.toAccountId, quantity, false);
    if ('codes' in ruled) return ruled;
    // Four-eyes (A6R-47): every unit waits in escrow; the other rules' diversions wait for the delivery.
    if (ruled.hold !== null) {
      const escrowId = ruled.hold;
      return {
        quantity,
        commit: () => {
          this.move(selected.takes, p.fromAccountId, escrowId);
          const blocks = this.arrived(escrowId, selected.takes);
          this.waitingByKey.set(keyOf(actor.userId, p.idempotencyKey), { kind: 'reservation', fromId: p.fromAccountId, toId: p.toAccountId, holdId: escrowId, blocks, initiator: actor, answered: false });
        },
      };
    }
    return { quantity, commit: () => this.moveDiverting(selected.takes, p.fromAccountId, p.toAccountId, ruled.diversions) };
  }

  /** The accounts rules covering these accounts send units to: compared after a transaction between them. */
  private receivers(accountIds: readonly string[]): string[] {
    const parties = accountIds.map((id) => this.accountsById.get(id));
    return [...this.rules.values()].flatMap((r) => ((r.rule === 'transfer-fee' || r.rule === 'share-of-proceeds') && parties.some((a) => covers(r.scope, a)) ? [r.accountId] : []));
  }

  /**
   * The pluggable rules on a transaction, as docs/rules.md states them: each configured rule that judges
   * this kind and whose scope covers either account, unless a suspension of it covers either account;
   * in the order of their names. A refusal (6001) refuses; a holding rule (four-eyes, not on a delivery)
   * sends every unit to escrow and the others' diversions wait; the accounts that receive units must be
   * active, receive, and differ from both sides (6002, one per account), and must not take every unit.
   */
  private judge(kind: 'ISSUANCE' | 'TRANSFER' | 'EXTERNAL_TRANSFER', fromId: string | null, toId: string, quantity: bigint, delivery: boolean): { codes: number[] } | { diversions: ModelDiversion[]; hold: string | null } {
    const parties = [fromId === null ? undefined : this.accountsById.get(fromId), this.accountsById.get(toId)];
    const codes: number[] = [];
    let diversions: ModelDiversion[] = [];
    let hold: string | null = null;
    for (const name of [...this.rules.keys()].sort()) {
      const rule = this.rules.get(name) as ModelRule;
      if (!RULE_KINDS[rule.rule].includes(kind) || !parties.some((a) => covers(rule.scope, a))) continue;
      if ([...this.suspensions.values()].some((x) => !x.lifted && x.rule === rule.rule && parties.some((a) => covers(x.scope, a)))) {
        this.ruleCoverage.letThroughBySuspension++;
        continue;
      }
      if (rule.rule === 'four-eyes') {
        if (quantity > rule.threshold && !delivery && hold === null) hold = rule.escrowId;
      } else if (rule.rule === 'transfer-limit') {
        if (quantity > rule.maximum) codes.push(C.TRANSFER_LIMIT);
      } else {
        // Basis points of the units, rounded down (transfer-fee v1, share-of-proceeds v1); none when that is 0.
        const share = (quantity * rule.basisPoints) / 10_000n;
        if (share > 0n) diversions.push({ accountId: rule.accountId, quantity: share });
      }
    }
    if (codes.length > 0) {
      this.ruleCoverage.limitRefused++;
      return { codes };
    }
    if (hold !== null) diversions = [{ accountId: hold, quantity }];
    const total = diversions.reduce((sum, d) => sum + d.quantity, 0n);
    for (const id of [...new Set(diversions.map((d) => d.accountId))].sort()) {
      const account = this.accountsById.get(id);
      if (!account || account.status !== 'ACTIVE' || !TYPE_RULES[account.type].receives || id === toId || id === fromId) codes.push(C.SUPPLEMENTARY_ACCOUNT);
    }
    if (diversions.length > 0 && (hold !== null ? total !== quantity : total >= quantity)) codes.push(C.SUPPLEMENTARY_ACCOUNT);
    if (codes.length > 0) {
      this.ruleCoverage.receiverRefused++;
      return { codes };
    }
    if (hold !== null) this.ruleCoverage.held++;
    else if (diversions.length > 0) this.ruleCoverage.diverted++;
    if (delivery) this.ruleCoverage.delivered++;
    return { diversions: hold === null ? diversions : [], hold };
  }

  /**
   * Units arriving in `toId`, less what rules divert: each diversion takes the highest serials of the
   * arriving ranges, the last range first, as a block of its own in its account.
   */
  private arrive(ranges: readonly ModelBlock[], toId: string, diversions: readonly ModelDiversion[]): void {
    const arriving = ranges.map((r) => ({ ...r }));
    const diverted: { accountId: string; block: ModelBlock }[] = [];
    for (const d of diversions) {
      let left = d.quantity;
      while (left > 0n) {
        const last = arriving[arriving.length - 1];
        if (!last) throw new Error(`model: a diversion of ${d.quantity} units to ${d.accountId} takes more than arrives`);
        const taken = left < size(last) ? left : size(last);
        diverted.push({ accountId: d.accountId, block: { seriesId: last.seriesId, firstSerial: last.lastSerial - taken + 1n, lastSerial: last.lastSerial } });
        if (taken === size(last)) arriving.pop();
        else arriving[arriving.length - 1] = { ...last, lastSerial: last.lastSerial - taken };
        left -= taken;
      }
    }
    for (const r of arriving) this.add(toId, r);
    for (const d of diverted) this.add(d.accountId, d.block);
  }

  /** A move whose arriving units rules partly divert (supplementary operations, A6R-37). */
  private moveDiverting(takes: readonly ModelTake[], fromId: string, toId: string, diversions: readonly ModelDiversion[]): void {
    if (diversions.length === 0) return this.move(takes, fromId, toId);
    const before = this.balanceOf(fromId) + this.balanceOf(toId) + diversions.reduce((s, d) => s + this.balanceOf(d.accountId), 0n);
    for (const t of takes) {
      this.remove(fromId, t.block);
      if (t.firstSerial > t.block.firstSerial) this.add(fromId, { seriesId: t.block.seriesId, firstSerial: t.block.firstSerial, lastSerial: t.firstSerial - 1n });
      if (t.lastSerial < t.block.lastSerial) this.add(fromId, { seriesId: t.block.seriesId, firstSerial: t.lastSerial + 1n, lastSerial: t.block.lastSerial });
    }
    this.arrive(
      takes.map((t) => ({ seriesId: t.block.seriesId, firstSerial: t.firstSerial, lastSerial: t.lastSerial })),
      toId,
      diversions,
    );
    // Units are moved, never made or lost, diversions included (invariant 3).
    const after = this.balanceOf(fromId) + this.balanceOf(toId) + diversions.reduce((s, d) => s + this.balanceOf(d.accountId), 0n);
    if (after !== before) throw new Error(`model: a move with diversions changed the total of ${fromId}, ${toId} and the receivers`);
  }

  /** The very block records a move just created in `accountId` (the ledger answers for those, not for equal ranges). */
  private arrived(accountId: string, takes: readonly ModelTake[]): ModelBlock[] {
    const held = this.blocksOf(accountId);
    return takes.map((t) => {
      const found = [...held].reverse().find((h) => h.seriesId === t.block.seriesId && h.firstSerial === t.firstSerial && h.lastSerial === t.lastSerial);
      if (!found) throw new Error(`model: the block ${t.firstSerial}-${t.lastSerial} just moved is not in ${accountId}`);
      return found;
    });
  }

  /** Whether the block records a waiting transaction left in escrow (or withheld) are all still there, untouched. */
  private stillHeld(w: Waiting): boolean {
    const held = this.blocksOf(w.holdId);
    return w.blocks.every((b) => held.includes(b));
  }

  private moveBack(w: Waiting, to: string): void {
    for (const b of w.blocks) this.move([{ block: b, firstSerial: b.firstSerial, lastSerial: b.lastSerial }], w.holdId, to);
    w.answered = true;
  }

  /** Configuring a rule: the simulation configures each of four-eyes, transfer-fee, share-of-proceeds and transfer-limit in one scope. */
  private configureRule(actor: Actor, p: ConfigureRuleProposal): Decision {
    if (!p.enabled) throw new Error('model: switching rules off is not simulated');
    if (!isRegistryAdmin(actor)) return { codes: [C.NOT_ALLOWED_TO_CONFIGURE] };
    const settings = p.settings;
    let rule: ModelRule;
    if (p.rule === 'four-eyes') rule = { rule: p.rule, scope: p.scope, threshold: BigInt(String(settings.threshold)), escrowId: String(settings.escrowAccountId) };
    else if (p.rule === 'transfer-fee' || p.rule === 'share-of-proceeds') rule = { rule: p.rule, scope: p.scope, accountId: String(settings.accountId), basisPoints: BigInt(Number(settings.basisPoints)) };
    else if (p.rule === 'transfer-limit') rule = { rule: p.rule, scope: p.scope, maximum: BigInt(String(settings.maximum)) };
    else throw new Error(`model: the rule ${p.rule} is not simulated`);
    if (this.rules.has(rule.rule)) throw new Error(`model: ${rule.rule} is configured in one scope only`);
    return { quantity: 0n, commit: () => this.rules.set(rule.rule, rule) };
  }

  /** A suspension (A6R-17), by a registry administrator with a reason; the simulation's windows start at once and end in 2100. */
  private suspendRule(actor: Actor, p: SuspendRuleProposal): Decision {
    const codes: number[] = [];
    if (!isRegistryAdmin(actor)) codes.push(C.NOT_ALLOWED_TO_CONFIGURE);
    if (!this.rules.has(p.rule as ModelRule['rule']) || p.scope.type !== 'SECTION' || !this.sections.has(p.scope.id) || !(p.from < p.until)) throw new Error('model: only suspensions of configured rules in a section, with a valid window, are simulated');
    if (p.reason.trim() === '') codes.push(C.RULE_SUSPENSION_INVALID);
    if (codes.length > 0) return { codes };
    return { quantity: 0n, commit: () => this.suspensionsByKey.set(keyOf(actor.userId, p.idempotencyKey), { rule: p.rule, scope: p.scope, lifted: false }) };
  }

  /** Lifting a suspension early: registry administrators, with a reason; once, and only while it is in force. */
  private liftSuspension(actor: Actor, p: LiftSuspensionProposal): Decision {
    const codes: number[] = [];
    if (!isRegistryAdmin(actor)) codes.push(C.NOT_ALLOWED_TO_CONFIGURE);
    const suspension = this.suspensions.get(p.suspensionId);
    if (!suspension || suspension.lifted) codes.push(C.SUSPENSION_NOT_IN_FORCE);
    if (p.reason.trim() === '') codes.push(C.LIFT_REASON_MISSING);
    if (codes.length > 0 || !suspension) return { codes };
    return {
      quantity: 0n,
      commit: () => {
        suspension.lifted = true;
        this.ruleCoverage.lifted++;
      },
    };
  }

  /** Suspensions in force, by record id: what the workload may lift. */
  openSuspensions(): string[] {
    return [...this.suspensions].filter(([, x]) => !x.lifted).map(([id]) => id);
  }

  /** Every suspension ever recorded, by record id. */
  allSuspensions(): string[] {
    return [...this.suspensions.keys()];
  }

  /**
   * The answer to a transfer that waits: approval by a second person who may initiate on its
   * transferring account (neither its initiator nor whoever impersonated him), rejection by anyone
   * who may; refused when answered already, or when its units no longer wait untouched in escrow.
   */
  private releaseReservation(actor: Actor, p: ReleaseReservationProposal): Decision {
    const w = this.waiting.get(p.reservationTransactionId);
    if (!w || w.kind !== 'reservation') return { codes: [C.NOT_PENDING] };
    if (p.decision === 'EXPIRE') throw new Error('model: expiry is not simulated');
    const codes: number[] = [];
    if (w.answered) codes.push(C.NOT_PENDING);
    const origin = this.accountsById.get(w.fromId) as ModelAccount;
    const initiators = [w.initiator.userId, w.initiator.impersonatorId].filter((id) => id !== null);
    if (p.decision === 'APPROVE' && (initiators.includes(actor.userId) || (actor.impersonatorId !== null && initiators.includes(actor.impersonatorId)))) codes.push(C.APPROVER_IS_INITIATOR);
    else if (!modelMayInitiate(actor, origin)) codes.push(C.INITIATOR_NOT_ALLOWED);
    const destinationId = p.decision === 'APPROVE' ? w.toId : w.fromId;
    const destination = this.accountsById.get(destinationId) as ModelAccount;
    // An approval is the transfer happening now: both accounts judged again as for a direct transfer.
    if (p.decision === 'APPROVE') {
      if (!operational(origin, actor)) codes.push(C.FROM_NOT_OPERATIONAL);
      if (!TYPE_RULES[origin.type].sends) codes.push(C.FROM_CANNOT_SEND);
      if (!operational(destination, actor)) codes.push(C.TO_NOT_OPERATIONAL);
      if (!TYPE_RULES[destination.type].receives) codes.push(C.TO_CANNOT_RECEIVE);
    }
    if (codes.length > 0) return { codes };
    if (!this.stillHeld(w)) return { codes: [C.UNITS_MOVED] };
    const quantity = w.blocks.reduce((s, b) => s + size(b), 0n);
    if (p.decision !== 'APPROVE') return { quantity, commit: () => this.moveBack(w, destinationId) };
    // The delivery, judged by the rules in force now (never held again); its fee is charged now.
    const ruled = this.judge('TRANSFER', w.fromId, w.toId, quantity, true);
    if ('codes' in ruled) return ruled;
    return {
      quantity,
      commit: () => {
        // The escrow's blocks go on in series and serial order; diversions take the highest serials of the last.
        const blocks = [...w.blocks].sort(bySeriesThenSerial);
        for (const b of blocks) this.remove(w.holdId, b);
        this.arrive(blocks, w.toId, ruled.diversions);
        w.answered = true;
      },
    };
  }

  /** Corrective actions (A6R-55): withholding an explicit range into an administrative holding account, and reversing it. */
  private corrective(actor: Actor, p: CorrectiveTransferProposal): Decision {
    const codes: number[] = [];
    if (!isRegistryAdmin(actor)) codes.push(C.NOT_ALLOWED_TO_CORRECT);
    if (p.action === 'REVERSE') {
      const w = this.waiting.get(p.correctsTransactionId);
      if (!w || w.kind !== 'withholding') codes.push(C.CORRECTED_INVALID);
      if (codes.length > 0 || !w) return { codes };
      if (!this.stillHeld(w)) return { codes: [C.UNITS_MOVED] };
      return { quantity: w.blocks.reduce((s, b) => s + size(b), 0n), commit: () => this.moveBack(w, w.fromId) };
    }
    if (p.action !== 'WITHHOLD') throw new Error('model: only withholding and its reversal are simulated');
    const from = this.accountsById.get(p.fromAccountId);
    const to = this.accountsById.get(p.toAccountId);
    if (!from) codes.push(C.FROM_NOT_FOUND);
    if (!to) codes.push(C.TO_NOT_FOUND);
    if (to && to.type !== 'ADMIN_HOLDING') codes.push(C.TO_CANNOT_RECEIVE);
    if (p.fromAccountId === p.toAccountId) codes.push(C.TO_SAME_AS_FROM);
    if (codes.length > 0) return { codes };
    const selected = this.select(p.fromAccountId, p.selection);
    if ('codes' in selected) return selected;
    return {
      quantity: selected.takes.reduce((s, t) => s + size(t), 0n),
      commit: () => {
        this.move(selected.takes, p.fromAccountId, p.toAccountId);
        const blocks = this.arrived(p.toAccountId, selected.takes);
        this.waitingByKey.set(keyOf(actor.userId, p.idempotencyKey), { kind: 'withholding', fromId: p.fromAccountId, toId: p.toAccountId, holdId: p.toAccountId, blocks, initiator: actor, answered: false });
      },
    };
  }

  /** Authorizations (A6R-45) by registry administrators, or a section administrator of the Party; they change no units. */
  private authorize(actor: Actor, p: RecordAuthorizationProposal): Decision {
    if (!isRegistryAdmin(actor) && !isSectionAdminOf(actor, p.party)) return { codes: [C.NOT_ALLOWED_TO_AUTHORIZE] };
    if (!this.sections.has(p.party) || p.units.mode !== 'conditions' || p.uses !== 'NDC') throw new Error('model: only valid NDC authorizations by conditions are simulated');
    return { quantity: 0n, commit: () => undefined };
  }

  private externalTransfer(actor: Actor, p: ExternalTransferProposal): Decision {
    const proxy = this.proxyAccount();
    if (!proxy) return { codes: [C.NO_PROXY] };
    // The units leave for another registry and are placed in the proxy account (A6R-54).
    const codes = [...this.fromCodes(actor, p.fromAccountId), ...this.toCodes(actor, proxy.id, p.fromAccountId, (a) => a.type === 'PROXY')];
    if (codes.length > 0) return { codes };
    const selected = this.select(p.fromAccountId, p.selection);
    if ('codes' in selected) return selected;
    const quantity = selected.takes.reduce((s, t) => s + size(t), 0n);
    const ruled = this.judge('EXTERNAL_TRANSFER', p.fromAccountId, proxy.id, quantity, false);
    if ('codes' in ruled) return ruled;
    return { quantity, commit: () => this.moveDiverting(selected.takes, p.fromAccountId, proxy.id, ruled.diversions) };
  }

  /**
   * An arrival (A6R-54). The proxy account is the transferring side: it must be usable by the
   * initiator (status) and only those who may act on it (registry administrators: it belongs to no
   * section) bring units into the registry. Returning units must lie in one proxy block; units never
   * seen are generated in the proxy account and moved on; anything else already exists here.
   */
  private arrival(actor: Actor, p: ExternalArrivalProposal): Decision {
    const proxy = this.proxyAccount();
    if (!proxy) return { codes: [C.NO_PROXY] };
    const proxyCodes: number[] = [];
    if (!operational(proxy, actor)) proxyCodes.push(C.FROM_NOT_OPERATIONAL);
    if (!modelMayInitiate(actor, proxy)) proxyCodes.push(C.INITIATOR_NOT_ALLOWED);
    const codes = [...proxyCodes, ...this.toCodes(actor, p.toAccountId, proxy.id, (a) => TYPE_RULES[a.type].receives)];
    if (codes.length > 0) return { codes };
    const unitCodes = [...this.seriesCodes(p.series), ...this.quantityCodes(p.lastSerial - p.firstSerial + 1n)];
    if (p.firstSerial < 1n) unitCodes.push(C.QUANTITY_NOT_POSITIVE);
    if (p.lastSerial > MODEL_MAX_SERIAL) unitCodes.push(C.QUANTITY_TOO_LARGE);
    if (unitCodes.length > 0) return { codes: unitCodes };
    const conflicts = this.conflictCodes(p.series);
    if (conflicts.length > 0) return { codes: conflicts };
    const seriesId = seriesIdOf(p.series);
    const quantity = p.lastSerial - p.firstSerial + 1n;
    const found = this.overlapping(seriesId, p.firstSerial, p.lastSerial);
    if (found.length === 0) {
      return {
        quantity,
        commit: () => {
          this.addSeries(seriesId, p.series);
          this.add(p.toAccountId, { seriesId, firstSerial: p.firstSerial, lastSerial: p.lastSerial });
        },
      };
    }
    const home = found.find((f) => f.accountId === proxy.id && f.block.firstSerial <= p.firstSerial && p.lastSerial <= f.block.lastSerial);
    if (!home) return { codes: [C.UNITS_EXIST] };
    return { quantity, commit: () => this.move([{ block: home.block, firstSerial: p.firstSerial, lastSerial: p.lastSerial }], proxy.id, p.toAccountId) };
  }

  // ---- state changes ----

  private addSeries(id: string, attributes: SeriesAttributes): void {
    if (!this.seriesById.has(id)) this.seriesById.set(id, { ...attributes, id });
  }

  private add(accountId: string, block: ModelBlock): void {
    if (block.firstSerial < 1n || block.firstSerial > block.lastSerial) throw new Error(`model: invalid block ${block.firstSerial}-${block.lastSerial}`);
    const list = this.holdings.get(accountId) ?? [];
    list.push(block);
    this.holdings.set(accountId, list);
    if (block.lastSerial > this.topOf(block.seriesId)) this.top.set(block.seriesId, block.lastSerial);
  }

  private remove(accountId: string, block: ModelBlock): void {
    const list = this.holdings.get(accountId) ?? [];
    const index = list.indexOf(block);
    if (index < 0) throw new Error(`model: block ${block.seriesId} ${block.firstSerial}-${block.lastSerial} is not in ${accountId}`);
    list.splice(index, 1);
  }

  /** The model's own invariant 2; the simulator runs it with every full comparison. */
  assertNoOverlap(): void {
    const bySeries = new Map<string, ModelBlock[]>();
    for (const blocks of this.holdings.values()) {
      for (const b of blocks) {
        const list = bySeries.get(b.seriesId) ?? [];
        list.push(b);
        bySeries.set(b.seriesId, list);
      }
    }
    for (const [seriesId, blocks] of bySeries) {
      const sorted = [...blocks].sort((a, b) => (a.firstSerial < b.firstSerial ? -1 : a.firstSerial > b.firstSerial ? 1 : 0));
      for (let i = 1; i < sorted.length; i++) {
        if ((sorted[i - 1] as ModelBlock).lastSerial >= (sorted[i] as ModelBlock).firstSerial) throw new Error(`model: overlapping blocks in series ${seriesId}`);
      }
    }
  }
}

/** An idempotency key in its initiator's key space. */
function keyOf(initiatorId: string, idempotencyKey: string): string {
  return `${initiatorId}\u0000${idempotencyKey}`;
}
