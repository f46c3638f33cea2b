import { gate, type PolicyName } from '../access/policy';
import type { Actor } from '../ledger/types';
import type { CurrentUser } from './session-store';

/**
 * Who acts: the signed-in person, or while impersonating the impersonated user with only that user's
 * grants, the administrator recorded beside him (A6R-43).
 */
export function actorOf(user: CurrentUser): Actor {
  if (user.actingAs) return { userId: user.actingAs.userId, impersonatorId: user.userId, grants: user.grants };
  return { userId: user.userId, impersonatorId: null, grants: user.grants };
}

/**
 * Whether a page or a menu entry for this policy should be offered: the policy's gate, with the
 * step-up left to the moment of the act itself.
 */
export function mayUse(user: CurrentUser, name: PolicyName, now = new Date()): boolean {
  const decision = gate(name, actorOf(user), user.stepUpAt, now);
  return decision.allowed || decision.reason === 'STEP_UP_REQUIRED';
}
