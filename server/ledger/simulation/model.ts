import { seriesIdOf } from '../operations/issue-units';
import type {
  Actor,
  CorrectiveTransferProposal,
  RecordAuthorizationProposal,
  ReleaseReservationProposal,
  DefineReferenceProposal,
  ExternalArrivalProposal,
  ExternalTransferProposal,
  IssuanceProposal,
  OpenAccountProposal,
  Proposal,
  SeriesAttributes,
  SetAccountStatusProposal,
  TransferProposal,
  UnitConstraints,
  UnitSelection,
} from '../types';
import { CODES as C } from './model/codes';
import { isRegistryAdmin, isSectionAdminOf, mayChangeStatus, mayOpen, modelMayInitiate, operational, TYPE_RULES } from './model/permissions';
import { ModelRules, type ModelDiversion } from './model/rules';
import { bySeriesThenSerial, modelImplicitSelection, type ModelTake, type SelectionBranch } from './model/selection';
import { keyOf, MODEL_MAX_QUANTITY, MODEL_MAX_SERIAL, size, type Decision, type ModelAccount, type ModelBlock, type ModelSeries, type Prediction, type Waiting } from './model/types';

/**
 * A deliberately simple model of the ledger, for the simulator (STYLE.md, TigerBeetle row): plain maps
 * and arrays in memory, every rule written again from DOMAIN.md and the requirement text rather than
 * imported from the ledger, so that a bug on one side shows up as a disagreement. It is obviously
 * correct rather than fast: it scans arrays where the ledger uses indexes.
 *
 * The only thing taken from the ledger is `seriesIdOf`, which names a series; naming is not a rule.
 *
 * This file holds the model's state and decides each proposal; the parts that stand on their own
 * sit in model/: who may act and what each account type may do (permissions.ts), the implicit
 * selection (selection.ts), the pluggable rules with their suspensions (rules.ts), the refusal codes.
 */

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
  /** The pluggable rules configured, their suspensions, and how they judge (model/rules.ts). */
  private readonly ruleBook = new ModelRules(
    (id) => this.accountsById.get(id),
    (id) => this.sections.has(id),
  );
  /** Transfers that wait and withholdings, by the idempotency key of their proposal, then by transaction id. */
  private readonly waitingByKey = new Map<string, Waiting>();
  private readonly waiting = new Map<string, Waiting>();
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

  /** How often the model predicted each effect of the pluggable rules: workload coverage of docs/rules.md. */
  get ruleCoverage(): Readonly<ModelRules['coverage']> {
    return this.ruleBook.coverage;
  }

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
        return [...new Set([p.accountId, ...this.ruleBook.receivers([p.accountId])])];
      case 'TRANSFER':
        return [...new Set([p.fromAccountId, p.toAccountId, ...this.ruleBook.receivers([p.fromAccountId, p.toAccountId])])];
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
        return w ? [...new Set([w.holdId, w.fromId, w.toId, ...this.ruleBook.receivers([w.fromId, w.toId])])] : [];
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
        return this.ruleBook.configure(actor, p);
      case 'SUSPEND_RULE':
        return this.ruleBook.suspend(actor, p);
      case 'LIFT_SUSPENSION':
        return this.ruleBook.lift(actor, p);
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
    const ruled = this.ruleBook.judge('ISSUANCE', null, p.accountId, p.quantity, false);
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
    this.ruleBook.noteTransaction(key, transactionId);
  }

  /** Transactions that wait or withhold, not yet answered: [transaction id, what waits]. */
  openWaiting(): [string, Waiting][] {
    return [...this.waiting].filter(([, w]) => !w.answered);
  }

  /** Suspensions in force, by record id: what the workload may lift. */
  openSuspensions(): string[] {
    return this.ruleBook.openSuspensions();
  }

  /** Every suspension ever recorded, by record id. */
  allSuspensions(): string[] {
    return this.ruleBook.allSuspensions();
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
    const ruled = this.ruleBook.judge('TRANSFER', p.fromAccountId, p.toAccountId, quantity, false);
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
    const ruled = this.ruleBook.judge('TRANSFER', w.fromId, w.toId, quantity, true);
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
    const ruled = this.ruleBook.judge('EXTERNAL_TRANSFER', p.fromAccountId, proxy.id, quantity, false);
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
