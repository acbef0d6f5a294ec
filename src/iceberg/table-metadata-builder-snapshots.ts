/**
 * Snapshot, ref and statistics updates of the table metadata builder, and the snapshot-log
 * rewrite done when the metadata is built. Semantics and messages follow Java's
 * `TableMetadata.Builder` (addSnapshot, setRef, removeRef, removeSnapshots, updateSnapshotLog).
 */
import { CommitFailedError, ValidationError } from './errors.js';
import type { Snapshot, SnapshotLogEntry, SnapshotRef, StatisticsFile, PartitionStatisticsFile, TableUpdate } from './model.js';
import { MAIN_BRANCH, MIN_FORMAT_VERSION_ROW_LINEAGE, sequenceNumberOf, type BuilderState } from './table-metadata-builder-state.js';

/**
 * Java raises a RetryableValidationException when a commit carries values that are stale against
 * the current table (a sequence number or first-row-id behind it); its REST server answers that
 * with a CommitFailedException so that the client refreshes and retries.
 */
function staleUpdate(message: string): CommitFailedError {
  return new CommitFailedError(`Validation failed, please retry: ${message}`);
}

export function addSnapshot(state: BuilderState, snapshot: Snapshot): void {
  if (state.schemas.length === 0) throw new ValidationError('Attempting to add a snapshot before a schema is added');
  if (state.specs.length === 0) throw new ValidationError('Attempting to add a snapshot before a partition spec is added');
  if (state.sortOrders.length === 0) throw new ValidationError('Attempting to add a snapshot before a sort order is added');
  if (state.snapshots.some((s) => s.snapshotId === snapshot.snapshotId)) {
    throw new ValidationError(`Snapshot already exists for id: ${snapshot.snapshotId}`);
  }
  const sequenceNumber = sequenceNumberOf(snapshot);
  if (state.formatVersion !== 1 && sequenceNumber <= state.lastSequenceNumber && snapshot.parentSnapshotId !== undefined) {
    throw staleUpdate(
      `Cannot add snapshot with sequence number ${sequenceNumber} older than last sequence number ${state.lastSequenceNumber}`,
    );
  }
  if (state.formatVersion >= MIN_FORMAT_VERSION_ROW_LINEAGE) {
    if (snapshot.firstRowId === undefined) throw new ValidationError('Cannot add a snapshot: first-row-id is null');
    if (snapshot.firstRowId < state.nextRowId) {
      throw staleUpdate(
        `Cannot add a snapshot, first-row-id is behind table next-row-id: ${snapshot.firstRowId} < ${state.nextRowId}`,
      );
    }
    // Java would fail with a NullPointerException here; a clear message is kinder.
    if (snapshot.addedRows === undefined) throw new ValidationError('Cannot add a snapshot: added-rows is null');
    state.nextRowId += snapshot.addedRows;
  }
  state.lastSequenceNumber = sequenceNumber;
  state.snapshots.push(snapshot);
  state.changes.push({ action: 'add-snapshot', snapshot });
}

function isAddedSnapshot(state: BuilderState, snapshotId: bigint): boolean {
  return state.changes.some((c) => c.action === 'add-snapshot' && c.snapshot.snapshotId === snapshotId);
}

function sameRef(a: SnapshotRef, b: SnapshotRef): boolean {
  return (
    a.snapshotId === b.snapshotId &&
    a.type === b.type &&
    a.minSnapshotsToKeep === b.minSnapshotsToKeep &&
    a.maxSnapshotAgeMs === b.maxSnapshotAgeMs &&
    a.maxRefAgeMs === b.maxRefAgeMs
  );
}

/** The checks of Java's `SnapshotRef.Builder`, run before the ref is compared or set. */
export function toSnapshotRef(update: Extract<TableUpdate, { action: 'set-snapshot-ref' }>): SnapshotRef {
  const { type, snapshotId, minSnapshotsToKeep, maxSnapshotAgeMs, maxRefAgeMs } = update;
  if (type !== 'branch' && type !== 'tag') throw new ValidationError('Snapshot reference type must not be null');
  if (minSnapshotsToKeep != null) {
    if (type === 'tag') throw new ValidationError('Tags do not support setting minSnapshotsToKeep');
    if (minSnapshotsToKeep <= 0) throw new ValidationError('Min snapshots to keep must be greater than 0');
  }
  if (maxSnapshotAgeMs != null) {
    if (type === 'tag') throw new ValidationError('Tags do not support setting maxSnapshotAgeMs');
    if (maxSnapshotAgeMs <= 0) throw new ValidationError('Max snapshot age must be greater than 0 ms');
  }
  if (maxRefAgeMs != null && maxRefAgeMs <= 0) throw new ValidationError('Max reference age must be greater than 0');
  const ref: SnapshotRef = { snapshotId, type };
  if (minSnapshotsToKeep != null) ref.minSnapshotsToKeep = minSnapshotsToKeep;
  if (maxSnapshotAgeMs != null) ref.maxSnapshotAgeMs = maxSnapshotAgeMs;
  if (maxRefAgeMs != null) ref.maxRefAgeMs = maxRefAgeMs;
  return ref;
}

export function setRef(state: BuilderState, name: string, ref: SnapshotRef): void {
  const existing = state.refs.get(name);
  if (existing !== undefined && sameRef(existing, ref)) return;
  const snapshot = state.snapshots.find((s) => s.snapshotId === ref.snapshotId);
  if (snapshot === undefined) throw new ValidationError(`Cannot set ${name} to unknown snapshot: ${ref.snapshotId}`);
  if (name === MAIN_BRANCH && ref.type !== 'branch') {
    throw new ValidationError(`Cannot set ${MAIN_BRANCH} to a tag, it must be a branch`);
  }
  if (name === MAIN_BRANCH) {
    state.currentSnapshotId = ref.snapshotId;
    // A snapshot added in this commit became current when it was written; a rollback to an
    // older snapshot happens now.
    const timestampMs = isAddedSnapshot(state, ref.snapshotId) ? snapshot.timestampMs : state.nowMs;
    state.snapshotLog.push({ timestampMs, snapshotId: ref.snapshotId });
  }
  state.refs.set(name, ref);
  state.changes.push({ action: 'set-snapshot-ref', refName: name, ...ref });
}

export function removeRef(state: BuilderState, name: string): void {
  if (name === MAIN_BRANCH) state.currentSnapshotId = undefined;
  if (state.refs.delete(name)) state.changes.push({ action: 'remove-snapshot-ref', refName: name });
}

export function setStatistics(state: BuilderState, file: StatisticsFile): void {
  const index = state.statistics.findIndex((f) => f.snapshotId === file.snapshotId);
  if (index >= 0) state.statistics = state.statistics.filter((f) => f.snapshotId !== file.snapshotId);
  state.statistics.push(file);
  state.changes.push({ action: 'set-statistics', snapshotId: file.snapshotId, statistics: file });
}

export function removeStatistics(state: BuilderState, snapshotId: bigint): void {
  const kept = state.statistics.filter((f) => f.snapshotId !== snapshotId);
  if (kept.length === state.statistics.length) return;
  state.statistics = kept;
  state.changes.push({ action: 'remove-statistics', snapshotId });
}

export function setPartitionStatistics(state: BuilderState, file: PartitionStatisticsFile): void {
  state.partitionStatistics = state.partitionStatistics.filter((f) => f.snapshotId !== file.snapshotId);
  state.partitionStatistics.push(file);
  state.changes.push({ action: 'set-partition-statistics', partitionStatistics: file });
}

export function removePartitionStatistics(state: BuilderState, snapshotId: bigint): void {
  const kept = state.partitionStatistics.filter((f) => f.snapshotId !== snapshotId);
  if (kept.length === state.partitionStatistics.length) return;
  state.partitionStatistics = kept;
  state.changes.push({ action: 'remove-partition-statistics', snapshotId });
}

/** Removes snapshots with their statistics, then every ref left pointing at a removed snapshot. */
export function removeSnapshots(state: BuilderState, snapshotIds: readonly bigint[]): void {
  const toRemove = new Set(snapshotIds);
  const removed: bigint[] = [];
  state.snapshots = state.snapshots.filter((s) => {
    if (!toRemove.has(s.snapshotId)) return true;
    removed.push(s.snapshotId);
    return false;
  });
  if (removed.length > 0) state.changes.push({ action: 'remove-snapshots', snapshotIds: removed });
  for (const id of removed) {
    removeStatistics(state, id);
    removePartitionStatistics(state, id);
  }
  const kept = new Set(state.snapshots.map((s) => s.snapshotId));
  for (const [name, ref] of [...state.refs]) {
    if (!kept.has(ref.snapshotId)) removeRef(state, name);
  }
}

/**
 * Snapshots added and made current on main within these changes, but then replaced as current
 * by a later one: a transaction's intermediate states, which the log must not show.
 */
function intermediateSnapshotIds(changes: readonly TableUpdate[], currentSnapshotId: bigint | undefined): Set<bigint> {
  const added = new Set<bigint>();
  const intermediate = new Set<bigint>();
  for (const change of changes) {
    if (change.action === 'add-snapshot') {
      added.add(change.snapshot.snapshotId);
    } else if (change.action === 'set-snapshot-ref') {
      if (added.has(change.snapshotId) && change.refName === MAIN_BRANCH && change.snapshotId !== currentSnapshotId) {
        intermediate.add(change.snapshotId);
      }
    }
  }
  return intermediate;
}

/** The snapshot log as built: intermediate entries dropped, history cut at a removed snapshot. */
export function finalSnapshotLog(state: BuilderState): SnapshotLogEntry[] {
  const intermediate = intermediateSnapshotIds(state.changes, state.currentSnapshotId);
  const hasRemoved = state.changes.some((c) => c.action === 'remove-snapshots');
  if (intermediate.size === 0 && !hasRemoved) return state.snapshotLog;
  const existing = new Set(state.snapshots.map((s) => s.snapshotId));
  let log: SnapshotLogEntry[] = [];
  for (const entry of state.snapshotLog) {
    if (existing.has(entry.snapshotId)) {
      if (!intermediate.has(entry.snapshotId)) log.push(entry);
    } else if (hasRemoved) {
      // A gap in the history would let time travel pick the wrong snapshot for the gap's
      // period, so everything before a removed snapshot goes.
      log = [];
    }
  }
  if (state.currentSnapshotId !== undefined && existing.has(state.currentSnapshotId)) {
    if (log.length === 0 || log[log.length - 1].snapshotId !== state.currentSnapshotId) {
      throw new ValidationError('Cannot set invalid snapshot log: latest entry is not the current snapshot');
    }
  }
  return log;
}
