export type ParsedWholeNumber = { readonly ok: true; readonly value: bigint } | { readonly ok: false; readonly message: string };

// "1,000" and "12,500,000" are accepted; "1,5" is not, since in many locales it means one and a half.
const GROUPED = /^\d{1,3}(,\d{3})+$/;

/**
 * Parses a positive whole number of units or a serial, exactly, as a bigint. `what` names the field
 * as it starts a sentence ("The quantity"); `missing` is the message for an empty field.
 */
export function parseWholeNumber(text: string, what: string, missing: string): ParsedWholeNumber {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false, message: missing };
  const digits = GROUPED.test(trimmed) ? trimmed.replaceAll(',', '') : trimmed;
  if (/^[+-]?\d*[.,]\d*$/.test(digits)) return { ok: false, message: `${what} must be a whole number, without decimals.` };
  if (/^-\d+$/.test(digits)) return { ok: false, message: `${what} must be greater than zero.` };
  if (!/^\+?\d+$/.test(digits)) return { ok: false, message: `${what} must be a whole number, like 1000.` };
  const value = BigInt(digits.replace('+', ''));
  if (value <= 0n) return { ok: false, message: `${what} must be greater than zero.` };
  return { ok: true, value };
}
