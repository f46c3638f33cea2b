import type pg from 'pg';
import type { AccountStatus, AccountType, Registry } from '../db/generated/enums';
import type { Actor, SeriesAttributes } from './types';
import type { SeriesFacts } from './descriptors/coverage';
import { seriesIdOf } from './operations/issue-units';
import { canonicalJson, type CanonicalValue } from './canonical-json';
import { BUILT_IN_RULE_NAMES, BUILT_IN_RULES, type BuiltInRuleBook } from './rules/built-in';
import { RulesReplay } from './rules/replay-rules';
import type { RuleAccount } from './rules/types';
import { utc } from './sql';
import { compareBlocks, compareNomenclatureRows, compareText, type AccountRow, type BlockRow, type NomenclatureRow, type Queryable, type ReferenceRow, type RegistryState, type SeriesRow } from './state';

/**
 * Replay (A6R-48, invariant 6): the registry's state rebuilt from the log alone. The log is read in
 * sequence order; the operations of every RECORDED entry are applied to an in-memory model, checking
 * as they go that the log is coherent (a close names exactly one open block; no units appear except by
 * issuance or an arrival; transfers neither create nor destroy units). Within a chain, sequence order is
 * chain order, and conflicting transactions are ordered alike by sequence and by time, so the state as
 * of a moment is the RECORDED entries with createdAt at or before it, applied in sequence order.
 *
 * This module only reads: it writes nothing and runs no DDL. Writing a replayed state into a scratch
 * database is replay/rebuild.ts, creating and dropping that database replay/scratch-database.ts.
 */

/** The log is read in pages of this many entries, the next page fetched while the current one is applied. */
export const LOG_PAGE_ROWS = 5_000;

/** The log contradicts itself at one entry: replay cannot go on, and the log needs `ledger:verify`. */
export class ReplayError extends Error {
  override name = 'ReplayError';
  constructor(
    readonly seq: bigint,
    readonly chain: number,
    readonly reason: string,
  ) {
    super(`log entry seq=${seq} chain=${chain}: ${reason}`);
  }
}

/** A block record as replay knows it: created by one entry, perhaps closed by a later one. */
export interface BlockRecord extends BlockRow {
  readonly createdSeq: bigint;
  readonly createdChain: number;
  closedByTxId: string | null;
  closedAt: string | null;
}

export interface AccountEventRecord {
  readonly accountId: string;
  readonly status: AccountStatus;
  readonly transactionId: string;
  readonly createdAt: string;
}

/** A LedgerTransaction row as the log describes it (RECORDED and REJECTED entries). */
export interface TransactionRecord {
  readonly id: string;
  readonly idempotencyKey: string;
  readonly kind: string;
  readonly status: 'RECORDED' | 'REJECTED';
  readonly initiatorId: string;
  readonly impersonatorId: string | null;
  readonly input: string;
  readonly inputHash: string;
  readonly ruleVersions: string;
  readonly refusals: string;
  readonly createdAt: string;
}

export interface ReplayCounts {
  /** Log entries read (all statuses). */
  entries: number;
  recorded: number;
  rejected: number;
  duplicates: number;
  operations: number;
}

export interface ReplayResult {
  /** The moment replayed to; null for the whole log. */
  readonly at: Date | null;
  readonly state: RegistryState;
  /** Every block record ever created, in creation order; transient passages through the proxy account excluded. */
  readonly history: readonly BlockRecord[];
  readonly accountEvents: readonly AccountEventRecord[];
  readonly transactions: readonly TransactionRecord[];
  readonly counts: ReplayCounts;
  /** Log entries read, of every status (= counts.entries). */
  readonly entries: number;
  /** The sequence number of the last entry applied, 0 when none. */
  readonly lastSeq: bigint;
  readonly elapsedMs: number;
}

export interface ReplayProgress {
  readonly entries: number;
  readonly lastSeq: bigint;
}

/** A log payload as parsed; everything in it is checked where it is used. */
export interface LoggedPayload {
  readonly status?: unknown;
  readonly kind?: unknown;
  readonly transactionId?: unknown;
  readonly createdAt?: unknown;
  readonly chain?: unknown;
  readonly signer?: unknown;
  readonly idempotencyKey?: unknown;
  readonly input?: { readonly actor?: { readonly userId?: unknown; readonly impersonatorId?: unknown } };
  readonly inputHash?: unknown;
  readonly ruleVersions?: unknown;
  readonly operations?: unknown;
  readonly refusals?: unknown;
}

type Operation = { readonly [field: string]: unknown };

/** A serial as the log writes it: a positive decimal without leading zeros (canonical bigint text). */
const SERIAL = /^[1-9][0-9]{0,18}$/;

/**
 * The serial ranges a series has ever used, merged and sorted. Units are never destroyed, so every
 * serial ever used is still in some open block: new units (an issuance, an arrival never seen here)
 * must stay clear of these ranges. Issuance appends at the end; arrivals may fill gaps.
 */
class UsedSerials {
  private readonly firsts: bigint[] = [];
  private readonly lasts: bigint[] = [];

  /** Adds [first, last]; false when it overlaps a range already used. */
  add(first: bigint, last: bigint): boolean {
    const firsts = this.firsts;
    const lasts = this.lasts;
    // The index of the first range starting after `first` (binary search; the common case is the end).
    let low = 0;
    let high = firsts.length;
    if (high > 0 && (firsts[high - 1] as bigint) <= first) low = high;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((firsts[middle] as bigint) <= first) low = middle + 1;
      else high = middle;
    }
    const before = low - 1;
    if (before >= 0 && (lasts[before] as bigint) >= first) return false;
    if (low < firsts.length && (firsts[low] as bigint) <= last) return false;
    const joinsBefore = before >= 0 && (lasts[before] as bigint) + 1n === first;
    const joinsAfter = low < firsts.length && (firsts[low] as bigint) === last + 1n;
    if (joinsBefore && joinsAfter) {
      lasts[before] = lasts[low] as bigint;
      firsts.splice(low, 1);
      lasts.splice(low, 1);
    } else if (joinsBefore) {
      lasts[before] = last;
    } else if (joinsAfter) {
      firsts[low] = first;
    } else {
      firsts.splice(low, 0, first);
      lasts.splice(low, 0, last);
    }
    return true;
  }
}

const NO_OPERATION: Operation = {};

/**
 * The series a refused issuance or arrival would have created, when `id` is its id: the rules judged
 * the new units by these attributes (the engine takes them from the operation's changes), and the
 * series exists nowhere else since the refusal rolled it back.
 */
function proposedSeries(input: unknown, id: string): SeriesFacts | null {
  const proposal = (input as { proposal?: { kind?: unknown; series?: unknown } } | undefined)?.proposal;
  if (!proposal || (proposal.kind !== 'ISSUANCE' && proposal.kind !== 'EXTERNAL_ARRIVAL') || typeof proposal.series !== 'object' || proposal.series === null) return null;
  const series = proposal.series as SeriesAttributes;
  if (typeof series.vintage !== 'number' || seriesIdOf(series) !== id) return null;
  return { unitType: series.unitType, cooperativeApproachId: series.cooperativeApproachId ?? null, hostParty: series.hostParty, activityId: series.activityId, vintage: series.vintage };
}

/**
 * The in-memory model replay applies entries to. Feed it entries in sequence order with `apply`, then
 * `finish`. The hot path allocates one object per block record and a key built from the serial text
 * the log already holds; the entry being applied is kept in fields rather than in closures.
 */
export class Replayer {
  private readonly sections = new Map<string, ReferenceRow>();
  private readonly approaches = new Map<string, ReferenceRow>();
  /** Nomenclature entries by `nomenclature + NUL + code`. */
  private readonly nomenclature = new Map<string, NomenclatureRow>();
  private readonly accounts = new Map<string, { definition: Omit<AccountRow, 'status'>; status: AccountStatus }>();
  private readonly series = new Map<string, SeriesRow>();
  private readonly used = new Map<string, UsedSerials>();
  /** Open blocks by `seriesId + ' ' + firstSerial`. */
  private readonly open = new Map<string, BlockRecord>();
  /** Open ranges that are units passing through the proxy account inside one arrival: no block row. */
  private readonly transient = new Set<BlockRecord>();
  private readonly history: BlockRecord[] = [];
  private readonly events: AccountEventRecord[] = [];
  private readonly transactions: TransactionRecord[] = [];
  private readonly counts: ReplayCounts = { entries: 0, recorded: 0, rejected: 0, duplicates: 0, operations: 0 };
  private lastSeq = 0n;
  // The entry and operation being applied, for the checks and their messages.
  private seq = 0n;
  private chain = 0;
  private kind = '';
  private txId = '';
  private createdAt = '';
  private op: Operation = NO_OPERATION;
  // Per entry, reused: the blocks it closed and created.
  private readonly txClosed: BlockRecord[] = [];
  private readonly txCreated: BlockRecord[] = [];
  /** Administrative records, and the rules judged again (server/ledger/rules/replay-rules.ts). */
  private readonly rules: RulesReplay;
  private readonly builtIns: BuiltInRuleBook;
  private payload: LoggedPayload = {};

  /** `builtInRules`: the book of built-in rules the ledger ran with (the registry's own by default). */
  constructor(private readonly options: { readonly keepTransactions: boolean; readonly builtInRules?: BuiltInRuleBook } = { keepTransactions: true }) {
    this.builtIns = options.builtInRules ?? BUILT_IN_RULES;
    this.rules = new RulesReplay(this.builtIns);
  }

  /** Applies one log entry. `payloadText` is the text hashed in the log, `payload` its parse. */
  apply(seq: bigint, chain: number, payloadText: string, payload: LoggedPayload): void {
    if (seq <= this.lastSeq) throw new ReplayError(seq, chain, `entries out of sequence order (after seq ${this.lastSeq})`);
    this.lastSeq = seq;
    this.seq = seq;
    this.chain = chain;
    this.op = NO_OPERATION;
    this.counts.entries++;
    const status = payload.status;
    if (status === 'REFUSED_DUPLICATE') {
      this.counts.duplicates++;
      return;
    }
    if (status !== 'RECORDED' && status !== 'REJECTED') throw new ReplayError(seq, chain, `unknown status ${JSON.stringify(status)}`);
    const txId = payload.transactionId;
    const createdAt = payload.createdAt;
    const kind = payload.kind;
    if (typeof txId !== 'string' || typeof createdAt !== 'string' || typeof kind !== 'string') throw new ReplayError(seq, chain, 'payload lacks transactionId, createdAt or kind');
    if (this.options.keepTransactions) this.transactions.push(transactionOf(seq, chain, status, txId, kind, createdAt, payloadText, payload));
    this.checkBuiltInVersions(payload.ruleVersions, createdAt);
    if (status === 'REJECTED') {
      this.counts.rejected++;
      if (payload.refusals !== undefined) {
        const problem = this.rules.judgeRefusal(payload as LoggedPayload & { verdicts?: unknown }, createdAt, (id) => this.ruleAccount(id), (id) => this.series.get(id) ?? proposedSeries(payload.input, id));
        if (problem) throw new ReplayError(seq, chain, problem);
      }
      return;
    }
    this.counts.recorded++;
    const operations = payload.operations;
    if (!Array.isArray(operations)) throw new ReplayError(seq, chain, 'a RECORDED entry without operations');
    this.kind = kind;
    this.txId = txId;
    this.createdAt = createdAt;
    this.txClosed.length = 0;
    this.txCreated.length = 0;
    this.payload = payload;
    this.rules.beginEntry();
    for (let i = 0; i < operations.length; i++) {
      const op = operations[i] as unknown;
      if (typeof op !== 'object' || op === null) throw new ReplayError(seq, chain, `operation ${i} is not an object`);
      this.op = op as Operation;
      this.applyOperation();
    }
    this.op = NO_OPERATION;
    this.counts.operations += operations.length;
    this.checkConservation();
    this.judgeRules();
  }

  /**
   * The built-in rules an entry names must be the versions in force at its time (A6R-39): a version
   * applied before its date or after its successor's is an entry the ledger could not have written.
   * Entries that name none of them (administrative acts, entries from before a rule existed) pass.
   */
  private checkBuiltInVersions(ruleVersions: unknown, createdAt: string): void {
    if (typeof ruleVersions !== 'object' || ruleVersions === null) return;
    const named = ruleVersions as Record<string, unknown>;
    const inForce = this.builtIns.atText(createdAt).versions;
    for (const name of BUILT_IN_RULE_NAMES) {
      const version = named[name];
      if (version !== undefined && version !== inForce[name]) this.fail(`the entry names ${name} version ${String(version)}, but version ${inForce[name]} was in force at ${createdAt}`);
    }
  }

  /** The entry's pluggable rules, judged again by the versions and settings it logged. */
  private judgeRules(): void {
    if (!this.rules.needsJudging(this.kind)) return;
    const createdByAccount = new Map<string, bigint>();
    for (const b of this.txCreated) createdByAccount.set(b.accountId, (createdByAccount.get(b.accountId) ?? 0n) + (b.lastSerial - b.firstSerial + 1n));
    const actor = (this.payload.input as { actor?: Actor } | undefined)?.actor ?? { userId: '', impersonatorId: null, grants: [] };
    const seriesOf = (id: string) => this.series.get(id) ?? null;
    const problem = this.rules.endEntry({ kind: this.kind, transactionId: this.txId, createdAt: this.createdAt, actor, ruleVersions: this.payload.ruleVersions, createdByAccount, created: this.txCreated, seriesOf, input: this.payload.input }, (id) => this.ruleAccount(id));
    if (problem) this.fail(problem);
  }

  /** An account as the rules judge it, with its status at this point of the log. */
  private ruleAccount(id: string): (RuleAccount & { readonly status: AccountStatus }) | null {
    const account = this.accounts.get(id);
    return account ? { id, type: account.definition.type, sectionId: account.definition.sectionId, cooperativeApproachId: account.definition.cooperativeApproachId, status: account.status } : null;
  }

  private fail(reason: string): never {
    throw new ReplayError(this.seq, this.chain, this.op === NO_OPERATION ? reason : `operation ${JSON.stringify(this.op)}: ${reason}`);
  }

  private text(field: string): string {
    const value = this.op[field];
    return typeof value === 'string' ? value : this.fail(`${field} is not a string`);
  }

  private optionalText(field: string): string | null {
    const value = this.op[field];
    return value === null ? null : typeof value === 'string' ? value : this.fail(`${field} is neither a string nor null`);
  }

  private applyOperation(): void {
    switch (this.op.op) {
      case 'close':
        return this.close();
      case 'create':
        return this.create(false);
      case 'generate':
        return this.create(true);
      case 'series':
        return this.defineSeries();
      case 'open-account':
        return this.openAccount();
      case 'account-status':
        return this.changeStatus();
      case 'reference':
        return this.defineReference();
      case 'record': {
        const problem = this.rules.record(this.op, this.txId, this.createdAt);
        return problem ? this.fail(problem) : undefined;
      }
      case 'rule':
      case 'rule-suspended':
        return this.rules.note(this.op);
      default:
        return this.fail('unknown operation');
    }
  }

  private close(): void {
    const seriesId = this.text('seriesId');
    const first = this.text('firstSerial');
    const key = `${seriesId} ${first}`;
    const record = this.open.get(key);
    if (!record) return this.fail('closes a block that is not open');
    if (record.lastSerial.toString() !== this.text('lastSerial') || record.accountId !== this.text('accountId')) {
      return this.fail(`the open block at ${first} is [${record.firstSerial}, ${record.lastSerial}] in account ${record.accountId}`);
    }
    this.open.delete(key);
    if (this.transient.size === 0 || !this.transient.delete(record)) {
      record.closedByTxId = this.txId;
      record.closedAt = this.createdAt;
    }
    this.txClosed.push(record);
  }

  /** A block record created, or (generated) units passing through the proxy account with no record. */
  private create(generated: boolean): void {
    const seriesId = this.text('seriesId');
    const first = this.text('firstSerial');
    const last = this.text('lastSerial');
    const accountId = this.text('accountId');
    if (!SERIAL.test(first) || !SERIAL.test(last)) return this.fail('serials are not positive decimal integers');
    const firstSerial = BigInt(first);
    const lastSerial = BigInt(last);
    if (firstSerial > lastSerial) return this.fail('an empty serial range');
    if (!this.accounts.has(accountId)) return this.fail(`account ${accountId} does not exist`);
    if (generated && this.kind !== 'EXTERNAL_ARRIVAL') return this.fail('units generated outside an external arrival');
    // A generated range precedes its series operation in the entry; the block created from it follows it.
    if (!generated && !this.series.has(seriesId)) return this.fail(`series ${seriesId} does not exist`);
    const key = `${seriesId} ${first}`;
    if (this.open.has(key)) return this.fail('creates a block where one is open');
    // New units (issuance, generation) must be serials never used; blocks made from closed ones are
    // checked against those in checkConservation.
    if (generated || this.kind === 'ISSUANCE') {
      let used = this.used.get(seriesId);
      if (!used) this.used.set(seriesId, (used = new UsedSerials()));
      if (!used.add(firstSerial, lastSerial)) return this.fail('new units overlap serials of the series already in use');
    }
    const record: BlockRecord = { seriesId, firstSerial, lastSerial, accountId, createdByTxId: this.txId, createdAt: this.createdAt, createdSeq: this.seq, createdChain: this.chain, closedByTxId: null, closedAt: null };
    this.open.set(key, record);
    if (generated) {
      this.transient.add(record);
    } else {
      this.history.push(record);
      this.txCreated.push(record);
    }
  }

  private defineSeries(): void {
    const id = this.text('id');
    // An upsert: the first definition of a series id wins, as ON CONFLICT DO NOTHING does.
    if (this.series.has(id)) return;
    const op = this.op;
    const approach = this.optionalText('cooperativeApproachId');
    if (approach !== null && !this.approaches.has(approach)) return this.fail(`cooperative approach ${approach} does not exist`);
    const { vintage, sectors, activityTypes, pre2021, extra } = op;
    if (typeof vintage !== 'number' || !Number.isInteger(vintage)) return this.fail('vintage is not an integer');
    if (!isTextArray(sectors) || !isTextArray(activityTypes)) return this.fail('sectors and activityTypes must be arrays of strings');
    if (typeof pre2021 !== 'boolean') return this.fail('pre2021 is not a boolean');
    // Further attributes: nomenclature → code, stored as canonical JSON ('{}' when there are none).
    if (extra !== undefined && !isAttributes(extra)) return this.fail('extra is not an object of nomenclature codes');
    this.series.set(id, {
      id,
      unitType: this.text('unitType'),
      cooperativeApproachId: approach,
      originatingRegistry: this.text('originatingRegistry'),
      hostParty: this.text('hostParty'),
      firstTransferringParty: this.text('firstTransferringParty'),
      activityId: this.text('activityId'),
      vintage,
      sectors,
      activityTypes,
      metric: this.text('metric'),
      pre2021,
      extra: extra === undefined ? '{}' : canonicalJson(extra),
      createdAt: this.createdAt,
    });
  }

  private openAccount(): void {
    const id = this.text('id');
    if (this.accounts.has(id)) return this.fail('the account exists already');
    const sectionId = this.optionalText('sectionId');
    const approachId = this.optionalText('cooperativeApproachId');
    if (sectionId !== null && !this.sections.has(sectionId)) return this.fail(`section ${sectionId} does not exist`);
    if (approachId !== null && !this.approaches.has(approachId)) return this.fail(`cooperative approach ${approachId} does not exist`);
    const status = this.text('status') as AccountStatus;
    const definition = { id, registry: this.text('registry') as Registry, name: this.text('name'), type: this.text('type') as AccountType, holderName: this.text('holderName'), sectionId, cooperativeApproachId: approachId, openedAt: this.createdAt };
    this.accounts.set(id, { definition, status });
    this.events.push({ accountId: id, status, transactionId: this.txId, createdAt: this.createdAt });
  }

  private changeStatus(): void {
    const accountId = this.text('accountId');
    const account = this.accounts.get(accountId);
    if (!account) return this.fail('the account does not exist');
    const from = this.text('from');
    if (account.status !== from) return this.fail(`the account is ${account.status}, not ${from}`);
    account.status = this.text('to') as AccountStatus;
    this.events.push({ accountId, status: account.status, transactionId: this.txId, createdAt: this.createdAt });
  }

  private defineReference(): void {
    const type = this.op.type;
    const id = this.text('id');
    if (type === 'NOMENCLATURE_ENTRY') {
      const nomenclature = this.text('nomenclature');
      const key = `${nomenclature}\u0000${id}`;
      if (this.nomenclature.has(key)) return this.fail(`entry ${id} of nomenclature ${nomenclature} exists already`);
      this.nomenclature.set(key, { nomenclature, code: id, label: this.text('name'), createdAt: this.createdAt });
      return;
    }
    const table = type === 'SECTION' ? this.sections : type === 'COOPERATIVE_APPROACH' ? this.approaches : this.fail('unknown reference type');
    if (table.has(id)) return this.fail(`${String(type)} ${id} exists already`);
    table.set(id, { id, name: this.text('name'), createdAt: this.createdAt });
  }

  /**
   * Invariants 2 and 3 per entry. Apart from issuance, every block created lies inside a block the same
   * entry closed, the created blocks do not overlap, and as many units are created as closed: so blocks
   * never come to overlap, and units are moved, never made or destroyed.
   */
  private checkConservation(): void {
    const closed = this.txClosed;
    const created = this.txCreated;
    if (this.kind === 'ISSUANCE') {
      if (closed.length > 0) this.fail('an issuance closed blocks');
      return;
    }
    let closedUnits = 0n;
    let createdUnits = 0n;
    for (const c of closed) closedUnits += c.lastSerial - c.firstSerial + 1n;
    for (const b of created) {
      createdUnits += b.lastSerial - b.firstSerial + 1n;
      let inside = false;
      for (const c of closed) if (c.seriesId === b.seriesId && c.firstSerial <= b.firstSerial && b.lastSerial <= c.lastSerial) inside = true;
      if (!inside) this.fail(`block [${b.firstSerial}, ${b.lastSerial}] of ${b.seriesId} was created outside every block the entry closed`);
    }
    if (closedUnits !== createdUnits) this.fail(`${this.kind} closed ${closedUnits} units but created ${createdUnits}`);
    if (created.length > 1) {
      const sorted = [...created].sort(compareBlocks);
      for (let i = 1; i < sorted.length; i++) {
        const a = sorted[i - 1] as BlockRecord;
        const b = sorted[i] as BlockRecord;
        if (a.seriesId === b.seriesId && b.firstSerial <= a.lastSerial) this.fail(`created blocks [${a.firstSerial}, ${a.lastSerial}] and [${b.firstSerial}, ${b.lastSerial}] overlap`);
      }
    }
  }

  /** The state after the entries applied, and everything verification compares with the tables. */
  finish(at: Date | null, elapsedMs: number): ReplayResult {
    for (const record of this.transient) throw new ReplayError(record.createdSeq, record.createdChain, 'units generated in the proxy account were never moved on');
    const blocks = [...this.open.values()].sort(compareBlocks);
    // Postcondition (invariant 2): the open blocks of a series never overlap.
    for (let i = 1; i < blocks.length; i++) {
      const a = blocks[i - 1] as BlockRecord;
      const b = blocks[i] as BlockRecord;
      if (a.seriesId === b.seriesId && b.firstSerial <= a.lastSerial) {
        throw new ReplayError(b.createdSeq, b.createdChain, `open blocks [${a.firstSerial}, ${a.lastSerial}] (seq ${a.createdSeq}) and [${b.firstSerial}, ${b.lastSerial}] of ${a.seriesId} overlap`);
      }
    }
    const byId = <T extends { readonly id: string }>(rows: Iterable<T>): T[] => [...rows].sort((a, b) => compareText(a.id, b.id));
    const state: RegistryState = {
      sections: byId(this.sections.values()),
      cooperativeApproaches: byId(this.approaches.values()),
      nomenclatureEntries: [...this.nomenclature.values()].sort(compareNomenclatureRows),
      accounts: byId([...this.accounts.values()].map((a) => ({ ...a.definition, status: a.status }))),
      series: byId(this.series.values()),
      blocks: blocks.map((b) => ({ seriesId: b.seriesId, firstSerial: b.firstSerial, lastSerial: b.lastSerial, accountId: b.accountId, createdByTxId: b.createdByTxId, createdAt: b.createdAt })),
      administrativeRecords: this.rules.rows(),
    };
    return { at, state, history: this.history, accountEvents: this.events, transactions: this.transactions, counts: { ...this.counts }, entries: this.counts.entries, lastSeq: this.lastSeq, elapsedMs };
  }
}

function isAttributes(value: unknown): value is Record<string, string> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((code) => typeof code === 'string');
}

function isTextArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

/**
 * The canonical texts of an entry's input, rule versions and refusals, cut out of the payload rather
 * than encoded again. The payload is canonical JSON with sorted keys: `…,"input":<input>,"inputHash":
 * "<hash>","kind":<kind>,"operations"|"refusals":<value>,"ruleVersions":{<flat>},"signer":…`. A hash
 * cannot occur inside the text it is the hash of, and nothing after the rule versions but three plain
 * strings, so both ends of each cut are anchored. Null for a part the payload does not have in that
 * shape (the caller then encodes the parsed value). Verification checks that the input hashes to inputHash.
 */
export function payloadTexts(payloadText: string, inputHash: string, kind: string): { input: string | null; ruleVersions: string | null; refusals: string | null } {
  const inputMarker = ',"input":';
  const inputStart = payloadText.indexOf(inputMarker);
  const anchor = `,"inputHash":"${inputHash}","kind":${JSON.stringify(kind)},`;
  const inputEnd = inputStart < 0 ? -1 : payloadText.indexOf(anchor, inputStart);
  const input = inputEnd < 0 ? null : payloadText.slice(inputStart + inputMarker.length, inputEnd);
  const rulesMarker = ',"ruleVersions":{';
  const rulesStart = payloadText.lastIndexOf(rulesMarker);
  const rulesEnd = rulesStart < 0 ? -1 : payloadText.indexOf('}', rulesStart + rulesMarker.length);
  const ruleVersions = rulesEnd < 0 || !payloadText.startsWith(',"signer":', rulesEnd + 1) ? null : payloadText.slice(rulesStart + rulesMarker.length - 1, rulesEnd + 1);
  const refusalsStart = inputEnd < 0 ? -1 : inputEnd + anchor.length + '"refusals":'.length;
  const refusals = refusalsStart < 0 || ruleVersions === null || !payloadText.startsWith('"refusals":', inputEnd + anchor.length) ? null : payloadText.slice(refusalsStart, rulesStart);
  return { input, ruleVersions, refusals };
}

function transactionOf(seq: bigint, chain: number, status: 'RECORDED' | 'REJECTED', id: string, kind: string, createdAt: string, payloadText: string, payload: LoggedPayload): TransactionRecord {
  const actor = payload.input?.actor;
  const inputHash = payload.inputHash;
  const idempotencyKey = payload.idempotencyKey;
  if (typeof inputHash !== 'string' || typeof idempotencyKey !== 'string' || typeof actor?.userId !== 'string') throw new ReplayError(seq, chain, 'payload lacks inputHash, idempotencyKey or input.actor.userId');
  const texts = payloadTexts(payloadText, inputHash, kind);
  return {
    id,
    idempotencyKey,
    kind,
    status,
    initiatorId: actor.userId,
    impersonatorId: typeof actor.impersonatorId === 'string' ? actor.impersonatorId : null,
    // A cut is a view of the payload in V8, which then stays in memory with it: the payload is short,
    // and copying the input out costs about what it saves (docs/ledger.md, "Simulation and replay: measured").
    input: texts.input ?? canonicalJson(payload.input as unknown as CanonicalValue),
    inputHash,
    ruleVersions: texts.ruleVersions ?? canonicalJson((payload.ruleVersions ?? {}) as CanonicalValue),
    refusals: payload.refusals === undefined ? '[]' : (texts.refusals ?? canonicalJson(payload.refusals as CanonicalValue)),
    createdAt,
  };
}

/**
 * Reads the log in sequence order, in pages of `LOG_PAGE_ROWS`, the next page in flight while the
 * caller handles the current one. `columns` must start with seq (keyset pagination continues after
 * the last seq of each page); rows come as arrays in `columns` order.
 */
export async function readLog<R extends unknown[]>(db: Queryable, columns: string, options: { from?: string; at?: Date | null; pageRows?: number }, onPage: (rows: R[]) => void | Promise<void>): Promise<void> {
  const pageRows = options.pageRows ?? LOG_PAGE_ROWS;
  const at = options.at ? utc(options.at) : null;
  const text = `SELECT ${columns} FROM ${options.from ?? '"LogEntry" e'} WHERE e.seq > $1${at === null ? '' : ' AND e."createdAt" <= $2::timestamp'} ORDER BY e.seq LIMIT ${pageRows}`;
  const fetch = (after: bigint) => {
    const page = (db as pg.PoolClient).query<R>({ text, values: at === null ? [after.toString()] : [after.toString(), at], rowMode: 'array' });
    // Handled here as well as where it is awaited: it may fail while the previous page is being
    // applied, and an unhandled rejection would end the process.
    page.catch(() => undefined);
    return page;
  };
  let pending: Promise<pg.QueryResult<R>> | null = fetch(0n);
  while (pending) {
    const page: pg.QueryResult<R> = await pending;
    const rows = page.rows;
    const last = rows[rows.length - 1];
    pending = rows.length === pageRows && last ? fetch(last[0] as bigint) : null;
    // The next page is read while this one is applied; on a failure here, wait for it before the
    // caller releases the connection.
    try {
      await onPage(rows);
    } catch (error) {
      await pending?.catch(() => undefined);
      throw error;
    }
  }
}

/**
 * Replays the log up to `at` (the whole log when absent): reads the RECORDED entries' operations and
 * applies them to the in-memory model. Throws ReplayError naming the first entry the log contradicts
 * itself at. Pass one connection inside a transaction to read the log in the same snapshot as other reads.
 */
export async function replayLog(db: Queryable, options: { at?: Date; onProgress?: (progress: ReplayProgress) => void; keepTransactions?: boolean; builtInRules?: BuiltInRuleBook } = {}): Promise<ReplayResult> {
  const started = performance.now();
  const replayer = new Replayer({ keepTransactions: options.keepTransactions ?? true, ...(options.builtInRules ? { builtInRules: options.builtInRules } : {}) });
  const atText = options.at ? options.at.toISOString() : null;
  let entries = 0;
  await readLog<[bigint, number, string]>(db, 'e.seq, e.chain, e.payload', { at: options.at ?? null }, (rows) => {
    for (const [seq, chain, payloadText] of rows) {
      let payload: LoggedPayload;
      try {
        payload = JSON.parse(payloadText) as LoggedPayload;
      } catch {
        throw new ReplayError(seq, chain, 'the payload is not JSON');
      }
      // The column chose the entry; its signed payload must agree (ISO texts of one format compare as times).
      if (atText !== null && !(typeof payload.createdAt === 'string' && payload.createdAt <= atText)) throw new ReplayError(seq, chain, `the payload's createdAt ${String(payload.createdAt)} disagrees with the row's`);
      replayer.apply(seq, chain, payloadText, payload);
    }
    entries += rows.length;
    const last = rows[rows.length - 1];
    if (last) options.onProgress?.({ entries, lastSeq: last[0] });
  });
  return replayer.finish(options.at ?? null, performance.now() - started);
}
