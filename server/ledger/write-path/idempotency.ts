import type { CanonicalValue, Encoded } from '../canonical-json';
import { refusal, type Refusal } from '../check-codes';
import { claimChain, encodeEntry } from '../log';
import { inTransaction, isUniqueViolation, utc } from '../sql';
import type { Actor, LedgerContext, Outcome, Proposal } from '../types';
import { record } from './record';

/** Keys are unique per initiator (the user proposed for), so one user's key never reaches another's transaction. */
const IDEMPOTENCY_CONSTRAINT = 'LedgerTransaction_initiatorId_idempotencyKey_key';

/** Whether a write failed because the initiator's idempotency key already names a transaction. */
export function isKeyConflict(error: unknown): boolean {
  return isUniqueViolation(error, IDEMPOTENCY_CONSTRAINT);
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

/**
 * The answer to a repeated idempotency key of the same initiator: the first outcome when the input is
 * the same; otherwise a refusal (1001), logged without a transaction row since the key already names
 * one. Another initiator's use of the same key is no repeat: it never conflicts, and is never looked up.
 */
export async function previousOutcome(ctx: LedgerContext, actor: Actor, proposal: Proposal, input: Encoded, inputHash: string): Promise<Outcome> {
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
