/**
 * Partition tuples between the model (`PartitionValue`) and the values avsc encodes for the
 * Avro form of each partition result type.
 */
import { ValidationError } from '../errors.js';
import type { StructType } from '../model.js';
import { decimalRequiredBytes, parsePrimitive } from './avro-schema.js';
import type { PartitionTuple, PartitionValue } from './types.js';

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

export function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A copy as a plain Uint8Array, detached from the decoded block it was sliced from. */
export function fromBuffer(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes);
}

/** Big-endian two's complement in exactly `size` bytes, as Avro stores decimals in fixed. */
function decimalToBytes(unscaled: bigint, size: number, what: string): Buffer {
  const bits = BigInt(size * 8);
  if (unscaled >= 1n << (bits - 1n) || unscaled < -(1n << (bits - 1n))) {
    throw new ValidationError(`Partition value for ${what} does not fit in ${size} bytes: ${unscaled}`);
  }
  let v = BigInt.asUintN(size * 8, unscaled);
  const out = Buffer.alloc(size);
  for (let i = size - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** The value of big-endian two's-complement bytes (a decimal's unscaled value). */
export function bytesToDecimal(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return BigInt.asIntN(bytes.length * 8, v);
}

function uuidToBytes(uuid: string, what: string): Buffer {
  const hex = uuid.replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new ValidationError(`Invalid UUID partition value for ${what}: ${uuid}`);
  return Buffer.from(hex, 'hex');
}

/** The canonical text of a UUID's 16 bytes. */
export function bytesToUuid(bytes: Uint8Array): string {
  const hex = Buffer.from(bytes).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function integer(value: PartitionValue, what: string): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  throw new ValidationError(`Partition value for ${what} must be an integer: ${String(value)}`);
}

function fail(what: string, type: string, value: PartitionValue): never {
  throw new ValidationError(`Invalid partition value for ${what} of type ${type}: ${String(value)}`);
}

/** The value avsc encodes for one partition field of the given result type. */
function toAvroValue(type: string, value: PartitionValue, what: string): unknown {
  const parsed = parsePrimitive(type);
  switch (parsed.kind) {
    case 'decimal':
      return decimalToBytes(integer(value, what), decimalRequiredBytes(parsed.precision), what);
    case 'fixed':
      if (value instanceof Uint8Array && value.length === parsed.length) return toBuffer(value);
      return fail(what, type, value);
    case 'plain':
      break;
    default: {
      const unexpected: never = parsed;
      return unexpected;
    }
  }
  switch (parsed.name) {
    case 'boolean':
      return typeof value === 'boolean' ? value : fail(what, type, value);
    case 'int':
    case 'date':
      if (typeof value === 'number' && Number.isInteger(value) && value >= INT32_MIN && value <= INT32_MAX) return value;
      return fail(what, type, value);
    case 'long':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
    case 'timestamp_ns':
    case 'timestamptz_ns':
      return integer(value, what);
    case 'float':
    case 'double':
      return typeof value === 'number' ? value : fail(what, type, value);
    case 'string':
      return typeof value === 'string' ? value : fail(what, type, value);
    case 'uuid':
      if (typeof value === 'string') return uuidToBytes(value, what);
      if (value instanceof Uint8Array && value.length === 16) return toBuffer(value);
      return fail(what, type, value);
    case 'binary':
      return value instanceof Uint8Array ? toBuffer(value) : fail(what, type, value);
    case 'unknown':
      return null;
    default:
      if (/^geometry|^geography/.test(parsed.name) && value instanceof Uint8Array) return toBuffer(value);
      return fail(what, type, value);
  }
}

/** A model value from what avsc decoded for one partition field of the given result type. */
function fromAvroValue(type: string, value: unknown): PartitionValue {
  if (value === null || value === undefined) return null;
  const parsed = parsePrimitive(type);
  if (parsed.kind === 'decimal') return bytesToDecimal(value as Uint8Array);
  if (parsed.kind === 'fixed') return fromBuffer(value as Uint8Array);
  if (parsed.name === 'uuid') return typeof value === 'string' ? value : bytesToUuid(value as Uint8Array);
  if (value instanceof Uint8Array) return fromBuffer(value);
  return value as PartitionValue;
}

/** The Avro record for a partition tuple, keyed by the Avro field names `toAvroSchema` gives. */
export function partitionToAvro(
  partitionType: StructType,
  tuple: PartitionTuple,
  avroNames: readonly string[],
): Record<string, unknown> {
  if (tuple.length !== partitionType.fields.length) {
    throw new ValidationError(
      `Partition tuple has ${tuple.length} values but the partition type has ${partitionType.fields.length} fields`,
    );
  }
  const record: Record<string, unknown> = {};
  partitionType.fields.forEach((field, i) => {
    const value = tuple[i] ?? null;
    if (value === null) {
      if (field.required) throw new ValidationError(`Missing required partition value for ${field.name}`);
      record[avroNames[i]] = null;
      return;
    }
    if (typeof field.type !== 'string') {
      throw new ValidationError(`Partition field ${field.name} must have a primitive type`);
    }
    record[avroNames[i]] = toAvroValue(field.type, value, field.name);
  });
  return record;
}

/** The partition tuple of a decoded Avro partition record, one value per partition field. */
export function partitionFromAvro(
  partitionType: StructType,
  record: Record<string, unknown>,
  avroNames: readonly string[],
): PartitionTuple {
  return partitionType.fields.map((field, i) =>
    typeof field.type === 'string' ? fromAvroValue(field.type, record[avroNames[i]]) : null,
  );
}
