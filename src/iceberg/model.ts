/**
 * The in-memory model of Iceberg table and view metadata: plain data, camelCase, with every
 * 64-bit id or counter as `bigint` (snapshot ids are 63-bit and do not survive `number`).
 * The JSON codecs in `*-json.ts` translate between this model and the spec's kebab-case JSON.
 */
import type { JsonObject, JsonValue } from './json.js';

export type FormatVersion = 1 | 2 | 3;

// ---------------------------------------------------------------- types and schemas

/**
 * A primitive type as the spec writes it in JSON: `boolean`, `int`, `long`, `float`,
 * `double`, `decimal(P,S)`, `date`, `time`, `timestamp`, `timestamptz`, `timestamp_ns`,
 * `timestamptz_ns`, `string`, `uuid`, `fixed[L]`, `binary`, `unknown`, `variant`,
 * `geometry` / `geometry(C)`, `geography` / `geography(C, A)`.
 */
export type PrimitiveType = string;

export interface StructType {
  type: 'struct';
  fields: NestedField[];
}

export interface ListType {
  type: 'list';
  elementId: number;
  element: IcebergType;
  elementRequired: boolean;
}

export interface MapType {
  type: 'map';
  keyId: number;
  key: IcebergType;
  valueId: number;
  value: IcebergType;
  valueRequired: boolean;
}

export type IcebergType = PrimitiveType | StructType | ListType | MapType;

export interface NestedField {
  id: number;
  name: string;
  required: boolean;
  type: IcebergType;
  doc?: string;
  /** Single-value JSON serialisation of the default, as in the spec's appendix. */
  initialDefault?: JsonValue;
  writeDefault?: JsonValue;
}

export interface Schema {
  type: 'struct';
  schemaId: number;
  identifierFieldIds?: number[];
  fields: NestedField[];
}

// ---------------------------------------------------------------- partitioning and sorting

export interface PartitionField {
  sourceId: number;
  /** v3 multi-argument transforms; when set, `sourceId` is its first element. */
  sourceIds?: number[];
  fieldId: number;
  name: string;
  /** `identity`, `bucket[N]`, `truncate[W]`, `year`, `month`, `day`, `hour`, `void`, or unknown. */
  transform: string;
}

export interface PartitionSpec {
  specId: number;
  fields: PartitionField[];
}

export type SortDirection = 'asc' | 'desc';
export type NullOrder = 'nulls-first' | 'nulls-last';

export interface SortField {
  transform: string;
  sourceId: number;
  sourceIds?: number[];
  direction: SortDirection;
  nullOrder: NullOrder;
}

export interface SortOrder {
  orderId: number;
  fields: SortField[];
}

// ---------------------------------------------------------------- snapshots and refs

export interface Snapshot {
  snapshotId: bigint;
  parentSnapshotId?: bigint;
  /** v2+; absent (read as 0) in v1. */
  sequenceNumber?: bigint;
  timestampMs: number;
  manifestList?: string;
  /** v1 only: manifests listed inline instead of a manifest list. */
  manifests?: string[];
  /** `operation` plus free-form string properties. */
  summary: Record<string, string>;
  schemaId?: number;
  /** v3 row lineage. */
  firstRowId?: bigint;
  addedRows?: bigint;
  /** v3 encryption: id of the key that encrypts the manifest list. */
  keyId?: string;
}

export type SnapshotRefType = 'branch' | 'tag';

export interface SnapshotRef {
  snapshotId: bigint;
  type: SnapshotRefType;
  minSnapshotsToKeep?: number;
  maxSnapshotAgeMs?: number;
  maxRefAgeMs?: number;
}

export interface SnapshotLogEntry {
  timestampMs: number;
  snapshotId: bigint;
}

export interface MetadataLogEntry {
  timestampMs: number;
  metadataFile: string;
}

export interface BlobMetadata {
  type: string;
  snapshotId: bigint;
  sequenceNumber: bigint;
  fields: number[];
  properties?: Record<string, string>;
}

export interface StatisticsFile {
  snapshotId: bigint;
  statisticsPath: string;
  fileSizeInBytes: number;
  fileFooterSizeInBytes: number;
  keyMetadata?: string;
  blobMetadata: BlobMetadata[];
}

export interface PartitionStatisticsFile {
  snapshotId: bigint;
  statisticsPath: string;
  fileSizeInBytes: number;
}

export interface EncryptionKey {
  keyId: string;
  encryptedKeyMetadata: string;
  encryptedById?: string;
  properties?: Record<string, string>;
}

// ---------------------------------------------------------------- table metadata

export interface TableMetadata {
  formatVersion: FormatVersion;
  tableUuid: string;
  location: string;
  lastSequenceNumber: bigint;
  lastUpdatedMs: number;
  lastColumnId: number;
  schemas: Schema[];
  currentSchemaId: number;
  partitionSpecs: PartitionSpec[];
  defaultSpecId: number;
  lastPartitionId: number;
  properties: Record<string, string>;
  /** Absent when the table has no current snapshot (written as -1 or null by some writers). */
  currentSnapshotId?: bigint;
  snapshots: Snapshot[];
  snapshotLog: SnapshotLogEntry[];
  metadataLog: MetadataLogEntry[];
  sortOrders: SortOrder[];
  defaultSortOrderId: number;
  refs: Record<string, SnapshotRef>;
  statistics: StatisticsFile[];
  partitionStatistics: PartitionStatisticsFile[];
  /** v3 row lineage: the next row id to assign. */
  nextRowId?: bigint;
  encryptionKeys?: EncryptionKey[];
  /** Top-level members this codec does not know, kept so that a round trip loses nothing. */
  extra?: JsonObject;
}

// ---------------------------------------------------------------- table updates and requirements

export type TableUpdate =
  | { action: 'assign-uuid'; uuid: string }
  | { action: 'upgrade-format-version'; formatVersion: number }
  | { action: 'add-schema'; schema: Schema; lastColumnId?: number }
  | { action: 'set-current-schema'; schemaId: number }
  | { action: 'add-spec'; spec: PartitionSpec }
  | { action: 'set-default-spec'; specId: number }
  | { action: 'add-sort-order'; sortOrder: SortOrder }
  | { action: 'set-default-sort-order'; sortOrderId: number }
  | { action: 'add-snapshot'; snapshot: Snapshot }
  | ({ action: 'set-snapshot-ref'; refName: string } & SnapshotRef)
  | { action: 'remove-snapshots'; snapshotIds: bigint[] }
  | { action: 'remove-snapshot-ref'; refName: string }
  | { action: 'set-location'; location: string }
  | { action: 'set-properties'; updates: Record<string, string> }
  | { action: 'remove-properties'; removals: string[] }
  | { action: 'set-statistics'; snapshotId?: bigint; statistics: StatisticsFile }
  | { action: 'remove-statistics'; snapshotId: bigint }
  | { action: 'set-partition-statistics'; partitionStatistics: PartitionStatisticsFile }
  | { action: 'remove-partition-statistics'; snapshotId: bigint }
  | { action: 'remove-partition-specs'; specIds: number[] }
  | { action: 'remove-schemas'; schemaIds: number[] }
  | { action: 'add-encryption-key'; encryptionKey: EncryptionKey }
  | { action: 'remove-encryption-key'; keyId: string }
  | { action: 'enable-row-lineage' };

export type TableUpdateAction = TableUpdate['action'];

export type TableRequirement =
  | { type: 'assert-create' }
  | { type: 'assert-table-uuid'; uuid: string }
  /** `snapshotId: null` asserts that the ref does not exist. */
  | { type: 'assert-ref-snapshot-id'; ref: string; snapshotId: bigint | null }
  | { type: 'assert-last-assigned-field-id'; lastAssignedFieldId: number }
  | { type: 'assert-current-schema-id'; currentSchemaId: number }
  | { type: 'assert-last-assigned-partition-id'; lastAssignedPartitionId: number }
  | { type: 'assert-default-spec-id'; defaultSpecId: number }
  | { type: 'assert-default-sort-order-id'; defaultSortOrderId: number };

// ---------------------------------------------------------------- views

export interface ViewRepresentation {
  type: 'sql';
  sql: string;
  dialect: string;
}

export interface ViewVersion {
  versionId: number;
  timestampMs: number;
  schemaId: number;
  summary: Record<string, string>;
  representations: ViewRepresentation[];
  defaultCatalog?: string;
  defaultNamespace: string[];
}

export interface ViewHistoryEntry {
  timestampMs: number;
  versionId: number;
}

export interface ViewMetadata {
  viewUuid: string;
  formatVersion: 1;
  location: string;
  currentVersionId: number;
  versions: ViewVersion[];
  versionLog: ViewHistoryEntry[];
  schemas: Schema[];
  properties: Record<string, string>;
  extra?: JsonObject;
}

export type ViewUpdate =
  | { action: 'assign-uuid'; uuid: string }
  | { action: 'upgrade-format-version'; formatVersion: number }
  | { action: 'add-schema'; schema: Schema; lastColumnId?: number }
  | { action: 'set-location'; location: string }
  | { action: 'set-properties'; updates: Record<string, string> }
  | { action: 'remove-properties'; removals: string[] }
  | { action: 'add-view-version'; viewVersion: ViewVersion }
  /** `-1` selects the version added last in the same set of updates. */
  | { action: 'set-current-view-version'; viewVersionId: number };

export type ViewRequirement = { type: 'assert-view-uuid'; uuid: string };
