import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { InvalidAvroFileError } from './errors.js';
import { inflateRaw } from './inflate.js';

/** Deterministic pseudo-random bytes (xorshift), so failures reproduce. */
function noise(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** Text-like data with long repeats, so zlib emits dynamic blocks with back references. */
function manifestLike(length: number): Uint8Array {
  const words = ['s3://warehouse/db/table/data/', 'PARQUET', 'part-00000-', '.parquet', '\u0000\u0002\u0004', 'k117_v118'];
  const r = noise(length, 7);
  let text = '';
  for (let i = 0; text.length < length; i++) text += words[r[i % r.length] % words.length] + (r[i % r.length] & 15);
  return new TextEncoder().encode(text.slice(0, length));
}

describe('inflateRaw', () => {
  const inputs: Array<[string, Uint8Array]> = [
    ['empty', new Uint8Array(0)],
    ['one byte', Uint8Array.of(42)],
    ['random bytes', noise(70_000, 3)],
    ['repetitive text', manifestLike(200_000)],
    ['a long run of one byte', new Uint8Array(100_000).fill(0x61)],
  ];
  for (const [name, data] of inputs) {
    for (const level of [0, 1, 6, 9]) {
      it(`restores ${name} compressed by zlib at level ${level}`, () => {
        const compressed = deflateRawSync(data, { level });
        expect(Buffer.from(inflateRaw(compressed)).equals(Buffer.from(data))).toBe(true);
      });
    }
  }

  it('restores data compressed with fixed Huffman codes only', () => {
    const data = manifestLike(5_000);
    const compressed = deflateRawSync(data, { strategy: 4 }); // Z_FIXED
    expect(Buffer.from(inflateRaw(compressed)).equals(Buffer.from(data))).toBe(true);
  });

  it('rejects truncated input', () => {
    const compressed = deflateRawSync(manifestLike(10_000));
    expect(() => inflateRaw(compressed.subarray(0, compressed.length >> 1))).toThrow(InvalidAvroFileError);
  });

  it('rejects the reserved block type', () => {
    expect(() => inflateRaw(Uint8Array.of(0b111))).toThrow(/block type/);
  });
});
