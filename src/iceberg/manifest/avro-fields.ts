/**
 * Reading side of the schema: Iceberg readers find columns by field id, not by name, so a
 * decoded record is looked up through the `field-id`s of the writer's schema. Also turns the
 * writer's partition record back into an Iceberg partition type.
 */
import type { IcebergType, NestedField, StructType } from '../model.js';
import { InvalidAvroFileError } from './errors.js';

type Json = unknown;

const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);

function isObject(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Named Avro types of a schema, by name, so that references by name can be followed. */
export class AvroNames {
  private readonly byName = new Map<string, Record<string, Json>>();

  constructor(root: Json) {
    this.collect(root);
  }

  private collect(schema: Json): void {
    if (Array.isArray(schema)) {
      schema.forEach((s) => this.collect(s));
      return;
    }
    if (!isObject(schema)) return;
    if (typeof schema.name === 'string' && ['record', 'fixed', 'enum', 'error'].includes(schema.type as string)) {
      this.byName.set(schema.name, schema);
      if (typeof schema.namespace === 'string') this.byName.set(`${schema.namespace}.${schema.name}`, schema);
    }
    if (Array.isArray(schema.fields)) schema.fields.forEach((f) => isObject(f) && this.collect(f.type));
    if (schema.items !== undefined) this.collect(schema.items);
    if (schema.values !== undefined) this.collect(schema.values);
    if (isObject(schema.type) || Array.isArray(schema.type)) this.collect(schema.type);
  }

  /** The schema itself, with a name reference replaced by its definition and `null` unions unwrapped. */
  resolve(schema: Json): Json {
    if (Array.isArray(schema)) {
      const branches = schema.filter((s) => s !== 'null');
      if (branches.length !== 1) throw new InvalidAvroFileError(`unsupported Avro union ${JSON.stringify(schema)}`);
      return this.resolve(branches[0]);
    }
    if (typeof schema === 'string' && !PRIMITIVES.has(schema)) {
      const named = this.byName.get(schema);
      if (!named) throw new InvalidAvroFileError(`unknown Avro type name ${schema}`);
      return named;
    }
    return schema;
  }
}

export interface FieldRef {
  /** The Avro field name to read from the decoded record. */
  name: string;
  /** The field's type with `null` unions unwrapped and names resolved. */
  schema: Json;
  optional: boolean;
  /** The Iceberg name: `iceberg-field-name` when Java had to sanitise it. */
  icebergName: string;
}

/** Columns this codec never reads may have types it cannot resolve; they must not stop the read. */
function resolveLeniently(names: AvroNames, schema: Json): Json {
  try {
    return names.resolve(schema);
  } catch {
    return schema;
  }
}

/** The fields of an Avro record schema by field id. */
export class RecordFields {
  private readonly byId = new Map<number, FieldRef>();
  readonly ordered: Array<FieldRef & { id: number }> = [];

  constructor(
    record: Json,
    private readonly names: AvroNames,
  ) {
    const resolved = names.resolve(record);
    if (!isObject(resolved) || resolved.type !== 'record' || !Array.isArray(resolved.fields)) {
      throw new InvalidAvroFileError('expected an Avro record schema');
    }
    for (const f of resolved.fields) {
      if (!isObject(f) || typeof f.name !== 'string') continue;
      const id = f['field-id'];
      if (typeof id !== 'number') continue;
      const optional = Array.isArray(f.type) && f.type.includes('null');
      const ref: FieldRef = {
        name: f.name,
        schema: resolveLeniently(names, f.type),
        optional,
        icebergName: typeof f['iceberg-field-name'] === 'string' ? f['iceberg-field-name'] : f.name,
      };
      this.byId.set(id, ref);
      this.ordered.push({ ...ref, id });
    }
  }

  has(id: number): boolean {
    return this.byId.has(id);
  }

  /** The value of field `id` in a record decoded with this schema; undefined when absent or null. */
  get(record: Record<string, unknown>, id: number): unknown {
    const ref = this.byId.get(id);
    if (!ref) return undefined;
    const value = record[ref.name];
    return value === null ? undefined : value;
  }

  /** An int field. Some writers widen ints to long, so a bigint is narrowed back. */
  int(record: Record<string, unknown>, id: number): number | undefined {
    return toInt(this.get(record, id), id);
  }

  /** A long field as bigint, whichever integer type the writer used. */
  long(record: Record<string, unknown>, id: number): bigint | undefined {
    return toLong(this.get(record, id), id);
  }

  string(record: Record<string, unknown>, id: number): string | undefined {
    const value = this.get(record, id);
    if (value === undefined || typeof value === 'string') return value;
    throw new InvalidAvroFileError(`field ${id} is not a string`);
  }

  boolean(record: Record<string, unknown>, id: number): boolean | undefined {
    const value = this.get(record, id);
    if (value === undefined || typeof value === 'boolean') return value;
    throw new InvalidAvroFileError(`field ${id} is not a boolean`);
  }

  /** A binary field, copied out of the decoded block. */
  bytes(record: Record<string, unknown>, id: number): Uint8Array | undefined {
    return toBytes(this.get(record, id), id);
  }

  intList(record: Record<string, unknown>, id: number): number[] | undefined {
    const value = this.get(record, id);
    return value === undefined ? undefined : (value as unknown[]).map((v) => toInt(v, id)!);
  }

  longList(record: Record<string, unknown>, id: number): bigint[] | undefined {
    const value = this.get(record, id);
    return value === undefined ? undefined : (value as unknown[]).map((v) => toLong(v, id)!);
  }

  /** An int-keyed map stored as an array of key/value records (Java's `logicalType: map`). */
  intMap<V>(
    record: Record<string, unknown>,
    id: number,
    value: (v: unknown, id: number) => V | undefined,
  ): Map<number, V> | undefined {
    const entries = this.get(record, id);
    if (entries === undefined) return undefined;
    const map = new Map<number, V>();
    // Some writers make the entries themselves nullable; a null entry carries nothing.
    for (const entry of entries as Array<{ key: unknown; value: unknown } | null>) {
      if (!entry) continue;
      const v = value(entry.value, id);
      if (v !== undefined) map.set(toInt(entry.key, id)!, v);
    }
    return map;
  }

  /** The fields of the nested record stored in field `id`. */
  nested(id: number): RecordFields {
    const ref = this.byId.get(id);
    if (!ref) throw new InvalidAvroFileError(`Avro schema has no field with id ${id}`);
    return new RecordFields(ref.schema, this.names);
  }
}

/** The Iceberg type an Avro schema was written for, as Java's `SchemaToType` reads it. */
export function icebergTypeOf(schema: Json, names: AvroNames): IcebergType {
  const s = names.resolve(schema);
  if (typeof s === 'string') return primitiveOf(s, undefined, s);
  if (!isObject(s)) throw new InvalidAvroFileError(`unsupported Avro schema ${JSON.stringify(s)}`);
  const logical = s.logicalType;
  switch (s.type) {
    case 'record':
      return structOf(new RecordFields(s, names), names);
    case 'fixed':
      if (logical === 'decimal') return `decimal(${Number(s.precision)}, ${Number(s.scale ?? 0)})`;
      if (logical === 'uuid') return 'uuid';
      return `fixed[${Number(s.size)}]`;
    case 'array':
    case 'map':
      throw new InvalidAvroFileError('nested lists and maps are not valid partition types');
    default:
      return primitiveOf(String(s.type), typeof logical === 'string' ? logical : undefined, s);
  }
}

function primitiveOf(avroType: string, logical: string | undefined, schema: Json): IcebergType {
  const adjustToUtc = isObject(schema) && schema['adjust-to-utc'] === true;
  switch (logical) {
    case 'date':
      return 'date';
    case 'time-micros':
      return 'time';
    case 'timestamp-micros':
      return adjustToUtc ? 'timestamptz' : 'timestamp';
    case 'timestamp-nanos':
      return adjustToUtc ? 'timestamptz_ns' : 'timestamp_ns';
    case 'uuid':
      return 'uuid';
    default:
      break;
  }
  switch (avroType) {
    case 'boolean':
    case 'int':
    case 'long':
    case 'float':
    case 'double':
    case 'string':
      return avroType;
    case 'bytes':
      return 'binary';
    case 'null':
      return 'unknown';
    default:
      throw new InvalidAvroFileError(`unsupported Avro type ${avroType}`);
  }
}

export function structOf(fields: RecordFields, names: AvroNames): StructType {
  return {
    type: 'struct',
    fields: fields.ordered.map(
      (f): NestedField => ({
        id: f.id,
        name: f.icebergName,
        required: !f.optional,
        type: icebergTypeOf(f.schema, names),
      }),
    ),
  };
}

export function toInt(value: unknown, id: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'bigint' && value >= -(2n ** 31n) && value < 2n ** 31n) return Number(value);
  throw new InvalidAvroFileError(`field ${id} is not an int: ${String(value)}`);
}

export function toLong(value: unknown, id: number): bigint | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  throw new InvalidAvroFileError(`field ${id} is not a long: ${String(value)}`);
}

export function toBytes(value: unknown, id: number): Uint8Array | undefined {
  if (value === undefined || value === null) return undefined;
  if (value instanceof Uint8Array) return new Uint8Array(value);
  throw new InvalidAvroFileError(`field ${id} is not binary`);
}
