import { remainders, type Take } from '../splitting';
import { operationsOf, NO_CHANGES, type Changes, type Plan } from '../plan';
import type { Sql } from '../sql';
import type { AccountFacts, Actor, LedgerContext, TransferProposal } from '../types';
import { builtInRulesAt } from '../rules/built-in';
import { receiversToLock } from '../rules/engine';
import { acquiringChecks, transferringChecks } from './account-checks';
import { lockAccounts } from './lock-accounts';
import { firstRead, selectionProblems, selectUnits, type BlockRow } from './select-units';

/**
 * The block records a set of takes leaves behind: each taken block is closed; the taken range is
 * created in the acquiring account and the remainders stay, as new records, in the transferring one.
 */
export function moveChanges(takes: readonly Take[], fromAccountId: string, toAccountId: string): Changes {
  return {
    ...NO_CHANGES,
    close: takes.map((t) => ({ ...t.block, accountId: fromAccountId })),
    create: [
      ...takes.map((t) => ({ seriesId: t.block.seriesId, firstSerial: t.firstSerial, lastSerial: t.lastSerial, accountId: toAccountId })),
      ...takes.flatMap((t) => remainders(t).map((r) => ({ seriesId: t.block.seriesId, ...r, accountId: fromAccountId }))),
    ],
  };
}

/** Units go from the mechanism registry to the international registry, one way: they never come back (DOMAIN.md). */
export function returnsToMechanism(from: AccountFacts | undefined, to: AccountFacts): boolean {
  return from?.registry === 'INTERNATIONAL' && to.registry === 'MECHANISM';
}

export const takenQuantity = (takes: readonly Take[]): bigint => takes.reduce((sum, t) => sum + (t.lastSerial - t.firstSerial + 1n), 0n);

/**
 * Internal transfer (A6R-44, A6R-52), by explicit serial range or by quantity under constraints. Also
 * the way into end-use accounts, after which units never move again except by a corrective transfer.
 */
export async function transferUnits(sql: Sql, ctx: LedgerContext, actor: Actor, proposal: TransferProposal): Promise<Plan> {
  const problems = selectionProblems(proposal.selection);
  // Accounts that may receive supplementary units are locked with the others, before the clock is read.
  const receivers = receiversToLock(ctx.pool, [proposal.fromAccountId, proposal.toAccountId]);
  const { accounts, chain, then: first } = await lockAccounts<BlockRow>(sql, [proposal.fromAccountId], [proposal.toAccountId, ...receivers], problems.length === 0 ? firstRead(proposal.fromAccountId, proposal.selection) : undefined);
  const createdAt = ctx.now();
  const rules = builtInRulesAt(ctx, createdAt);
  const refusals = [
    ...transferringChecks(rules, actor, proposal.fromAccountId, accounts.get(proposal.fromAccountId)),
    ...acquiringChecks(rules, actor, proposal.toAccountId, accounts.get(proposal.toAccountId), proposal.fromAccountId, (to) => rules.accountType.canAcquire(to.type) && !returnsToMechanism(accounts.get(proposal.fromAccountId), to)),
  ];
  if (refusals.length > 0) return { createdAt, refusals };
  if (problems.length > 0) return { createdAt, refusals: problems };

  const selected = await selectUnits(sql, proposal.fromAccountId, proposal.selection, first);
  if ('refusals' in selected) return { createdAt, refusals: selected.refusals };
  const changes = moveChanges(selected.takes, proposal.fromAccountId, proposal.toAccountId);
  return { createdAt, chain, quantity: takenQuantity(selected.takes), changes, operations: operationsOf(changes), receivers, locked: accounts };
}
