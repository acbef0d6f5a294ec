/**
 * Rows -> Parquet data files of a table, as an engine writes them: rows grouped by the partition
 * tuple the table's default spec computes (src/iceberg transforms), each group written as one
 * or more files of at most `maxRowsPerFile` rows under the table's data folder, each described by
 * a `DataFile` (partition tuple, record count, size, column sizes, counts, bounds) for its
 * manifest entry. Files go through an ObjectStore (S3 or a folder); every location written is
 * reported, so a failed commit can delete them.
 */
import type { ObjectStore } from '../io/port.js';
import type { DataFile, PartitionTuple, PartitionValue } from '../iceberg/manifest/index.js';
import type { IcebergType, PartitionSpec, Schema } from '../iceberg/model.js';
import { partitionPath } from '../iceberg/partitioning.js';
import { applyTransform, type TransformValue } from '../iceberg/transforms.js';
import { arrowTableOf, ValueError, type Row } from './arrow-build.js';
import { StatsAccumulator } from './column-stats.js';
import { ParquetStreamWriter, type ParquetCompression } from './parquet-write.js';
import { columnarFits, columnarPart } from './columnar.js';
import { recordCount, rowsFor, type Input } from './inputs.js';

function isInput(chunk: readonly Row[] | Input): chunk is Input {
  return !Array.isArray(chunk);
}

export interface DataTarget {
  schema: Schema;
  /**
   * The schema of the written files when it has more than the table's columns (v3 row lineage:
   * `_row_id` and `_last_updated_sequence_number` carried by rewritten rows); statistics and
   * column sizes stay those of the table's columns.
   */
  fileSchema?: Schema;
  spec: PartitionSpec;
  /** The table location (no trailing slash). */
  location: string;
  properties: Record<string, string>;
}

export interface DataWriteOptions {
  /** A fresh unique name part per file (a UUID). */
  newId: () => string;
  /** Files are cut at this many rows; default 1,000,000. */
  maxRowsPerFile?: number;
  /** Called with every location right after it was written (for clean-up on failure). */
  wrote?: (location: string) => void;
}

/**
 * Writes `rows` (all at once, or in chunks as they come: rows, or the records of an input file
 * cast here) as data files of `target` and describes them.
 */
export async function writeDataFiles(
  target: DataTarget,
  rows: readonly Row[] | AsyncIterable<readonly Row[] | Input>,
  store: ObjectStore,
  opts: DataWriteOptions,
): Promise<DataFile[]> {
  const sink = new DataFileSink(target, store, opts);
  try {
    if (Symbol.asyncIterator in rows) {
      for await (const chunk of rows) await (isInput(chunk) ? sink.addRecords(chunk) : sink.add(chunk));
    } else {
      await sink.add(rows);
    }
    return await sink.finish();
  } catch (err) {
    sink.abort(err);
    throw err;
  }
}

/**
 * Rows per Parquet row group unless the table sets `write.parquet.row-group-limit`. Smaller than
 * PyIceberg's 1,048,576 (about DuckDB's 122,880): the encoder holds a whole row group until it
 * is complete, so this bounds a writer's memory, and engines get finer row-group statistics.
 */
export const DEFAULT_ROW_GROUP_ROWS = 131_072;

interface OpenFile {
  tuple: PartitionTuple;
  writer: ParquetStreamWriter;
  rows: number;
  stats: StatsAccumulator;
}

/**
 * Rows in, data files out, one open file per partition: each chunk of rows is split by partition,
 * turned into Arrow record batches that go straight into the file's streaming Parquet writer, and
 * counted into the file's statistics (the rows themselves are not kept); a file is stored when it
 * reaches `maxRowsPerFile` rows or at `finish`. Memory holds the open files' encoded row groups,
 * not every row read.
 */
export class DataFileSink {
  private readonly open = new Map<string, OpenFile>();
  private readonly files: DataFile[] = [];
  private readonly maxRows: number;
  private readonly compression: ParquetCompression;
  private readonly rowGroupRows: number;
  private readonly dataFolder: string;
  private n = 0;

  constructor(
    private readonly target: DataTarget,
    private readonly store: ObjectStore,
    private readonly opts: DataWriteOptions,
  ) {
    this.maxRows = opts.maxRowsPerFile ?? 1_000_000;
    this.compression = (target.properties['write.parquet.compression-codec'] ?? 'zstd').toLowerCase() as ParquetCompression;
    if (!['zstd', 'snappy', 'gzip', 'uncompressed'].includes(this.compression)) {
      throw new Error(`write.parquet.compression-codec ${this.compression} is not supported here (zstd, snappy, gzip, uncompressed)`);
    }
    this.rowGroupRows = Number(target.properties['write.parquet.row-group-limit'] ?? DEFAULT_ROW_GROUP_ROWS);
    this.dataFolder = (target.properties['write.data.path'] ?? `${target.location}/data`).replace(/\/+$/, '');
  }

  async add(rows: readonly Row[]): Promise<void> {
    for (const [key, group] of partitionRows(this.target, rows)) {
      for (let start = 0; start < group.rows.length; ) {
        const file = this.open.get(key) ?? this.openFile(key, group.tuple);
        const take = Math.min(group.rows.length - start, this.maxRows - file.rows);
        const part = start === 0 && take === group.rows.length ? group.rows : group.rows.slice(start, start + take);
        for (const batch of arrowTableOf(this.target.fileSchema ?? this.target.schema, part).batches) await file.writer.push(batch);
        file.stats.add(part);
        file.rows += part.length;
        start += take;
        if (file.rows >= this.maxRows) {
          this.open.delete(key);
          await this.write(file);
        }
      }
    }
  }

  /**
   * The records of an input file (a chunk of it), cast to the table's schema: column by column
   * (columnar.ts) for an unpartitioned table, else as rows.
   */
  async addRecords(input: Input): Promise<void> {
    const { schema } = this.target;
    if (this.target.spec.fields.length > 0 || this.target.fileSchema || !columnarFits(schema, input)) return this.add(rowsFor(schema, input));
    const n = recordCount(input);
    for (let start = 0; start < n; ) {
      const file = this.open.get('') ?? this.openFile('', []);
      const take = Math.min(n - start, this.maxRows - file.rows);
      const part = columnarPart(schema, input, start, start + take);
      await file.writer.push(part.batch);
      file.stats.addColumns(part.stats);
      file.rows += take;
      start += take;
      if (file.rows >= this.maxRows) {
        this.open.delete('');
        await this.write(file);
      }
    }
  }

  async finish(): Promise<DataFile[]> {
    for (const file of this.open.values()) await this.write(file);
    this.open.clear();
    return this.files;
  }

  private openFile(key: string, tuple: PartitionTuple): OpenFile {
    const writer = new ParquetStreamWriter(this.target.fileSchema ?? this.target.schema, { compression: this.compression, rowGroupRows: this.rowGroupRows });
    const file: OpenFile = { tuple, writer, rows: 0, stats: new StatsAccumulator(this.target.schema, this.target.properties) };
    this.open.set(key, file);
    return file;
  }

  /** Stops the open files' writers (after a failure): nothing more is written. */
  abort(err: unknown): void {
    for (const file of this.open.values()) file.writer.abort(err);
    this.open.clear();
  }

  private async write(file: OpenFile): Promise<void> {
    const { target } = this;
    const folder = target.spec.fields.length === 0 ? this.dataFolder : `${this.dataFolder}/${partitionPath(target.spec, target.schema, file.tuple as TransformValue[])}`;
    const written = await file.writer.finish();
    if (target.fileSchema) {
      const ids = new Set(target.fileSchema.fields.filter((f) => !target.schema.fields.some((t) => t.id === f.id)).map((f) => f.id));
      for (const id of ids) written.columnSizes.delete(id);
    }
    const location = `${folder}/${String(this.n++).padStart(5, '0')}-${this.opts.newId()}.parquet`;
    await this.store.write(location, written.bytes, { ifAbsent: true, contentType: 'application/vnd.apache.parquet' });
    this.opts.wrote?.(location);
    const stats = file.stats.result();
    this.files.push({
      content: 'data',
      filePath: location,
      fileFormat: 'PARQUET',
      partition: file.tuple,
      recordCount: BigInt(file.rows),
      fileSizeInBytes: BigInt(written.bytes.length),
      columnSizes: written.columnSizes,
      valueCounts: stats.valueCounts,
      nullValueCounts: stats.nullValueCounts,
      nanValueCounts: stats.nanValueCounts,
      lowerBounds: stats.lowerBounds,
      upperBounds: stats.upperBounds,
    });
  }
}

interface Group {
  tuple: PartitionTuple;
  rows: Row[];
}

/** Rows by partition tuple, in order of first appearance (one group for an unpartitioned spec). */
export function partitionRows(target: DataTarget, rows: readonly Row[]): Map<string, Group> {
  const groups = new Map<string, Group>();
  if (target.spec.fields.length === 0) {
    if (rows.length > 0) groups.set('', { tuple: [], rows: [...rows] });
    return groups;
  }
  const sources = target.spec.fields.map((field) => {
    const path = pathOf(target.schema, field.sourceId);
    if (!path) throw new Error(`Partition field ${field.name} has no source column ${field.sourceId} in the schema`);
    return { field, ...path };
  });
  rows.forEach((row, i) => {
    const tuple = sources.map(({ field, names, type }) => {
      let value: unknown = row;
      for (const name of names) value = value === null || value === undefined ? null : (value as Row)[name];
      try {
        return applyTransform(field.transform, type, (value ?? null) as TransformValue) as PartitionValue;
      } catch (err) {
        const column = names.join('.');
        throw new ValueError(`${column}: row ${i + 1} cannot be partitioned by ${field.transform}: ${err instanceof Error ? err.message : String(err)}`, column, i);
      }
    });
    const key = tupleKey(tuple);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { tuple, rows: [] }));
    group.rows.push(row);
  });
  return groups;
}

/** The names from the top level down to field `id` through structs (partition sources never sit in lists or maps). */
function pathOf(schema: Schema, id: number): { names: string[]; type: IcebergType } | undefined {
  const walk = (fields: Schema['fields'], names: string[]): { names: string[]; type: IcebergType } | undefined => {
    for (const f of fields) {
      if (f.id === id) return { names: [...names, f.name], type: f.type };
      if (typeof f.type !== 'string' && f.type.type === 'struct') {
        const found = walk(f.type.fields, [...names, f.name]);
        if (found) return found;
      }
    }
    return undefined;
  };
  return walk(schema.fields, []);
}

function tupleKey(tuple: PartitionTuple): string {
  return tuple
    .map((v) => (v === null ? 'n' : v instanceof Uint8Array ? `b${Buffer.from(v).toString('hex')}` : `${typeof v}:${String(v)}`))
    .join('\u0000');
}
