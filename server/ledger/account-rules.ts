import type { AccountStatus, AccountType } from '../db/generated/enums';
import type { Actor, AccountFacts } from './types';

/**
 * Built-in rules by account type (A6R-37, DOMAIN.md): which types may generate units, send them and
 * receive them. End-use accounts (use, cancellation, administrative cancellation) only receive; only a
 * registry administrator's corrective transfer can take units out of them again.
 */
const GENERATES: ReadonlySet<AccountType> = new Set<AccountType>(['ISSUANCE', 'PENDING']);
// The proxy account is left out: units leave it only when they arrive back (A6R-54), never by an internal transfer.
const TRANSFERS: ReadonlySet<AccountType> = new Set<AccountType>(['ISSUANCE', 'PENDING', 'HOLDING', 'ADAPTATION_FUND', 'ADMIN_HOLDING']);
const ACQUIRES: ReadonlySet<AccountType> = new Set<AccountType>(['HOLDING', 'USE', 'CANCELLATION', 'ADMIN_CANCELLATION', 'ADMIN_HOLDING', 'ADAPTATION_FUND']);
export const END_USE_TYPES: ReadonlySet<AccountType> = new Set<AccountType>(['USE', 'CANCELLATION', 'ADMIN_CANCELLATION']);

export const canGenerate = (type: AccountType): boolean => GENERATES.has(type);
export const canTransferFrom = (type: AccountType): boolean => TRANSFERS.has(type);
/** The proxy account receives only units leaving for another registry, never an internal transfer (A6R-54). */
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
