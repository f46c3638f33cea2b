import { seriesIdOf } from '../operations/issue-units';
import type { Actor, Proposal } from '../types';
import type { LedgerModel } from './model';
import { modelMayInitiate } from './model/permissions';
import { MODEL_MAX_SERIAL } from './model/types';

/**
 * Regression probes: every disagreement the simulation ever found between the model (which follows
 * DOMAIN.md and the requirements) and the ledger, each described as it was found. All are fixed. The
 * ordinary workload does not aim at them, and draws again a proposal that would hit one;
 * `probeRegressions` adds proposals that do (workload/probes.ts), and `npm test` runs one probing
 * seed so that they stay fixed. A new disagreement that cannot be fixed at once is added here until
 * it is, and stays as a probe once it is.
 *
 * This module tags proposals: which probe, if any, a proposal would run into.
 */
export const REGRESSION_PROBES = {
  'proxy-sends-internally': 'an internal TRANSFER (or EXTERNAL_TRANSFER) out of the proxy account is accepted; units held for another registry reappear here (A6R-54: they leave the proxy only by an arrival)',
  'unknown-approach-throws': 'a series naming an unknown cooperative approach makes execute throw a foreign-key error instead of refusing with 4003',
  'arrival-initiator-unchecked': 'EXTERNAL_ARRIVAL checks nobody\'s grants: a viewer, a system administrator or a user without grants can bring units into the registry',
  'arrival-proxy-status-unchecked': 'EXTERNAL_ARRIVAL ignores the proxy account\'s status: units come in through a suspended or frozen proxy account',
  'units-return-to-mechanism': 'a TRANSFER from an international-registry account into a mechanism-registry account is accepted (DOMAIN.md: units go from the mechanism registry to the international registry one way, they do not come back); the model refuses it with 3003',
  'serials-beyond-bigint-throw': 'serials or quantities of 2^63 and more make execute throw (PostgreSQL bigint out of range) instead of refusing; in a transaction\'s first statement the error also leaves the connection in an aborted transaction that goes back to the pool',
  'fractional-numbers-throw': 'a fractional vintage (in series attributes or constraints) makes execute throw in canonicalJson instead of refusing',
  'proxy-lookup-outside-transaction': 'external transfers and arrivals read the proxy account through ctx.pool while holding one of its connections: as many concurrent external operations as the pool has connections wait for each other forever',
  'issuance-time-not-serial-order': 'concurrent issuances of one series into different accounts take serials in series-lock order, but their createdAt is read before that lock: timestamp order and serial order can disagree',
} as const;

export type RegressionProbe = keyof typeof REGRESSION_PROBES;

export const ALL_REGRESSION_PROBES = Object.keys(REGRESSION_PROBES) as RegressionProbe[];

/** The probe a proposal would run into, judged on the model's state before it; null for none. */
export function regressionProbeOf(model: LedgerModel, actor: Actor, p: Proposal): RegressionProbe | null {
  if ((p.kind === 'TRANSFER' || p.kind === 'EXTERNAL_TRANSFER') && model.account(p.fromAccountId)?.type === 'PROXY') return 'proxy-sends-internally';
  if (p.kind === 'TRANSFER' && model.account(p.fromAccountId)?.registry === 'INTERNATIONAL' && model.account(p.toAccountId)?.registry === 'MECHANISM') return 'units-return-to-mechanism';
  if (p.kind === 'ISSUANCE' || p.kind === 'EXTERNAL_ARRIVAL') {
    if (p.series.cooperativeApproachId !== null && !model.hasApproach(p.series.cooperativeApproachId)) return 'unknown-approach-throws';
  }
  const beyond = (n: bigint) => n > MODEL_MAX_SERIAL;
  if (p.kind === 'EXTERNAL_ARRIVAL' && (beyond(p.firstSerial) || beyond(p.lastSerial))) return 'serials-beyond-bigint-throw';
  if ((p.kind === 'TRANSFER' || p.kind === 'EXTERNAL_TRANSFER') && p.selection.mode === 'explicit' && (beyond(p.selection.firstSerial) || beyond(p.selection.lastSerial))) return 'serials-beyond-bigint-throw';
  if ((p.kind === 'TRANSFER' || p.kind === 'EXTERNAL_TRANSFER') && p.selection.mode === 'implicit' && beyond(p.selection.quantity)) return 'serials-beyond-bigint-throw';
  if (p.kind === 'ISSUANCE' && model.topOf(seriesIdOf(p.series)) + p.quantity > MODEL_MAX_SERIAL) return 'serials-beyond-bigint-throw';
  const fractional = (n: number | undefined) => n !== undefined && !Number.isInteger(n);
  if ((p.kind === 'ISSUANCE' || p.kind === 'EXTERNAL_ARRIVAL') && fractional(p.series.vintage)) return 'fractional-numbers-throw';
  if ((p.kind === 'TRANSFER' || p.kind === 'EXTERNAL_TRANSFER') && p.selection.mode === 'implicit' && fractional(p.selection.constraints.vintage)) return 'fractional-numbers-throw';
  if (p.kind === 'EXTERNAL_ARRIVAL') {
    const proxy = model.proxyAccount();
    if (proxy && !modelMayInitiate(actor, proxy)) return 'arrival-initiator-unchecked';
    if (proxy && !(proxy.status === 'ACTIVE' || (proxy.status === 'RESTRICTED' && actor.grants.some((g) => g.role === 'REGISTRY_ADMIN')))) return 'arrival-proxy-status-unchecked';
  }
  return null;
}

/** How a failure names the probe its proposal hit (empty when none). */
export function describeProbe(probe: RegressionProbe | null | undefined): string {
  return probe ? `regression probe ${probe}: ${REGRESSION_PROBES[probe]}` : '';
}
