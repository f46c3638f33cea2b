import { accountIdSetting, basisPointsSetting, onlyFields } from '../settings';
import { ALLOW, type PluggableRuleVersion } from '../types';

/**
 * Pluggable rule "omge-cancellation", version 1 (mechanism paper ¶ 69(a)): at issuance, `basisPoints`
 * of the A6.4ERs issued (at least 200 = 2 %, rounded up so that the share is never below the rate) are
 * cancelled for the overall mitigation in global emissions, into the OMGE cancellation account
 * `accountId`, in the same transaction. (OMGE at first transfer would be a version of its own.)
 * Published: never edit this file; write v2.ts and register it in catalog.ts.
 */
export const omgeCancellationV1: PluggableRuleVersion<{ accountId: string; basisPoints: bigint }> = {
  name: 'omge-cancellation',
  version: 1,
  effectiveFrom: '2026-01-01T00:00:00.000Z',
  retiresAt: null,
  summary: 'At issuance, at least 2 % of the units are cancelled for OMGE (rounded up).',
  appliesTo: ['ISSUANCE'],
  sectionConfigurable: false,
  parseSettings(input) {
    const unknown = onlyFields(input, ['accountId', 'basisPoints']);
    if (unknown) return { ok: false, problem: unknown };
    const accountId = accountIdSetting(input, 'accountId');
    if (!accountId.ok) return accountId;
    const basisPoints = basisPointsSetting(input, 'basisPoints', 5000);
    if (!basisPoints.ok) return basisPoints;
    if (basisPoints.settings < 200n) return { ok: false, problem: 'basisPoints must be at least 200 (2 %)' };
    return { ok: true, settings: { accountId: accountId.settings, basisPoints: basisPoints.settings } };
  },
  evaluate(context, settings) {
    const share = (context.quantity * settings.basisPoints + 9_999n) / 10_000n;
    // Never the whole issuance: at least one unit stays with the issuance account.
    const capped = share >= context.quantity ? context.quantity - 1n : share;
    return capped <= 0n ? ALLOW : { refusals: [], diversions: [{ accountId: settings.accountId, quantity: capped }] };
  },
};
