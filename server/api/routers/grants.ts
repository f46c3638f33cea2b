import { z } from 'zod';
import { createGrant, revokeGrant, setGrantSuspended } from '../../access/grants';
import { idempotencyKeyOf } from '../input-bounds';
import { orRefuse } from '../refusal';
import { createTRPCRouter, policyProcedure } from '../trpc';

const optionalId = (what: string) =>
  z
    .string()
    .trim()
    .max(64, `${what} has at most 64 characters.`)
    .nullish()
    .transform((v) => (v ? v : null));
const grantId = z.string().trim().min(1, 'Choose a grant.').max(100);

export const grantsRouter = createTRPCRouter({
  create: policyProcedure('grant.create')
    .input(
      z.object({
        idempotencyKey: idempotencyKeyOf(),
        userId: z.string().trim().min(1, 'Choose a user.').max(100),
        role: z.enum(['REGISTRY_ADMIN', 'SECTION_ADMIN', 'ACCOUNT_HOLDER', 'VIEWER', 'EXTERNAL_SYSTEM'], 'Choose a role.'),
        sectionId: optionalId('A section id'),
        accountId: optionalId('An account number'),
        cooperativeApproachIds: z
          .array(z.string().trim().min(1, 'A cooperative approach id is not empty.').max(64, 'A cooperative approach id has at most 64 characters.'), 'List the cooperative approaches.')
          .max(20, 'A grant is limited to at most 20 cooperative approaches.')
          .default([]),
      }),
    )
    .mutation(async ({ ctx, input: { idempotencyKey, ...grant } }) => orRefuse(await createGrant(ctx.ledger(), ctx.actor, grant, idempotencyKey))),

  setSuspended: policyProcedure('grant.suspend')
    .input(z.object({ idempotencyKey: idempotencyKeyOf(), grantId, suspended: z.boolean() }))
    .mutation(async ({ ctx, input }) => orRefuse(await setGrantSuspended(ctx.ledger(), ctx.actor, input.grantId, input.suspended, input.idempotencyKey))),

  revoke: policyProcedure('grant.revoke')
    .input(z.object({ idempotencyKey: idempotencyKeyOf(), grantId }))
    .mutation(async ({ ctx, input }) => orRefuse(await revokeGrant(ctx.ledger(), ctx.actor, input.grantId, input.idempotencyKey))),
});
