import { describe, expect, it } from 'vitest';
import type { FormatVersion, Schema, TableMetadata } from '../model.js';
import { readManifest, readManifestList } from '../manifest/index.js';
import { IcebergMergeConflict } from './conflicts.js';
import { rebaseTable, type RebaseInput } from './rebase.js';
import { append, apply, commit, dataFile, Files, LOCATION, liveEntries, partitionedTable, SCHEMA, table } from './test-tables.js';

/** The live data files of a table's current snapshot, with their inherited sequence numbers and row ids. */
function liveFiles(files: Files, m: TableMetadata): { path: string; seq: bigint | undefined; firstRowId: bigint | undefined }[] {
  return liveEntries(files, m)
    .map((e) => ({ path: e.dataFile.filePath.split('/').pop()!, seq: e.sequenceNumber, firstRowId: e.dataFile.firstRowId }))
    .sort((a, b) => a.path.localeCompare(b.path));
}

async function merge(files: Files, base: TableMetadata, target: TableMetadata, source: TableMetadata, extra: Partial<RebaseInput> = {}) {
  const result = await rebaseTable({
    base,
    target,
    source,
    io: files,
    newSnapshotId: files.newId,
    newFileLocation: (name) => `${LOCATION}/metadata/${name}`,
    nowMs: target.lastUpdatedMs + 10,
    summary: { 'lakecat.merge.source-ref': 'dev' },
    ...extra,
  });
  if (result.kind !== 'rebased') return { result, merged: target };
  for (const f of result.files) files.bytes.set(f.location, f.bytes);
  return { result, merged: apply(target, result.updates) };
}

async function conflictOf(p: Promise<unknown>): Promise<IcebergMergeConflict['conflict']> {
  try {
    await p;
  } catch (e) {
    if (e instanceof IcebergMergeConflict) return e.conflict;
    throw e;
  }
  throw new Error('expected a conflict');
}

describe.each([1, 2, 3] as FormatVersion[])('rebasing a table changed on both sides (v%i)', (formatVersion) => {
  it('replays the source appends on top of the target appends: every file once, sequence numbers after the target', async () => {
    const files = new Files();
    const base = append(files, table(formatVersion), [dataFile('b.parquet', 5n)]);
    const target = append(files, append(files, base, [dataFile('t1.parquet', 2n)]), [dataFile('t2.parquet', 3n)]);
    const source = append(files, append(files, base, [dataFile('s1.parquet', 7n)], { 'kafka.offsets': '0:42' }), [dataFile('s2.parquet', 11n)]);
    const { result, merged } = await merge(files, base, target, source);
    if (result.kind !== 'rebased') throw new Error(result.kind);
    expect(result.replayed.map((r) => r.source)).toEqual(source.snapshots.slice(1).map((s) => s.snapshotId));
    expect(liveFiles(files, merged).map((f) => f.path)).toEqual(['b.parquet', 's1.parquet', 's2.parquet', 't1.parquet', 't2.parquet']);
    // The target's history is kept, the replayed snapshots follow it.
    const ids = merged.snapshots.map((s) => s.snapshotId);
    expect(ids.slice(0, target.snapshots.length)).toEqual(target.snapshots.map((s) => s.snapshotId));
    const [n1, n2] = merged.snapshots.slice(target.snapshots.length);
    expect(n1.parentSnapshotId).toBe(target.currentSnapshotId);
    expect(n2.parentSnapshotId).toBe(n1.snapshotId);
    expect(merged.currentSnapshotId).toBe(n2.snapshotId);
    expect(merged.refs.main.snapshotId).toBe(n2.snapshotId);
    expect(n1.summary).toMatchObject({ operation: 'append', 'source-snapshot-id': source.snapshots[1].snapshotId.toString(), 'kafka.offsets': '0:42', 'total-records': '17', 'total-data-files': '4', 'lakecat.merge.source-ref': 'dev' });
    expect(n2.summary).toMatchObject({ 'total-records': '28', 'total-data-files': '5', 'added-records': '11' });
    if (formatVersion >= 2) {
      expect(n1.sequenceNumber).toBe(target.lastSequenceNumber + 1n);
      expect(merged.lastSequenceNumber).toBe(target.lastSequenceNumber + 2n);
      const seqs = Object.fromEntries(liveFiles(files, merged).map((f) => [f.path, f.seq]));
      expect(seqs['s1.parquet']).toBe(n1.sequenceNumber);
      expect(seqs['s2.parquet']).toBe(n2.sequenceNumber);
      expect(seqs['t2.parquet']).toBe(target.lastSequenceNumber);
    }
    if (formatVersion >= 3) {
      // The source's rows get ids after every id the target handed out: no range overlaps.
      expect(n1.firstRowId).toBe(target.nextRowId);
      expect(merged.nextRowId).toBe(target.nextRowId! + 18n);
      const rowIds = liveFiles(files, merged).map((f) => f.firstRowId);
      expect(rowIds.every((r) => r !== undefined)).toBe(true);
      expect(new Set(rowIds).size).toBe(rowIds.length);
    }
  });

  it('merges the same branch twice without replaying a snapshot again', async () => {
    const files = new Files();
    const base = append(files, table(formatVersion), [dataFile('b.parquet', 1n)]);
    const source1 = append(files, base, [dataFile('s1.parquet', 1n)]);
    const { merged: first } = await merge(files, base, append(files, base, [dataFile('t1.parquet', 1n)]), source1);
    // After the first merge, the catalog's merge base is the source as it was merged.
    const source2 = append(files, source1, [dataFile('s2.parquet', 1n)]);
    const { result, merged } = await merge(files, source1, first, source2);
    if (result.kind !== 'rebased') throw new Error(result.kind);
    expect(result.replayed.map((r) => r.source)).toEqual([source2.currentSnapshotId]);
    expect(liveFiles(files, merged).map((f) => f.path)).toEqual(['b.parquet', 's1.parquet', 's2.parquet', 't1.parquet']);
    // Nothing new on the source: the target stays as it is.
    expect((await merge(files, source2, merged, source2)).result.kind).toBe('keep-target');
  });

  it('adopts a column the source added, and the target keeps reading its own files', async () => {
    const files = new Files();
    const base = append(files, table(formatVersion), [dataFile('b.parquet', 1n)]);
    const widened: Schema = { ...SCHEMA, schemaId: 1, fields: [...SCHEMA.fields, { id: 3, name: 'note', required: false, type: 'string' }] };
    const source = append(files, apply(base, [{ action: 'add-schema', schema: widened, lastColumnId: 3 }, { action: 'set-current-schema', schemaId: -1 }]), [dataFile('s1.parquet', 1n)]);
    const target = append(files, base, [dataFile('t1.parquet', 1n)]);
    const { merged } = await merge(files, base, target, source);
    expect(merged.currentSchemaId).toBe(1);
    expect(merged.lastColumnId).toBe(3);
    expect(merged.schemas.find((s) => s.schemaId === 1)?.fields.map((f) => f.name)).toEqual(['id', 'amount', 'note']);
    expect(liveFiles(files, merged).map((f) => f.path)).toEqual(['b.parquet', 's1.parquet', 't1.parquet']);
  });

  it('refuses when both sides changed the schema differently', async () => {
    const files = new Files();
    const base = append(files, table(formatVersion), [dataFile('b.parquet', 1n)]);
    const withColumn = (name: string): Schema => ({ ...SCHEMA, schemaId: 1, fields: [...SCHEMA.fields, { id: 3, name, required: false, type: 'string' }] });
    const source = apply(base, [{ action: 'add-schema', schema: withColumn('note'), lastColumnId: 3 }, { action: 'set-current-schema', schemaId: -1 }]);
    const target = apply(base, [{ action: 'add-schema', schema: withColumn('comment'), lastColumnId: 3 }, { action: 'set-current-schema', schemaId: -1 }]);
    expect(await conflictOf(merge(files, base, target, source))).toMatchObject({ type: 'SCHEMA_DIVERGED' });
    // The same change on both sides is no conflict.
    expect((await merge(files, base, source, apply(base, [{ action: 'add-schema', schema: withColumn('note'), lastColumnId: 3 }, { action: 'set-current-schema', schemaId: -1 }]))).result.kind).toBe('keep-target');
  });

  it('merges properties key by key, and names the keys both sides set differently', async () => {
    const files = new Files();
    const base = table(formatVersion, { owner: 'data', 'write.target-file-size-bytes': '1000' });
    const source = apply(base, [{ action: 'set-properties', updates: { comment: 'orders', owner: 'etl' } }]);
    const target = apply(base, [{ action: 'set-properties', updates: { retention: '30d' } }, { action: 'remove-properties', removals: ['write.target-file-size-bytes'] }]);
    const { merged } = await merge(files, base, target, source);
    expect(merged.properties).toMatchObject({ comment: 'orders', owner: 'etl', retention: '30d' });
    expect(merged.properties['write.target-file-size-bytes']).toBeUndefined();
    const clash = apply(base, [{ action: 'set-properties', updates: { owner: 'bi' } }]);
    expect(await conflictOf(merge(files, base, clash, source))).toMatchObject({ type: 'PROPERTY_CONFLICT', keys: ['owner'] });
  });

  it('refuses a re-created table and a history that no longer reaches the base', async () => {
    const files = new Files();
    const base = append(files, table(formatVersion), [dataFile('b.parquet', 1n)]);
    const target = append(files, base, [dataFile('t1.parquet', 1n)]);
    const source = append(files, base, [dataFile('s1.parquet', 1n)]);
    expect(await conflictOf(merge(files, base, target, { ...source, tableUuid: '00000000-0000-0000-0000-000000000001' }))).toMatchObject({ type: 'KEY_IDENTITY' });
    const rolledBack = append(files, table(formatVersion), [dataFile('other.parquet', 1n)]);
    expect(await conflictOf(merge(files, base, target, { ...rolledBack, tableUuid: base.tableUuid }))).toMatchObject({ type: 'HISTORY_UNAVAILABLE' });
  });

  it('replays a source compaction onto a target that appended, and refuses one of files the target removed', async () => {
    const files = new Files();
    const base = append(files, append(files, table(formatVersion), [dataFile('b1.parquet', 1n)]), [dataFile('b2.parquet', 1n)]);
    const compacted = commit(files, base, 'replace', [dataFile('c.parquet', 2n)], ['b1.parquet', 'b2.parquet']);
    const target = append(files, base, [dataFile('t1.parquet', 1n)]);
    if (formatVersion >= 3) {
      // Rewritten files of a v3 table may carry materialized row ids: not replayed.
      expect(await conflictOf(merge(files, base, target, compacted))).toMatchObject({ type: 'UNSUPPORTED_CHANGE' });
      return;
    }
    const { result, merged } = await merge(files, base, target, compacted);
    expect(result.kind).toBe('rebased');
    expect(liveFiles(files, merged).map((f) => f.path)).toEqual(['c.parquet', 't1.parquet']);
    expect(merged.snapshots.at(-1)!.summary).toMatchObject({ operation: 'replace', 'deleted-data-files': '2', 'added-data-files': '1', 'total-data-files': '2', 'total-records': '3' });
    // The target deleted b1 meanwhile: the compaction's removal of b1 cannot be replayed.
    const deleted = commit(files, base, 'delete', [], ['b1.parquet']);
    expect(await conflictOf(merge(files, base, deleted, compacted))).toMatchObject({ type: 'REMOVED_FILE_MISSING', sourceSnapshotId: compacted.currentSnapshotId });
  });

  it('refuses a source delete where the target appended (serializable), and replays it under snapshot isolation', async () => {
    const files = new Files();
    const base = append(files, table(formatVersion), [dataFile('b.parquet', 1n)]);
    const target = append(files, base, [dataFile('t1.parquet', 1n)]);
    const deleting = commit(files, base, 'delete', [], ['b.parquet']);
    if (formatVersion >= 3) {
      expect(await conflictOf(merge(files, base, target, deleting))).toMatchObject({ type: 'UNSUPPORTED_CHANGE' });
      return;
    }
    expect(await conflictOf(merge(files, base, target, deleting))).toMatchObject({ type: 'CONCURRENT_DATA_IN_SCOPE', sourceSnapshotId: deleting.currentSnapshotId });
    const relaxed = apply(target, [{ action: 'set-properties', updates: { 'write.delete.isolation-level': 'snapshot' } }]);
    const { merged } = await merge(files, base, relaxed, deleting);
    expect(liveFiles(files, merged).map((f) => f.path)).toEqual(['t1.parquet']);
    // Both sides deleting the same file: the target already did what the source asks.
    const alsoDeleted = commit(files, base, 'delete', [], ['b.parquet']);
    expect((await merge(files, base, alsoDeleted, deleting)).merged.currentSnapshotId).toBeDefined();
  });
});

describe('partition scopes of a replayed overwrite (v2)', () => {
  const inPart = (name: string, part: string) => dataFile(name, 1n, LOCATION, [part]);
  async function setUp() {
    const files = new Files();
    const base = append(files, partitionedTable(2), [inPart('a1.parquet', 'a'), inPart('b1.parquet', 'b')]);
    // Copy-on-write update in partition a: a1 rewritten as a2.
    const source = commit(files, base, 'overwrite', [inPart('a2.parquet', 'a')], ['a1.parquet']);
    return { files, base, source };
  }

  it('merges when the target changed only other partitions', async () => {
    const { files, base, source } = await setUp();
    const target = append(files, base, [inPart('b2.parquet', 'b')]);
    const { result, merged } = await merge(files, base, target, source);
    expect(result.kind).toBe('rebased');
    // Every manifest the merged list names has partition summaries that hold for its live files.
    const list = readManifestList(files.bytes.get(merged.snapshots.at(-1)!.manifestList!)!);
    for (const mf of list.manifests) {
      expect(mf.partitions, mf.manifestPath).toHaveLength(1);
      const { lowerBound, upperBound } = mf.partitions![0];
      for (const e of readManifest(files.bytes.get(mf.manifestPath)!).entries.filter((x) => x.status !== 'deleted')) {
        const v = new TextEncoder().encode(e.dataFile.partition[0] as string);
        expect(Buffer.compare(Buffer.from(lowerBound!), Buffer.from(v)) <= 0 && Buffer.compare(Buffer.from(v), Buffer.from(upperBound!)) <= 0, `${e.dataFile.filePath} in ${mf.manifestPath}`).toBe(true);
      }
    }
    expect(liveFiles(files, merged).map((f) => f.path)).toEqual(['a2.parquet', 'b1.parquet', 'b2.parquet']);
    expect(merged.snapshots.at(-1)!.summary).toMatchObject({ operation: 'overwrite', 'deleted-data-files': '1', 'added-data-files': '1', 'total-data-files': '3' });
  });

  it('refuses, naming the partition, when the target added data there (serializable), and merges under snapshot isolation', async () => {
    const { files, base, source } = await setUp();
    const target = append(files, base, [inPart('a3.parquet', 'a')]);
    const c = await conflictOf(merge(files, base, target, source));
    expect(c.type).toBe('CONCURRENT_DATA_IN_SCOPE');
    expect(c.message).toContain('part=a');
    const relaxed = apply(target, [{ action: 'set-properties', updates: { 'write.update.isolation-level': 'snapshot', 'write.merge.isolation-level': 'snapshot' } }]);
    const { merged } = await merge(files, base, relaxed, source);
    expect(liveFiles(files, merged).map((f) => f.path)).toEqual(['a2.parquet', 'a3.parquet', 'b1.parquet']);
    // The merge itself may opt the table into snapshot isolation, whatever its properties say.
    const { merged: opted } = await merge(files, base, target, source, { isolation: 'snapshot' });
    expect(liveFiles(files, opted).map((f) => f.path)).toEqual(['a2.parquet', 'a3.parquet', 'b1.parquet']);
    // Snapshot isolation still refuses deletes on both sides in the same partition.
    const alsoRewritten = commit(files, base, 'overwrite', [inPart('a4.parquet', 'a')], ['a1.parquet']);
    expect(await conflictOf(merge(files, base, alsoRewritten, source, { isolation: 'snapshot' }))).toMatchObject({ type: 'REMOVED_FILE_MISSING' });
  });

  it('refuses a dynamic partition overwrite where the target added data, whatever the isolation', async () => {
    const files = new Files();
    const base = append(files, partitionedTable(2, { 'write.update.isolation-level': 'snapshot', 'write.merge.isolation-level': 'snapshot' }), [inPart('a1.parquet', 'a'), inPart('b1.parquet', 'b')]);
    const replaced = commit(files, base, 'overwrite', [inPart('a2.parquet', 'a')], ['a1.parquet'], { 'replace-partitions': 'true' });
    const c = await conflictOf(merge(files, base, append(files, base, [inPart('a3.parquet', 'a')]), replaced));
    expect(c).toMatchObject({ type: 'REPLACED_PARTITION_CHANGED' });
    expect(c.message).toContain('part=a');
    expect((await merge(files, base, append(files, base, [inPart('b2.parquet', 'b')]), replaced)).result.kind).toBe('rebased');
  });

  it('refuses when the target rewrote the same file or deleted rows in the same partition', async () => {
    const { files, base, source } = await setUp();
    const rewritten = commit(files, base, 'overwrite', [inPart('a9.parquet', 'a')], ['a1.parquet']);
    expect(await conflictOf(merge(files, base, rewritten, source))).toMatchObject({ type: 'REMOVED_FILE_MISSING' });
    const deletedB = commit(files, base, 'delete', [], ['b1.parquet']);
    expect((await merge(files, base, deletedB, source)).result.kind).toBe('rebased');
  });
});
