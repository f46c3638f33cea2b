import { z } from 'zod';
import { listUsers, readUser, createUser, recordIdentityCheck, setUserAccessSuspended, VERIFICATION_METHODS } from '../../access/users';
import { issueEnrollmentLink } from '../../access/enrollment';
import { anonymiseUser } from '../../access/profiles';
import { credentialLog } from '../../access/credential-log';
import { recordRead } from '../../access/access-log';
import { orRefuse } from '../refusal';
import { createTRPCRouter, policyProcedure } from '../trpc';
import { idempotencyKeyOf, pastDate, plainText } from '../input-bounds';

const userId = z.string().trim().min(1, 'Choose a user.').max(100, 'A user id has at most 100 characters.');

export const usersRouter = createTRPCRouter({
  list: policyProcedure('user.list').query(({ ctx }) => listUsers(ctx.db, ctx.actor)),

  credentialLog: policyProcedure('user.credential-log').query(({ ctx }) => credentialLog(ctx.db)),

  get: policyProcedure('user.read')
    .input(z.object({ userId }))
    .query(async ({ ctx, input }) => {
      const { user } = orRefuse(await readUser(ctx.db, ctx.actor, input.userId));
      // Personal data seen: who looked at whose record (A6R-25 (j)).
      await recordRead(ctx.db, ctx.actor, 'user.read', `user:${user.id}`, ctx.now());
      return user;
    }),

  create: policyProcedure('user.create')
    .input(
      z.object({
        idempotencyKey: idempotencyKeyOf(),
        email: z.email('Enter a valid email address.').max(320, 'An email address has at most 320 characters.'),
        name: plainText("the person's real name", 2, 200),
      }),
    )
    .mutation(async ({ ctx, input: { idempotencyKey, ...user } }) => orRefuse(await createUser(ctx.ledger(), ctx.actor, user, idempotencyKey))),

  recordIdentityCheck: policyProcedure('user.verify-identity')
    .input(
      z.object({
        idempotencyKey: idempotencyKeyOf(),
        userId,
        method: z.enum(VERIFICATION_METHODS, 'Choose what was checked.'),
        outcome: z.enum(['VERIFIED', 'REJECTED'], 'Choose the outcome of the check.'),
        checkedAt: pastDate('the date of the check'),
        note: plainText('a note', 0, 2000, true).default(''),
      }),
    )
    .mutation(async ({ ctx, input: { idempotencyKey, ...check } }) => {
      if (check.checkedAt.getTime() > ctx.now().getTime() + 60_000) return orRefuse({ ok: false, code: 'GRANT_SHAPE_INVALID', message: 'The date of the check cannot be in the future.' });
      return orRefuse(await recordIdentityCheck(ctx.ledger(), ctx.actor, check, idempotencyKey));
    }),

  sendEnrollmentLink: policyProcedure('user.enroll')
    .input(z.object({ idempotencyKey: idempotencyKeyOf(), userId }))
    .mutation(async ({ ctx, input }) => orRefuse(await issueEnrollmentLink(ctx.ledger(), ctx.actor, input.userId, ctx.mail(), input.idempotencyKey))),

  anonymise: policyProcedure('user.anonymise')
    .input(z.object({ idempotencyKey: idempotencyKeyOf(), userId }))
    .mutation(async ({ ctx, input }) => orRefuse(await anonymiseUser(ctx.ledger(), ctx.actor, input.userId, input.idempotencyKey))),

  setAccessSuspended: policyProcedure('user.suspend-access')
    .input(z.object({ idempotencyKey: idempotencyKeyOf(), userId, suspended: z.boolean() }))
    .mutation(async ({ ctx, input }) => orRefuse(await setUserAccessSuspended(ctx.ledger(), ctx.actor, input.userId, input.suspended, input.idempotencyKey))),
});
