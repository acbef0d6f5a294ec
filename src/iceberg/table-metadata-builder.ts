/**
 * Applies a list of Iceberg `TableUpdate`s to table metadata with the semantics and messages
 * of Java's `TableMetadata.Builder` (the reference every client is tested against): added
 * schemas, specs and sort orders reuse an identical existing one, `-1` names the one added
 * last, and `changes` lists only what really changed (an empty list means "nothing to commit").
 */
import { removeProperties, setLocation, setProperties } from './property-updates.js';
import { v4 as randomUuid } from 'uuid';
import { ValidationError } from './errors.js';
import type { FormatVersion, MetadataLogEntry, Schema, TableMetadata, TableUpdate } from './model.js';
import { highestFieldId, sameSchema, validateSchema } from './schema.js';
import {
  addPartitionSpec,
  addSortOrder,
  checkSortOrderCompatibility,
  checkSpecCompatibility,
  removeSpecs,
  setDefaultSortOrder,
  setDefaultSpec,
} from './table-metadata-builder-specs.js';
import {
  addSnapshot,
  finalSnapshotLog,
  removePartitionStatistics,
  removeRef,
  removeSnapshots,
  removeStatistics,
  setPartitionStatistics,
  setRef,
  setStatistics,
  toSnapshotRef,
} from './table-metadata-builder-snapshots.js';
import {
  DEFAULT_FORMAT_VERSION,
  LAST_ADDED,
  currentSchema,
  SUPPORTED_FORMAT_VERSION,
  emptyState,
  sequenceNumberOf,
  stateFromBase,
  type BuilderState,
} from './table-metadata-builder-state.js';

export interface ApplyUpdatesOptions {
  /** The commit time (last-updated-ms); defaults to the wall clock. */
  nowMs?: number;
  /** Location of the metadata file `base` was read from; recorded in the metadata log on change. */
  previousMetadataLocation?: string;
}

export interface AppliedUpdates {
  metadata: TableMetadata;
  /** The updates that changed something, normalised as Java records them. */
  changes: TableUpdate[];
}

export const METADATA_PREVIOUS_VERSIONS_MAX = 'write.metadata.previous-versions-max';
const METADATA_PREVIOUS_VERSIONS_MAX_DEFAULT = 100;
/** Commits from other machines may carry slightly skewed clocks; Java tolerates one minute. */
const ONE_MINUTE_MS = 60_000;

/**
 * Applies `updates` to `base`, or builds a new table from them when `base` is null (a REST
 * create transaction). Throws ValidationError for an invalid update and CommitFailedError when
 * the updates carry values that are stale against `base` (the client should refresh and retry).
 */
export function applyUpdates(
  base: TableMetadata | null,
  updates: readonly TableUpdate[],
  opts: ApplyUpdatesOptions = {},
): AppliedUpdates {
  const nowMs = opts.nowMs ?? Date.now();
  const state = base === null ? emptyState(initialFormatVersion(updates), randomUuid(), nowMs) : stateFromBase(base, nowMs);
  for (const update of updates) applyUpdate(state, update);
  if (base !== null && state.changes.length === 0) return { metadata: base, changes: [] };
  return { metadata: build(state, opts.previousMetadataLocation), changes: state.changes };
}

/** Java's REST create path starts the builder at the first requested format version. */
function initialFormatVersion(updates: readonly TableUpdate[]): FormatVersion {
  const upgrade = updates.find((u) => u.action === 'upgrade-format-version');
  return upgrade === undefined ? DEFAULT_FORMAT_VERSION : (upgrade.formatVersion as FormatVersion);
}

function applyUpdate(state: BuilderState, update: TableUpdate): void {
  switch (update.action) {
    case 'assign-uuid':
      return assignUuid(state, update.uuid);
    case 'upgrade-format-version':
      return upgradeFormatVersion(state, update.formatVersion);
    case 'add-schema':
      addSchema(state, update.schema, Math.max(state.lastColumnId, highestFieldId(update.schema)));
      return;
    case 'set-current-schema':
      return setCurrentSchema(state, update.schemaId);
    case 'add-spec':
      addPartitionSpec(state, update.spec);
      return;
    case 'set-default-spec':
      return setDefaultSpec(state, update.specId);
    case 'add-sort-order':
      addSortOrder(state, update.sortOrder);
      return;
    case 'set-default-sort-order':
      return setDefaultSortOrder(state, update.sortOrderId);
    case 'add-snapshot':
      return addSnapshot(state, update.snapshot);
    case 'set-snapshot-ref':
      return setRef(state, update.refName, toSnapshotRef(update));
    case 'remove-snapshots':
      return removeSnapshots(state, update.snapshotIds);
    case 'remove-snapshot-ref':
      return removeRef(state, update.refName);
    case 'set-location':
      return setLocation(state, update);
    case 'set-properties':
      return setProperties(state, update);
    case 'remove-properties':
      return removeProperties(state, update);
    case 'set-statistics':
      return setStatistics(state, update.statistics);
    case 'remove-statistics':
      return removeStatistics(state, update.snapshotId);
    case 'set-partition-statistics':
      return setPartitionStatistics(state, update.partitionStatistics);
    case 'remove-partition-statistics':
      return removePartitionStatistics(state, update.snapshotId);
    case 'remove-partition-specs':
      return removeSpecs(state, update.specIds);
    case 'remove-schemas':
      return removeSchemas(state, update.schemaIds);
    case 'add-encryption-key':
      if (state.encryptionKeys.some((k) => k.keyId === update.encryptionKey.keyId)) return;
      state.encryptionKeys.push(update.encryptionKey);
      state.changes.push(update);
      return;
    case 'remove-encryption-key': {
      const kept = state.encryptionKeys.filter((k) => k.keyId !== update.keyId);
      if (kept.length === state.encryptionKeys.length) return;
      state.encryptionKeys = kept;
      state.changes.push(update);
      return;
    }
    case 'enable-row-lineage':
      // Row lineage is always on from v3; the action survives only for older clients.
      return;
    default:
      return unknownUpdate(update);
  }
}

function unknownUpdate(update: never): never {
  const action = (update as { action?: unknown }).action;
  throw new ValidationError(`Cannot apply unknown table update: ${String(action)}`);
}

function assignUuid(state: BuilderState, uuid: string): void {
  if (typeof uuid !== 'string') throw new ValidationError('Cannot set uuid to null');
  if (uuid === state.uuid) return;
  // Java would accept a new UUID here; changing the identity of an existing table defeats
  // assert-table-uuid, so only a table being created may take one.
  if (state.base !== null) throw new ValidationError('Cannot reassign uuid');
  state.uuid = uuid;
  state.changes.push({ action: 'assign-uuid', uuid });
}

function upgradeFormatVersion(state: BuilderState, version: number): void {
  if (version > SUPPORTED_FORMAT_VERSION) {
    throw new ValidationError(
      `Cannot upgrade table to unsupported format version: v${version} (supported: v${SUPPORTED_FORMAT_VERSION})`,
    );
  }
  if (version < state.formatVersion) {
    throw new ValidationError(`Cannot downgrade v${state.formatVersion} table to v${version}`);
  }
  if (version === state.formatVersion) return;
  state.formatVersion = version as FormatVersion;
  state.changes.push({ action: 'upgrade-format-version', formatVersion: version });
}

// ---------------------------------------------------------------- schemas

function addSchema(state: BuilderState, schema: Schema, newLastColumnId: number): number {
  if (newLastColumnId < state.lastColumnId) {
    throw new ValidationError(`Invalid last column ID: ${newLastColumnId} < ${state.lastColumnId} (previous last column ID)`);
  }
  validateSchema(schema, state.formatVersion);
  const schemaId = reuseOrCreateSchemaId(state, schema);
  const found = state.schemas.some((s) => s.schemaId === schemaId);
  if (found && newLastColumnId === state.lastColumnId) {
    // Reusing a schema added earlier in these updates keeps it addressable as `-1`.
    const addedHere =
      state.lastAddedSchemaId !== undefined &&
      state.changes.some((c) => c.action === 'add-schema' && c.schema.schemaId === schemaId);
    state.lastAddedSchemaId = addedHere ? schemaId : undefined;
    return schemaId;
  }
  state.lastColumnId = newLastColumnId;
  const added: Schema = schemaId === schema.schemaId ? schema : { ...schema, schemaId };
  if (!found) state.schemas.push(added);
  state.changes.push({ action: 'add-schema', schema: added, lastColumnId: newLastColumnId });
  state.lastAddedSchemaId = schemaId;
  return schemaId;
}

function reuseOrCreateSchemaId(state: BuilderState, schema: Schema): number {
  let next = state.currentSchemaId;
  for (const existing of state.schemas) {
    if (sameSchema(existing, schema)) return existing.schemaId;
    if (existing.schemaId >= next) next = existing.schemaId + 1;
  }
  return next;
}

function setCurrentSchema(state: BuilderState, schemaId: number): void {
  if (schemaId === LAST_ADDED) {
    if (state.lastAddedSchemaId === undefined) {
      throw new ValidationError('Cannot set last added schema: no schema has been added');
    }
    return setCurrentSchema(state, state.lastAddedSchemaId);
  }
  if (state.currentSchemaId === schemaId) return;
  if (!state.schemas.some((s) => s.schemaId === schemaId)) {
    throw new ValidationError(`Cannot set current schema to unknown schema: ${schemaId}`);
  }
  state.currentSchemaId = schemaId;
  state.changes.push({ action: 'set-current-schema', schemaId: state.lastAddedSchemaId === schemaId ? LAST_ADDED : schemaId });
}

function removeSchemas(state: BuilderState, schemaIds: readonly number[]): void {
  const ids = new Set(schemaIds);
  if (ids.has(state.currentSchemaId)) throw new ValidationError('Cannot remove the current schema');
  // Java records the removal even when no listed schema exists; only real removals count here.
  const removed = state.schemas.filter((s) => ids.has(s.schemaId)).map((s) => s.schemaId);
  if (removed.length === 0) return;
  state.schemas = state.schemas.filter((s) => !ids.has(s.schemaId));
  state.changes.push({ action: 'remove-schemas', schemaIds: removed });
}


// ---------------------------------------------------------------- build

function build(state: BuilderState, previousMetadataLocation: string | undefined): TableMetadata {
  const { base } = state;
  if (![1, 2, 3].includes(state.formatVersion)) {
    throw new ValidationError(`Unsupported format version: v${state.formatVersion} (supported: v${SUPPORTED_FORMAT_VERSION})`);
  }
  const schema = currentSchema(state, 'create table metadata');
  const spec = state.specs.find((s) => s.specId === state.defaultSpecId);
  if (spec === undefined) throw new ValidationError('Partition specs cannot be null or empty');
  const order = state.sortOrders.find((o) => o.orderId === state.defaultSortOrderId);
  if (order === undefined) throw new ValidationError('Sort orders cannot be null or empty');
  checkSpecCompatibility(spec, schema);
  checkSortOrderCompatibility(order, schema);
  if (state.location === undefined) throw new ValidationError('Cannot create a table without a location');
  if (state.formatVersion === 1 && state.lastSequenceNumber !== 0n) {
    throw new ValidationError(`Sequence number must be 0 in v1: ${state.lastSequenceNumber}`);
  }
  for (const snapshot of state.snapshots) {
    if (sequenceNumberOf(snapshot) > state.lastSequenceNumber) {
      throw new ValidationError(
        `Invalid snapshot with sequence number ${sequenceNumberOf(snapshot)} greater than last sequence number ${state.lastSequenceNumber}`,
      );
    }
  }

  const snapshotLog = finalSnapshotLog(state);
  const lastLog = snapshotLog[snapshotLog.length - 1];
  if (lastLog !== undefined && state.nowMs - lastLog.timestampMs < -ONE_MINUTE_MS) {
    throw new ValidationError(`Invalid update timestamp ${state.nowMs}: before last snapshot log entry at ${lastLog.timestampMs}`);
  }
  const metadataLog =
    base === null ? [] : addPreviousFile(base.metadataLog, previousMetadataLocation, base.lastUpdatedMs, state.properties);
  const lastFile = metadataLog[metadataLog.length - 1];
  if (lastFile !== undefined && state.nowMs - lastFile.timestampMs < -ONE_MINUTE_MS) {
    throw new ValidationError(
      `Invalid update timestamp ${state.nowMs}: before the latest metadata log entry timestamp ${lastFile.timestampMs}`,
    );
  }

  const metadata: TableMetadata = {
    formatVersion: state.formatVersion,
    tableUuid: state.uuid,
    location: stripTrailingSlash(state.location),
    lastSequenceNumber: state.lastSequenceNumber,
    lastUpdatedMs: state.nowMs,
    lastColumnId: state.lastColumnId,
    schemas: state.schemas,
    currentSchemaId: state.currentSchemaId,
    partitionSpecs: state.specs,
    defaultSpecId: state.defaultSpecId,
    lastPartitionId: state.lastPartitionId,
    properties: state.properties,
    snapshots: state.snapshots,
    snapshotLog,
    metadataLog,
    sortOrders: state.sortOrders,
    defaultSortOrderId: state.defaultSortOrderId,
    refs: Object.fromEntries(state.refs),
    statistics: state.statistics,
    partitionStatistics: state.partitionStatistics,
  };
  if (state.currentSnapshotId !== undefined) metadata.currentSnapshotId = state.currentSnapshotId;
  if (state.formatVersion >= 3 || base?.nextRowId !== undefined) metadata.nextRowId = state.nextRowId;
  if (state.encryptionKeys.length > 0 || base?.encryptionKeys !== undefined) metadata.encryptionKeys = state.encryptionKeys;
  if (base?.extra !== undefined) metadata.extra = base.extra;
  return metadata;
}

/** Appends the replaced metadata file to the log, keeping at most the configured number. */
function addPreviousFile(
  log: readonly MetadataLogEntry[],
  previousLocation: string | undefined,
  timestampMs: number,
  properties: Record<string, string>,
): MetadataLogEntry[] {
  if (previousLocation === undefined) return [...log];
  const configured = Number.parseInt(properties[METADATA_PREVIOUS_VERSIONS_MAX] ?? '', 10);
  const maxSize = Math.max(1, Number.isNaN(configured) ? METADATA_PREVIOUS_VERSIONS_MAX_DEFAULT : configured);
  const kept = log.length >= maxSize ? log.slice(log.length - maxSize + 1) : [...log];
  kept.push({ timestampMs, metadataFile: previousLocation });
  return kept;
}

export function stripTrailingSlash(location: string): string {
  let result = location;
  while (result.endsWith('/') && !result.endsWith('://')) result = result.slice(0, -1);
  return result;
}
