import { describe, expect, it } from 'vitest';
import { valueToJson } from './value-text.js';

describe('values as the spec writes them in JSON', () => {
  it.each([
    ['date', 19782, '2024-02-29'],
    ['date', -1, '1969-12-31'],
    ['time', 47_655_123_456n, '13:14:15.123456'],
    ['timestamp', 1_709_212_455_123_456n, '2024-02-29T13:14:15.123456'],
    ['timestamptz', -1n, '1969-12-31T23:59:59.999999+00:00'],
    ['timestamp_ns', 1n, '1970-01-01T00:00:00.000000001'],
    ['decimal(9, 2)', -5n, '-0.05'],
    ['long', 9_007_199_254_740_993n, 9_007_199_254_740_993n],
    ['double', Number.NaN, 'NaN'],
    ['binary', Uint8Array.of(0, 255), '00ff'],
  ] as const)('%s %s -> %s', (type, value, expected) => {
    expect(valueToJson(type, value)).toEqual(expected);
  });

  it('writes nested values as objects and arrays', () => {
    const st = { type: 'struct' as const, fields: [{ id: 1, name: 'd', required: false, type: 'date' }] };
    expect(valueToJson(st, { d: 0 })).toEqual({ d: '1970-01-01' });
    expect(valueToJson({ type: 'map', keyId: 1, key: 'string', valueId: 2, value: 'long', valueRequired: false }, new Map([['k', 1n]]))).toEqual({ k: 1n });
    expect(valueToJson({ type: 'map', keyId: 1, key: 'int', valueId: 2, value: 'date', valueRequired: false }, new Map([[1, 0]]))).toEqual([[1, '1970-01-01']]);
  });
});
