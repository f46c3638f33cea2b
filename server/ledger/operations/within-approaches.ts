import { actorWithin, hasLimitedGrant, limitsLeftOut, type ConcernedApproach } from '../approach-scope';
import { refusal, type CheckName } from '../check-codes';
import type { Plan } from '../plan';
import { reservationOf } from '../reservations/release-reservation';
import { builtInRulesAt, type BuiltInRuleBook } from '../rules/built-in';
import { prepared, type Sql } from '../sql';
import type { AccountFacts, Actor, Proposal } from '../types';

/**
 * Grants limited to cooperative approaches (server/ledger/approach-scope.ts), as the write path applies
 * them. The operation is planned for the actor as the act sees him: without the limited grants that do
 * not cover the approach of the account acted on. Every check of the operation (initiation, status
 * changes, opening accounts, configuration, authorizations) then judges exactly as for anyone else,
 * so the built-in rules themselves are unchanged. Once the units are chosen, those of an approach the
 * remaining grants do not cover are refused (4050).
 *
 * The recorded input keeps the actor's complete grants, limits included: replay and the pluggable rules
 * see what was proposed. An actor without a limited grant costs nothing here.
 */
export async function planWithinApproaches(sql: Sql, ctx: { readonly builtInRules?: BuiltInRuleBook }, actor: Actor, proposal: Proposal, plan: (actor: Actor) => Promise<Plan>): Promise<Plan> {
  if (!hasLimitedGrant(actor)) return plan(actor);
  const concerned = await concernedAccount(sql, proposal);
  const within = actorWithin(actor, concerned.approaches);
  // Narrowing leaves out grants, never the person: who acts, and for whom, is what the log records.
  if (within.userId !== actor.userId || within.impersonatorId !== actor.impersonatorId || within.grants.length > actor.grants.length) throw new Error('actorWithin changed who acts');
  const planned = await plan(within);
  if ('refusals' in planned) {
    const leftOut = within !== actor && planned.refusals.some((r) => PERMISSION_CHECKS.has(r.check));
    if (!leftOut) return planned;
    const judged = { userId: actor.userId, concerned: concerned.approaches.map((a) => a ?? 'none').join(','), limitedTo: limitsLeftOut(actor, concerned.approaches).join(',') };
    return { ...planned, refusals: [...planned.refusals, refusal('GRANT_OUTSIDE_COOPERATIVE_APPROACH', judged)] };
  }
  if (concerned.account === null) return planned;
  const units = await unitApproaches(sql, proposal, planned);
  const outside = units.filter((a) => !concerned.approaches.includes(a));
  if (outside.length === 0) return planned;
  // The account's approach is covered; are the units' approaches too, by a grant that may initiate here?
  // The initiation rule in force at the act's time decides, as it did for the act itself.
  if (builtInRulesAt(ctx, planned.createdAt).initiation.mayInitiateOn(actorWithin(within, [...concerned.approaches, ...units]), concerned.account)) return planned;
  return {
    createdAt: planned.createdAt,
    refusals: [refusal('UNITS_OUTSIDE_GRANT_APPROACH', { userId: actor.userId, accountId: concerned.account.id, approaches: outside.map((a) => a ?? 'none').join(',') })],
  };
}

/** The checks whose refusal a left-out limited grant explains. */
const PERMISSION_CHECKS: ReadonlySet<CheckName> = new Set<CheckName>([
  'INITIATOR_NOT_ALLOWED_ON_TRANSFERRING_ACCOUNT',
  'NOT_ALLOWED_TO_OPEN_ACCOUNT',
  'STATUS_CHANGE_NOT_ALLOWED',
  'NOT_ALLOWED_TO_CONFIGURE',
  'NOT_ALLOWED_TO_CORRECT',
  'NOT_ALLOWED_TO_AUTHORIZE',
]);

interface Concerned {
  /** The approaches the act concerns before any unit is chosen. */
  readonly approaches: readonly ConcernedApproach[];
  /** The account units leave or are issued into, when the act moves or issues units. */
  readonly account: AccountFacts | null;
}

/** Read before the operation's locks: an account's section and approach never change once it is open. */
async function accountOf(sql: Sql, accountId: string): Promise<(AccountFacts & { readonly cooperativeApproachId: string | null }) | null> {
  const found = await prepared<AccountFacts & { cooperativeApproachId: string | null }>(sql, `SELECT id, registry, type, status, "sectionId", "cooperativeApproachId" FROM "Account" WHERE id = $1`, [accountId]);
  return found.rows[0] ?? null;
}

async function seriesApproaches(sql: Sql, seriesIds: readonly string[]): Promise<ConcernedApproach[]> {
  if (seriesIds.length === 0) return [];
  const found = await prepared<{ approach: string | null }>(sql, `SELECT DISTINCT "cooperativeApproachId" AS approach FROM "UnitSeries" WHERE id = ANY($1::text[])`, [[...new Set(seriesIds)]]);
  return found.rows.map((r) => r.approach);
}

/**
 * What each kind of act concerns. An act the list does not name concerns no approach (null), so a
 * limited grant never counts for it: a new kind of act is outside every limit until it is listed here.
 */
async function concernedAccount(sql: Sql, p: Proposal): Promise<Concerned> {
  const unitsFrom = async (accountId: string): Promise<Concerned> => {
    const account = await accountOf(sql, accountId);
    // An unknown account: the operation refuses it (2001); no grant of any limit is left out for it.
    return account ? { approaches: [account.cooperativeApproachId], account } : { approaches: [], account: null };
  };
  switch (p.kind) {
    case 'TRANSFER':
    case 'EXTERNAL_TRANSFER':
      return unitsFrom(p.fromAccountId);
    case 'ISSUANCE':
      return unitsFrom(p.accountId);
    case 'RELEASE_RESERVATION': {
      // An answer to a waiting transfer concerns the transferring account, whose people answer it, and
      // the units held (below); a reservation's accounts never change once it is made.
      const reservation = await reservationOf(sql, p.reservationTransactionId);
      // No such reservation: the operation refuses it (2024); no grant of any limit is left out for it.
      return reservation ? unitsFrom(reservation.fromAccountId) : { approaches: [], account: null };
    }
    case 'SET_ACCOUNT_STATUS': {
      const account = await accountOf(sql, p.accountId);
      return { approaches: account ? [account.cooperativeApproachId] : [], account: null };
    }
    case 'OPEN_ACCOUNT':
      return { approaches: [p.account.cooperativeApproachId], account: null };
    case 'CONFIGURE_RULE': {
      if (p.scope.type === 'COOPERATIVE_APPROACH') return { approaches: [p.scope.id], account: null };
      if (p.scope.type !== 'ACCOUNT') return { approaches: [null], account: null };
      const account = await accountOf(sql, p.scope.id);
      return { approaches: account ? [account.cooperativeApproachId] : [], account: null };
    }
    case 'RECORD_AUTHORIZATION':
      if (p.units.mode === 'conditions') return { approaches: [p.units.conditions.cooperativeApproachId ?? null], account: null };
      return { approaches: await seriesApproaches(sql, p.units.ranges.map((r) => r.seriesId)), account: null };
    case 'REISSUE_MARKER':
      return { approaches: await seriesApproaches(sql, p.ranges.map((r) => r.seriesId)), account: null };
    default:
      return { approaches: [null], account: null };
  }
}

/** The approaches of the units the planned act issues or moves (an answer: the units held in escrow). */
async function unitApproaches(sql: Sql, p: Proposal, planned: Exclude<Plan, { refusals: unknown }>): Promise<ConcernedApproach[]> {
  if (p.kind === 'ISSUANCE') return [p.series.cooperativeApproachId];
  if (p.kind !== 'TRANSFER' && p.kind !== 'EXTERNAL_TRANSFER' && p.kind !== 'RELEASE_RESERVATION') return [];
  return seriesApproaches(sql, planned.changes.close.map((b) => b.seriesId));
}
