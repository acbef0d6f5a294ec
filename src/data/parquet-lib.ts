/**
 * parquet-wasm for the readers of the main thread (Parquet inputs of `load`, data files read by
 * `head` and `cdc apply`), loaded on first use: compiling its WebAssembly is a noticeable part of
 * a command's start, and a load of CSV or JSON never reads Parquet here (files are encoded on
 * the encoder thread, parquet-write.ts).
 */
import { createRequire } from 'node:module';
import type * as ParquetWasm from 'parquet-wasm';

let lib: typeof ParquetWasm | undefined;

export function parquetWasm(): typeof ParquetWasm {
  return (lib ??= createRequire(import.meta.url)('parquet-wasm') as typeof ParquetWasm);
}
