import { refusal } from '../../check-codes';
import { unauthorized } from '../../descriptors/coverage';
import { onlyFields } from '../settings';
import { ALLOW, type PluggableRuleVersion } from '../types';

/**
 * Pluggable rule "use-authorized-units", version 1 (A6R-38 (a), A6R-45): only units authorized for
 * NDC use, by an authorization in force, may enter a use (retirement) account. No settings.
 * Published: never edit this file; write v2.ts and register it in catalog.ts.
 */
export const useAuthorizedUnitsV1: PluggableRuleVersion<Record<string, never>> = {
  name: 'use-authorized-units',
  version: 1,
  effectiveFrom: '2026-01-01T00:00:00.000Z',
  retiresAt: null,
  summary: 'Only units authorized for NDC use may enter a use account.',
  appliesTo: ['TRANSFER'],
  sectionConfigurable: true,
  parseSettings(input) {
    const unknown = onlyFields(input, []);
    return unknown ? { ok: false, problem: unknown } : { ok: true, settings: {} };
  },
  evaluate(context) {
    if (context.to.type !== 'USE') return ALLOW;
    const missing = unauthorized(context.units, context.authorizations, 'NDC');
    return {
      refusals: missing.map((u) => refusal('UNITS_NOT_AUTHORIZED_FOR_USE', { rule: 'use-authorized-units', version: 1, seriesId: u.seriesId, firstSerial: u.firstSerial.toString(), lastSerial: u.lastSerial.toString() })),
      diversions: [],
    };
  },
};
