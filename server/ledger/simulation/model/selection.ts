import { size, type ModelBlock } from './types';

/** The implicit selection (A6R-52) as the model computes it, straight from the requirement. */

/** A range taken out of a held block. */
export interface ModelTake {
  readonly block: ModelBlock;
  readonly firstSerial: bigint;
  readonly lastSerial: bigint;
}

/** Smallest first; ties by series id, then first serial (the published tie order). */
export function bySize(a: ModelBlock, b: ModelBlock): number {
  const d = size(a) - size(b);
  if (d !== 0n) return d < 0n ? -1 : 1;
  if (a.seriesId !== b.seriesId) return a.seriesId < b.seriesId ? -1 : 1;
  return a.firstSerial === b.firstSerial ? 0 : a.firstSerial < b.firstSerial ? -1 : 1;
}

export function bySeriesThenSerial(a: ModelBlock, b: ModelBlock): number {
  if (a.seriesId !== b.seriesId) return a.seriesId < b.seriesId ? -1 : 1;
  return a.firstSerial === b.firstSerial ? 0 : a.firstSerial < b.firstSerial ? -1 : 1;
}

/** The lowest `count` serials of a block: a split keeps the lowest serials for the transfer. */
const lowest = (block: ModelBlock, count: bigint): ModelTake => ({ block, firstSerial: block.firstSerial, lastSerial: block.firstSerial + count - 1n });
const wholeOf = (block: ModelBlock): ModelTake => ({ block, firstSerial: block.firstSerial, lastSerial: block.lastSerial });

/**
 * A6R-52, read straight from the requirement: (1) a range matching the amount by length is taken;
 * (2a) otherwise sort by size, shortest first; (2b) accumulate enough; (2c) if the last range taken is
 * shorter than the amount, transfer it and the smaller ones, splitting the smallest if necessary, and
 * leave out the smallest ones that lie wholly inside the overshoot, so that nothing is split needlessly;
 * (2d) if the last range is longer than the amount, transfer all from the smallest and split the
 * largest (the last).
 */
export type SelectionBranch = 'exact' | 'whole-blocks' | 'split-largest' | 'split-smallest' | 'left-out-small-blocks';

export function modelImplicitSelection(matching: readonly ModelBlock[], quantity: bigint): { readonly takes: readonly ModelTake[]; readonly branch: SelectionBranch } | { readonly available: bigint } {
  if (quantity <= 0n) throw new Error('modelImplicitSelection: quantity must be positive');
  const sorted = [...matching].sort(bySize);
  const exact = sorted.find((b) => size(b) === quantity);
  if (exact) return checked({ takes: [wholeOf(exact)], branch: 'exact' }, quantity);
  const taken: ModelBlock[] = [];
  let sum = 0n;
  for (const block of sorted) {
    if (sum >= quantity) break;
    taken.push(block);
    sum += size(block);
  }
  if (sum < quantity) return { available: sum };
  if (sum === quantity) return checked({ takes: taken.map(wholeOf), branch: 'whole-blocks' }, quantity);
  const last = taken[taken.length - 1] as ModelBlock;
  if (size(last) > quantity) {
    const before = taken.slice(0, -1);
    const rest = quantity - before.reduce((s, b) => s + size(b), 0n);
    return checked({ takes: [...before.map(wholeOf), lowest(last, rest)], branch: 'split-largest' }, quantity);
  }
  let excess = sum - quantity;
  let kept = taken;
  while (kept.length > 0 && excess >= size(kept[0] as ModelBlock)) {
    excess -= size(kept[0] as ModelBlock);
    kept = kept.slice(1);
  }
  const branch: SelectionBranch = kept.length < taken.length ? 'left-out-small-blocks' : 'split-smallest';
  if (excess === 0n) return checked({ takes: kept.map(wholeOf), branch }, quantity);
  const smallest = kept[0] as ModelBlock;
  return checked({ takes: [lowest(smallest, size(smallest) - excess), ...kept.slice(1).map(wholeOf)], branch }, quantity);
}

/** Postconditions of every selection: exactly the quantity, inside the blocks, at most one block split. */
function checked(selection: { readonly takes: readonly ModelTake[]; readonly branch: SelectionBranch }, quantity: bigint): { readonly takes: readonly ModelTake[]; readonly branch: SelectionBranch } {
  const total = selection.takes.reduce((s, t) => s + size(t), 0n);
  if (total !== quantity) throw new Error(`model selection took ${total} units for ${quantity}`);
  if (selection.takes.some((t) => t.firstSerial < t.block.firstSerial || t.lastSerial > t.block.lastSerial || t.firstSerial > t.lastSerial)) throw new Error('model selection left its block');
  if (selection.takes.filter((t) => size(t) !== size(t.block)).length > 1) throw new Error('model selection split more than one block');
  return selection;
}

