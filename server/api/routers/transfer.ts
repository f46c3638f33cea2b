import { z } from 'zod';
import { createTRPCRouter, policyProcedure } from '../trpc';
import { accountNumber, identifier, idempotencyKeyOf, MAX_ID_CHARS, units } from '../input-bounds';
import { propose } from '../propose';

const accountId = accountNumber();
const positiveUnits = units;

const selection = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('explicit'), seriesId: z.string({ message: 'Choose the block to take units from.' }).min(1, 'Choose the block to take units from.').max(MAX_ID_CHARS, `A series has at most ${MAX_ID_CHARS} characters.`), firstSerial: positiveUnits('The first serial'), lastSerial: positiveUnits('The last serial') }).refine((s) => s.firstSerial <= s.lastSerial, { message: 'The first serial must not be after the last serial.', path: ['lastSerial'] }),
  z.object({
    mode: z.literal('implicit'),
    quantity: positiveUnits('The quantity'),
    constraints: z
      .object({
        seriesId: identifier('the series').optional(),
        unitType: identifier('the unit type').optional(),
        cooperativeApproachId: identifier('the cooperative approach').optional(),
        hostParty: z.string().regex(/^[A-Z]{3}$/, 'A host Party is an ISO 3166-1 alpha-3 code.').optional(),
        activityId: identifier('the activity').optional(),
        vintage: z.number({ message: 'A vintage is a year.' }).int('A vintage is a year.').min(1990, 'A vintage is a year from 1990.').max(2100, 'A vintage is a year until 2100.').optional(),
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
    .input(z.object({ idempotencyKey: idempotencyKeyOf(), fromAccountId: accountId, toAccountId: accountId, selection }))
    .mutation(async ({ ctx, input }) => {
      return propose(ctx, { kind: 'TRANSFER', idempotencyKey: input.idempotencyKey, fromAccountId: input.fromAccountId, toAccountId: input.toAccountId, selection: input.selection });
    }),
});
