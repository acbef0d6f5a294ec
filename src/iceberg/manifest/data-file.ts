/**
 * The `data_file` struct between the model and Avro records, per format version. Writing uses
 * the field names of `schemas.ts`; reading goes through the writer's field ids.
 */
import { ValidationError } from '../errors.js';
import type { FormatVersion, StructType } from '../model.js';
import { type AvroNames, RecordFields, structOf, toBytes, toLong } from './avro-fields.js';
import { avroFieldName } from './avro-schema.js';
import { InvalidAvroFileError } from './errors.js';
import { partitionFromAvro, partitionToAvro, toBuffer } from './partition-values.js';
import { DATA_FILE } from './schemas.js';
import type { DataFile, FileContent } from './types.js';

/** Java's V1 writers store this for the deprecated, required `block_size_in_bytes`. */
export const DEFAULT_BLOCK_SIZE = 64n * 1024n * 1024n;

export function fileContentCode(content: FileContent): number {
  switch (content) {
    case 'data':
      return 0;
    case 'position-deletes':
      return 1;
    case 'equality-deletes':
      return 2;
    default: {
      const unexpected: never = content;
      throw new ValidationError(`Unknown file content: ${String(unexpected)}`);
    }
  }
}

export function fileContentOf(code: number): FileContent {
  switch (code) {
    case 0:
      return 'data';
    case 1:
      return 'position-deletes';
    case 2:
      return 'equality-deletes';
    default:
      throw new InvalidAvroFileError(`unknown data file content ${code}`);
  }
}

type KeyValue<V> = { key: number; value: V };

function mapToAvro<V, A>(map: Map<number, V> | undefined, convert: (v: V) => A): KeyValue<A>[] | null {
  if (map === undefined) return null;
  return [...map].map(([key, value]) => ({ key, value: convert(value) }));
}

const same = <T>(v: T): T => v;

/** Writes a data file as the record the `data_file` Avro schema of `formatVersion` expects. */
export function dataFileToAvro(
  formatVersion: FormatVersion,
  file: DataFile,
  partitionType: StructType,
): Record<string, unknown> {
  if (formatVersion === 1 && file.content !== 'data') {
    throw new ValidationError(`Cannot write ${file.content} file to a v1 manifest: ${file.filePath}`);
  }
  const partitionNames = partitionType.fields.map((f) => avroFieldName(f.name));
  const record: Record<string, unknown> = {
    [DATA_FILE.filePath.name]: file.filePath,
    [DATA_FILE.fileFormat.name]: file.fileFormat,
    partition: partitionToAvro(partitionType, file.partition, partitionNames),
    [DATA_FILE.recordCount.name]: file.recordCount,
    [DATA_FILE.fileSizeInBytes.name]: file.fileSizeInBytes,
    [DATA_FILE.columnSizes.name]: mapToAvro(file.columnSizes, same),
    [DATA_FILE.valueCounts.name]: mapToAvro(file.valueCounts, same),
    [DATA_FILE.nullValueCounts.name]: mapToAvro(file.nullValueCounts, same),
    [DATA_FILE.nanValueCounts.name]: mapToAvro(file.nanValueCounts, same),
    [DATA_FILE.lowerBounds.name]: mapToAvro(file.lowerBounds, toBuffer),
    [DATA_FILE.upperBounds.name]: mapToAvro(file.upperBounds, toBuffer),
    [DATA_FILE.keyMetadata.name]: file.keyMetadata ? toBuffer(file.keyMetadata) : null,
    [DATA_FILE.splitOffsets.name]: file.splitOffsets ?? null,
    [DATA_FILE.sortOrderId.name]: file.sortOrderId ?? null,
  };
  if (formatVersion === 1) {
    record[DATA_FILE.blockSizeInBytes.name] = file.blockSizeInBytes ?? DEFAULT_BLOCK_SIZE;
    return record;
  }
  record[DATA_FILE.content.name] = fileContentCode(file.content);
  record[DATA_FILE.equalityIds.name] = file.equalityIds ?? null;
  record[DATA_FILE.referencedDataFile.name] = file.referencedDataFile ?? null;
  if (formatVersion >= 3) {
    record[DATA_FILE.firstRowId.name] = file.firstRowId ?? null;
    record[DATA_FILE.contentOffset.name] = file.contentOffset ?? null;
    record[DATA_FILE.contentSizeInBytes.name] = file.contentSizeInBytes ?? null;
  }
  return record;
}

/** How to read the `data_file` records of one file: its field ids and its partition type. */
export class DataFileReader {
  readonly partitionType: StructType;
  private readonly partitionFields: RecordFields;
  private readonly partitionNames: string[];

  constructor(
    private readonly fields: RecordFields,
    names: AvroNames,
  ) {
    this.partitionFields = fields.nested(DATA_FILE.partitionId);
    this.partitionType = structOf(this.partitionFields, names);
    this.partitionNames = this.partitionFields.ordered.map((f) => f.name);
  }

  read(record: Record<string, unknown>): DataFile {
    const f = this.fields;
    const required = <T>(value: T | undefined, id: number): T => {
      if (value === undefined) throw new InvalidAvroFileError(`data file is missing required field ${id}`);
      return value;
    };
    // A writer that declares the partition nullable and stores null leaves every value null.
    const partitionRecord = (f.get(record, DATA_FILE.partitionId) ?? {}) as Record<string, unknown>;
    const content = f.int(record, DATA_FILE.content.id);
    const file: DataFile = {
      content: content === undefined ? 'data' : fileContentOf(content),
      filePath: required(f.string(record, DATA_FILE.filePath.id), DATA_FILE.filePath.id),
      fileFormat: required(f.string(record, DATA_FILE.fileFormat.id), DATA_FILE.fileFormat.id),
      partition: partitionFromAvro(this.partitionType, partitionRecord, this.partitionNames),
      recordCount: required(f.long(record, DATA_FILE.recordCount.id), DATA_FILE.recordCount.id),
      fileSizeInBytes: required(f.long(record, DATA_FILE.fileSizeInBytes.id), DATA_FILE.fileSizeInBytes.id),
    };
    const optional: { [K in keyof DataFile]?: DataFile[K] } = {
      blockSizeInBytes: f.long(record, DATA_FILE.blockSizeInBytes.id),
      columnSizes: f.intMap(record, DATA_FILE.columnSizes.id, toLong),
      valueCounts: f.intMap(record, DATA_FILE.valueCounts.id, toLong),
      nullValueCounts: f.intMap(record, DATA_FILE.nullValueCounts.id, toLong),
      nanValueCounts: f.intMap(record, DATA_FILE.nanValueCounts.id, toLong),
      lowerBounds: f.intMap(record, DATA_FILE.lowerBounds.id, toBytes),
      upperBounds: f.intMap(record, DATA_FILE.upperBounds.id, toBytes),
      keyMetadata: f.bytes(record, DATA_FILE.keyMetadata.id),
      splitOffsets: f.longList(record, DATA_FILE.splitOffsets.id),
      equalityIds: f.intList(record, DATA_FILE.equalityIds.id),
      sortOrderId: f.int(record, DATA_FILE.sortOrderId.id),
      firstRowId: f.long(record, DATA_FILE.firstRowId.id),
      referencedDataFile: f.string(record, DATA_FILE.referencedDataFile.id),
      contentOffset: f.long(record, DATA_FILE.contentOffset.id),
      contentSizeInBytes: f.long(record, DATA_FILE.contentSizeInBytes.id),
    };
    for (const [key, value] of Object.entries(optional)) {
      if (value !== undefined) (file as unknown as Record<string, unknown>)[key] = value;
    }
    return file;
  }
}
