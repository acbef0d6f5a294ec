/**
 * The Iceberg schemas of manifest lists (`manifest_file`) and manifests (`manifest_entry`) per
 * format version, with the field ids, names and optionality of the spec's "Manifests" and
 * "Manifest Lists" sections and of Java's V1/V2/V3 writers, and their Avro form.
 */
import type { FormatVersion, IcebergType, NestedField, StructType } from '../model.js';
import { type AvroSchema, toAvroSchema } from './avro-schema.js';

function required(id: number, name: string, type: IcebergType): NestedField {
  return { id, name, required: true, type };
}

function optional(id: number, name: string, type: IcebergType): NestedField {
  return { id, name, required: false, type };
}

function asRequired(field: NestedField): NestedField {
  return { ...field, required: true };
}

function struct(...fields: NestedField[]): StructType {
  return { type: 'struct', fields };
}

function intLongMap(keyId: number, valueId: number, value: IcebergType): IcebergType {
  return { type: 'map', keyId, key: 'int', valueId, value, valueRequired: true };
}

// ---------------------------------------------------------------- manifest list

export const MANIFEST_FILE = {
  path: required(500, 'manifest_path', 'string'),
  length: required(501, 'manifest_length', 'long'),
  specId: required(502, 'partition_spec_id', 'int'),
  content: optional(517, 'content', 'int'),
  sequenceNumber: optional(515, 'sequence_number', 'long'),
  minSequenceNumber: optional(516, 'min_sequence_number', 'long'),
  addedSnapshotId: required(503, 'added_snapshot_id', 'long'),
  addedFilesCount: optional(504, 'added_files_count', 'int'),
  existingFilesCount: optional(505, 'existing_files_count', 'int'),
  deletedFilesCount: optional(506, 'deleted_files_count', 'int'),
  addedRowsCount: optional(512, 'added_rows_count', 'long'),
  existingRowsCount: optional(513, 'existing_rows_count', 'long'),
  deletedRowsCount: optional(514, 'deleted_rows_count', 'long'),
  partitions: optional(507, 'partitions', {
    type: 'list',
    elementId: 508,
    elementRequired: true,
    element: struct(
      required(509, 'contains_null', 'boolean'),
      optional(518, 'contains_nan', 'boolean'),
      optional(510, 'lower_bound', 'binary'),
      optional(511, 'upper_bound', 'binary'),
    ),
  }),
  keyMetadata: optional(519, 'key_metadata', 'binary'),
  firstRowId: optional(520, 'first_row_id', 'long'),
} as const;

const F = MANIFEST_FILE;

const MANIFEST_LIST_V1 = struct(
  F.path,
  F.length,
  F.specId,
  F.addedSnapshotId,
  F.addedFilesCount,
  F.existingFilesCount,
  F.deletedFilesCount,
  F.partitions,
  F.addedRowsCount,
  F.existingRowsCount,
  F.deletedRowsCount,
  F.keyMetadata,
);

const MANIFEST_LIST_V2 = struct(
  F.path,
  F.length,
  F.specId,
  asRequired(F.content),
  asRequired(F.sequenceNumber),
  asRequired(F.minSequenceNumber),
  F.addedSnapshotId,
  asRequired(F.addedFilesCount),
  asRequired(F.existingFilesCount),
  asRequired(F.deletedFilesCount),
  asRequired(F.addedRowsCount),
  asRequired(F.existingRowsCount),
  asRequired(F.deletedRowsCount),
  F.partitions,
  F.keyMetadata,
);

const MANIFEST_LIST_V3 = struct(...MANIFEST_LIST_V2.fields, F.firstRowId);

/** The `manifest_file` struct a manifest list of this format version is written with. */
export function manifestListSchema(formatVersion: FormatVersion): StructType {
  switch (formatVersion) {
    case 1:
      return MANIFEST_LIST_V1;
    case 2:
      return MANIFEST_LIST_V2;
    case 3:
      return MANIFEST_LIST_V3;
    default: {
      const unexpected: never = formatVersion;
      throw new RangeError(`unsupported format version ${String(unexpected)}`);
    }
  }
}

/** The Avro schema (JSON, with field ids) of a manifest list of this format version. */
export function manifestListAvroSchema(formatVersion: FormatVersion): AvroSchema {
  return toAvroSchema(manifestListSchema(formatVersion), 'manifest_file');
}

// ---------------------------------------------------------------- manifest entries and data files

export const MANIFEST_ENTRY = {
  status: required(0, 'status', 'int'),
  snapshotId: optional(1, 'snapshot_id', 'long'),
  sequenceNumber: optional(3, 'sequence_number', 'long'),
  fileSequenceNumber: optional(4, 'file_sequence_number', 'long'),
  dataFileId: 2,
} as const;

export const DATA_FILE = {
  content: optional(134, 'content', 'int'),
  filePath: required(100, 'file_path', 'string'),
  fileFormat: required(101, 'file_format', 'string'),
  partitionId: 102,
  recordCount: required(103, 'record_count', 'long'),
  fileSizeInBytes: required(104, 'file_size_in_bytes', 'long'),
  blockSizeInBytes: required(105, 'block_size_in_bytes', 'long'),
  columnSizes: optional(108, 'column_sizes', intLongMap(117, 118, 'long')),
  valueCounts: optional(109, 'value_counts', intLongMap(119, 120, 'long')),
  nullValueCounts: optional(110, 'null_value_counts', intLongMap(121, 122, 'long')),
  nanValueCounts: optional(137, 'nan_value_counts', intLongMap(138, 139, 'long')),
  lowerBounds: optional(125, 'lower_bounds', intLongMap(126, 127, 'binary')),
  upperBounds: optional(128, 'upper_bounds', intLongMap(129, 130, 'binary')),
  keyMetadata: optional(131, 'key_metadata', 'binary'),
  splitOffsets: optional(132, 'split_offsets', { type: 'list', elementId: 133, element: 'long', elementRequired: true }),
  equalityIds: optional(135, 'equality_ids', { type: 'list', elementId: 136, element: 'int', elementRequired: true }),
  sortOrderId: optional(140, 'sort_order_id', 'int'),
  firstRowId: optional(142, 'first_row_id', 'long'),
  referencedDataFile: optional(143, 'referenced_data_file', 'string'),
  contentOffset: optional(144, 'content_offset', 'long'),
  contentSizeInBytes: optional(145, 'content_size_in_bytes', 'long'),
} as const;

const D = DATA_FILE;

/** The `data_file` struct of this format version around a partition type. */
export function dataFileSchema(formatVersion: FormatVersion, partitionType: StructType): StructType {
  const partition = required(D.partitionId, 'partition', partitionType);
  switch (formatVersion) {
    case 1:
      return struct(
        D.filePath,
        D.fileFormat,
        partition,
        D.recordCount,
        D.fileSizeInBytes,
        D.blockSizeInBytes,
        D.columnSizes,
        D.valueCounts,
        D.nullValueCounts,
        D.nanValueCounts,
        D.lowerBounds,
        D.upperBounds,
        D.keyMetadata,
        D.splitOffsets,
        D.sortOrderId,
      );
    case 2:
      return struct(
        asRequired(D.content),
        D.filePath,
        D.fileFormat,
        partition,
        D.recordCount,
        D.fileSizeInBytes,
        D.columnSizes,
        D.valueCounts,
        D.nullValueCounts,
        D.nanValueCounts,
        D.lowerBounds,
        D.upperBounds,
        D.keyMetadata,
        D.splitOffsets,
        D.equalityIds,
        D.sortOrderId,
        D.referencedDataFile,
      );
    case 3:
      return struct(
        asRequired(D.content),
        D.filePath,
        D.fileFormat,
        partition,
        D.recordCount,
        D.fileSizeInBytes,
        D.columnSizes,
        D.valueCounts,
        D.nullValueCounts,
        D.nanValueCounts,
        D.lowerBounds,
        D.upperBounds,
        D.keyMetadata,
        D.splitOffsets,
        D.equalityIds,
        D.sortOrderId,
        D.firstRowId,
        D.referencedDataFile,
        D.contentOffset,
        D.contentSizeInBytes,
      );
    default: {
      const unexpected: never = formatVersion;
      throw new RangeError(`unsupported format version ${String(unexpected)}`);
    }
  }
}

/** The `manifest_entry` struct of this format version around a partition type. */
export function manifestEntrySchema(formatVersion: FormatVersion, partitionType: StructType): StructType {
  const E = MANIFEST_ENTRY;
  const dataFile = required(E.dataFileId, 'data_file', dataFileSchema(formatVersion, partitionType));
  if (formatVersion === 1) return struct(E.status, E.snapshotId, dataFile);
  return struct(E.status, E.snapshotId, E.sequenceNumber, E.fileSequenceNumber, dataFile);
}

/** The Avro schema (JSON, with field ids) of a manifest of this format version. */
export function manifestAvroSchema(formatVersion: FormatVersion, partitionType: StructType): AvroSchema {
  return toAvroSchema(manifestEntrySchema(formatVersion, partitionType), 'manifest_entry');
}
