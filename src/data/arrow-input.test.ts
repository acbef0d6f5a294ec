import { tableToIPC } from './arrow-lib.js';
import { describe, expect, it } from 'vitest';
import type { Schema } from '../iceberg/model.js';
import { arrowTableOf, type Row } from './arrow-build.js';
import { readArrowInput, readParquetInput } from './arrow-input.js';
import { inferSchema, rowsFor } from './inputs.js';
import { writeParquetFile } from './parquet-write.js';

const SCHEMA: Schema = {
  type: 'struct',
  schemaId: 0,
  fields: [
    { id: 1, name: 'b', required: false, type: 'boolean' },
    { id: 2, name: 'i', required: false, type: 'int' },
    { id: 3, name: 'l', required: false, type: 'long' },
    { id: 4, name: 'd', required: false, type: 'double' },
    { id: 5, name: 'dec', required: false, type: 'decimal(20, 3)' },
    { id: 6, name: 'day', required: false, type: 'date' },
    { id: 7, name: 'tm', required: false, type: 'time' },
    { id: 8, name: 'ts', required: false, type: 'timestamp' },
    { id: 9, name: 'tstz', required: false, type: 'timestamptz' },
    { id: 10, name: 's', required: false, type: 'string' },
    { id: 11, name: 'bin', required: false, type: 'binary' },
    { id: 12, name: 'fx', required: false, type: 'fixed[2]' },
    { id: 13, name: 'lst', required: false, type: { type: 'list', elementId: 14, element: 'long', elementRequired: false } },
    { id: 15, name: 'st', required: false, type: { type: 'struct', fields: [{ id: 16, name: 'x', required: false, type: 'string' }] } },
  ],
};
const ROWS: Row[] = [
  {
    b: true, i: -7, l: 9_007_199_254_740_993n, d: -2.25, dec: -12_345_678_901_234_567n, day: 19782, tm: 47_655_123_456n,
    ts: 1_709_212_455_123_456n, tstz: -1n, s: 'grüße', bin: Uint8Array.of(0, 255), fx: Uint8Array.of(1, 2), lst: [1n, null], st: { x: 'y' },
  },
  { b: null, i: null, l: null, d: null, dec: null, day: null, tm: null, ts: null, tstz: null, s: null, bin: null, fx: null, lst: null, st: null },
]; // prettier-ignore

describe('Parquet and Arrow files as load inputs', () => {
  it('reads a Parquet file back to the same values, with the types the file declares', async () => {
    const { bytes } = await writeParquetFile(SCHEMA, arrowTableOf(SCHEMA, ROWS));
    const input = readParquetInput('x.parquet', bytes);
    const inferred = inferSchema([input]);
    expect(inferred.fields.map((f) => [f.name, f.type])).toEqual(
      SCHEMA.fields.map((f) => [f.name, typeof f.type === 'string' ? f.type : expect.objectContaining({ type: f.type.type })]),
    );
    expect(rowsFor(SCHEMA, input)).toEqual(ROWS);
  });

  it('reads an Arrow IPC file the same way', () => {
    const input = readArrowInput('x.arrow', tableToIPC(arrowTableOf(SCHEMA, ROWS), 'file'));
    expect(rowsFor(SCHEMA, input)).toEqual(ROWS);
  });

  it('refuses a truncated Parquet file with a clear message', async () => {
    const { bytes } = await writeParquetFile(SCHEMA, arrowTableOf(SCHEMA, ROWS));
    expect(() => readParquetInput('cut.parquet', bytes.subarray(0, bytes.length - 20))).toThrow(/^cut\.parquet: not a readable Parquet file/);
    expect(() => readArrowInput('bad.arrow', Uint8Array.of(1, 2, 3))).toThrow(/^bad\.arrow: not a readable Arrow IPC file/);
  });
});
