import { describe, expect, it } from 'vitest';
import { CommitFailedError, ValidationError } from './errors.js';
import type { TableMetadata, TableUpdate } from './model.js';
import { applyUpdates } from './table-metadata-builder.js';
import { T0, snapshot, tableMetadata, tableWithHistory } from './table-metadata-builder.fixtures.js';

const NOW = T0 + 10_000;

function apply(base: TableMetadata | null, updates: TableUpdate[]) {
  return applyUpdates(base, updates, { nowMs: NOW });
}

const setMain = (snapshotId: bigint): TableUpdate => ({ action: 'set-snapshot-ref', refName: 'main', type: 'branch', snapshotId });

describe('add-snapshot', () => {
  it('adds a snapshot and advances the last sequence number', () => {
    const { metadata, changes } = apply(tableWithHistory(), [{ action: 'add-snapshot', snapshot: snapshot(3n, { parent: 2n, sequenceNumber: 3n }) }]);
    expect(metadata.snapshots.map((s) => s.snapshotId)).toEqual([1n, 2n, 3n]);
    expect(metadata.lastSequenceNumber).toBe(3n);
    expect(metadata.currentSnapshotId).toBe(2n);
    expect(changes).toHaveLength(1);
  });

  it('rejects a duplicate snapshot id', () => {
    expect(() => apply(tableWithHistory(), [{ action: 'add-snapshot', snapshot: snapshot(2n, { parent: 1n, sequenceNumber: 5n }) }])).toThrow(
      new ValidationError('Snapshot already exists for id: 2'),
    );
  });

  it('rejects a sequence number that is not newer, unless the snapshot has no parent', () => {
    expect(() => apply(tableWithHistory(), [{ action: 'add-snapshot', snapshot: snapshot(3n, { parent: 2n, sequenceNumber: 1n }) }])).toThrow(
      'Validation failed, please retry: Cannot add snapshot with sequence number 1 older than last sequence number 2',
    );
    const orphan = snapshot(3n, { sequenceNumber: 2n });
    expect(apply(tableWithHistory(), [{ action: 'add-snapshot', snapshot: orphan }]).metadata.snapshots).toHaveLength(3);
  });

  it('ignores sequence numbers in v1', () => {
    const v1 = tableMetadata({ formatVersion: 1 });
    const s: ReturnType<typeof snapshot> = { ...snapshot(1n), sequenceNumber: undefined };
    const { metadata } = apply(v1, [{ action: 'add-snapshot', snapshot: s }, setMain(1n)]);
    expect(metadata.lastSequenceNumber).toBe(0n);
    expect(metadata.currentSnapshotId).toBe(1n);
  });

  it('needs a schema, a spec and a sort order first (table being created)', () => {
    expect(() => apply(null, [{ action: 'add-snapshot', snapshot: snapshot(1n) }])).toThrow(
      'Attempting to add a snapshot before a schema is added',
    );
  });

  describe('v3 row lineage', () => {
    it('advances next-row-id by added-rows', () => {
      const { metadata } = apply(tableWithHistory(3), [
        { action: 'add-snapshot', snapshot: snapshot(3n, { parent: 2n, sequenceNumber: 3n, firstRowId: 15n, addedRows: 7n }) },
      ]);
      expect(metadata.nextRowId).toBe(22n);
    });

    it('accepts a first-row-id beyond next-row-id', () => {
      const { metadata } = apply(tableWithHistory(3), [
        { action: 'add-snapshot', snapshot: snapshot(3n, { parent: 2n, sequenceNumber: 3n, firstRowId: 40n, addedRows: 1n }) },
      ]);
      expect(metadata.nextRowId).toBe(16n);
    });

    it('rejects a first-row-id behind next-row-id as a retryable commit failure', () => {
      const update: TableUpdate = {
        action: 'add-snapshot',
        snapshot: snapshot(3n, { parent: 2n, sequenceNumber: 3n, firstRowId: 14n, addedRows: 1n }),
      };
      expect(() => apply(tableWithHistory(3), [update])).toThrow(CommitFailedError);
      expect(() => apply(tableWithHistory(3), [update])).toThrow(
        'Validation failed, please retry: Cannot add a snapshot, first-row-id is behind table next-row-id: 14 < 15',
      );
    });

    it('rejects a snapshot without first-row-id or added-rows', () => {
      expect(() => apply(tableWithHistory(3), [{ action: 'add-snapshot', snapshot: snapshot(3n, { parent: 2n, sequenceNumber: 3n }) }])).toThrow(
        'Cannot add a snapshot: first-row-id is null',
      );
      expect(() =>
        apply(tableWithHistory(3), [{ action: 'add-snapshot', snapshot: snapshot(3n, { parent: 2n, sequenceNumber: 3n, firstRowId: 15n }) }]),
      ).toThrow('Cannot add a snapshot: added-rows is null');
    });
  });
});

describe('set-snapshot-ref', () => {
  it('moves main: current snapshot and a snapshot-log entry with the new snapshot timestamp', () => {
    const s3 = snapshot(3n, { parent: 2n, sequenceNumber: 3n, timestampMs: T0 + 5_000 });
    const { metadata, changes } = apply(tableWithHistory(), [{ action: 'add-snapshot', snapshot: s3 }, setMain(3n)]);
    expect(metadata.currentSnapshotId).toBe(3n);
    expect(metadata.refs.main).toEqual({ snapshotId: 3n, type: 'branch' });
    expect(metadata.snapshotLog.at(-1)).toEqual({ timestampMs: T0 + 5_000, snapshotId: 3n });
    expect(changes.map((c) => c.action)).toEqual(['add-snapshot', 'set-snapshot-ref']);
  });

  it('logs a rollback to an existing snapshot at the commit time', () => {
    const { metadata } = apply(tableWithHistory(), [setMain(1n)]);
    expect(metadata.currentSnapshotId).toBe(1n);
    expect(metadata.snapshotLog.at(-1)).toEqual({ timestampMs: NOW, snapshotId: 1n });
    expect(metadata.snapshotLog).toHaveLength(3);
  });

  it('is a no-op when the ref is unchanged', () => {
    const base = tableWithHistory();
    const { metadata, changes } = apply(base, [setMain(2n)]);
    expect(changes).toEqual([]);
    expect(metadata).toBe(base);
  });

  it('keeps only the final snapshot of a transaction in the log', () => {
    const s3 = snapshot(3n, { parent: 2n, sequenceNumber: 3n });
    const s4 = snapshot(4n, { parent: 3n, sequenceNumber: 4n });
    const { metadata } = apply(tableWithHistory(), [
      { action: 'add-snapshot', snapshot: s3 },
      setMain(3n),
      { action: 'add-snapshot', snapshot: s4 },
      setMain(4n),
    ]);
    expect(metadata.snapshotLog.map((e) => e.snapshotId)).toEqual([1n, 2n, 4n]);
  });

  it('creates a tag without touching the current snapshot or the log', () => {
    const { metadata } = apply(tableWithHistory(), [{ action: 'set-snapshot-ref', refName: 'v1', type: 'tag', snapshotId: 1n, maxRefAgeMs: 1000 }]);
    expect(metadata.refs.v1).toEqual({ snapshotId: 1n, type: 'tag', maxRefAgeMs: 1000 });
    expect(metadata.currentSnapshotId).toBe(2n);
    expect(metadata.snapshotLog).toHaveLength(2);
  });

  it('rejects an unknown snapshot', () => {
    expect(() => apply(tableWithHistory(), [setMain(9n)])).toThrow('Cannot set main to unknown snapshot: 9');
  });

  it('rejects main as a tag', () => {
    expect(() => apply(tableWithHistory(), [{ action: 'set-snapshot-ref', refName: 'main', type: 'tag', snapshotId: 1n }])).toThrow(
      'Cannot set main to a tag, it must be a branch',
    );
  });

  it('rejects branch retention settings on a tag, and non-positive retention', () => {
    expect(() =>
      apply(tableWithHistory(), [{ action: 'set-snapshot-ref', refName: 't', type: 'tag', snapshotId: 1n, minSnapshotsToKeep: 2 }]),
    ).toThrow('Tags do not support setting minSnapshotsToKeep');
    expect(() =>
      apply(tableWithHistory(), [{ action: 'set-snapshot-ref', refName: 'b', type: 'branch', snapshotId: 1n, maxSnapshotAgeMs: 0 }]),
    ).toThrow('Max snapshot age must be greater than 0 ms');
  });
});

describe('remove-snapshot-ref', () => {
  it('removing main clears the current snapshot', () => {
    const { metadata, changes } = apply(tableWithHistory(), [{ action: 'remove-snapshot-ref', refName: 'main' }]);
    expect(metadata.currentSnapshotId).toBeUndefined();
    expect(metadata.refs).toEqual({});
    expect(changes).toEqual([{ action: 'remove-snapshot-ref', refName: 'main' }]);
  });

  it('records nothing for a ref that does not exist', () => {
    expect(apply(tableWithHistory(), [{ action: 'remove-snapshot-ref', refName: 'nope' }]).changes).toEqual([]);
  });
});

describe('remove-snapshots', () => {
  it('removes snapshots, their statistics and the refs that pointed at them, and cuts the log', () => {
    const base = tableWithHistory();
    base.refs.old = { snapshotId: 1n, type: 'tag' };
    base.statistics = [{ snapshotId: 1n, statisticsPath: 's1.puffin', fileSizeInBytes: 1, fileFooterSizeInBytes: 1, blobMetadata: [] }];
    base.partitionStatistics = [{ snapshotId: 1n, statisticsPath: 'p1.parquet', fileSizeInBytes: 1 }];
    const { metadata, changes } = apply(base, [{ action: 'remove-snapshots', snapshotIds: [1n, 99n] }]);
    expect(metadata.snapshots.map((s) => s.snapshotId)).toEqual([2n]);
    expect(metadata.refs).toEqual({ main: { snapshotId: 2n, type: 'branch' } });
    expect(metadata.statistics).toEqual([]);
    expect(metadata.partitionStatistics).toEqual([]);
    expect(metadata.snapshotLog.map((e) => e.snapshotId)).toEqual([2n]);
    expect(changes.map((c) => c.action)).toEqual([
      'remove-snapshots',
      'remove-statistics',
      'remove-partition-statistics',
      'remove-snapshot-ref',
    ]);
  });

  it('removing the current snapshot drops main and the current snapshot id, and the history before it', () => {
    const { metadata } = apply(tableWithHistory(), [{ action: 'remove-snapshots', snapshotIds: [2n] }]);
    expect(metadata.currentSnapshotId).toBeUndefined();
    expect(metadata.refs.main).toBeUndefined();
    expect(metadata.snapshotLog).toEqual([]);
  });

  it('records nothing when no listed snapshot exists', () => {
    expect(apply(tableWithHistory(), [{ action: 'remove-snapshots', snapshotIds: [42n] }]).changes).toEqual([]);
  });
});

describe('statistics', () => {
  const stats = (snapshotId: bigint, path: string) => ({
    snapshotId,
    statisticsPath: path,
    fileSizeInBytes: 10,
    fileFooterSizeInBytes: 2,
    blobMetadata: [],
  });

  it('set-statistics replaces the file of the same snapshot', () => {
    const first = apply(tableWithHistory(), [{ action: 'set-statistics', snapshotId: 2n, statistics: stats(2n, 'a.puffin') }]);
    const second = apply(first.metadata, [{ action: 'set-statistics', statistics: stats(2n, 'b.puffin') }]);
    expect(second.metadata.statistics.map((s) => s.statisticsPath)).toEqual(['b.puffin']);
  });

  it('remove-statistics removes, and is a no-op for a snapshot without statistics', () => {
    const base = apply(tableWithHistory(), [{ action: 'set-statistics', statistics: stats(2n, 'a.puffin') }]).metadata;
    expect(apply(base, [{ action: 'remove-statistics', snapshotId: 2n }]).metadata.statistics).toEqual([]);
    expect(apply(base, [{ action: 'remove-statistics', snapshotId: 1n }]).changes).toEqual([]);
  });

  it('set- and remove-partition-statistics', () => {
    const file = { snapshotId: 2n, statisticsPath: 'p.parquet', fileSizeInBytes: 3 };
    const set = apply(tableWithHistory(), [{ action: 'set-partition-statistics', partitionStatistics: file }]);
    expect(set.metadata.partitionStatistics).toEqual([file]);
    const replaced = apply(set.metadata, [{ action: 'set-partition-statistics', partitionStatistics: { ...file, fileSizeInBytes: 4 } }]);
    expect(replaced.metadata.partitionStatistics).toEqual([{ ...file, fileSizeInBytes: 4 }]);
    expect(apply(set.metadata, [{ action: 'remove-partition-statistics', snapshotId: 2n }]).metadata.partitionStatistics).toEqual([]);
    expect(apply(set.metadata, [{ action: 'remove-partition-statistics', snapshotId: 1n }]).changes).toEqual([]);
  });
});

describe('snapshots in a create transaction and immutability', () => {
  it('creates a table with a first snapshot on main (create table as select)', () => {
    const base = tableMetadata();
    const s1 = snapshot(1n, { sequenceNumber: 1n, timestampMs: T0 + 7 });
    const updates: TableUpdate[] = [
      { action: 'assign-uuid', uuid: base.tableUuid },
      { action: 'add-schema', schema: base.schemas[0] },
      { action: 'set-current-schema', schemaId: -1 },
      { action: 'add-spec', spec: base.partitionSpecs[0] },
      { action: 'set-default-spec', specId: -1 },
      { action: 'add-sort-order', sortOrder: base.sortOrders[0] },
      { action: 'set-default-sort-order', sortOrderId: -1 },
      { action: 'set-location', location: base.location },
      { action: 'add-snapshot', snapshot: s1 },
      setMain(1n),
    ];
    const { metadata } = apply(null, updates);
    expect(metadata.currentSnapshotId).toBe(1n);
    expect(metadata.lastSequenceNumber).toBe(1n);
    expect(metadata.snapshotLog).toEqual([{ timestampMs: T0 + 7, snapshotId: 1n }]);
    expect(metadata.refs).toEqual({ main: { snapshotId: 1n, type: 'branch' } });
  });

  it('does not modify the base metadata', () => {
    const base = tableWithHistory();
    const before = structuredClone(base);
    apply(base, [
      { action: 'add-snapshot', snapshot: snapshot(3n, { parent: 2n, sequenceNumber: 3n }) },
      setMain(3n),
      { action: 'set-snapshot-ref', refName: 'dev', type: 'branch', snapshotId: 1n },
      { action: 'remove-snapshots', snapshotIds: [1n] },
      { action: 'set-properties', updates: { k: 'v' } },
    ]);
    expect(base).toEqual(before);
  });

  it('logs a snapshot committed to another branch nowhere, and keeps main untouched', () => {
    const s3 = snapshot(3n, { parent: 2n, sequenceNumber: 3n });
    const { metadata } = apply(tableWithHistory(), [
      { action: 'add-snapshot', snapshot: s3 },
      { action: 'set-snapshot-ref', refName: 'dev', type: 'branch', snapshotId: 3n },
    ]);
    expect(metadata.refs.dev).toEqual({ snapshotId: 3n, type: 'branch' });
    expect(metadata.currentSnapshotId).toBe(2n);
    expect(metadata.snapshotLog.map((e) => e.snapshotId)).toEqual([1n, 2n]);
  });

  it('refuses a snapshot log that would end after the commit time by more than a minute', () => {
    const future = snapshot(3n, { parent: 2n, sequenceNumber: 3n, timestampMs: NOW + 120_000 });
    expect(() => apply(tableWithHistory(), [{ action: 'add-snapshot', snapshot: future }, setMain(3n)])).toThrow(
      `Invalid update timestamp ${NOW}: before last snapshot log entry at ${NOW + 120_000}`,
    );
  });
});
