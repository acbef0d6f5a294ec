import { describe, expect, it } from 'vitest';
import { jsonEquals, parseJson, parseSlowly, stringifyJson } from './json.js';

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

describe('lossless JSON through JSON.parse', () => {
  // parseJson takes V8's native path when it can; the reference parser defines the result.
  // Inputs chosen to trip the native path's marks.
  const documents = [
    '{"snapshot-id":9223372036854775807,"parent":-9223372036854775808,"n":1000000000000000,"f":12345678901234567.5,"e":1e20}',
    '{"path":"s3://b/t/1234567890123456789.avro","id":1234567890123456789}',
    '{"a":"\\ud8001234567890123456789","b":1234567890123456789}',
    '{"a":"\\ud800abc","b":[1234567890123456789,"\\ud800"]}',
    '{"dup":1234567890123456789,"dup":2}',
    '{"dup":2,"dup":1234567890123456789}',
    '{"__proto__":9223372036854775807}',
    '[[[[12345678901234567890]]]]',
    '12345678901234567890',
    '"1234567890123456789"',
    '{"k":"x\\"1234567890123456789\\"","v":[-1234567890123456789]}',
    '{"s":"quote \\" then 1234567890123456789 in text"}',
    '{"\\ud800123":1,"x":9223372036854775807}',
  ];
  for (const text of documents) {
    it(`parses ${text} as the reference parser does`, () => {
      const expected = parseSlowly(text);
      const actual = parseJson(text);
      expect(actual).toStrictEqual(expected);
      expect(Object.keys(actual ?? {})).toEqual(Object.keys(expected ?? {}));
      expect(stringifyJson(actual)).toBe(stringifyJson(expected));
    });
  }

  it('keeps the reference parser’s depth limit', () => {
    expect(() => parseJson('['.repeat(600) + ']'.repeat(600))).toThrow(/nested too deeply/);
    expect(parseJson('['.repeat(100) + '12345678901234567890' + ']'.repeat(100))).toStrictEqual(parseSlowly('['.repeat(100) + '12345678901234567890' + ']'.repeat(100)));
  });

  it('prints plain values as JSON.stringify does, compact and indented', () => {
    const values: unknown[] = [
      { a: '\ud800123', b: 'x"y\\z\n', c: [1, -0.5, 1e21, true, null] },
      { a: undefined, b: [undefined, 1], c: () => 1 },
      { nested: { deeper: [{ id: 9007199254740991, name: 'n' }], empty: {}, none: [] } },
      {},
      [],
      'plain',
      null,
    ];
    for (const v of values) {
      expect(stringifyJson(v)).toBe(JSON.stringify(v));
      expect(stringifyJson(v, 2)).toBe(JSON.stringify(v, null, 2));
    }
    expect(stringifyJson({ a: [9223372036854775807n, -1n] }, 2)).toBe('{\n  "a": [\n    9223372036854775807,\n    -1\n  ]\n}');
    for (const bad of [Number.NaN, Infinity, new Map(), Symbol('s')]) {
      expect(() => stringifyJson({ bad })).toThrow(TypeError);
    }
  });
});
