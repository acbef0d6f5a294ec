/**
 * Raw DEFLATE (RFC 1951) decompression. Java writes manifests with Avro's `deflate` codec by
 * default, and `src/iceberg` may not import `node:zlib`, so reading them needs a decoder of
 * its own. Canonical Huffman codes are decoded one bit at a time: simple, and fast enough for
 * manifests. Callers that want zlib's speed can pass their own codec to the readers.
 */
import { InvalidAvroFileError } from './errors.js';

const LENGTH_BASE = [
  3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258,
];
const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DISTANCE_BASE = [
  1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145,
  8193, 12289, 16385, 24577,
];
const DISTANCE_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
/** The order in which code length code lengths are stored in a dynamic block header. */
const CODE_LENGTH_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];
const MAX_BITS = 15;

/** A canonical Huffman code: how many codes have each length, and the symbols in code order. */
interface Huffman {
  counts: Uint16Array;
  symbols: Uint16Array;
}

function buildHuffman(lengths: ArrayLike<number>, offset: number, n: number): Huffman {
  const counts = new Uint16Array(MAX_BITS + 1);
  for (let i = 0; i < n; i++) counts[lengths[offset + i]]++;
  const offsets = new Uint16Array(MAX_BITS + 1);
  for (let len = 1; len < MAX_BITS; len++) offsets[len + 1] = offsets[len] + counts[len];
  const symbols = new Uint16Array(n);
  for (let i = 0; i < n; i++) {
    const len = lengths[offset + i];
    if (len !== 0) symbols[offsets[len]++] = i;
  }
  return { counts, symbols };
}

const FIXED_LITERALS = (() => {
  const lengths = new Uint8Array(288);
  lengths.fill(8, 0, 144);
  lengths.fill(9, 144, 256);
  lengths.fill(7, 256, 280);
  lengths.fill(8, 280, 288);
  return buildHuffman(lengths, 0, 288);
})();
const FIXED_DISTANCES = buildHuffman(new Uint8Array(30).fill(5), 0, 30);

class Inflater {
  private pos = 0;
  private bitBuffer = 0;
  private bitCount = 0;
  private out: Uint8Array;
  private outLength = 0;

  constructor(private readonly input: Uint8Array) {
    this.out = new Uint8Array(Math.max(1024, input.length * 4));
  }

  run(): Uint8Array {
    let last = false;
    while (!last) {
      last = this.bits(1) === 1;
      const type = this.bits(2);
      if (type === 0) this.stored();
      else if (type === 1) this.codes(FIXED_LITERALS, FIXED_DISTANCES);
      else if (type === 2) this.dynamic();
      else throw new InvalidAvroFileError('invalid deflate block type 3');
    }
    return this.out.subarray(0, this.outLength);
  }

  private bits(need: number): number {
    let value = this.bitBuffer;
    while (this.bitCount < need) {
      if (this.pos >= this.input.length) throw new InvalidAvroFileError('deflate data ends early');
      value |= this.input[this.pos++] << this.bitCount;
      this.bitCount += 8;
    }
    this.bitBuffer = value >>> need;
    this.bitCount -= need;
    return value & ((1 << need) - 1);
  }

  private ensure(extra: number): void {
    if (this.outLength + extra <= this.out.length) return;
    let size = this.out.length * 2;
    while (size < this.outLength + extra) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.out.subarray(0, this.outLength));
    this.out = grown;
  }

  private stored(): void {
    this.bitBuffer = 0;
    this.bitCount = 0;
    if (this.pos + 4 > this.input.length) throw new InvalidAvroFileError('deflate data ends early');
    const len = this.input[this.pos] | (this.input[this.pos + 1] << 8);
    const nlen = this.input[this.pos + 2] | (this.input[this.pos + 3] << 8);
    this.pos += 4;
    if (len !== (~nlen & 0xffff)) throw new InvalidAvroFileError('deflate stored block length does not match');
    if (this.pos + len > this.input.length) throw new InvalidAvroFileError('deflate data ends early');
    this.ensure(len);
    this.out.set(this.input.subarray(this.pos, this.pos + len), this.outLength);
    this.outLength += len;
    this.pos += len;
  }

  private decode(h: Huffman): number {
    let code = 0;
    let first = 0;
    let index = 0;
    for (let len = 1; len <= MAX_BITS; len++) {
      code |= this.bits(1);
      const count = h.counts[len];
      if (code - first < count) return h.symbols[index + code - first];
      index += count;
      first = (first + count) << 1;
      code <<= 1;
    }
    throw new InvalidAvroFileError('invalid deflate Huffman code');
  }

  private codes(literals: Huffman, distances: Huffman): void {
    for (;;) {
      const symbol = this.decode(literals);
      if (symbol < 256) {
        this.ensure(1);
        this.out[this.outLength++] = symbol;
        continue;
      }
      if (symbol === 256) return;
      const li = symbol - 257;
      if (li >= LENGTH_BASE.length) throw new InvalidAvroFileError('invalid deflate length code');
      const length = LENGTH_BASE[li] + this.bits(LENGTH_EXTRA[li]);
      const di = this.decode(distances);
      if (di >= DISTANCE_BASE.length) throw new InvalidAvroFileError('invalid deflate distance code');
      const distance = DISTANCE_BASE[di] + this.bits(DISTANCE_EXTRA[di]);
      if (distance > this.outLength) throw new InvalidAvroFileError('deflate distance too far back');
      this.ensure(length);
      // Byte by byte: a match may overlap the bytes it produces.
      for (let i = 0; i < length; i++) {
        this.out[this.outLength] = this.out[this.outLength - distance];
        this.outLength++;
      }
    }
  }

  private dynamic(): void {
    const nlen = this.bits(5) + 257;
    const ndist = this.bits(5) + 1;
    const ncode = this.bits(4) + 4;
    if (nlen > 286 || ndist > 30) throw new InvalidAvroFileError('invalid deflate dynamic block counts');
    const lengths = new Uint8Array(320);
    for (let i = 0; i < ncode; i++) lengths[CODE_LENGTH_ORDER[i]] = this.bits(3);
    const lengthCode = buildHuffman(lengths, 0, 19);
    lengths.fill(0);
    let i = 0;
    while (i < nlen + ndist) {
      const symbol = this.decode(lengthCode);
      if (symbol < 16) {
        lengths[i++] = symbol;
        continue;
      }
      let repeat: number;
      let value = 0;
      if (symbol === 16) {
        if (i === 0) throw new InvalidAvroFileError('deflate repeat without a previous length');
        value = lengths[i - 1];
        repeat = 3 + this.bits(2);
      } else if (symbol === 17) {
        repeat = 3 + this.bits(3);
      } else {
        repeat = 11 + this.bits(7);
      }
      if (i + repeat > nlen + ndist) throw new InvalidAvroFileError('too many deflate code lengths');
      lengths.fill(value, i, i + repeat);
      i += repeat;
    }
    if (lengths[256] === 0) throw new InvalidAvroFileError('deflate block has no end-of-block code');
    this.codes(buildHuffman(lengths, 0, nlen), buildHuffman(lengths, nlen, ndist));
  }
}

/** Decompresses raw DEFLATE data (no zlib or gzip wrapper), as Avro's `deflate` codec stores it. */
export function inflateRaw(input: Uint8Array): Uint8Array {
  return new Inflater(input).run();
}
