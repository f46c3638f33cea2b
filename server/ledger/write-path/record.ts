import { canonicalJson, type Encoded } from '../canonical-json';
import type { EncodedEntry } from '../log';
import type { Changes } from '../plan';
import { writeAdministrativeRecords } from '../rules';
import type { RulesGuard } from '../rules/engine';
import { commitPipeline, textArray, utc, type Sql } from '../sql';
import type { Actor, Proposal } from '../types';

// The record step: a transaction's row, its changes and its log entry written and committed in one
// round trip, for a recorded transaction, a rejection and a refused repeat of a key alike.

export interface Recorded {
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
 * Writes a recorded transaction and commits it: its administrative records first, when it has any (one
 * statement), then in one round trip with the COMMIT its row, new reference data, series, accounts and
 * status changes, the blocks it closes and creates, and its log entry (`record`). The number of blocks
 * closed must equal the number the operation read under its locks, or everything aborts.
 */
export async function writeRecorded(sql: Sql, r: Recorded): Promise<void> {
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
 * (the record's JSON parsed, its simple expressions prepared again in every transaction) weighs on the
 * commonest transaction (docs/ledger.md, "Measured", says by how much). The values travel typed: bigint[] of the blocks to close, and
 * parallel arrays of the blocks to create. registry_recorded makes registry_record's checks in the
 * same statement (the rule settings judged by are still current; every block to close was closed; the
 * chain's head moved from the entry's prevHash), so that a failure aborts the transaction before its
 * COMMIT. A record with reference data, series, accounts, status changes or receivers of supplementary
 * units to check goes to registry_record. The transaction row and the blocks are
 * written by CTEs no one reads: PostgreSQL runs every data-modifying CTE, once. registry_recorded as it
 * runs: prisma/functions/registry_recorded.sql.
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
 * statement costs more than running it.
 * Transaction-local, like the write path's other planner setting, and after registry_lock, whose own
 * statements set it as they need.
 */
const PLAN_ONCE = 'SET LOCAL plan_cache_mode = force_generic_plan';

/** What `registry_record` is given; the lists it reads default to empty. */
export interface RecordInput {
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
 * input): it is made for every transaction. registry_record as it runs, both forms:
 * prisma/functions/registry_record.sql.
 */
export async function record(sql: Sql, r: RecordInput): Promise<void> {
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
