/**
 * Rows of Iceberg values -> an Arrow table with the schema of arrow-schema.ts, built straight from
 * typed arrays (apache-arrow's builders take timestamps as milliseconds and decimals as words,
 * which would lose or garble Iceberg's micros and unscaled values).
 *
 * A row is an object keyed by field name. Values follow the single-value conventions
 * (../iceberg/single-value.ts): boolean; int, date (days) -> number; long, time, timestamp(tz)
 * (micros; nanos for `_ns`) -> bigint; float, double -> number; string; uuid -> canonical
 * string; decimal -> bigint unscaled; fixed, binary -> Uint8Array. A struct is an object by field
 * name, a list an array, a map a JavaScript Map (or an array of [key, value] pairs). null or
 * undefined is a null; a null in a required field is refused.
 */
import { makeData, RecordBatch, Struct, Table, type Data, type DataType } from './arrow-lib.js';
import type { IcebergType, NestedField, Schema } from '../iceberg/model.js';
import { parsePrimitive } from '../iceberg/types.js';
import { arrowSchemaOf, arrowTypeOf } from './arrow-schema.js';

export type Row = Record<string, unknown>;

/** A value that does not fit its column: names the column (dotted path) and the row. */
export class ValueError extends Error {
  constructor(
    message: string,
    readonly column: string,
    readonly row: number,
  ) {
    super(message);
    this.name = 'ValueError';
  }
}


/** The Arrow table of `rows` under the table schema `schema`. */
export function arrowTableOf(schema: Schema, rows: readonly Row[]): Table {
  const arrowSchema = arrowSchemaOf(schema);
  const children = schema.fields.map((f) => buildColumn(f, rows.map((r) => r[f.name]), f.name));
  const data = makeData({ type: new Struct(arrowSchema.fields), length: rows.length, nullCount: 0, children });
  return new Table([new RecordBatch(arrowSchema, data)]);
}

function buildColumn(field: NestedField, values: readonly unknown[], path: string): Data {
  return build(field.type, values, !field.required, path);
}

function nullBitmap(values: readonly unknown[], nullable: boolean, path: string): { bitmap?: Uint8Array; nullCount: number } {
  let nullCount = 0;
  const bitmap = new Uint8Array((values.length + 7) >> 3);
  for (let i = 0; i < values.length; i++) {
    if (values[i] === null || values[i] === undefined) {
      if (!nullable) throw new ValueError(`${path} is required but row ${i + 1} has no value`, path, i);
      nullCount++;
    } else {
      bitmap[i >> 3] |= 1 << (i & 7);
    }
  }
  return nullCount === 0 ? { nullCount } : { bitmap, nullCount };
}

/** The Arrow data of one column's values (`path` names it in errors). */
export function buildValues(type: IcebergType, values: readonly unknown[], nullable: boolean, path: string): Data {
  return build(type, values, nullable, path);
}

function build(type: IcebergType, values: readonly unknown[], nullable: boolean, path: string): Data {
  const arrowType: DataType = arrowTypeOf(type, path);
  const length = values.length;
  const { bitmap, nullCount } = nullBitmap(values, nullable, path);
  const base = { type: arrowType, length, nullCount, nullBitmap: bitmap } as const;
  const fail = (i: number, what: string): never => {
    throw new ValueError(`${path}: row ${i + 1} holds ${describe(values[i])}, not ${what}`, path, i);
  };
  if (typeof type !== 'string') {
    if (type.type === 'struct') {
      values.forEach((v, i) => {
        if (v === null || v === undefined) return;
        if (typeof v !== 'object' || Array.isArray(v) || v instanceof Uint8Array || v instanceof Map) fail(i, 'a struct');
        for (const f of type.fields) {
          const child = (v as Row)[f.name];
          if (f.required && (child === null || child === undefined)) {
            throw new ValueError(`${path}.${f.name} is required but row ${i + 1} has no value`, `${path}.${f.name}`, i);
          }
        }
      });
      const children = type.fields.map((f) =>
        build(
          f.type,
          values.map((v) => (v === null || v === undefined ? null : (v as Row)[f.name])),
          // A child of a null struct is null whatever its own nullability (checked above otherwise).
          !f.required || nullCount > 0,
          `${path}.${f.name}`,
        ),
      );
      return mk({ ...base, children });
    }
    if (type.type === 'list') {
      const offsets = new Int32Array(length + 1);
      const items: unknown[] = [];
      values.forEach((v, i) => {
        if (v !== null && v !== undefined) {
          if (!Array.isArray(v)) fail(i, 'a list');
          for (const item of v as unknown[]) items.push(item);
        }
        offsets[i + 1] = items.length;
      });
      const child = build(type.element, items, !type.elementRequired, `${path}.element`);
      return mk({ ...base, valueOffsets: offsets, child });
    }
    const offsets = new Int32Array(length + 1);
    const keys: unknown[] = [];
    const vals: unknown[] = [];
    values.forEach((v, i) => {
      if (v !== null && v !== undefined) {
        const entries = v instanceof Map ? [...v.entries()] : Array.isArray(v) ? (v as [unknown, unknown][]) : fail(i, 'a map');
        for (const entry of entries) {
          if (!Array.isArray(entry) || entry.length !== 2) fail(i, 'a map of [key, value] pairs');
          keys.push(entry[0]);
          vals.push(entry[1]);
        }
      }
      offsets[i + 1] = keys.length;
    });
    const entriesType = (arrowType as unknown as { children: { type: Struct }[] }).children[0].type;
    const entries = mk({
      type: entriesType,
      length: keys.length,
      nullCount: 0,
      children: [build(type.key, keys, false, `${path}.key`), build(type.value, vals, !type.valueRequired, `${path}.value`)],
    });
    return mk({ ...base, valueOffsets: offsets, child: entries });
  }

  const p = parsePrimitive(type);
  const present = (i: number) => values[i] !== null && values[i] !== undefined;
  switch (p.kind) {
    case 'boolean': {
      const data = new Uint8Array((length + 7) >> 3);
      for (let i = 0; i < length; i++) {
        if (!present(i)) continue;
        if (typeof values[i] !== 'boolean') fail(i, 'a boolean');
        if (values[i]) data[i >> 3] |= 1 << (i & 7);
      }
      return mk({ ...base, data });
    }
    case 'int':
    case 'date': {
      const data = new Int32Array(length);
      for (let i = 0; i < length; i++) {
        if (!present(i)) continue;
        const v = values[i];
        if (typeof v !== 'number' || !Number.isInteger(v) || v < -2147483648 || v > 2147483647) fail(i, p.kind === 'int' ? 'a 32-bit integer' : 'a day number');
        data[i] = v as number;
      }
      return mk({ ...base, data });
    }
    case 'long':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
    case 'timestamp_ns':
    case 'timestamptz_ns': {
      const data = new BigInt64Array(length);
      for (let i = 0; i < length; i++) {
        if (!present(i)) continue;
        const v = values[i];
        if (typeof v === 'bigint' && v === BigInt.asIntN(64, v)) data[i] = v;
        else if (typeof v === 'number' && Number.isSafeInteger(v)) data[i] = BigInt(v);
        else fail(i, 'a 64-bit integer');
      }
      return mk({ ...base, data });
    }
    case 'float':
    case 'double': {
      const data = p.kind === 'float' ? new Float32Array(length) : new Float64Array(length);
      for (let i = 0; i < length; i++) {
        if (!present(i)) continue;
        if (typeof values[i] !== 'number') fail(i, 'a number');
        data[i] = values[i] as number;
      }
      return mk({ ...base, data });
    }
    case 'decimal': {
      const data = new Uint32Array(length * 4);
      const limit = 10n ** BigInt(p.precision);
      for (let i = 0; i < length; i++) {
        if (!present(i)) continue;
        const v = values[i];
        if (typeof v !== 'bigint' || v >= limit || v <= -limit) fail(i, `an unscaled decimal(${p.precision}, ${p.scale})`);
        let u = BigInt.asUintN(128, v as bigint);
        for (let w = 0; w < 4; w++) {
          data[i * 4 + w] = Number(u & 0xffffffffn);
          u >>= 32n;
        }
      }
      return mk({ ...base, data });
    }
    case 'string':
    case 'binary': {
      // One growing buffer that strings are encoded into in place: no array per value.
      let data = Buffer.allocUnsafe(Math.max(1024, length * 16));
      const offsets = new Int32Array(length + 1);
      let total = 0;
      for (let i = 0; i < length; i++) {
        if (present(i)) {
          const v = values[i];
          if (p.kind === 'string' && typeof v !== 'string') fail(i, 'a string');
          if (p.kind === 'binary' && !(v instanceof Uint8Array)) fail(i, 'bytes');
          const need = p.kind === 'string' ? (v as string).length * 3 : (v as Uint8Array).length;
          if (total + need > data.length) {
            const grown = Buffer.allocUnsafe(Math.max(data.length * 2, total + need));
            data.copy(grown, 0, 0, total);
            data = grown;
          }
          if (p.kind === 'string') total += data.write(v as string, total, 'utf8');
          else {
            data.set(v as Uint8Array, total);
            total += (v as Uint8Array).length;
          }
          if (total > 2147483647) throw new ValueError(`${path}: more than 2 GiB of text in one file`, path, i);
        }
        offsets[i + 1] = total;
      }
      return mk({ ...base, valueOffsets: offsets, data: new Uint8Array(data.buffer, data.byteOffset, total) });
    }
    case 'uuid':
    case 'fixed': {
      const width = p.kind === 'uuid' ? 16 : p.length;
      const data = new Uint8Array(length * width);
      for (let i = 0; i < length; i++) {
        if (!present(i)) continue;
        const v = values[i];
        let bytes: Uint8Array;
        if (p.kind === 'uuid') {
          const hex = typeof v === 'string' ? v.replace(/-/g, '') : '';
          if (!/^[0-9a-fA-F]{32}$/.test(hex)) fail(i, 'a UUID');
          bytes = Buffer.from(hex, 'hex');
        } else {
          if (!(v instanceof Uint8Array) || v.length !== width) fail(i, `${width} bytes`);
          bytes = v as Uint8Array;
        }
        data.set(bytes, i * width);
      }
      return mk({ ...base, data });
    }
    default:
      // arrowTypeOf has refused every other kind already.
      throw new ValueError(`${path}: type ${p.kind} cannot be written`, path, 0);
  }
}

/** makeData for a type chosen at run time (its overloads want the type statically). */
function mk(props: { type: DataType; length: number; nullCount: number } & Record<string, unknown>): Data {
  return makeData(props as never) as Data;
}

function describe(v: unknown): string {
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v)}`;
  if (typeof v === 'bigint') return `the integer ${v}`;
  if (v instanceof Uint8Array) return `${v.length} bytes`;
  if (Array.isArray(v)) return 'a list';
  return `${typeof v} ${String(v)}`;
}
