/**
 * Records -> an Arrow record batch and its statistics column by column, with no object per row:
 * the path of big loads into unpartitioned tables (data-files.ts), where building a row object
 * per record, then walking the rows once for Arrow and once more for statistics, was most of the
 * time. The common CSV types are parsed straight into typed arrays and their statistics kept on
 * the way: long, timestamp and timestamptz as exact numbers written into 64-bit slots (no BigInt
 * per value), double, int and date into their arrays, strings encoded in one go. Any other column
 * is cast value by value (cast.ts) and built as in arrow-build.ts. Values, errors and statistics
 * are those of the row path (`rowsFor`, `arrowTableOf`, `StatsAccumulator.add`): a bad value
 * is reported as the first bad value in record order, with the same message.
 */
import { makeData, RecordBatch, Struct, type Data, type DataType } from './arrow-lib.js';
import type { NestedField, Schema } from '../iceberg/model.js';
import { parsePrimitive } from '../iceberg/types.js';
import { arrowSchemaOf, arrowTypeOf } from './arrow-schema.js';
import { buildValues } from './arrow-build.js';
import { CastError, casterFor, fastLong, fastTimestamp, timestampAt } from './cast.js';
import { compareCodePoints, type ColumnSummary, type StatsAccumulator } from './column-stats.js';
import { InputError, rowsFor, type CsvBlock, type Input } from './inputs.js';

/** A part of a file's rows, column by column: its Arrow batch and what each column adds to the statistics. */
export interface ColumnarPart {
  batch: RecordBatch;
  /** Per top-level field: a summary (fast columns), or the cast values for the accumulator to visit. */
  stats: ({ summary: ColumnSummary } | { values: unknown[] })[];
}

/** True when `columnarPart` can take records of `input` for `schema` (unknown columns are left to `rowsFor`'s message). */
export function columnarFits(schema: Schema, input: Input): boolean {
  const names = new Set(schema.fields.map((f) => f.name));
  return input.columns.every((c) => names.has(c));
}

/** Records `from` to `to` (exclusive) of `input` under `schema`, as one Arrow batch and its column statistics. */
export function columnarPart(schema: Schema, input: Input, from: number, to: number): ColumnarPart {
  try {
    const arrowSchema = arrowSchemaOf(schema);
    const parts = schema.fields.map((field) => column(field, input, from, to));
    const data = makeData({ type: new Struct(arrowSchema.fields), length: to - from, nullCount: 0, children: parts.map((p) => p.data) });
    return { batch: new RecordBatch(arrowSchema, data), stats: parts.map((p) => p.stats) };
  } catch (err) {
    // Columns are cast one after the other: the first bad value in record order is the one to name.
    if (err instanceof InputError) rowsFor(schema, { ...input, block: undefined, records: input.records.slice(from, to), where: (i) => input.where(from + i) });
    throw err;
  }
}

interface Column {
  data: Data;
  stats: ColumnarPart['stats'][number];
}

function column(field: NestedField, input: Input, from: number, to: number): Column {
  const at = input.columns.indexOf(field.name);
  const length = to - from;
  const path = field.name;
  const type = field.type;
  if (at < 0) {
    if (field.required && length > 0) throw new InputError(`${input.where(from)}: column ${field.name} is required but has no value`);
    const values: unknown[] = new Array(length).fill(null);
    return { data: buildValues(type, values, true, path), stats: { values } };
  }
  const kind = typeof type === 'string' && input.text ? parsePrimitive(type).kind : undefined;
  if (kind === 'long' || kind === 'timestamp' || kind === 'timestamptz') return int64Column(field, input, from, to, at, kind);
  if (kind === 'string') return input.block ? blockStringColumn(field, input, input.block, from, to, at) : stringColumn(field, input, from, to, at);
  // Every other type: cast value by value, then built and counted as the row path does.
  const cast = casterFor(type, input.text);
  const cell = cellsOf(input, at);
  const values: unknown[] = new Array(length);
  for (let i = 0; i < length; i++) {
    const value = castAt(cast, cell(from + i), field, input, from + i);
    if ((value === null || value === undefined) && field.required) throw required(field, input, from + i);
    values[i] = value;
  }
  return { data: buildValues(type, values, !field.required, path), stats: { values } };
}

/** The raw value of column `at` by record index: from the strings, or cut from a byte block. */
function cellsOf(input: Input, at: number): (record: number) => unknown {
  const block = input.block;
  if (!block) {
    const records = input.records;
    return (record) => records[record][at];
  }
  const { bytes, bounds, from } = block;
  const stride = block.width + 1;
  return (record) => {
    const b = (from + record) * stride + at;
    return bytes.toString('latin1', bounds[b], bounds[b + 1] - 1);
  };
}

function castAt(cast: (v: unknown) => unknown, raw: unknown, field: NestedField, input: Input, record: number): unknown {
  try {
    return cast(raw);
  } catch (err) {
    if (err instanceof CastError) throw new InputError(`${input.where(record)}: column ${field.name}: ${err.message}`);
    throw err;
  }
}

function required(field: NestedField, input: Input, record: number): InputError {
  return new InputError(`${input.where(record)}: column ${field.name} is required but has no value`);
}

const TWO_32 = 4294967296;
/** The halves below are written low word first: true on every platform Node runs on but s390x. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** long / timestamp / timestamptz from CSV text: 64-bit slots written as two 32-bit halves. */
function int64Column(field: NestedField, input: Input, from: number, to: number, at: number, kind: 'long' | 'timestamp' | 'timestamptz'): Column {
  const length = to - from;
  const slots = new BigInt64Array(length);
  const halves = new Uint32Array(slots.buffer);
  const bitmap = new Uint8Array((length + 7) >> 3);
  const zoned = kind === 'timestamptz';
  const block = input.block;
  const cell = cellsOf(input, at);
  const stride = block ? block.width + 1 : 0;
  let cast: ((v: unknown) => unknown) | undefined;
  let nulls = 0;
  let min: number | bigint | undefined;
  let max: number | bigint | undefined;
  for (let i = 0; i < length; i++) {
    let fast: number | undefined;
    let raw: string | undefined;
    if (block) {
      // Read straight from the bytes: no string at all.
      const b = (block.from + from + i) * stride + at;
      const start = block.bounds[b];
      const end = block.bounds[b + 1] - 1;
      if (start === end) {
        if (field.required) throw required(field, input, from + i);
        nulls++;
        continue;
      }
      fast = kind === 'long' ? longAt(block.bytes, start, end) : timestampAt(block.bytes, start, end, zoned);
    } else {
      raw = cell(from + i) as string;
      if (raw === '' || raw === undefined || raw === null) {
        if (field.required) throw required(field, input, from + i);
        nulls++;
        continue;
      }
      fast = kind === 'long' ? fastLong(raw) : fastTimestamp(raw, zoned);
    }
    bitmap[i >> 3] |= 1 << (i & 7);
    let v: number | bigint;
    if (fast !== undefined && !LITTLE_ENDIAN) {
      v = fast;
      slots[i] = BigInt(fast);
    } else if (fast !== undefined) {
      v = fast;
      const hi = Math.floor(fast / TWO_32);
      halves[2 * i] = fast - hi * TWO_32;
      halves[2 * i + 1] = hi >>> 0;
    } else {
      cast ??= casterFor(field.type, true);
      v = castAt(cast, raw ?? cell(from + i), field, input, from + i) as bigint;
      slots[i] = v;
    }
    if (min === undefined || v < min) min = v;
    if (max === undefined || v > max) max = v;
  }
  const type: DataType = arrowTypeOf(field.type, field.name);
  const data = makeData({ type, length, nullCount: nulls, nullBitmap: nulls > 0 ? bitmap : undefined, data: slots } as never) as Data;
  return {
    data,
    stats: { summary: { valueCount: length, nullCount: nulls, nanCount: 0, min: min === undefined ? undefined : BigInt(min), max: max === undefined ? undefined : BigInt(max) } },
  };
}

/** A decimal integer of at most 15 digits in `bytes[start, end)` (as `fastLong`), else undefined. */
function longAt(bytes: Uint8Array, start: number, end: number): number | undefined {
  const negative = bytes[start] === 45; /* - */
  let i = negative ? start + 1 : start;
  if (i === end || end - start > 15) return undefined;
  let v = 0;
  for (; i < end; i++) {
    const c = bytes[i] - 48;
    if (c < 0 || c > 9) return undefined;
    v = v * 10 + c;
  }
  return negative ? -v : v;
}

/**
 * Strings of a byte block (ASCII: a byte is a character): their bytes copied into the column's
 * data as they are, bounds compared as bytes (= code points), no string made but the two bounds.
 */
function blockStringColumn(field: NestedField, input: Input, block: CsvBlock, from: number, to: number, at: number): Column {
  const length = to - from;
  const { bytes, bounds } = block;
  const stride = block.width + 1;
  const bitmap = new Uint8Array((length + 7) >> 3);
  const offsets = new Int32Array(length + 1);
  let total = 0;
  for (let i = 0; i < length; i++) {
    const b = (block.from + from + i) * stride + at;
    total += bounds[b + 1] - 1 - bounds[b];
  }
  const data = new Uint8Array(total);
  let nulls = 0;
  let pos = 0;
  let minAt = -1;
  let maxAt = -1;
  for (let i = 0; i < length; i++) {
    const b = (block.from + from + i) * stride + at;
    const start = bounds[b];
    const end = bounds[b + 1] - 1;
    if (start === end) {
      if (field.required) throw required(field, input, from + i);
      nulls++;
    } else {
      bitmap[i >> 3] |= 1 << (i & 7);
      for (let k = start; k < end; k++) data[pos++] = bytes[k];
      if (minAt < 0 || compareRanges(bytes, start, end, bounds[minAt], bounds[minAt + 1] - 1) < 0) minAt = b;
      if (maxAt < 0 || compareRanges(bytes, start, end, bounds[maxAt], bounds[maxAt + 1] - 1) > 0) maxAt = b;
    }
    offsets[i + 1] = pos;
  }
  const text = (b: number) => (b < 0 ? undefined : bytes.toString('latin1', bounds[b], bounds[b + 1] - 1));
  const type: DataType = arrowTypeOf(field.type, field.name);
  const column = makeData({ type, length, nullCount: nulls, nullBitmap: nulls > 0 ? bitmap : undefined, valueOffsets: offsets, data } as never) as Data;
  return { data: column, stats: { summary: { valueCount: length, nullCount: nulls, nanCount: 0, min: text(minAt), max: text(maxAt) } } };
}

function compareRanges(bytes: Uint8Array, aStart: number, aEnd: number, bStart: number, bEnd: number): number {
  const n = Math.min(aEnd - aStart, bEnd - bStart);
  for (let k = 0; k < n; k++) {
    const d = bytes[aStart + k] - bytes[bStart + k];
    if (d !== 0) return d;
  }
  return aEnd - aStart - (bEnd - bStart);
}

/** Strings from CSV text, encoded to UTF-8 in one piece; bounds in code point order. */
function stringColumn(field: NestedField, input: Input, from: number, to: number, at: number): Column {
  const length = to - from;
  const records = input.records;
  const bitmap = new Uint8Array((length + 7) >> 3);
  const offsets = new Int32Array(length + 1);
  const present: string[] = [];
  let nulls = 0;
  let chars = 0;
  for (let i = 0; i < length; i++) {
    const raw = records[from + i][at] as string;
    if (raw === '' || raw === undefined || raw === null) {
      if (field.required) throw required(field, input, from + i);
      nulls++;
    } else {
      bitmap[i >> 3] |= 1 << (i & 7);
      present.push(raw);
      chars += raw.length;
    }
    offsets[i + 1] = chars;
  }
  const text = present.join('');
  // Only ASCII (the usual case): a character is a byte, the offsets are the character counts.
  const ascii = !/[^\x00-\x7f]/.test(text);
  let bytes: Uint8Array;
  if (ascii) {
    bytes = Buffer.from(text, 'latin1');
  } else {
    bytes = Buffer.from(text, 'utf8');
    let total = 0;
    let k = 0;
    for (let i = 0; i < length; i++) {
      if (bitmap[i >> 3] & (1 << (i & 7))) total += Buffer.byteLength(present[k++], 'utf8');
      offsets[i + 1] = total;
    }
  }
  if (bytes.length > 2147483647) throw new InputError(`${input.where(from)}: column ${field.name}: more than 2 GiB of text in one file`);
  let min: string | undefined;
  let max: string | undefined;
  for (const s of present) {
    if (min === undefined || (ascii ? s < min : compareCodePoints(s, min) < 0)) min = s;
    if (max === undefined || (ascii ? s > max : compareCodePoints(s, max) > 0)) max = s;
  }
  const type: DataType = arrowTypeOf(field.type, field.name);
  const data = makeData({ type, length, nullCount: nulls, nullBitmap: nulls > 0 ? bitmap : undefined, valueOffsets: offsets, data: bytes } as never) as Data;
  return { data, stats: { summary: { valueCount: length, nullCount: nulls, nanCount: 0, min, max } } };
}
