import { Prisma } from '../db/generated/client';
import { canonicalJson, sha256Hex, type CanonicalValue } from './canonical-json';
import { firstGroup, refusal, type Refusal } from './check-codes';
import { appendLog } from './log';
import { issueUnits } from './operations/issue-units';
import { transferUnits } from './operations/transfer-units';
import type { Actor, LedgerContext, Outcome, Proposal } from './types';

/** The version of the built-in rule set applied; recorded with every transaction (A6R-47). */
export const RULE_VERSIONS = { 'account-type': 1, 'account-status': 1, initiation: 1, 'implicit-splitting': 1 } as const;

/** What an operation hands back to the write path: refusals, or the units it moved. */
export type OperationResult = { readonly refusals: readonly Refusal[] } | { readonly quantity: bigint; readonly operations: readonly CanonicalValue[] };

/** Thrown inside the database transaction to roll it back when the proposal is refused. */
class Refused extends Error {
  constructor(readonly refusals: readonly Refusal[]) {
    super('proposal refused');
  }
}

/**
 * The one write path (A6R-47): proposal → checks → decision → recorded or rejected, with the change
 * and its log entry in one database transaction. The same idempotency key with the same input returns
 * the first outcome; with a different input it is refused (1001).
 */
export async function execute(ctx: LedgerContext, actor: Actor, proposal: Proposal): Promise<Outcome> {
  const input = proposalInput(actor, proposal);
  const inputHash = sha256Hex(input);

  const earlier = await previousOutcome(ctx, proposal.idempotencyKey, inputHash);
  if (earlier) return earlier;

  const transactionId = ctx.newId();
  const createdAt = ctx.now();
  try {
    return await ctx.db.$transaction(
      async (tx) => {
        await tx.ledgerTransaction.create({
          data: { id: transactionId, idempotencyKey: proposal.idempotencyKey, kind: proposal.kind, status: 'RECORDED', initiatorId: actor.userId, impersonatorId: actor.impersonatorId, input, inputHash, ruleVersions: canonicalJson(RULE_VERSIONS), createdAt },
        });
        const result = proposal.kind === 'ISSUANCE' ? await issueUnits(tx, actor, proposal, transactionId, createdAt) : await transferUnits(tx, actor, proposal, transactionId, createdAt);
        if ('refusals' in result) throw new Refused(firstGroup(result.refusals));
        await appendLog(tx, ctx.signer, {
          createdAt,
          kind: proposal.kind,
          transactionId,
          payload: { status: 'RECORDED', idempotencyKey: proposal.idempotencyKey, input: JSON.parse(input) as CanonicalValue, inputHash, ruleVersions: RULE_VERSIONS, operations: result.operations },
        });
        return { status: 'RECORDED' as const, transactionId, quantity: result.quantity, replayed: false };
      },
      { timeout: 30_000, maxWait: 30_000 },
    );
  } catch (error) {
    if (error instanceof Refused) return recordRejection(ctx, actor, proposal, { transactionId, createdAt, input, inputHash, refusals: error.refusals });
    if (isUniqueViolation(error)) {
      // A concurrent request with the same key won the race: answer as for a repeat.
      const winner = await previousOutcome(ctx, proposal.idempotencyKey, inputHash);
      if (winner) return winner;
    }
    throw error;
  }
}

/** The complete input, canonical, including who proposed: what replay feeds back in. */
function proposalInput(actor: Actor, proposal: Proposal): string {
  return canonicalJson({ actor: { userId: actor.userId, impersonatorId: actor.impersonatorId, grants: actor.grants.map((g) => ({ ...g })) }, proposal: proposal as unknown as CanonicalValue });
}

async function previousOutcome(ctx: LedgerContext, idempotencyKey: string, inputHash: string): Promise<Outcome | null> {
  const earlier = await ctx.db.ledgerTransaction.findUnique({ where: { idempotencyKey }, select: { id: true, status: true, inputHash: true, refusals: true } });
  if (!earlier) return null;
  if (earlier.inputHash !== inputHash) {
    return { status: 'REJECTED', transactionId: null, refusals: [refusal('IDEMPOTENCY_KEY_REUSED', { idempotencyKey, earlierTransactionId: earlier.id })], replayed: false };
  }
  if (earlier.status === 'REJECTED') return { status: 'REJECTED', transactionId: earlier.id, refusals: JSON.parse(earlier.refusals) as Refusal[], replayed: true };
  // Units moved = units created by the transaction outside the account it took them from.
  const moved = await ctx.db.$queryRaw<{ quantity: bigint | null }[]>`
    SELECT sum(b."lastSerial" - b."firstSerial" + 1)::bigint AS quantity FROM "UnitBlock" b
    WHERE b."createdByTxId" = ${earlier.id}
      AND NOT EXISTS (SELECT 1 FROM "UnitBlock" c WHERE c."closedByTxId" = ${earlier.id} AND c."accountId" = b."accountId")`;
  return { status: 'RECORDED', transactionId: earlier.id, quantity: moved[0]?.quantity ?? 0n, replayed: true };
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
    await ctx.db.$transaction(async (tx) => {
      await tx.ledgerTransaction.create({
        data: { id: rejection.transactionId, idempotencyKey: proposal.idempotencyKey, kind: proposal.kind, status: 'REJECTED', initiatorId: actor.userId, impersonatorId: actor.impersonatorId, input: rejection.input, inputHash: rejection.inputHash, ruleVersions: canonicalJson(RULE_VERSIONS), refusals: refusalsText, createdAt: rejection.createdAt },
      });
      await appendLog(tx, ctx.signer, {
        createdAt: rejection.createdAt,
        kind: proposal.kind,
        transactionId: rejection.transactionId,
        payload: { status: 'REJECTED', idempotencyKey: proposal.idempotencyKey, input: JSON.parse(rejection.input) as CanonicalValue, inputHash: rejection.inputHash, ruleVersions: RULE_VERSIONS, refusals: JSON.parse(refusalsText) as CanonicalValue },
      });
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      const winner = await previousOutcome(ctx, proposal.idempotencyKey, rejection.inputHash);
      if (winner) return winner;
    }
    throw error;
  }
  return { status: 'REJECTED', transactionId: rejection.transactionId, refusals: rejection.refusals, replayed: false };
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
}
