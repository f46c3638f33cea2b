import { canonicalJson, sha256Hex, type CanonicalValue } from './canonical-json';
import { firstGroup, refusal, type Refusal } from './check-codes';
import { claimChain, encodeEntry, type EncodedEntry } from './log';
import { defineReference, openAccount, setAccountStatus } from './operations/account-configuration';
import { externalArrival, externalTransfer } from './operations/external-transfers';
import { issueUnits } from './operations/issue-units';
import { transferUnits } from './operations/transfer-units';
import type { Changes, Plan } from './plan';
import { inTransaction, isUniqueViolation, prepared, utc, type Sql } from './sql';
import type { Actor, LedgerContext, Outcome, Proposal } from './types';

/** The versions of the built-in rules applied; recorded with every transaction (A6R-47). */
export const RULE_VERSIONS = { 'account-type': 1, 'account-status': 1, initiation: 1, 'implicit-splitting': 1, 'account-configuration': 1, 'external-transfer': 1 } as const;

/** Thrown inside the database transaction to roll it back when the proposal is refused. */
class Refused extends Error {
  constructor(
    readonly refusals: readonly Refusal[],
    readonly createdAt: Date,
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
  }
}

/**
 * The one write path (A6R-47): proposal → checks → decision → recorded or rejected. The change, its
 * transaction row and its log entry are written in one database transaction. The same idempotency key
 * with the same input returns the first outcome; with a different input it is refused (1001), and that
 * refusal is logged too.
 */
export async function execute(ctx: LedgerContext, actor: Actor, proposal: Proposal): Promise<Outcome> {
  const input = proposalInput(actor, proposal);
  const inputHash = sha256Hex(input);
  const transactionId = ctx.newId();
  try {
    return await inTransaction(ctx.pool, async (sql) => {
      const decided = await plan(sql, ctx, actor, proposal);
      if ('refusals' in decided) throw new Refused(firstGroup(decided.refusals), decided.createdAt);
      const operations = decided.operations;
      assertBalanced(proposal.kind, decided.changes);
      const entry = encodeEntry(ctx.signer, decided.chain, {
        createdAt: decided.createdAt,
        kind: proposal.kind,
        transactionId,
        payload: { status: 'RECORDED', idempotencyKey: proposal.idempotencyKey, input: JSON.parse(input) as CanonicalValue, inputHash, ruleVersions: RULE_VERSIONS, operations },
      });
      await writeRecorded(sql, { transactionId, proposal, actor, input, inputHash, createdAt: decided.createdAt, changes: decided.changes, entry });
      return { status: 'RECORDED' as const, transactionId, quantity: decided.quantity, replayed: false };
    });
  } catch (error) {
    if (error instanceof Refused) return recordRejection(ctx, actor, proposal, { transactionId, input, inputHash, refusals: error.refusals, createdAt: error.createdAt });
    if (isUniqueViolation(error, 'LedgerTransaction_idempotencyKey_key')) return previousOutcome(ctx, actor, proposal, inputHash);
    throw error;
  }
}

/** The complete input, canonical, including who proposed with which grants: what replay feeds back in. */
function proposalInput(actor: Actor, proposal: Proposal): string {
  return canonicalJson({ actor: { userId: actor.userId, impersonatorId: actor.impersonatorId, grants: actor.grants.map((g) => ({ ...g })) }, proposal: proposal as unknown as CanonicalValue });
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
  readonly input: string;
  readonly inputHash: string;
  readonly createdAt: Date;
  readonly changes: Changes;
  readonly entry: EncodedEntry;
}

/**
 * Writes a recorded transaction in one statement: its row, new series, account changes, closed and
 * created blocks, and its log entry. The number of blocks closed must equal the number the operation
 * read under its locks; anything else aborts the transaction.
 */
async function writeRecorded(sql: Sql, r: Recorded): Promise<void> {
  const c = r.changes;
  const at = utc(r.createdAt);
  const result = await prepared<{ closed: number }>(sql, 
    `WITH tx AS (
       INSERT INTO "LedgerTransaction" (id, "idempotencyKey", kind, status, "initiatorId", "impersonatorId", input, "inputHash", "ruleVersions", refusals, "createdAt")
       VALUES ($1, $2, $3, 'RECORDED', $4, $5, $6, $7, $8, '[]', $9)),
     series AS (
       INSERT INTO "UnitSeries" (id, "unitType", "cooperativeApproachId", "originatingRegistry", "hostParty", "firstTransferringParty", "activityId", vintage, sectors, "activityTypes", metric, pre2021, extra, "createdAt")
       SELECT s.id, s."unitType", s."cooperativeApproachId", s."originatingRegistry", s."hostParty", s."firstTransferringParty", s."activityId", s.vintage,
              ARRAY(SELECT jsonb_array_elements_text(s.sectors)), ARRAY(SELECT jsonb_array_elements_text(s."activityTypes")), s.metric, s.pre2021, '{}', $9
       FROM jsonb_to_recordset($10::jsonb) AS s(id text, "unitType" text, "cooperativeApproachId" text, "originatingRegistry" text, "hostParty" text, "firstTransferringParty" text, "activityId" text, vintage int, sectors jsonb, "activityTypes" jsonb, metric text, pre2021 boolean)
       ON CONFLICT (id) DO NOTHING),
     sections AS (
       INSERT INTO "Section" (id, name, "createdAt")
       SELECT r.id, r.name, $9 FROM jsonb_to_recordset($21::jsonb) AS r(type text, id text, name text) WHERE r.type = 'SECTION'),
     approaches AS (
       INSERT INTO "CooperativeApproach" (id, name, "createdAt")
       SELECT r.id, r.name, $9 FROM jsonb_to_recordset($21::jsonb) AS r(type text, id text, name text) WHERE r.type = 'COOPERATIVE_APPROACH'),
     accounts AS (
       INSERT INTO "Account" (id, registry, name, type, status, "holderName", "sectionId", "cooperativeApproachId", "createdAt")
       SELECT a.id, a.registry::"Registry", a.name, a.type::"AccountType", a.status::"AccountStatus", a."holderName", a."sectionId", a."cooperativeApproachId", $9
       FROM jsonb_to_recordset($11::jsonb) AS a(id text, registry text, name text, type text, status text, "holderName" text, "sectionId" text, "cooperativeApproachId" text)),
     statuses AS (
       UPDATE "Account" acc SET status = s."to"::"AccountStatus"
       FROM jsonb_to_recordset($12::jsonb) AS s("accountId" text, "from" text, "to" text)
       WHERE acc.id = s."accountId" AND acc.status = s."from"::"AccountStatus"
       RETURNING acc.id),
     events AS (
       INSERT INTO "AccountEvent" ("accountId", status, "transactionId", "createdAt")
       SELECT e."accountId", e.status::"AccountStatus", $1, $9 FROM jsonb_to_recordset($13::jsonb) AS e("accountId" text, status text)),
     closed AS (
       UPDATE "UnitBlock" SET "closedByTxId" = $1, "closedAt" = $9
       WHERE id = ANY($14::bigint[]) AND "closedByTxId" IS NULL
       RETURNING id),
     created AS (
       INSERT INTO "UnitBlock" ("seriesId", "firstSerial", "lastSerial", "accountId", "createdByTxId", "createdAt")
       SELECT b."seriesId", b."firstSerial"::bigint, b."lastSerial"::bigint, b."accountId", $1, $9
       FROM jsonb_to_recordset($15::jsonb) AS b("seriesId" text, "firstSerial" text, "lastSerial" text, "accountId" text)),
     log AS (
       INSERT INTO "LogEntry" (chain, "createdAt", kind, "transactionId", payload, "prevHash", hash, signature)
       VALUES ($16, $9, $3, $1, $17, $18, $19, $20))
     SELECT (SELECT count(*) FROM closed)::int AS closed, (SELECT count(*) FROM statuses)::int AS statuses`,
    [
      r.transactionId,
      r.proposal.idempotencyKey,
      r.proposal.kind,
      r.actor.userId,
      r.actor.impersonatorId,
      r.input,
      r.inputHash,
      canonicalJson(RULE_VERSIONS),
      at,
      JSON.stringify(c.series),
      JSON.stringify(c.openAccounts),
      JSON.stringify(c.statusChanges),
      JSON.stringify([...c.openAccounts.map((a) => ({ accountId: a.id, status: a.status })), ...c.statusChanges.map((s) => ({ accountId: s.accountId, status: s.to }))]),
      c.close.map((b) => b.id.toString()),
      JSON.stringify(c.create.map((b) => ({ seriesId: b.seriesId, firstSerial: b.firstSerial.toString(), lastSerial: b.lastSerial.toString(), accountId: b.accountId }))),
      r.entry.chain,
      r.entry.payload,
      r.entry.prevHash,
      r.entry.hash,
      r.entry.signature,
      JSON.stringify(c.references),
    ],
  );
  const row = result.rows[0] as { closed: number; statuses: number };
  // The locks make a mismatch impossible; if it ever happens, nothing of this transaction may commit.
  if (row.closed !== c.close.length) throw new Error(`write path: closed ${row.closed} of ${c.close.length} blocks; a block changed under its account's lock`);
  if (row.statuses !== c.statusChanges.length) throw new Error('write path: an account status changed under its lock');
}

interface Rejection {
  readonly transactionId: string;
  readonly createdAt: Date;
  readonly input: string;
  readonly inputHash: string;
  readonly refusals: readonly Refusal[];
}

/** A refused proposal changes no state but is recorded and logged with its reasons (invariant 7). */
async function recordRejection(ctx: LedgerContext, actor: Actor, proposal: Proposal, rejection: Rejection): Promise<Outcome> {
  const refusalsText = canonicalJson(rejection.refusals as unknown as CanonicalValue);
  try {
    await inTransaction(ctx.pool, async (sql) => {
      const chain = await claimChain(sql);
      const entry = encodeEntry(ctx.signer, chain, {
        createdAt: rejection.createdAt,
        kind: proposal.kind,
        transactionId: rejection.transactionId,
        payload: { status: 'REJECTED', idempotencyKey: proposal.idempotencyKey, input: JSON.parse(rejection.input) as CanonicalValue, inputHash: rejection.inputHash, ruleVersions: RULE_VERSIONS, refusals: JSON.parse(refusalsText) as CanonicalValue },
      });
      await prepared(sql, 
        `WITH tx AS (
           INSERT INTO "LedgerTransaction" (id, "idempotencyKey", kind, status, "initiatorId", "impersonatorId", input, "inputHash", "ruleVersions", refusals, "createdAt")
           VALUES ($1, $2, $3, 'REJECTED', $4, $5, $6, $7, $8, $9, $10))
         INSERT INTO "LogEntry" (chain, "createdAt", kind, "transactionId", payload, "prevHash", hash, signature) VALUES ($11, $10, $3, $1, $12, $13, $14, $15)`,
        [rejection.transactionId, proposal.idempotencyKey, proposal.kind, actor.userId, actor.impersonatorId, rejection.input, rejection.inputHash, canonicalJson(RULE_VERSIONS), refusalsText, utc(rejection.createdAt), entry.chain, entry.payload, entry.prevHash, entry.hash, entry.signature],
      );
    });
  } catch (error) {
    if (isUniqueViolation(error, 'LedgerTransaction_idempotencyKey_key')) return previousOutcome(ctx, actor, proposal, rejection.inputHash);
    throw error;
  }
  return { status: 'REJECTED', transactionId: rejection.transactionId, refusals: rejection.refusals, replayed: false };
}

/**
 * The answer to a repeated idempotency key: the first outcome when the input is the same; otherwise a
 * refusal (1001), logged without a transaction row since the key already names one.
 */
async function previousOutcome(ctx: LedgerContext, actor: Actor, proposal: Proposal, inputHash: string): Promise<Outcome> {
  const found = await ctx.pool.query<{ id: string; status: 'RECORDED' | 'REJECTED'; inputHash: string; refusals: string; quantity: bigint | null }>(
    `SELECT t.id, t.status, t."inputHash", t.refusals,
            (SELECT sum(b."lastSerial" - b."firstSerial" + 1)::bigint FROM "UnitBlock" b
              WHERE b."createdByTxId" = t.id AND NOT EXISTS (SELECT 1 FROM "UnitBlock" c WHERE c."closedByTxId" = t.id AND c."accountId" = b."accountId")) AS quantity
     FROM "LedgerTransaction" t WHERE t."idempotencyKey" = $1`,
    [proposal.idempotencyKey],
  );
  const earlier = found.rows[0];
  if (!earlier) throw new Error(`idempotency key ${proposal.idempotencyKey} conflicted but its transaction is not there`);
  if (earlier.inputHash === inputHash) {
    if (earlier.status === 'REJECTED') return { status: 'REJECTED', transactionId: earlier.id, refusals: JSON.parse(earlier.refusals) as Refusal[], replayed: true };
    return { status: 'RECORDED', transactionId: earlier.id, quantity: earlier.quantity ?? 0n, replayed: true };
  }
  const refusals = [refusal('IDEMPOTENCY_KEY_REUSED', { idempotencyKey: proposal.idempotencyKey, earlierTransactionId: earlier.id })];
  await inTransaction(ctx.pool, async (sql) => {
    const chain = await claimChain(sql);
    const entry = encodeEntry(ctx.signer, chain, {
      createdAt: ctx.now(),
      kind: proposal.kind,
      transactionId: null,
      payload: { status: 'REFUSED_DUPLICATE', idempotencyKey: proposal.idempotencyKey, input: JSON.parse(proposalInput(actor, proposal)) as CanonicalValue, inputHash, refusals: refusals as unknown as CanonicalValue },
    });
    await prepared(sql, `INSERT INTO "LogEntry" (chain, "createdAt", kind, "transactionId", payload, "prevHash", hash, signature) VALUES ($1, $2, $3, NULL, $4, $5, $6, $7)`, [entry.chain, utc(entry.createdAt), proposal.kind, entry.payload, entry.prevHash, entry.hash, entry.signature]);
  });
  return { status: 'REJECTED', transactionId: null, refusals, replayed: false };
}
