import { describe, expect, it } from 'vitest';
import { inheritFromManifest, readManifest, readManifestList, writeManifest, writeManifestList } from '../manifest/index.js';
import type { DataFile, ManifestFileToWrite } from '../manifest/index.js';
import type { FormatVersion, Schema, Snapshot, TableMetadata, TableUpdate } from '../model.js';
import { newTableMetadata } from '../new-table-metadata.js';
import { schemaToJson } from '../schema-json.js';
import { applyUpdates } from '../table-metadata-builder.js';
import { IcebergMergeConflict } from './conflicts.js';
import { rebaseTable, type RebaseInput } from './rebase.js';

const SCHEMA: Schema = {
  type: 'struct',
  schemaId: 0,
  fields: [
    { id: 1, name: 'id', required: true, type: 'long' },
    { id: 2, name: 'amount', required: false, type: 'double' },
  ],
};
const LOCATION = 'mem://warehouse/sales/orders';

/** An in-memory table folder: the files the test tables and the merge write. */
class Files {
  readonly bytes = new Map<string, Uint8Array>();
  read = async (location: string): Promise<Uint8Array> => {
    const b = this.bytes.get(location);
    if (!b) throw new Error(`no file ${location}`);
    return b;
  };
}

let nextId = 1000n;
const newId = () => ++nextId;

function dataFile(path: string, records: bigint): DataFile {
  return { content: 'data', filePath: `${LOCATION}/data/${path}`, fileFormat: 'PARQUET', partition: [], recordCount: records, fileSizeInBytes: 100n * records };
}

function apply(m: TableMetadata, updates: TableUpdate[]): TableMetadata {
  return applyUpdates(m, updates, { nowMs: m.lastUpdatedMs + 1 }).metadata;
}

/** What an engine's append does: one new manifest, listed before the parent's, one snapshot on main. */
function append(files: Files, m: TableMetadata, added: DataFile[], summary: Record<string, string> = {}): TableMetadata {
  const id = newId();
  const seq = m.formatVersion >= 2 ? m.lastSequenceNumber + 1n : undefined;
  const parent = m.snapshots.find((s) => s.snapshotId === m.currentSnapshotId);
  const manifestPath = `${LOCATION}/metadata/${id}-m0.avro`;
  const bytes = writeManifest({
    formatVersion: m.formatVersion,
    schemaJson: JSON.stringify(schemaToJson(m.schemas.find((s) => s.schemaId === m.currentSchemaId)!)),
    schemaId: m.currentSchemaId,
    partitionSpecJson: '[]',
    specId: 0,
    partitionType: { type: 'struct', fields: [] },
    content: 'data',
    entries: added.map((dataFile) => ({ status: 'added', snapshotId: id, dataFile })),
  });
  files.bytes.set(manifestPath, bytes);
  const previous = parent?.manifestList ? readManifestList(files.bytes.get(parent.manifestList)!).manifests : [];
  const records = added.reduce((a, f) => a + f.recordCount, 0n);
  const manifests: ManifestFileToWrite[] = [
    { manifestPath, manifestLength: BigInt(bytes.length), partitionSpecId: 0, content: 'data', addedSnapshotId: id, addedFilesCount: added.length, existingFilesCount: 0, deletedFilesCount: 0, addedRowsCount: records, existingRowsCount: 0n, deletedRowsCount: 0n },
    ...previous,
  ];
  const listPath = `${LOCATION}/metadata/snap-${id}.avro`;
  const nextRowId = m.nextRowId ?? 0n;
  const list = writeManifestList({ formatVersion: m.formatVersion, snapshotId: id, parentSnapshotId: parent?.snapshotId, sequenceNumber: seq, firstRowId: m.formatVersion >= 3 ? nextRowId : undefined, manifests });
  files.bytes.set(listPath, list);
  const totalRecords = BigInt(parent?.summary['total-records'] ?? '0') + records;
  const totalFiles = BigInt(parent?.summary['total-data-files'] ?? '0') + BigInt(added.length);
  const snapshot: Snapshot = {
    snapshotId: id,
    ...(parent ? { parentSnapshotId: parent.snapshotId } : {}),
    ...(seq !== undefined ? { sequenceNumber: seq } : {}),
    timestampMs: m.lastUpdatedMs + 1,
    manifestList: listPath,
    summary: { operation: 'append', 'added-data-files': String(added.length), 'added-records': records.toString(), 'total-records': totalRecords.toString(), 'total-data-files': totalFiles.toString(), ...summary },
    schemaId: m.currentSchemaId,
    ...(m.formatVersion >= 3 ? { firstRowId: nextRowId, addedRows: records } : {}),
  };
  return apply(m, [{ action: 'add-snapshot', snapshot }, { action: 'set-snapshot-ref', refName: 'main', type: 'branch', snapshotId: id }]);
}

/** The live data files of a table's current snapshot, with their inherited sequence numbers and row ids. */
function liveFiles(files: Files, m: TableMetadata): { path: string; seq: bigint | undefined; firstRowId: bigint | undefined }[] {
  const current = m.snapshots.find((s) => s.snapshotId === m.currentSnapshotId);
  if (!current?.manifestList) return [];
  const out: { path: string; seq: bigint | undefined; firstRowId: bigint | undefined }[] = [];
  for (const mf of readManifestList(files.bytes.get(current.manifestList)!).manifests) {
    const manifest = readManifest(files.bytes.get(mf.manifestPath)!);
    inheritFromManifest(manifest.entries, mf);
    for (const e of manifest.entries) if (e.status !== 'deleted') out.push({ path: e.dataFile.filePath.split('/').pop()!, seq: e.sequenceNumber, firstRowId: e.dataFile.firstRowId });
  }
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

async function merge(files: Files, base: TableMetadata, target: TableMetadata, source: TableMetadata, extra: Partial<RebaseInput> = {}) {
  const result = await rebaseTable({
    base,
    target,
    source,
    io: files,
    newSnapshotId: newId,
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

function table(formatVersion: FormatVersion, properties: Record<string, string> = {}): TableMetadata {
  return newTableMetadata({ schema: SCHEMA, location: LOCATION, formatVersion, properties, nowMs: 1_000 });
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

  it('refuses what it does not replay: a source delete, a re-created table, a rolled-back history', async () => {
    const files = new Files();
    const base = append(files, table(formatVersion), [dataFile('b.parquet', 1n)]);
    const target = append(files, base, [dataFile('t1.parquet', 1n)]);
    const deleting = append(files, base, [dataFile('s1.parquet', 1n)]);
    const last = deleting.snapshots.at(-1)!;
    const asDelete = { ...deleting, snapshots: [...deleting.snapshots.slice(0, -1), { ...last, summary: { ...last.summary, operation: 'delete' } }] };
    expect(await conflictOf(merge(files, base, target, asDelete))).toMatchObject({ type: 'UNSUPPORTED_CHANGE', sourceSnapshotId: last.snapshotId });
    expect(await conflictOf(merge(files, base, target, { ...deleting, tableUuid: '00000000-0000-0000-0000-000000000001' }))).toMatchObject({ type: 'KEY_IDENTITY' });
    const rolledBack = append(files, table(formatVersion), [dataFile('other.parquet', 1n)]);
    expect(await conflictOf(merge(files, base, target, { ...rolledBack, tableUuid: base.tableUuid }))).toMatchObject({ type: 'HISTORY_UNAVAILABLE' });
  });
});
