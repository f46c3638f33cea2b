import { ALLOW, type PluggableRuleVersion } from '../types';
import { parseTransferFeeSettings, type TransferFeeSettings } from './v1';

/**
 * Pluggable rule "transfer-fee", version 2: as version 1, but the fee is rounded up, so that every
 * transfer under a non-zero rate pays at least one unit (version 1 let small transfers through free).
 * Supersedes version 1 from 2027-01-01; transactions before that keep version 1, in the log and in replay.
 * Published: never edit this file.
 */
export const transferFeeV2: PluggableRuleVersion<TransferFeeSettings> = {
  name: 'transfer-fee',
  version: 2,
  effectiveFrom: '2027-01-01T00:00:00.000Z',
  retiresAt: null,
  summary: 'A share of the units transferred goes to a fee account (rounded up: at least one unit).',
  appliesTo: ['TRANSFER'],
  sectionConfigurable: false,
  parseSettings: parseTransferFeeSettings,
  evaluate(context, settings) {
    const fee = (context.quantity * settings.basisPoints + 9_999n) / 10_000n;
    // Never the whole transfer: the acquiring account receives at least one unit.
    const capped = fee >= context.quantity ? context.quantity - 1n : fee;
    return capped <= 0n ? ALLOW : { refusals: [], diversions: [{ accountId: settings.accountId, quantity: capped }] };
  },
};
