/**
 * The 32-bit hash of the Iceberg spec (appendix B): Murmur3, x86 32-bit variant, seed 0, over
 * a byte encoding fixed per type. Bucket partitions must hash exactly like every other engine,
 * or rows land in buckets other engines do not look in.
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

function rotl32(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

function mixK(k: number): number {
  return Math.imul(rotl32(Math.imul(k, C1), 15), C2);
}

/** Murmur3 x86 32-bit, seed 0, returned as a signed 32-bit integer (Java's `int`). */
export function murmur3x86_32(bytes: Uint8Array, seed = 0): number {
  let h = seed | 0;
  const length = bytes.length;
  const blocks = length & ~3;
  for (let i = 0; i < blocks; i += 4) {
    const k = bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
    h ^= mixK(k);
    h = rotl32(h, 13);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  // The 1–3 trailing bytes form one little-endian word.
  const rest = length & 3;
  if (rest > 0) {
    let tail = 0;
    for (let i = rest - 1; i >= 0; i -= 1) tail = (tail << 8) | bytes[blocks + i];
    h ^= mixK(tail);
  }
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

export function hashBytes(bytes: Uint8Array): number {
  return murmur3x86_32(bytes);
}

/** 8 little-endian bytes of a 64-bit two's complement value. */
export function hashLong(value: bigint | number): number {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigInt64(0, BigInt.asIntN(64, BigInt(value)), true);
  return murmur3x86_32(bytes);
}

/** Ints hash as longs so that promoting int to long keeps every bucket (spec note 1). */
export function hashInt(value: number): number {
  return hashLong(value);
}

export function hashBoolean(value: boolean): number {
  return hashInt(value ? 1 : 0);
}

/**
 * Doubles hash their IEEE 754 bits as a long, with NaN canonical and -0 as 0; floats are
 * widened to double first so that promotion keeps buckets.
 */
export function hashDouble(value: number): number {
  const bytes = new Uint8Array(8);
  const view = new DataView(bytes.buffer);
  if (Number.isNaN(value)) view.setBigUint64(0, 0x7ff8000000000000n, true);
  else view.setFloat64(0, value === 0 ? 0 : value, true);
  return murmur3x86_32(bytes);
}

export const hashFloat = hashDouble;

/** The fewest big-endian two's complement bytes that hold `value` (Java `BigInteger.toByteArray`). */
export function minimalBigEndianBytes(value: bigint): Uint8Array {
  const out: number[] = [];
  let v = value;
  // Emit low bytes until the rest is pure sign extension of the last byte's top bit.
  for (;;) {
    const byte = Number(BigInt.asUintN(8, v));
    out.push(byte);
    v >>= 8n;
    const signBit = (byte & 0x80) !== 0;
    if ((v === 0n && !signBit) || (v === -1n && signBit)) break;
  }
  return Uint8Array.from(out.reverse());
}

/** Decimals hash their unscaled value only; the scale belongs to the type. */
export function hashDecimal(unscaled: bigint): number {
  return hashBytes(minimalBigEndianBytes(unscaled));
}

export function hashString(value: string): number {
  return hashBytes(new TextEncoder().encode(value));
}

/** The 16 big-endian bytes of a UUID written as text (with or without dashes). */
export function uuidToBytes(uuid: string): Uint8Array {
  const hex = uuid.replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new RangeError(`Invalid UUID: ${uuid}`);
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 16; i += 1) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

export function hashUuid(uuid: string | Uint8Array): number {
  return hashBytes(typeof uuid === 'string' ? uuidToBytes(uuid) : uuid);
}

/** Nanosecond timestamps hash as their (floored) microseconds so both precisions agree. */
export function hashTimestampNanos(nanos: bigint): number {
  return hashLong(floorDiv(nanos, 1000n));
}

export function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? q - 1n : q;
}
