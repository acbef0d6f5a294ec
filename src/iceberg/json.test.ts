import { describe, expect, it } from 'vitest';
import { jsonEquals, parseJson, stringifyJson } from './json.js';

describe('lossless JSON', () => {
  it('keeps integers above 2^53 exact as bigint', () => {
    const text = '{"snapshot-id":9223372036854775807,"small":42,"neg":-9007199254740993}';
    const v = parseJson(text) as Record<string, unknown>;
    expect(v['snapshot-id']).toBe(9223372036854775807n);
    expect(v.small).toBe(42);
    expect(v.neg).toBe(-9007199254740993n);
    expect(stringifyJson(v)).toBe(text);
  });

  it('keeps safe integers and floats as numbers', () => {
    const v = parseJson('[9007199254740991, 1.5, 1e3, -0.25, 0]') as unknown[];
    expect(v).toEqual([9007199254740991, 1.5, 1000, -0.25, 0]);
  });

  it('parses strings with escapes and unicode', () => {
    const v = parseJson('{"a":"x\\"y\\u00e9\\n","b":"plain"}') as Record<string, unknown>;
    expect(v).toEqual({ a: 'x"y\u00e9\n', b: 'plain' });
    expect(parseJson(stringifyJson(v))).toEqual(v);
  });

  it('rejects malformed input with a position', () => {
    for (const bad of ['', '{', '{"a":}', '[1,]', '01', '1.', '"abc', 'tru', '{"a":1}x', '{a:1}']) {
      expect(() => parseJson(bad), bad).toThrow(/position/);
    }
  });

  it('does not let __proto__ keys change the prototype', () => {
    const v = parseJson('{"__proto__":{"polluted":true}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.keys(v)).toEqual(['__proto__']);
  });

  it('pretty-prints and omits undefined members', () => {
    expect(stringifyJson({ a: 1n, b: undefined, c: [] }, 2)).toBe('{\n  "a": 1,\n  "c": []\n}');
  });

  it('compares values across number and bigint', () => {
    expect(jsonEquals({ a: [1, 2n] }, { a: [1n, 2] })).toBe(true);
    expect(jsonEquals({ a: 1 }, { a: 2 })).toBe(false);
    expect(jsonEquals({ a: 1 }, { a: 1, b: 2 })).toBe(false);
  });
});
