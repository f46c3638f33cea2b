import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { readScope } from '../../access/policy';
import { OPEN_FINDINGS_SHOWN, openFindings, recentRuns, runReport } from '../../ledger/compliance/queries';
import { recordComplianceRun } from '../../ledger/compliance/record-run';
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

  /** Runs every configured compliance check now on the whole registry; logged as an administrative act. */
  run: policyProcedure('compliance.run').mutation(async ({ ctx }) => {
    const run = await recordComplianceRun(ctx.ledger(), { trigger: 'ON_DEMAND', actor: ctx.actor });
    if (!run) throw new Error('an on-demand compliance run was not recorded');
    return { runId: run.runId, at: run.at, findings: run.findings, opened: run.opened, resolved: run.resolved, rules: run.report.results.length };
  }),
});
