import type { AccountLookup, AccountSummary, BlockView, TransferInput } from '../router-types';
import { parseWholeNumber } from './whole-number';

export type SelectionMode = 'implicit' | 'explicit';

/** The form as typed, strings throughout; parsing happens once, in validateTransfer. */
export interface TransferFields {
  readonly fromAccountId: string;
  readonly toAccountId: string;
  readonly mode: SelectionMode;
  readonly quantity: string;
  readonly unitType: string;
  readonly hostParty: string;
  readonly vintage: string;
  /** The chosen block's id; null until the user picks one, while the query string's block applies. */
  readonly blockId: string | null;
  readonly firstSerial: string;
  readonly lastSerial: string;
}

/** The fields that can be invalid, in the order they appear: the first one gets the focus. */
export const CHECKED_FIELDS = ['fromAccountId', 'toAccountId', 'quantity', 'blockId', 'firstSerial', 'lastSerial'] as const;
export type CheckedField = (typeof CHECKED_FIELDS)[number];
export type FieldErrors = Partial<Record<CheckedField, string>>;

export const fieldId = (field: CheckedField | 'unitType' | 'hostParty' | 'vintage') => `transfer-${field}`;

export interface InitialTransfer {
  readonly from?: string;
  readonly series?: string;
  readonly first?: string;
  readonly last?: string;
}

export function initialFields(initial: InitialTransfer): TransferFields {
  return {
    fromAccountId: initial.from ?? '',
    toAccountId: '',
    mode: initial.series ? 'explicit' : 'implicit',
    quantity: '',
    unitType: '',
    hostParty: '',
    vintage: '',
    blockId: initial.series ? null : '',
    firstSerial: initial.first ?? '',
    lastSerial: initial.last ?? '',
  };
}

/** The block the form shows as chosen: the user's pick, or else the one the query string points into. */
export function chosenBlock(fields: TransferFields, blocks: readonly BlockView[], initial: InitialTransfer): BlockView | undefined {
  if (fields.blockId !== null) return blocks.find((b) => b.id.toString() === fields.blockId);
  const first = /^\d+$/.test(initial.first ?? '') ? BigInt(initial.first ?? '0') : null;
  const inSeries = blocks.filter((b) => b.seriesId === initial.series);
  return inSeries.find((b) => first !== null && b.firstSerial <= first && first <= b.lastSerial) ?? inSeries[0];
}

/** A transfer that passed the form's checks, ready to review and submit. */
export interface PreparedTransfer {
  readonly from: AccountSummary;
  readonly to: AccountLookup;
  readonly selection: TransferInput['selection'];
  readonly quantity: bigint;
  /** For the review: the block a serial range lies in. */
  readonly block: BlockView | undefined;
}

type Checked = { readonly ok: true; readonly selection: TransferInput['selection']; readonly quantity: bigint } | { readonly ok: false; readonly errors: FieldErrors };

/**
 * The checks the browser can make alone: required fields, positive whole numbers, distinct accounts,
 * an ordered serial range. Everything else (holdings, account types and statuses) is the registry's
 * to judge, and its refusals are shown as it words them.
 */
export function validateTransfer(fields: TransferFields, block: BlockView | undefined): Checked {
  const errors: FieldErrors = {};
  const to = fields.toAccountId.trim();
  if (fields.fromAccountId === '') errors.fromAccountId = 'Choose the account to transfer from.';
  if (to === '') errors.toAccountId = 'Enter the number of the account to transfer to.';
  else if (to.length > 64) errors.toAccountId = 'An account number has at most 64 characters.';
  else if (to === fields.fromAccountId) errors.toAccountId = 'The account to transfer to must differ from the account to transfer from.';

  if (fields.mode === 'implicit') {
    const quantity = parseWholeNumber(fields.quantity, 'The quantity', 'Enter the number of units to transfer.');
    if (!quantity.ok) errors.quantity = quantity.message;
    if (Object.keys(errors).length > 0 || !quantity.ok) return { ok: false, errors };
    const constraints = {
      ...(fields.unitType ? { unitType: fields.unitType } : {}),
      ...(fields.hostParty ? { hostParty: fields.hostParty } : {}),
      ...(fields.vintage ? { vintage: Number(fields.vintage) } : {}),
    };
    return { ok: true, selection: { mode: 'implicit', quantity: quantity.value, constraints }, quantity: quantity.value };
  }

  if (!block) errors.blockId = 'Choose the block to take units from.';
  const first = parseWholeNumber(fields.firstSerial, 'The first serial', 'Enter the first serial number.');
  const last = parseWholeNumber(fields.lastSerial, 'The last serial', 'Enter the last serial number.');
  if (!first.ok) errors.firstSerial = first.message;
  if (!last.ok) errors.lastSerial = last.message;
  if (first.ok && last.ok && first.value > last.value) errors.lastSerial = 'The last serial must not be before the first serial.';
  if (Object.keys(errors).length > 0 || !block || !first.ok || !last.ok) return { ok: false, errors };
  return { ok: true, selection: { mode: 'explicit', seriesId: block.seriesId, firstSerial: first.value, lastSerial: last.value }, quantity: last.value - first.value + 1n };
}
