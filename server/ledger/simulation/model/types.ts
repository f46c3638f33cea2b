import type { AccountStatus, AccountType, Registry } from '../../../db/generated/enums';
import type { Actor, SeriesAttributes } from '../../types';

/** The model's records and answers (../model.ts), shared by its parts and read by the workload. */

export interface ModelBlock {
  readonly seriesId: string;
  readonly firstSerial: bigint;
  readonly lastSerial: bigint;
}

export interface ModelAccount {
  readonly id: string;
  readonly registry: Registry;
  readonly type: AccountType;
  readonly status: AccountStatus;
  readonly sectionId: string | null;
  readonly cooperativeApproachId: string | null;
}

/** A transfer waiting in escrow for its answer, or units withheld, and where they came from and go. */
export interface Waiting {
  readonly kind: 'reservation' | 'withholding';
  readonly fromId: string;
  readonly toId: string;
  /** Where the units wait: the escrow account, or the administrative holding account. */
  readonly holdId: string;
  readonly blocks: readonly ModelBlock[];
  readonly initiator: Actor;
  answered: boolean;
}

export interface ModelSeries extends SeriesAttributes {
  readonly id: string;
}

/** What the model expects the ledger to answer, and which accounts' blocks to compare afterwards. */
export type Prediction =
  | { readonly status: 'RECORDED'; readonly quantity: bigint; readonly replayed: boolean; readonly accounts: readonly string[] }
  | { readonly status: 'REJECTED'; readonly codes: readonly number[]; readonly replayed: boolean; readonly accounts: readonly string[] };

/** The largest quantity one operation may create (the ledger's published limit, part of its contract). */
export const MODEL_MAX_QUANTITY = 1_000_000_000_000n;
/** The serial space: positive 64-bit integers. Units beyond it cannot exist, so no proposal may create them. */
export const MODEL_MAX_SERIAL = 2n ** 63n - 1n;

/** A decision on a proposal: its refusal codes, or the quantity it records and how it changes the model. */
export type Decision = { readonly codes: readonly number[] } | { readonly quantity: bigint; readonly commit: () => void };

export const size = (b: { readonly firstSerial: bigint; readonly lastSerial: bigint }) => b.lastSerial - b.firstSerial + 1n;

/** An idempotency key in its initiator's key space. */
export function keyOf(initiatorId: string, idempotencyKey: string): string {
  return `${initiatorId}\u0000${idempotencyKey}`;
}
