/**
 * Avro `long` as `bigint`. avsc decodes longs to `number` by default and refuses values above
 * 2^53; snapshot ids are 63-bit, so every Avro type built here maps `long` to this type.
 */
import avsc from 'avsc';

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

/** Zigzag varints below 8 bytes hold at most 49 bits: exact in a double. */
const SMALL_VARINT_BYTES = 7;

/** Decodes an Avro long (zigzag varint, as the file stores it) to a bigint. */
export function decodeLong(buf: Buffer): bigint {
  if (buf.length <= SMALL_VARINT_BYTES) {
    let u = 0;
    let scale = 1;
    for (let i = 0; i < buf.length; i++) {
      u += (buf[i] & 0x7f) * scale;
      scale *= 128;
    }
    return BigInt(u % 2 === 0 ? u / 2 : -(u + 1) / 2);
  }
  let u = 0n;
  for (let i = buf.length - 1; i >= 0; i--) u = (u << 7n) | BigInt(buf[i] & 0x7f);
  return (u & 1n) === 0n ? u >> 1n : -((u + 1n) >> 1n);
}

/** Encodes a bigint as an Avro long (zigzag varint). */
export function encodeLong(n: bigint): Buffer {
  const out: number[] = [];
  if (n >= -0x8_0000_0000_0000n && n < 0x8_0000_0000_0000n) {
    // |n| < 2^51: the zigzag value fits in a double exactly.
    const v = Number(n);
    let u = v >= 0 ? v * 2 : -v * 2 - 1;
    while (u >= 128) {
      out.push((u % 128) | 0x80);
      u = Math.floor(u / 128);
    }
    out.push(u);
    return Buffer.from(out);
  }
  let u = n >= 0n ? n << 1n : ((-n) << 1n) - 1n;
  while (u >= 128n) {
    out.push(Number(u & 0x7fn) | 0x80);
    u >>= 7n;
  }
  out.push(Number(u));
  return Buffer.from(out);
}

/**
 * avsc hands this type the varint bytes themselves (`noUnpack`), decoded and encoded above:
 * its default unpacks every long into a zeroed 8-byte buffer first, which made long fields the
 * larger part of reading a manifest list.
 */
export const bigintLongType: avsc.types.LongType = avsc.types.LongType.__with(
  {
    fromBuffer: decodeLong,
    toBuffer: encodeLong,
    fromJSON: (value: unknown): bigint => BigInt(value as string | number | bigint),
    toJSON: (n: bigint): number | string => (Number.isSafeInteger(Number(n)) ? Number(n) : n.toString()),
    isValid: (n: unknown): boolean => typeof n === 'bigint' && n >= INT64_MIN && n <= INT64_MAX,
    compare: (a: bigint, b: bigint): number => (a < b ? -1 : a > b ? 1 : 0),
  },
  true,
);

function isLong(schema: unknown): boolean {
  if (schema === 'long') return true;
  // Also `{"type": "long"}` and logical types over long (timestamps, times), which some writers use.
  return typeof schema === 'object' && schema !== null && (schema as { type?: unknown }).type === 'long';
}

/** Builds an avsc type from a JSON schema, with every `long` as `bigint`. */
export function avroType(schema: unknown): avsc.Type {
  return avsc.Type.forSchema(schema as avsc.Schema, {
    typeHook: (s) => (isLong(s) ? bigintLongType : undefined),
  });
}
