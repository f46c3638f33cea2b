import { seriesIdOf } from '../../operations/issue-units';
import type { Proposal } from '../../types';
import { modelTypeRules } from '../model/permissions';
import type { ModelBlock } from '../model/types';
import { IDENTICAL_BURST, type Item, type Step } from '../steps';
import { ADMIN, VIEWER } from '../world';
import { transfer } from './transfers';
import type { Workload } from './workload';

/**
 * Concurrent bursts: proposals sent at once, built so that their end state does not depend on the
 * order the database runs them in (the run checks the replies in timestamp order, the end state exactly).
 */

export function concurrentBurst(w: Workload): Step | null {
  const kind = w.rng.weighted<string>([
    ['identical', 4],
    ['explicit', 4],
    ['same-key', 2],
    ['issuances', 2],
    ['mixed', 3],
    ['issuance-race', w.probes.has('issuance-time-not-serial-order') ? 2 : 0],
  ]);
  switch (kind) {
    case 'identical':
      return identicalBurst(w);
    case 'explicit':
      return explicitBurst(w, new Set());
    case 'same-key':
      return sameKeyBurst(w);
    case 'issuances':
      return issuanceBurst(w, false);
    case 'issuance-race':
      return issuanceBurst(w, true);
    default:
      return mixedBurst(w);
  }
}

/** n identical implicit transfers under different keys: whatever the order, the same units move. */
export function identicalBurst(w: Workload): Step | null {
  const senders = w.senders();
  if (senders.length === 0) return null;
  const from = w.rng.pick(senders);
  const to = w.receiver(from.id);
  if (!to) return null;
  const total = w.model.balanceOf(from.id);
  const n = w.rng.between(5, 10);
  // Aim so that some succeed and some find too few units left.
  const quantity = total > 0n ? w.rng.big(1n, total / BigInt(w.rng.between(2, 8)) + 1n) : 1n;
  const actor = w.initiator(from);
  const items = Array.from({ length: n }, () => ({ actor, proposal: { kind: 'TRANSFER', idempotencyKey: w.key(), fromAccountId: from.id, toAccountId: to.id, selection: { mode: 'implicit', quantity, constraints: {} } } as Proposal }));
  return { kind: 'burst', label: IDENTICAL_BURST, items };
}

/**
 * Explicit transfers of disjoint ranges held now, in any direction (pairs crossing each other
 * included, to exercise lock ordering), plus exact duplicates under other keys: the end state is the
 * same in every order. Accounts in `avoid` take no part.
 */
export function explicitBurst(w: Workload, avoid: ReadonlySet<string>): Step | null {
  const senders = w.senders().filter((a) => !avoid.has(a.id));
  if (senders.length < 2) return null;
  const items: Item[] = [];
  const used = new Set<ModelBlock>();
  const n = w.rng.between(4, 8);
  for (let i = 0; i < n; i++) {
    const from = w.rng.pick(senders);
    const candidates = w.model.blocksOf(from.id).filter((b) => !used.has(b));
    if (candidates.length === 0) continue;
    const block = w.rng.pick(candidates);
    used.add(block);
    const previous = items[items.length - 1];
    // Every other transfer crosses back to the sender of the one before it.
    const crossing = previous && previous.proposal.kind === 'TRANSFER' && previous.proposal.toAccountId !== from.id && w.rng.chance(0.5) ? w.model.account(previous.proposal.fromAccountId) : undefined;
    const to = crossing && crossing.id !== from.id && modelTypeRules(crossing.type).receives && !avoid.has(crossing.id) ? crossing : w.receiver(from.id);
    if (!to || avoid.has(to.id)) continue;
    items.push({ actor: w.initiator(from), proposal: { kind: 'TRANSFER', idempotencyKey: w.key(), fromAccountId: from.id, toAccountId: to.id, selection: w.explicitInside(block) } });
  }
  if (items.length === 0) return null;
  const duplicate = w.rng.pick(items);
  items.push({ actor: duplicate.actor, proposal: { ...duplicate.proposal, idempotencyKey: w.key() } });
  return { kind: 'burst', label: 'burst: explicit disjoint ranges', items };
}

/** One proposal sent several times at once under one key: one decision, the others replay it. */
export function sameKeyBurst(w: Workload): Step | null {
  const step = w.rng.chance(0.7) ? transfer(w, 'implicit') : transfer(w, 'explicit');
  if (!step || step.kind !== 'single') return null;
  const n = w.rng.between(3, 6);
  return { kind: 'burst', label: 'burst: one key, same input', items: Array.from({ length: n }, () => ({ actor: step.actor, proposal: step.proposal })) };
}

/**
 * Issuances at once: one series per account, so that the serials each gets do not depend on the
 * order, plus identical issuances into one account. With `race`, one series into several accounts
 * (the regression probe issuance-time-not-serial-order).
 */
export function issuanceBurst(w: Workload, race: boolean): Step | null {
  const accounts = w.accountsWhere((a) => (a.type === 'ISSUANCE' || a.type === 'PENDING') && a.status === 'ACTIVE');
  if (accounts.length < 2) return null;
  const items: Item[] = [];
  if (race) {
    const series = w.rng.pick(w.catalog.mechanism);
    for (const account of accounts) items.push({ actor: ADMIN, proposal: { kind: 'ISSUANCE', idempotencyKey: w.key(), accountId: account.id, series, quantity: w.rng.big(1n, 50n) } });
    return { kind: 'burst', label: 'burst: one series into several accounts', items, probe: 'issuance-time-not-serial-order' };
  }
  const taken = new Set<string>();
  for (const account of accounts) {
    const series = w.seriesFor(account);
    const id = seriesIdOf(series);
    if (taken.has(id)) continue;
    taken.add(id);
    const copies = w.rng.chance(0.3) ? w.rng.between(2, 4) : 1;
    const quantity = w.issuanceQuantity();
    for (let c = 0; c < copies; c++) items.push({ actor: ADMIN, proposal: { kind: 'ISSUANCE', idempotencyKey: w.key(), accountId: account.id, series, quantity } });
  }
  return { kind: 'burst', label: 'burst: issuances', items };
}

/** Identical implicit transfers out of one account, beside explicit transfers that leave it alone, and a few refusals. */
export function mixedBurst(w: Workload): Step | null {
  const identical = identicalBurst(w);
  if (!identical || identical.kind !== 'burst') return null;
  const first = identical.items[0]?.proposal;
  if (!first || first.kind !== 'TRANSFER') return null;
  // The implicit sender neither receives nor sends anything else, so its selections see only each other.
  const explicit = explicitBurst(w, new Set([first.fromAccountId]));
  const refusals: Item[] = [
    { actor: VIEWER, proposal: { kind: 'TRANSFER', idempotencyKey: w.key(), fromAccountId: first.fromAccountId, toAccountId: first.toAccountId, selection: { mode: 'implicit', quantity: 1n, constraints: {} } } },
    { actor: ADMIN, proposal: { kind: 'TRANSFER', idempotencyKey: w.key(), fromAccountId: 'NOPE-5', toAccountId: first.toAccountId, selection: { mode: 'implicit', quantity: 1n, constraints: {} } } },
  ];
  const items = [...identical.items.slice(0, 4), ...(explicit?.kind === 'burst' ? explicit.items : []), ...refusals];
  return { kind: 'burst', label: 'burst: mixed', items };
}

