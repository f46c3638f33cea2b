import type { VintageHolding } from '../router-types';

/** Holdings by vintage and unit type, summed exactly (bigint), for the chart and its table. */
export interface Pivot {
  readonly unitTypes: readonly string[];
  readonly vintages: readonly number[];
  readonly exact: ReadonlyMap<string, bigint>;
  readonly total: bigint;
}

export const keyOf = (vintage: number, unitType: string) => `${vintage}|${unitType}`;

export function pivot(data: readonly VintageHolding[]): Pivot {
  const exact = new Map<string, bigint>();
  for (const d of data) {
    const key = keyOf(d.vintage, d.unitType);
    exact.set(key, (exact.get(key) ?? 0n) + d.quantity);
  }
  return {
    unitTypes: [...new Set(data.map((d) => d.unitType))].sort(),
    vintages: [...new Set(data.map((d) => d.vintage))].sort((a, b) => a - b),
    exact,
    total: data.reduce((sum, d) => sum + d.quantity, 0n),
  };
}
