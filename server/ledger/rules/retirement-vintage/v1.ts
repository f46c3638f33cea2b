import { refusal } from '../../check-codes';
import { onlyFields } from '../settings';
import { ALLOW, type Parsed, type PluggableRuleVersion, type RuleSettingsInput } from '../types';

function year(input: RuleSettingsInput, field: string): Parsed<number> {
  const value = input[field];
  return typeof value === 'number' && Number.isInteger(value) && value >= 1990 && value <= 2100 ? { ok: true, settings: value } : { ok: false, problem: `${field} must be a year from 1990 to 2100` };
}

/**
 * Pluggable rule "retirement-vintage", version 1 (mechanism paper ¶ 37): units entering a use
 * (retirement) account must be of a vintage within the NDC period the account serves, from
 * `firstVintage` to `lastVintage`. Configured per retirement account, by its Party's section administrators too.
 * Published: never edit this file; write v2.ts and register it in catalog.ts.
 */
export const retirementVintageV1: PluggableRuleVersion<{ firstVintage: number; lastVintage: number }> = {
  name: 'retirement-vintage',
  version: 1,
  effectiveFrom: '2026-01-01T00:00:00.000Z',
  retiresAt: null,
  summary: 'Units entering a use account must be of a vintage within its NDC period.',
  appliesTo: ['TRANSFER'],
  sectionConfigurable: true,
  parseSettings(input) {
    const unknown = onlyFields(input, ['firstVintage', 'lastVintage']);
    if (unknown) return { ok: false, problem: unknown };
    const first = year(input, 'firstVintage');
    if (!first.ok) return first;
    const last = year(input, 'lastVintage');
    if (!last.ok) return last;
    if (last.settings < first.settings) return { ok: false, problem: 'lastVintage must not be before firstVintage' };
    return { ok: true, settings: { firstVintage: first.settings, lastVintage: last.settings } };
  },
  evaluate(context, settings) {
    if (context.to.type !== 'USE') return ALLOW;
    const outside = context.units.filter((u) => u.series.vintage < settings.firstVintage || u.series.vintage > settings.lastVintage);
    return {
      refusals: outside.map((u) => refusal('VINTAGE_OUTSIDE_NDC_PERIOD', { rule: 'retirement-vintage', version: 1, seriesId: u.seriesId, vintage: u.series.vintage, firstVintage: settings.firstVintage, lastVintage: settings.lastVintage })),
      diversions: [],
    };
  },
};
