import { describe, expect, it } from 'vitest';
import { castValue, fastTimestamp, timestampAt } from './cast.js';
import { inferSchema, readInput, rowsFor } from './inputs.js';

describe('casting input values to Iceberg values', () => {
  it.each([
    ['boolean', 'TRUE', true],
    ['boolean', '0', false],
    ['int', ' 42 ', 42],
    ['long', '9007199254740993', 9_007_199_254_740_993n],
    ['double', '-2.5e3', -2500],
    ['double', 'NaN', Number.NaN],
    ['float', '-Infinity', -Infinity],
    ['decimal(9, 2)', '123.4', 12340n],
    ['decimal(9, 2)', '-0.05', -5n],
    ['decimal(9, 2)', '1.230', 123n],
    ['date', '2024-02-29', 19782],
    ['date', '0001-01-01', -719162],
    ['date', '0099-12-31', -683004],
    ['timestamp', '0001-01-01T00:00:00', -62_135_596_800_000_000n],
    ['time', '13:14:15.123456', 47_655_123_456n],
    ['timestamp', '2024-02-29 13:14:15.5', 1_709_212_455_500_000n],
    ['timestamptz', '2024-02-29T14:14:15+01:00', 1_709_212_455_000_000n],
    ['timestamptz', '2024-02-29T13:14:15Z', 1_709_212_455_000_000n],
    ['timestamptz', '2024-02-29T13:14:15', 1_709_212_455_000_000n],
    ['timestamptz_ns', '1970-01-01T00:00:00.000000001Z', 1n],
    ['string', 'grüße', 'grüße'],
    ['uuid', '12345678-1234-5678-1234-56781234567A', '12345678-1234-5678-1234-56781234567a'],
    ['binary', 'AAH/', Uint8Array.of(0, 1, 255)],
  ] as const)('%s from the text %j', (type, text, expected) => {
    expect(castValue(type, text, true)).toEqual(expected);
  });

  it('gives the fast paths the same answers as the general ones', () => {
    for (const [type, text, expected] of [
      ['long', '-0', 0n], ['long', '007', 7n], ['long', '123456789012345', 123_456_789_012_345n], ['long', '1234567890123456789', 1_234_567_890_123_456_789n],
      ['timestamptz', '2024-02-29T13:14:15.5Z', 1_709_212_455_500_000n], ['timestamptz', '1969-12-31T23:59:59.999999Z', -1n],
      ['timestamp', '2024-02-29T13:14:15', 1_709_212_455_000_000n],
    ] as const) expect(castValue(type, text, true), `${type} ${text}`).toEqual(expected); // prettier-ignore
    for (const [type, text] of [['long', '1e3'], ['long', '+'], ['long', '5-3'], ['long', '--5'], ['timestamptz', '2023-02-29T00:00:00Z'], ['timestamptz', '2024-01-01T24:00:00Z'], ['timestamp', '2024-01-01T00:00:00.1234567']] as const) {
      expect(() => castValue(type, text, true), `${type} ${text}`).toThrow(/^expected|fraction digits/);
    }
  });

  it('takes JSON values, nested ones included, and empty CSV cells as null', () => {
    expect(castValue('long', 5, false)).toBe(5n);
    expect(castValue('string', '', true)).toBeNull();
    expect(castValue('string', '', false)).toBe('');
    const st = { type: 'struct' as const, fields: [{ id: 1, name: 'x', required: false, type: 'int' }] };
    expect(castValue(st, { x: 1 })).toEqual({ x: 1 });
    expect(castValue(st, '{"x": 2}', true)).toEqual({ x: 2 });
    const map = { type: 'map' as const, keyId: 1, key: 'int', valueId: 2, value: 'string', valueRequired: false };
    expect(castValue(map, { '1': 'a' })).toEqual(new Map([[1, 'a']]));
    expect(castValue({ type: 'list', elementId: 3, element: 'date', elementRequired: false }, ['2024-01-01', null])).toEqual([19723, null]);
  });

  it.each([
    ['int', '2147483648', 'expected a 32-bit integer, got "2147483648"'],
    ['int', '1.0', 'expected a 32-bit integer, got "1.0"'],
    ['long', '9223372036854775808', 'expected a 64-bit integer, got "9223372036854775808"'],
    ['decimal(5, 2)', '1.234', 'expected a decimal(5, 2) (more than 2 digits after the point), got "1.234"'],
    ['decimal(5, 2)', '1234.5', 'expected a decimal(5, 2) (too many digits), got "1234.5"'],
    ['date', '2023-02-29', 'expected a date (YYYY-MM-DD), got "2023-02-29"'],
    ['timestamp', '2024-01-01T00:00:00Z', 'expected a timestamp without a zone (the column is `timestamp`, use `timestamptz` for zoned times), got "2024-01-01T00:00:00Z"'],
    ['time', '24:00:00', 'expected a time (HH:MM:SS[.ffffff]), got "24:00:00"'],
    ['boolean', 'yes', 'expected a boolean, got "yes"'],
    ['double', '1,5', 'expected a number, got "1,5"'],
    ['fixed[2]', 'AAH/', 'expected 2 bytes (base64), got "AAH/"'],
  ] as const)('refuses %s %j', (type, text, message) => {
    expect(() => castValue(type, text, true)).toThrow(message);
  });
});

describe('reading input files', () => {
  it('reads CSV with quotes and reports the line of a bad value', () => {
    const csv = 'device,glucose\n"cgm, 1",95\ncgm-2,\ncgm-3,high\n';
    const input = readInput('r.csv', csv, 'csv');
    expect(input.columns).toEqual(['device', 'glucose']);
    const schema = inferSchema([readInput('r.csv', 'device,glucose\na,1\n', 'csv')]);
    expect(() => rowsFor(schema, input)).toThrow('r.csv:4: column glucose: expected a 64-bit integer, got "high"');
    const good = rowsFor(schema, readInput('r.csv', csv.split('\n').slice(0, 3).join('\n'), 'csv'));
    expect(good).toEqual([{ device: 'cgm, 1', glucose: 95n }, { device: 'cgm-2', glucose: null }]);
  });

  it('refuses columns the table lacks, naming them', () => {
    const schema = inferSchema([readInput('a.csv', 'x\n1\n', 'csv')]);
    expect(() => rowsFor(schema, readInput('b.csv', 'x,y,z\n1,2,3\n', 'csv'))).toThrow('b.csv: columns y, z not in the table (x); --evolve adds them');
  });

  it('reads NDJSON with line numbers and keeps 64-bit integers exact', () => {
    const input = readInput('e.ndjson', '{"id": 9007199254740993, "ok": true}\n\n{"id": 2, "ok": "no"}\n', 'ndjson');
    const schema = inferSchema([readInput('x.ndjson', '{"id": 1, "ok": true}\n', 'ndjson')]);
    expect(() => rowsFor(schema, input)).toThrow('e.ndjson:3: column ok: expected a boolean, got "no"');
    expect(rowsFor(schema, readInput('e.ndjson', '{"id": 9007199254740993, "ok": true}\n', 'ndjson'))).toEqual([{ id: 9_007_199_254_740_993n, ok: true }]);
    expect(() => readInput('bad.ndjson', '{"id": 1}\n{"id": \n', 'ndjson')).toThrow(/^bad\.ndjson:2: invalid JSON/);
  });

  it('infers long, double, boolean, date, timestamp(tz) and string columns; structs and lists from JSON', () => {
    const csv = readInput('t.csv', 'a,b,c,d,e,f,g\n1,1.5,true,2024-01-01,2024-01-01 10:00:00,2024-01-01T10:00:00Z,x\n2,2,false,2024-01-02,2024-01-01T10:00:00.123,2024-01-01T10:00:00+02:00,\n', 'csv');
    expect(inferSchema([csv]).fields.map((f) => [f.id, f.name, f.type])).toEqual([
      [1, 'a', 'long'], [2, 'b', 'double'], [3, 'c', 'boolean'], [4, 'd', 'date'], [5, 'e', 'timestamp'], [6, 'f', 'timestamptz'], [7, 'g', 'string'],
    ]); // prettier-ignore
    const json = readInput('t.json', '[{"s": {"x": 1}, "l": [1.5, 2]}, {"s": null, "l": []}]', 'json');
    expect(inferSchema([json]).fields).toEqual([
      { id: 1, name: 's', required: false, type: { type: 'struct', fields: [{ id: 2, name: 'x', required: false, type: 'long' }] } },
      { id: 3, name: 'l', required: false, type: { type: 'list', elementId: 4, element: 'double', elementRequired: false } },
    ]);
  });
});

describe('inferring the columns of several files', () => {
  it('types each column from every file that has it, ids in order of first appearance', () => {
    const a = readInput('a.csv', 'a,b\n1,x\n', 'csv');
    const b = readInput('b.csv', 'b,c\ny,2.5\n', 'csv');
    expect(inferSchema([a, b], 7).fields).toEqual([
      { id: 7, name: 'a', required: false, type: 'long' },
      { id: 8, name: 'b', required: false, type: 'string' },
      { id: 9, name: 'c', required: false, type: 'double' },
    ]);
  });
});

describe('timestamps read from bytes', () => {
  it('reads microseconds', () => {
    const bytes = Buffer.from('2024-02-29T13:14:15.25Z', 'latin1');
    expect(timestampAt(bytes, 0, bytes.length, true)).toBe(1_709_212_455_250_000);
  });

  it.each([
    ['2024-02-29T13:14:15Z', true],
    ['2024-02-29T13:14:15.5Z', true],
    ['2024-02-29T13:14:15.123456Z', true],
    ['2024-02-29T13:14:15.1234567Z', true],
    ['2024-02-29T13:14:15.Z', true],
    ['2023-02-29T13:14:15Z', true],
    ['2024-13-01T00:00:00Z', true],
    ['2024-02-29T24:00:00Z', true],
    ['2024-02-29 13:14:15Z', true],
    ['2024-02-29T13:14:15', true],
    ['2024-02-29T13:14:15', false],
    ['2024-02-29T13:14:15.000001', false],
    ['1969-12-31T23:59:59.999999', false],
    ['0001-01-01T00:00:00', false],
    ['2024-0a-29T13:14:15', false],
    ['2024-02-29T13:14', false],
  ])('%s (zoned: %s) as the string reader has it', (text, zoned) => {
    const bytes = Buffer.from(`x,${text},y`, 'latin1');
    expect(timestampAt(bytes, 2, 2 + text.length, zoned)).toBe(fastTimestamp(text, zoned));
  });
});
