import { enqueueJob } from '../../jobs/queue';
import type { Encoded } from '../canonical-json';
import { firstGroup } from '../check-codes';
import { encodeEntry } from '../log';
import { planWithinApproaches } from '../operations/within-approaches';
import type { Changes } from '../plan';
import { applyRules } from '../rules';
import { builtInRulesAt } from '../rules/built-in';
import { inTransaction } from '../sql';
import type { Actor, LedgerContext, Outcome, Proposal } from '../types';
import { dispatch } from './dispatch';
import { writeRecorded } from './record';
import { Refused } from './reject';
import { ruleVersionsJson } from './rule-versions';

/** What the write path knows of a proposal before it is decided. */
export interface Proposed {
  readonly transactionId: string;
  readonly input: Encoded;
  readonly inputHash: string;
}

/**
 * Decides a proposal and records it, in one database transaction: the operation plans it under its
 * locks, the business rules judge the plan, and the change, its transaction row and its log entry are
 * written and committed together. A refusal, by the operation or by the rules, throws `Refused`, which
 * rolls the transaction back.
 */
export function decide(ctx: LedgerContext, actor: Actor, proposal: Proposal, proposed: Proposed): Promise<Outcome> {
  const { transactionId, input, inputHash } = proposed;
  return inTransaction(ctx.pool, async (sql) => {
    const decided = await planWithinApproaches(sql, ctx, actor, proposal, (within) => dispatch(sql, ctx, within, proposal));
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
    // The work that follows from it, as jobs in this same database transaction (an outbox): they exist
    // exactly when the commit below succeeds.
    for (const job of ctx.followUps?.(proposal, { transactionId, createdAt: decided.createdAt, pending: ruled.pending }) ?? []) {
      await enqueueJob(sql, job.task, job.payload, { queue: job.queue, jobKey: job.jobKey, maxAttempts: job.maxAttempts });
    }
    await writeRecorded(sql, { transactionId, proposal, actor, input, inputHash, createdAt: decided.createdAt, changes: ruled.changes, ruleVersions, guard: ruled.guard, entry });
    return { status: 'RECORDED' as const, transactionId, quantity: decided.quantity, replayed: false, ...(ruled.pending ? { pending: true } : {}) };
  });
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
