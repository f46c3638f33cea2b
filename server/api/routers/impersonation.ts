import { z } from 'zod';
import { startImpersonation, stopImpersonation } from '../../access/impersonation';
import { idempotencyKeyOf } from '../input-bounds';
import { orRefuse } from '../refusal';
import { createTRPCRouter, policyProcedure } from '../trpc';

export const impersonationRouter = createTRPCRouter({
  start: policyProcedure('impersonation.start')
    .input(z.object({ idempotencyKey: idempotencyKeyOf(), userId: z.string().trim().min(1, 'Choose a user.').max(100) }))
    .mutation(async ({ ctx, input }) => orRefuse(await startImpersonation(ctx.ledger(), ctx.actor, ctx.user.sessionId, input.userId, input.idempotencyKey))),

  stop: policyProcedure('impersonation.stop')
    .input(z.object({ idempotencyKey: idempotencyKeyOf() }))
    .mutation(async ({ ctx, input }) => orRefuse(await stopImpersonation(ctx.ledger(), ctx.actor, ctx.user.sessionId, input.idempotencyKey))),
});
