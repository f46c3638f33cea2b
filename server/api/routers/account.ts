import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { mayChangeStatus } from '../../ledger/account-rules';
import { builtInRulesAt } from '../../ledger/rules/built-in';
import { accountBlocks, accountHistory, findVisibleAccount, holdingsByVintage, listAccounts, lookupAccount } from '../../ledger/queries';
import { recordRead, recordReads } from '../../access/access-log';
import { readScope } from '../../access/policy';
import { createTRPCRouter, policyProcedure } from '../trpc';
import { accountNumber, idempotencyKeyOf, plainText } from '../input-bounds';
import { propose } from '../propose';

const accountId = accountNumber();
/** The statuses an account may be set to: every status but the one it is opened in. */
const STATUSES = ['ACTIVE', 'SUSPENDED', 'RESTRICTED', 'FROZEN', 'TERMINATED'] as const;

export const accountRouter = createTRPCRouter({
  /** The caller's accounts with balances, and their holdings by vintage for the chart. */
  list: policyProcedure('account.list').query(async ({ ctx }) => {
    const scope = readScope(ctx.actor);
    const accounts = await listAccounts(ctx.db, scope);
    await recordReads(ctx.db, ctx.actor, 'account.list', accounts.map((a) => a.id), ctx.now());
    const byVintage = await holdingsByVintage(ctx.db, scope, accounts.map((a) => a.id));
    return { accounts, byVintage };
  }),

  /** One account the caller may see: its blocks with human-readable serials and its history. */
  get: policyProcedure('account.read').input(z.object({ id: accountId })).query(async ({ ctx, input }) => {
    const scope = readScope(ctx.actor);
    const account = await findVisibleAccount(ctx.db, scope, input.id);
    if (!account) throw new TRPCError({ code: 'NOT_FOUND', message: `Account ${input.id} does not exist or is not yours to see.` });
    // Who saw which account, when, acting for whom (A6R-25 (j)): written before the data leaves.
    await recordRead(ctx.db, ctx.actor, 'account.read', account.id, ctx.now());
    const [blocks, history] = await Promise.all([accountBlocks(ctx.db, scope, account.id), accountHistory(ctx.db, scope, account.id)]);
    const balance = blocks.reduce((sum, b) => sum + b.quantity, 0n);
    // The statuses the caller's grants allow this account to be set to (A6R-41), for the form; the
    // ledger judges the change itself when it is proposed.
    const statusChoices = STATUSES.filter((to) => mayChangeStatus(ctx.actor, account, to));
    // Whether the caller may transfer from it, asked of the rule the ledger judges initiation by: a
    // viewer is offered no transfer that would then be refused.
    const mayTransfer = builtInRulesAt(ctx.ledger(), ctx.now()).initiation.mayInitiateOn(ctx.actor, account);
    return { account, balance, blocks, history, statusChoices, mayTransfer };
  }),

  /** Changes an account's status (A6R-41) as a ledger transaction, with the reason in the log. */
  setStatus: policyProcedure('account.set-status')
    .input(
      z.object({
        idempotencyKey: idempotencyKeyOf(),
        accountId,
        status: z.enum(STATUSES, { message: 'Choose one of the account statuses.' }),
        reason: plainText('the reason for the change', 1, 500, true),
      }),
    )
    .mutation(({ ctx, input }) => propose(ctx, { kind: 'SET_ACCOUNT_STATUS', ...input })),

  /**
   * What a transfer form shows about an acquiring account before confirmation: its number, name,
   * holder and type, which registries publish for every account; its status only within the reader's
   * scope; nothing about its holdings.
   */
  lookup: policyProcedure('account.lookup').input(z.object({ id: accountId })).query(async ({ ctx, input }) => {
    const account = await lookupAccount(ctx.db, readScope(ctx.actor), input.id);
    if (!account) throw new TRPCError({ code: 'NOT_FOUND', message: `There is no account ${input.id}.` });
    return account;
  }),
});
