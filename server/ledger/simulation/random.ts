/**
 * The simulation's only source of randomness: the workload draws everything from one Random seeded
 * with the run's seed, in a fixed order, so a seed generates the same proposals every time.
 */

/** mulberry32: tiny, fast, and the same on every platform; plenty for a workload generator. */
export class Random {
  private state: number;
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) throw new Error(`seed must be an integer, got ${seed}`);
    // Seeds above 2^32 still count: fold the high part in.
    this.state = (seed ^ Math.floor(seed / 2 ** 32)) >>> 0;
  }
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [0, n). */
  int(n: number): number {
    if (!(n >= 1)) throw new Error(`Random.int: n must be at least 1, got ${n}`);
    return Math.floor(this.next() * n);
  }
  /** An integer in [low, high]. */
  between(low: number, high: number): number {
    return low + this.int(high - low + 1);
  }
  /** A bigint in [low, high]; the ranges here stay far below 2^52. */
  big(low: bigint, high: bigint): bigint {
    if (high < low) throw new Error(`Random.big: empty range [${low}, ${high}]`);
    return low + BigInt(Math.floor(this.next() * Number(high - low + 1n)));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('Random.pick: nothing to pick from');
    return items[this.int(items.length)] as T;
  }
  weighted<T>(entries: readonly (readonly [T, number])[]): T {
    const total = entries.reduce((s, [, w]) => s + w, 0);
    let r = this.next() * total;
    for (const [item, weight] of entries) {
      if (r < weight) return item;
      r -= weight;
    }
    return (entries[entries.length - 1] as readonly [T, number])[0];
  }
}
