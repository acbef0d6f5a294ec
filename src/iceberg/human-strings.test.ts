import { describe, expect, it } from 'vitest';
import { formatDecimal, toHumanString } from './human-strings.js';

const days = (iso: string): number => Date.parse(`${iso}T00:00:00Z`) / 86_400_000;
const micros = (iso: string): bigint => BigInt(Date.parse(iso)) * 1000n;

describe('toHumanString', () => {
  it('prints time-based partition values like Java', () => {
    expect(toHumanString('year', 'timestamp', 47)).toBe('2017');
    expect(toHumanString('year', 'date', -1)).toBe('1969');
    expect(toHumanString('month', 'date', 47 * 12 + 10)).toBe('2017-11');
    expect(toHumanString('month', 'date', -1)).toBe('1969-12');
    expect(toHumanString('day', 'timestamptz', 17486)).toBe('2017-11-16');
    expect(toHumanString('day', 'date', -1)).toBe('1969-12-31');
    expect(toHumanString('day', 'date', days('+012345-06-07'))).toBe('12345-06-07');
    expect(toHumanString('hour', 'timestamp', 17486 * 24 + 22)).toBe('2017-11-16-22');
    expect(toHumanString('hour', 'timestamp', -1)).toBe('1969-12-31-23');
  });

  it('prints identity values of each source type', () => {
    expect(toHumanString('identity', 'date', 17486)).toBe('2017-11-16');
    expect(toHumanString('identity', 'date', days('0099-01-01'))).toBe('0099-01-01');
    expect(toHumanString('identity', 'time', 81068000000n)).toBe('22:31:08');
    expect(toHumanString('identity', 'time', 81060000000n)).toBe('22:31');
    expect(toHumanString('identity', 'time', 81068500000n)).toBe('22:31:08.500');
    expect(toHumanString('identity', 'timestamp', micros('2017-11-16T22:31:08Z') + 1n)).toBe('2017-11-16T22:31:08.000001');
    expect(toHumanString('identity', 'timestamptz', micros('2017-11-16T22:31:08Z'))).toBe('2017-11-16T22:31:08+00:00');
    expect(toHumanString('identity', 'timestamp', micros('2017-11-16T22:31:00Z'))).toBe('2017-11-16T22:31:00');
    expect(toHumanString('identity', 'timestamp', micros('2017-11-16T22:31:08.5Z'))).toBe('2017-11-16T22:31:08.5');
    expect(toHumanString('identity', 'timestamptz_ns', micros('2017-11-16T22:31:08Z') * 1000n + 120n)).toBe(
      '2017-11-16T22:31:08.00000012+00:00',
    );
    expect(toHumanString('identity', 'timestamp', micros('+012345-01-01T00:00:00Z'))).toBe('+12345-01-01T00:00:00');
    expect(toHumanString('identity', 'timestamp_ns', micros('2017-11-16T22:31:08Z') * 1000n + 1001n)).toBe(
      '2017-11-16T22:31:08.000001001',
    );
    expect(toHumanString('identity', 'timestamp', -1n)).toBe('1969-12-31T23:59:59.999999');
    expect(toHumanString('identity', 'int', 34)).toBe('34');
    expect(toHumanString('identity', 'long', 9223372036854775807n)).toBe('9223372036854775807');
    expect(toHumanString('identity', 'boolean', true)).toBe('true');
    expect(toHumanString('identity', 'string', 'a/b c')).toBe('a/b c');
    expect(toHumanString('identity', 'uuid', 'F79C3E09-677C-4BBD-A479-3F349CB785E7')).toBe('f79c3e09-677c-4bbd-a479-3f349cb785e7');
    expect(toHumanString('identity', 'binary', Uint8Array.of(0, 1, 2, 3))).toBe('AAECAw==');
    expect(toHumanString('identity', 'fixed[2]', Uint8Array.of(0xff, 0xfe))).toBe('//4=');
    expect(toHumanString('identity', 'double', 1)).toBe('1.0');
    expect(toHumanString('identity', 'double', 1.5e10)).toBe('1.5E10');
    expect(toHumanString('identity', 'double', 0.0001)).toBe('1.0E-4');
    expect(toHumanString('identity', 'double', 123.25)).toBe('123.25');
    expect(toHumanString('identity', 'double', -1.5)).toBe('-1.5');
    expect(toHumanString('identity', 'double', -0)).toBe('-0.0');
    expect(toHumanString('identity', 'double', 1e7)).toBe('1.0E7');
    expect(toHumanString('identity', 'double', 9999999)).toBe('9999999.0');
    expect(toHumanString('identity', 'double', Number.NaN)).toBe('NaN');
    expect(toHumanString('identity', 'float', Math.fround(1.1))).toBe('1.1');
    expect(toHumanString('identity', 'decimal(9,2)', { unscaled: 1420n, scale: 2 })).toBe('14.20');
    expect(toHumanString('truncate[50]', 'decimal(9,2)', 1050n)).toBe('10.50');
  });

  it('prints null, bucket and void values', () => {
    expect(toHumanString('identity', 'int', null)).toBe('null');
    expect(toHumanString('bucket[16]', 'string', 9)).toBe('9');
    expect(toHumanString('void', 'string', 'x')).toBe('null');
  });
});

describe('formatDecimal', () => {
  it.each([
    [1420n, 2, '14.20'],
    [-1420n, 2, '-14.20'],
    [5n, 3, '0.005'],
    [-5n, 3, '-0.005'],
    [0n, 2, '0.00'],
    [42n, 0, '42'],
    [1n, 7, '1E-7'],
    [0n, 10, '0E-10'],
    [123n, 9, '1.23E-7'],
  ])('%s scale %d -> %s', (unscaled, scale, text) => {
    expect(formatDecimal(unscaled, scale)).toBe(text);
  });
});

