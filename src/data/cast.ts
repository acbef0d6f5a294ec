/**
 * Input values -> Iceberg values (the conventions of arrow-build.ts), strictly: a value that does
 * not fit its column's type is an error, never a silent rounding or truncation.
 *
 * Text (a CSV cell) and JSON values are accepted:
 * - an empty cell or JSON null is null;
 * - boolean: true/false (any case), 1/0; int/long: decimal integers (JSON numbers or, for long,
 *   numeric strings); float/double: numbers, `NaN`, `Infinity`, `-Infinity`;
 * - decimal(P,S): a decimal number with at most S fraction digits and P digits in all;
 * - date `YYYY-MM-DD`; time `HH:MM:SS[.f]`; timestamp `YYYY-MM-DD[T ]HH:MM:SS[.f]` without a
 *   zone; timestamptz the same with `Z` or `+HH:MM` (a time without a zone is taken as UTC);
 *   fractions to microseconds (nanoseconds for the `_ns` types);
 * - uuid in canonical form; binary and fixed as base64;
 * - struct, list and map from JSON objects and arrays (in a CSV cell: JSON text); a map from a
 *   JSON object (string keys cast to the key type) or an array of [key, value] pairs.
 */
import type { IcebergType } from '../iceberg/model.js';
import { parsePrimitive, type ParsedPrimitive } from '../iceberg/types.js';

export class CastError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CastError';
  }
}

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?$/;
const DATE = /^(\d{4,})-(\d{2})-(\d{2})$/;
const TIME = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?$/;
const TIMESTAMP = /^(\d{4,}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}:?\d{2})?$/i;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** `value` as the Iceberg value of `type`; `text` says the value is a CSV cell. */
export function castValue(type: IcebergType, value: unknown, text = false): unknown {
  return casterFor(type, text)(value);
}

/**
 * The cast of one column, prepared once (the type parsed, the fast paths chosen): loading a
 * million rows calls it a million times.
 */
export function casterFor(type: IcebergType, text = false): (value: unknown) => unknown {
  if (typeof type !== 'string') return (value) => castNested(type, value, text);
  const t = parsePrimitive(type);
  const general = (value: unknown) => (value === null || value === undefined || (text && value === '') ? null : castPrimitive(t, value));
  switch (t.kind) {
    case 'string':
      return (value) => (value === null || value === undefined || (text && value === '') ? null : typeof value === 'string' ? value : general(value));
    case 'long':
      return (value) => {
        if (typeof value === 'string') {
          const n = fastLong(value);
          if (n !== undefined) return BigInt(n);
        }
        return general(value);
      };
    case 'timestamptz':
    case 'timestamp':
      return (value) => {
        if (typeof value === 'string') {
          const micros = fastTimestamp(value, t.kind === 'timestamptz');
          if (micros !== undefined) return BigInt(micros);
        }
        return general(value);
      };
    default:
      return general;
  }
}

/**
 * A decimal integer of at most 15 digits (which a double holds exactly) as a number, without a
 * regular expression or a range check; undefined for anything else (the general path decides).
 */
export function fastLong(s: string): number | undefined {
  const n = s.length;
  if (n === 0 || n > 15) return undefined;
  let i = s.charCodeAt(0) === 45 /* - */ ? 1 : 0;
  if (i === n) return undefined;
  let v = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return undefined;
    v = v * 10 + c;
  }
  return s.charCodeAt(0) === 45 ? -v : v;
}

/**
 * `YYYY-MM-DDTHH:MM:SS[.ffffff]` (with `Z` for timestamptz), the common case, as microseconds
 * in a number (exact: far below 2^53), without regular expressions or BigInt arithmetic;
 * undefined for anything else (the general path decides).
 */
export function fastTimestamp(s: string, zoned: boolean): number | undefined {
  const n = s.length;
  const end = zoned ? n - 1 : n;
  if (zoned && s.charCodeAt(n - 1) !== 90 /* Z */) return undefined;
  if (end < 19 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return undefined;
  if (end > 19 && (s.charCodeAt(19) !== 46 || end - 20 > 6 || end - 20 < 1)) return undefined;
  const fraction = end > 19 ? digitsAt(s, 20, end) * 10 ** (6 - (end - 20)) : 0;
  return civilMicros(digitsAt(s, 0, 4), digitsAt(s, 5, 7), digitsAt(s, 8, 10), digitsAt(s, 11, 13), digitsAt(s, 14, 16), digitsAt(s, 17, 19), fraction);
}

/** `fastTimestamp` of the ASCII bytes `b[start, stop)` (a CSV field), without making a string of them. */
export function timestampAt(b: Uint8Array, start: number, stop: number, zoned: boolean): number | undefined {
  const end = zoned ? stop - 1 : stop;
  if (zoned && b[stop - 1] !== 90 /* Z */) return undefined;
  const at = start;
  if (end - at < 19 || b[at + 4] !== 45 || b[at + 7] !== 45 || b[at + 10] !== 84 || b[at + 13] !== 58 || b[at + 16] !== 58) return undefined;
  if (end - at > 19 && (b[at + 19] !== 46 || end - at - 20 > 6)) return undefined;
  const fraction = end - at > 20 ? bytesDigits(b, at + 20, end) * 10 ** (6 - (end - at - 20)) : end - at === 20 ? -1 : 0;
  return civilMicros(bytesDigits(b, at, at + 4), bytesDigits(b, at + 5, at + 7), bytesDigits(b, at + 8, at + 10), bytesDigits(b, at + 11, at + 13), bytesDigits(b, at + 14, at + 16), bytesDigits(b, at + 17, at + 19), fraction);
}

/** Microseconds since the epoch of a date and time whose parts were read as digits (-1: not digits), or undefined when it is none. */
function civilMicros(y: number, mo: number, d: number, h: number, mi: number, se: number, fraction: number): number | undefined {
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 59 || fraction < 0) return undefined;
  if (d > 28 && d > daysInMonth(y, mo)) return undefined; // 2023-02-29 is no date
  const total = (((daysFromCivil(y, mo, d) * 24 + h) * 60 + mi) * 60 + se) * 1_000_000 + fraction;
  return Number.isSafeInteger(total) ? total : undefined;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/**
 * The decimal number in `s` from `from` to `to` (exclusive), or -1 when a character is no digit.
 * A module-level function on purpose: a closure made per call costs far more than the parse
 * under the TypeScript loader the CLI runs with (it names every function it creates).
 */
function digitsAt(s: string, from: number, to: number): number {
  let v = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** `digitsAt` over bytes. */
function bytesDigits(b: Uint8Array, from: number, to: number): number {
  let v = 0;
  for (let i = from; i < to; i++) {
    const c = b[i] - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

function castNested(type: Exclude<IcebergType, string>, value: unknown, text: boolean): unknown {
  if (value === null || value === undefined || (text && value === '')) return null;
  let v = value;
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      throw new CastError(`expected JSON for a ${type.type}, got ${show(value)}`);
    }
  }
  if (type.type === 'struct') {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new CastError(`expected an object for a struct, got ${show(value)}`);
    const known = new Set(type.fields.map((f) => f.name));
    for (const key of Object.keys(v)) if (!known.has(key)) throw new CastError(`the struct has no field ${key}`);
    const out: Record<string, unknown> = {};
    for (const f of type.fields) out[f.name] = castValue(f.type, (v as Record<string, unknown>)[f.name]);
    return out;
  }
  if (type.type === 'list') {
    if (!Array.isArray(v)) throw new CastError(`expected an array for a list, got ${show(value)}`);
    return v.map((item) => castValue(type.element, item));
  }
  const entries = Array.isArray(v) ? v : typeof v === 'object' && v !== null ? Object.entries(v) : undefined;
  if (!entries) throw new CastError(`expected an object or [key, value] pairs for a map, got ${show(value)}`);
  return new Map(
    entries.map((entry) => {
      if (!Array.isArray(entry) || entry.length !== 2) throw new CastError('a map entry must be a [key, value] pair');
      return [castValue(type.key, entry[0], Array.isArray(v) ? false : true), castValue(type.value, entry[1])];
    }),
  );
}

function castPrimitive(t: ParsedPrimitive, value: unknown): unknown {
  const s = typeof value === 'string' ? value.trim() : undefined;
  const fail = (what: string): never => {
    throw new CastError(`expected ${what}, got ${show(value)}`);
  };
  switch (t.kind) {
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (s !== undefined && /^(true|1)$/i.test(s)) return true;
      if (s !== undefined && /^(false|0)$/i.test(s)) return false;
      return fail('a boolean');
    case 'int': {
      const n = typeof value === 'number' ? value : s !== undefined && INTEGER.test(s) ? Number(s) : Number.NaN;
      if (!Number.isInteger(n) || n < -2147483648 || n > 2147483647) return fail('a 32-bit integer');
      return n;
    }
    case 'long': {
      let n: bigint | undefined;
      if (typeof value === 'bigint') n = value;
      else if (typeof value === 'number' && Number.isSafeInteger(value)) n = BigInt(value);
      else if (s !== undefined && INTEGER.test(s)) n = BigInt(s);
      if (n === undefined || n !== BigInt.asIntN(64, n)) return fail('a 64-bit integer');
      return n;
    }
    case 'float':
    case 'double': {
      if (typeof value === 'number') return value;
      if (typeof value === 'bigint') return Number(value);
      if (s === undefined || s === '') return fail('a number');
      if (/^[+-]?nan$/i.test(s)) return Number.NaN;
      if (/^[+-]?inf(inity)?$/i.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
      const n = Number(s);
      if (Number.isNaN(n) || !/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s)) return fail('a number');
      return n;
    }
    case 'decimal': {
      const textual = typeof value === 'number' || typeof value === 'bigint' ? String(value) : s;
      const m = textual === undefined ? null : DECIMAL.exec(textual);
      if (!m || (m[2] === '' && (m[3] ?? '') === '')) return fail(`a decimal(${t.precision}, ${t.scale})`);
      const fraction = (m[3] ?? '').replace(/0+$/, '');
      if (fraction.length > t.scale) return fail(`a decimal(${t.precision}, ${t.scale}) (more than ${t.scale} digits after the point)`);
      const unscaled = BigInt(`${m[2] || '0'}${fraction.padEnd(t.scale, '0')}`) * (m[1] === '-' ? -1n : 1n);
      if ((unscaled < 0n ? -unscaled : unscaled) >= 10n ** BigInt(t.precision)) return fail(`a decimal(${t.precision}, ${t.scale}) (too many digits)`);
      return unscaled;
    }
    case 'date': {
      const days = s === undefined ? undefined : daysOf(s);
      return days ?? fail('a date (YYYY-MM-DD)');
    }
    case 'time': {
      const m = s === undefined ? null : TIME.exec(s);
      if (!m) return fail('a time (HH:MM:SS[.ffffff])');
      const [h, min, sec] = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
      if (h > 23 || min > 59 || sec > 59) return fail('a time (HH:MM:SS[.ffffff])');
      return BigInt((h * 60 + min) * 60 + sec) * 1_000_000n + fractionOf(m[4], 6);
    }
    case 'timestamp':
    case 'timestamptz':
    case 'timestamp_ns':
    case 'timestamptz_ns': {
      const zoned = t.kind === 'timestamptz' || t.kind === 'timestamptz_ns';
      const digits = t.kind.endsWith('_ns') ? 9 : 6;
      const m = s === undefined ? null : TIMESTAMP.exec(s);
      if (!m) return fail(`a timestamp (YYYY-MM-DDTHH:MM:SS[.ffffff]${zoned ? '[Z|+HH:MM]' : ''})`);
      if (m[3] && !zoned) return fail('a timestamp without a zone (the column is `timestamp`, use `timestamptz` for zoned times)');
      const days = daysOf(m[1]);
      const tm = TIME.exec(m[2]);
      if (days === undefined || !tm || Number(tm[1]) > 23 || Number(tm[2]) > 59 || Number(tm[3] ?? 0) > 59) return fail('a valid timestamp');
      const seconds = BigInt(days) * 86_400n + BigInt((Number(tm[1]) * 60 + Number(tm[2])) * 60 + Number(tm[3] ?? 0)) - offsetSeconds(m[3]);
      return seconds * 10n ** BigInt(digits) + fractionOf(tm[4], digits);
    }
    case 'string':
      if (typeof value === 'string') return value;
      return fail('a string');
    case 'uuid':
      if (s !== undefined && UUID.test(s)) return s.toLowerCase();
      return fail('a UUID');
    case 'binary':
    case 'fixed': {
      if (value instanceof Uint8Array) return value;
      if (s === undefined || !BASE64.test(s) || s.length % 4 !== 0) return fail('base64 bytes');
      const bytes = new Uint8Array(Buffer.from(s, 'base64'));
      if (t.kind === 'fixed' && bytes.length !== t.length) return fail(`${t.length} bytes (base64)`);
      return bytes;
    }
    default:
      throw new CastError(`cannot load values of type ${t.kind}`);
  }
}

/** Days from 1970-01-01 of a proleptic Gregorian `YYYY-MM-DD`, or undefined when it is no date. */
export function daysOf(text: string): number | undefined {
  const m = DATE.exec(text);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // Not through Date.UTC: it reads the years 0 to 99 as 1900 to 1999.
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return undefined;
  return daysFromCivil(y, mo, d);
}

function fractionOf(digits: string | undefined, places: number): bigint {
  if (!digits) return 0n;
  if (digits.length > places) {
    if (/[^0]/.test(digits.slice(places))) throw new CastError(`more than ${places} fraction digits in a time: .${digits}`);
    digits = digits.slice(0, places);
  }
  return BigInt(digits.padEnd(places, '0'));
}

function offsetSeconds(zone: string | undefined): bigint {
  if (!zone || zone.toUpperCase() === 'Z') return 0n;
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)!;
  const seconds = BigInt(Number(m[2]) * 3600 + Number(m[3]) * 60);
  return m[1] === '-' ? -seconds : seconds;
}

function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v);
  if (typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object' && v !== null) return 'an object';
  return String(v);
}
