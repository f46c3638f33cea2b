import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { mayAuthorizeFor, readScope } from '../../access/policy';
import { partySeries, serialPartsOf } from '../../ledger/descriptors/party-series';
import { currentSettings, pendingReservations, recentRecords, ruleCatalog, suspensions } from '../../ledger/rules/queries';
import { createTRPCRouter, policyProcedure } from '../trpc';
import { accountNumber, idempotencyKeyOf, MAX_RANGES, plainText, settingsMap, units } from '../input-bounds';
import { propose } from '../propose';

/**
 * Rules administration (docs/rules.md): thin adapters over the ledger, which decides everything and
 * refuses what a caller may not do with a numbered reason. Who may reach each procedure at all is the
 * policy module's (server/access/policy.ts, the `rules.*` policies).
 */
const idempotencyKey = idempotencyKeyOf();
const ruleName = z.string().trim().min(1, 'Choose a rule.').max(64);
const scope = z.discriminatedUnion('type', [
  z.object({ type: z.literal('REGISTRY') }),
  z.object({ type: z.enum(['COOPERATIVE_APPROACH', 'SECTION', 'ACCOUNT']), id: z.string().trim().min(1, 'Enter the id of the approach, section or account.').max(64) }),
]);
const settingValue = z.union([z.string().max(200), z.number().finite(), z.boolean(), z.null()]);
const reason = plainText('a reason', 1, 500, true);
const transactionId = z.string().trim().min(1, 'Enter the transaction id.').max(100);
const accountId = accountNumber();
const serial = units;

export const rulesRouter = createTRPCRouter({
  /** The catalog of rule versions, the current settings, suspensions, corrections and waiting transfers. */
  overview: policyProcedure('rules.read').query(async ({ ctx }) => {
    // Only what the reader's grants cover: a section administrator sees his sections' records (A6R-30).
    const scope = readScope(ctx.actor);
    const [settings, suspended, corrections, reservations, authorizations] = await Promise.all([
      currentSettings(ctx.db, scope),
      suspensions(ctx.db, scope),
      recentRecords(ctx.db, 'CORRECTION', scope),
      pendingReservations(ctx.db, scope),
      recentRecords(ctx.db, 'AUTHORIZATION', scope),
    ]);
    // Authorized serial ranges are shown as human-readable serials (A6R-40): the parts of their series.
    const rangeSeries = authorizations.flatMap((a) => {
      const units = a.body.units as { mode?: string; ranges?: { seriesId: string }[] } | undefined;
      return units?.mode === 'ranges' ? (units.ranges ?? []).map((r) => r.seriesId) : [];
    });
    const serialParts = await serialPartsOf(ctx.ledger().pool, rangeSeries);
    return { catalog: ruleCatalog(), settings, suspensions: suspended, corrections, reservations, authorizations, serialParts, now: ctx.now(), wholeRegistry: scope.kind === 'REGISTRY' };
  }),

  configure: policyProcedure('rules.configure')
    .input(z.object({ idempotencyKey, rule: ruleName, scope, enabled: z.boolean(), settings: settingsMap(settingValue).default({}) }))
    .mutation(({ ctx, input }) => propose(ctx, { kind: 'CONFIGURE_RULE', ...input })),

  suspend: policyProcedure('rules.suspend')
    .input(z.object({ idempotencyKey, rule: ruleName, scope, from: z.coerce.date({ message: 'Enter when the suspension starts.' }), until: z.coerce.date({ message: 'Enter when the suspension ends.' }), reason }))
    .mutation(({ ctx, input }) => propose(ctx, { kind: 'SUSPEND_RULE', ...input })),

  /** Ends a suspension before its window ends (A6R-17); the ledger refuses an unknown or ended one. */
  lift: policyProcedure('rules.lift')
    .input(z.object({ idempotencyKey, suspensionId: z.string().trim().min(1, 'Choose the suspension to lift.').max(200), reason }))
    .mutation(({ ctx, input }) => propose(ctx, { kind: 'LIFT_SUSPENSION', ...input })),

  correct: policyProcedure('rules.correct')
    .input(
      z.discriminatedUnion('action', [
        z.object({ idempotencyKey, action: z.literal('REVERSE'), correctsTransactionId: transactionId, reason }),
        z.object({
          idempotencyKey,
          action: z.enum(['CANCEL_ISSUANCE', 'WITHHOLD']),
          correctsTransactionId: transactionId.nullable(),
          fromAccountId: accountId,
          toAccountId: accountId,
          seriesId: z.string().trim().min(1, 'Enter the series.').max(64),
          firstSerial: serial('The first serial'),
          lastSerial: serial('The last serial'),
          reason,
        }),
      ]),
    )
    .mutation(({ ctx, input }) => {
      if (input.action === 'REVERSE') return propose(ctx, { kind: 'CORRECTIVE_TRANSFER', ...input });
      const { seriesId, firstSerial, lastSerial, ...rest } = input;
      return propose(ctx, { kind: 'CORRECTIVE_TRANSFER', ...rest, selection: { mode: 'explicit', seriesId, firstSerial, lastSerial } });
    }),

  /** The Party's series with units here, to choose serial ranges from when authorizing them (A6R-45). */
  authorizableSeries: policyProcedure('rules.read')
    .input(z.object({ party: z.string().trim().regex(/^[A-Z]{3}$/, 'The Party is an ISO 3166-1 alpha-3 code, e.g. GHA.') }))
    .query(async ({ ctx, input }) => {
      if (!mayAuthorizeFor(ctx.actor, input.party)) throw new TRPCError({ code: 'FORBIDDEN', message: `You do not record authorizations for ${input.party}.` });
      return partySeries(ctx.ledger().pool, input.party);
    }),

  /** Records an authorization (descriptor record, A6R-45); the ledger checks the Party and every field. */
  authorize: policyProcedure('rules.authorize')
    .input(
      z.object({
        idempotencyKey,
        party: z.string().trim().regex(/^[A-Z]{3}$/, 'The Party is an ISO 3166-1 alpha-3 code, e.g. GHA.'),
        uses: z.enum(['NDC', 'OIMP', 'BOTH', 'NONE']),
        units: z.discriminatedUnion('mode', [
          z.object({ mode: z.literal('ranges'), ranges: z.array(z.object({ seriesId: z.string().trim().min(1, 'Enter the series.').max(64), firstSerial: serial('The first serial'), lastSerial: serial('The last serial') })).min(1).max(MAX_RANGES, `An authorization names at most ${MAX_RANGES} serial ranges.`) }),
          z.object({
            mode: z.literal('conditions'),
            conditions: z.object({
              cooperativeApproachId: z.string().trim().min(1).max(32).optional(),
              activityId: z.string().trim().min(1).max(64).optional(),
              unitType: z.string().trim().min(1).max(32).optional(),
              vintageFrom: z.number().int().min(1990).max(2100).optional(),
              vintageTo: z.number().int().min(1990).max(2100).optional(),
            }),
          }),
        ]),
        oimpFirstTransfer: z.enum(['AUTHORIZATION', 'ISSUANCE', 'USE_OR_CANCELLATION']).nullable().default(null),
        applicableFrom: z.coerce.date().nullable().default(null),
        supersedes: z.string().trim().min(1).max(200).nullable().default(null),
      }),
    )
    .mutation(({ ctx, input }) => propose(ctx, { kind: 'RECORD_AUTHORIZATION', ...input })),

  /** Approves or rejects a transfer that waits (or expires it); the ledger judges who may. */
  answer: policyProcedure('rules.answer')
    .input(z.object({ idempotencyKey, reservationTransactionId: transactionId, decision: z.enum(['APPROVE', 'REJECT', 'EXPIRE']), reason: plainText('a reason', 0, 500, true).default('') }))
    .mutation(({ ctx, input }) => propose(ctx, { kind: 'RELEASE_RESERVATION', ...input })),
});
