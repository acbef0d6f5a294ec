/**
 * The working copy the table metadata builder mutates while it applies one list of updates,
 * plus the bookkeeping Java's `TableMetadata.Builder` keeps: the changes that really happened
 * and which schema, spec and sort order were added last (what `-1` refers to).
 */
import { ValidationError } from './errors.js';
import type {
  EncryptionKey,
  FormatVersion,
  PartitionSpec,
  PartitionStatisticsFile,
  Schema,
  Snapshot,
  SnapshotLogEntry,
  SnapshotRef,
  SortOrder,
  StatisticsFile,
  TableMetadata,
  TableUpdate,
} from './model.js';

export const MAIN_BRANCH = 'main';
/** `-1` in set-current-schema / set-default-spec / set-default-sort-order: the one added last. */
export const LAST_ADDED = -1;
export const DEFAULT_FORMAT_VERSION: FormatVersion = 2;
export const SUPPORTED_FORMAT_VERSION = 3;
export const MIN_FORMAT_VERSION_ROW_LINEAGE = 3;

export interface BuilderState {
  readonly base: TableMetadata | null;
  /** The time of this change: last-updated-ms, and the snapshot-log time of a rollback. */
  readonly nowMs: number;
  formatVersion: FormatVersion;
  uuid: string;
  location: string | undefined;
  lastSequenceNumber: bigint;
  lastColumnId: number;
  currentSchemaId: number;
  schemas: Schema[];
  defaultSpecId: number;
  specs: PartitionSpec[];
  lastPartitionId: number;
  defaultSortOrderId: number;
  sortOrders: SortOrder[];
  properties: Record<string, string>;
  currentSnapshotId: bigint | undefined;
  snapshots: Snapshot[];
  snapshotLog: SnapshotLogEntry[];
  refs: Map<string, SnapshotRef>;
  statistics: StatisticsFile[];
  partitionStatistics: PartitionStatisticsFile[];
  nextRowId: bigint;
  encryptionKeys: EncryptionKey[];
  changes: TableUpdate[];
  lastAddedSchemaId: number | undefined;
  lastAddedSpecId: number | undefined;
  lastAddedOrderId: number | undefined;
}

export function stateFromBase(base: TableMetadata, nowMs: number): BuilderState {
  return {
    base,
    nowMs,
    formatVersion: base.formatVersion,
    uuid: base.tableUuid,
    location: base.location,
    lastSequenceNumber: base.lastSequenceNumber,
    lastColumnId: base.lastColumnId,
    currentSchemaId: base.currentSchemaId,
    schemas: [...base.schemas],
    defaultSpecId: base.defaultSpecId,
    specs: [...base.partitionSpecs],
    lastPartitionId: base.lastPartitionId,
    defaultSortOrderId: base.defaultSortOrderId,
    sortOrders: [...base.sortOrders],
    properties: { ...base.properties },
    currentSnapshotId: base.currentSnapshotId,
    snapshots: [...base.snapshots],
    snapshotLog: [...base.snapshotLog],
    refs: new Map(Object.entries(base.refs)),
    statistics: [...base.statistics],
    partitionStatistics: [...base.partitionStatistics],
    nextRowId: base.nextRowId ?? 0n,
    encryptionKeys: [...(base.encryptionKeys ?? [])],
    changes: [],
    lastAddedSchemaId: undefined,
    lastAddedSpecId: undefined,
    lastAddedOrderId: undefined,
  };
}

/** A table being created from updates: nothing assigned yet, as Java's `buildFromEmpty`. */
export function emptyState(formatVersion: FormatVersion, uuid: string, nowMs: number): BuilderState {
  return {
    base: null,
    nowMs,
    formatVersion,
    uuid,
    location: undefined,
    lastSequenceNumber: 0n,
    lastColumnId: 0,
    currentSchemaId: 0,
    schemas: [],
    defaultSpecId: 0,
    specs: [],
    lastPartitionId: 0,
    defaultSortOrderId: 0,
    sortOrders: [],
    properties: {},
    currentSnapshotId: undefined,
    snapshots: [],
    snapshotLog: [],
    refs: new Map(),
    statistics: [],
    partitionStatistics: [],
    nextRowId: 0n,
    encryptionKeys: [],
    changes: [],
    lastAddedSchemaId: undefined,
    lastAddedSpecId: undefined,
    lastAddedOrderId: undefined,
  };
}

/** A v1 snapshot carries no sequence number; Java reads it as 0. */
export function sequenceNumberOf(snapshot: Snapshot): bigint {
  return snapshot.sequenceNumber ?? 0n;
}

export function currentSchema(state: BuilderState, purpose: string): Schema {
  const schema = state.schemas.find((s) => s.schemaId === state.currentSchemaId);
  if (schema === undefined) throw new ValidationError(`Cannot ${purpose} before a schema is added`);
  return schema;
}
