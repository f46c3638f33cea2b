import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { canonicalJson, encoded, Encoded, sha256Hex, type CanonicalValue } from './canonical-json';

describe('canonicalJson', () => {
  it('sorts keys, drops undefined, writes bigint and dates as strings, without whitespace', () => {
    expect(canonicalJson({ b: 1n, a: [true, null, 'x'], c: undefined, d: new Date('2026-01-02T03:04:05Z') })).toBe('{"a":[true,null,"x"],"b":"1","d":"2026-01-02T03:04:05.000Z"}');
  });

  it('gives the same text for the same data whatever the key order', () => {
    expect(canonicalJson({ x: { q: 1, p: 2 }, y: 'z' })).toBe(canonicalJson({ y: 'z', x: { p: 2, q: 1 } }));
  });

  it('writes other numbers as ECMAScript does (RFC 8785), so bad input is logged as it came', () => {
    expect(canonicalJson({ v: 2022.5, w: -0, x: 1e21, y: 0.1 })).toBe('{"v":2022.5,"w":0,"x":1e+21,"y":0.1}');
  });

  it('refuses NaN and infinities, which JSON input cannot carry', () => {
    expect(() => canonicalJson({ q: Number.NaN })).toThrow(/non-finite/);
    expect(() => canonicalJson({ q: Number.POSITIVE_INFINITY })).toThrow(/non-finite/);
  });

  it('embeds an encoded value as the same bytes', () => {
    const input = encoded({ b: 2n, a: 'x' });
    expect(canonicalJson({ input, z: 1 })).toBe(`{"input":${canonicalJson({ a: 'x', b: 2n })},"z":1}`);
  });

  it('writes exactly what a plain reference encoder writes, for random values with awkward strings', () => {
    // The definition, written the obvious way: JSON.stringify for every string and key, keys sorted by
    // Array.prototype.sort, undefined members dropped.
    const reference = (value: CanonicalValue): string => {
      if (value === null) return 'null';
      if (value instanceof Encoded) return value.text;
      if (typeof value === 'bigint') return JSON.stringify(value.toString());
      if (typeof value === 'number') return Object.is(value, -0) ? '0' : JSON.stringify(value);
      if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
      if (value instanceof Date) return JSON.stringify(value.toISOString());
      if (Array.isArray(value)) return `[${value.map((item) => reference(item as CanonicalValue)).join(',')}]`;
      const object = value as { readonly [key: string]: CanonicalValue | undefined };
      const keys = Object.keys(object).filter((key) => object[key] !== undefined).sort();
      return `{${keys.map((key) => `${JSON.stringify(key)}:${reference(object[key] as CanonicalValue)}`).join(',')}}`;
    };
    // Quotes, backslashes, controls, DEL, non-ASCII, line separators, astral characters, lone
    // surrogates, private use (sorts after surrogates by code unit), and plain ASCII.
    const pieces = ['a', 'B', 'z', '0', '-', '_', ' ', '~', '"', '\\', '\n', '\t', '\u0000', '\u001f', '\u007f', 'é', '\u2028', '\u{1f600}', '\ud800', '\udfff', '\ue000', '\uffff'];
    let seed = 20261122;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const pick = <T,>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const text = (): string => (random() < 0.1 ? 'x'.repeat(60 + Math.floor(random() * 10)) : '') + Array.from({ length: Math.floor(random() * 7) }, () => pick(pieces)).join('');
    const value = (depth: number): CanonicalValue => {
      switch (Math.floor(random() * (depth > 3 ? 6 : 9))) {
        case 0:
          return null;
        case 1:
          return random() < 0.5;
        case 2:
          return pick([0, -0, 1.5, 1e21, 2022, -3, 0.1]);
        case 3:
          return text();
        case 4:
          return BigInt(Math.floor(random() * 1e9)) * pick([1n, -1n, 10n ** 12n]);
        case 5:
          return new Date(Math.floor(random() * 4e12));
        case 6:
          return Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1));
        case 7:
          return encoded(value(depth + 1));
        default: {
          const object: Record<string, CanonicalValue | undefined> = {};
          for (let i = 0, n = Math.floor(random() * 6); i < n; i++) object[text()] = random() < 0.15 ? undefined : value(depth + 1);
          return object;
        }
      }
    };
    for (let i = 0; i < 20_000; i++) {
      const v = value(0);
      const [got, want] = [canonicalJson(v), reference(v)];
      if (got !== want) expect({ case: i, got }).toEqual({ case: i, got: want });
    }
  });

  it('hashes the UTF-8 bytes of a text with SHA-256, in hex', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    for (const text of ['', 'é', '\u{1f600}', canonicalJson({ a: 'Zürich', b: 1n })]) expect(sha256Hex(text)).toBe(createHash('sha256').update(Buffer.from(text, 'utf8')).digest('hex'));
  });
});
