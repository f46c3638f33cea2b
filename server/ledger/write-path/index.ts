import { refusal } from '../check-codes';
import { rulesChanged } from '../rules';
import { MAX_ATTEMPTS } from '../sql';
import type { Actor, LedgerContext, Outcome, Proposal } from '../types';
import { decide } from './decide';
import { isKeyConflict, previousOutcome } from './idempotency';
import { MAX_LOGGED_INPUT_CHARS, proposalInput } from './input';
import { recordRejection, Refused } from './reject';

// The write path, one module per step (docs/ledger.md, "The one write path"):
//   input.ts         the proposal's canonical input, as the log records it
//   dispatch.ts      which operation plans which kind of proposal
//   decide.ts        plan and business rules, then the record, in one database transaction
//   record.ts        the commit round trip: transaction row, changes and log entry
//   reject.ts        a refusal, recorded and logged in a transaction of its own
//   idempotency.ts   a repeated key: the first outcome, or a refusal (1001)
//   rule-versions.ts the rule versions every transaction records
export { MAX_LOGGED_INPUT_CHARS } from './input';
export { RULE_VERSIONS } from './rule-versions';

/**
 * The one write path of the unit ledger (A6R-47): proposal → checks → decision → recorded or rejected.
 * Every change to the registry's blocks, accounts, series, reference data and administrative records is
 * made here (replay rebuilds them in a scratch database of its own): the change, its transaction row and
 * its log entry are written in one database transaction. The same idempotency key with the same input
 * returns the first outcome; with a different input it is refused (1001), and that refusal is logged too. Privileged acts outside the unit ledger (users, credentials,
 * grants, impersonation, profiles, compliance runs) do not come here: server/ledger/administrative-act.ts
 * logs each inside the caller's own database transaction, beside the change it records.
 */
export async function execute(ctx: LedgerContext, actor: Actor, proposal: Proposal): Promise<Outcome> {
  const outcome = await settle(ctx, actor, proposal);
  if (ctx.notify && !outcome.replayed) {
    try {
      await ctx.notify(proposal, outcome);
    } catch (error) {
      console.error(`ledger: notification for ${outcome.transactionId ?? proposal.idempotencyKey} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return outcome;
}

/** One attempt at a proposal, and what follows from how it ended. */
async function settle(ctx: LedgerContext, actor: Actor, proposal: Proposal, attempt = 1): Promise<Outcome> {
  const { input, inputHash, oversized } = proposalInput(actor, proposal);
  const transactionId = ctx.newId();
  try {
    // An input too large to log is refused before anything reads it; its log entry holds a summary.
    if (oversized !== null) throw new Refused([refusal('INPUT_TOO_LARGE', { characters: oversized, limit: MAX_LOGGED_INPUT_CHARS })], ctx.now());
    return await decide(ctx, actor, proposal, { transactionId, input, inputHash });
  } catch (error) {
    if (error instanceof Refused) return recordRejection(ctx, actor, proposal, { transactionId, input, inputHash, refusals: error.refusals, createdAt: error.createdAt, ruleVersions: error.ruleVersions, verdicts: error.verdicts });
    if (isKeyConflict(error)) return previousOutcome(ctx, actor, proposal, input, inputHash);
    // The rule settings the transaction was judged by changed before it committed: judge it again.
    if (rulesChanged(ctx.pool, error) && attempt < MAX_ATTEMPTS) return settle(ctx, actor, proposal, attempt + 1);
    throw error;
  }
}
