import { actorGrant } from './approach-scope';
import { canonicalJson, encoded, sha256Hex, type CanonicalValue, type Encoded } from './canonical-json';
import { firstGroup, refusal, type Refusal } from './check-codes';
import { claimChain, encodeEntry, type EncodedEntry } from './log';
import { defineReference, openAccount, setAccountStatus } from './operations/account-configuration';
import { externalArrival, externalTransfer } from './operations/external-transfers';
import { issueUnits } from './operations/issue-units';
import { transferUnits } from './operations/transfer-units';
import { planWithinApproaches } from './operations/within-approaches';
import type { Changes, Plan } from './plan';
import { administrativePlan, applyRules, rulesChanged, writeAdministrativeRecords } from './rules';
import type { RulesGuard } from './rules/engine';
import { builtInRulesAt, type BuiltInRules } from './rules/built-in';
import { commitPipeline, inTransaction, isUniqueViolation, MAX_ATTEMPTS, textArray, utc, type Sql } from './sql';
import type { Actor, LedgerContext, Outcome, Proposal } from './types';

/**
 * The versions of the write path's own rules, recorded with every transaction (A6R-47) beside those of
 * the built-in rules in force at its time; the pluggable rules that governed it are added to them
 * (server/ledger/rules/engine.ts).
 */
export const RULE_VERSIONS: Readonly<Record<string, number>> = { 'implicit-splitting': 1, 'account-configuration': 1, 'external-transfer': 1 };

/**
 * Per set of built-in rules in force, the versions every transaction records, their encoding, and the
 * encodings of the sets of pluggable rule versions met so far (few: the rules configured).
 */
const baseVersions = new WeakMap<BuiltInRules, { readonly versions: Readonly<Record<string, number>>; readonly json: Encoded; readonly withPluggable: Map<string, Encoded> }>();

function recordedVersions(builtIns: BuiltInRules): { readonly versions: Readonly<Record<string, number>>; readonly json: Encoded; readonly withPluggable: Map<string, Encoded> } {
  let base = baseVersions.get(builtIns);
  if (!base) {
    const versions = { ...builtIns.versions, ...RULE_VERSIONS };
    base = { versions, json: encoded(versions), withPluggable: new Map() };
    baseVersions.set(builtIns, base);
  }
  return base;
}

/** The versions applied, encoded once per set of built-in rules and per set of pluggable rules applied. */
function ruleVersionsJson(builtIns: BuiltInRules, applied: Readonly<Record<string, number>>): Encoded {
  const base = recordedVersions(builtIns);
  let key = '';
  for (const [name, version] of Object.entries(applied)) if (base.versions[name] !== version) key += `${name}\u0000${version}\u0000`;
  if (key === '') return base.json;
  let json = base.withPluggable.get(key);
  if (!json) {
    json = encoded({ ...base.versions, ...applied });
    // Bounded: one entry per distinct set of rule versions; a registry configures a handful of rules.
    if (base.withPluggable.size < 1024) base.withPluggable.set(key, json);
  }
  return json;
}

/** Thrown inside the database transaction to roll it back when the proposal is refused. */
class Refused extends Error {
  constructor(
    readonly refusals: readonly Refusal[],
    readonly createdAt: Date,
    readonly ruleVersions: Readonly<Record<string, number>> = {},
    /** What a refusal by the rules rests on, for replay to judge again; null for other refusals. */
    readonly verdicts: CanonicalValue | null = null,
  ) {
    super('proposal refused');
  }
}

function plan(sql: Sql, ctx: LedgerContext, actor: Actor, proposal: Proposal): Promise<Plan> {
  switch (proposal.kind) {
    case 'DEFINE_REFERENCE':
      return defineReference(sql, ctx, actor, proposal);
    case 'ISSUANCE':
      return issueUnits(sql, ctx, actor, proposal);
    case 'TRANSFER':
      return transferUnits(sql, ctx, actor, proposal);
    case 'EXTERNAL_TRANSFER':
      return externalTransfer(sql, ctx, actor, proposal);
    case 'EXTERNAL_ARRIVAL':
      return externalArrival(sql, ctx, actor, proposal);
    case 'OPEN_ACCOUNT':
      return openAccount(sql, ctx, actor, proposal);
    case 'SET_ACCOUNT_STATUS':
      return setAccountStatus(sql, ctx, actor, proposal);
    case 'CONFIGURE_RULE':
    case 'SUSPEND_RULE':
    case 'LIFT_SUSPENSION':
    case 'CORRECTIVE_TRANSFER':
    case 'RECORD_AUTHORIZATION':
    case 'RELEASE_RESERVATION':
    case 'REISSUE_MARKER':
      return administrativePlan(sql, ctx, actor, proposal);
  }
}

/**
 * The one write path (A6R-47): proposal → checks → decision → recorded or rejected. The change, its
 * transaction row and its log entry are written in one database transaction. The same idempotency key
 * with the same input returns the first outcome; with a different input it is refused (1001), and that
 * refusal is logged too.
 */
export async function execute(ctx: LedgerContext, actor: Actor, proposal: Proposal): Promise<Outcome> {
  const outcome = await decide(ctx, actor, proposal);
  if (ctx.notify && !outcome.replayed) {
    try {
      await ctx.notify(proposal, outcome);
    } catch (error) {
      console.error(`ledger: notification for ${outcome.transactionId ?? proposal.idempotencyKey} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return outcome;
}

async function decide(ctx: LedgerContext, actor: Actor, proposal: Proposal, attempt = 1): Promise<Outcome> {
  const { input, oversized } = proposalInput(actor, proposal);
  const inputHash = sha256Hex(input.text);
  const transactionId = ctx.newId();
  try {
    // An input too large to log is refused before anything reads it; its log entry holds a summary.
    if (oversized !== null) throw new Refused([refusal('INPUT_TOO_LARGE', { characters: oversized, limit: MAX_LOGGED_INPUT_CHARS })], ctx.now());
    return await inTransaction(ctx.pool, async (sql) => {
      const decided = await planWithinApproaches(sql, ctx, actor, proposal, (within) => plan(sql, ctx, within, proposal));
      if ('refusals' in decided) throw new Refused(firstGroup(decided.refusals), decided.createdAt);
      // Business rules (server/ledger/rules): the pluggable rules in force judge the decided transaction
      // and may add supplementary operations to it; the versions applied go into the log.
      const builtIns = builtInRulesAt(ctx, decided.createdAt);
      const ruled = await applyRules(sql, ctx.pool, actor, proposal, decided, builtIns);
      if (!ruled.ok) throw new Refused(firstGroup(ruled.refusals), decided.createdAt, ruled.ruleVersions, ruled.verdicts);
      const ruleVersions = ruleVersionsJson(builtIns, ruled.ruleVersions);
      const operations = ruled.operations;
      assertBalanced(proposal.kind, ruled.changes);
      const entry = encodeEntry(ctx.signer, decided.chain, {
        createdAt: decided.createdAt,
        kind: proposal.kind,
        transactionId,
        payload: { status: 'RECORDED', idempotencyKey: proposal.idempotencyKey, input, inputHash, ruleVersions, operations },
      });
      await writeRecorded(sql, { transactionId, proposal, actor, input, inputHash, createdAt: decided.createdAt, changes: ruled.changes, ruleVersions, guard: ruled.guard, entry });
      return { status: 'RECORDED' as const, transactionId, quantity: decided.quantity, replayed: false, ...(ruled.pending ? { pending: true } : {}) };
    });
  } catch (error) {
    if (error instanceof Refused) return recordRejection(ctx, actor, proposal, { transactionId, input, inputHash, refusals: error.refusals, createdAt: error.createdAt, ruleVersions: error.ruleVersions, verdicts: error.verdicts });
    if (isUniqueViolation(error, IDEMPOTENCY_CONSTRAINT)) return previousOutcome(ctx, actor, proposal, input, inputHash);
    // The rule settings the transaction was judged by changed before it committed: judge it again.
    if (rulesChanged(ctx.pool, error) && attempt < MAX_ATTEMPTS) return decide(ctx, actor, proposal, attempt + 1);
    throw error;
  }
}

/**
 * The most characters of canonical input the log records of one proposal. Inputs are bounded at every
 * entry point long before this (server/api/input-bounds.ts); this is the ledger's own bound, for any
 * caller, so that no request can grow the immutable log by more.
 */
export const MAX_LOGGED_INPUT_CHARS = 16_384;

/**
 * The complete input, canonical, including who proposed with which grants: what replay feeds back in.
 * Beyond MAX_LOGGED_INPUT_CHARS it is summarised (kind, key, length and SHA-256 of the whole), and
 * `oversized` says how long it was; the same oversized request retried has the same summary.
 */
function proposalInput(actor: Actor, proposal: Proposal): { readonly input: Encoded; readonly oversized: number | null } {
  const who = { userId: actor.userId, impersonatorId: actor.impersonatorId, grants: actor.grants.map((g) => ({ ...actorGrant(g) })) };
  const whole = encoded({ actor: who, proposal: proposal as unknown as CanonicalValue });
  if (whole.text.length <= MAX_LOGGED_INPUT_CHARS) return { input: whole, oversized: null };
  const summary = { kind: proposal.kind, idempotencyKey: String(proposal.idempotencyKey).slice(0, 200), oversized: { characters: whole.text.length, sha256: sha256Hex(whole.text) } };
  return { input: encoded({ actor: who, proposal: summary }), oversized: whole.text.length };
}

/** Invariant 3 at the source: only issuance and arrivals create units; everything else moves them. */
function assertBalanced(kind: Proposal['kind'], changes: Changes): void {
  const size = (blocks: readonly { firstSerial: bigint; lastSerial: bigint }[]) => blocks.reduce((sum, b) => sum + (b.lastSerial - b.firstSerial + 1n), 0n);
  const closed = size(changes.close);
  const created = size(changes.create);
  if (kind === 'ISSUANCE') {
    if (closed !== 0n) throw new Error('issuance closed blocks');
  } else if (kind === 'EXTERNAL_ARRIVAL') {
    if (created < closed) throw new Error('an arrival destroyed units');
  } else if (closed !== created) {
    throw new Error(`${kind} closed ${closed} units but created ${created}`);
  }
  for (const b of [...changes.close, ...changes.create]) if (b.firstSerial < 1n || b.firstSerial > b.lastSerial) throw new Error(`invalid block [${b.firstSerial}, ${b.lastSerial}]`);
}

interface Recorded {
  readonly transactionId: string;
  readonly proposal: Proposal;
  readonly actor: Actor;
  readonly input: Encoded;
  readonly inputHash: string;
  readonly createdAt: Date;
  readonly changes: Changes;
  readonly ruleVersions: Encoded;
  /** The rules engine's commit-time check, made by registry_record (null for none). */
  readonly guard: RulesGuard | null;
  readonly entry: EncodedEntry;
}

/**
 * Writes a recorded transaction and commits it, in one round trip: `registry_record` inserts its row,
 * new reference data, series, accounts and status changes, closes and creates its blocks and appends
 * its log entry; the number of blocks closed must equal the number the operation read under its locks,
 * or everything aborts.
 */
async function writeRecorded(sql: Sql, r: Recorded): Promise<void> {
  const c = r.changes;
  if (c.records && c.records.length > 0) await writeAdministrativeRecords(sql, r.transactionId, r.createdAt, c.records);
  await record(sql, {
    id: r.transactionId,
    status: 'RECORDED',
    idempotencyKey: r.proposal.idempotencyKey,
    kind: r.proposal.kind,
    initiatorId: r.actor.userId,
    impersonatorId: r.actor.impersonatorId,
    input: r.input.text,
    inputHash: r.inputHash,
    ruleVersions: r.ruleVersions.text,
    refusals: '[]',
    createdAt: utc(r.createdAt),
    references: c.references,
    series: c.series.map((s) => ({ ...s, extra: canonicalJson(s.extra ?? {}) })),
    openAccounts: c.openAccounts,
    statusChanges: c.statusChanges,
    close: c.close.map((b) => b.id.toString()),
    create: c.create.map((b) => ({ seriesId: b.seriesId, firstSerial: b.firstSerial.toString(), lastSerial: b.lastSerial.toString(), accountId: b.accountId })),
    log: r.entry,
    guard: r.guard,
  });
}

const empty = (list: readonly unknown[] | undefined): boolean => list === undefined || list.length === 0;

/**
 * The record of a transaction that only moves units, or is rejected, in one statement prepared once per
 * connection (migration 20261122006000): registry_record's writes without its PL/pgSQL, whose own work
 * (the record's JSON parsed, its simple expressions prepared again in every transaction) was an eighth
 * of the server's time in a transfer. The values travel typed: bigint[] of the blocks to close, and
 * parallel arrays of the blocks to create. registry_recorded makes registry_record's checks in the
 * same statement (the rule settings judged by are still current; every block to close was closed; the
 * chain's head moved from the entry's prevHash), so that a failure aborts the transaction before its
 * COMMIT. A record with reference data, series, accounts, status changes or receivers of supplementary
 * units to check goes to registry_record. The transaction row and the blocks are
 * written by CTEs no one reads: PostgreSQL runs every data-modifying CTE, once.
 */
export const RECORD_MOVES = `WITH recorded AS (
  INSERT INTO "LedgerTransaction" (id, "idempotencyKey", kind, status, "initiatorId", "impersonatorId", input, "inputHash", "ruleVersions", refusals, "createdAt")
  VALUES ($1, $2, $3, $4::"TransactionStatus", $5, $6, $7, $8, $9, $10, $11::timestamp(3))
), closed AS (
  UPDATE "UnitBlock" SET "closedByTxId" = $1, "closedAt" = $11::timestamp(3) WHERE id = ANY($12::bigint[]) RETURNING 1
), created AS (
  INSERT INTO "UnitBlock" ("seriesId", "firstSerial", "lastSerial", "accountId", "createdByTxId", "createdAt")
  SELECT b.series, b.first, b.last, b.account, $1, $11::timestamp(3) FROM unnest($13::text[], $14::bigint[], $15::bigint[], $16::text[]) AS b(series, first, last, account)
), entry AS (
  INSERT INTO "LogEntry" (chain, "createdAt", kind, "transactionId", payload, "prevHash", hash, signature)
  VALUES ($17::integer, $11::timestamp(3), $3, $1, $18, $19, $20, $21) RETURNING seq
), head AS (
  UPDATE "LogChainHead" h SET seq = entry.seq, hash = $20 FROM entry WHERE h.chain = $17::integer AND h.hash = $19 RETURNING 1
)
SELECT registry_recorded((SELECT count(*) FROM closed), cardinality($12::bigint[]), (SELECT count(*) FROM head), $17::integer, $19,
  (SELECT generation FROM "RuleGeneration" WHERE id = 1), $22::bigint)`;

/**
 * Sent before RECORD_MOVES: its plan is made once per connection and kept. Left to itself, the planner
 * prefers a plan made for each call's values (it cannot know how long the arrays are), and planning this
 * statement costs more than running it: measured, a quarter more of the server's time per transfer.
 * Transaction-local, like the write path's other planner setting, and after registry_lock, whose own
 * statements set it as they need.
 */
const PLAN_ONCE = 'SET LOCAL plan_cache_mode = force_generic_plan';

/** What `registry_record` is given; the lists it reads default to empty. */
interface RecordInput {
  readonly id: string;
  readonly status: 'RECORDED' | 'REJECTED' | 'REFUSED_DUPLICATE';
  readonly kind: string;
  readonly createdAt: string;
  readonly idempotencyKey?: string;
  readonly initiatorId?: string;
  readonly impersonatorId?: string | null;
  readonly input?: string;
  readonly inputHash?: string;
  readonly ruleVersions?: string;
  readonly refusals?: string;
  readonly references?: Changes['references'];
  readonly series?: readonly unknown[];
  readonly openAccounts?: Changes['openAccounts'];
  readonly statusChanges?: Changes['statusChanges'];
  readonly close?: readonly string[];
  readonly create?: readonly { seriesId: string; firstSerial: string; lastSerial: string; accountId: string }[];
  readonly log: EncodedEntry;
  readonly guard?: RulesGuard | null;
}

/**
 * One call of `registry_record` with its COMMIT, in one round trip. The record travels as parameters:
 * its JSON, with the rules engine's commit-time check when there is one (its `rules` member), and,
 * apart, its two long texts (the canonical input and the log entry's payload), which need no escaping
 * into JSON and no parsing out of it. The JSON object is built member by member (no spread of the
 * input): it is made for every transaction.
 */
async function record(sql: Sql, r: RecordInput): Promise<void> {
  const { log, guard } = r;
  if (r.status !== 'REFUSED_DUPLICATE' && (!guard || guard.receivers.length === 0) && empty(r.references) && empty(r.series) && empty(r.openAccounts) && empty(r.statusChanges)) {
    const create = r.create ?? [];
    await commitPipeline(sql, [
      { text: PLAN_ONCE, values: [] },
      {
        text: RECORD_MOVES,
        values: [
          r.id,
          r.idempotencyKey ?? null,
          r.kind,
          r.status,
          r.initiatorId ?? null,
          r.impersonatorId ?? null,
          r.input ?? null,
          r.inputHash ?? null,
          r.ruleVersions ?? null,
          r.refusals ?? null,
          r.createdAt,
          `{${(r.close ?? []).join(',')}}`,
          textArray(create.map((b) => b.seriesId)),
          `{${create.map((b) => b.firstSerial).join(',')}}`,
          `{${create.map((b) => b.lastSerial).join(',')}}`,
          textArray(create.map((b) => b.accountId)),
          String(log.chain),
          log.payload,
          log.prevHash,
          log.hash,
          log.signature,
          guard ? guard.generation : null,
        ],
      },
    ]);
    return;
  }
  const json = JSON.stringify({
    id: r.id,
    status: r.status,
    idempotencyKey: r.idempotencyKey,
    kind: r.kind,
    initiatorId: r.initiatorId,
    impersonatorId: r.impersonatorId,
    inputHash: r.inputHash,
    ruleVersions: r.ruleVersions,
    refusals: r.refusals,
    createdAt: r.createdAt,
    references: r.references ?? [],
    series: r.series ?? [],
    openAccounts: r.openAccounts ?? [],
    statusChanges: r.statusChanges ?? [],
    close: r.close ?? [],
    create: r.create ?? [],
    rules: guard ? { generation: guard.generation, receivers: guard.receivers } : undefined,
    log: { chain: log.chain, prevHash: log.prevHash, hash: log.hash, signature: log.signature },
  });
  const inputText = r.input ?? null;
  await commitPipeline(sql, [{ text: 'SELECT registry_record($1::jsonb, $2, $3)', values: [json, inputText, log.payload] }]);
}

interface Rejection {
  readonly transactionId: string;
  readonly createdAt: Date;
  readonly input: Encoded;
  readonly inputHash: string;
  readonly refusals: readonly Refusal[];
  readonly ruleVersions: Readonly<Record<string, number>>;
  readonly verdicts: CanonicalValue | null;
}

/** A refused proposal changes no state but is recorded and logged with its reasons (invariant 7). */
async function recordRejection(ctx: LedgerContext, actor: Actor, proposal: Proposal, rejection: Rejection): Promise<Outcome> {
  const refusals = encoded(rejection.refusals as unknown as CanonicalValue);
  const ruleVersions = ruleVersionsJson(builtInRulesAt(ctx, rejection.createdAt), rejection.ruleVersions);
  try {
    await inTransaction(ctx.pool, async (sql) => {
      const chain = await claimChain(sql);
      const entry = encodeEntry(ctx.signer, chain, {
        createdAt: rejection.createdAt,
        kind: proposal.kind,
        transactionId: rejection.transactionId,
        // `verdicts` sorts after every other field: the texts replay cuts out of the payload stay where they were.
        payload: { status: 'REJECTED', idempotencyKey: proposal.idempotencyKey, input: rejection.input, inputHash: rejection.inputHash, ruleVersions, refusals, ...(rejection.verdicts === null ? {} : { verdicts: rejection.verdicts }) },
      });
      await record(sql, {
        id: rejection.transactionId,
        status: 'REJECTED',
        idempotencyKey: proposal.idempotencyKey,
        kind: proposal.kind,
        initiatorId: actor.userId,
        impersonatorId: actor.impersonatorId,
        input: rejection.input.text,
        inputHash: rejection.inputHash,
        ruleVersions: ruleVersions.text,
        refusals: refusals.text,
        createdAt: utc(rejection.createdAt),
        log: entry,
      });
    });
  } catch (error) {
    if (isUniqueViolation(error, IDEMPOTENCY_CONSTRAINT)) return previousOutcome(ctx, actor, proposal, rejection.input, rejection.inputHash);
    throw error;
  }
  return { status: 'REJECTED', transactionId: rejection.transactionId, refusals: rejection.refusals, replayed: false };
}

/**
 * The quantity a recorded transaction moved or created, from its log entry's elementary operations: the
 * units of the blocks it created in accounts where it closed none (a transfer's remainders stay in the
 * transferring account, which it closed a block of; a fee's units count, as they did in the outcome).
 */
function movedQuantity(payload: string | null): bigint {
  if (payload === null) return 0n;
  const operations = (JSON.parse(payload) as { operations?: { op?: string; accountId?: string; firstSerial?: string; lastSerial?: string }[] }).operations ?? [];
  const closing = new Set(operations.filter((o) => o.op === 'close').map((o) => o.accountId));
  return operations.filter((o) => o.op === 'create' && !closing.has(o.accountId)).reduce((sum, o) => sum + (BigInt(o.lastSerial ?? '0') - BigInt(o.firstSerial ?? '0') + 1n), 0n);
}

/** Keys are unique per initiator (the user proposed for), so one user's key never reaches another's transaction. */
const IDEMPOTENCY_CONSTRAINT = 'LedgerTransaction_initiatorId_idempotencyKey_key';

/**
 * The answer to a repeated idempotency key of the same initiator: the first outcome when the input is
 * the same; otherwise a refusal (1001), logged without a transaction row since the key already names
 * one. Another initiator's use of the same key is no repeat: it never conflicts, and is never looked up.
 */
async function previousOutcome(ctx: LedgerContext, actor: Actor, proposal: Proposal, input: Encoded, inputHash: string): Promise<Outcome> {
  // Reached by the transaction's key and its log entry's transaction id, both indexed: a retried request
  // costs the same however large the registry has grown.
  const found = await ctx.pool.query<{ id: string; status: 'RECORDED' | 'REJECTED'; inputHash: string; refusals: string; payload: string | null }>(
    `SELECT t.id, t.status, t."inputHash", t.refusals, e.payload
     FROM "LedgerTransaction" t LEFT JOIN "LogEntry" e ON e."transactionId" = t.id
     WHERE t."initiatorId" = $1 AND t."idempotencyKey" = $2`,
    [actor.userId, proposal.idempotencyKey],
  );
  const earlier = found.rows[0];
  if (!earlier) throw new Error(`idempotency key ${proposal.idempotencyKey} conflicted but its transaction is not there`);
  if (earlier.inputHash === inputHash) {
    if (earlier.status === 'REJECTED') return { status: 'REJECTED', transactionId: earlier.id, refusals: JSON.parse(earlier.refusals) as Refusal[], replayed: true };
    return { status: 'RECORDED', transactionId: earlier.id, quantity: movedQuantity(earlier.payload), replayed: true };
  }
  const refusals = [refusal('IDEMPOTENCY_KEY_REUSED', { idempotencyKey: proposal.idempotencyKey, earlierTransactionId: earlier.id })];
  await inTransaction(ctx.pool, async (sql) => {
    const chain = await claimChain(sql);
    const createdAt = ctx.now();
    const entry = encodeEntry(ctx.signer, chain, {
      createdAt,
      kind: proposal.kind,
      transactionId: null,
      payload: { status: 'REFUSED_DUPLICATE', idempotencyKey: proposal.idempotencyKey, input, inputHash, refusals: refusals as unknown as CanonicalValue },
    });
    await record(sql, { id: '', status: 'REFUSED_DUPLICATE', kind: proposal.kind, createdAt: utc(createdAt), log: entry });
  });
  return { status: 'REJECTED', transactionId: null, refusals, replayed: false };
}
