import type { Actor, Proposal } from '../types';
import type { RegressionProbe } from './regression-probes';

/**
 * What the workload hands the run: a single proposal, or a burst of proposals sent at once. A burst
 * built to hit a regression probe names it, so that a failure says which.
 */

export interface Item {
  readonly actor: Actor;
  readonly proposal: Proposal;
}

export type Step =
  | { readonly kind: 'single'; readonly label: string; readonly actor: Actor; readonly proposal: Proposal }
  | { readonly kind: 'burst'; readonly label: string; readonly items: readonly Item[]; readonly probe?: RegressionProbe };

/** A proposal before it gets its idempotency key (Omit distributed over the union). */
export type Draft = Proposal extends infer P ? (P extends Proposal ? Omit<P, 'idempotencyKey'> : never) : never;

/** The label of a burst of identical implicit transfers, whose outcome the run also checks as a whole. */
export const IDENTICAL_BURST = 'burst: identical implicit transfers';

export const size = (b: { readonly firstSerial: bigint; readonly lastSerial: bigint }) => b.lastSerial - b.firstSerial + 1n;

/** A value as JSON, bigints written `12n`: for the messages of a failure. */
export function jsonText(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
}
