/**
 * Reading single values out of apache-arrow vectors without its getters' conversions (which
 * turn microsecond timestamps into milliseconds and decimals into words): the chunk that holds a
 * row, and a decimal's unscaled value.
 */
import type { Vector } from './arrow-lib.js';

/**
 * The chunk holding row `i` and the row's index in that chunk (a sliced chunk's value and offset
 * buffers are sliced with it, so the index needs no `data.offset`, as in apache-arrow's getters).
 */
export function locate(vector: Vector, i: number): [Vector['data'][number], number] {
  let offset = i;
  for (const data of vector.data) {
    if (offset < data.length) return [data, offset];
    offset -= data.length;
  }
  throw new RangeError(`Row ${i} is beyond the column`);
}

/** The unscaled value of row `i` of a decimal column stored as `bitWidth`-bit little-endian words. */
export function decimalAt(vector: Vector, i: number, bitWidth: number): bigint {
  const [data, at] = locate(vector, i);
  const words = data.values as unknown as Uint32Array;
  const stride = bitWidth / 32;
  let v = 0n;
  for (let w = stride - 1; w >= 0; w--) v = (v << 32n) | BigInt(words[at * stride + w]);
  return BigInt.asIntN(bitWidth, v);
}
