import type { Changes, NewBlock } from '../plan';
import type { Diversion } from './types';

/**
 * Applies supplementary operations to a transaction's changes: each diversion takes its quantity from
 * the blocks created in `toAccountId`, highest serials first, and creates them in its own account
 * instead. Units are neither made nor lost: the same serials end up in other accounts.
 */
export function divert(changes: Changes, toAccountId: string, diversions: readonly Diversion[]): Changes {
  const arriving = changes.create.filter((b) => b.accountId === toAccountId).map((b) => ({ ...b }));
  const others = changes.create.filter((b) => b.accountId !== toAccountId);
  const before = arriving.reduce((sum, b) => sum + size(b), 0n);
  const diverted: NewBlock[] = [];
  let total = 0n;
  for (const d of diversions) {
    if (d.quantity <= 0n) throw new Error(`divert: a diversion of ${d.quantity} units`);
    total += d.quantity;
    let left = d.quantity;
    while (left > 0n) {
      const last = arriving[arriving.length - 1];
      // Precondition: the rules never divert as much as arrives (checked by the caller, asserted here).
      if (!last) throw new Error(`divert: ${total} units diverted but only ${before} arrive in ${toAccountId}`);
      const taken = left < size(last) ? left : size(last);
      diverted.push({ seriesId: last.seriesId, firstSerial: last.lastSerial - taken + 1n, lastSerial: last.lastSerial, accountId: d.accountId });
      if (taken === size(last)) arriving.pop();
      else arriving[arriving.length - 1] = { ...last, lastSerial: last.lastSerial - taken };
      left -= taken;
    }
  }
  const after = arriving.reduce((sum, b) => sum + size(b), 0n) + diverted.reduce((sum, b) => sum + size(b), 0n);
  // Postcondition: as many units created as before.
  if (after !== before) throw new Error(`divert: ${before} units arrived, ${after} after diverting`);
  return { ...changes, create: [...arriving, ...diverted, ...others] };
}

const size = (b: NewBlock): bigint => b.lastSerial - b.firstSerial + 1n;
