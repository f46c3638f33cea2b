import type { Role } from '../db/generated/enums';
import { grantCovers, isLimited, type ConcernedApproach } from './approach-scope';
import type { Actor, ActorGrant } from './types';

/**
 * Who may act on what, and whose data a read returns: the one module that answers it from an actor's
 * grants (A6R-12). The ledger's rules, the policy layer (server/access/policy.ts) and every read ask
 * here; nothing else spells out `grants.some(g => g.role === …)`.
 *
 * The actor is the person acting or, while a registry administrator impersonates, the impersonated
 * user with that user's grants only (A6R-43). Where an act concerns cooperative approaches, the write
 * path hands the rules an actor already narrowed to the grants that cover them (`actorWithin` in
 * approach-scope.ts), so "administers the section" below means a grant that counts for this act.
 *
 * Published rule versions (rules/<name>/vN.ts) are frozen by digest and keep their own text of who
 * may initiate: a version judges tomorrow as it judged the day it was published. Everything else that
 * asks "may this actor initiate on this account" asks the initiation rule in force, through
 * `builtInRulesAt(…).initiation`, so the answer stays one.
 */

/** Whether the actor (or a user whose grants are looked at) holds an active grant of this role, wherever it applies. */
export function holdsRole(holder: Pick<Actor, 'grants'>, role: Role): boolean {
  return holder.grants.some((g) => g.role === role);
}

/** Registry administrators act on the whole registry (A6R-56). */
export function isRegistryAdmin(actor: Actor): boolean {
  return holdsRole(actor, 'REGISTRY_ADMIN');
}

/** System administrators administer users and credentials, and reach no business function (A6R-50). */
export function isSystemAdmin(actor: Actor): boolean {
  return holdsRole(actor, 'SYSTEM_ADMIN');
}

/**
 * Whether the actor administers this Party section. With `approach`, only a grant that counts for an
 * act concerning that cooperative approach (A6R-46); without, any grant on the section (the caller has
 * narrowed the actor to the act's approaches already, or the act concerns none).
 */
export function administersSection(actor: Actor, sectionId: string | null, approach?: ConcernedApproach): boolean {
  return sectionGrants(actor, sectionId, approach).length > 0;
}

/** The actor's section-administrator grants on this section (counting for `approach` when given). */
export function sectionGrants(actor: Actor, sectionId: string | null, approach?: ConcernedApproach): ActorGrant[] {
  if (sectionId === null) return [];
  return actor.grants.filter((g) => g.role === 'SECTION_ADMIN' && g.sectionId === sectionId && (approach === undefined || grantCovers(g, [approach])));
}

/** The sections the actor administers, each once, sorted. */
export function administeredSections(actor: Actor): string[] {
  return [...new Set(actor.grants.filter((g) => g.role === 'SECTION_ADMIN' && g.sectionId !== null).map((g) => g.sectionId as string))].sort();
}

/** A registry administrator, or an administrator of the section (within `approach` when given). */
export function administersSectionOrRegistry(actor: Actor, sectionId: string | null, approach?: ConcernedApproach): boolean {
  return isRegistryAdmin(actor) || administersSection(actor, sectionId, approach);
}

/** Whether the actor holds or represents this account (ACCOUNT_HOLDER), within `approach` when given. */
export function holdsAccount(actor: Actor, accountId: string, approach?: ConcernedApproach): boolean {
  return actor.grants.some((g) => g.role === 'ACCOUNT_HOLDER' && g.accountId === accountId && (approach === undefined || grantCovers(g, [approach])));
}

/** Who records authorizations and re-issues markers for a Party (A6R-45): registry administrators, and the Party's section administrators. */
export function mayAuthorizeFor(actor: Actor, party: string): boolean {
  return administersSectionOrRegistry(actor, party);
}

/**
 * An external system reads an account its grants cover, within any approach limit (A6R-8): an
 * EXTERNAL_SYSTEM grant on the account or on its section, or an ACCOUNT_HOLDER grant on the account.
 * It is the system's read scope, as for every reader.
 */
export function externalMayRead(actor: Actor, account: ScopedAccount): boolean {
  return scopeCovers(readScope(actor), account);
}

/** An external system proposes transfers from an account it represents (ACCOUNT_HOLDER), within any approach limit. */
export function externalMayPropose(actor: Actor, account: Pick<ScopedAccount, 'id' | 'cooperativeApproachId'>): boolean {
  return holdsAccount(actor, account.id, account.cooperativeApproachId);
}

// ---------------------------------------------------------------------------------------------------
// Read scope

declare const readScopeMark: unique symbol;

/**
 * Whose data a read may return, decided here from the reader's grants (`readScope`) and nowhere else.
 * Every read of records that belong to a Party or an account takes one as a required argument; the
 * type carries a mark only this module sets, so a read cannot be handed a scope made up on the spot.
 *
 * - `REGISTRY`: everything (registry administrators, and the registry's own processes).
 * - `LIMITED`: the sections the reader administers without limit (with their accounts), the accounts
 *   the reader holds or views, and, for grants limited to cooperative approaches (A6R-46), the accounts
 *   of those approaches in the granted section or the granted account itself (`limited`). Records of a
 *   whole Party (rule settings of a section, authorizations) are shown only for unlimited section
 *   grants: reads of Party records err on the side of showing less.
 */
export type ReadScope = ({ readonly kind: 'REGISTRY' } | { readonly kind: 'LIMITED'; readonly sectionIds: readonly string[]; readonly accountIds: readonly string[]; readonly limited: readonly LimitedReach[] }) & {
  readonly [readScopeMark]: true;
};

/** What a grant limited to cooperative approaches shows: accounts of those approaches in its section, or its account. */
export interface LimitedReach {
  readonly sectionId: string | null;
  readonly accountId: string | null;
  readonly approachIds: readonly string[];
}

const marked = <T extends object>(scope: T): T & { readonly [readScopeMark]: true } => Object.freeze(scope) as T & { readonly [readScopeMark]: true };

/** The whole registry: for registry administrators, and for the registry's own processes (scheduler, compliance runs, verification). */
export const WHOLE_REGISTRY: ReadScope = marked({ kind: 'REGISTRY' as const });

/**
 * The grants that show business data: a section administrator's section, an account holder's or
 * viewer's account, an external system's account or section (A6R-8; a system holds no other grant
 * that reads). System administrators read none.
 */
const READS_SECTION = (g: ActorGrant) => (g.role === 'SECTION_ADMIN' || g.role === 'EXTERNAL_SYSTEM') && g.sectionId !== null;
const READS_ACCOUNT = (g: ActorGrant) => (g.role === 'ACCOUNT_HOLDER' || g.role === 'VIEWER' || g.role === 'EXTERNAL_SYSTEM') && g.accountId !== null;

/**
 * Whose data this actor reads (house rule 11): registry administrators the whole registry; everyone
 * else the sections they administer (their accounts included) and the accounts they hold or view;
 * an external system what its grants name.
 */
export function readScope(actor: Actor): ReadScope {
  if (isRegistryAdmin(actor)) return WHOLE_REGISTRY;
  const sectionIds = new Set<string>();
  const accountIds = new Set<string>();
  const limited: LimitedReach[] = [];
  for (const g of actor.grants) {
    const section = READS_SECTION(g);
    const account = READS_ACCOUNT(g);
    if (!section && !account) continue;
    if (isLimited(g)) {
      limited.push({ sectionId: section ? g.sectionId : null, accountId: account ? g.accountId : null, approachIds: [...(g.cooperativeApproachIds ?? [])].sort() });
    } else if (section) sectionIds.add(g.sectionId as string);
    else accountIds.add(g.accountId as string);
  }
  limited.sort((a, b) => `${a.sectionId}/${a.accountId}/${a.approachIds.join(',')}`.localeCompare(`${b.sectionId}/${b.accountId}/${b.approachIds.join(',')}`));
  return marked({ kind: 'LIMITED' as const, sectionIds: [...sectionIds].sort(), accountIds: [...accountIds].sort(), limited });
}

/** An account as a read scope judges it: its number, its section and its cooperative approach. */
export interface ScopedAccount {
  readonly id: string;
  readonly sectionId: string | null;
  readonly cooperativeApproachId: string | null;
}

/** Whether the scope covers an account: the registry's, one of its sections, the account itself, or one reached by a limited grant. */
export function scopeCovers(scope: ReadScope, account: ScopedAccount): boolean {
  if (scope.kind === 'REGISTRY') return true;
  if (scope.accountIds.includes(account.id)) return true;
  if (account.sectionId !== null && scope.sectionIds.includes(account.sectionId)) return true;
  const approach = account.cooperativeApproachId;
  if (approach === null) return false;
  return scope.limited.some((r) => r.approachIds.includes(approach) && (r.accountId === account.id || (r.sectionId !== null && r.sectionId === account.sectionId)));
}

/** Whether the scope shows every record of this Party section (rule settings, authorizations): unlimited section grants only. */
export function scopeCoversSection(scope: ReadScope, sectionId: string | null): boolean {
  return scope.kind === 'REGISTRY' || (sectionId !== null && scope.sectionIds.includes(sectionId));
}
