import { createHash } from 'node:crypto';

/**
 * Canonical JSON: object keys sorted by code point, no whitespace, bigint as a decimal string,
 * Date as ISO-8601 UTC. The log is hashed over exactly these bytes, so two encoders that disagree
 * would break verification: keep this the only encoder of chained data.
 */
export type CanonicalValue =
  | null
  | Encoded
  | boolean
  | number
  | string
  | bigint
  | Date
  | readonly CanonicalValue[]
  | { readonly [key: string]: CanonicalValue | undefined };

/**
 * A value already in canonical JSON, embedded as is where it appears in a larger value: the write path
 * hashes a proposal's input once and puts the same bytes in the log entry, instead of parsing them back
 * and encoding them again. Only `encoded` makes one, so its text is always canonicalJson's output.
 */
export class Encoded {
  private constructor(readonly text: string) {}

  static of(value: CanonicalValue): Encoded {
    return value instanceof Encoded ? value : new Encoded(canonicalJson(value));
  }
}

export const encoded = (value: CanonicalValue): Encoded => Encoded.of(value);

export function canonicalJson(value: CanonicalValue): string {
  if (value === null) return 'null';
  if (value instanceof Encoded) return value.text;
  if (typeof value === 'bigint') return JSON.stringify(value.toString());
  if (typeof value === 'number') {
    // Quantities and serials are bigint. Other numbers (a vintage) are integers in valid input, but
    // invalid input is logged as it came, so any finite number is encoded, in ECMAScript's shortest
    // round-trip form (as RFC 8785 does). NaN and infinities cannot come from JSON: a bug, not data.
    if (!Number.isFinite(value)) throw new Error(`canonicalJson: non-finite number ${value}`);
    return Object.is(value, -0) ? '0' : JSON.stringify(value);
  }
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item as CanonicalValue)).join(',')}]`;
  const object = value as { readonly [key: string]: CanonicalValue | undefined };
  const keys = Object.keys(object)
    .filter((key) => object[key] !== undefined)
    .sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(object[key] as CanonicalValue)}`).join(',')}}`;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
