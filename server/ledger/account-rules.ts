import type { AccountStatus, AccountType } from '../db/generated/enums';
import type { Actor, AccountFacts } from './types';

/**
 * Built-in rules by account type (A6R-37, DOMAIN.md): which types may generate units, send them and
 * receive them. End-use accounts (use, cancellation, administrative cancellation) only receive; only a
 * registry administrator's corrective transfer can take units out of them again.
 */
const GENERATES: ReadonlySet<AccountType> = new Set<AccountType>(['ISSUANCE', 'PENDING']);
const TRANSFERS: ReadonlySet<AccountType> = new Set<AccountType>(['ISSUANCE', 'PENDING', 'HOLDING', 'ADAPTATION_FUND', 'ADMIN_HOLDING', 'PROXY']);
const ACQUIRES: ReadonlySet<AccountType> = new Set<AccountType>(['HOLDING', 'USE', 'CANCELLATION', 'ADMIN_CANCELLATION', 'ADMIN_HOLDING', 'ADAPTATION_FUND', 'PROXY']);
export const END_USE_TYPES: ReadonlySet<AccountType> = new Set<AccountType>(['USE', 'CANCELLATION', 'ADMIN_CANCELLATION']);

export const canGenerate = (type: AccountType): boolean => GENERATES.has(type);
export const canTransferFrom = (type: AccountType): boolean => TRANSFERS.has(type);
export const canAcquire = (type: AccountType): boolean => ACQUIRES.has(type);

export function isRegistryAdmin(actor: Actor): boolean {
  return actor.grants.some((g) => g.role === 'REGISTRY_ADMIN');
}

/**
 * Account status (A6R-41): Active accounts are fully operational; Restricted ones only when a registry
 * administrator initiates; Initial, Suspended, Frozen and Terminated accounts take part in nothing.
 */
export function statusAllows(status: AccountStatus, actor: Actor): boolean {
  if (status === 'ACTIVE') return true;
  if (status === 'RESTRICTED') return isRegistryAdmin(actor);
  return false;
}

/**
 * Initiation by grants (A6R-37): a registry administrator on any account; a section administrator on
 * the accounts of his section; an account holder or representative on his own account. Viewers and
 * system administrators initiate nothing (A6R-50).
 */
export function mayInitiateOn(actor: Actor, account: AccountFacts): boolean {
  return actor.grants.some((g) => {
    if (g.role === 'REGISTRY_ADMIN') return true;
    if (g.role === 'SECTION_ADMIN') return g.sectionId !== null && g.sectionId === account.sectionId;
    if (g.role === 'ACCOUNT_HOLDER') return g.accountId === account.id;
    return false;
  });
}
