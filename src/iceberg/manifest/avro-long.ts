/**
 * Avro `long` as `bigint`. avsc decodes longs to `number` by default and refuses values above
 * 2^53; snapshot ids are 63-bit, so every Avro type built here maps `long` to this type.
 */
import avsc from 'avsc';

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

export const bigintLongType: avsc.types.LongType = avsc.types.LongType.__with({
  fromBuffer: (buf: Buffer): bigint => buf.readBigInt64LE(0),
  toBuffer: (n: bigint): Buffer => {
    const buf = Buffer.alloc(8);
    buf.writeBigInt64LE(n, 0);
    return buf;
  },
  fromJSON: (value: unknown): bigint => BigInt(value as string | number | bigint),
  toJSON: (n: bigint): number | string => (Number.isSafeInteger(Number(n)) ? Number(n) : n.toString()),
  isValid: (n: unknown): boolean => typeof n === 'bigint' && n >= INT64_MIN && n <= INT64_MAX,
  compare: (a: bigint, b: bigint): number => (a < b ? -1 : a > b ? 1 : 0),
});

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
