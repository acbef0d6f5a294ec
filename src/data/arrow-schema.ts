/**
 * The Arrow schema a Parquet data file of an Iceberg table is written from: every field, nested
 * ones included (list elements, map keys and values), carries its Iceberg field id as
 * `PARQUET:field_id` metadata, which the Parquet writer (arrow-rs inside parquet-wasm) turns into
 * the Parquet field id that readers project by. Types follow the spec's Parquet mapping (appendix
 * A): timestamps in microseconds (nanoseconds for the v3 `_ns` types), dates in days, decimals
 * as decimal128, uuid as fixed[16]. Required Iceberg fields are non-nullable Arrow fields.
 */
import {
  Binary,
  Bool,
  DateDay,
  Decimal,
  Field,
  FixedSizeBinary,
  Float32,
  Float64,
  Int32,
  Int64,
  List,
  Map_,
  Schema as ArrowSchema,
  Struct,
  TimeMicrosecond,
  TimestampMicrosecond,
  TimestampNanosecond,
  Utf8,
  type DataType,
} from './arrow-lib.js';
import type { IcebergType, NestedField, Schema } from '../iceberg/model.js';
import { parsePrimitive } from '../iceberg/types.js';

/** The metadata key arrow-rs (and PyIceberg) use for a Parquet field id. */
export const FIELD_ID_KEY = 'PARQUET:field_id';

/** Thrown for an Iceberg type that has no Parquet form lakecat writes (variant, geometry, unknown). */
export class UnsupportedTypeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedTypeError';
  }
}

const withId = (id: number) => new Map([[FIELD_ID_KEY, String(id)]]);

/** The Arrow schema of the table schema's columns, in schema order. */
export function arrowSchemaOf(schema: Schema): ArrowSchema {
  return new ArrowSchema(schema.fields.map(arrowFieldOf));
}

export function arrowFieldOf(field: NestedField): Field {
  return new Field(field.name, arrowTypeOf(field.type, field.name), !field.required, withId(field.id));
}

export function arrowTypeOf(type: IcebergType, where = 'column'): DataType {
  if (typeof type !== 'string') {
    switch (type.type) {
      case 'struct':
        return new Struct(type.fields.map(arrowFieldOf));
      case 'list':
        return new List(new Field('element', arrowTypeOf(type.element, `${where}.element`), !type.elementRequired, withId(type.elementId)));
      case 'map': {
        const key = new Field('key', arrowTypeOf(type.key, `${where}.key`), false, withId(type.keyId));
        const value = new Field('value', arrowTypeOf(type.value, `${where}.value`), !type.valueRequired, withId(type.valueId));
        return new Map_(new Field('key_value', new Struct([key, value]), false) as never);
      }
    }
  }
  const p = parsePrimitive(type);
  switch (p.kind) {
    case 'boolean':
      return new Bool();
    case 'int':
      return new Int32();
    case 'long':
      return new Int64();
    case 'float':
      return new Float32();
    case 'double':
      return new Float64();
    case 'decimal':
      return new Decimal(p.scale, p.precision, 128);
    case 'date':
      return new DateDay();
    case 'time':
      return new TimeMicrosecond();
    case 'timestamp':
      return new TimestampMicrosecond();
    case 'timestamptz':
      return new TimestampMicrosecond('UTC');
    case 'timestamp_ns':
      return new TimestampNanosecond();
    case 'timestamptz_ns':
      return new TimestampNanosecond('UTC');
    case 'string':
      return new Utf8();
    case 'uuid':
      return new FixedSizeBinary(16);
    case 'fixed':
      return new FixedSizeBinary(p.length);
    case 'binary':
      return new Binary();
    default:
      throw new UnsupportedTypeError(`Cannot write ${where} of type ${p.kind} to Parquet yet`);
  }
}
