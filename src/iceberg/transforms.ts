/**
 * Partition and sort transforms (spec "Partition Transforms"): parsing the transform strings,
 * which source types each accepts, its result type, ordering, and applying it to a value.
 * Printing partition values for paths lives in `human-strings.ts`.
 *
 * Value representations, by source type (also the representation of identity/truncate results):
 * - boolean: `boolean`; float, double: `number`
 * - int, date: `number` (date = days from 1970-01-01)
 * - long: `bigint` (a safe-integer `number` is accepted)
 * - time: `bigint` microseconds from midnight; timestamp, timestamptz: `bigint` microseconds
 *   from the epoch; timestamp_ns, timestamptz_ns: `bigint` nanoseconds from the epoch
 * - decimal(P,S): {@link DecimalValue} (unscaled value and scale), or a bare unscaled `bigint`
 * - string: `string`; uuid: `string` (canonical text) or 16-byte `Uint8Array`
 * - fixed, binary: `Uint8Array`
 * bucket, year, month, day and hour produce `number`; every transform maps `null` to `null`.
 */
import { ValidationError } from './errors.js';
import type { IcebergType } from './model.js';
import {
  floorDiv,
  hashBytes,
  hashDecimal,
  hashInt,
  hashLong,
  hashString,
  hashTimestampNanos,
  hashUuid,
} from './murmur3.js';
import { assertNever, describeType, parsePrimitive, type ParsedPrimitive } from './types.js';

export interface DecimalValue {
  unscaled: bigint;
  scale: number;
}

export type TransformValue = null | boolean | number | bigint | string | Uint8Array | DecimalValue;

export type Transform =
  | { kind: 'identity' }
  | { kind: 'bucket'; numBuckets: number }
  | { kind: 'truncate'; width: number }
  | { kind: 'year' }
  | { kind: 'month' }
  | { kind: 'day' }
  | { kind: 'hour' }
  | { kind: 'void' }
  /** A transform this implementation does not know; kept verbatim (v3 readers must tolerate it). */
  | { kind: 'unknown'; name: string };

const WITH_PARAMETER = /^(\w+)\[(\d+)\]$/;
const MAX_INT = 2147483647;

/** Parses a transform string as Java's `Transforms.fromString` does; unknown names are kept. */
export function parseTransform(text: string): Transform {
  const param = WITH_PARAMETER.exec(text);
  if (param) {
    const name = param[1].toLowerCase();
    const n = Number(param[2]);
    if (name === 'bucket') return { kind: 'bucket', numBuckets: checkPositive(n, 'Invalid number of buckets') };
    if (name === 'truncate') return { kind: 'truncate', width: checkPositive(n, 'Invalid truncate width') };
  }
  switch (text.toLowerCase()) {
    case 'identity':
      return { kind: 'identity' };
    case 'year':
      return { kind: 'year' };
    case 'month':
      return { kind: 'month' };
    case 'day':
      return { kind: 'day' };
    case 'hour':
      return { kind: 'hour' };
    case 'void':
      return { kind: 'void' };
    default:
      return { kind: 'unknown', name: text };
  }
}

function checkPositive(n: number, what: string): number {
  if (!Number.isSafeInteger(n) || n <= 0 || n > MAX_INT) {
    throw new ValidationError(`${what}: ${n} (must be > 0)`);
  }
  return n;
}

export function formatTransform(transform: Transform): string {
  switch (transform.kind) {
    case 'bucket':
      return `bucket[${transform.numBuckets}]`;
    case 'truncate':
      return `truncate[${transform.width}]`;
    case 'unknown':
      return transform.name;
    case 'identity':
    case 'year':
    case 'month':
    case 'day':
    case 'hour':
    case 'void':
      return transform.kind;
    default:
      return assertNever(transform);
  }
}

function asTransform(transform: Transform | string): Transform {
  return typeof transform === 'string' ? parseTransform(transform) : transform;
}

const BUCKET_SOURCES = new Set<ParsedPrimitive['kind']>([
  'int', 'long', 'decimal', 'date', 'time', 'timestamp', 'timestamptz', 'timestamp_ns', 'timestamptz_ns',
  'string', 'uuid', 'fixed', 'binary',
]);
const TRUNCATE_SOURCES = new Set<ParsedPrimitive['kind']>(['int', 'long', 'decimal', 'string', 'binary']);
const TIMESTAMP_KINDS = new Set<ParsedPrimitive['kind']>(['timestamp', 'timestamptz', 'timestamp_ns', 'timestamptz_ns']);
const IDENTITY_EXCLUDED = new Set<ParsedPrimitive['kind']>(['variant', 'geometry', 'geography']);

function primitiveOf(type: IcebergType): ParsedPrimitive | undefined {
  return typeof type === 'string' ? parsePrimitive(type) : undefined;
}

/** Whether the transform accepts a source column of this type (spec transform table). */
export function canTransform(transform: Transform | string, sourceType: IcebergType): boolean {
  const t = asTransform(transform);
  if (t.kind === 'void' || t.kind === 'unknown') return true;
  const source = primitiveOf(sourceType);
  if (source === undefined) return false;
  switch (t.kind) {
    case 'identity':
      return !IDENTITY_EXCLUDED.has(source.kind);
    case 'bucket':
      return BUCKET_SOURCES.has(source.kind);
    case 'truncate':
      return TRUNCATE_SOURCES.has(source.kind);
    case 'year':
    case 'month':
    case 'day':
      return source.kind === 'date' || TIMESTAMP_KINDS.has(source.kind);
    case 'hour':
      return TIMESTAMP_KINDS.has(source.kind);
    default:
      return assertNever(t);
  }
}

/**
 * The type of the transform's output for a source type. `day` yields `int` as the spec's
 * table says (Java reports `date` for it; both are days from the epoch in an int). Unknown
 * transforms yield `string`, as in Java. Throws when the transform cannot apply to the type.
 */
export function resultType(transform: Transform | string, sourceType: IcebergType): IcebergType {
  const t = asTransform(transform);
  if (!canTransform(t, sourceType)) {
    throw new ValidationError(`Invalid source type ${describeType(sourceType)} for transform: ${formatTransform(t)}`);
  }
  switch (t.kind) {
    case 'identity':
    case 'truncate':
    case 'void':
      return sourceType;
    case 'bucket':
    case 'year':
    case 'month':
    case 'day':
    case 'hour':
      return 'int';
    case 'unknown':
      return 'string';
    default:
      return assertNever(t);
  }
}

/** Whether ordering by the transform's output keeps the order of its input. */
export function preservesOrder(transform: Transform | string): boolean {
  const t = asTransform(transform);
  switch (t.kind) {
    case 'identity':
    case 'truncate':
    case 'year':
    case 'month':
    case 'day':
    case 'hour':
      return true;
    case 'bucket':
    case 'void':
    case 'unknown':
      return false;
    default:
      return assertNever(t);
  }
}

const TIME_GRANULARITY: Record<'year' | 'month' | 'day' | 'hour', number> = { hour: 0, day: 1, month: 2, year: 3 };

/**
 * Whether data ordered by `transform` is also ordered by `other` (same source column): identity
 * satisfies every order-preserving transform, a finer time unit satisfies a coarser one,
 * truncate[W] satisfies truncate[V] when V is a multiple of W (strings: when W >= V).
 */
export function satisfiesOrderOf(transform: Transform | string, other: Transform | string, sourceType?: IcebergType): boolean {
  const t = asTransform(transform);
  const o = asTransform(other);
  if (formatTransform(t) === formatTransform(o)) return true;
  switch (t.kind) {
    case 'identity':
      return preservesOrder(o);
    case 'year':
    case 'month':
    case 'day':
    case 'hour':
      return (
        (o.kind === 'year' || o.kind === 'month' || o.kind === 'day' || o.kind === 'hour') &&
        TIME_GRANULARITY[t.kind] <= TIME_GRANULARITY[o.kind]
      );
    case 'truncate': {
      if (o.kind !== 'truncate') return false;
      const kind = sourceType === undefined ? undefined : primitiveOf(sourceType)?.kind;
      if (kind === 'string' || kind === 'binary') return t.width >= o.width;
      return o.width % t.width === 0;
    }
    case 'bucket':
    case 'void':
    case 'unknown':
      return false;
    default:
      return assertNever(t);
  }
}

// ---------------------------------------------------------------- applying transforms

const MICROS_PER_HOUR = 3_600_000_000n;
const MICROS_PER_DAY = 86_400_000_000n;

function toBigInt(value: TransformValue, what: string): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  throw new ValidationError(`Invalid ${what} value: ${String(value)}`);
}

function toInt(value: TransformValue, what: string): number {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'bigint') return Number(value);
  throw new ValidationError(`Invalid ${what} value: ${String(value)}`);
}

function toUnscaled(value: TransformValue): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'object' && value !== null && !(value instanceof Uint8Array)) return value.unscaled;
  throw new ValidationError(`Invalid decimal value: ${String(value)}`);
}

function toBytes(value: TransformValue, what: string): Uint8Array {
  if (value instanceof Uint8Array) return value;
  throw new ValidationError(`Invalid ${what} value: expected bytes`);
}

function toText(value: TransformValue, what: string): string {
  if (typeof value === 'string') return value;
  throw new ValidationError(`Invalid ${what} value: ${String(value)}`);
}

/** Microseconds from the epoch of a date or timestamp value (nanoseconds are floored). */
function epochMicros(source: ParsedPrimitive, value: TransformValue): bigint {
  switch (source.kind) {
    case 'date':
      return BigInt(toInt(value, 'date')) * MICROS_PER_DAY;
    case 'timestamp':
    case 'timestamptz':
      return toBigInt(value, source.kind);
    case 'timestamp_ns':
    case 'timestamptz_ns':
      return floorDiv(toBigInt(value, source.kind), 1000n);
    default:
      throw new ValidationError(`Cannot extract a date from ${source.kind}`);
  }
}

function bucketHash(source: ParsedPrimitive, value: TransformValue): number {
  switch (source.kind) {
    case 'int':
    case 'date':
      return hashInt(toInt(value, source.kind));
    case 'long':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
      return hashLong(toBigInt(value, source.kind));
    case 'timestamp_ns':
    case 'timestamptz_ns':
      return hashTimestampNanos(toBigInt(value, source.kind));
    case 'decimal':
      return hashDecimal(toUnscaled(value));
    case 'string':
      return hashString(toText(value, 'string'));
    case 'uuid':
      if (typeof value === 'string' || value instanceof Uint8Array) return hashUuid(value);
      throw new ValidationError(`Invalid uuid value: ${String(value)}`);
    case 'fixed':
    case 'binary':
      return hashBytes(toBytes(value, source.kind));
    default:
      throw new ValidationError(`Cannot bucket values of type ${source.kind}`);
  }
}

/** Java int arithmetic: `v - (((v % w) + w) % w)` wrapping at 32 bits. */
function truncateInt(v: number, w: number): number {
  const remainder = (((v % w) + w) | 0) % w;
  return (v - remainder) | 0;
}

function truncateLong(v: bigint, w: bigint): bigint {
  return BigInt.asIntN(64, v - BigInt.asIntN(64, BigInt.asIntN(64, (v % w) + w) % w));
}

function truncateValue(source: ParsedPrimitive, width: number, value: TransformValue): TransformValue {
  switch (source.kind) {
    case 'int':
      return truncateInt(toInt(value, 'int'), width);
    case 'long':
      return truncateLong(toBigInt(value, 'long'), BigInt(width));
    case 'decimal': {
      const unscaled = toUnscaled(value);
      const w = BigInt(width);
      const truncated = unscaled - (((unscaled % w) + w) % w);
      if (typeof value === 'bigint') return truncated;
      return { unscaled: truncated, scale: (value as DecimalValue).scale };
    }
    case 'string': {
      // Code points, not UTF-16 units: a surrogate pair is never split.
      const text = toText(value, 'string');
      let end = 0;
      let count = 0;
      while (end < text.length && count < width) {
        end += (text.codePointAt(end) as number) > 0xffff ? 2 : 1;
        count += 1;
      }
      return text.slice(0, end);
    }
    case 'binary':
      return toBytes(value, 'binary').slice(0, width);
    default:
      throw new ValidationError(`Cannot truncate values of type ${source.kind}`);
  }
}

/** Applies a transform to one source value; see the module comment for representations. */
export function applyTransform(
  transform: Transform | string,
  sourceType: IcebergType,
  value: TransformValue,
): TransformValue {
  const t = asTransform(transform);
  if (!canTransform(t, sourceType)) {
    throw new ValidationError(`Invalid source type ${describeType(sourceType)} for transform: ${formatTransform(t)}`);
  }
  if (t.kind === 'unknown') throw new ValidationError(`Cannot apply unsupported transform: ${t.name}`);
  if (value === null || t.kind === 'void') return null;
  if (t.kind === 'identity') return value;
  const source = primitiveOf(sourceType) as ParsedPrimitive;
  switch (t.kind) {
    case 'bucket':
      return (bucketHash(source, value) & MAX_INT) % t.numBuckets;
    case 'truncate':
      return truncateValue(source, t.width, value);
    case 'year':
      return civilFromDays(Number(floorDiv(epochMicros(source, value), MICROS_PER_DAY))).year - 1970;
    case 'month': {
      const date = civilFromDays(Number(floorDiv(epochMicros(source, value), MICROS_PER_DAY)));
      return (date.year - 1970) * 12 + (date.month - 1);
    }
    case 'day':
      return source.kind === 'date' ? toInt(value, 'date') : Number(floorDiv(epochMicros(source, value), MICROS_PER_DAY));
    case 'hour':
      return Number(floorDiv(epochMicros(source, value), MICROS_PER_HOUR));
    default:
      return assertNever(t);
  }
}

// ---------------------------------------------------------------- calendar

/** Proleptic Gregorian date of a day count from 1970-01-01 (H. Hinnant's civil_from_days). */
export function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}
