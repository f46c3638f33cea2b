import type { UnitSelection } from '../../types';
import { modelTypeRules } from '../model/permissions';
import { size, type Step } from '../steps';
import { ADMIN, FRAGMENT_SINK } from '../world';
import type { Workload } from './workload';

/** Units moving inside the registry and out of it: transfers of every selection, and their refusals. */

export function transfer(w: Workload, mode: 'explicit' | 'implicit' | 'constrained'): Step | null {
  const senders = w.senders();
  if (senders.length === 0) return null;
  const from = w.rng.pick(senders);
  const to = w.receiver(from.id);
  if (!to) return null;
  const blocks = w.model.blocksOf(from.id);
  let selection: UnitSelection;
  if (mode === 'explicit') selection = w.explicitInside(w.rng.pick(blocks));
  else if (mode === 'implicit') selection = { mode: 'implicit', quantity: w.quantityFor(blocks), constraints: {} };
  else {
    const constraints = w.constraintsFor(from.id);
    const matching = w.model.matchingBlocks(from.id, constraints);
    selection = { mode: 'implicit', quantity: matching.length > 0 ? w.quantityFor(matching) : w.rng.big(1n, 100n), constraints };
  }
  return w.propose(`transfer (${mode})`, w.initiator(from), { kind: 'TRANSFER', fromAccountId: from.id, toAccountId: to.id, selection });
}

export function explicitOutside(w: Workload): Step | null {
  const senders = w.senders();
  if (senders.length === 0) return null;
  const from = w.rng.pick(senders);
  const to = w.receiver(from.id);
  if (!to) return null;
  const block = w.rng.pick(w.model.blocksOf(from.id));
  const others = w.accountsWhere((a) => a.id !== from.id && w.model.blockCount(a.id) > 0);
  const variants: UnitSelection[] = [
    { mode: 'explicit', seriesId: block.seriesId, firstSerial: block.firstSerial, lastSerial: block.lastSerial + 1n },
    { mode: 'explicit', seriesId: block.seriesId, firstSerial: block.firstSerial > 1n ? block.firstSerial - 1n : block.lastSerial + 1n, lastSerial: block.lastSerial },
    { mode: 'explicit', seriesId: block.seriesId, firstSerial: block.lastSerial + 1n, lastSerial: block.lastSerial + 5n },
    { mode: 'explicit', seriesId: block.seriesId, firstSerial: block.lastSerial, lastSerial: block.firstSerial - 1n },
    { mode: 'explicit', seriesId: block.seriesId, firstSerial: 0n, lastSerial: block.lastSerial },
    { mode: 'explicit', seriesId: 'S-unknown-series', firstSerial: block.firstSerial, lastSerial: block.firstSerial },
  ];
  if (others.length > 0) {
    const foreign = w.rng.pick(w.model.blocksOf(w.rng.pick(others).id));
    variants.push({ mode: 'explicit', seriesId: foreign.seriesId, firstSerial: foreign.firstSerial, lastSerial: foreign.lastSerial });
  }
  return w.propose('transfer refused: range', w.initiator(from), { kind: 'TRANSFER', fromAccountId: from.id, toAccountId: to.id, selection: w.rng.pick(variants) });
}

export function intoEndUse(w: Workload): Step | null {
  const senders = w.senders();
  const endUse = w.accountsWhere((a) => ['USE', 'CANCELLATION', 'ADMIN_CANCELLATION'].includes(a.type));
  if (senders.length === 0 || endUse.length === 0) return null;
  const from = w.rng.pick(senders);
  const to = w.rng.pick(endUse);
  const blocks = w.model.blocksOf(from.id);
  const selection: UnitSelection = w.rng.chance(0.5) ? w.explicitInside(w.rng.pick(blocks)) : { mode: 'implicit', quantity: w.quantityFor(blocks), constraints: w.rng.chance(0.5) ? {} : w.constraintsFor(from.id) };
  return w.propose('transfer into end use', w.initiator(from), { kind: 'TRANSFER', fromAccountId: from.id, toAccountId: to.id, selection });
}

export function outOfEndUse(w: Workload): Step | null {
  const endUse = w.accountsWhere((a) => ['USE', 'CANCELLATION', 'ADMIN_CANCELLATION'].includes(a.type) && w.model.blockCount(a.id) > 0);
  if (endUse.length === 0) return null;
  const from = w.rng.pick(endUse);
  const to = w.receiver(from.id, 0);
  if (!to) return null;
  const blocks = w.model.blocksOf(from.id);
  const selection: UnitSelection = w.rng.chance(0.5) ? w.explicitInside(w.rng.pick(blocks)) : { mode: 'implicit', quantity: w.quantityFor(blocks), constraints: {} };
  if (w.rng.chance(0.3)) return w.propose('external transfer out of end use', ADMIN, { kind: 'EXTERNAL_TRANSFER', fromAccountId: from.id, destination: { registryId: 'XR', accountId: 'XR-1' }, selection });
  return w.propose('transfer out of end use', w.rng.chance(0.5) ? ADMIN : w.initiator(from), { kind: 'TRANSFER', fromAccountId: from.id, toAccountId: to.id, selection });
}

export function wrongTypes(w: Workload): Step | null {
  const senders = w.senders();
  if (senders.length === 0) return null;
  const from = w.rng.pick(senders);
  const selection: UnitSelection = { mode: 'implicit', quantity: 1n, constraints: {} };
  const cannotReceive = w.accountsWhere((a) => !modelTypeRules(a.type).receives);
  const variant = w.rng.int(3);
  if (variant === 0) return w.propose('transfer refused: acquiring type', w.initiator(from), { kind: 'TRANSFER', fromAccountId: from.id, toAccountId: w.rng.pick(cannotReceive).id, selection });
  if (variant === 1) return w.propose('transfer refused: same account', w.initiator(from), { kind: 'TRANSFER', fromAccountId: from.id, toAccountId: from.id, selection });
  return w.propose('transfer refused: higher-tier', ADMIN, { kind: 'TRANSFER', fromAccountId: 'REG-HTA-1', toAccountId: from.id, selection });
}

export function unknownAccounts(w: Workload): Step | null {
  const someone = w.rng.pick(w.model.accounts());
  const selection: UnitSelection = { mode: 'implicit', quantity: 5n, constraints: {} };
  switch (w.rng.int(4)) {
    case 0:
      return w.propose('refused: unknown transferring account', ADMIN, { kind: 'TRANSFER', fromAccountId: 'NOPE-1', toAccountId: someone.id, selection });
    case 1:
      return w.propose('refused: unknown acquiring account', ADMIN, { kind: 'TRANSFER', fromAccountId: someone.id, toAccountId: 'NOPE-2', selection });
    case 2:
      return w.propose('refused: unknown accounts', ADMIN, { kind: 'TRANSFER', fromAccountId: 'NOPE-1', toAccountId: 'NOPE-2', selection });
    default:
      return w.propose('refused: unknown account status', ADMIN, { kind: 'SET_ACCOUNT_STATUS', accountId: 'NOPE-3', status: 'SUSPENDED' });
  }
}

export function wrongInitiator(w: Workload): Step | null {
  const senders = w.senders();
  if (senders.length === 0) return null;
  const from = w.rng.pick(senders);
  const to = w.receiver(from.id);
  if (!to) return null;
  const selection = w.rng.chance(0.5) ? w.explicitInside(w.rng.pick(w.model.blocksOf(from.id))) : ({ mode: 'implicit', quantity: 1n, constraints: {} } as const);
  if (w.rng.chance(0.2)) return w.propose('external transfer refused: initiator', w.outsider(from), { kind: 'EXTERNAL_TRANSFER', fromAccountId: from.id, destination: { registryId: 'XR', accountId: 'XR-9' }, selection });
  return w.propose('transfer refused: initiator', w.outsider(from), { kind: 'TRANSFER', fromAccountId: from.id, toAccountId: to.id, selection });
}

export function externalTransfer(w: Workload): Step | null {
  const senders = w.senders();
  if (senders.length === 0) return null;
  const from = w.rng.pick(senders);
  const blocks = w.model.blocksOf(from.id);
  const selection: UnitSelection = w.rng.chance(0.5) ? w.explicitInside(w.rng.pick(blocks)) : { mode: 'implicit', quantity: w.quantityFor(blocks), constraints: w.rng.chance(0.3) ? w.constraintsFor(from.id) : {} };
  return w.propose('external transfer', w.initiator(from), { kind: 'EXTERNAL_TRANSFER', fromAccountId: from.id, destination: { registryId: w.rng.pick(['XR', 'CDM']), accountId: `EXT-${w.rng.int(100)}` }, selection });
}

/** Sends a single unit to the fragment sink: over a run it holds hundreds of one-unit blocks. */
export function fragment(w: Workload): Step | null {
  const sink = w.model.account(FRAGMENT_SINK);
  const senders = w.senders().filter((a) => a.id !== FRAGMENT_SINK);
  if (!sink || senders.length === 0) return null;
  const from = w.rng.pick(senders);
  const block = w.rng.pick(w.model.blocksOf(from.id));
  const serial = w.rng.big(block.firstSerial, block.lastSerial);
  return w.propose('fragment', w.initiator(from), { kind: 'TRANSFER', fromAccountId: from.id, toAccountId: FRAGMENT_SINK, selection: { mode: 'explicit', seriesId: block.seriesId, firstSerial: serial, lastSerial: serial } });
}

/** An implicit transfer out of the fragment sink that needs many of its blocks (the ledger pages). */
export function drainFragments(w: Workload): Step | null {
  const sink = w.model.account(FRAGMENT_SINK);
  const blocks = w.model.blocksOf(FRAGMENT_SINK);
  if (!sink || blocks.length < 20) return null;
  const to = w.receiver(FRAGMENT_SINK, 0);
  if (!to) return null;
  const sorted = [...blocks].sort((a, b) => (size(a) < size(b) ? -1 : size(a) > size(b) ? 1 : 0));
  const k = w.rng.between(17, sorted.length);
  const quantity = sorted.slice(0, k).reduce((s, b) => s + size(b), 0n) - (w.rng.chance(0.5) ? 1n : 0n);
  return w.propose('drain fragments', ADMIN, { kind: 'TRANSFER', fromAccountId: FRAGMENT_SINK, toAccountId: to.id, selection: { mode: 'implicit', quantity, constraints: {} } });
}

