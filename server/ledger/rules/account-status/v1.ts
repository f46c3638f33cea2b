import type { AccountStatus } from '../../../db/generated/enums';
import type { Actor } from '../../types';
import type { BuiltInRuleVersion } from '../types';

/**
 * Built-in rule "account-status", version 1 (A6R-41): Active accounts are fully operational;
 * Restricted ones only when a registry administrator initiates; Initial, Suspended, Frozen and
 * Terminated accounts take part in nothing.
 * Published: never edit this file; write v2.ts and register it in catalog.ts.
 */
export const accountStatusV1: BuiltInRuleVersion = {
  name: 'account-status',
  version: 1,
  effectiveFrom: '2026-01-01T00:00:00.000Z',
  retiresAt: null,
  summary: 'Only active accounts take part in transactions; restricted ones only when a registry administrator initiates.',
};

export function statusAllowsV1(status: AccountStatus, actor: Actor): boolean {
  if (status === 'ACTIVE') return true;
  if (status === 'RESTRICTED') return actor.grants.some((g) => g.role === 'REGISTRY_ADMIN');
  return false;
}
