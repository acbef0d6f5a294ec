/**
 * Binary single-value serialisation (Iceberg spec, appendix D): how a data file's lower and
 * upper bounds (manifest fields 125 and 128) store one value of a primitive type, and the
 * truncation of string and binary bounds that metrics mode `truncate(N)` asks for.
 *
 * Values use the same JavaScript types as partition values (manifest/types.ts): boolean;
 * int, date -> number; long, time, timestamp(tz)(_ns) -> bigint; float, double -> number;
 * string -> string; uuid -> canonical string; decimal -> bigint unscaled value; fixed, binary ->
 * Uint8Array.
 */
import { ValidationError } from './errors.js';
import { bytesToDecimal, bytesToUuid } from './manifest/partition-values.js';
import { parsePrimitive, type ParsedPrimitive } from './types.js';

export type SingleValue = boolean | number | bigint | string | Uint8Array;

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Kinds that have a binary single-value form (nested types, variant, geo and unknown do not). */
export function hasSingleValueForm(type: string | ParsedPrimitive): boolean {
  const kind = (typeof type === 'string' ? parsePrimitive(type) : type).kind;
  return kind !== 'unknown' && kind !== 'variant' && kind !== 'geometry' && kind !== 'geography';
}

/** The bytes of `value` as type `type`; throws ValidationError when the value does not fit the type. */
export function toSingleValueBytes(type: string | ParsedPrimitive, value: SingleValue): Uint8Array {
  const t = typeof type === 'string' ? parsePrimitive(type) : type;
  switch (t.kind) {
    case 'boolean':
      return Uint8Array.of(value === true ? 1 : 0);
    case 'int':
    case 'date': {
      const n = Number(value);
      if (!Number.isInteger(n) || n < -2147483648 || n > 2147483647) throw new ValidationError(`Not a 32-bit integer: ${String(value)}`);
      const out = new Uint8Array(4);
      new DataView(out.buffer).setInt32(0, n, true);
      return out;
    }
    case 'long':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
    case 'timestamp_ns':
    case 'timestamptz_ns': {
      const out = new Uint8Array(8);
      new DataView(out.buffer).setBigInt64(0, BigInt.asIntN(64, typeof value === 'bigint' ? value : BigInt(value as number)), true);
      return out;
    }
    case 'float': {
      const out = new Uint8Array(4);
      new DataView(out.buffer).setFloat32(0, value as number, true);
      return out;
    }
    case 'double': {
      const out = new Uint8Array(8);
      new DataView(out.buffer).setFloat64(0, value as number, true);
      return out;
    }
    case 'string':
      return utf8.encode(value as string);
    case 'uuid': {
      const hex = String(value).replace(/-/g, '');
      if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new ValidationError(`Not a UUID: ${String(value)}`);
      return Uint8Array.from(Buffer.from(hex, 'hex'));
    }
    case 'fixed':
    case 'binary':
      return new Uint8Array(value as Uint8Array);
    case 'decimal':
      return minimalTwosComplement(value as bigint);
    default:
      throw new ValidationError(`Type ${t.kind} has no single-value binary form`);
  }
}

/** The value stored in `bytes` as type `type` (the inverse of toSingleValueBytes). */
export function fromSingleValueBytes(type: string | ParsedPrimitive, bytes: Uint8Array): SingleValue {
  const t = typeof type === 'string' ? parsePrimitive(type) : type;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const need = (n: number) => {
    if (bytes.length !== n) throw new ValidationError(`A ${t.kind} bound takes ${n} bytes, got ${bytes.length}`);
  };
  switch (t.kind) {
    case 'boolean':
      need(1);
      return bytes[0] !== 0;
    case 'int':
    case 'date':
      need(4);
      return view.getInt32(0, true);
    case 'long':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
    case 'timestamp_ns':
    case 'timestamptz_ns':
      need(8);
      return view.getBigInt64(0, true);
    case 'float':
      need(4);
      return view.getFloat32(0, true);
    case 'double':
      need(8);
      return view.getFloat64(0, true);
    case 'string':
      return fromUtf8.decode(bytes);
    case 'uuid':
      need(16);
      return bytesToUuid(bytes);
    case 'fixed':
    case 'binary':
      return new Uint8Array(bytes);
    case 'decimal':
      return bytesToDecimal(bytes);
    default:
      throw new ValidationError(`Type ${t.kind} has no single-value binary form`);
  }
}

/** Big-endian two's complement in the fewest bytes that hold `v` (at least one). */
function minimalTwosComplement(v: bigint): Uint8Array {
  let size = 1;
  while (v >= 1n << BigInt(size * 8 - 1) || v < -(1n << BigInt(size * 8 - 1))) size++;
  let u = BigInt.asUintN(size * 8, v);
  const out = new Uint8Array(size);
  for (let i = size - 1; i >= 0; i--) {
    out[i] = Number(u & 0xffn);
    u >>= 8n;
  }
  return out;
}

/** The first `length` code points of `s` (a lower bound of every string that starts like `s`). */
export function truncateStringLower(s: string, length: number): string {
  let count = 0;
  let end = 0;
  for (const ch of s) {
    if (count === length) return s.slice(0, end);
    count++;
    end += ch.length;
  }
  return s;
}

/**
 * An upper bound of every string that starts with the first `length` code points of `s`, at most
 * `length` code points long: `s` itself when it is that short, else the prefix with its last code
 * point that can be incremented incremented (the code points after it dropped); undefined when
 * none can be (every one is U+10FFFF), then the column gets no upper bound.
 */
export function truncateStringUpper(s: string, length: number): string | undefined {
  const points = Array.from(s);
  if (points.length <= length) return s;
  for (let i = length - 1; i >= 0; i--) {
    let next = points[i].codePointAt(0)! + 1;
    if (next >= 0xd800 && next <= 0xdfff) next = 0xe000; // surrogates are not characters
    if (next <= 0x10ffff) return points.slice(0, i).join('') + String.fromCodePoint(next);
  }
  return undefined;
}

/** The first `length` bytes of `b`. */
export function truncateBinaryLower(b: Uint8Array, length: number): Uint8Array {
  return b.length <= length ? b : b.subarray(0, length);
}

/**
 * An upper bound of every byte string that starts with the first `length` bytes of `b`: `b` when
 * short enough, else the prefix with its last byte below 0xFF incremented; undefined when all are 0xFF.
 */
export function truncateBinaryUpper(b: Uint8Array, length: number): Uint8Array | undefined {
  if (b.length <= length) return b;
  for (let i = length - 1; i >= 0; i--) {
    if (b[i] !== 0xff) {
      const out = b.slice(0, i + 1);
      out[i]++;
      return out;
    }
  }
  return undefined;
}

/** Unsigned lexicographic order of byte strings (how Iceberg orders binary, and strings by UTF-8). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}
