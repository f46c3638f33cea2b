import type { Step } from '../steps';
import { ADMIN, MULTI_HOLDER, SECTION_ADMINS, VIEWER } from '../world';
import { issue } from './issuance';
import { transfer } from './transfers';
import type { Workload } from './workload';

/** Idempotency keys used again: the same input (a replay), another initiator, or a different input. */

export function repeatSame(w: Workload): Step | null {
  if (w.earlier().length === 0) return null;
  const earlier = w.rng.pick(w.earlier());
  return { kind: 'single', label: 'repeated key, same input', actor: earlier.actor, proposal: earlier.proposal };
}

export function repeatDifferent(w: Workload): Step | null {
  if (w.earlier().length === 0) return null;
  const earlier = w.rng.pick(w.earlier());
  // The actor is part of the input: the same proposal from someone else is a different request.
  if (w.rng.chance(0.3)) {
    const other = w.rng.pick([ADMIN, VIEWER, MULTI_HOLDER, ...SECTION_ADMINS.values()].filter((a) => a.userId !== earlier.actor.userId));
    return { kind: 'single', label: 'repeated key, other initiator', actor: other, proposal: earlier.proposal };
  }
  const fresh = transfer(w, 'implicit') ?? issue(w);
  if (!fresh || fresh.kind !== 'single') return null;
  return { kind: 'single', label: 'repeated key, different input', actor: fresh.actor, proposal: { ...fresh.proposal, idempotencyKey: earlier.proposal.idempotencyKey } };
}

