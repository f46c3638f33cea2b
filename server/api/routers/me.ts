import { z } from 'zod';
import { listOwnPasskeys, removeOwnPasskey } from '../../access/passkeys';
import { idempotencyKeyOf } from '../input-bounds';
import { orRefuse } from '../refusal';
import { createTRPCRouter, policyProcedure } from '../trpc';

export const meRouter = createTRPCRouter({
  /** Who the session is, whom it acts for, the grants that count, and the person's own passkeys. */
  get: policyProcedure('self.read').query(async ({ ctx }) => ({
    userId: ctx.user.userId,
    name: ctx.user.name,
    email: ctx.user.email,
    actingAs: ctx.user.actingAs,
    grants: ctx.actor.grants,
    passkeys: await listOwnPasskeys(ctx.db, ctx.user.userId),
  })),

  removePasskey: policyProcedure('self.passkeys')
    .input(z.object({ idempotencyKey: idempotencyKeyOf(), credentialId: z.string().min(1, 'Choose a passkey.').max(2048) }))
    .mutation(async ({ ctx, input }) => orRefuse(await removeOwnPasskey(ctx.ledger(), ctx.actor, input.credentialId, input.idempotencyKey))),
});
