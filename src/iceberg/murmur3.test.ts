import { describe, expect, it } from 'vitest';
import {
  floorDiv,
  hashBoolean,
  hashBytes,
  hashDecimal,
  hashDouble,
  hashFloat,
  hashInt,
  hashLong,
  hashString,
  hashTimestampNanos,
  hashUuid,
  minimalBigEndianBytes,
  murmur3x86_32,
  uuidToBytes,
} from './murmur3.js';

const epochDays = (iso: string): number => Date.parse(`${iso}T00:00:00Z`) / 86_400_000;
const epochMicros = (iso: string): bigint => BigInt(Date.parse(iso)) * 1000n;

// Test values published in the spec, appendix B "32-bit Hash Requirements".
describe('spec appendix B hash values', () => {
  it('int and long 34 -> 2017239379', () => {
    expect(hashInt(34)).toBe(2017239379);
    expect(hashLong(34n)).toBe(2017239379);
    expect(hashLong(34)).toBe(2017239379);
  });

  it('decimal 14.20 -> -500754589', () => {
    expect(hashDecimal(1420n)).toBe(-500754589);
  });

  it('date 2017-11-16 -> -653330422', () => {
    expect(epochDays('2017-11-16')).toBe(17486);
    expect(hashInt(epochDays('2017-11-16'))).toBe(-653330422);
  });

  it('time 22:31:08 -> -662762989', () => {
    expect(hashLong(((22n * 60n + 31n) * 60n + 8n) * 1_000_000n)).toBe(-662762989);
  });

  it('timestamp and timestamptz -> -2047944441 / -1207196810', () => {
    expect(hashLong(epochMicros('2017-11-16T22:31:08Z'))).toBe(-2047944441);
    expect(hashLong(epochMicros('2017-11-16T14:31:08-08:00'))).toBe(-2047944441);
    expect(hashLong(epochMicros('2017-11-16T22:31:08Z') + 1n)).toBe(-1207196810);
    expect(hashLong(epochMicros('2017-11-16T14:31:08-08:00') + 1n)).toBe(-1207196810);
  });

  it('timestamp_ns and timestamptz_ns hash as microseconds', () => {
    const nanos = epochMicros('2017-11-16T22:31:08Z') * 1000n;
    expect(hashTimestampNanos(nanos)).toBe(-2047944441);
    expect(hashTimestampNanos(nanos + 1001n)).toBe(-1207196810);
  });

  it('string "iceberg" -> 1210000089', () => {
    expect(hashString('iceberg')).toBe(1210000089);
  });

  it('uuid f79c3e09-677c-4bbd-a479-3f349cb785e7 -> 1488055340', () => {
    const uuid = 'f79c3e09-677c-4bbd-a479-3f349cb785e7';
    expect(Array.from(uuidToBytes(uuid))).toEqual([
      0xf7, 0x9c, 0x3e, 0x09, 0x67, 0x7c, 0x4b, 0xbd, 0xa4, 0x79, 0x3f, 0x34, 0x9c, 0xb7, 0x85, 0xe7,
    ]);
    expect(hashUuid(uuid)).toBe(1488055340);
    expect(hashUuid(uuid.toUpperCase())).toBe(1488055340);
    expect(hashUuid(uuidToBytes(uuid))).toBe(1488055340);
  });

  it('fixed and binary 00 01 02 03 -> -188683207', () => {
    expect(hashBytes(Uint8Array.of(0, 1, 2, 3))).toBe(-188683207);
  });

  it('types not valid for bucketing: boolean, float, double', () => {
    expect(hashBoolean(true)).toBe(1392991556);
    expect(hashFloat(1.0)).toBe(-142385009);
    expect(hashDouble(1.0)).toBe(-142385009);
    expect(hashDouble(0.0)).toBe(1669671676);
    expect(hashDouble(-0.0)).toBe(1669671676);
  });

  it('canonicalizes NaN bit patterns', () => {
    const nan = new DataView(new ArrayBuffer(8));
    nan.setBigUint64(0, 0x7ff8000000000000n, true);
    expect(hashDouble(Number.NaN)).toBe(murmur3x86_32(new Uint8Array(nan.buffer)));
    expect(hashDouble(-Number.NaN)).toBe(hashDouble(Number.NaN));
  });
});

describe('murmur3x86_32', () => {
  it('matches the reference implementation on tails of every length', () => {
    // Reference values of MurmurHash3_x86_32 with seed 0 (from the public SMHasher test vectors).
    expect(murmur3x86_32(new Uint8Array(0))).toBe(0);
    expect(murmur3x86_32(Uint8Array.of(0x21, 0x43, 0x65, 0x87))).toBe(0xf55b516b | 0);
    expect(murmur3x86_32(Uint8Array.of(0x21, 0x43, 0x65))).toBe(0x7e4a8634);
    expect(murmur3x86_32(Uint8Array.of(0x21, 0x43))).toBe(0xa0f7b07a | 0);
    expect(murmur3x86_32(Uint8Array.of(0x21))).toBe(0x72661cf4);
    expect(murmur3x86_32(Uint8Array.of(0, 0, 0, 0))).toBe(0x2362f9de);
    expect(murmur3x86_32(new Uint8Array(0), 1)).toBe(0x514e28b7);
  });

  it('int and long agree on negative values and extremes', () => {
    for (const v of [-1, -34, 2147483647, -2147483648]) expect(hashInt(v)).toBe(hashLong(BigInt(v)));
  });
});

describe('minimalBigEndianBytes', () => {
  it.each([
    [0n, [0x00]],
    [1n, [0x01]],
    [127n, [0x7f]],
    [128n, [0x00, 0x80]],
    [1420n, [0x05, 0x8c]],
    [-1n, [0xff]],
    [-128n, [0x80]],
    [-129n, [0xff, 0x7f]],
    [65535n, [0x00, 0xff, 0xff]],
  ])('%s', (value, bytes) => {
    expect(Array.from(minimalBigEndianBytes(value))).toEqual(bytes);
  });
});

describe('floorDiv', () => {
  it('rounds toward negative infinity', () => {
    expect(floorDiv(7n, 2n)).toBe(3n);
    expect(floorDiv(-7n, 2n)).toBe(-4n);
    expect(floorDiv(-6n, 2n)).toBe(-3n);
    expect(floorDiv(-1n, 1000n)).toBe(-1n);
  });
});
