import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { ACCESS_REFUSALS } from '../../access/acts';
import { readScope } from '../../access/policy';
import { OPEN_FINDINGS_SHOWN, openFindings, recentRuns, runReport } from '../../ledger/compliance/queries';
import { runOnDemand } from '../../ledger/compliance/record-run';
import { idempotencyKeyOf } from '../input-bounds';
import { createTRPCRouter, policyProcedure } from '../trpc';

/**
 * The compliance report (A6R-19, docs/rules.md): open findings, past runs and each run's report, and
 * the on-demand run. Who sees which findings is the reader's scope (`readScope`).
 */
export const complianceRouter = createTRPCRouter({
  /** Open findings and the latest runs. */
  overview: policyProcedure('compliance.read').query(async ({ ctx }) => {
    const scope = readScope(ctx.actor);
    const pool = ctx.ledger().pool;
    const [open, runs] = await Promise.all([openFindings(pool, scope), recentRuns(pool, scope)]);
    return { open, openShownAtMost: OPEN_FINDINGS_SHOWN, runs, wholeRegistry: scope.kind === 'REGISTRY' };
  }),

  /** One run's report: what it saw, what was new then, what it resolved. */
  report: policyProcedure('compliance.read')
    .input(z.object({ runId: z.string().trim().min(1, 'Choose a run.').max(200) }))
    .query(async ({ ctx, input }) => {
      const report = await runReport(ctx.ledger().pool, input.runId, readScope(ctx.actor));
      if (!report) throw new TRPCError({ code: 'NOT_FOUND', message: 'There is no such compliance run.' });
      return report;
    }),

  /**
   * Runs every configured compliance check now on the whole registry; logged as an administrative act.
   * Retried under its idempotency key, it answers the run it recorded and runs nothing again.
   */
  run: policyProcedure('compliance.run')
    .input(z.object({ idempotencyKey: idempotencyKeyOf() }))
    .mutation(async ({ ctx, input }) => {
      const answer = await runOnDemand(ctx.ledger(), ctx.actor, input.idempotencyKey);
      if (answer.status === 'KEY_REUSED') throw new TRPCError({ code: 'CONFLICT', message: ACCESS_REFUSALS.IDEMPOTENCY_KEY_REUSED.message });
      return { ...answer.run, replayed: answer.replayed };
    }),
});
