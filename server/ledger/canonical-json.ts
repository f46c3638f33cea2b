import { hash } from 'node:crypto';

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

/**
 * The encoder of chained data. It writes exactly what `JSON.stringify` writes for each string (keys
 * included), sorts keys with `Array.prototype.sort` (UTF-16 code units) and drops undefined members;
 * the write path calls it for every transaction, so it builds its text in one pass. Its output is
 * checked against a plain reference encoder on random values (canonical-json.test.ts).
 */
export function canonicalJson(value: CanonicalValue): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return jsonString(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      // Digits and a minus sign: nothing to escape.
      return `"${value.toString()}"`;
    case 'number':
      // Quantities and serials are bigint. Other numbers (a vintage) are integers in valid input, but
      // invalid input is logged as it came, so any finite number is encoded, in ECMAScript's shortest
      // round-trip form (as RFC 8785 does). NaN and infinities cannot come from JSON: a bug, not data.
      if (!Number.isFinite(value)) throw new Error(`canonicalJson: non-finite number ${value}`);
      return Object.is(value, -0) ? '0' : JSON.stringify(value);
  }
  if (value instanceof Encoded) return value.text;
  if (value instanceof Date) return `"${value.toISOString()}"`;
  if (Array.isArray(value)) {
    let text = '[';
    for (let i = 0; i < value.length; i++) text += (i === 0 ? '' : ',') + canonicalJson(value[i] as CanonicalValue);
    return `${text}]`;
  }
  const object = value as { readonly [key: string]: CanonicalValue | undefined };
  let text = '{';
  let first = true;
  for (const key of Object.keys(object).sort()) {
    const member = object[key];
    if (member === undefined) continue;
    text += (first ? '' : ',') + jsonString(key) + ':' + canonicalJson(member);
    first = false;
  }
  return `${text}}`;
}

/** Printable ASCII other than the quote and the backslash: written as is, as JSON.stringify would. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** A string as JSON.stringify writes it; short plain strings (ids, keys, digests) without the call. */
function jsonString(text: string): string {
  return text.length <= 64 && PLAIN.test(text) ? `"${text}"` : JSON.stringify(text);
}

/** SHA-256 of the text's UTF-8 bytes, in hex (one-shot: no Hash object for every transaction). */
export function sha256Hex(text: string): string {
  return hash('sha256', text, 'hex');
}
