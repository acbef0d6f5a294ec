/**
 * Primitive types of the Iceberg table format (v1–v3). The model keeps a primitive type as the
 * string the spec writes in JSON (`"decimal(9, 2)"`, `"fixed[16]"`); this module parses that
 * string into a discriminated value, prints it back, and answers the questions other modules
 * ask about types: which format version a type needs and which promotions schema evolution allows.
 */
import { ValidationError } from './errors.js';
import type { JsonValue } from './json.js';
import type { FormatVersion, IcebergType, ListType, MapType, NestedField, StructType } from './model.js';

/** Edge-interpolation algorithms a `geography` type may name. */
export const EDGE_ALGORITHMS = ['spherical', 'vincenty', 'thomas', 'andoyer', 'karney'] as const;
export type EdgeAlgorithm = (typeof EDGE_ALGORITHMS)[number];

/** The CRS a geometry or geography has when its type string names none. */
export const DEFAULT_CRS = 'OGC:CRS84';

export type ParsedPrimitive =
  | { kind: 'boolean' }
  | { kind: 'int' }
  | { kind: 'long' }
  | { kind: 'float' }
  | { kind: 'double' }
  | { kind: 'decimal'; precision: number; scale: number }
  | { kind: 'date' }
  | { kind: 'time' }
  | { kind: 'timestamp' }
  | { kind: 'timestamptz' }
  | { kind: 'timestamp_ns' }
  | { kind: 'timestamptz_ns' }
  | { kind: 'string' }
  | { kind: 'uuid' }
  | { kind: 'fixed'; length: number }
  | { kind: 'binary' }
  | { kind: 'unknown' }
  | { kind: 'variant' }
  /** `crs` is absent when the type string names none (meaning {@link DEFAULT_CRS}). */
  | { kind: 'geometry'; crs?: string }
  | { kind: 'geography'; crs?: string; algorithm?: EdgeAlgorithm };

export type PrimitiveKind = ParsedPrimitive['kind'];

const SIMPLE_KINDS: ReadonlySet<string> = new Set([
  'boolean', 'int', 'long', 'float', 'double', 'date', 'time', 'timestamp', 'timestamptz',
  'timestamp_ns', 'timestamptz_ns', 'string', 'uuid', 'binary', 'unknown', 'variant',
]);

const MAX_DECIMAL_PRECISION = 38;

// Java's Types.fromPrimitiveString tolerates case differences and blanks inside the brackets.
const FIXED = /^fixed\[\s*(\d+)\s*\]$/i;
const DECIMAL = /^decimal\(\s*(\d+)\s*,\s*(\d+)\s*\)$/i;
const GEOMETRY = /^geometry\s*(?:\(\s*([^)]*?)\s*\))?$/i;
const GEOGRAPHY = /^geography\s*(?:\(\s*([^,)]*?)\s*(?:,\s*([A-Za-z]*)\s*)?\))?$/i;

/** Parses a primitive type string; throws ValidationError when it is not one. */
export function parsePrimitive(type: string): ParsedPrimitive {
  if (typeof type !== 'string') {
    throw new ValidationError(`Cannot parse type to primitive: ${String(type)}`);
  }
  const lower = type.trim().toLowerCase();
  if (SIMPLE_KINDS.has(lower)) return { kind: lower } as ParsedPrimitive;

  const fixed = FIXED.exec(lower);
  if (fixed) {
    const length = Number(fixed[1]);
    if (!Number.isSafeInteger(length) || length > 2147483647) {
      throw new ValidationError(`Invalid fixed length: ${fixed[1]}`);
    }
    return { kind: 'fixed', length };
  }

  const decimal = DECIMAL.exec(lower);
  if (decimal) {
    const precision = Number(decimal[1]);
    const scale = Number(decimal[2]);
    if (precision > MAX_DECIMAL_PRECISION) {
      throw new ValidationError(
        `Decimals with precision larger than ${MAX_DECIMAL_PRECISION} are not supported: ${precision}`,
      );
    }
    return { kind: 'decimal', precision, scale };
  }

  // The CRS keeps its case (a `projjson:` CRS names a table property); keywords do not.
  const geometry = GEOMETRY.exec(type.trim());
  if (geometry) {
    const crs = geometry[1];
    if (crs === '') throw new ValidationError(`Invalid geometry type, empty CRS: ${type}`);
    return crs === undefined ? { kind: 'geometry' } : { kind: 'geometry', crs };
  }

  const geography = GEOGRAPHY.exec(type.trim());
  if (geography) {
    const crs = geography[1];
    const algorithmName = geography[2];
    if (crs === '') throw new ValidationError(`Invalid geography type, empty CRS: ${type}`);
    const result: ParsedPrimitive = { kind: 'geography' };
    if (crs !== undefined) result.crs = crs;
    if (algorithmName !== undefined) {
      const algorithm = algorithmName.toLowerCase();
      if (!(EDGE_ALGORITHMS as readonly string[]).includes(algorithm)) {
        throw new ValidationError(`Invalid edge interpolation algorithm: ${algorithmName}`);
      }
      result.algorithm = algorithm as EdgeAlgorithm;
    }
    return result;
  }

  throw new ValidationError(`Cannot parse type string to primitive: ${type}`);
}

/** Prints a parsed primitive in the canonical form Java writes (`decimal(9, 2)`, `fixed[16]`). */
export function formatPrimitive(type: ParsedPrimitive): string {
  switch (type.kind) {
    case 'boolean':
    case 'int':
    case 'long':
    case 'float':
    case 'double':
    case 'date':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
    case 'timestamp_ns':
    case 'timestamptz_ns':
    case 'string':
    case 'uuid':
    case 'binary':
    case 'unknown':
    case 'variant':
      return type.kind;
    case 'decimal':
      return `decimal(${type.precision}, ${type.scale})`;
    case 'fixed':
      return `fixed[${type.length}]`;
    case 'geometry':
      return type.crs === undefined ? 'geometry' : `geometry(${type.crs})`;
    case 'geography': {
      if (type.algorithm !== undefined) return `geography(${type.crs ?? DEFAULT_CRS}, ${type.algorithm})`;
      return type.crs === undefined ? 'geography' : `geography(${type.crs})`;
    }
    default:
      return assertNever(type);
  }
}

/** The canonical spelling of a primitive type string (throws if it is not one). */
export function normalizePrimitive(type: string): string {
  return formatPrimitive(parsePrimitive(type));
}

/** True when `type` is a primitive type string the spec defines. */
export function isPrimitive(type: unknown): type is string {
  if (typeof type !== 'string') return false;
  try {
    parsePrimitive(type);
    return true;
  } catch {
    return false;
  }
}

export function isStruct(type: IcebergType): type is StructType {
  return typeof type === 'object' && type.type === 'struct';
}

export function isList(type: IcebergType): type is ListType {
  return typeof type === 'object' && type.type === 'list';
}

export function isMap(type: IcebergType): type is MapType {
  return typeof type === 'object' && type.type === 'map';
}

/** True for struct, list and map. */
export function isNested(type: IcebergType): type is StructType | ListType | MapType {
  return typeof type === 'object';
}

/** Two primitive type strings name the same type (ignores case and blank differences). */
export function samePrimitive(a: string, b: string): boolean {
  if (a === b) return true;
  try {
    return normalizePrimitive(a) === normalizePrimitive(b);
  } catch {
    return false;
  }
}

const V3_KINDS: ReadonlySet<PrimitiveKind> = new Set<PrimitiveKind>([
  'timestamp_ns', 'timestamptz_ns', 'unknown', 'variant', 'geometry', 'geography',
]);

/** The lowest format version whose tables may use this type (nested types: their deepest need). */
export function minFormatVersion(type: IcebergType): FormatVersion {
  if (typeof type === 'string') return V3_KINDS.has(parsePrimitive(type).kind) ? 3 : 1;
  switch (type.type) {
    case 'struct':
      return type.fields.reduce<FormatVersion>((v, f) => maxVersion(v, minFormatVersion(f.type)), 1);
    case 'list':
      return minFormatVersion(type.element);
    case 'map':
      return maxVersion(minFormatVersion(type.key), minFormatVersion(type.value));
    default:
      return assertNever(type);
  }
}

function maxVersion(a: FormatVersion, b: FormatVersion): FormatVersion {
  return a >= b ? a : b;
}

/**
 * Whether schema evolution may change a column of type `from` to `to` in a table of the given
 * format version (spec "Schema Evolution": int->long, float->double, decimal precision widening,
 * and in v3 date->timestamp/timestamp_ns and unknown->anything). Equal types are always allowed.
 */
export function isPromotionAllowed(from: IcebergType, to: IcebergType, formatVersion: FormatVersion): boolean {
  if (typeof from !== 'string') return false;
  const source = parsePrimitive(from);
  if (source.kind === 'unknown' && formatVersion >= 3) return true;
  if (typeof to !== 'string') return false;
  const target = parsePrimitive(to);
  if (formatPrimitive(source) === formatPrimitive(target)) return true;
  switch (source.kind) {
    case 'int':
      return target.kind === 'long';
    case 'float':
      return target.kind === 'double';
    case 'decimal':
      return target.kind === 'decimal' && target.scale === source.scale && target.precision > source.precision;
    case 'date':
      return formatVersion >= 3 && (target.kind === 'timestamp' || target.kind === 'timestamp_ns');
    default:
      return false;
  }
}

/** Throws ValidationError unless {@link isPromotionAllowed}. */
export function checkPromotion(from: IcebergType, to: IcebergType, formatVersion: FormatVersion): void {
  if (!isPromotionAllowed(from, to, formatVersion)) {
    throw new ValidationError(`Cannot change column type: ${describeType(from)} -> ${describeType(to)}`);
  }
}

/** A field as Java's `NestedField.toString` renders it: `3: name: optional string (doc)`. */
export function describeField(field: NestedField): string {
  const doc = field.doc === undefined || field.doc === null ? '' : ` (${field.doc})`;
  return `${field.id}: ${field.name}: ${field.required ? 'required' : 'optional'} ${describeType(field.type)}${doc}`;
}

/** Any type as Java's `toString` renders it (`list<int>`, `map<string, long>`), for messages. */
export function describeType(type: IcebergType): string {
  if (typeof type === 'string') return type;
  switch (type.type) {
    case 'struct':
      return `struct<${type.fields.map(describeField).join(', ')}>`;
    case 'list':
      return `list<${describeType(type.element)}>`;
    case 'map':
      return `map<${describeType(type.key)}, ${describeType(type.value)}>`;
    default:
      return assertNever(type);
  }
}

const INT_MIN = -2147483648n;
const INT_MAX = 2147483647n;
const LONG_MIN = -9223372036854775808n;
const LONG_MAX = 9223372036854775807n;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEX = /^(?:[0-9a-f]{2})*$/i;
const PLAIN_DECIMAL = /^[+-]?(\d+)(?:\.(\d+))?$/;

function integerInRange(value: JsonValue, min: bigint, max: bigint): boolean {
  let n: bigint;
  if (typeof value === 'bigint') n = value;
  else if (typeof value === 'number' && Number.isSafeInteger(value)) n = BigInt(value);
  else return false;
  return n >= min && n <= max;
}

function validDate(text: string): boolean {
  const m = DATE.exec(text);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

function validTime(text: string): boolean {
  const m = TIME.exec(text);
  return m !== null && Number(m[1]) < 24 && Number(m[2]) < 60 && (m[3] === undefined || Number(m[3]) < 60);
}

function validLocalTimestamp(text: string): boolean {
  const t = text.indexOf('T');
  return t > 0 && validDate(text.slice(0, t)) && validTime(text.slice(t + 1));
}

function matchesDecimal(value: JsonValue, precision: number, scale: number): boolean {
  if (typeof value !== 'string') return false;
  const m = PLAIN_DECIMAL.exec(value);
  if (!m) return false;
  const fraction = m[2] ?? '';
  if (fraction.length !== scale) return false;
  const digits = (m[1] + fraction).replace(/^0+(?=\d)/, '');
  return digits.length <= precision;
}

/**
 * Throws ValidationError unless `value` is a valid JSON single-value serialization (spec
 * appendix D) of a default for `type`. `what` names the default in the message. Nested struct
 * defaults may only be `{}`: field defaults live on the fields themselves.
 */
export function checkDefaultValue(type: IcebergType, value: JsonValue, what: string): void {
  if (value === null) return;
  const fail = (reason?: string): never => {
    const shown = typeof value === 'bigint' ? value.toString() : JSON.stringify(value);
    throw new ValidationError(
      `Invalid ${what}: cannot parse ${shown} as a ${describeType(type)} value${reason ? ` (${reason})` : ''}`,
    );
  };
  if (typeof type !== 'string') {
    switch (type.type) {
      case 'struct':
        if (typeof value !== 'object' || Array.isArray(value) || Object.keys(value).length > 0) {
          fail('a struct default must be null or an empty struct');
        }
        return;
      case 'list':
        if (!Array.isArray(value)) fail();
        for (const element of value as JsonValue[]) {
          if (element === null && type.elementRequired) fail('null element in a list of required elements');
          checkDefaultValue(type.element, element, what);
        }
        return;
      case 'map': {
        if (typeof value !== 'object' || Array.isArray(value)) return fail();
        const { keys, values } = value as { keys?: JsonValue; values?: JsonValue };
        if (!Array.isArray(keys) || !Array.isArray(values) || keys.length !== values.length) {
          fail('a map default needs arrays "keys" and "values" of equal length');
        }
        for (const k of keys as JsonValue[]) {
          if (k === null) fail('null map key');
          checkDefaultValue(type.key, k, what);
        }
        for (const v of values as JsonValue[]) {
          if (v === null && type.valueRequired) fail('null value in a map of required values');
          checkDefaultValue(type.value, v, what);
        }
        return;
      }
      default:
        assertNever(type);
    }
  }
  const parsed = parsePrimitive(type as string);
  let ok: boolean;
  switch (parsed.kind) {
    case 'unknown':
    case 'variant':
    case 'geometry':
    case 'geography':
      return fail(`${parsed.kind} columns must default to null`);
    case 'boolean':
      ok = typeof value === 'boolean';
      break;
    case 'int':
      ok = integerInRange(value, INT_MIN, INT_MAX);
      break;
    case 'long':
      ok = integerInRange(value, LONG_MIN, LONG_MAX);
      break;
    case 'float':
    case 'double':
      ok = (typeof value === 'number' && Number.isFinite(value)) || typeof value === 'bigint';
      break;
    case 'decimal':
      ok = matchesDecimal(value, parsed.precision, parsed.scale);
      break;
    case 'date':
      ok = typeof value === 'string' && validDate(value);
      break;
    case 'time':
      ok = typeof value === 'string' && validTime(value);
      break;
    case 'timestamp':
    case 'timestamp_ns':
      ok = typeof value === 'string' && validLocalTimestamp(value);
      break;
    case 'timestamptz':
    case 'timestamptz_ns':
      // The spec allows exactly one offset in a default: +00:00.
      ok = typeof value === 'string' && value.endsWith('+00:00') && validLocalTimestamp(value.slice(0, -6));
      break;
    case 'string':
      ok = typeof value === 'string';
      break;
    case 'uuid':
      ok = typeof value === 'string' && UUID.test(value);
      break;
    case 'fixed':
      ok = typeof value === 'string' && HEX.test(value) && value.length === parsed.length * 2;
      break;
    case 'binary':
      ok = typeof value === 'string' && HEX.test(value);
      break;
    default:
      return assertNever(parsed);
  }
  if (!ok) fail();
}

export function assertNever(value: never): never {
  throw new ValidationError(`Unexpected value: ${JSON.stringify(value)}`);
}
