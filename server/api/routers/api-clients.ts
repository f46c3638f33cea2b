import { z } from 'zod';
import { listApiClients, registerApiClient, revokeApiClient, RISK_LEVELS } from '../../access/api-clients';
import { idempotencyKeyOf } from '../input-bounds';
import { orRefuse } from '../refusal';
import { createTRPCRouter, policyProcedure } from '../trpc';

export const apiClientsRouter = createTRPCRouter({
  list: policyProcedure('api-client.list').query(({ ctx }) => listApiClients(ctx.db)),

  register: policyProcedure('api-client.manage')
    .input(
      z.object({
        idempotencyKey: idempotencyKeyOf(),
        name: z.string().trim().min(3, 'Name the external system.').max(200, 'A name has at most 200 characters.'),
        publicKeyPem: z.string().trim().min(40, 'Paste the system\'s Ed25519 public key (PEM).').max(2000, 'A public key in PEM form has at most 2000 characters.'),
        riskLevel: z.enum(RISK_LEVELS, 'Choose the assessed risk level.'),
        riskAssessment: z.string().trim().min(20, 'Record the risk assessment of this connection (at least 20 characters).').max(10_000, 'A risk assessment has at most 10,000 characters.'),
      }),
    )
    .mutation(async ({ ctx, input: { idempotencyKey, ...client } }) => orRefuse(await registerApiClient(ctx.ledger(), ctx.actor, client, idempotencyKey))),

  revoke: policyProcedure('api-client.manage')
    .input(z.object({ idempotencyKey: idempotencyKeyOf(), clientId: z.string().trim().min(1, 'Choose a client.').max(64) }))
    .mutation(async ({ ctx, input }) => orRefuse(await revokeApiClient(ctx.ledger(), ctx.actor, input.clientId, input.idempotencyKey))),
});
