import type { AccountStatus, AccountType } from '../db/generated/enums';
import { administersSection, isRegistryAdmin } from './authority';
import type { Actor, AccountFacts } from './types';

/**
 * Who may do what with accounts, in the terms of authority.ts. The built-in business rules (account type, account status, initiation,
 * first transfer) are versioned modules under `rules/`, taken at the version in force at each
 * transaction's time from `rules/built-in.ts`.
 */

export const END_USE_TYPES: ReadonlySet<AccountType> = new Set<AccountType>(['USE', 'CANCELLATION', 'ADMIN_CANCELLATION']);

/**
 * Who may set which account status (A6R-41): Restricted and Frozen, and lifting them, are for registry
 * administrators only; section administrators activate, suspend, reactivate and terminate the accounts
 * of their section. Terminated is final.
 */
export function mayChangeStatus(actor: Actor, account: AccountFacts, to: AccountStatus): boolean {
  if (account.status === 'TERMINATED' || to === 'INITIAL' || to === account.status) return false;
  if (isRegistryAdmin(actor)) return true;
  if (!administersSection(actor, account.sectionId)) return false;
  if (to === 'RESTRICTED' || to === 'FROZEN') return false;
  return account.status !== 'RESTRICTED' && account.status !== 'FROZEN';
}

/** Section administrators open the Party's issuance, holding, use and cancellation accounts in their section. */
const SECTION_ACCOUNT_TYPES: ReadonlySet<AccountType> = new Set<AccountType>(['ISSUANCE', 'HOLDING', 'USE', 'CANCELLATION']);

/** Opening accounts (A6R-41): service accounts outside any section are for registry administrators. */
export function mayOpenAccount(actor: Actor, sectionId: string | null, type: AccountType): boolean {
  if (isRegistryAdmin(actor)) return true;
  if (sectionId === null || !SECTION_ACCOUNT_TYPES.has(type)) return false;
  return administersSection(actor, sectionId);
}
