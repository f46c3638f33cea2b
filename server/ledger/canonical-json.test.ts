import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json';

describe('canonicalJson', () => {
  it('sorts keys, drops undefined, writes bigint and dates as strings, without whitespace', () => {
    expect(canonicalJson({ b: 1n, a: [true, null, 'x'], c: undefined, d: new Date('2026-01-02T03:04:05Z') })).toBe('{"a":[true,null,"x"],"b":"1","d":"2026-01-02T03:04:05.000Z"}');
  });

  it('gives the same text for the same data whatever the key order', () => {
    expect(canonicalJson({ x: { q: 1, p: 2 }, y: 'z' })).toBe(canonicalJson({ y: 'z', x: { p: 2, q: 1 } }));
  });

  it('refuses non-integer numbers, which have no place in chained data', () => {
    expect(() => canonicalJson({ q: 1.5 })).toThrow(/non-integer/);
  });
});
