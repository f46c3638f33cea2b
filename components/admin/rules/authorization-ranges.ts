import { humanBlock } from '@/server/ledger/serial';
import type { RouterOutputs } from '../../router-types';

/** A series of the Party's units, to choose serial ranges from. */
export type Series = RouterOutputs['rules']['authorizableSeries'][number];

/** One serial range as typed in the form. */
export interface RangeRow {
  readonly key: number;
  readonly seriesId: string;
  readonly first: string;
  readonly last: string;
}

const WHOLE = /^[1-9][0-9]{0,18}$/;
export const MAX_RANGES = 1_000;

/** The range as human-readable serials (A6R-40), once its series and serials are valid. */
export function rangePreview(series: Series | undefined, row: RangeRow): string | null {
  if (!series || !WHOLE.test(row.first.trim()) || !WHOLE.test(row.last.trim())) return null;
  const first = BigInt(row.first.trim());
  const last = BigInt(row.last.trim());
  return first <= last ? humanBlock(series, first, last) : null;
}

/** Problems of the ranges, keyed by the field's id; each message names the range and the field. */
export function rangeProblems(rows: readonly RangeRow[], series: readonly Series[] | undefined): Record<string, string> {
  const found: Record<string, string> = {};
  if (rows.length === 0) found.ranges = 'Add at least one serial range.';
  if (rows.length > MAX_RANGES) found.ranges = `An authorization lists at most ${MAX_RANGES} serial ranges.`;
  rows.forEach((row, i) => {
    const n = i + 1;
    const chosen = series?.find((s) => s.seriesId === row.seriesId);
    if (!chosen) found[`series-${row.key}`] = `Range ${n}: choose the series of the units.`;
    const first = row.first.trim();
    const last = row.last.trim();
    if (!WHOLE.test(first)) found[`first-${row.key}`] = `Range ${n}: the first serial must be a whole number greater than zero.`;
    if (!WHOLE.test(last)) found[`last-${row.key}`] = `Range ${n}: the last serial must be a whole number greater than zero.`;
    else if (WHOLE.test(first) && BigInt(first) > BigInt(last)) found[`last-${row.key}`] = `Range ${n}: the last serial must not be before the first.`;
    else if (chosen && WHOLE.test(first) && (BigInt(first) < chosen.firstSerial || BigInt(last) > chosen.lastSerial)) {
      found[`last-${row.key}`] = `Range ${n}: this series has units only from serial ${chosen.firstSerial.toString()} to ${chosen.lastSerial.toString()}.`;
    }
  });
  return found;
}
