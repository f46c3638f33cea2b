import type { Role } from '../db/generated/enums';
import type { Actor, ActorGrant } from './types';

/**
 * Grants limited to cooperative approaches (A6R-12, A6R-46: "from the user authorization point of
 * view, a cooperative approach is a subset of accounts in which units may appear"). A grant with a
 * non-empty `cooperativeApproachIds` counts only for an act whose every concerned approach is one of
 * them: the account acted on belongs to one of them, and so do the units moved or issued. An account
 * or a unit series of no approach is outside every limited grant. A grant without the limit counts as
 * it always did.
 *
 * Pure: the policy module, the read side and the write path all decide with these functions.
 */

/** An approach an act concerns, or null for an account or series that belongs to no approach. */
export type ConcernedApproach = string | null;

/** A grant row as the database holds it, as the ledger sees it: the limit only when there is one. */
export function actorGrant(row: { readonly role: Role; readonly sectionId: string | null; readonly accountId: string | null; readonly cooperativeApproachIds?: readonly string[] | null }): ActorGrant {
  const approaches = row.cooperativeApproachIds ?? [];
  const grant: ActorGrant = { role: row.role, sectionId: row.sectionId, accountId: row.accountId };
  return approaches.length === 0 ? grant : { ...grant, cooperativeApproachIds: [...approaches].sort() };
}

export function isLimited(grant: ActorGrant): boolean {
  return grant.cooperativeApproachIds !== undefined && grant.cooperativeApproachIds.length > 0;
}

export function hasLimitedGrant(actor: Actor): boolean {
  return actor.grants.some(isLimited);
}

/** Whether the grant counts for an act concerning all of these approaches. */
export function grantCovers(grant: ActorGrant, approaches: readonly ConcernedApproach[]): boolean {
  if (!isLimited(grant)) return true;
  const limit = grant.cooperativeApproachIds as readonly string[];
  return approaches.every((approach) => approach !== null && limit.includes(approach));
}

/**
 * The actor as an act concerning these approaches sees him: the limited grants that do not cover them
 * are left out. Returns the same object when nothing is left out, so callers can tell.
 */
export function actorWithin(actor: Actor, approaches: readonly ConcernedApproach[]): Actor {
  const grants = actor.grants.filter((g) => grantCovers(g, approaches));
  if (grants.length === actor.grants.length) return actor;
  // Only limited grants are ever left out: an unlimited grant covers every act.
  if (!actor.grants.every((g) => grants.includes(g) || isLimited(g))) throw new Error('actorWithin left out an unlimited grant');
  return { ...actor, grants };
}

/** The approaches of the grants left out by `actorWithin`, for the refusal's judged data. */
export function limitsLeftOut(actor: Actor, approaches: readonly ConcernedApproach[]): string[] {
  const out = new Set<string>();
  for (const g of actor.grants) if (!grantCovers(g, approaches)) for (const a of g.cooperativeApproachIds ?? []) out.add(a);
  return [...out].sort();
}

/**
 * Whether `inner` is limited at least as narrowly as `outer`: what an administrator limited to some
 * approaches may grant (never more than he holds himself).
 */
export function withinLimit(outer: readonly string[], inner: readonly string[]): boolean {
  if (outer.length === 0) return true;
  return inner.length > 0 && inner.every((a) => outer.includes(a));
}
