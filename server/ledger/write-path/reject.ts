import { encoded, type CanonicalValue, type Encoded } from '../canonical-json';
import type { Refusal } from '../check-codes';
import { claimChain, encodeEntry } from '../log';
import { builtInRulesAt } from '../rules/built-in';
import { inTransaction, utc } from '../sql';
import type { Actor, LedgerContext, Outcome, Proposal } from '../types';
import { isKeyConflict, previousOutcome } from './idempotency';
import { record } from './record';
import { ruleVersionsJson } from './rule-versions';

/** Thrown inside the database transaction to roll it back when the proposal is refused. */
export class Refused extends Error {
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

export interface Rejection {
  readonly transactionId: string;
  readonly createdAt: Date;
  readonly input: Encoded;
  readonly inputHash: string;
  readonly refusals: readonly Refusal[];
  readonly ruleVersions: Readonly<Record<string, number>>;
  readonly verdicts: CanonicalValue | null;
}

/**
 * A refused proposal changes no state but is recorded and logged with its reasons (invariant 7), in a
 * database transaction of its own: the one that decided was rolled back.
 */
export async function recordRejection(ctx: LedgerContext, actor: Actor, proposal: Proposal, rejection: Rejection): Promise<Outcome> {
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
    if (isKeyConflict(error)) return previousOutcome(ctx, actor, proposal, rejection.input, rejection.inputHash);
    throw error;
  }
  return { status: 'REJECTED', transactionId: rejection.transactionId, refusals: rejection.refusals, replayed: false };
}
