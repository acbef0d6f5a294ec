/**
 * Arrow table -> Parquet bytes through parquet-wasm (arrow-rs), with what the data file's
 * manifest entry needs from the writer: the compressed size of every leaf column, summed over
 * row groups and keyed by Iceberg field id (manifest field 108, `column_sizes`).
 */
import { Table as ArrowTableClass, tableToIPC, type RecordBatch as ArrowRecordBatch, type Table as ArrowTable } from './arrow-lib.js';
import * as parquet from 'parquet-wasm';
import type { IcebergType, Schema } from '../iceberg/model.js';

export type ParquetCompression = 'zstd' | 'snappy' | 'gzip' | 'uncompressed';

export interface ParquetWriteOptions {
  /** `write.parquet.compression-codec`; zstd by default, as Iceberg's. */
  compression?: ParquetCompression;
  /** `write.parquet.row-group-limit` (rows per row group); Iceberg's default 1,048,576. */
  rowGroupRows?: number;
}

export interface WrittenParquet {
  bytes: Uint8Array;
  /** Compressed bytes per leaf field id, over all row groups. */
  columnSizes: Map<number, bigint>;
  rowGroups: number;
}

const CODECS: Record<ParquetCompression, parquet.Compression> = {
  zstd: parquet.Compression.ZSTD,
  snappy: parquet.Compression.SNAPPY,
  gzip: parquet.Compression.GZIP,
  uncompressed: parquet.Compression.UNCOMPRESSED,
};

function writerProperties(opts: ParquetWriteOptions): parquet.WriterProperties {
  return new parquet.WriterPropertiesBuilder()
    .setCompression(CODECS[opts.compression ?? 'zstd'])
    .setMaxRowGroupSize(opts.rowGroupRows ?? 1_048_576)
    .setStatisticsEnabled(parquet.EnabledStatistics.Chunk)
    .setCreatedBy('lakecat')
    .build();
}

export async function writeParquetFile(schema: Schema, table: ArrowTable, opts: ParquetWriteOptions = {}): Promise<WrittenParquet> {
  const bytes = parquet.writeParquet(parquet.Table.fromIPCStream(tableToIPC(table, 'stream')), writerProperties(opts));
  return described(schema, bytes);
}

/**
 * A Parquet file written as its record batches come: each batch goes into arrow-rs's streaming
 * writer at once (which keeps the open row group encoded and compressed, not the batches), so a
 * big file never sits in memory as Arrow data.
 */
export class ParquetStreamWriter {
  private controller!: ReadableStreamDefaultController<parquet.RecordBatch>;
  private readonly output: Promise<Uint8Array>;

  constructor(
    private readonly schema: Schema,
    opts: ParquetWriteOptions = {},
  ) {
    const input = new ReadableStream<parquet.RecordBatch>({ start: (c) => void (this.controller = c) });
    this.output = (async () => {
      const stream = (await parquet.transformParquetStream(input, writerProperties(opts))) as ReadableStream<Uint8Array>;
      const parts: Uint8Array[] = [];
      for await (const part of stream as unknown as AsyncIterable<Uint8Array>) parts.push(part);
      return Buffer.concat(parts);
    })();
    // Read errors surface from finish(); without this they would be unhandled until then.
    this.output.catch(() => undefined);
  }

  push(batch: ArrowRecordBatch): void {
    const table = parquet.Table.fromIPCStream(tableToIPC(new ArrowTableClass([batch]), 'stream'));
    for (const b of table.recordBatches()) this.controller.enqueue(b);
  }

  async finish(): Promise<WrittenParquet> {
    this.controller.close();
    return described(this.schema, await this.output);
  }

  abort(err: unknown): void {
    try {
      this.controller.error(err);
    } catch {
      // already closed
    }
  }
}

async function described(schema: Schema, bytes: Uint8Array): Promise<WrittenParquet> {
  const file = await parquet.ParquetFile.fromFile(new Blob([bytes as Uint8Array<ArrayBuffer>]));
  try {
    const ids = leafIdsByPath(schema);
    const columnSizes = new Map<number, bigint>();
    const meta = file.metadata();
    const groups = meta.rowGroups();
    for (const group of groups) {
      for (const column of group.columns()) {
        const id = ids.get(column.columnPath().join('.'));
        if (id !== undefined) columnSizes.set(id, (columnSizes.get(id) ?? 0n) + BigInt(column.compressedSize()));
      }
    }
    return { bytes, columnSizes, rowGroups: groups.length };
  } finally {
    file.free();
  }
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
