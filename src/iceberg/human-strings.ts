/**
 * Partition values as text, as Java's `Transform.toHumanString` prints them for partition
 * paths (`ts_day=2017-11-16/id_bucket=3`). Java's formats are reproduced exactly (LocalDate,
 * LocalTime, BigDecimal and Double `toString`) so that paths match files other engines write.
 */
import { ValidationError } from './errors.js';
import type { IcebergType } from './model.js';
import { floorDiv } from './murmur3.js';
import {
  civilFromDays,
  parseTransform,
  type DecimalValue,
  type Transform,
  type TransformValue,
} from './transforms.js';
import { assertNever, parsePrimitive, type ParsedPrimitive } from './types.js';

const MICROS_PER_DAY = 86_400_000_000n;

function toInt(value: TransformValue, what: string): number {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'bigint') return Number(value);
  throw new ValidationError(`Invalid ${what} value: ${String(value)}`);
}

function toBigInt(value: TransformValue, what: string): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  throw new ValidationError(`Invalid ${what} value: ${String(value)}`);
}

function toBytes(value: TransformValue, what: string): Uint8Array {
  if (value instanceof Uint8Array) return value;
  throw new ValidationError(`Invalid ${what} value: expected bytes`);
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function base64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += BASE64[(n >> 18) & 63] + BASE64[(n >> 12) & 63];
    out += i + 1 < bytes.length ? BASE64[(n >> 6) & 63] : '=';
    out += i + 2 < bytes.length ? BASE64[n & 63] : '=';
  }
  return out;
}

function uuidText(value: TransformValue): string {
  if (typeof value === 'string') return value.toLowerCase();
  const hex = Array.from(toBytes(value, 'uuid'), (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Java `BigDecimal.toString` for a non-negative scale: plain unless the exponent is below -6. */
export function formatDecimal(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString();
  const sign = negative ? '-' : '';
  const adjusted = digits.length - 1 - scale;
  if (scale === 0) return sign + digits;
  if (adjusted >= -6) {
    if (digits.length > scale) return `${sign}${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
    return `${sign}0.${digits.padStart(scale, '0')}`;
  }
  const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return `${sign}${mantissa}E${adjusted}`;
}

/** The text of a source-typed value as Java's `Identity.toHumanString` prints it. */
function humanSourceValue(source: ParsedPrimitive, value: TransformValue): string {
  switch (source.kind) {
    case 'boolean':
    case 'int':
    case 'long':
    case 'string':
      return String(value);
    case 'float':
      return formatJavaFloat(value as number);
    case 'double':
      return formatJavaDouble(value as number);
    case 'decimal':
      return typeof value === 'bigint'
        ? formatDecimal(value, source.scale)
        : formatDecimal((value as DecimalValue).unscaled, (value as DecimalValue).scale);
    case 'date':
      return humanDay(toInt(value, 'date'));
    case 'time':
      return formatLocalTimeOfDayNanos(toBigInt(value, 'time') * 1000n);
    case 'timestamp':
    case 'timestamptz':
    case 'timestamp_ns':
    case 'timestamptz_ns': {
      const nanos = source.kind.endsWith('_ns') ? toBigInt(value, source.kind) : toBigInt(value, source.kind) * 1000n;
      const nanosPerDay = MICROS_PER_DAY * 1000n;
      const days = floorDiv(nanos, nanosPerDay);
      const text = `${formatLocalDate(Number(days))}T${formatIsoLocalTime(nanos - days * nanosPerDay)}`;
      return source.kind.startsWith('timestamptz') ? `${text}+00:00` : text;
    }
    case 'uuid':
      return uuidText(value);
    case 'fixed':
    case 'binary':
      return base64(toBytes(value, source.kind));
    case 'unknown':
    case 'variant':
    case 'geometry':
    case 'geography':
      return String(value);
    default:
      return assertNever(source);
  }
}

/**
 * A partition value (the transform's output) as text for partition paths, matching Java's
 * `Transform.toHumanString`: `null` for null, dates `yyyy-MM-dd`, months `yyyy-MM`, hours
 * `yyyy-MM-dd-HH`, timestamps ISO-8601 (`+00:00` for timestamptz), binary as base64.
 */
export function toHumanString(transform: Transform | string, sourceType: IcebergType, value: TransformValue): string {
  const t = typeof transform === 'string' ? parseTransform(transform) : transform;
  if (value === null || t.kind === 'void') return 'null';
  switch (t.kind) {
    case 'identity':
    case 'truncate': {
      const source = typeof sourceType === 'string' ? parsePrimitive(sourceType) : undefined;
      return source === undefined ? String(value) : humanSourceValue(source, value);
    }
    case 'bucket':
      return String(value);
    case 'year':
      return pad(1970 + toInt(value, 'year'), 4);
    case 'month': {
      const months = toInt(value, 'month');
      const year = 1970 + Math.floor(months / 12);
      return `${pad(year, 4)}-${pad(months - Math.floor(months / 12) * 12 + 1, 2)}`;
    }
    case 'day':
      return humanDay(toInt(value, 'day'));
    case 'hour': {
      const hours = toInt(value, 'hour');
      const days = Math.floor(hours / 24);
      const date = civilFromDays(days);
      return `${pad(date.year, 4)}-${pad(date.month, 2)}-${pad(date.day, 2)}-${pad(hours - days * 24, 2)}`;
    }
    case 'unknown':
      return String(value);
    default:
      return assertNever(t);
  }
}

// ---------------------------------------------------------------- Java text formats

/** Java `String.format("%0Nd")`: zero-padded to `width` characters including the sign. */
function pad(n: number, width: number): string {
  const digits = Math.abs(n).toString();
  return n < 0 ? `-${digits.padStart(width - 1, '0')}` : digits.padStart(width, '0');
}

/** `DateTimeFormatter.ISO_LOCAL_DATE`: four-digit years, a sign only beyond 9999 or below 0. */
function formatLocalDate(days: number): string {
  const { year, month, day } = civilFromDays(days);
  const yearText = Math.abs(year) < 1000 ? pad(year, year < 0 ? 5 : 4) : year > 9999 ? `+${year}` : String(year);
  return `${yearText}-${pad(month, 2)}-${pad(day, 2)}`;
}

/** Java `TransformUtil.humanDay`: `%04d-%02d-%02d` of the date. */
function humanDay(days: number): string {
  const { year, month, day } = civilFromDays(days);
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

/** `DateTimeFormatter.ISO_LOCAL_TIME`: always seconds, then only the fraction digits needed. */
function formatIsoLocalTime(nanosOfDay: bigint): string {
  const totalSeconds = Number(nanosOfDay / 1_000_000_000n);
  const nanos = Number(nanosOfDay % 1_000_000_000n);
  const hms = `${pad(Math.floor(totalSeconds / 3600), 2)}:${pad(Math.floor((totalSeconds % 3600) / 60), 2)}:${pad(totalSeconds % 60, 2)}`;
  return nanos === 0 ? hms : `${hms}.${pad(nanos, 9).replace(/0+$/, '')}`;
}

/** Java `LocalTime.toString`: `HH:mm`, then `:ss` and a 3-, 6- or 9-digit fraction when non-zero. */
function formatLocalTimeOfDayNanos(nanosOfDay: bigint): string {
  const totalSeconds = Number(nanosOfDay / 1_000_000_000n);
  const nanos = Number(nanosOfDay % 1_000_000_000n);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  let text = `${pad(hours, 2)}:${pad(minutes, 2)}`;
  if (seconds > 0 || nanos > 0) {
    text += `:${pad(seconds, 2)}`;
    if (nanos > 0) {
      if (nanos % 1_000_000 === 0) text += `.${pad(nanos / 1_000_000, 3)}`;
      else if (nanos % 1000 === 0) text += `.${pad(nanos / 1000, 6)}`;
      else text += `.${pad(nanos, 9)}`;
    }
  }
  return text;
}

/** Java `Double.toString` layout around the shortest round-tripping digits in `exponential`. */
function javaNumberText(value: number, exponential: string): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const sign = value < 0 ? '-' : '';
  const [mantissa, exp] = exponential.replace(/^-/, '').split('e');
  const digits = mantissa.replace('.', '');
  const e = Number(exp);
  const magnitude = Math.abs(value);
  if (magnitude >= 1e-3 && magnitude < 1e7) {
    if (e >= 0) {
      const whole = digits.slice(0, e + 1).padEnd(e + 1, '0');
      return `${sign}${whole}.${digits.slice(e + 1) || '0'}`;
    }
    return `${sign}0.${'0'.repeat(-e - 1)}${digits}`;
  }
  return `${sign}${digits[0]}.${digits.slice(1) || '0'}E${e}`;
}

function formatJavaDouble(value: number): string {
  return javaNumberText(value, value.toExponential());
}

/** Java `Float.toString`: the fewest digits that read back as the same 32-bit float. */
function formatJavaFloat(value: number): string {
  if (!Number.isFinite(value) || value === 0) return javaNumberText(value, '');
  const f = Math.fround(value);
  for (let precision = 1; precision <= 9; precision += 1) {
    const candidate = Number(f.toPrecision(precision));
    if (Math.fround(candidate) === f) return javaNumberText(f, candidate.toExponential());
  }
  return javaNumberText(f, f.toExponential());
}
