/**
 * Arrow table -> Parquet bytes through parquet-wasm (arrow-rs), with what the data file's
 * manifest entry needs from the writer: the compressed size of every leaf column, summed over
 * row groups and keyed by Iceberg field id (manifest field 108, `column_sizes`).
 */
import { Worker } from 'node:worker_threads';
import { Table as ArrowTableClass, tableToIPC, type RecordBatch as ArrowRecordBatch, type Table as ArrowTable } from './arrow-lib.js';
import type { IcebergType, Schema } from '../iceberg/model.js';

export type ParquetCompression = 'zstd' | 'snappy' | 'gzip' | 'uncompressed';

export interface ParquetWriteOptions {
  /** `write.parquet.compression-codec`; zstd by default, as Iceberg's. */
  compression?: ParquetCompression;
  /** Rows per row group (`write.parquet.row-group-limit`); 1,048,576 when not given (data-files.ts gives its own default). */
  rowGroupRows?: number;
}

export interface WrittenParquet {
  bytes: Uint8Array;
  /** Compressed bytes per leaf field id, over all row groups. */
  columnSizes: Map<number, bigint>;
  rowGroups: number;
}

/** A whole Arrow table written as one Parquet file (through the same encoder as the streamed files). */
export async function writeParquetFile(schema: Schema, table: ArrowTable, opts: ParquetWriteOptions = {}): Promise<WrittenParquet> {
  const writer = new ParquetStreamWriter(schema, opts);
  for (const batch of table.batches) await writer.push(batch);
  return writer.finish();
}

/**
 * Batches handed to the encoder thread and not yet taken by it: `push` waits beyond this. Enough
 * for either side to run on while the other pauses (a collection, a slow block), a few MiB at most.
 */
const IN_FLIGHT = 16;

type Reply =
  | { type: 'taken'; id: number }
  | { type: 'done'; id: number; bytes: ArrayBuffer; columnSizes: [number, bigint][]; rowGroups: number }
  | { type: 'failed'; id: number; message: string; fatal?: boolean };

interface Pending {
  /** The thread encoding this file. */
  worker: Worker;
  /** The file's settings, until they are sent with the first batch (which decides the dictionaries). */
  settings?: { compression: ParquetCompression; rowGroupRows: number; leafIds: [string, number][] };
  inFlight: number;
  /** Resolves a `push` waiting for room. */
  room?: () => void;
  done?: (written: WrittenParquet) => void;
  failed?: (err: Error) => void;
  error?: Error;
}

/**
 * The one encoder thread of this process (src/data/parquet-worker.mjs), started on first use and
 * kept only while a file is open: it does not keep the process alive by itself.
 */
class EncoderThread {
  private worker: Worker | undefined;
  private readonly files = new Map<number, Pending>();
  private next = 1;

  start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL('./parquet-worker.mjs', import.meta.url));
    worker.on('message', (msg: Reply) => {
      if (msg.type === 'failed' && msg.fatal && this.worker === worker) this.worker = undefined;
      this.heard(msg);
    });
    const lost = (err: Error) => {
      if (this.worker === worker) this.worker = undefined;
      for (const [id, file] of this.files) if (file.worker === worker) this.settle(id, file, err);
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`The Parquet encoder thread stopped (exit code ${code})`)));
    // After the listeners (adding a 'message' listener refs the thread again); `open` refs it.
    worker.unref();
    return (this.worker = worker);
  }

  open(schema: Schema, opts: ParquetWriteOptions): { id: number; file: Pending } {
    const worker = this.start();
    const id = this.next++;
    const file: Pending = { worker, inFlight: 0, settings: { compression: opts.compression ?? 'zstd', rowGroupRows: opts.rowGroupRows ?? 1_048_576, leafIds: [...leafIdsByPath(schema)] } };
    if (this.files.size === 0) worker.ref();
    this.files.set(id, file);
    return { id, file };
  }

  post(message: { type: 'push'; id: number; ipc: ArrayBuffer } | { type: 'finish' | 'abort'; id: number }, transfer: ArrayBuffer[] = [], first?: ArrowRecordBatch): void {
    const file = this.files.get(message.id);
    if (!file) return;
    if (file.settings && message.type !== 'abort') {
      file.worker.postMessage({ type: 'open', id: message.id, ...file.settings, plainColumns: first ? mostlyDistinct(first) : [] });
      file.settings = undefined;
    }
    file.worker.postMessage(message, transfer);
  }

  close(id: number): void {
    this.files.delete(id);
    if (this.files.size === 0) this.worker?.unref();
  }

  private heard(msg: Reply): void {
    const file = this.files.get(msg.id);
    if (!file) return;
    if (msg.type === 'taken') {
      file.inFlight--;
      file.room?.();
    } else if (msg.type === 'done') {
      this.close(msg.id);
      file.done?.({ bytes: new Uint8Array(msg.bytes), columnSizes: new Map(msg.columnSizes), rowGroups: msg.rowGroups });
    } else {
      this.settle(msg.id, file, new Error(`Parquet writer: ${msg.message}`));
    }
  }

  private settle(id: number, file: Pending, err: Error): void {
    this.close(id);
    file.error = err;
    file.failed?.(err);
    file.room?.();
  }
}

const encoder = new EncoderThread();

/** Starts the encoder thread ahead of the first file, so it is ready when the first rows are. */
export function startParquetEncoder(): void {
  encoder.start();
}

/**
 * A Parquet file written as its record batches come: each batch goes to arrow-rs's streaming
 * writer on the encoder thread (which keeps the open row group encoded and compressed, not the
 * batches), so a big file never sits in memory as Arrow data, and encoding runs beside parsing.
 * At most a few batches wait for the encoder: `push` resolves when there is room.
 */
export class ParquetStreamWriter {
  private readonly id: number;
  private readonly file: Pending;

  constructor(schema: Schema, opts: ParquetWriteOptions = {}) {
    ({ id: this.id, file: this.file } = encoder.open(schema, opts));
  }

  async push(batch: ArrowRecordBatch): Promise<void> {
    const { file } = this;
    while (file.inFlight >= IN_FLIGHT && !file.error) await new Promise<void>((resolve) => (file.room = resolve));
    file.room = undefined;
    if (file.error) throw file.error;
    const ipc = tableToIPC(new ArrowTableClass([batch]), 'stream');
    // A transferable buffer of exactly these bytes (tableToIPC may answer a view on a larger one).
    const buffer = ipc.byteOffset === 0 && ipc.byteLength === ipc.buffer.byteLength ? (ipc.buffer as ArrayBuffer) : ipc.slice().buffer;
    file.inFlight++;
    encoder.post({ type: 'push', id: this.id, ipc: buffer }, [buffer], batch);
  }

  finish(): Promise<WrittenParquet> {
    const { file } = this;
    if (file.error) return Promise.reject(file.error);
    return new Promise<WrittenParquet>((resolve, reject) => {
      file.done = resolve;
      file.failed = reject;
      encoder.post({ type: 'finish', id: this.id });
    });
  }

  /** Drops the file on the encoder thread (after a failure elsewhere); a pending `finish` rejects. */
  abort(err: unknown): void {
    encoder.post({ type: 'abort', id: this.id });
    encoder.close(this.id);
    this.file.failed?.(err instanceof Error ? err : new Error(String(err)));
  }
}

/**
 * The top-level primitive columns of a file's first batch whose values are mostly distinct
 * (timestamps, ids, measurements): they are written without a dictionary. arrow-rs would build
 * one for each row group until it outgrows its page limit and then fall back; for such columns
 * that costs much of the encoding time and makes the file larger, not smaller.
 */
export function mostlyDistinct(batch: ArrowRecordBatch): string[] {
  const sample = Math.min(batch.numRows, 4_096);
  if (sample < 1_024) return [];
  const out: string[] = [];
  batch.schema.fields.forEach((field, i) => {
    if (field.type.children?.length) return;
    const data = batch.getChildAt(i)!.data[0];
    const seen = new Set<unknown>();
    const values = data.values as unknown;
    if (values instanceof BigInt64Array || values instanceof Float64Array) {
      // 64-bit values told apart by their bits (read as doubles: no BigInt per value).
      const bits = new Float64Array(values.buffer, values.byteOffset, values.length);
      for (let r = 0; r < sample; r++) seen.add(bits[data.offset + r]);
    } else if (values instanceof Int32Array || values instanceof Float32Array) {
      for (let r = 0; r < sample; r++) seen.add(values[data.offset + r]);
    } else if (data.valueOffsets && values instanceof Uint8Array) {
      const text = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
      for (let r = 0; r < sample; r++) seen.add(text.toString('latin1', data.valueOffsets[data.offset + r], data.valueOffsets[data.offset + r + 1]));
    } else {
      return; // booleans, fixed-width bytes, decimals: keep the dictionary
    }
    if (seen.size > sample / 2) out.push(field.name);
  });
  return out;
}

/**
 * Parquet column path -> field id for every leaf, with the names arrow-rs writes for nested
 * types (`a.list.element`, `m.entries.key`, `m.entries.value`).
 */
export function leafIdsByPath(schema: Schema): Map<string, number> {
  const out = new Map<string, number>();
  const visit = (type: IcebergType, id: number, path: string) => {
    if (typeof type === 'string') {
      out.set(path, id);
    } else if (type.type === 'struct') {
      for (const f of type.fields) visit(f.type, f.id, `${path}.${f.name}`);
    } else if (type.type === 'list') {
      visit(type.element, type.elementId, `${path}.list.element`);
    } else {
      visit(type.key, type.keyId, `${path}.entries.key`);
      visit(type.value, type.valueId, `${path}.entries.value`);
    }
  };
  for (const f of schema.fields) visit(f.type, f.id, f.name);
  return out;
}
