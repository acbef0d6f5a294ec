/**
 * Input files -> records for `lakecat load`: CSV (with a header row, parsed by csv-parse), a JSON
 * array of objects, or newline-delimited JSON. Every record remembers where it came from
 * (`file:line`), so a bad value is reported at its place. 64-bit integers in JSON stay exact.
 *
 * The records are then matched to a table schema by column name (`rowsFor`), cast strictly
 * (cast.ts), or used to infer a schema for a new table (`inferSchema`).
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { parseJson, type JsonValue } from '../iceberg/json.js';
import type { IcebergType, NestedField, Schema } from '../iceberg/model.js';
import type { Row } from './arrow-build.js';
import { CastError, casterFor, daysOf } from './cast.js';

export type InputFormat = 'csv' | 'json' | 'ndjson' | 'parquet' | 'arrow';

export interface Input {
  file: string;
  format: InputFormat;
  /** Column names in order of first appearance. */
  columns: string[];
  /** One array per record, values by column index (undefined: the record has no such key). */
  records: unknown[][];
  /** Values are CSV text (empty = null), not JSON values. */
  text: boolean;
  /** Where record `i` came from: `file:line`. */
  where(i: number): string;
  /** The columns' types as the file declares them (Parquet, Arrow), for schema inference. */
  types?: (IcebergType | undefined)[];
  /** CSV records still as bytes (csv-stream.ts): `records` is then made from them only when read. */
  block?: CsvBlock;
}

/**
 * CSV records as byte ranges of an ASCII block without quotes: the fields of record `from + i`
 * start at `bounds[(from + i) * (width + 1) + c]`, each ending one byte before the next start.
 */
export interface CsvBlock {
  bytes: Buffer;
  width: number;
  bounds: Int32Array;
  /** The first record of this part, and how many there are. */
  from: number;
  count: number;
}

/** How many records `input` holds (without making strings of a byte block). */
export function recordCount(input: Input): number {
  return input.block ? input.block.count : input.records.length;
}

/** A bad input: names the file, line and column. */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

export function formatOf(file: string, explicit?: string): InputFormat {
  const f = (explicit ?? file.split('.').pop() ?? '').toLowerCase();
  if (f === 'csv' || f === 'json' || f === 'ndjson' || f === 'parquet' || f === 'arrow') return f;
  if (f === 'jsonl') return 'ndjson';
  if (f === 'arrows' || f === 'ipc' || f === 'feather') return 'arrow';
  throw new InputError(`${file}: cannot tell the format from the name; give --format csv, json, ndjson, parquet or arrow`);
}

/** A text input (CSV, JSON, NDJSON); Parquet and Arrow files are read by arrow-input.ts. */
export function readInput(file: string, text: string, format: InputFormat): Input {
  if (format === 'parquet' || format === 'arrow') throw new InputError(`${file}: ${format} is a binary format (read with readParquetInput / readArrowInput)`);
  if (format === 'csv') return readCsv(file, text);
  const columns: string[] = [];
  const index = new Map<string, number>();
  const records: unknown[][] = [];
  const lines: number[] = [];
  const take = (value: JsonValue, where: string, line: number) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InputError(`${where}: expected a JSON object per record`);
    const record: unknown[] = [];
    for (const [k, v] of Object.entries(value)) {
      let at = index.get(k);
      if (at === undefined) {
        index.set(k, (at = columns.length));
        columns.push(k);
      }
      record[at] = v;
    }
    records.push(record);
    lines.push(line);
  };
  if (format === 'ndjson') {
    text.split('\n').forEach((line, i) => {
      if (line.trim() === '') return;
      take(parse(line, `${file}:${i + 1}`), `${file}:${i + 1}`, i + 1);
    });
    return { file, format, columns, records, text: false, where: (i) => `${file}:${lines[i]}` };
  }
  const all = parse(text, file);
  if (!Array.isArray(all)) throw new InputError(`${file}: expected a JSON array of objects (or use --format ndjson)`);
  // Line numbers of a JSON array are not tracked: the record's position stands in for them.
  all.forEach((value, i) => take(value, `${file}:record ${i + 1}`, i + 1));
  return { file, format, columns, records, text: false, where: (i) => `${file}:record ${i + 1}` };
}

/**
 * CSV with a header row. Records are parsed as arrays (csv-parse's per-record line info costs
 * more than the parse itself); the line of a record is worked out only when one is reported.
 */
function readCsv(file: string, text: string): Input {
  let rows: string[][];
  try {
    rows = parseCsv(text, { bom: true, skip_empty_lines: true }) as string[][];
  } catch (err) {
    throw new InputError(`${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const [header = [], ...records] = rows;
  let lines: number[] | undefined;
  const where = (i: number) => {
    lines ??= (parseCsv(text, { bom: true, skip_empty_lines: true, info: true }) as unknown as { info: { lines: number } }[]).slice(1).map((r) => r.info.lines);
    return `${file}:${lines[i]}`;
  };
  return { file, format: 'csv', columns: header, records, text: true, where };
}

function parse(text: string, where: string): JsonValue {
  try {
    return parseJson(text);
  } catch (err) {
    throw new InputError(`${where}: invalid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * The rows of `input` under `schema`: columns matched by name, values cast; a column the schema
 * lacks is refused (the caller evolves the schema first when asked to), a required column
 * missing from a record is refused.
 */
export function rowsFor(schema: Schema, input: Input): Row[] {
  const byName = new Map(schema.fields.map((f) => [f.name, f]));
  const unknown = input.columns.filter((c) => !byName.has(c));
  if (unknown.length > 0) {
    throw new InputError(
      `${input.file}: column${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} not in the table (${schema.fields.map((f) => f.name).join(', ')}); --evolve adds ${unknown.length > 1 ? 'them' : 'it'}`,
    );
  }
  const plan = schema.fields.map((field) => ({ field, at: input.columns.indexOf(field.name), cast: casterFor(field.type, input.text) }));
  const rows: Row[] = new Array(input.records.length);
  input.records.forEach((record, i) => {
    const row: Row = {};
    for (const { field, at, cast } of plan) {
      let value: unknown;
      try {
        value = at < 0 ? null : cast(record[at]);
      } catch (err) {
        if (err instanceof CastError) throw new InputError(`${input.where(i)}: column ${field.name}: ${err.message}`);
        throw err;
      }
      if ((value === null || value === undefined) && field.required) throw new InputError(`${input.where(i)}: column ${field.name} is required but has no value`);
      row[field.name] = value;
    }
    rows[i] = row;
  });
  return rows;
}

/**
 * The schema of a new table for `inputs`: one optional column per input column, typed by what
 * every value of it fits: long, double, boolean, date, timestamp (timestamptz when the values carry a
 * zone), else string; from JSON also structs and lists. Field ids are numbered in order.
 */
export function inferSchema(inputs: Input[], startId = 1): Schema {
  let next = startId;
  const columns = new Map<string, unknown[]>();
  const text = inputs.every((i) => i.text);
  for (const input of inputs) {
    for (const c of input.columns) if (!columns.has(c)) columns.set(c, []);
    input.columns.forEach((c, at) => {
      const values = columns.get(c)!;
      for (const r of input.records) values.push(r[at]);
    });
  }
  const fields: NestedField[] = [];
  const ids = () => next++;
  for (const [name, values] of columns) {
    // A type the file declares (Parquet, Arrow) wins over one guessed from the values.
    const declared = inputs.map((i) => i.types?.[i.columns.indexOf(name)]).find((t) => t !== undefined);
    const id = ids();
    fields.push({ id, name, required: false, type: declared ? renumber(declared, ids) : inferType(values, text, ids) });
  }
  return { type: 'struct', schemaId: 0, fields };
}

function renumber(type: IcebergType, nextId: () => number): IcebergType {
  if (typeof type === 'string') return type;
  if (type.type === 'struct') return { type: 'struct', fields: type.fields.map((f) => ({ ...f, id: nextId(), type: renumber(f.type, nextId) })) };
  if (type.type === 'list') return { ...type, elementId: nextId(), element: renumber(type.element, nextId) };
  return { ...type, keyId: nextId(), valueId: nextId(), key: renumber(type.key, nextId), value: renumber(type.value, nextId) };
}

const TS = /^\d{4,}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?$/;
const TSTZ = /^\d{4,}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})$/i;

function inferType(values: unknown[], text: boolean, nextId: () => number): IcebergType {
  const present = values.filter((v) => v !== null && v !== undefined && !(text && v === ''));
  if (present.length === 0) return 'string';
  const all = (test: (v: unknown) => boolean) => present.every(test);
  if (!text) {
    if (all((v) => typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v)))) return 'long';
    if (all((v) => typeof v === 'number' || typeof v === 'bigint')) return 'double';
    if (all((v) => typeof v === 'boolean')) return 'boolean';
    if (all((v) => Array.isArray(v))) {
      const elementId = nextId();
      return { type: 'list', elementId, element: inferType(present.flat(), false, nextId), elementRequired: false };
    }
    if (all((v) => typeof v === 'object' && !Array.isArray(v))) {
      const keys = new Map<string, unknown[]>();
      for (const v of present) for (const [k, x] of Object.entries(v as object)) (keys.get(k) ?? keys.set(k, []).get(k)!).push(x);
      const fields: NestedField[] = [];
      for (const [k, xs] of keys) fields.push({ id: nextId(), name: k, required: false, type: inferType(xs, false, nextId) });
      return { type: 'struct', fields };
    }
    if (!all((v) => typeof v === 'string')) return 'string';
  } else {
    if (all((v) => /^[+-]?\d+$/.test(String(v).trim()) && BigInt(String(v).trim()) === BigInt.asIntN(64, BigInt(String(v).trim())))) return 'long';
    if (all((v) => /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(String(v).trim()))) return 'double';
    if (all((v) => /^(true|false)$/i.test(String(v).trim()))) return 'boolean';
  }
  const strings = present.map((v) => String(v).trim());
  if (strings.every((s) => daysOf(s) !== undefined)) return 'date';
  if (strings.every((s) => TS.test(s))) return 'timestamp';
  if (strings.every((s) => TSTZ.test(s))) return 'timestamptz';
  return 'string';
}
