import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { createTRPCRouter, policyProcedure } from '../trpc';
import { propose } from '../propose';

const accountId = z.string().trim().min(1, 'Enter an account number.').max(64);
const positiveUnits = (what: string) =>
  z.coerce.bigint({ message: `${what} must be a whole number.` }).refine((v) => v > 0n, `${what} must be greater than zero.`);

const selection = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('explicit'), seriesId: z.string().min(1, 'Choose the block to take units from.'), firstSerial: positiveUnits('The first serial'), lastSerial: positiveUnits('The last serial') }).refine((s) => s.firstSerial <= s.lastSerial, { message: 'The first serial must not be after the last serial.', path: ['lastSerial'] }),
  z.object({
    mode: z.literal('implicit'),
    quantity: positiveUnits('The quantity'),
    constraints: z
      .object({
        seriesId: z.string().min(1).optional(),
        unitType: z.string().min(1).optional(),
        cooperativeApproachId: z.string().min(1).optional(),
        hostParty: z.string().regex(/^[A-Z]{3}$/, 'A host Party is an ISO 3166-1 alpha-3 code.').optional(),
        activityId: z.string().min(1).optional(),
        vintage: z.number().int().min(1990).max(2100).optional(),
      })
      .default({}),
  }),
]);

export const transferRouter = createTRPCRouter({
  /**
   * Proposes a transfer. The client sends a fresh idempotency key per confirmed form, so a repeated
   * click or a retried request never moves units twice. A refusal is a normal answer, not an error.
   */
  submit: policyProcedure('transfer.submit')
    .input(z.object({ idempotencyKey: z.string().min(8).max(100).default(() => randomUUID()), fromAccountId: accountId, toAccountId: accountId, selection }))
    .mutation(async ({ ctx, input }) => {
      return propose(ctx, { kind: 'TRANSFER', idempotencyKey: input.idempotencyKey, fromAccountId: input.fromAccountId, toAccountId: input.toAccountId, selection: input.selection });
    }),
});
