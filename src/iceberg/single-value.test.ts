import { describe, expect, it } from 'vitest';
import {
  compareBytes,
  fromSingleValueBytes,
  toSingleValueBytes,
  truncateBinaryLower,
  truncateBinaryUpper,
  truncateStringLower,
  truncateStringUpper,
} from './single-value.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('binary single-value serialisation (spec appendix D)', () => {
  it.each([
    ['boolean', true, '01'],
    ['boolean', false, '00'],
    ['int', 1, '01000000'],
    ['int', -2, 'feffffff'],
    ['date', 19782, '464d0000'],
    ['long', 9_007_199_254_740_993n, '0100000000002000'],
    ['timestamptz', -1n, 'ffffffffffffffff'],
    ['time', 47655123456n, '007a77180b000000'],
    ['float', 1.5, '0000c03f'],
    ['double', -2.25, '00000000000002c0'],
    ['string', 'grüße', '6772c3bc c39f65'.replace(' ', '')],
    ['uuid', '12345678-1234-5678-1234-567812345678', '12345678123456781234567812345678'],
    ['fixed[3]', Uint8Array.of(0, 1, 255), '0001ff'],
    ['binary', new Uint8Array(0), ''],
    ['decimal(9, 2)', 12345n, '3039'],
    ['decimal(9, 2)', 127n, '7f'],
    ['decimal(9, 2)', 128n, '0080'],
    ['decimal(9, 2)', -1n, 'ff'],
    ['decimal(9, 2)', -128n, '80'],
    ['decimal(9, 2)', -129n, 'ff7f'],
    ['decimal(9, 2)', 0n, '00'],
  ] as const)('%s %s -> %s, and back', (type, value, expected) => {
    const bytes = toSingleValueBytes(type, value);
    expect(hex(bytes)).toBe(expected);
    expect(fromSingleValueBytes(type, bytes)).toEqual(value);
  });

  it('refuses types without a binary form and values that do not fit', () => {
    expect(() => toSingleValueBytes('variant', 1)).toThrow(/no single-value binary form/);
    expect(() => toSingleValueBytes('int', 2 ** 31)).toThrow(/32-bit/);
    expect(() => toSingleValueBytes('uuid', 'nope')).toThrow(/UUID/);
    expect(() => fromSingleValueBytes('long', Uint8Array.of(1))).toThrow(/8 bytes/);
  });
});

describe('bound truncation (metrics mode truncate(N))', () => {
  it('keeps short values, cuts lower bounds to N code points', () => {
    expect(truncateStringLower('abc', 16)).toBe('abc');
    expect(truncateStringLower('abcdef', 3)).toBe('abc');
    // Code points, not UTF-16 units: the fish is one.
    expect(truncateStringLower('🐟🐟🐟', 2)).toBe('🐟🐟');
  });

  it('increments the last code point of an upper bound that was cut, skipping what cannot be', () => {
    expect(truncateStringUpper('abc', 3)).toBe('abc');
    expect(truncateStringUpper('abcdef', 3)).toBe('abd');
    expect(truncateStringUpper('a\u{10FFFF}xyz', 2)).toBe('b');
    expect(truncateStringUpper('\u{10FFFF}\u{10FFFF}z', 2)).toBeUndefined();
    expect(truncateStringUpper('a\uD7FFzz', 2)).toBe('a\uE000');
    for (const [s, n] of [['grüße 🐟 und mehr', 7], ['zzzz', 2], ['a🐟b', 2]] as const) {
      const upper = truncateStringUpper(s, n)!;
      expect(compareBytes(new TextEncoder().encode(upper), new TextEncoder().encode(s))).toBeGreaterThan(0);
    }
  });

  it('truncates binary bounds the same way, by bytes', () => {
    expect(hex(truncateBinaryLower(Uint8Array.of(1, 2, 3), 2))).toBe('0102');
    expect(hex(truncateBinaryUpper(Uint8Array.of(1, 2, 3), 2)!)).toBe('0103');
    expect(hex(truncateBinaryUpper(Uint8Array.of(1, 0xff, 3), 2)!)).toBe('02');
    expect(truncateBinaryUpper(Uint8Array.of(0xff, 0xff, 3), 2)).toBeUndefined();
    expect(hex(truncateBinaryUpper(Uint8Array.of(0xff, 0xff), 2)!)).toBe('ffff');
  });
});
