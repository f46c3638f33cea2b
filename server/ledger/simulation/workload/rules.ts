import type { Actor, UnitSelection } from '../../types';
import type { Step } from '../steps';
import { ADMIN, ESCROW, LIMITED_SECTION, MULTI_HOLDER, NOBODY, SECTION_ADMINS, SECTIONS, VIEWER } from '../world';
import type { Workload } from './workload';

/** The business rules at work (docs/rules.md): transfers that wait, corrective actions, authorizations, suspensions. */

/** An answer to a transfer that waits: approval by someone (a second person, or wrongly its initiator), or rejection. */
export function answerReservation(w: Workload): Step | null {
  const open = w.model.openWaiting().filter(([, waiting]) => waiting.kind === 'reservation');
  const answered = w.rng.chance(0.1);
  if (open.length === 0 && !answered) return null;
  const [transactionId, waiting] = open.length > 0 ? w.rng.pick(open) : ['no-such-transaction', null];
  const origin = waiting ? w.model.account(waiting.fromId) : undefined;
  const decision = w.rng.chance(0.7) ? 'APPROVE' : 'REJECT';
  const initiatedBy = (a: Actor) => waiting !== null && [waiting.initiator.userId, waiting.initiator.impersonatorId].some((id) => id !== null && (id === a.userId || id === a.impersonatorId));
  const seconds = waiting && origin ? [ADMIN, ...(origin.sectionId ? [SECTION_ADMINS.get(origin.sectionId) as Actor] : []), ...(w.holders.has(origin.id) ? [w.holders.get(origin.id) as Actor] : []), MULTI_HOLDER].filter((a) => !initiatedBy(a)) : [];
  const actor = waiting && origin ? (w.rng.chance(0.15) || seconds.length === 0 ? waiting.initiator : w.rng.pick(seconds)) : ADMIN;
  return w.propose(`reservation: ${decision.toLowerCase()}`, actor, { kind: 'RELEASE_RESERVATION', reservationTransactionId: transactionId, decision, reason: 'simulated answer' });
}

/** Suspending the transfer limit of the limited section (A6R-17): by a registry administrator with a reason, or refused. */
export function suspendLimit(w: Workload): Step | null {
  if (w.model.openSuspensions().length >= 2) return null;
  const variant = w.rng.weighted<'valid' | 'not-admin' | 'no-reason'>([
    ['valid', 8],
    ['not-admin', 1],
    ['no-reason', 1],
  ]);
  const actor = variant === 'not-admin' ? (SECTION_ADMINS.get(LIMITED_SECTION) as Actor) : ADMIN;
  // A window from the past starts when it is recorded; it ends only when lifted (before 2100).
  return w.propose(`rule: suspend the limit (${variant})`, actor, {
    kind: 'SUSPEND_RULE',
    rule: 'transfer-limit',
    scope: { type: 'SECTION', id: LIMITED_SECTION },
    from: new Date('2026-01-01T00:00:00.000Z'),
    until: new Date('2100-01-01T00:00:00.000Z'),
    reason: variant === 'no-reason' ? ' ' : 'simulated suspension',
  });
}

/** Lifting a suspension early: by a registry administrator with a reason, or refused (not an administrator, no reason, unknown or already lifted). */
export function liftSuspension(w: Workload): Step | null {
  const open = w.model.openSuspensions();
  const all = w.model.allSuspensions();
  if (all.length === 0) return null;
  const variant = w.rng.weighted<'valid' | 'not-admin' | 'no-reason' | 'unknown' | 'again'>([
    ['valid', open.length > 0 ? 6 : 0],
    ['not-admin', open.length > 0 ? 1 : 0],
    ['no-reason', open.length > 0 ? 1 : 0],
    ['unknown', 1],
    ['again', all.length > open.length ? 1 : 0],
  ]);
  const lifted = all.filter((id) => !open.includes(id));
  if ((variant === 'again' && lifted.length === 0) || (variant !== 'again' && variant !== 'unknown' && open.length === 0)) return null;
  const suspensionId = variant === 'unknown' ? 'no-such-suspension/0' : variant === 'again' ? w.rng.pick(lifted) : w.rng.pick(open);
  const actor = variant === 'not-admin' ? (SECTION_ADMINS.get(LIMITED_SECTION) as Actor) : ADMIN;
  return w.propose(`rule: lift a suspension (${variant})`, actor, { kind: 'LIFT_SUSPENSION', suspensionId, reason: variant === 'no-reason' ? '' : 'simulated lift' });
}

/** A corrective withholding of an explicit range (A6R-55), by a registry administrator (or, refused, by someone else). */
export function withhold(w: Workload): Step | null {
  const candidates = w.accountsWhere((a) => w.model.blockCount(a.id) > 0 && a.id !== 'REG-AHL-1' && (a.id !== ESCROW || w.rng.chance(0.05)));
  if (candidates.length === 0) return null;
  const from = w.rng.pick(candidates);
  const block = w.rng.pick(w.model.blocksOf(from.id));
  const actor = w.rng.chance(0.9) ? ADMIN : w.initiator(from);
  return w.propose('correction: withhold', actor, { kind: 'CORRECTIVE_TRANSFER', action: 'WITHHOLD', correctsTransactionId: null, fromAccountId: from.id, toAccountId: 'REG-AHL-1', selection: w.explicitInside(block) as Extract<UnitSelection, { mode: 'explicit' }>, reason: 'simulated withholding' });
}

/** Releasing withheld units by reversing the withholding. */
export function reverseWithholding(w: Workload): Step | null {
  const open = w.model.openWaiting().filter(([, waiting]) => waiting.kind === 'withholding');
  if (open.length === 0) return null;
  const [transactionId] = w.rng.pick(open);
  return w.propose('correction: reverse a withholding', ADMIN, { kind: 'CORRECTIVE_TRANSFER', action: 'REVERSE', correctsTransactionId: transactionId, reason: 'simulated release' });
}

/** An NDC authorization of a Party's units by conditions (A6R-45), by its section administrator or, refused, by a holder. */
export function authorize(w: Workload): Step | null {
  const party = w.rng.pick(SECTIONS);
  const admin = SECTION_ADMINS.get(party) as Actor;
  const actor = w.rng.chance(0.8) ? admin : w.rng.pick([VIEWER, MULTI_HOLDER, NOBODY]);
  return w.propose('descriptor: authorization', actor, { kind: 'RECORD_AUTHORIZATION', party, uses: 'NDC', units: { mode: 'conditions', conditions: w.rng.chance(0.5) ? {} : { vintageFrom: 2021 } }, oimpFirstTransfer: null, applicableFrom: null, supersedes: null });
}

