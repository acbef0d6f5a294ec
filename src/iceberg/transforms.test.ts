import { describe, expect, it } from 'vitest';
import { ValidationError } from './errors.js';
import {
  applyTransform,
  canTransform,
  civilFromDays,
  formatTransform,
  parseTransform,
  preservesOrder,
  resultType,
  satisfiesOrderOf,
} from './transforms.js';

const days = (iso: string): number => Date.parse(`${iso}T00:00:00Z`) / 86_400_000;
const micros = (iso: string): bigint => BigInt(Date.parse(iso)) * 1000n;

describe('parseTransform / formatTransform', () => {
  it.each(['identity', 'year', 'month', 'day', 'hour', 'void', 'bucket[16]', 'truncate[10]'])('round-trips %s', (text) => {
    expect(formatTransform(parseTransform(text))).toBe(text);
  });

  it('parses parameters and ignores case like Java', () => {
    expect(parseTransform('bucket[16]')).toEqual({ kind: 'bucket', numBuckets: 16 });
    expect(parseTransform('TRUNCATE[3]')).toEqual({ kind: 'truncate', width: 3 });
    expect(parseTransform('Day')).toEqual({ kind: 'day' });
  });

  it('keeps unknown transforms verbatim', () => {
    expect(parseTransform('zorder')).toEqual({ kind: 'unknown', name: 'zorder' });
    expect(parseTransform('bucket[4,2]')).toEqual({ kind: 'unknown', name: 'bucket[4,2]' });
    expect(parseTransform('years')).toEqual({ kind: 'unknown', name: 'years' });
    expect(formatTransform(parseTransform('custom[3]'))).toBe('custom[3]');
  });

  it('rejects zero buckets or width', () => {
    expect(() => parseTransform('bucket[0]')).toThrow(ValidationError);
    expect(() => parseTransform('bucket[0]')).toThrow('Invalid number of buckets: 0 (must be > 0)');
    expect(() => parseTransform('truncate[0]')).toThrow('Invalid truncate width: 0 (must be > 0)');
  });
});

describe('canTransform and resultType', () => {
  it.each([
    ['identity', 'int', true],
    ['identity', 'uuid', true],
    ['identity', 'variant', false],
    ['identity', 'geometry', false],
    ['identity', 'geography(srid:4326, spherical)', false],
    ['bucket[4]', 'timestamptz_ns', true],
    ['bucket[4]', 'uuid', true],
    ['bucket[4]', 'float', false],
    ['bucket[4]', 'double', false],
    ['bucket[4]', 'boolean', false],
    ['truncate[4]', 'string', true],
    ['truncate[4]', 'decimal(9,2)', true],
    ['truncate[4]', 'binary', true],
    ['truncate[4]', 'date', false],
    ['truncate[4]', 'fixed[4]', false],
    ['year', 'date', true],
    ['year', 'timestamp_ns', true],
    ['year', 'time', false],
    ['day', 'timestamptz', true],
    ['hour', 'date', false],
    ['hour', 'timestamp', true],
    ['void', 'variant', true],
    ['zorder', 'string', true],
  ])('%s on %s: %s', (transform, type, ok) => {
    expect(canTransform(transform, type)).toBe(ok);
  });

  it('rejects nested source types for all but void', () => {
    const struct = { type: 'struct' as const, fields: [] };
    expect(canTransform('identity', struct)).toBe(false);
    expect(canTransform('bucket[2]', struct)).toBe(false);
    expect(canTransform('void', struct)).toBe(true);
  });

  it('follows the spec result types', () => {
    expect(resultType('identity', 'decimal(9,2)')).toBe('decimal(9,2)');
    expect(resultType('truncate[3]', 'string')).toBe('string');
    expect(resultType('bucket[8]', 'string')).toBe('int');
    for (const t of ['year', 'month', 'day', 'hour']) expect(resultType(t, 'timestamptz')).toBe('int');
    expect(resultType('day', 'date')).toBe('int');
    expect(resultType('void', 'long')).toBe('long');
    expect(resultType('zorder', 'long')).toBe('string');
    expect(() => resultType('hour', 'date')).toThrow('Invalid source type date for transform: hour');
  });
});

describe('bucket', () => {
  it('is (hash & Integer.MAX_VALUE) % N', () => {
    // 2017239379 % 16 = 3, 2017239379 % 100 = 79
    expect(applyTransform('bucket[16]', 'int', 34)).toBe(3);
    expect(applyTransform('bucket[100]', 'int', 34)).toBe(79);
    expect(applyTransform('bucket[100]', 'long', 34n)).toBe(79);
    // "iceberg" -> 1210000089; 1210000089 % 16 = 9
    expect(applyTransform('bucket[16]', 'string', 'iceberg')).toBe(9);
    // negative hashes drop the sign bit: -500754589 & 0x7fffffff = 1646729059
    expect(applyTransform('bucket[100]', 'decimal(9,2)', { unscaled: 1420n, scale: 2 })).toBe(1646729059 % 100);
    expect(applyTransform('bucket[100]', 'decimal(9,2)', 1420n)).toBe(1646729059 % 100);
    expect(applyTransform('bucket[100]', 'uuid', 'f79c3e09-677c-4bbd-a479-3f349cb785e7')).toBe(1488055340 % 100);
    expect(applyTransform('bucket[1000]', 'binary', Uint8Array.of(0, 1, 2, 3))).toBe((-188683207 & 0x7fffffff) % 1000);
    expect(applyTransform('bucket[1000]', 'fixed[4]', Uint8Array.of(0, 1, 2, 3))).toBe((-188683207 & 0x7fffffff) % 1000);
  });

  it('hashes dates, times and timestamps per the spec', () => {
    expect(applyTransform('bucket[1000]', 'date', days('2017-11-16'))).toBe((-653330422 & 0x7fffffff) % 1000);
    expect(applyTransform('bucket[1000]', 'time', 81068000000n)).toBe((-662762989 & 0x7fffffff) % 1000);
    const ts = micros('2017-11-16T22:31:08Z');
    const expected = (-2047944441 & 0x7fffffff) % 1000;
    expect(applyTransform('bucket[1000]', 'timestamp', ts)).toBe(expected);
    expect(applyTransform('bucket[1000]', 'timestamptz', ts)).toBe(expected);
    expect(applyTransform('bucket[1000]', 'timestamp_ns', ts * 1000n + 999n)).toBe(expected);
    expect(applyTransform('bucket[1000]', 'timestamptz_ns', (ts + 1n) * 1000n + 1n)).toBe(
      (-1207196810 & 0x7fffffff) % 1000,
    );
  });

  it('maps null to null and rejects wrong value kinds', () => {
    expect(applyTransform('bucket[16]', 'int', null)).toBeNull();
    expect(() => applyTransform('bucket[16]', 'string', 34)).toThrow(ValidationError);
    expect(() => applyTransform('bucket[16]', 'double', 1.0)).toThrow('Invalid source type double for transform: bucket[16]');
  });
});

describe('truncate', () => {
  it('truncates ints and longs toward negative infinity (spec examples)', () => {
    expect(applyTransform('truncate[10]', 'int', 1)).toBe(0);
    expect(applyTransform('truncate[10]', 'int', -1)).toBe(-10);
    expect(applyTransform('truncate[10]', 'int', 10)).toBe(10);
    expect(applyTransform('truncate[10]', 'int', -10)).toBe(-10);
    expect(applyTransform('truncate[10]', 'long', 1n)).toBe(0n);
    expect(applyTransform('truncate[10]', 'long', -1n)).toBe(-10n);
    expect(applyTransform('truncate[10]', 'long', 9223372036854775807n)).toBe(9223372036854775800n);
  });

  it('wraps like Java int arithmetic at the edge', () => {
    expect(applyTransform('truncate[10]', 'int', -2147483648)).toBe(2147483646);
  });

  it('truncates decimals by unscaled width (10.65 truncate[50] -> 10.50)', () => {
    expect(applyTransform('truncate[50]', 'decimal(9,2)', { unscaled: 1065n, scale: 2 })).toEqual({ unscaled: 1050n, scale: 2 });
    expect(applyTransform('truncate[50]', 'decimal(9,2)', -1065n)).toBe(-1100n);
  });

  it('truncates strings by code points and binary by bytes', () => {
    expect(applyTransform('truncate[3]', 'string', 'iceberg')).toBe('ice');
    expect(applyTransform('truncate[3]', 'string', 'ab')).toBe('ab');
    expect(applyTransform('truncate[2]', 'string', '😀😁😂')).toBe('😀😁');
    expect(applyTransform('truncate[3]', 'string', 'a😀bc')).toBe('a😀b');
    expect(applyTransform('truncate[3]', 'binary', Uint8Array.of(1, 2, 3, 4, 5))).toEqual(Uint8Array.of(1, 2, 3));
  });
});

describe('date and time transforms', () => {
  it('extracts years, months, days, hours from timestamps', () => {
    const ts = micros('2017-11-16T22:31:08Z');
    expect(applyTransform('year', 'timestamp', ts)).toBe(47);
    expect(applyTransform('month', 'timestamp', ts)).toBe(47 * 12 + 10);
    expect(applyTransform('day', 'timestamptz', ts)).toBe(days('2017-11-16'));
    expect(applyTransform('hour', 'timestamptz', ts)).toBe(days('2017-11-16') * 24 + 22);
    expect(applyTransform('hour', 'timestamp_ns', ts * 1000n)).toBe(days('2017-11-16') * 24 + 22);
    expect(applyTransform('year', 'date', days('2017-11-16'))).toBe(47);
    expect(applyTransform('day', 'date', 17486)).toBe(17486);
  });

  it('floors pre-1970 values', () => {
    expect(applyTransform('year', 'date', -1)).toBe(-1);
    expect(applyTransform('month', 'date', -1)).toBe(-1);
    expect(applyTransform('day', 'date', -1)).toBe(-1);
    expect(applyTransform('year', 'timestamp', -1n)).toBe(-1);
    expect(applyTransform('month', 'timestamp', -1n)).toBe(-1);
    expect(applyTransform('day', 'timestamp', -1n)).toBe(-1);
    expect(applyTransform('hour', 'timestamp', -1n)).toBe(-1);
    expect(applyTransform('hour', 'timestamp_ns', -1n)).toBe(-1);
    expect(applyTransform('year', 'date', days('1969-01-01'))).toBe(-1);
    expect(applyTransform('year', 'date', days('1968-12-31'))).toBe(-2);
    expect(applyTransform('month', 'date', days('1969-01-01'))).toBe(-12);
    expect(applyTransform('month', 'timestamp', micros('1900-03-15T10:00:00Z'))).toBe(-70 * 12 + 2);
    expect(applyTransform('day', 'timestamptz', micros('1969-12-31T00:00:00Z'))).toBe(-1);
    expect(applyTransform('hour', 'timestamptz', micros('1969-12-31T23:00:00Z'))).toBe(-1);
  });

  it('void yields null and unknown transforms cannot be applied', () => {
    expect(applyTransform('void', 'int', 5)).toBeNull();
    expect(() => applyTransform('zorder', 'int', 5)).toThrow('Cannot apply unsupported transform: zorder');
  });
});

describe('civilFromDays', () => {
  it('agrees with the JavaScript calendar over a wide range', () => {
    for (let d = -800_000; d <= 800_000; d += 997) {
      const date = new Date(d * 86_400_000);
      expect(civilFromDays(d)).toEqual({ year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() });
    }
  });
});

describe('order', () => {
  it('knows which transforms preserve order', () => {
    expect(preservesOrder('identity')).toBe(true);
    expect(preservesOrder('truncate[4]')).toBe(true);
    expect(preservesOrder('day')).toBe(true);
    expect(preservesOrder('bucket[4]')).toBe(false);
    expect(preservesOrder('void')).toBe(false);
  });

  it('knows which orders imply others', () => {
    expect(satisfiesOrderOf('identity', 'day')).toBe(true);
    expect(satisfiesOrderOf('identity', 'bucket[4]')).toBe(false);
    expect(satisfiesOrderOf('hour', 'day')).toBe(true);
    expect(satisfiesOrderOf('day', 'hour')).toBe(false);
    expect(satisfiesOrderOf('month', 'year')).toBe(true);
    expect(satisfiesOrderOf('truncate[10]', 'truncate[20]', 'int')).toBe(true);
    expect(satisfiesOrderOf('truncate[20]', 'truncate[10]', 'int')).toBe(false);
    expect(satisfiesOrderOf('truncate[5]', 'truncate[3]', 'string')).toBe(true);
    expect(satisfiesOrderOf('truncate[3]', 'truncate[5]', 'string')).toBe(false);
    expect(satisfiesOrderOf('bucket[4]', 'bucket[4]')).toBe(true);
    expect(satisfiesOrderOf('bucket[4]', 'bucket[8]')).toBe(false);
  });
});
