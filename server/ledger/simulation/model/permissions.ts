import type { AccountStatus, AccountType } from '../../../db/generated/enums';
import type { AccountDefinition, Actor } from '../../types';
import type { ModelAccount } from './types';

/** Who may do what, and what units may do in each account type, as the model reads DOMAIN.md. */

/**
 * Account types and what units may do in them (A6R-41, DOMAIN.md "Ledger objects", mechanism paper):
 * issuance and pending accounts generate; end-use accounts (use, cancellation, administrative
 * cancellation) only receive; the proxy account changes only through external transfers and
 * arrivals (A6R-54), never through an internal transfer; higher-tier amounts are never transacted
 * directly (A6R-53).
 */
export const TYPE_RULES: Record<AccountType, { readonly generates: boolean; readonly sends: boolean; readonly receives: boolean }> = {
  ISSUANCE: { generates: true, sends: true, receives: false },
  PENDING: { generates: true, sends: true, receives: false },
  HOLDING: { generates: false, sends: true, receives: true },
  USE: { generates: false, sends: false, receives: true },
  CANCELLATION: { generates: false, sends: false, receives: true },
  ADMIN_CANCELLATION: { generates: false, sends: false, receives: true },
  ADMIN_HOLDING: { generates: false, sends: true, receives: true },
  ADAPTATION_FUND: { generates: false, sends: true, receives: true },
  PROXY: { generates: false, sends: false, receives: false },
  HIGHER_TIER: { generates: false, sends: false, receives: false },
};

export const modelTypeRules = (type: AccountType) => TYPE_RULES[type];

const hasRole = (actor: Actor, role: string) => actor.grants.some((g) => g.role === role);
export const isRegistryAdmin = (actor: Actor) => hasRole(actor, 'REGISTRY_ADMIN');
export const isSectionAdminOf = (actor: Actor, sectionId: string | null) => sectionId !== null && actor.grants.some((g) => g.role === 'SECTION_ADMIN' && g.sectionId === sectionId);

/** A6R-41: Active works for everyone, Restricted only when a registry administrator initiates, the rest for nobody. */
export function operational(account: ModelAccount, actor: Actor): boolean {
  if (account.status === 'ACTIVE') return true;
  return account.status === 'RESTRICTED' && isRegistryAdmin(actor);
}

/** Grants flow down (A6R-14): registry admin anywhere, section admin in his section, holder on his account. */
export function modelMayInitiate(actor: Actor, account: ModelAccount): boolean {
  if (isRegistryAdmin(actor) || isSectionAdminOf(actor, account.sectionId)) return true;
  return actor.grants.some((g) => g.role === 'ACCOUNT_HOLDER' && g.accountId === account.id);
}

/**
 * A6R-41 as a table. Nobody sets Initial, repeats the current status or leaves Terminated. A registry
 * administrator sets anything else. A section administrator, on an account of his section, moves
 * between Initial/Active/Suspended and to Terminated, but neither sets nor lifts Restricted or Frozen.
 */
export function mayChangeStatus(actor: Actor, account: ModelAccount, to: AccountStatus): boolean {
  if (to === 'INITIAL' || to === account.status || account.status === 'TERMINATED') return false;
  if (isRegistryAdmin(actor)) return true;
  if (!isSectionAdminOf(actor, account.sectionId)) return false;
  const sectionAdminSets: readonly AccountStatus[] = ['ACTIVE', 'SUSPENDED', 'TERMINATED'];
  const sectionAdminLeaves: readonly AccountStatus[] = ['INITIAL', 'ACTIVE', 'SUSPENDED'];
  return sectionAdminSets.includes(to) && sectionAdminLeaves.includes(account.status);
}

/** Section admins open the Party's issuance, holding, use and cancellation accounts; the rest is the registry admin's. */
export function mayOpen(actor: Actor, definition: AccountDefinition): boolean {
  if (isRegistryAdmin(actor)) return true;
  const partyTypes: readonly AccountType[] = ['ISSUANCE', 'HOLDING', 'USE', 'CANCELLATION'];
  return partyTypes.includes(definition.type) && isSectionAdminOf(actor, definition.sectionId);
}
