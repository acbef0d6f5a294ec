import { describe, expect, it } from 'vitest';
import { fields, firstLine, formatKey, formatTime, jsonOutput, parseKey, plural, shortHash, table } from './format.js';

describe('table', () => {
  it('pads every column but the last to its widest cell and leaves no trailing blanks', () => {
    const text = table(
      ['NAME', 'HASH', 'MESSAGE'],
      [
        ['main', 'abc', 'first'],
        ['feature/long-name', 'de', ''],
      ],
    );
    expect(text).toBe(['NAME               HASH  MESSAGE', 'main               abc   first', 'feature/long-name  de'].join('\n') + '\n');
  });

  it('prints only the header for no rows and fills missing cells with blanks', () => {
    expect(table(['A', 'B'], [])).toBe('A  B\n');
    expect(table(['A', 'B'], [['x']])).toBe('A  B\nx\n');
  });
});

describe('fields', () => {
  it('aligns values after their labels', () => {
    expect(fields([['Table', 'db.t'], ['Format version', '2']])).toBe('Table:           db.t\nFormat version:  2\n');
  });
});

describe('content keys', () => {
  it('round-trips keys whose elements contain dots by quoting them', () => {
    for (const key of [['db', 'orders'], ['a', 'b', 'c'], ['db', 'a.b', 'x'], ['t.v']]) {
      expect(parseKey(formatKey(key))).toEqual(key);
    }
    expect(formatKey(['db', 'a.b'])).toBe('db."a.b"');
  });

  it('rejects empty elements and broken quotes', () => {
    expect(() => parseKey('')).toThrow('empty element');
    expect(() => parseKey('db..t')).toThrow('empty element');
    expect(() => parseKey('db.')).toThrow('empty element');
    expect(() => parseKey('"db')).toThrow('unterminated quote');
    expect(() => parseKey('"db"x')).toThrow("expected '.'");
  });
});

describe('small formatters', () => {
  it('shortens hashes to 12 digits and shows a dash for none', () => {
    expect(shortHash('0123456789abcdef0123')).toBe('0123456789ab');
    expect(shortHash(undefined)).toBe('-');
  });

  it('formats ISO text, epoch millis and 64-bit millis as UTC seconds', () => {
    expect(formatTime('2026-01-31T12:00:00.123Z')).toBe('2026-01-31 12:00:00Z');
    expect(formatTime(1715012345678)).toBe('2024-05-06 16:19:05Z');
    expect(formatTime(1715012345678n)).toBe('2024-05-06 16:19:05Z');
    expect(formatTime(undefined)).toBe('-');
    expect(formatTime('not a time')).toBe('not a time');
  });

  it('keeps the first line of a message and cuts long ones', () => {
    expect(firstLine('subject\n\nbody')).toBe('subject');
    expect(firstLine('x'.repeat(100), 10)).toBe('xxxxxxx...');
  });

  it('prints JSON losslessly: 63-bit ids keep every digit', () => {
    expect(jsonOutput({ id: 9223372036854775807n })).toBe('{\n  "id": 9223372036854775807\n}\n');
  });

  it('pluralises', () => {
    expect(plural(1, 'key')).toBe('1 key');
    expect(plural(3, 'key')).toBe('3 keys');
  });
});
