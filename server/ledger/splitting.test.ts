import { describe, expect, it } from 'vitest';
import { blockSize, remainders, selectExplicit, selectImplicit, type HeldBlock } from './splitting';

let nextId = 1n;
function blocksOfSizes(...sizes: number[]): HeldBlock[] {
  let serial = 1n;
  return sizes.map((size) => {
    const block = { id: nextId++, seriesId: 'S1', firstSerial: serial, lastSerial: serial + BigInt(size) - 1n };
    serial += BigInt(size) + 10n;
    return block;
  });
}

const sizesTaken = (blocks: HeldBlock[], quantity: bigint) => {
  const result = selectImplicit(blocks, quantity);
  if (!result.ok) throw new Error('expected a selection');
  return result.takes.map((t) => ({ of: Number(blockSize(t.block)), taken: Number(blockSize(t)) }));
};

describe('implicit splitting (A6R-52)', () => {
  it('takes a block of exactly the quantity whole, even when smaller blocks would add up', () => {
    expect(sizesTaken(blocksOfSizes(1, 2, 3, 6, 10), 6n)).toEqual([{ of: 6, taken: 6 }]);
  });

  it('accumulates smallest first and takes them whole when they add up exactly', () => {
    // No block holds 6; 2 + 4 would make 6 as well, but accumulation goes smallest first: 1 + 2 + 3.
    expect(sizesTaken(blocksOfSizes(4, 50, 3, 1, 2), 6n)).toEqual([
      { of: 1, taken: 1 },
      { of: 2, taken: 2 },
      { of: 3, taken: 3 },
    ]);
    expect(sizesTaken(blocksOfSizes(2, 3, 100), 5n)).toEqual([
      { of: 2, taken: 2 },
      { of: 3, taken: 3 },
    ]);
  });

  it('(d) splits the largest taken when the last block taken is longer than the quantity', () => {
    expect(sizesTaken(blocksOfSizes(3, 100, 4), 50n)).toEqual([
      { of: 3, taken: 3 },
      { of: 4, taken: 4 },
      { of: 100, taken: 43 },
    ]);
  });

  it('(c) splits the smallest when the last block taken is shorter than the quantity', () => {
    expect(sizesTaken(blocksOfSizes(3, 4, 5), 10n)).toEqual([
      { of: 3, taken: 1 },
      { of: 4, taken: 4 },
      { of: 5, taken: 5 },
    ]);
  });

  it('(c) leaves out small blocks that lie wholly inside the overshoot rather than splitting them', () => {
    expect(sizesTaken(blocksOfSizes(1, 5, 5), 10n)).toEqual([
      { of: 5, taken: 5 },
      { of: 5, taken: 5 },
    ]);
  });

  it('reports what is available when the blocks do not suffice', () => {
    expect(selectImplicit(blocksOfSizes(1, 2), 4n)).toEqual({ ok: false, available: 3n });
  });

  it('holds its properties over random holdings: exact quantity, at most one split, split only when no whole answer', () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let round = 0; round < 2000; round++) {
      const sizes = Array.from({ length: 1 + Math.floor(random() * 8) }, () => 1 + Math.floor(random() * 20));
      const blocks = blocksOfSizes(...sizes);
      const total = sizes.reduce((a, b) => a + b, 0);
      const quantity = BigInt(1 + Math.floor(random() * (total + 5)));
      const result = selectImplicit(blocks, quantity);
      if (quantity > BigInt(total)) {
        expect(result.ok).toBe(false);
        continue;
      }
      if (!result.ok) throw new Error(`refused a feasible quantity ${quantity} of ${sizes}`);
      const taken = result.takes.reduce((a, t) => a + blockSize(t), 0n);
      expect(taken).toBe(quantity);
      const splits = result.takes.filter((t) => blockSize(t) !== blockSize(t.block));
      expect(splits.length).toBeLessThanOrEqual(1);
      if (sizes.includes(Number(quantity))) expect(splits).toHaveLength(0);
      expect(new Set(result.takes.map((t) => t.block.id)).size).toBe(result.takes.length);
    }
  });
});

describe('explicit splitting', () => {
  const [block] = blocksOfSizes(100) as [HeldBlock];

  it('splits into three when the range is inside the block', () => {
    const take = selectExplicit([block], 'S1', block.firstSerial + 10n, block.firstSerial + 19n);
    expect(take).not.toBeNull();
    expect(remainders(take!).map(blockSize)).toEqual([10n, 80n]);
  });

  it('splits into two when the range touches an edge, and not at all for the whole block', () => {
    expect(remainders(selectExplicit([block], 'S1', block.firstSerial, block.firstSerial + 9n)!).map(blockSize)).toEqual([90n]);
    expect(remainders(selectExplicit([block], 'S1', block.firstSerial, block.lastSerial)!)).toEqual([]);
  });

  it('refuses a range that leaves the block or names another series', () => {
    expect(selectExplicit([block], 'S1', block.lastSerial, block.lastSerial + 1n)).toBeNull();
    expect(selectExplicit([block], 'S2', block.firstSerial, block.firstSerial)).toBeNull();
  });
});
