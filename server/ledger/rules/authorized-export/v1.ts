import { refusal } from '../../check-codes';
import { unauthorized } from '../../descriptors/coverage';
import { onlyFields } from '../settings';
import { type PluggableRuleVersion } from '../types';

/**
 * Pluggable rule "authorized-export", version 1 (A6R-45, A6R-54): only units authorized (for NDC use,
 * OIMP or both) by an authorization in force may leave for another registry of the cooperative approach.
 * Published: never edit this file; write v2.ts and register it in catalog.ts.
 */
export const authorizedExportV1: PluggableRuleVersion<Record<string, never>> = {
  name: 'authorized-export',
  version: 1,
  effectiveFrom: '2026-01-01T00:00:00.000Z',
  retiresAt: null,
  summary: 'Only authorized units may leave for another registry.',
  appliesTo: ['EXTERNAL_TRANSFER'],
  sectionConfigurable: false,
  parseSettings(input) {
    const unknown = onlyFields(input, []);
    return unknown ? { ok: false, problem: unknown } : { ok: true, settings: {} };
  },
  evaluate(context) {
    const missing = unauthorized(context.units, context.authorizations, 'ANY');
    return {
      refusals: missing.map((u) => refusal('UNITS_NOT_AUTHORIZED_FOR_EXPORT', { rule: 'authorized-export', version: 1, seriesId: u.seriesId, firstSerial: u.firstSerial.toString(), lastSerial: u.lastSerial.toString() })),
      diversions: [],
    };
  },
};
