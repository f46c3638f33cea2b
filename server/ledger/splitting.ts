/**
 * Which units a transfer takes (A6R-52). Pure: the caller passes the account's current blocks and
 * gets back the parts to move; the write path turns them into closed and created block records.
 */
export interface HeldBlock {
  readonly id: bigint;
  readonly seriesId: string;
  readonly firstSerial: bigint;
  readonly lastSerial: bigint;
}

/** The serial range [firstSerial, lastSerial] taken out of `block`. */
export interface Take {
  readonly block: HeldBlock;
  readonly firstSerial: bigint;
  readonly lastSerial: bigint;
}

export function blockSize(block: { readonly firstSerial: bigint; readonly lastSerial: bigint }): bigint {
  return block.lastSerial - block.firstSerial + 1n;
}

/**
 * Explicit splitting: the whole range must lie inside one held block of the series. The block then
 * splits into two or three records (the taken part and the one or two remainders).
 */
export function selectExplicit(blocks: readonly HeldBlock[], seriesId: string, firstSerial: bigint, lastSerial: bigint): Take | null {
  if (firstSerial > lastSerial) return null;
  const block = blocks.find((b) => b.seriesId === seriesId && b.firstSerial <= firstSerial && lastSerial <= b.lastSerial);
  return block ? { block, firstSerial, lastSerial } : null;
}

export type ImplicitSelection = { readonly ok: true; readonly takes: readonly Take[] } | { readonly ok: false; readonly available: bigint };

/**
 * Implicit splitting, the A6R-52 algorithm exactly, over blocks that already match the constraints:
 * 1. a block whose size equals the quantity is taken whole;
 * 2. else blocks sorted smallest first are accumulated until the quantity is reached;
 *    (c) if the last block taken is shorter than the quantity, all taken blocks move and the smallest
 *        is split;
 *    (d) if it is longer, all blocks from the smallest move and the largest (the last) is split.
 * At most one block is split. Ties are broken by series and serial so that the choice is
 * deterministic, which replay depends on. A split keeps the lowest serials of the block.
 */
export function selectImplicit(matching: readonly HeldBlock[], quantity: bigint): ImplicitSelection {
  if (quantity <= 0n) throw new Error(`selectImplicit: quantity must be positive, got ${quantity}`);
  const sorted = [...matching].sort(compareBySizeThenSerial);

  const exact = sorted.find((b) => blockSize(b) === quantity);
  if (exact) return { ok: true, takes: [whole(exact)] };

  const taken: HeldBlock[] = [];
  let sum = 0n;
  for (const block of sorted) {
    taken.push(block);
    sum += blockSize(block);
    if (sum >= quantity) break;
  }
  if (sum < quantity) return { ok: false, available: sum };

  const overshoot = sum - quantity;
  if (overshoot === 0n) return { ok: true, takes: taken.map(whole) };

  const last = taken[taken.length - 1] as HeldBlock;
  let takes: Take[];
  if (blockSize(last) > quantity) {
    // (d) split the largest taken, which is the last.
    takes = [...taken.slice(0, -1).map(whole), partial(last, blockSize(last) - overshoot)];
  } else {
    // (c) split the smallest. Blocks wholly inside the overshoot are not needed at all: leaving them
    // out keeps them whole, which is the point of the algorithm.
    let rest = taken;
    let excess = overshoot;
    while (rest.length > 0 && excess >= blockSize(rest[0] as HeldBlock)) {
      excess -= blockSize(rest[0] as HeldBlock);
      rest = rest.slice(1);
    }
    const smallest = rest[0] as HeldBlock;
    takes = excess === 0n ? rest.map(whole) : [partial(smallest, blockSize(smallest) - excess), ...rest.slice(1).map(whole)];
  }
  assertTakesSum(takes, quantity);
  return { ok: true, takes };
}

function compareBySizeThenSerial(a: HeldBlock, b: HeldBlock): number {
  const bySize = blockSize(a) - blockSize(b);
  if (bySize !== 0n) return bySize < 0n ? -1 : 1;
  if (a.seriesId !== b.seriesId) return a.seriesId < b.seriesId ? -1 : 1;
  return a.firstSerial < b.firstSerial ? -1 : a.firstSerial > b.firstSerial ? 1 : 0;
}

function whole(block: HeldBlock): Take {
  return { block, firstSerial: block.firstSerial, lastSerial: block.lastSerial };
}

function partial(block: HeldBlock, count: bigint): Take {
  if (count <= 0n || count >= blockSize(block)) throw new Error(`partial: ${count} out of range for block ${block.id}`);
  return { block, firstSerial: block.firstSerial, lastSerial: block.firstSerial + count - 1n };
}

function assertTakesSum(takes: readonly Take[], quantity: bigint): void {
  const total = takes.reduce((acc, t) => acc + blockSize(t), 0n);
  if (total !== quantity) throw new Error(`selectImplicit: took ${total} units for a quantity of ${quantity}`);
  const split = takes.filter((t) => blockSize(t) !== blockSize(t.block)).length;
  if (split > 1) throw new Error(`selectImplicit: split ${split} blocks, at most one may be split`);
}

/**
 * The records a take leaves behind in the transferring account: zero, one or two remainders.
 */
export function remainders(take: Take): { firstSerial: bigint; lastSerial: bigint }[] {
  const out: { firstSerial: bigint; lastSerial: bigint }[] = [];
  if (take.firstSerial > take.block.firstSerial) out.push({ firstSerial: take.block.firstSerial, lastSerial: take.firstSerial - 1n });
  if (take.lastSerial < take.block.lastSerial) out.push({ firstSerial: take.lastSerial + 1n, lastSerial: take.block.lastSerial });
  return out;
}
