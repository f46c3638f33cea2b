import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import type pg from 'pg';
import { canonicalJson, sha256Hex, type CanonicalValue } from './canonical-json';
import { entryHash, GENESIS_HASH, LOG_CHAINS } from './log';
import type { BuiltInRuleBook } from './rules/built-in';
import { payloadTexts, readLog, ReplayError, Replayer, type BlockRecord, type LoggedPayload, type ReplayResult } from './replay';
import type { AdministrativeRecordRow } from './types';
import { keyIdOf } from './signer';
import { compareText, inSnapshot, query, type Queryable, type ReferenceRow, type SeriesRow } from './state';

/**
 * Verification (A6R-21, A6R-48): proves that the log is intact and that the live tables are what it
 * says. In one snapshot, in this order of precedence:
 *   (a) every chain: links, hashes, signatures, and the payload's kind, transaction, time and chain
 *       agree with the row's columns;
 *   (b) every RECORDED or REJECTED entry has its LedgerTransaction row, identical to what the entry
 *       says, and every such row has its entry;
 *   (c) a replay of the whole log rebuilds exactly the live sections, approaches, nomenclature
 *       entries, accounts and their status events, series, every block record, open or closed,
 *       and the administrative records (rule settings, suspensions, corrections).
 * One pass over the log, in sequence order, checks (a) and (b) entry by entry and feeds the replay.
 * The first disagreement is reported, naming the log entry (seq, chain) or the row (table, id): the
 * first of (a) anywhere in the log, else the first of (b), else the first of (c).
 */

export type Disagreement =
  | { readonly kind: 'entry'; readonly seq: bigint; readonly chain: number; readonly message: string }
  | { readonly kind: 'row'; readonly table: string; readonly id: string; readonly message: string };

export interface VerifyReport {
  readonly ok: boolean;
  /** Log entries read (all of them when ok). */
  readonly entries: number;
  /** Chains that have entries. */
  readonly chains: number;
  /** LedgerTransaction rows. */
  readonly transactions: number;
  /** UnitBlock rows, open and closed. */
  readonly blocks: number;
  readonly disagreement: Disagreement | null;
  /**
   * The chains' heads as verified (chain order; empty when the log did not verify). A copy kept outside
   * the database (published, or sent to a supervisor) lets a later verification prove that the log
   * only grew since (`since`): the one change the database alone cannot show is the removal of a
   * chain's last entries together with its head.
   */
  readonly heads: readonly ChainHead[];
  readonly elapsedMs: number;
}

export interface ChainHead {
  readonly chain: number;
  readonly seq: bigint;
  readonly hash: string;
}

export interface VerifyOptions {
  /** Heads kept from an earlier verification: each must still be an entry of its chain, unchanged. */
  readonly since?: readonly ChainHead[];
  /** The book of built-in rules the ledger ran with (the registry's own by default), for replay. */
  readonly builtInRules?: BuiltInRuleBook;
}

export function describeDisagreement(d: Disagreement): string {
  return d.kind === 'entry' ? `log entry seq=${d.seq} chain=${d.chain}: ${d.message}` : `"${d.table}" row ${d.id}: ${d.message}`;
}

/** Carries the first disagreement out of the checks. */
class Found extends Error {
  constructor(readonly disagreement: Disagreement) {
    super(describeDisagreement(disagreement));
  }
}

const atEntry = (seq: bigint, chain: number, message: string): never => {
  throw new Found({ kind: 'entry', seq, chain, message });
};
const atRow = (table: string, id: string, message: string): never => {
  throw new Found({ kind: 'row', table, id, message });
};

/** A value as a message shows it. */
function show(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') return JSON.stringify(value.length > 120 ? `${value.slice(0, 117)}...` : value);
  return JSON.stringify(value);
}

/** Equality of field values: scalars by value, arrays (sectors, activity types) element by element. */
function same(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => item === b[i]);
  return a === b;
}

const short = (hash: string): string => (hash.length > 16 ? `${hash.slice(0, 16)}…` : hash);

interface Counts {
  entries: number;
  chains: number;
  transactions: number;
  blocks: number;
  heads: ChainHead[];
}

/**
 * Verifies the ledger in the database against the registry's public key (PEM). Given a pool, reads in
 * one REPEATABLE READ snapshot; given a connection, reads in the caller's transaction as it is.
 */
export async function verifyLedger(pool: Queryable, publicKeyPem: string, options: VerifyOptions = {}): Promise<VerifyReport> {
  const started = performance.now();
  const key = createPublicKey(publicKeyPem);
  if (key.asymmetricKeyType !== 'ed25519') throw new Error('the registry public key must be an Ed25519 key');
  const counts: Counts = { entries: 0, chains: 0, transactions: 0, blocks: 0, heads: [] };
  let disagreement: Disagreement | null = null;
  try {
    await inSnapshot(pool, async (client) => {
      // The key id as the signer computes it, from the key's own PEM export (whatever the PEM given looked like).
      const log = await verifyLog(client, key, keyIdOf(key.export({ type: 'spki', format: 'pem' }).toString()), counts, options.since ?? [], options.builtInRules);
      await verifyTransactionsHaveEntries(client, counts);
      await verifyState(client, log.finishReplay(), counts);
    });
  } catch (error) {
    if (!(error instanceof Found)) throw error;
    disagreement = error.disagreement;
  }
  return { ok: disagreement === null, ...counts, heads: disagreement === null ? counts.heads : [], disagreement, elapsedMs: performance.now() - started };
}

type LogRow = [
  seq: bigint,
  chain: number,
  createdAt: Date,
  kind: string,
  transactionId: string | null,
  payload: string,
  prevHash: string,
  hash: string,
  signature: string,
  txId: string | null,
  txIdempotencyKey: string | null,
  txKind: string | null,
  txStatus: string | null,
  txInitiatorId: string | null,
  txImpersonatorId: string | null,
  txInput: string | null,
  txInputHash: string | null,
  txRuleVersions: string | null,
  txRefusals: string | null,
  txCreatedAt: Date | null,
];

const LOG_COLUMNS = `e.seq, e.chain, e."createdAt", e.kind, e."transactionId", e.payload, e."prevHash", e.hash, e.signature,
  t.id, t."idempotencyKey", t.kind, t.status, t."initiatorId", t."impersonatorId", t.input, t."inputHash", t."ruleVersions", t.refusals, t."createdAt"`;
const LOG_FROM = `"LogEntry" e LEFT JOIN "LedgerTransaction" t ON t.id = e."transactionId"`;

/** A check whose disagreement is kept for later rather than thrown at once. */
function deferred(check: () => void): Disagreement | null {
  try {
    check();
    return null;
  } catch (error) {
    if (error instanceof Found) return error.disagreement;
    throw error;
  }
}

/** Ed25519 verification on libuv's thread pool: the main thread meanwhile checks everything else. */
function verifyOnPool(key: KeyObject, hash: string, signature: string): Promise<boolean> {
  return new Promise((resolve) => {
    verify(null, Buffer.from(hash, 'utf8'), key, Buffer.from(signature, 'base64'), (error, valid) => resolve(error === null && valid));
  });
}

/**
 * (a) and (b), entry by entry, feeding the replay for (c). The precedence holds across the whole log:
 * a broken chain anywhere is reported before a transaction row that disagrees, and that before a replay
 * that fails (a missing entry, say, makes a later one unreplayable: the gap is what to report).
 * Signatures, most of the cost, are checked a page at a time off the main thread; within a page the
 * first failure in sequence order is the one reported.
 */
async function verifyLog(client: pg.PoolClient, key: KeyObject, keyId: string, counts: Counts, since: readonly ChainHead[], builtInRules: BuiltInRuleBook | undefined): Promise<{ finishReplay(): ReplayResult }> {
  const heads = new Map<number, { hash: string; seq: bigint }>();
  const kept = new Map(since.filter((h) => h.seq > 0n).map((h) => [h.seq, h]));
  const seen = new Set<string>();
  const replayer = new Replayer({ keepTransactions: false, ...(builtInRules ? { builtInRules } : {}) });
  let transactionProblem: Disagreement | null = null;
  let replayProblem: Disagreement | null = null;
  await readLog<LogRow>(client, LOG_COLUMNS, { from: LOG_FROM }, async (rows) => {
    const signatures = Promise.all(rows.map((row) => verifyOnPool(key, row[7], row[8])));
    let failedAt = rows.length;
    let failure: Found | null = null;
    try {
      for (let i = 0; i < rows.length; i++) {
        failedAt = i;
        checkEntry(rows[i] as LogRow);
      }
      failedAt = rows.length;
    } catch (error) {
      if (!(error instanceof Found)) throw error;
      failure = error;
    }
    const valid = await signatures;
    const forged = valid.indexOf(false);
    counts.entries += forged >= 0 ? Math.min(forged, failedAt) : failedAt;
    if (forged >= 0 && forged <= failedAt) {
      const [seq, chain] = rows[forged] as LogRow;
      atEntry(seq, chain, "the signature does not verify with the registry's public key");
    }
    if (failure) throw failure;
  });

  function checkEntry(row: LogRow): void {
    const [seq, chain, createdAt, kind, transactionId, payloadText, prevHash, hash] = row;
    const fail = (message: string) => atEntry(seq, chain, message);
    if (!Number.isInteger(chain) || chain < 0 || chain >= LOG_CHAINS) fail(`chain ${chain} is outside 0..${LOG_CHAINS - 1}`);
    const head = heads.get(chain);
    if (head === undefined) {
      if (prevHash !== GENESIS_HASH) fail(`prevHash is ${short(prevHash)}, but the first entry of a chain starts from the genesis hash: an entry before it is missing`);
    } else if (prevHash !== head.hash) {
      fail(`prevHash is ${short(prevHash)}, not the hash ${short(head.hash)} of the chain's previous entry (seq ${head.seq}): an entry is missing or was changed`);
    }
    if (entryHash(prevHash, payloadText) !== hash) fail('hash does not match prevHash and the payload: the payload or the hash was changed');
    const keptHead = kept.get(seq);
    if (keptHead) {
      if (keptHead.chain !== chain || keptHead.hash !== hash) fail(`the kept heads name entry seq ${seq} as chain ${keptHead.chain} hash ${short(keptHead.hash)}, but it is chain ${chain} hash ${short(hash)}`);
      kept.delete(seq);
    }
    heads.set(chain, { hash, seq });
    let payload: LoggedPayload;
    try {
      payload = JSON.parse(payloadText) as LoggedPayload;
    } catch {
      return fail('the payload is not JSON');
    }
    if (payload.kind !== kind) fail(`the payload's kind ${show(payload.kind)} differs from the row's ${show(kind)}`);
    if ((payload.transactionId ?? null) !== transactionId) fail(`the payload's transactionId ${show(payload.transactionId)} differs from the row's ${show(transactionId)}`);
    if (payload.createdAt !== createdAt.toISOString()) fail(`the payload's createdAt ${show(payload.createdAt)} differs from the row's ${show(createdAt)}`);
    if (payload.chain !== chain) fail(`the payload's chain ${show(payload.chain)} differs from the row's ${chain}`);
    if (payload.signer !== keyId) fail(`signed by key ${show(payload.signer)}, not the registry's key ${keyId}`);
    const status = payload.status;
    if (status === 'REFUSED_DUPLICATE') {
      if (transactionId !== null) fail('a refused duplicate names a transaction');
    } else if (status === 'RECORDED' || status === 'REJECTED') {
      if (transactionId === null) return fail(`a ${status} entry without a transactionId`);
      transactionProblem ??= deferred(() => {
        if (seen.has(transactionId)) fail(`transaction ${transactionId} is logged twice`);
        verifyTransactionRow(row, payloadText, payload, status);
      });
      seen.add(transactionId);
    } else {
      fail(`unknown status ${show(status)}`);
    }
    // After the first failure the model is wrong; the rest of the log is still checked for (a) and (b).
    if (replayProblem === null) replayProblem = deferred(() => replayEntry(() => replayer.apply(seq, chain, payloadText, payload)));
  }

  counts.chains = heads.size;
  const missing = [...kept.values()].sort((a, b) => (a.seq < b.seq ? -1 : 1))[0];
  if (missing) atEntry(missing.seq, missing.chain, 'the kept heads name this entry, and it is not in the log: entries at the end of the chain were removed');
  counts.heads = await verifyChainHeads(client, heads);
  if (transactionProblem) throw new Found(transactionProblem);
  return {
    finishReplay() {
      if (replayProblem) throw new Found(replayProblem);
      let result: ReplayResult | undefined;
      replayEntry(() => {
        result = replayer.finish(null, 0);
      });
      return result as ReplayResult;
    },
  };
}

/**
 * (a), the chains' ends: each chain's head row names the chain's last entry (or the genesis hash at
 * seq 0 for a chain without entries). An entry deleted from the end of a chain, which no later entry
 * links to, leaves its head naming an entry that is not there.
 */
async function verifyChainHeads(client: pg.PoolClient, heads: ReadonlyMap<number, { hash: string; seq: bigint }>): Promise<ChainHead[]> {
  const rows = await query<{ chain: number; seq: bigint; hash: string }>(client, `SELECT chain, seq, hash FROM "LogChainHead" ORDER BY chain`);
  const live = new Map(rows.rows.map((r) => [r.chain, r]));
  for (let chain = 0; chain < LOG_CHAINS; chain++) {
    const row = live.get(chain);
    const last = heads.get(chain) ?? { seq: 0n, hash: GENESIS_HASH };
    if (!row) atRow('LogChainHead', String(chain), 'the chain has no head row');
    else if (row.seq !== last.seq || row.hash !== last.hash) {
      atRow('LogChainHead', String(chain), `the head is seq ${row.seq} hash ${short(row.hash)}, but the chain's last entry is seq ${last.seq} hash ${short(last.hash)}: an entry at its end is missing, or the head was moved`);
    }
  }
  for (const row of rows.rows) if (row.chain < 0 || row.chain >= LOG_CHAINS) atRow('LogChainHead', String(row.chain), `chain ${row.chain} is outside 0..${LOG_CHAINS - 1}`);
  return Array.from({ length: LOG_CHAINS }, (_, chain) => ({ chain, ...(heads.get(chain) ?? { seq: 0n, hash: GENESIS_HASH }) }));
}

/** Runs a replay step, turning the log's self-contradiction into a disagreement at the entry. */
function replayEntry(step: () => void): void {
  try {
    step();
  } catch (error) {
    if (error instanceof ReplayError) atEntry(error.seq, error.chain, `replay: ${error.reason}`);
    throw error;
  }
}

/** (b): the transaction row of an entry says what the entry says. */
function verifyTransactionRow(row: LogRow, payloadText: string, payload: LoggedPayload, status: 'RECORDED' | 'REJECTED'): void {
  const [seq, chain, createdAt, kind, transactionId, , , , , id, idempotencyKey, txKind, txStatus, initiatorId, impersonatorId, input, inputHash, ruleVersions, refusals, txCreatedAt] = row;
  if (id === null) return atEntry(seq, chain, `transaction ${transactionId} has no "LedgerTransaction" row`);
  const logInputHash = typeof payload.inputHash === 'string' ? payload.inputHash : '';
  const logInput = payloadTexts(payloadText, logInputHash, kind).input;
  if (logInput === null || sha256Hex(logInput) !== logInputHash) return atEntry(seq, chain, "the payload's input does not hash to its inputHash");
  const actor = payload.input?.actor;
  const expected: [string, unknown, unknown][] = [
    ['status', txStatus, status],
    ['kind', txKind, kind],
    ['idempotencyKey', idempotencyKey, payload.idempotencyKey],
    ['input', input, logInput],
    ['inputHash', inputHash, logInputHash],
    ['ruleVersions', ruleVersions, canonicalJson((payload.ruleVersions ?? {}) as CanonicalValue)],
    ['refusals', refusals, canonicalJson((payload.refusals ?? []) as CanonicalValue)],
    ['createdAt', txCreatedAt?.toISOString() ?? null, createdAt.toISOString()],
    ['initiatorId', initiatorId, actor?.userId ?? null],
    ['impersonatorId', impersonatorId, actor?.impersonatorId ?? null],
  ];
  for (const [field, live, logged] of expected) {
    if (live !== logged) atRow('LedgerTransaction', id, `${field} is ${show(live)}, but log entry seq=${seq} chain=${chain} says ${show(logged)}`);
  }
}

/** (b), the other way: no transaction row without its entry. */
async function verifyTransactionsHaveEntries(client: pg.PoolClient, counts: Counts): Promise<void> {
  const orphan = await query<{ id: string }>(
    client,
    `SELECT t.id FROM "LedgerTransaction" t WHERE NOT EXISTS (SELECT 1 FROM "LogEntry" e WHERE e."transactionId" = t.id) ORDER BY t."createdAt", t.id LIMIT 1`,
  );
  const first = orphan.rows[0];
  if (first) atRow('LedgerTransaction', first.id, 'no log entry records this transaction');
  const total = await query<{ n: number }>(client, `SELECT count(*)::int AS n FROM "LedgerTransaction"`);
  counts.transactions = total.rows[0]?.n ?? 0;
}

/** A field compared: its name, and how to read it from the live row and from the replayed one. */
type Field<L, R> = readonly [name: string, ofLive: (row: L) => unknown, ofReplay: (row: R) => unknown];

/**
 * Compares the rows of a table with the rows replay expects, both keyed by id; the first difference
 * in id order is reported (a row the log does not create, a row it creates that is missing, a field).
 */
function compareRows<L, R>(table: string, live: ReadonlyMap<string, L>, replayed: ReadonlyMap<string, R>, fields: readonly Field<L, R>[]): void {
  const ids = [...new Set([...live.keys(), ...replayed.keys()])].sort(compareText);
  for (const id of ids) {
    const l = live.get(id);
    const r = replayed.get(id);
    if (l === undefined) return atRow(table, id, 'missing: the log creates it, the table does not have it');
    if (r === undefined) return atRow(table, id, 'the log never creates it');
    for (const [field, ofLive, ofReplay] of fields) {
      const a = ofLive(l);
      const b = ofReplay(r);
      if (!same(a, b)) atRow(table, id, `${field} is ${show(a)}, but replaying the log gives ${show(b)}`);
    }
  }
}

const byKey = <T>(rows: readonly T[], keyOf: (row: T) => string): Map<string, T> => new Map(rows.map((row) => [keyOf(row), row]));
const iso = (date: Date | null): string | null => date?.toISOString() ?? null;

/** (c): the live tables against the replay of the whole log. */
async function verifyState(client: pg.PoolClient, replay: ReplayResult, counts: Counts): Promise<void> {
  const { state } = replay;
  const reference: Field<{ name: string; createdAt: Date }, ReferenceRow>[] = [
    ['name', (l) => l.name, (r) => r.name],
    ['createdAt', (l) => iso(l.createdAt), (r) => r.createdAt],
  ];
  for (const [table, rows] of [
    ['Section', state.sections],
    ['CooperativeApproach', state.cooperativeApproaches],
  ] as const) {
    const live = await query<{ id: string; name: string; createdAt: Date }>(client, `SELECT id, name, "createdAt" FROM "${table}"`);
    compareRows(table, byKey(live.rows, (r) => r.id), byKey(rows, (r) => r.id), reference);
  }
  const entries = await query<{ nomenclature: string; code: string; label: string; createdAt: Date }>(client, `SELECT nomenclature, code, label, "createdAt" FROM "NomenclatureEntry"`);
  const entryKey = (r: { nomenclature: string; code: string }) => `(${r.nomenclature}, ${r.code})`;
  compareRows('NomenclatureEntry', byKey(entries.rows, entryKey), byKey(state.nomenclatureEntries, entryKey), [
    ['label', (l) => l.label, (r) => r.label],
    ['createdAt', (l) => iso(l.createdAt), (r) => r.createdAt],
  ]);

  type LiveAccount = { id: string; registry: string; name: string; type: string; status: string; holderName: string; sectionId: string | null; cooperativeApproachId: string | null; createdAt: Date };
  const accounts = await query<LiveAccount>(client, `SELECT id, registry, name, type, status, "holderName", "sectionId", "cooperativeApproachId", "createdAt" FROM "Account"`);
  compareRows(
    'Account',
    byKey(accounts.rows, (r) => r.id),
    byKey(state.accounts, (r) => r.id),
    [
      ['registry', (l) => l.registry, (r) => r.registry],
      ['name', (l) => l.name, (r) => r.name],
      ['type', (l) => l.type, (r) => r.type],
      ['holderName', (l) => l.holderName, (r) => r.holderName],
      ['sectionId', (l) => l.sectionId, (r) => r.sectionId],
      ['cooperativeApproachId', (l) => l.cooperativeApproachId, (r) => r.cooperativeApproachId],
      ['status', (l) => l.status, (r) => r.status],
      ['createdAt', (l) => iso(l.createdAt), (r) => r.openedAt],
    ],
  );

  // Status events have no id in the log: one per account and transaction.
  const events = await query<{ id: bigint; accountId: string; status: string; transactionId: string; createdAt: Date }>(client, `SELECT id, "accountId", status, "transactionId", "createdAt" FROM "AccountEvent" ORDER BY id`);
  const expectedEvents = byKey(replay.accountEvents, (e) => `${e.transactionId} ${e.accountId}`);
  const matchedEvents = new Set<string>();
  for (const e of events.rows) {
    const key = `${e.transactionId} ${e.accountId}`;
    const expected = expectedEvents.get(key);
    if (!expected || matchedEvents.has(key)) atRow('AccountEvent', e.id.toString(), `the log never gives account ${e.accountId} a status in transaction ${e.transactionId}`);
    matchedEvents.add(key);
    if (expected && (expected.status !== e.status || expected.createdAt !== iso(e.createdAt))) {
      atRow('AccountEvent', e.id.toString(), `is ${e.status} at ${iso(e.createdAt)}, but the log says ${expected.status} at ${expected.createdAt}`);
    }
  }
  for (const [key, e] of expectedEvents) if (!matchedEvents.has(key)) atRow('AccountEvent', `(account ${e.accountId}, transaction ${e.transactionId})`, `missing: the log sets the account ${e.status} at ${e.createdAt}`);

  type LiveSeries = { id: string; unitType: string; cooperativeApproachId: string | null; originatingRegistry: string; hostParty: string; firstTransferringParty: string; activityId: string; vintage: number; sectors: string[]; activityTypes: string[]; metric: string; pre2021: boolean; extra: string; createdAt: Date };
  const series = await query<LiveSeries>(client, `SELECT * FROM "UnitSeries"`);
  const seriesFields = ['unitType', 'cooperativeApproachId', 'originatingRegistry', 'hostParty', 'firstTransferringParty', 'activityId', 'vintage', 'sectors', 'activityTypes', 'metric', 'pre2021', 'extra'] as const;
  compareRows(
    'UnitSeries',
    byKey(series.rows, (r) => r.id),
    byKey(state.series, (r) => r.id),
    [...seriesFields.map((field): Field<LiveSeries, SeriesRow> => [field, (l) => l[field], (r) => r[field]]), ['createdAt', (l) => iso(l.createdAt), (r) => r.createdAt]],
  );

  type LiveRecord = { id: string; kind: string; subject: string; scopeType: string; scopeId: string; body: string; validFrom: Date | null; validUntil: Date | null; transactionId: string; createdAt: Date };
  const records = await query<LiveRecord>(client, `SELECT id, kind, subject, "scopeType", "scopeId", body, "validFrom", "validUntil", "transactionId", "createdAt" FROM "AdministrativeRecord"`);
  compareRows(
    'AdministrativeRecord',
    byKey(records.rows, (r) => r.id),
    byKey(state.administrativeRecords, (r) => r.id),
    [
      ...(['kind', 'subject', 'scopeType', 'scopeId', 'body', 'transactionId'] as const).map((field): Field<LiveRecord, AdministrativeRecordRow> => [field, (l) => l[field], (r) => r[field]]),
      ['validFrom', (l) => iso(l.validFrom), (r) => r.validFrom],
      ['validUntil', (l) => iso(l.validUntil), (r) => r.validUntil],
      ['createdAt', (l) => iso(l.createdAt), (r) => r.createdAt],
    ],
  );

  await verifyBlocks(client, replay.history, counts);
}

const blockKey = (createdByTxId: string, seriesId: string, firstSerial: string): string => `${createdByTxId} ${seriesId} ${firstSerial}`;

/** (c) for blocks: every UnitBlock row, open and closed, is a block record the log creates, closed as the log closes it. */
async function verifyBlocks(client: pg.PoolClient, history: readonly BlockRecord[], counts: Counts): Promise<void> {
  const index = new Map<string, number>();
  history.forEach((b, i) => index.set(blockKey(b.createdByTxId, b.seriesId, b.firstSerial.toString()), i));
  const matched = new Uint8Array(history.length);
  type BlockRow = [id: bigint, seriesId: string, firstSerial: bigint, lastSerial: bigint, accountId: string, createdByTxId: string, createdAt: Date, closedByTxId: string | null, closedAt: Date | null];
  const text = `SELECT id, "seriesId", "firstSerial", "lastSerial", "accountId", "createdByTxId", "createdAt", "closedByTxId", "closedAt" FROM "UnitBlock" WHERE id > $1 ORDER BY id LIMIT 10000`;
  let after = 0n;
  for (;;) {
    const page = await client.query<BlockRow>({ text, values: [after.toString()], rowMode: 'array' });
    for (const [id, seriesId, firstSerial, lastSerial, accountId, createdByTxId, createdAt, closedByTxId, closedAt] of page.rows) {
      const fail = (message: string) => atRow('UnitBlock', id.toString(), message);
      const i = index.get(blockKey(createdByTxId, seriesId, firstSerial.toString()));
      if (i === undefined) fail(`the log never creates block [${firstSerial}, ${lastSerial}] of ${seriesId} in transaction ${createdByTxId}`);
      const expected = history[i as number] as BlockRecord;
      if (matched[i as number] === 1) fail(`a second row for block [${firstSerial}, ${lastSerial}] of ${seriesId} created in transaction ${createdByTxId}`);
      matched[i as number] = 1;
      const fields: [string, unknown, unknown][] = [
        ['lastSerial', lastSerial, expected.lastSerial],
        ['accountId', accountId, expected.accountId],
        ['createdAt', iso(createdAt), expected.createdAt],
        ['closedByTxId', closedByTxId, expected.closedByTxId],
        ['closedAt', iso(closedAt), expected.closedAt],
      ];
      for (const [field, live, logged] of fields) {
        if (live !== logged) fail(`${field} is ${show(live)}, but replaying the log gives ${show(logged)} (created by log entry seq=${expected.createdSeq} chain=${expected.createdChain})`);
      }
      counts.blocks++;
      after = id;
    }
    if (page.rows.length < 10000) break;
  }
  const missing = matched.indexOf(0);
  if (missing >= 0) {
    const b = history[missing] as BlockRecord;
    atEntry(b.createdSeq, b.createdChain, `block [${b.firstSerial}, ${b.lastSerial}] of ${b.seriesId} in account ${b.accountId}, created by this entry, has no "UnitBlock" row`);
  }
}
