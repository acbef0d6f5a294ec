import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import type { Schema } from '../iceberg/model.js';
import { fromSingleValueBytes } from '../iceberg/single-value.js';
import { arrowTableOf, ValueError, type Row } from './arrow-build.js';
import { UnsupportedTypeError } from './arrow-schema.js';
import { columnStats, compareCodePoints, parseMetricsMode } from './column-stats.js';
import { leafIdsByPath, mostlyDistinct, ParquetStreamWriter, writeParquetFile } from './parquet-write.js';

const EVERY: Schema = {
  type: 'struct',
  schemaId: 0,
  fields: [
    { id: 1, name: 'b', required: false, type: 'boolean' },
    { id: 2, name: 'i', required: true, type: 'int' },
    { id: 3, name: 'l', required: false, type: 'long' },
    { id: 4, name: 'f', required: false, type: 'float' },
    { id: 5, name: 'd', required: false, type: 'double' },
    { id: 6, name: 'dec9', required: false, type: 'decimal(9, 2)' },
    { id: 7, name: 'dec38', required: false, type: 'decimal(38, 4)' },
    { id: 8, name: 'day', required: false, type: 'date' },
    { id: 9, name: 'tm', required: false, type: 'time' },
    { id: 10, name: 'ts', required: false, type: 'timestamp' },
    { id: 11, name: 'tstz', required: false, type: 'timestamptz' },
    { id: 12, name: 'tsns', required: false, type: 'timestamp_ns' },
    { id: 13, name: 's', required: false, type: 'string' },
    { id: 14, name: 'u', required: false, type: 'uuid' },
    { id: 15, name: 'fx', required: false, type: 'fixed[3]' },
    { id: 16, name: 'bin', required: false, type: 'binary' },
    { id: 17, name: 'lst', required: false, type: { type: 'list', elementId: 18, element: 'long', elementRequired: false } },
    {
      id: 19,
      name: 'mp',
      required: false,
      type: { type: 'map', keyId: 20, key: 'string', valueId: 21, value: { type: 'list', elementId: 22, element: 'int', elementRequired: true }, valueRequired: false },
    },
    {
      id: 23,
      name: 'st',
      required: false,
      type: { type: 'struct', fields: [{ id: 24, name: 'x', required: true, type: 'double' }, { id: 25, name: 'y', required: false, type: 'string' }] },
    },
  ],
};

const ROWS: Row[] = [
  {
    b: true, i: -7, l: 9_007_199_254_740_993n, f: 1.5, d: -2.25, dec9: 12345n, dec38: -(10n ** 37n) + 1n, day: 19782,
    tm: 47_655_123_456n, ts: 1_709_212_455_123_456n, tstz: -1n, tsns: 1_709_212_455_123_456_789n, s: 'grüße 🐟',
    u: '12345678-1234-5678-1234-567812345678', fx: Uint8Array.of(1, 2, 3), bin: Uint8Array.of(0, 255),
    lst: [1n, null, 3n], mp: new Map([['a', [1, 2]], ['b', null]]), st: { x: 5, y: 'five' },
  },
  { i: 0, lst: null, mp: null, st: null, d: Number.NaN },
  { i: 2147483647, l: -1n, s: 'apple', lst: [], mp: new Map(), st: { x: -0 }, d: -0, f: Number.NaN },
]; // prettier-ignore

async function written(schema: Schema, rows: Row[]) {
  const out = await writeParquetFile(schema, arrowTableOf(schema, rows), { compression: 'snappy' });
  const buffer = out.bytes.slice().buffer;
  return { out, buffer, meta: parquetMetadata(buffer) };
}

describe('Parquet data files with Iceberg semantics', () => {
  it('puts the Iceberg field id on every field, list elements and map keys and values included', async () => {
    const { meta } = await written(EVERY, ROWS);
    const ids = meta.schema.slice(1).map((e) => [e.name, e.field_id ?? null]);
    expect(ids).toEqual([
      ['b', 1], ['i', 2], ['l', 3], ['f', 4], ['d', 5], ['dec9', 6], ['dec38', 7], ['day', 8], ['tm', 9], ['ts', 10],
      ['tstz', 11], ['tsns', 12], ['s', 13], ['u', 14], ['fx', 15], ['bin', 16],
      ['lst', 17], ['list', null], ['element', 18],
      ['mp', 19], ['entries', null], ['key', 20], ['value', 21], ['list', null], ['element', 22],
      ['st', 23], ['x', 24], ['y', 25],
    ]); // prettier-ignore
    // Required fields are REQUIRED; three-level lists; the spec's physical types and annotations.
    const byName = (name: string) => meta.schema.find((e) => e.name === name)!;
    expect(byName('i').repetition_type).toBe('REQUIRED');
    expect(byName('l').repetition_type).toBe('OPTIONAL');
    expect(byName('list').repetition_type).toBe('REPEATED');
    expect([byName('dec9').type, byName('dec38').type]).toEqual(['INT32', 'FIXED_LEN_BYTE_ARRAY']);
    expect(byName('tm').logical_type).toEqual({ type: 'TIME', isAdjustedToUTC: false, unit: 'MICROS' });
    expect(byName('ts').logical_type).toEqual({ type: 'TIMESTAMP', isAdjustedToUTC: false, unit: 'MICROS' });
    expect(byName('tstz').logical_type).toEqual({ type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' });
    expect(byName('tsns').logical_type).toEqual({ type: 'TIMESTAMP', isAdjustedToUTC: false, unit: 'NANOS' });
    expect([byName('u').type, byName('u').type_length]).toEqual(['FIXED_LEN_BYTE_ARRAY', 16]);
    expect(byName('day').logical_type).toEqual({ type: 'DATE' });
  });

  it('writes the values a reader gets back', async () => {
    const { buffer } = await written(EVERY, ROWS);
    const [first, second, third] = (await parquetReadObjects({ file: buffer, utf8: false })) as Record<string, unknown>[];
    expect(first).toMatchObject({
      b: true, i: -7, l: 9_007_199_254_740_993n, f: 1.5, d: -2.25, dec9: 123.45, tm: 47_655_123_456n, s: 'grüße 🐟',
      fx: Uint8Array.of(1, 2, 3), bin: Uint8Array.of(0, 255), lst: [1n, null, 3n], mp: { a: [1, 2], b: null }, st: { x: 5, y: 'five' },
    }); // prettier-ignore
    expect(first.u).toEqual(Uint8Array.from(Buffer.from('12345678123456781234567812345678', 'hex')));
    expect((first.ts as Date).toISOString()).toBe('2024-02-29T13:14:15.123Z');
    expect(second).toMatchObject({ i: 0, b: null, lst: null, mp: null, st: null });
    expect(Number.isNaN(second.d)).toBe(true);
    expect(third).toMatchObject({ i: 2147483647, l: -1n, lst: [], mp: {}, st: { x: -0, y: null } });
  });

  it('computes counts and bounds that agree with the Parquet footer, leaf by leaf', async () => {
    const { meta, out } = await written(EVERY, ROWS);
    const stats = columnStats(EVERY, ROWS);
    const ids = leafIdsByPath(EVERY);
    for (const column of meta.row_groups[0].columns) {
      const path = column.meta_data!.path_in_schema.join('.');
      const id = ids.get(path)!;
      expect(id, path).toBeDefined();
      expect(stats.valueCounts.get(id), path).toBe(column.meta_data!.num_values);
      expect(stats.nullValueCounts.get(id), path).toBe(column.meta_data!.statistics!.null_count);
      expect(out.columnSizes.get(id), path).toBe(column.meta_data!.total_compressed_size);
    }
    expect(out.columnSizes.size).toBe(ids.size);
    const footer = (name: string) => meta.row_groups[0].columns.find((c) => c.meta_data!.path_in_schema.join('.') === name)!.meta_data!.statistics!;
    const bound = (id: number, type: string, which: 'lowerBounds' | 'upperBounds') => fromSingleValueBytes(type, stats[which].get(id)!);
    expect([bound(3, 'long', 'lowerBounds'), bound(3, 'long', 'upperBounds')]).toEqual([footer('l').min_value, footer('l').max_value]);
    expect([bound(13, 'string', 'lowerBounds'), bound(13, 'string', 'upperBounds')]).toEqual(['apple', 'grüße 🐟']);
    expect(footer('s').min_value).toBe('apple');
    expect(bound(14, 'uuid', 'lowerBounds')).toBe('12345678-1234-5678-1234-567812345678');
    // NaN is counted, never a bound; -0.0 orders before +0.0 and below -2.25 nothing.
    expect(stats.nanValueCounts.get(5)).toBe(1n);
    expect(stats.nanValueCounts.get(4)).toBe(1n);
    expect([bound(5, 'double', 'lowerBounds'), bound(5, 'double', 'upperBounds')]).toEqual([-2.25, -0]);
    expect(Object.is(bound(24, 'double', 'lowerBounds'), -0)).toBe(true);
    // Struct leaves get bounds; leaves in lists and maps only counts.
    expect(bound(25, 'string', 'upperBounds')).toBe('five');
    for (const id of [18, 20, 21, 22]) expect(stats.lowerBounds.has(id), String(id)).toBe(false);
    expect(stats.valueCounts.get(18)).toBe(5n); // 3 elements, one null list, one empty list
    expect(stats.nullValueCounts.get(18)).toBe(3n);
  });

  it('follows the table metrics properties: default, per column, truncation', () => {
    const schema: Schema = {
      type: 'struct',
      schemaId: 0,
      fields: [
        { id: 1, name: 'name', required: false, type: 'string' },
        { id: 2, name: 'n', required: false, type: 'long' },
        { id: 3, name: 'blob', required: false, type: 'binary' },
      ],
    };
    const rows = [{ name: 'abcdefghijklmnopqrstuvwxyz', n: 1n, blob: new Uint8Array(20).fill(0xff) }, { name: 'b', n: 2n, blob: Uint8Array.of(1) }];
    const truncated = columnStats(schema, rows);
    expect(fromSingleValueBytes('string', truncated.lowerBounds.get(1)!)).toBe('abcdefghijklmnop');
    expect(fromSingleValueBytes('string', truncated.upperBounds.get(1)!)).toBe('b');
    expect(truncated.upperBounds.has(3)).toBe(false); // sixteen 0xff bytes cannot be incremented
    const modes = columnStats(schema, rows, {
      'write.metadata.metrics.default': 'counts',
      'write.metadata.metrics.column.name': 'full',
      'write.metadata.metrics.column.blob': 'none',
    });
    expect(fromSingleValueBytes('string', modes.lowerBounds.get(1)!)).toBe('abcdefghijklmnopqrstuvwxyz');
    expect([...modes.lowerBounds.keys()]).toEqual([1]);
    expect(modes.valueCounts.get(2)).toBe(2n);
    expect(modes.valueCounts.has(3)).toBe(false);
    expect(parseMetricsMode(' Truncate(8) ')).toEqual({ kind: 'truncate', length: 8 });
    expect(() => parseMetricsMode('truncate(0)')).toThrow(/Invalid metrics mode/);
  });

  it('orders strings by code point, as UTF-8 bytes do', () => {
    expect(compareCodePoints('\uFFFD', '🐟')).toBeLessThan(0); // '<' on UTF-16 units says the opposite
    expect('\uFFFD' < '🐟').toBe(false);
    expect(compareCodePoints('a', 'ab')).toBeLessThan(0);
  });

  it('refuses a value that does not fit its column, naming the column and the row', () => {
    const bad = (rows: Row[]) => {
      try {
        arrowTableOf(EVERY, rows);
      } catch (e) {
        return e as ValueError;
      }
      throw new Error('accepted');
    };
    expect(bad([{ i: 1.5 }])).toMatchObject({ name: 'ValueError', column: 'i', row: 0, message: 'i: row 1 holds number 1.5, not a 32-bit integer' });
    expect(bad([{ i: 1 }, { i: null }]).message).toBe('i is required but row 2 has no value');
    expect(bad([{ i: 1, dec9: 10n ** 9n }]).message).toMatch(/^dec9: row 1 holds the integer 1000000000, not an unscaled decimal\(9, 2\)/);
    expect(bad([{ i: 1, st: { y: 'no x' } }]).message).toBe('st.x is required but row 1 has no value');
    expect(bad([{ i: 1, lst: 'nope' }]).message).toBe('lst: row 1 holds the string "nope", not a list');
    expect(bad([{ i: 1, u: 'not-a-uuid' }]).column).toBe('u');
    expect(() => arrowTableOf({ type: 'struct', schemaId: 0, fields: [{ id: 1, name: 'v', required: false, type: 'variant' }] }, [])).toThrow(UnsupportedTypeError);
  });
});

describe('the Parquet encoder thread', () => {
  const SMALL: Schema = { type: 'struct', schemaId: 0, fields: [{ id: 1, name: 'n', required: true, type: 'long' }] };
  const batchOf = (from: number, count: number) => arrowTableOf(SMALL, Array.from({ length: count }, (_, i) => ({ n: BigInt(from + i) }))).batches[0];

  it('writes files pushed in turns, each with its own rows, in order', async () => {
    const a = new ParquetStreamWriter(SMALL, { compression: 'snappy' });
    const b = new ParquetStreamWriter(SMALL, { compression: 'snappy' });
    for (let i = 0; i < 10; i++) {
      await a.push(batchOf(i * 100, 100));
      await b.push(batchOf(-i * 10 - 10, 10));
    }
    const [fa, fb] = await Promise.all([a.finish(), b.finish()]);
    const rowsA = await parquetReadObjects({ file: fa.bytes.slice().buffer });
    const rowsB = await parquetReadObjects({ file: fb.bytes.slice().buffer });
    expect(rowsA.map((r) => r.n)).toEqual(Array.from({ length: 1000 }, (_, i) => BigInt(i)));
    expect(rowsB).toHaveLength(100);
    expect(fa.columnSizes.get(1)).toBeGreaterThan(0n);
  });

  it('drops an aborted file, rejects its pending finish, and keeps serving the others', async () => {
    const doomed = new ParquetStreamWriter(SMALL, { compression: 'snappy' });
    await doomed.push(batchOf(0, 10));
    const pending = doomed.finish();
    doomed.abort(new Error('the input had a bad value'));
    await expect(pending).rejects.toThrow(/bad value/);
    const next = new ParquetStreamWriter(SMALL, { compression: 'snappy' });
    await next.push(batchOf(5, 3));
    const rows = await parquetReadObjects({ file: (await next.finish()).bytes.slice().buffer });
    expect(rows.map((r) => r.n)).toEqual([5n, 6n, 7n]);
  });

  it('answers a failure of the encoder as an error of that file', async () => {
    const broken = new ParquetStreamWriter(SMALL, { rowGroupRows: 0 });
    await expect(broken.push(batchOf(0, 1)).then(() => broken.finish())).rejects.toThrow(/Parquet writer/);
    // A fresh file after the failure is written whole (the thread is replaced if the failure broke it).
    const next = new ParquetStreamWriter(SMALL, { compression: 'snappy' });
    await next.push(batchOf(1, 2));
    const rows = await parquetReadObjects({ file: (await next.finish()).bytes.slice().buffer });
    expect(rows.map((r) => r.n)).toEqual([1n, 2n]);
  });

  it('writes mostly distinct columns of the first batch without a dictionary, the others with one, values intact', async () => {
    const schema: Schema = {
      type: 'struct',
      schemaId: 0,
      fields: [
        { id: 1, name: 'ts', required: true, type: 'timestamptz' },
        { id: 2, name: 'device', required: true, type: 'string' },
        { id: 3, name: 'serial', required: true, type: 'string' },
      ],
    };
    const rows = Array.from({ length: 5_000 }, (_, i) => ({ ts: 1_709_251_200_000_000n + BigInt(i) * 30_000_000n, device: `cgm-${i % 50}`, serial: `s-${i}` }));
    const batch = arrowTableOf(schema, rows).batches[0];
    expect(mostlyDistinct(batch)).toEqual(['ts', 'serial']);
    expect(mostlyDistinct(arrowTableOf(schema, rows.slice(0, 100)).batches[0])).toEqual([]); // too few rows to judge
    const out = await writeParquetFile(schema, arrowTableOf(schema, rows), { compression: 'snappy' });
    const meta = parquetMetadata(out.bytes.slice().buffer);
    const dictionary = Object.fromEntries(meta.row_groups[0].columns.map((c) => [c.meta_data!.path_in_schema.join('.'), c.meta_data!.dictionary_page_offset !== undefined]));
    expect(dictionary).toEqual({ ts: false, device: true, serial: false });
    const back = await parquetReadObjects({ file: out.bytes.slice().buffer });
    expect(back.map((r) => [r.device, r.serial])).toEqual(rows.map((r) => [r.device, r.serial]));
    expect(back[4_999].ts).toEqual(new Date(Number((1_709_251_200_000_000n + 4_999n * 30_000_000n) / 1000n)));
  });
});
