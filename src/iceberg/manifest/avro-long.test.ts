import avsc from 'avsc';
import { describe, expect, it } from 'vitest';
import { avroType, decodeLong, encodeLong } from './avro-long.js';

/** The Avro spec's encoding of a long, computed the plain way (zigzag, then 7 bits a byte). */
function referenceBytes(n: bigint): number[] {
  let u = BigInt.asUintN(64, (n << 1n) ^ (n >> 63n));
  const out: number[] = [];
  do {
    const low = Number(u & 0x7fn);
    u >>= 7n;
    out.push(u > 0n ? low | 0x80 : low);
  } while (u > 0n);
  return out;
}

describe('Avro long as bigint', () => {
  const INT64_MIN = -(1n << 63n);
  const INT64_MAX = (1n << 63n) - 1n;
  const edges = [0n, 1n, -1n, 63n, 64n, -64n, -65n, 127n, 128n, 1n << 48n, -(1n << 48n), (1n << 51n) - 1n, 1n << 51n, -(1n << 51n), -(1n << 51n) - 1n, 1n << 53n, 9007199254740993n, INT64_MAX, INT64_MIN, INT64_MIN + 1n];

  it('encodes and decodes as the Avro spec says, at the edges and at random', () => {
    const random = Array.from({ length: 2000 }, (_, i) => {
      const bits = BigInt(1 + (i % 63));
      const v = BigInt(Math.floor(Math.random() * 2 ** 53)) % (1n << bits);
      return i % 2 === 0 ? v : -v - 1n;
    });
    for (const n of [...edges, ...random]) {
      const bytes = encodeLong(n);
      expect([...bytes], String(n)).toEqual(referenceBytes(n));
      expect(decodeLong(bytes), String(n)).toBe(n);
    }
  });

  it('reads what avsc’s own long type writes, inside records', () => {
    const schema = { type: 'record', name: 'r', fields: [{ name: 'a', type: 'long' }, { name: 'b', type: ['null', 'long'] }, { name: 'c', type: { type: 'array', items: 'long' } }] };
    const plain = avsc.Type.forSchema(schema as avsc.Schema);
    const ours = avroType(schema);
    const values = { a: -123456789012345, b: 4503599627370495, c: [0, -1, 2 ** 52, -(2 ** 52)] };
    const decoded = ours.fromBuffer(plain.toBuffer(values)) as { a: bigint; b: bigint; c: bigint[] };
    expect(decoded).toEqual({ a: -123456789012345n, b: 4503599627370495n, c: [0n, -1n, 2n ** 52n, -(2n ** 52n)] });
    expect(plain.fromBuffer(ours.toBuffer(decoded))).toEqual(values);
    const big = { a: INT64_MAX, b: INT64_MIN, c: [9007199254740993n] };
    expect(ours.fromBuffer(ours.toBuffer(big))).toEqual(big);
  });
});
