import type { AccountFacts, Actor } from '../../types';
import type { BuiltInRuleVersion } from '../types';

/**
 * Built-in rule "initiation", version 1 (A6R-37 (c)): initiation by the grants of the initiator, or of
 * the impersonated user (whose grants are the ones in `actor`, never the impersonator's). A registry
 * administrator on any account; a section administrator on the accounts of his section; an account
 * holder or representative on his own account. Viewers and system administrators initiate nothing.
 * Published: never edit this file; write v2.ts and register it in catalog.ts.
 */
export const initiationV1: BuiltInRuleVersion = {
  name: 'initiation',
  version: 1,
  effectiveFrom: '2026-01-01T00:00:00.000Z',
  retiresAt: null,
  summary: "Transactions are initiated only under the initiator's grants (or the impersonated user's).",
};

export function mayInitiateOnV1(actor: Actor, account: AccountFacts): boolean {
  return actor.grants.some((g) => {
    if (g.role === 'REGISTRY_ADMIN') return true;
    if (g.role === 'SECTION_ADMIN') return g.sectionId !== null && g.sectionId === account.sectionId;
    if (g.role === 'ACCOUNT_HOLDER') return g.accountId === account.id;
    return false;
  });
}
