import { accountIdSetting, basisPointsSetting, onlyFields } from '../settings';
import { ALLOW, type PluggableRuleVersion } from '../types';

/**
 * Pluggable rule "share-of-proceeds", version 1 (mechanism paper ¶¶ 29–30; decision 3/CMA.3 annex
 * ¶ 67): at issuance, `basisPoints` of the units issued (500 = 5 %) go to `accountId`, usually the
 * Adaptation Fund account, in the same transaction. Rounded down.
 * Published: never edit this file; write v2.ts and register it in catalog.ts.
 */
export const shareOfProceedsV1: PluggableRuleVersion<{ accountId: string; basisPoints: bigint }> = {
  name: 'share-of-proceeds',
  version: 1,
  effectiveFrom: '2026-01-01T00:00:00.000Z',
  retiresAt: null,
  summary: 'At issuance, a share of the units issued goes to another account (the Adaptation Fund).',
  appliesTo: ['ISSUANCE'],
  sectionConfigurable: false,
  parseSettings(input) {
    const unknown = onlyFields(input, ['accountId', 'basisPoints']);
    if (unknown) return { ok: false, problem: unknown };
    const accountId = accountIdSetting(input, 'accountId');
    if (!accountId.ok) return accountId;
    const basisPoints = basisPointsSetting(input, 'basisPoints', 5000);
    if (!basisPoints.ok) return basisPoints;
    return { ok: true, settings: { accountId: accountId.settings, basisPoints: basisPoints.settings } };
  },
  evaluate(context, settings) {
    const share = (context.quantity * settings.basisPoints) / 10_000n;
    return share === 0n ? ALLOW : { refusals: [], diversions: [{ accountId: settings.accountId, quantity: share }] };
  },
};
