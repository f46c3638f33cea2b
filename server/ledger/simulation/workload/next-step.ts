import type { LedgerModel } from '../model';
import { regressionProbeOf, type RegressionProbe } from '../regression-probes';
import type { Step } from '../steps';
import { arrivalNew, arrivalRefused, arrivalReturning, issue, issueRefused } from './issuance';
import { defineReference, openAccount, statusChange } from './administration';
import { concurrentBurst } from './bursts';
import { probeRegression } from './probes';
import { repeatDifferent, repeatSame } from './repeats';
import { answerReservation, authorize, liftSuspension, reverseWithholding, suspendLimit, withhold } from './rules';
import { drainFragments, explicitOutside, externalTransfer, fragment, intoEndUse, outOfEndUse, transfer, unknownAccounts, wrongInitiator, wrongTypes } from './transfers';
import type { Workload } from './workload';

/**
 * The next step of the workload: a generator drawn by weight, which proposes something or nothing
 * (null, when the model's state offers it nothing to do), drawn again up to 50 times. The weights
 * decide the workload's mix; changing one changes what every seed proposes.
 */
export function nextStep(w: Workload): Step {
  const generators: (readonly [(() => Step | null), number])[] = [
    [() => issue(w), 10],
    [() => issueRefused(w), 2],
    [() => transfer(w, 'explicit'), 12],
    [() => explicitOutside(w), 3],
    [() => transfer(w, 'implicit'), 12],
    [() => transfer(w, 'constrained'), 8],
    [() => intoEndUse(w), 6],
    [() => outOfEndUse(w), 2],
    [() => wrongTypes(w), 3],
    [() => unknownAccounts(w), 2],
    [() => wrongInitiator(w), 3],
    [() => statusChange(w), 6],
    [() => externalTransfer(w), 5],
    [() => arrivalReturning(w), 3],
    [() => arrivalNew(w), 3],
    [() => arrivalRefused(w), 1],
    [() => repeatSame(w), 3],
    [() => repeatDifferent(w), 2],
    [() => openAccount(w), 1.5],
    [() => defineReference(w), 0.5],
    [() => fragment(w), 4],
    [() => drainFragments(w), 1],
    [() => concurrentBurst(w), 3 * w.burstWeight],
    [() => answerReservation(w), 3],
    [() => withhold(w), 1.5],
    [() => reverseWithholding(w), 1],
    [() => authorize(w), 0.5],
    [() => suspendLimit(w), 0.4],
    [() => liftSuspension(w), 0.6],
  ];
  if (w.probes.size > 0) generators.push([() => probeRegression(w), 6]);
  for (let attempt = 0; attempt < 50; attempt++) {
    const generate = w.rng.weighted(generators);
    const step = generate();
    if (step === null) continue;
    // Outside probe mode, a proposal that would hit a regression probe is drawn again.
    if (!mayRun(w.model, step, w.probes)) continue;
    return step;
  }
  const fallback = issue(w);
  if (!fallback) throw new Error('simulate: no step could be generated');
  return fallback;
}

/** Whether a step may run: it hits no regression probe, or only ones being probed. */
function mayRun(model: LedgerModel, step: Step, probes: ReadonlySet<RegressionProbe>): boolean {
  const hit = step.kind === 'single' ? [regressionProbeOf(model, step.actor, step.proposal)] : [step.probe ?? null, ...step.items.map((i) => regressionProbeOf(model, i.actor, i.proposal))];
  return hit.every((probe) => probe === null || probes.has(probe));
}
