import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCsvStream } from './csv-stream.js';
import { MemoryObjectStore } from '../io/memory.js';
import type { Schema } from '../iceberg/model.js';
import { arrowTableOf } from './arrow-build.js';
import { columnarPart } from './columnar.js';
import { columnStats, StatsAccumulator } from './column-stats.js';
import { writeDataFiles } from './data-files.js';
import { InputError, rowsFor, type Input } from './inputs.js';

const SCHEMA: Schema = {
  type: 'struct',
  schemaId: 0,
  fields: [
    { id: 1, name: 'device', required: true, type: 'string' },
    { id: 2, name: 'taken_at', required: false, type: 'timestamptz' },
    { id: 3, name: 'local', required: false, type: 'timestamp' },
    { id: 4, name: 'glucose', required: false, type: 'long' },
    { id: 5, name: 'note', required: false, type: 'string' },
    { id: 6, name: 'ratio', required: false, type: 'double' },
    { id: 7, name: 'day', required: false, type: 'date' },
    { id: 8, name: 'tags', required: false, type: { type: 'list', elementId: 9, element: 'string', elementRequired: false } },
    { id: 10, name: 'absent', required: false, type: 'int' },
  ],
};

const COLUMNS = ['device', 'taken_at', 'local', 'glucose', 'note', 'ratio', 'day', 'tags'];
/** CSV cells as the reader gives them; the edge cases of each fast path, and values they hand to the general casts. */
const RECORDS: string[][] = [
  ['cgm-1', '2024-03-01T08:00:00Z', '2024-03-01T08:00:00', '95', 'calibrated', '1.5', '2024-03-01', '["a","b"]'],
  ['cgm-2', '', '', '', '', '', '', ''],
  ['grüße 🐟', '2024-03-01T08:00:00.123456Z', '1969-12-31T23:59:59.5', '-42', 'ünïcode', 'NaN', '1969-12-31', '[]'],
  ['cgm-3', '2024-03-01 09:00:00+01:00', '2024-02-29T00:00:00', '9223372036854775807', 'zzz', '-0', '2024-02-29', '[null]'],
  ['a', '1900-01-01T00:00:00Z', '0001-01-01T00:00:00', '-9223372036854775808', 'a', '1e300', '0001-01-01', ''],
  ['cgm-1', '2262-04-11T23:47:16.854775Z', '9999-12-31T23:59:59.999999', '000123', '\ud7ff', '-Infinity', '9999-12-31', '["x"]'],
  ['\uffff', '2024-03-01T08:00:00.1Z', '2024-03-01T08:00', '+7', '\u{10000}', '0', '2024-03-01', '["y"]'],
];

const input = (records: string[][], columns = COLUMNS): Input => ({ file: 'r.csv', format: 'csv', columns, records, text: true, where: (i) => `r.csv:${i + 2}` });

describe('records cast column by column', () => {
  it('builds the same Arrow values and the same statistics as the row path', () => {
    const rows = rowsFor(SCHEMA, input(RECORDS));
    const part = columnarPart(SCHEMA, input(RECORDS), 0, RECORDS.length);
    const expected = arrowTableOf(SCHEMA, rows);
    expect(part.batch.numRows).toBe(RECORDS.length);
    for (const field of SCHEMA.fields) {
      const got = part.batch.getChild(field.name)!;
      const want = expected.getChild(field.name)!;
      expect(got.nullCount, field.name).toBe(want.nullCount);
      expect(JSON.stringify(got.toArray(), big), field.name).toBe(JSON.stringify(want.toArray(), big));
    }
    const stats = new StatsAccumulator(SCHEMA);
    stats.addColumns(part.stats);
    expect(stats.result()).toEqual(columnStats(SCHEMA, rows));
  });

  it('takes a slice of the records, and sums the statistics of its parts', () => {
    const stats = new StatsAccumulator(SCHEMA);
    for (const [from, to] of [
      [0, 3],
      [3, 5],
      [5, 7],
    ]) {
      const part = columnarPart(SCHEMA, input(RECORDS), from, to);
      expect(part.batch.numRows).toBe(to - from);
      stats.addColumns(part.stats);
    }
    expect(stats.result()).toEqual(columnStats(SCHEMA, rowsFor(SCHEMA, input(RECORDS))));
  });

  it('names the first bad value in record order, as the row path does', () => {
    // Record 2 has a bad long (a later column), record 3 a bad timestamp (an earlier column).
    const bad = [RECORDS[0], [...RECORDS[1].slice(0, 3), 'high', ...RECORDS[1].slice(4)], [RECORDS[2][0], 'yesterday', ...RECORDS[2].slice(2)]];
    expect(() => rowsFor(SCHEMA, input(bad))).toThrow('r.csv:3: column glucose: expected a 64-bit integer, got "high"');
    expect(() => columnarPart(SCHEMA, input(bad), 0, 3)).toThrow('r.csv:3: column glucose: expected a 64-bit integer, got "high"');
    expect(() => columnarPart(SCHEMA, input(bad), 2, 3)).toThrow(/^r\.csv:4: column taken_at: expected a timestamp/);
    const huge = [[...RECORDS[0].slice(0, 3), '9223372036854775808', ...RECORDS[0].slice(4)]];
    expect(() => columnarPart(SCHEMA, input(huge), 0, 1)).toThrow(InputError);
  });

  it('refuses a missing value of a required column, at its record', () => {
    const records = [RECORDS[0], ['', ...RECORDS[0].slice(1)]];
    expect(() => columnarPart(SCHEMA, input(records), 0, 2)).toThrow('r.csv:3: column device is required but has no value');
    expect(() => columnarPart(SCHEMA, input([RECORDS[0].slice(1)], COLUMNS.slice(1)), 0, 1)).toThrow('r.csv:2: column device is required but has no value');
  });

  it('writes the same data files as the row path, rolled at the same rows', async () => {
    const many = Array.from({ length: 23 }, (_, i) => RECORDS[i % RECORDS.length]);
    async function* chunks(): AsyncGenerator<Input> {
      for (let i = 0; i < many.length; i += 4) yield input(many.slice(i, i + 4));
    }
    const target = { schema: SCHEMA, spec: { specId: 0, fields: [] }, location: 'memory://t', properties: {} };
    let n = 0;
    const opts = { newId: () => `f${n++}`, maxRowsPerFile: 10 };
    const byColumns = await writeDataFiles(target, chunks(), new MemoryObjectStore(), opts);
    n = 0;
    const byRows = await writeDataFiles(target, rowsFor(SCHEMA, input(many)), new MemoryObjectStore(), opts);
    const described = (files: typeof byRows) => files.map((f) => ({ ...f, fileSizeInBytes: 0n, columnSizes: undefined }));
    expect(byColumns.map((f) => f.recordCount)).toEqual([10n, 10n, 3n]);
    expect(described(byColumns)).toEqual(described(byRows));
  });
});

describe('CSV bytes cast column by column', () => {
  it('gives the same batch and statistics from a plain byte block as from the strings', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lakecat-columnar-'));
    const plain = RECORDS.filter((r) => r.every((cell) => /^[\x20-\x7e]*$/.test(cell) && !/[",]/.test(cell)));
    expect(plain.length).toBeGreaterThanOrEqual(3);
    const text = `${COLUMNS.join(',')}\n${plain.map((r) => r.join(',')).join('\n')}\n`;
    writeFileSync(join(dir, 'r.csv'), text);
    const stream = await openCsvStream(join(dir, 'r.csv'));
    const chunks: Input[] = [];
    for await (const chunk of stream.chunks(3)) chunks.push(chunk);
    expect(chunks.every((c) => c.block)).toBe(true);
    const fromBytes = new StatsAccumulator(SCHEMA);
    const fromStrings = new StatsAccumulator(SCHEMA);
    for (const chunk of chunks) {
      const a = columnarPart(SCHEMA, chunk, 0, chunk.block!.count);
      const b = columnarPart(SCHEMA, { ...chunk, block: undefined, records: chunk.records }, 0, chunk.block!.count);
      for (const field of SCHEMA.fields) expect(JSON.stringify(a.batch.getChild(field.name)!.toArray(), big), field.name).toBe(JSON.stringify(b.batch.getChild(field.name)!.toArray(), big));
      fromBytes.addColumns(a.stats);
      fromStrings.addColumns(b.stats);
    }
    expect(fromBytes.result()).toEqual(fromStrings.result());
    expect(fromBytes.result()).toEqual(columnStats(SCHEMA, rowsFor(SCHEMA, input(plain))));
  });
});

function big(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (Object.is(value, -0)) return '-0';
  return value;
}
