import { accountIdSetting, basisPointsSetting, onlyFields } from '../settings';
import { ALLOW, type PluggableRuleVersion } from '../types';

export interface TransferFeeSettings {
  readonly accountId: string;
  readonly basisPoints: bigint;
}

/** Shared by the versions of the rule: the settings did not change between them. */
export function parseTransferFeeSettings(input: Parameters<PluggableRuleVersion['parseSettings']>[0]) {
  const unknown = onlyFields(input, ['accountId', 'basisPoints']);
  if (unknown) return { ok: false as const, problem: unknown };
  const accountId = accountIdSetting(input, 'accountId');
  if (!accountId.ok) return accountId;
  const basisPoints = basisPointsSetting(input, 'basisPoints', 5000);
  if (!basisPoints.ok) return basisPoints;
  return { ok: true as const, settings: { accountId: accountId.settings, basisPoints: basisPoints.settings } };
}

/**
 * Pluggable rule "transfer-fee", version 1: a fee of `basisPoints` of the units transferred goes to
 * the fee account `accountId`, in the same transaction, out of the units transferred: the acquiring
 * account receives the rest. The fee is rounded down, so a small transfer may pay none.
 * Superseded by version 2 from 2027-01-01 (rounded up), and retired then.
 * Published: never edit this file.
 */
export const transferFeeV1: PluggableRuleVersion<TransferFeeSettings> = {
  name: 'transfer-fee',
  version: 1,
  effectiveFrom: '2026-01-01T00:00:00.000Z',
  retiresAt: '2027-01-01T00:00:00.000Z',
  summary: 'A share of the units transferred goes to a fee account (rounded down).',
  appliesTo: ['TRANSFER'],
  sectionConfigurable: false,
  parseSettings: parseTransferFeeSettings,
  evaluate(context, settings) {
    const fee = (context.quantity * settings.basisPoints) / 10_000n;
    return fee === 0n ? ALLOW : { refusals: [], diversions: [{ accountId: settings.accountId, quantity: fee }] };
  },
};
