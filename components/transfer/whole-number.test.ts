import { describe, expect, it } from 'vitest';
import { parseWholeNumber } from './whole-number';

const parse = (text: string) => parseWholeNumber(text, 'The quantity', 'Enter the quantity.');

describe('parseWholeNumber', () => {
  it('reads whole numbers exactly, beyond what a JavaScript number holds', () => {
    expect(parse('1234')).toEqual({ ok: true, value: 1234n });
    expect(parse(' 9007199254740993 ')).toEqual({ ok: true, value: 9007199254740993n });
    expect(parse('12,500,000')).toEqual({ ok: true, value: 12_500_000n });
  });

  it('names what is wrong, in a fixed order: missing, decimal, negative, not a number, zero', () => {
    expect(parse('  ')).toEqual({ ok: false, message: 'Enter the quantity.' });
    expect(parse('1.5')).toEqual({ ok: false, message: 'The quantity must be a whole number, without decimals.' });
    expect(parse('1,5')).toEqual({ ok: false, message: 'The quantity must be a whole number, without decimals.' });
    expect(parse('-3')).toEqual({ ok: false, message: 'The quantity must be greater than zero.' });
    expect(parse('1e3')).toEqual({ ok: false, message: 'The quantity must be a whole number, like 1000.' });
    expect(parse('0')).toEqual({ ok: false, message: 'The quantity must be greater than zero.' });
  });
});
