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

/** Builds an avsc type from a JSON schema, with `long` as `bigint`. */
export function avroType(schema: unknown): avsc.Type {
  // avsc adds every named type to the registry it is given, so each call gets a fresh one.
  return avsc.Type.forSchema(schema as avsc.Schema, { registry: { long: bigintLongType } });
}
