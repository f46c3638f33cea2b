import { coveredBy, outside, type SerialRange, type UnitRange } from '../../descriptors/coverage';
import type { RuleContext, BuiltInRuleVersion } from '../types';

/**
 * Built-in rule "first-transfer", version 1 (A6R-45): where the event that constitutes the first
 * transfer of authorized units happens, a first-transfer marker is created for them, in the same
 * transaction. For NDC use, the first international transfer: to another registry, or between the
 * sections of two Parties. For OIMP, as the authorizing Party specified: at issuance, or when the
 * units enter a use or cancellation account (a first transfer at authorization is marked by the
 * authorization itself). Units marked for that use already are not marked again.
 * Published: never edit this file; write v2.ts and register it in catalog.ts.
 */
export const firstTransferV1: BuiltInRuleVersion = {
  name: 'first-transfer',
  version: 1,
  effectiveFrom: '2026-01-01T00:00:00.000Z',
  retiresAt: null,
  summary: 'First-transfer markers are created where the first transfer of authorized units happens.',
};

export type MarkerEvent = 'INTERNATIONAL_TRANSFER' | 'ISSUANCE' | 'USE_OR_CANCELLATION';

export interface MarkerCandidate {
  readonly use: 'NDC' | 'OIMP';
  readonly event: MarkerEvent;
  readonly authorization: string;
  readonly units: readonly UnitRange[];
}

/** The units of the transaction each authorization makes a first transfer here, before existing markers. */
export function firstTransferCandidatesV1(context: RuleContext): MarkerCandidate[] {
  const out: MarkerCandidate[] = [];
  const international = context.kind === 'EXTERNAL_TRANSFER' || (context.kind === 'TRANSFER' && context.from !== null && context.from.sectionId !== null && context.to.sectionId !== null && context.from.sectionId !== context.to.sectionId);
  const endUse = context.kind === 'TRANSFER' && (context.to.type === 'USE' || context.to.type === 'CANCELLATION');
  for (const a of context.authorizations) {
    if (international && (a.uses === 'NDC' || a.uses === 'BOTH')) out.push({ use: 'NDC', event: 'INTERNATIONAL_TRANSFER', authorization: a.id, units: coveredBy(context.units, a) });
    if (a.uses === 'OIMP' || a.uses === 'BOTH') {
      if (context.kind === 'ISSUANCE' && a.oimpFirstTransfer === 'ISSUANCE') out.push({ use: 'OIMP', event: 'ISSUANCE', authorization: a.id, units: coveredBy(context.units, a) });
      if (endUse && a.oimpFirstTransfer === 'USE_OR_CANCELLATION') out.push({ use: 'OIMP', event: 'USE_OR_CANCELLATION', authorization: a.id, units: coveredBy(context.units, a) });
    }
  }
  return out.filter((c) => c.units.length > 0);
}

/** The markers to create: per use, the candidate units not yet marked for it (earlier markers or earlier candidates). */
export function newMarkersV1(candidates: readonly MarkerCandidate[], existing: ReadonlyMap<'NDC' | 'OIMP', readonly SerialRange[]>): MarkerCandidate[] {
  const marked = new Map<'NDC' | 'OIMP', SerialRange[]>([
    ['NDC', [...(existing.get('NDC') ?? [])]],
    ['OIMP', [...(existing.get('OIMP') ?? [])]],
  ]);
  const out: MarkerCandidate[] = [];
  for (const c of candidates) {
    const already = marked.get(c.use) as SerialRange[];
    const fresh = outside(c.units, already);
    if (fresh.length === 0) continue;
    already.push(...fresh);
    out.push({ ...c, units: fresh });
  }
  return out;
}
