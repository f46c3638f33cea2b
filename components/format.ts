// Fixed locale: the server and the browser must print the same text, or hydration fails.
const grouped = new Intl.NumberFormat('en-US');

/** A quantity with thousands separators, straight from the bigint: never through Number. */
export function formatUnits(quantity: bigint): string {
  return grouped.format(quantity);
}

/** A balance change with its sign: "+1,000", "-250", "0". */
export function formatSignedUnits(delta: bigint): string {
  if (delta > 0n) return `+${grouped.format(delta)}`;
  if (delta < 0n) return `-${grouped.format(-delta)}`;
  return '0';
}

/** "2025-03-01 14:05 UTC": registries record in UTC, so the page never shifts it to local time. */
export function formatUtc(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** The first eight characters of an id, enough to tell transactions apart on a page. */
export function shortId(id: string): string {
  return id.slice(0, 8);
}
