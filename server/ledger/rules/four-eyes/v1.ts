import { accountIdSetting, onlyFields, quantitySetting } from '../settings';
import { ALLOW, type PluggableRuleVersion } from '../types';

/**
 * Pluggable rule "four-eyes", version 1 (A6R-47), as trusted registries run it: a transfer of more
 * than `threshold` units waits for a second authorized person. Its units are reserved in the escrow
 * account `escrowAccountId` (an administrative holding account), out of reach of any other
 * transaction, until the approval (they go on to the acquiring account), a rejection, or
 * `expiresAfterHours` without an answer (they go back).
 * Published: never edit this file; write v2.ts and register it in catalog.ts.
 */
export const fourEyesV1: PluggableRuleVersion<{ threshold: bigint; escrowAccountId: string; expiresAfterHours: number }> = {
  name: 'four-eyes',
  version: 1,
  effectiveFrom: '2026-01-01T00:00:00.000Z',
  retiresAt: null,
  summary: 'Transfers above a set quantity wait for the approval of a second authorized person.',
  appliesTo: ['TRANSFER'],
  sectionConfigurable: true,
  parseSettings(input) {
    const unknown = onlyFields(input, ['threshold', 'escrowAccountId', 'expiresAfterHours']);
    if (unknown) return { ok: false, problem: unknown };
    const threshold = quantitySetting(input, 'threshold');
    if (!threshold.ok) return threshold;
    const escrow = accountIdSetting(input, 'escrowAccountId');
    if (!escrow.ok) return escrow;
    const hours = input.expiresAfterHours;
    if (typeof hours !== 'number' || !Number.isInteger(hours) || hours < 1 || hours > 720) return { ok: false, problem: 'expiresAfterHours must be a whole number of hours from 1 to 720' };
    return { ok: true, settings: { threshold: threshold.settings, escrowAccountId: escrow.settings, expiresAfterHours: hours } };
  },
  evaluate(context, settings) {
    if (context.quantity <= settings.threshold) return ALLOW;
    return { refusals: [], diversions: [], hold: { escrowAccountId: settings.escrowAccountId, expiresAt: new Date(Date.parse(context.at) + settings.expiresAfterHours * 3_600_000).toISOString() } };
  },
};
