import { z } from 'zod';
import { startImpersonation, stopImpersonation } from '../../access/impersonation';
import { orRefuse } from '../refusal';
import { createTRPCRouter, policyProcedure } from '../trpc';

export const impersonationRouter = createTRPCRouter({
  start: policyProcedure('impersonation.start')
    .input(z.object({ userId: z.string().trim().min(1, 'Choose a user.').max(100) }))
    .mutation(async ({ ctx, input }) => orRefuse(await startImpersonation(ctx.ledger(), ctx.actor, ctx.user.sessionId, input.userId))),

  stop: policyProcedure('impersonation.stop').mutation(async ({ ctx }) => orRefuse(await stopImpersonation(ctx.ledger(), ctx.actor, ctx.user.sessionId))),
});
