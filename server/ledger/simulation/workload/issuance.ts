import { seriesIdOf } from '../../operations/issue-units';
import type { Actor, SeriesAttributes, UnitSelection } from '../../types';
import { modelTypeRules } from '../model/permissions';
import type { Step } from '../steps';
import { ADMIN, SECTION_ADMINS, SECTIONS, VIEWER } from '../world';
import type { Workload } from './workload';

/** Units coming into the registry: issuances, arrivals from other registries, and their refusals. */

/** The attributes of a series as a proposal names them (without the id the model adds). */
const attributesOf = (s: SeriesAttributes & { readonly id?: string }): SeriesAttributes => ({
  unitType: s.unitType,
  cooperativeApproachId: s.cooperativeApproachId,
  originatingRegistry: s.originatingRegistry,
  hostParty: s.hostParty,
  firstTransferringParty: s.firstTransferringParty,
  activityId: s.activityId,
  vintage: s.vintage,
  sectors: [...s.sectors],
  activityTypes: [...s.activityTypes],
  metric: s.metric,
  pre2021: s.pre2021,
});

export function issue(w: Workload): Step | null {
  const account = w.issuanceAccount();
  if (!account) return null;
  const actor = account.sectionId && w.rng.chance(0.7) ? (SECTION_ADMINS.get(account.sectionId) as Actor) : ADMIN;
  return w.propose('issuance', actor, { kind: 'ISSUANCE', accountId: account.id, series: w.seriesFor(account), quantity: w.issuanceQuantity() });
}

export function issueRefused(w: Workload): Step | null {
  const account = w.issuanceAccount();
  if (!account) return null;
  const series = w.seriesFor(account);
  const variant = w.rng.int(10);
  const proposal = (patch: Partial<{ accountId: string; series: SeriesAttributes; quantity: bigint }>) => ({ kind: 'ISSUANCE', accountId: account.id, series, quantity: 100n, ...patch }) as const;
  switch (variant) {
    case 0: {
      const holding = w.rng.pick(w.accountsWhere((a) => !modelTypeRules(a.type).generates));
      return w.propose('issuance refused: account type', ADMIN, proposal({ accountId: holding.id }));
    }
    case 1:
      return w.propose('issuance refused: unknown account', ADMIN, proposal({ accountId: 'GHA-ISS-404' }));
    case 2:
      return w.propose('issuance refused: quantity', ADMIN, proposal({ quantity: w.rng.pick([0n, -1n, 1_000_000_000_001n]) }));
    case 3:
      return w.propose('issuance refused: attributes', ADMIN, proposal({ series: { ...series, hostParty: 'gh', vintage: 1989 } }));
    case 4:
      return w.propose('issuance refused: attributes', ADMIN, proposal({ series: { ...series, activityId: ' ', metric: '' }, quantity: 0n }));
    case 5:
      return w.propose('issuance refused: initiator', w.outsider(account), proposal({}));
    case 6:
      // Several groups fail at once: only the first (2xxx) is reported.
      return w.propose('issuance refused: precedence', VIEWER, proposal({ series: { ...series, firstTransferringParty: 'X' }, quantity: -5n }));
    case 7: {
      const other = w.rng.pick(SECTIONS.filter((s) => s !== account.sectionId));
      return w.propose('issuance refused: other section', SECTION_ADMINS.get(other) as Actor, proposal({}));
    }
    case 8:
      // Other further attributes conflict with the existing series (4005); a series that does not exist
      // yet is left alone, or these attributes would become its own.
      if (!w.model.series(seriesIdOf(series))) return null;
      return w.propose('issuance refused: series attributes conflict', ADMIN, proposal({ series: w.rng.pick([{ ...series, metric: 'tCO2' }, { ...series, sectors: ['forestry', 'energy'] }, { ...series, pre2021: true, activityTypes: ['x'] }]) }));
    default:
      return w.propose('issuance refused: higher-tier', ADMIN, proposal({ accountId: 'REG-HTA-1' }));
  }
}

export function arrivalReturning(w: Workload): Step | null {
  const proxy = w.model.proxyAccount();
  if (!proxy || w.model.blockCount(proxy.id) === 0) return null;
  const block = w.rng.pick(w.model.blocksOf(proxy.id));
  const series = w.model.series(block.seriesId);
  const to = w.receiver(proxy.id);
  if (!series || !to) return null;
  const range = w.explicitInside(block) as Extract<UnitSelection, { mode: 'explicit' }>;
  return w.propose('arrival (returning units)', ADMIN, w.arrivalProposal(to.id, attributesOf(series), range.firstSerial, range.lastSerial));
}

export function arrivalNew(w: Workload): Step | null {
  const to = w.receiver('');
  if (!to) return null;
  // Mostly units from abroad; now and then serials of a series issued here that were never used yet.
  const series = w.rng.chance(0.9) ? w.rng.pick(w.catalog.foreign) : w.rng.pick([...w.catalog.domestic.values()].flat());
  const top = w.model.topOf(seriesIdOf(series));
  const count = w.rng.big(1n, 500n);
  const first = top > 0n && w.rng.chance(0.5) ? w.rng.big(1n, top + 1000n) : top + w.rng.big(1n, 5000n);
  return w.propose('arrival (new units)', ADMIN, w.arrivalProposal(to.id, series, first, first + count - 1n));
}

export function arrivalRefused(w: Workload): Step | null {
  const to = w.receiver('');
  const held = w.accountsWhere((a) => a.type !== 'PROXY' && w.model.blockCount(a.id) > 0);
  if (!to) return null;
  const foreign = w.rng.pick(w.catalog.foreign);
  switch (w.rng.int(7)) {
    case 0: {
      if (held.length === 0) return null;
      const block = w.rng.pick(w.model.blocksOf(w.rng.pick(held).id));
      const series = w.model.series(block.seriesId);
      if (!series) return null;
      return w.propose('arrival refused: units exist here', ADMIN, w.arrivalProposal(to.id, attributesOf(series), block.firstSerial, block.lastSerial));
    }
    case 1: {
      const proxy = w.model.proxyAccount();
      const blocks = proxy ? w.model.blocksOf(proxy.id) : [];
      if (blocks.length === 0) return null;
      const block = w.rng.pick(blocks);
      const series = w.model.series(block.seriesId);
      if (!series) return null;
      return w.propose('arrival refused: straddles a proxy block', ADMIN, w.arrivalProposal(to.id, attributesOf(series), block.firstSerial, block.lastSerial + 1n));
    }
    case 2:
      return w.propose('arrival refused: acquiring account', ADMIN, w.arrivalProposal(w.rng.pick(['REG-PRX-1', 'GHA-ISS-1', 'MEC-PND-1', 'NOPE-4']), foreign, 1n, 10n));
    case 3:
      return w.propose('arrival refused: attributes', ADMIN, w.arrivalProposal(to.id, { ...foreign, hostParty: 'Kenya' }, 1n, 10n));
    case 4:
      return w.propose('arrival refused: serials', ADMIN, w.arrivalProposal(to.id, foreign, w.rng.pick([0n, -3n]), 5n));
    case 5: {
      if (!w.model.series(seriesIdOf(foreign))) return null;
      const top = w.model.topOf(seriesIdOf(foreign));
      return w.propose('arrival refused: series attributes conflict', ADMIN, w.arrivalProposal(to.id, { ...foreign, metric: 'tCO2', pre2021: !foreign.pre2021 }, top + 1n, top + 3n));
    }
    default:
      return w.propose('arrival refused: serials', ADMIN, w.arrivalProposal(to.id, foreign, 50n, 40n));
  }
}

