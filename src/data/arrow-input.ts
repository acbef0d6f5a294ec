/**
 * Parquet and Arrow IPC files as `lakecat load` inputs: the file is read into Arrow (parquet-wasm
 * for Parquet, apache-arrow for IPC), each column's values become what the casts take (exact
 * integers, ISO text for dates, times and timestamps at their full precision, decimal text with
 * its scale, bytes), and the columns' Iceberg types come from the Arrow schema, so `--create`
 * keeps decimals, timestamps with or without zone, and nested types as the file has them.
 */
import { DataType, tableFromIPC, type Field, type Table as ArrowTable, type Vector } from './arrow-lib.js';
import { parquetWasm } from './parquet-lib.js';

import type { IcebergType, NestedField } from '../iceberg/model.js';
import { formatDecimal } from '../iceberg/human-strings.js';
import { InputError, type Input } from './inputs.js';
import { decimalAt, locate } from './arrow-values.js';
import { valueToJson } from './value-text.js';

export function readParquetInput(file: string, bytes: Uint8Array): Input {
  let table: ArrowTable;
  try {
    table = tableFromIPC(parquetWasm().readParquet(bytes).intoIPCStream());
  } catch (err) {
    throw new InputError(`${file}: not a readable Parquet file (${err instanceof Error ? err.message : String(err)})`);
  }
  return arrowInput(file, 'parquet', table);
}

export function readArrowInput(file: string, bytes: Uint8Array): Input {
  let table: ArrowTable;
  try {
    table = tableFromIPC(bytes);
  } catch (err) {
    throw new InputError(`${file}: not a readable Arrow IPC file (${err instanceof Error ? err.message : String(err)})`);
  }
  // apache-arrow reads bytes that are no IPC at all as an empty table without columns.
  if (table.schema.fields.length === 0) throw new InputError(`${file}: not a readable Arrow IPC file (no schema in it)`);
  return arrowInput(file, 'arrow', table);
}

function arrowInput(file: string, format: 'parquet' | 'arrow', table: ArrowTable): Input {
  const columns = table.schema.fields.map((f) => f.name);
  let nextId = 1;
  const types = table.schema.fields.map((f) => icebergTypeOf(f, () => nextId++));
  const records: unknown[][] = Array.from({ length: table.numRows }, () => new Array(columns.length));
  table.schema.fields.forEach((field, c) => {
    const vector = table.getChildAt(c)!;
    const type = types[c];
    for (let i = 0; i < table.numRows; i++) records[i][c] = inputValue(vector, i, field.type, type);
  });
  return { file, format, columns, records, text: false, types, where: (i) => `${file}:row ${i + 1}` };
}

/** The Iceberg type of an Arrow field (ids numbered in order; the server assigns its own). */
function icebergTypeOf(field: Field, nextId: () => number): IcebergType | undefined {
  const t = field.type;
  if (DataType.isBool(t)) return 'boolean';
  if (DataType.isInt(t)) return t.bitWidth <= 32 && (t.isSigned || t.bitWidth < 32) ? 'int' : 'long';
  if (DataType.isFloat(t)) return t.precision === 2 ? 'double' : 'float';
  if (DataType.isDecimal(t)) return `decimal(${t.precision}, ${t.scale})`;
  if (DataType.isDate(t)) return 'date';
  if (DataType.isTime(t)) return 'time';
  if (DataType.isTimestamp(t)) return `${t.timezone ? 'timestamptz' : 'timestamp'}${t.unit === 3 ? '_ns' : ''}`;
  if (DataType.isUtf8(t) || DataType.isLargeUtf8(t)) return 'string';
  if (DataType.isFixedSizeBinary(t)) return `fixed[${t.byteWidth}]`;
  if (DataType.isBinary(t) || DataType.isLargeBinary(t)) return 'binary';
  if (DataType.isList(t)) {
    const child = t.children[0];
    const elementId = nextId();
    const element = icebergTypeOf(child, nextId);
    return element === undefined ? undefined : { type: 'list', elementId, element, elementRequired: !child.nullable };
  }
  if (DataType.isStruct(t)) {
    const fields: NestedField[] = [];
    for (const child of t.children) {
      const id = nextId();
      const type = icebergTypeOf(child, nextId);
      if (type === undefined) return undefined;
      fields.push({ id, name: child.name, required: !child.nullable, type });
    }
    return { type: 'struct', fields };
  }
  if (DataType.isMap(t)) {
    const [key, value] = t.children[0].type.children;
    const keyId = nextId();
    const valueId = nextId();
    const k = icebergTypeOf(key, nextId);
    const v = icebergTypeOf(value, nextId);
    return k === undefined || v === undefined ? undefined : { type: 'map', keyId, key: k, valueId, value: v, valueRequired: !value.nullable };
  }
  return undefined;
}

/** One value as the casts take it. */
function inputValue(vector: Vector, i: number, t: DataType, type: IcebergType | undefined): unknown {
  if (!vector.isValid(i)) return null;
  if (DataType.isTimestamp(t) || DataType.isTime(t) || DataType.isDate(t) || DataType.isDecimal(t)) {
    if (DataType.isDecimal(t)) return formatDecimal(decimalAt(vector, i, t.bitWidth), t.scale);
    const [data, at] = locate(vector, i);
    if (DataType.isDate(t)) {
      const raw = (data.values as unknown as Int32Array | BigInt64Array)[at];
      const days = t.unit === 0 ? Number(raw) : Math.floor(Number(raw) / 86_400_000);
      return valueToJson('date', days);
    }
    const raw = BigInt((data.values as unknown as BigInt64Array | Int32Array)[at]);
    // Arrow units: 0 s, 1 ms, 2 us, 3 ns.
    const nanos = type === 'timestamp_ns' || type === 'timestamptz_ns';
    const scaled = nanos ? raw * 10n ** BigInt(3 * (3 - t.unit)) : t.unit === 3 ? raw / 1000n : raw * 10n ** BigInt(3 * (2 - t.unit));
    if (t.unit === 3 && !nanos && raw % 1000n !== 0n) throw new InputError(`row ${i + 1}: ${scaled} has nanoseconds that a microsecond column cannot hold`);
    if (DataType.isTime(t)) return valueToJson('time', scaled);
    const text = valueToJson(nanos ? 'timestamp_ns' : 'timestamp', scaled) as string;
    return DataType.isTimestamp(t) && t.timezone ? `${text}Z` : text;
  }
  const v = vector.get(i);
  if (typeof v === 'object' && v !== null && !(v instanceof Uint8Array)) {
    // Lists, structs and maps: their JSON form (nested temporal values at Arrow's precision).
    return JSON.parse(JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? Number(x) : x instanceof Uint8Array ? Buffer.from(x).toString('base64') : x)));
  }
  return v;
}
