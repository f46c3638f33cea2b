import type { Db } from '../db/client';
import { outcomeForReader } from '../access/outcomes';
import type { Actor, LedgerContext, Outcome, Proposal } from '../ledger/types';
import { execute } from '../ledger/write-path';

/**
 * The one way a procedure proposes to the ledger: the write path decides, and the outcome goes back as
 * the proposer may see it (a refusal shows no other Party's account status; server/access/outcomes.ts).
 */
export async function propose(ctx: { readonly db: Db; readonly actor: Actor; ledger(): LedgerContext }, proposal: Proposal): Promise<Outcome> {
  return outcomeForReader(ctx.db, ctx.actor, await execute(ctx.ledger(), ctx.actor, proposal));
}
