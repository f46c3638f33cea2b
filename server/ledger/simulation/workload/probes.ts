import type { AccountStatus } from '../../../db/generated/enums';
import { seriesIdOf } from '../../operations/issue-units';
import type { Proposal, SeriesAttributes } from '../../types';
import { modelTypeRules } from '../model/permissions';
import { MODEL_MAX_SERIAL } from '../model/types';
import type { Item, Step } from '../steps';
import { ADMIN, NOBODY, SYSTEM_ADMIN, VIEWER } from '../world';
import { issuanceBurst } from './bursts';
import type { Workload } from './workload';

/**
 * Proposals aimed at the regression probes being probed (../regression-probes.ts), one probe drawn
 * at a time: each is a disagreement the simulation once found, fixed since.
 */

export function probeRegression(w: Workload): Step | null {
  const proxy = w.model.proxyAccount();
  const foreign = w.rng.pick(w.catalog.foreign);
  const to = w.receiver('');
  const above = (series: SeriesAttributes, n: bigint) => [w.model.topOf(seriesIdOf(series)) + 1n, w.model.topOf(seriesIdOf(series)) + n] as const;
  const probe = w.rng.pick([...w.probes]);
  switch (probe) {
    case 'proxy-sends-internally': {
      if (!proxy || w.model.blockCount(proxy.id) === 0 || !to) return null;
      if (w.rng.chance(0.2)) return w.propose('probe: external transfer out of the proxy account', ADMIN, { kind: 'EXTERNAL_TRANSFER', fromAccountId: proxy.id, destination: { registryId: 'XR', accountId: 'XR-1' }, selection: { mode: 'implicit', quantity: 1n, constraints: {} } });
      return w.propose('probe: transfer out of the proxy account', ADMIN, { kind: 'TRANSFER', fromAccountId: proxy.id, toAccountId: to.id, selection: { mode: 'implicit', quantity: 1n, constraints: {} } });
    }
    case 'unknown-approach-throws': {
      const account = w.issuanceAccount();
      if (!account) return null;
      return w.propose('probe: unknown cooperative approach', ADMIN, { kind: 'ISSUANCE', accountId: account.id, series: { ...w.seriesFor(account), cooperativeApproachId: 'CA-404' }, quantity: 10n });
    }
    case 'arrival-initiator-unchecked': {
      if (!to) return null;
      const [first, last] = above(foreign, 10n);
      return w.propose('probe: arrival by someone without grants', w.rng.pick([VIEWER, SYSTEM_ADMIN, NOBODY]), w.arrivalProposal(to.id, foreign, first, last));
    }
    case 'arrival-proxy-status-unchecked': {
      if (!proxy || !to) return null;
      if (proxy.status === 'ACTIVE') return w.propose('probe: suspend the proxy account', ADMIN, { kind: 'SET_ACCOUNT_STATUS', accountId: proxy.id, status: w.rng.pick<AccountStatus>(['SUSPENDED', 'FROZEN']) });
      const [first, last] = above(foreign, 10n);
      return w.propose('probe: arrival through a blocked proxy account', ADMIN, w.arrivalProposal(to.id, foreign, first, last));
    }
    case 'units-return-to-mechanism': {
      const from = w.rng.pick([undefined, ...w.senders().filter((x) => x.registry === 'INTERNATIONAL')]);
      const back = w.accountsWhere((x) => x.registry === 'MECHANISM' && modelTypeRules(x.type).receives);
      if (!from || back.length === 0) return null;
      return w.propose('probe: back into the mechanism registry', w.initiator(from), { kind: 'TRANSFER', fromAccountId: from.id, toAccountId: w.rng.pick(back).id, selection: { mode: 'implicit', quantity: 1n, constraints: {} } });
    }
    case 'issuance-time-not-serial-order':
      return issuanceBurst(w, true);
    case 'serials-beyond-bigint-throw': {
      const from = w.rng.pick([undefined, ...w.senders()]);
      if (!from || !to) return null;
      const block = w.rng.pick(w.model.blocksOf(from.id));
      const variant = w.rng.int(3);
      if (variant === 0) return w.propose('probe: serials beyond 2^63', w.initiator(from), { kind: 'TRANSFER', fromAccountId: from.id, toAccountId: to.id, selection: { mode: 'explicit', seriesId: block.seriesId, firstSerial: MODEL_MAX_SERIAL + 5n, lastSerial: MODEL_MAX_SERIAL + 6n } });
      if (variant === 1) return w.propose('probe: quantity beyond 2^63', w.initiator(from), { kind: 'TRANSFER', fromAccountId: from.id, toAccountId: to.id, selection: { mode: 'implicit', quantity: 2n ** 64n, constraints: {} } });
      return w.propose('probe: arrival beyond 2^63', ADMIN, w.arrivalProposal(to.id, foreign, MODEL_MAX_SERIAL - 1n, MODEL_MAX_SERIAL + 1n));
    }
    case 'fractional-numbers-throw': {
      const from = w.rng.pick([undefined, ...w.senders()]);
      if (!from || !to) return null;
      if (w.rng.chance(0.5)) return w.propose('probe: fractional vintage constraint', w.initiator(from), { kind: 'TRANSFER', fromAccountId: from.id, toAccountId: to.id, selection: { mode: 'implicit', quantity: 1n, constraints: { vintage: 2021.5 } } });
      const account = w.issuanceAccount();
      if (!account) return null;
      return w.propose('probe: fractional vintage', ADMIN, { kind: 'ISSUANCE', accountId: account.id, series: { ...w.seriesFor(account), vintage: 2022.5 }, quantity: 1n });
    }
    case 'proxy-lookup-outside-transaction': {
      // More concurrent external transfers than the pool has connections.
      const connections = w.poolConnections;
      const senders = w.senders();
      if (senders.length === 0) return null;
      const items: Item[] = Array.from({ length: connections + 2 }, () => {
        const from = w.rng.pick(senders);
        return { actor: ADMIN, proposal: { kind: 'EXTERNAL_TRANSFER', idempotencyKey: w.key(), fromAccountId: from.id, destination: { registryId: 'XR', accountId: 'XR-7' }, selection: { mode: 'implicit', quantity: 1n, constraints: {} } } as Proposal };
      });
      // Order-dependent outcomes are fine here: the probe only asks whether the ledger answers at all.
      return { kind: 'burst', label: 'burst: more external transfers than pool connections', items, probe: 'proxy-lookup-outside-transaction' };
    }
  }
}

