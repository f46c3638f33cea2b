import type { ConfigureRuleProposal } from '../types';

/**
 * The default rule set: every pluggable rule, configured for the whole registry, as a registry would
 * run them. The accounts that receive fees and the share of proceeds are the registry's own. Used by
 * the benchmark (its rules phase) and as the worked starting point in docs/rules.md.
 */
export function defaultRuleSet(accounts: { readonly feeAccountId: string; readonly adaptationFundAccountId: string; readonly omgeAccountId: string }): Omit<ConfigureRuleProposal, 'idempotencyKey'>[] {
  return [
    { kind: 'CONFIGURE_RULE', rule: 'transfer-limit', scope: { type: 'REGISTRY' }, enabled: true, settings: { maximum: '1000000000000' } },
    { kind: 'CONFIGURE_RULE', rule: 'transfer-fee', scope: { type: 'REGISTRY' }, enabled: true, settings: { accountId: accounts.feeAccountId, basisPoints: 100 } },
    { kind: 'CONFIGURE_RULE', rule: 'share-of-proceeds', scope: { type: 'REGISTRY' }, enabled: true, settings: { accountId: accounts.adaptationFundAccountId, basisPoints: 500 } },
    { kind: 'CONFIGURE_RULE', rule: 'omge-cancellation', scope: { type: 'REGISTRY' }, enabled: true, settings: { accountId: accounts.omgeAccountId, basisPoints: 200 } },
  ];
}
