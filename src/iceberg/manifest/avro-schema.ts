/**
 * Iceberg types to Avro schema JSON the way Java's `AvroSchemaUtil.convert` writes them:
 * every record field carries `field-id`, arrays `element-id`, string-keyed maps `key-id` and
 * `value-id`; maps with other keys become arrays of `k<key>_v<value>` records tagged
 * `logicalType: map`; optional fields are `["null", T]` unions defaulting to null; nested
 * records are named `r<field id>`. The result is plain JSON, so nothing drops the ids.
 */
import { ValidationError } from '../errors.js';
import type { IcebergType, NestedField, StructType } from '../model.js';

export type AvroSchema = string | AvroSchema[] | AvroObject;
export interface AvroObject {
  [key: string]: AvroSchema | number | boolean | null | undefined | AvroField[];
}
export interface AvroField {
  name: string;
  type: AvroSchema;
  doc?: string;
  default?: null;
  'field-id': number;
  'iceberg-field-name'?: string;
}

const AVRO_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The Avro name of a field: the Iceberg name, or Java's `AvroSchemaUtil.sanitize` of it when invalid. */
export function avroFieldName(name: string): string {
  return AVRO_NAME.test(name) ? name : sanitizeName(name);
}

/** Java's `AvroSchemaUtil.sanitize`, restricted to ASCII because avsc accepts only ASCII names. */
function sanitizeName(name: string): string {
  let out = '';
  for (let i = 0; i < name.length; i++) {
    const ch = name[i];
    if (/[A-Za-z_]/.test(ch) || (i > 0 && /[0-9]/.test(ch))) out += ch;
    else if (/[0-9]/.test(ch)) out += `_${ch}`;
    else out += `_x${ch.codePointAt(0)!.toString(16).toUpperCase()}`;
  }
  return out;
}

/** Bytes of the smallest two's-complement integer that holds every unscaled decimal(P, _). */
export function decimalRequiredBytes(precision: number): number {
  const limit = 10n ** BigInt(precision);
  let bytes = 1;
  while (1n << BigInt(8 * bytes - 1) < limit) bytes++;
  return bytes;
}

export type ParsedPrimitive =
  | { kind: 'decimal'; precision: number; scale: number }
  | { kind: 'fixed'; length: number }
  | { kind: 'plain'; name: string };

export function parsePrimitive(type: string): ParsedPrimitive {
  const decimal = /^decimal\(\s*(\d+)\s*,\s*(\d+)\s*\)$/.exec(type);
  if (decimal) return { kind: 'decimal', precision: Number(decimal[1]), scale: Number(decimal[2]) };
  const fixed = /^fixed\[\s*(\d+)\s*\]$/.exec(type);
  if (fixed) return { kind: 'fixed', length: Number(fixed[1]) };
  return { kind: 'plain', name: type };
}

/** Converts Iceberg types to Avro JSON, writing each named type once and referencing it after. */
class AvroSchemaWriter {
  private readonly defined = new Set<string>();

  private named(name: string, schema: AvroObject): AvroSchema {
    if (this.defined.has(name)) return name;
    this.defined.add(name);
    return schema;
  }

  record(struct: StructType, recordName: string): AvroSchema {
    const fields = struct.fields.map((field) => this.field(field));
    return this.named(recordName, { type: 'record', name: recordName, fields });
  }

  private field(field: NestedField): AvroField {
    const valid = AVRO_NAME.test(field.name);
    const type = this.type(field.type, field.id);
    // Key order as Java prints a field: name, type, doc, default, then the properties.
    return {
      name: avroFieldName(field.name),
      type: field.required ? type : option(type),
      ...(field.doc !== undefined ? { doc: field.doc } : {}),
      ...(field.required ? {} : { default: null }),
      ...(valid ? {} : { 'iceberg-field-name': field.name }),
      'field-id': field.id,
    };
  }

  type(type: IcebergType, fieldId: number): AvroSchema {
    if (typeof type === 'string') return this.primitive(type);
    switch (type.type) {
      case 'struct':
        return this.record(type, `r${fieldId}`);
      case 'list': {
        const element = this.type(type.element, type.elementId);
        return { type: 'array', items: type.elementRequired ? element : option(element), 'element-id': type.elementId };
      }
      case 'map': {
        const key = this.type(type.key, type.keyId);
        const value = this.type(type.value, type.valueId);
        const valueSchema = type.valueRequired ? value : option(value);
        if (key === 'string') {
          return { type: 'map', values: valueSchema, 'key-id': type.keyId, 'value-id': type.valueId };
        }
        const name = `k${type.keyId}_v${type.valueId}`;
        const entry = this.named(name, {
          type: 'record',
          name,
          fields: [
            { name: 'key', type: key, 'field-id': type.keyId },
            type.valueRequired
              ? { name: 'value', type: valueSchema, 'field-id': type.valueId }
              : { name: 'value', type: valueSchema, default: null, 'field-id': type.valueId },
          ],
        });
        return { type: 'array', items: entry, logicalType: 'map' };
      }
      default: {
        const unexpected: never = type;
        throw new ValidationError(`Cannot convert type to Avro: ${JSON.stringify(unexpected)}`);
      }
    }
  }

  private primitive(type: string): AvroSchema {
    const parsed = parsePrimitive(type);
    switch (parsed.kind) {
      case 'decimal': {
        const name = `decimal_${parsed.precision}_${parsed.scale}`;
        return this.named(name, {
          type: 'fixed',
          name,
          size: decimalRequiredBytes(parsed.precision),
          logicalType: 'decimal',
          precision: parsed.precision,
          scale: parsed.scale,
        });
      }
      case 'fixed': {
        const name = `fixed_${parsed.length}`;
        return this.named(name, { type: 'fixed', name, size: parsed.length });
      }
      case 'plain':
        break;
      default: {
        const unexpected: never = parsed;
        throw new ValidationError(`Cannot convert type to Avro: ${String(unexpected)}`);
      }
    }
    switch (parsed.name) {
      case 'boolean':
      case 'int':
      case 'long':
      case 'float':
      case 'double':
      case 'string':
        return parsed.name;
      case 'binary':
        return 'bytes';
      case 'unknown':
        return 'null';
      case 'date':
        return { type: 'int', logicalType: 'date' };
      case 'time':
        return { type: 'long', logicalType: 'time-micros' };
      case 'timestamp':
      case 'timestamptz':
        return { type: 'long', logicalType: 'timestamp-micros', 'adjust-to-utc': parsed.name === 'timestamptz' };
      case 'timestamp_ns':
      case 'timestamptz_ns':
        return { type: 'long', logicalType: 'timestamp-nanos', 'adjust-to-utc': parsed.name === 'timestamptz_ns' };
      case 'uuid':
        return this.named('uuid_fixed', { type: 'fixed', name: 'uuid_fixed', size: 16, logicalType: 'uuid' });
      default:
        if (/^geometry|^geography/.test(parsed.name)) return 'bytes';
        throw new ValidationError(`Cannot convert type to Avro: ${parsed.name}`);
    }
  }
}

function option(schema: AvroSchema): AvroSchema {
  if (schema === 'null') return schema;
  if (Array.isArray(schema)) return schema;
  return ['null', schema];
}

/** The Avro schema of a struct, as the header of an Iceberg Avro file must carry it. */
export function toAvroSchema(struct: StructType, recordName: string): AvroSchema {
  return new AvroSchemaWriter().record(struct, recordName);
}

/** Iceberg's JSON form of a type, for the `iceberg.schema` header key Java also writes. */
function icebergTypeJson(type: IcebergType): unknown {
  if (typeof type === 'string') return type;
  switch (type.type) {
    case 'struct':
      return {
        type: 'struct',
        fields: type.fields.map((f) => ({
          id: f.id,
          name: f.name,
          required: f.required,
          type: icebergTypeJson(f.type),
          ...(f.doc !== undefined ? { doc: f.doc } : {}),
        })),
      };
    case 'list':
      return {
        type: 'list',
        'element-id': type.elementId,
        element: icebergTypeJson(type.element),
        'element-required': type.elementRequired,
      };
    case 'map':
      return {
        type: 'map',
        'key-id': type.keyId,
        key: icebergTypeJson(type.key),
        'value-id': type.valueId,
        value: icebergTypeJson(type.value),
        'value-required': type.valueRequired,
      };
    default: {
      const unexpected: never = type;
      throw new ValidationError(`Unknown type: ${JSON.stringify(unexpected)}`);
    }
  }
}

/** A struct as an Iceberg schema JSON text with schema id 0. */
export function icebergSchemaJson(struct: StructType): string {
  const { fields } = icebergTypeJson(struct) as { fields: unknown[] };
  return JSON.stringify({ type: 'struct', 'schema-id': 0, fields });
}
