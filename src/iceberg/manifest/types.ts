/**
 * The in-memory model of manifest lists and manifests: plain data, camelCase, every 64-bit
 * value as `bigint`. `null` in the Avro files is `undefined` here, as in `../model.ts`.
 */
import type { FormatVersion, StructType } from '../model.js';

/** What a manifest tracks (field 517 of a manifest list entry): 0 data, 1 deletes. */
export type ManifestContent = 'data' | 'deletes';

/** What a content file holds (field 134 of a data file): 0 data, 1 position deletes, 2 equality deletes. */
export type FileContent = 'data' | 'position-deletes' | 'equality-deletes';

/** The status of a manifest entry (field 0): 0 existing, 1 added, 2 deleted. */
export type EntryStatus = 'existing' | 'added' | 'deleted';

/**
 * One value of a partition tuple. Its JavaScript type follows the partition field's result
 * type: boolean; int, date -> number (days for dates); long, time, timestamp(tz)(_ns) -> bigint
 * (micros or nanos); float, double -> number; string -> string; uuid -> canonical string;
 * decimal(P,S) -> bigint unscaled value; fixed[L], binary -> Uint8Array; null when absent.
 */
export type PartitionValue = boolean | number | bigint | string | Uint8Array | null;

/** A partition tuple: one value per field of the partition type, in the same order. */
export type PartitionTuple = PartitionValue[];

/** Summary of one partition field over all files of a manifest (the `field_summary` struct, 508). */
export interface FieldSummary {
  containsNull: boolean;
  containsNan?: boolean;
  /** Single-value serialisation of the lowest non-null, non-NaN value. */
  lowerBound?: Uint8Array;
  upperBound?: Uint8Array;
}

/** One entry of a manifest list: a manifest and its summary (the `manifest_file` struct). */
export interface ManifestFile {
  manifestPath: string;
  manifestLength: bigint;
  partitionSpecId: number;
  /** Always `data` in v1. */
  content: ManifestContent;
  /** 0 when read from a v1 manifest list. */
  sequenceNumber: bigint;
  /** 0 when read from a v1 manifest list. */
  minSequenceNumber: bigint;
  addedSnapshotId: bigint;
  /** Optional in v1 only; required when writing v2 and v3. */
  addedFilesCount?: number;
  existingFilesCount?: number;
  deletedFilesCount?: number;
  addedRowsCount?: bigint;
  existingRowsCount?: bigint;
  deletedRowsCount?: bigint;
  partitions?: FieldSummary[];
  keyMetadata?: Uint8Array;
  /** v3: first row id of the rows of ADDED data files; unset for delete manifests. */
  firstRowId?: bigint;
}

/**
 * A manifest to list in a new manifest list. A manifest written by the snapshot being
 * committed does not know its sequence numbers yet: leave them out and the writer assigns
 * the snapshot's sequence number, as Java's `UNASSIGNED_SEQ` does.
 */
export type ManifestFileToWrite = Omit<ManifestFile, 'sequenceNumber' | 'minSequenceNumber'> & {
  sequenceNumber?: bigint;
  minSequenceNumber?: bigint;
};

/** A data file or a delete file (the `data_file` struct, field 2 of a manifest entry). */
export interface DataFile {
  /** Always `data` in v1. */
  content: FileContent;
  filePath: string;
  /** As written by the engine, usually upper case: `PARQUET`, `AVRO`, `ORC`, `PUFFIN`. */
  fileFormat: string;
  partition: PartitionTuple;
  recordCount: bigint;
  fileSizeInBytes: bigint;
  /** v1 only; read back as written, written as 64 MiB when absent (the spec's "always write a default"). */
  blockSizeInBytes?: bigint;
  columnSizes?: Map<number, bigint>;
  valueCounts?: Map<number, bigint>;
  nullValueCounts?: Map<number, bigint>;
  nanValueCounts?: Map<number, bigint>;
  /** Single-value serialisation of each column's bound, by field id. */
  lowerBounds?: Map<number, Uint8Array>;
  upperBounds?: Map<number, Uint8Array>;
  keyMetadata?: Uint8Array;
  splitOffsets?: bigint[];
  /** v2+: required for equality deletes. */
  equalityIds?: number[];
  sortOrderId?: number;
  /** v3 row lineage. */
  firstRowId?: bigint;
  /** v2+: the single data file that all deletes of this delete file reference. */
  referencedDataFile?: string;
  /** v3 deletion vectors: where the blob sits in the Puffin file. */
  contentOffset?: bigint;
  contentSizeInBytes?: bigint;
}

/** One entry of a manifest (the `manifest_entry` struct). */
export interface ManifestEntry {
  status: EntryStatus;
  /** Inherited from the manifest list entry when unset. */
  snapshotId?: bigint;
  /** Data sequence number; inherited when unset and the status is `added`. */
  sequenceNumber?: bigint;
  /** File sequence number; inherited when unset and the status is `added`. */
  fileSequenceNumber?: bigint;
  dataFile: DataFile;
}

/** Key-value metadata of an Avro file header, with the `avro.*` keys left out. */
export type FileMetadata = Record<string, string>;

export interface ManifestListWriteRequest {
  formatVersion: FormatVersion;
  snapshotId: bigint;
  /** Written as the string `null` when absent, as Java does. */
  parentSnapshotId?: bigint;
  /** Required for v2 and v3; not written in v1. */
  sequenceNumber?: bigint;
  /** v3: the snapshot's `first-row-id`, the first id handed to data manifests without one. */
  firstRowId?: bigint;
  manifests: ManifestFileToWrite[];
  /**
   * A stored manifest list (its file's bytes) whose manifests this list also lists, after
   * `manifests`, unchanged: a parent's list when a commit adds manifests to what it had. Its
   * entries are copied as stored when its schema encodes as this list's and its codec allows
   * (v1 and v2), else read and written again.
   */
  carriedList?: Uint8Array;
}

export interface ManifestList {
  metadata: FileMetadata;
  formatVersion: FormatVersion;
  snapshotId?: bigint;
  parentSnapshotId?: bigint;
  sequenceNumber?: bigint;
  firstRowId?: bigint;
  manifests: ManifestFile[];
}

export interface ManifestWriteRequest {
  formatVersion: FormatVersion;
  /** The table schema as the spec's JSON text, already serialised by the caller. */
  schemaJson: string;
  schemaId: number;
  /** The partition spec's `fields` array as JSON text, already serialised by the caller. */
  partitionSpecJson: string;
  specId: number;
  /** The spec's partition type: one field per partition field, with its field id and result type. */
  partitionType: StructType;
  /** Must be `data` in v1. */
  content: ManifestContent;
  entries: ManifestEntry[];
}

export interface Manifest {
  metadata: FileMetadata;
  formatVersion: FormatVersion;
  content: ManifestContent;
  schemaJson?: string;
  schemaId?: number;
  partitionSpecJson?: string;
  specId?: number;
  /** The partition type as the file declares it (field ids, names and result types). */
  partitionType: StructType;
  entries: ManifestEntry[];
}
