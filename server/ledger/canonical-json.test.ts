import { describe, expect, it } from 'vitest';
import { canonicalJson, encoded } from './canonical-json';

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
});
