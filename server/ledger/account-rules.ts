import type { AccountStatus, AccountType } from '../db/generated/enums';
import { accountStatusV1, statusAllowsV1 } from './rules/account-status/v1';
import { accountTypeV1, canAcquireV1, canGenerateV1, canTransferFromV1 } from './rules/account-type/v1';
import { firstTransferV1 } from './rules/first-transfer/v1';
import { initiationV1, mayInitiateOnV1 } from './rules/initiation/v1';
import type { Actor, AccountFacts } from './types';

/**
 * The built-in rules (A6R-37, DOMAIN.md) as the operations call them: each predicate is that of the
 * version in force, which `BUILT_IN_RULES` names and every transaction records. The logic lives in the
 * versioned modules under `rules/`; a new version is bound here on the date it supersedes the old.
 */
export const BUILT_IN_RULES = [accountTypeV1, accountStatusV1, initiationV1, firstTransferV1] as const;

export const END_USE_TYPES: ReadonlySet<AccountType> = new Set<AccountType>(['USE', 'CANCELLATION', 'ADMIN_CANCELLATION']);

export const canGenerate = canGenerateV1;
export const canTransferFrom = canTransferFromV1;
/** The proxy account receives only units leaving for another registry, never an internal transfer (A6R-54). */
export const canAcquire = canAcquireV1;

export function isRegistryAdmin(actor: Actor): boolean {
  return actor.grants.some((g) => g.role === 'REGISTRY_ADMIN');
}

export const statusAllows = statusAllowsV1;
export const mayInitiateOn = mayInitiateOnV1;

/**
 * Who may set which account status (A6R-41): Restricted and Frozen, and lifting them, are for registry
 * administrators only; section administrators activate, suspend, reactivate and terminate the accounts
 * of their section. Terminated is final.
 */
export function mayChangeStatus(actor: Actor, account: AccountFacts, to: AccountStatus): boolean {
  if (account.status === 'TERMINATED' || to === 'INITIAL' || to === account.status) return false;
  if (isRegistryAdmin(actor)) return true;
  const sectionAdmin = actor.grants.some((g) => g.role === 'SECTION_ADMIN' && g.sectionId !== null && g.sectionId === account.sectionId);
  if (!sectionAdmin) return false;
  if (to === 'RESTRICTED' || to === 'FROZEN') return false;
  return account.status !== 'RESTRICTED' && account.status !== 'FROZEN';
}

/** Section administrators open the Party's issuance, holding, use and cancellation accounts in their section. */
const SECTION_ACCOUNT_TYPES: ReadonlySet<AccountType> = new Set<AccountType>(['ISSUANCE', 'HOLDING', 'USE', 'CANCELLATION']);

/** Opening accounts (A6R-41): service accounts outside any section are for registry administrators. */
export function mayOpenAccount(actor: Actor, sectionId: string | null, type: AccountType): boolean {
  if (isRegistryAdmin(actor)) return true;
  if (sectionId === null || !SECTION_ACCOUNT_TYPES.has(type)) return false;
  return actor.grants.some((g) => g.role === 'SECTION_ADMIN' && g.sectionId === sectionId);
}
