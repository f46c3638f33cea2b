import { refusal } from '../../check-codes';
import { onlyFields, quantitySetting } from '../settings';
import { ALLOW, type PluggableRuleVersion } from '../types';

/**
 * Pluggable rule "transfer-limit", version 1: refuses a transfer (internal or to another registry) of
 * more than `maximum` units in one transaction. Section administrators may set it for their section.
 * Published: never edit this file; write v2.ts and register it in catalog.ts.
 */
export const transferLimitV1: PluggableRuleVersion<{ maximum: bigint }> = {
  name: 'transfer-limit',
  version: 1,
  effectiveFrom: '2026-01-01T00:00:00.000Z',
  retiresAt: null,
  summary: 'Refuses transfers of more than a set number of units in one transaction.',
  appliesTo: ['TRANSFER', 'EXTERNAL_TRANSFER'],
  sectionConfigurable: true,
  parseSettings(input) {
    const unknown = onlyFields(input, ['maximum']);
    if (unknown) return { ok: false, problem: unknown };
    const maximum = quantitySetting(input, 'maximum');
    return maximum.ok ? { ok: true, settings: { maximum: maximum.settings } } : maximum;
  },
  evaluate(context, settings) {
    if (context.quantity <= settings.maximum) return ALLOW;
    return { refusals: [refusal('TRANSFER_LIMIT_EXCEEDED', { rule: 'transfer-limit', version: 1, quantity: context.quantity.toString(), maximum: settings.maximum.toString() })], diversions: [] };
  },
};
