import { z } from 'zod';
import { decideProfileChange, CONTACT_KINDS, ownProfile, pendingChangesOf, requestProfileChange } from '../../access/profiles';
import { readUser } from '../../access/users';
import { idempotencyKeyOf, plainText } from '../input-bounds';
import { orRefuse } from '../refusal';
import { createTRPCRouter, policyProcedure } from '../trpc';

const profileInput = z.object({
  idempotencyKey: idempotencyKeyOf(),
  name: plainText('your real name', 2, 200),
  affiliations: z.array(plainText('an affiliation', 1, 200)).max(10, 'At most 10 affiliations.'),
  contacts: z
    .array(z.object({ kind: z.enum(CONTACT_KINDS, 'Choose the kind of contact.'), value: plainText('the contact', 3, 300) }))
    .min(2, 'Give at least two ways to reach you (A6R-10).')
    .max(10, 'At most 10 contact methods.'),
});

export const profileRouter = createTRPCRouter({
  /** One's own profile (or, while impersonating, the impersonated user's), and one's recent requests. */
  get: policyProcedure('self.read').query(({ ctx }) => ownProfile(ctx.db, ctx.actor.userId)),

  requestChange: policyProcedure('self.profile')
    .input(profileInput)
    .mutation(async ({ ctx, input: { idempotencyKey, ...profile } }) => orRefuse(await requestProfileChange(ctx.ledger(), ctx.actor, profile, idempotencyKey))),

  pending: policyProcedure('user.read')
    .input(z.object({ userId: z.string().trim().min(1, 'Choose a user.').max(100) }))
    .query(async ({ ctx, input }) => {
      orRefuse(await readUser(ctx.db, ctx.actor, input.userId));
      return pendingChangesOf(ctx.db, input.userId);
    }),

  decide: policyProcedure('profile.decide')
    .input(z.object({ idempotencyKey: idempotencyKeyOf(), requestId: z.string().trim().min(1, 'Choose a request.').max(100), approve: z.boolean() }))
    .mutation(async ({ ctx, input }) => orRefuse(await decideProfileChange(ctx.ledger(), ctx.actor, input.requestId, input.approve, input.idempotencyKey))),
});
