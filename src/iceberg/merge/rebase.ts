/**
 * The Iceberg-level merge of one table changed on both sides of a catalog merge: the source's
 * snapshots since the merge base are replayed, one by one and in order, on top of the target's
 * current snapshot ("rebase"), as Iceberg's own commit retry rebuilds a snapshot on refreshed
 * metadata. Metadata changes are merged three-way (./metadata-merge.ts).
 *
 * Pure apart from reading manifest lists and manifests through `io`: the result is the list of
 * table updates to apply to the target (through the metadata builder, which validates them) and
 * the manifest and manifest-list files to write first.
 *
 * Replayed today: `append` snapshots (data files added, nothing removed), which need no
 * validation against the target (Iceberg validates nothing for an append either). Any other
 * source operation (delete, overwrite, replace) is refused as UNSUPPORTED_CHANGE, never merged
 * unchecked.
 */
import { assignFirstRowIds, inheritFromManifest, readManifest, readManifestList, writeManifest, writeManifestList } from '../manifest/index.js';
import type { ManifestEntry, ManifestFile, ManifestFileToWrite } from '../manifest/index.js';
import type { Snapshot, TableMetadata, TableUpdate } from '../model.js';
import { conflict } from './conflicts.js';
import { mergeTableMetadata } from './metadata-merge.js';

/** Where the files of a table are read (manifest lists, manifests). */
export interface TableFileReader {
  read(location: string): Promise<Uint8Array>;
}

export interface RebaseInput {
  /** The table at the catalog merge base, on the target head, on the source head. */
  base: TableMetadata;
  target: TableMetadata;
  source: TableMetadata;
  io: TableFileReader;
  /** A snapshot id not used by the target (random, as Iceberg's). */
  newSnapshotId: () => bigint;
  /** A new file location in the table's metadata folder for `name`. */
  newFileLocation: (name: string) => string;
  nowMs: number;
  /** Extra summary properties of every replayed snapshot (provenance). */
  summary?: Record<string, string>;
}

export interface FileToWrite {
  location: string;
  bytes: Uint8Array;
}

export type RebaseResult =
  /** The source changed nothing the target lacks: keep the target as it is. */
  | { kind: 'keep-target' }
  | {
      kind: 'rebased';
      /** To apply to the target's metadata, in order. */
      updates: TableUpdate[];
      /** To write before the metadata that references them. */
      files: FileToWrite[];
      /** Each replayed source snapshot and the target snapshot made from it. */
      replayed: { source: bigint; target: bigint }[];
    };

/** Iceberg's cherry-pick key: the snapshot a replayed snapshot was made from. */
const SOURCE_SNAPSHOT_ID = 'source-snapshot-id';

function snapshotById(m: TableMetadata): Map<bigint, Snapshot> {
  return new Map(m.snapshots.map((s) => [s.snapshotId, s]));
}

/**
 * The snapshots of `m`'s main history after the snapshot that stands for `stop` (it, or one made
 * from it by an earlier merge), oldest first; undefined when the history does not reach it.
 * With `stop` undefined (the base had no snapshot) the whole history.
 */
function historySince(m: TableMetadata, stop: bigint | undefined): Snapshot[] | undefined {
  const byId = snapshotById(m);
  const out: Snapshot[] = [];
  let id = m.currentSnapshotId;
  while (id !== undefined) {
    const s = byId.get(id);
    if (!s) return stop === undefined ? out.reverse() : undefined;
    if (stop !== undefined && (s.snapshotId === stop || s.summary[SOURCE_SNAPSHOT_ID] === stop.toString())) return out.reverse();
    out.push(s);
    id = s.parentSnapshotId;
  }
  return stop === undefined ? out.reverse() : undefined;
}

function sumOf(values: (bigint | undefined)[]): bigint {
  return values.reduce<bigint>((a, b) => a + (b ?? 0n), 0n);
}

const TOTALS: [total: string, added: string, removed: string][] = [
  ['total-records', 'added-records', 'deleted-records'],
  ['total-files-size', 'added-files-size', 'removed-files-size'],
  ['total-data-files', 'added-data-files', 'deleted-data-files'],
  ['total-delete-files', 'added-delete-files', 'removed-delete-files'],
  ['total-position-deletes', 'added-position-deletes', 'removed-position-deletes'],
  ['total-equality-deletes', 'added-equality-deletes', 'removed-equality-deletes'],
];

/** The replayed snapshot's summary: the source's own keys (engine and CDC offsets included), totals from the new parent. */
function replayedSummary(source: Snapshot, previous: Snapshot | undefined, added: { files: number; records: bigint; bytes: bigint }, extra: Record<string, string>): Record<string, string> {
  const summary: Record<string, string> = { ...source.summary };
  for (const k of ['manifests-created', 'manifests-kept', 'manifests-replaced', 'entries-processed']) delete summary[k];
  summary['added-data-files'] = String(added.files);
  summary['added-records'] = added.records.toString();
  summary['added-files-size'] = added.bytes.toString();
  for (const [total, add, removed] of TOTALS) {
    const before = previous ? previous.summary[total] : '0';
    if (before === undefined || !/^\d+$/.test(before)) {
      delete summary[total];
      continue;
    }
    summary[total] = (BigInt(before) + BigInt(summary[add] ?? '0') - BigInt(summary[removed] ?? '0')).toString();
  }
  summary[SOURCE_SNAPSHOT_ID] = source.snapshotId.toString();
  return { ...summary, ...extra };
}

export async function rebaseTable(input: RebaseInput): Promise<RebaseResult> {
  const { base, target, source, io } = input;
  const metadataUpdates = mergeTableMetadata(base, target, source);
  const sourceSnapshots = historySince(source, base.currentSnapshotId);
  if (!sourceSnapshots) {
    conflict('HISTORY_UNAVAILABLE', `The source's history does not contain the merge base's snapshot ${base.currentSnapshotId} (rolled back or expired)`, {
      hint: 'merge this key with FORCE (take the source) or DROP (keep the target)',
    });
  }
  if (!historySince(target, base.currentSnapshotId)) {
    conflict('HISTORY_UNAVAILABLE', `The target's history does not contain the merge base's snapshot ${base.currentSnapshotId} (rolled back or expired)`, {
      hint: 'merge this key with FORCE (take the source) or DROP (keep the target)',
    });
  }
  // A source snapshot already replayed onto the target by an earlier merge is not replayed again.
  const alreadyMerged = new Set(target.snapshots.map((s) => s.summary[SOURCE_SNAPSHOT_ID]).filter((v): v is string => v !== undefined));
  const toReplay = sourceSnapshots.filter((s) => !alreadyMerged.has(s.snapshotId.toString()) && !target.snapshots.some((t) => t.snapshotId === s.snapshotId));
  if (toReplay.length === 0 && metadataUpdates.length === 0) return { kind: 'keep-target' };

  const formatVersion = target.formatVersion;
  const files: FileToWrite[] = [];
  const updates: TableUpdate[] = [...metadataUpdates];
  const replayed: { source: bigint; target: bigint }[] = [];
  const targetById = snapshotById(target);
  let parent = target.currentSnapshotId === undefined ? undefined : targetById.get(target.currentSnapshotId);
  let carried: ManifestFile[] = parent?.manifestList ? (await readList(io, parent.manifestList)).manifests : [];
  let sequenceNumber = target.lastSequenceNumber;
  let nextRowId = target.nextRowId ?? 0n;
  const usedIds = new Set(target.snapshots.map((s) => s.snapshotId));

  for (const s of toReplay) {
    const operation = s.summary.operation;
    if (operation !== 'append') {
      conflict('UNSUPPORTED_CHANGE', `Source snapshot ${s.snapshotId} is a '${operation}', and only appends are replayed onto a target that changed too`, {
        sourceSnapshotId: s.snapshotId,
        hint: 'merge this key with FORCE (take the source) or DROP (keep the target), or re-run the source job on the target',
      });
    }
    if (!s.manifestList) {
      conflict('UNSUPPORTED_CHANGE', `Source snapshot ${s.snapshotId} has no manifest list (a v1 snapshot with inline manifests)`, { sourceSnapshotId: s.snapshotId });
    }
    let id = input.newSnapshotId();
    while (usedIds.has(id)) id = input.newSnapshotId();
    usedIds.add(id);
    sequenceNumber += 1n;

    const created: ManifestFileToWrite[] = [];
    let addedFiles = 0;
    let addedRecords = 0n;
    let addedBytes = 0n;
    for (const m of (await readList(io, s.manifestList)).manifests) {
      if (m.addedSnapshotId !== s.snapshotId) continue;
      const manifest = readManifest(await io.read(m.manifestPath));
      inheritFromManifest(manifest.entries, m);
      if (m.content !== 'data' || manifest.entries.some((e) => e.status === 'deleted' || e.dataFile.content !== 'data')) {
        conflict('UNSUPPORTED_CHANGE', `Source snapshot ${s.snapshotId} is an append that also removes files or adds deletes (${m.manifestPath})`, { sourceSnapshotId: s.snapshotId });
      }
      if (manifest.schemaJson === undefined || manifest.partitionSpecJson === undefined) {
        conflict('UNSUPPORTED_CHANGE', `Manifest ${m.manifestPath} of source snapshot ${s.snapshotId} does not name its schema and partition spec`, { sourceSnapshotId: s.snapshotId });
      }
      // A merging append (MergeAppend) rewrites older manifests into its own: their EXISTING
      // entries are not changes of this snapshot, and the target holds its own copies.
      const added = manifest.entries.filter((e) => e.status === 'added');
      if (added.length === 0) continue;
      const entries: ManifestEntry[] = added.map((e) => ({
        status: 'added',
        snapshotId: id,
        // Inherited from the new snapshot: the files are new to the target.
        dataFile: { ...e.dataFile, firstRowId: undefined },
      }));
      const location = input.newFileLocation(`${id}-m${created.length}.avro`);
      const bytes = writeManifest({
        formatVersion,
        schemaJson: manifest.schemaJson,
        schemaId: manifest.schemaId ?? source.currentSchemaId,
        partitionSpecJson: manifest.partitionSpecJson,
        specId: manifest.specId ?? m.partitionSpecId,
        partitionType: manifest.partitionType,
        content: 'data',
        entries,
      });
      files.push({ location, bytes });
      const records = sumOf(entries.map((e) => e.dataFile.recordCount));
      addedFiles += entries.length;
      addedRecords += records;
      addedBytes += sumOf(entries.map((e) => e.dataFile.fileSizeInBytes));
      created.push({
        manifestPath: location,
        manifestLength: BigInt(bytes.length),
        partitionSpecId: m.partitionSpecId,
        content: 'data',
        addedSnapshotId: id,
        addedFilesCount: entries.length,
        existingFilesCount: 0,
        deletedFilesCount: 0,
        addedRowsCount: records,
        existingRowsCount: 0n,
        deletedRowsCount: 0n,
        ...(m.partitions ? { partitions: m.partitions } : {}),
      });
    }

    // New manifests first, as Iceberg lists them; the target's are carried unchanged.
    let listed: ManifestFileToWrite[] = [...created, ...carried];
    let addedRows: bigint | undefined;
    if (formatVersion >= 3) {
      const assigned = assignFirstRowIds(listed, nextRowId);
      listed = assigned.manifests;
      addedRows = assigned.nextRowId - nextRowId;
    }
    const listLocation = input.newFileLocation(`snap-${id}-1-merge.avro`);
    const listBytes = writeManifestList({
      formatVersion,
      snapshotId: id,
      ...(parent ? { parentSnapshotId: parent.snapshotId } : {}),
      ...(formatVersion >= 2 ? { sequenceNumber } : {}),
      ...(formatVersion >= 3 ? { firstRowId: nextRowId } : {}),
      manifests: listed,
    });
    files.push({ location: listLocation, bytes: listBytes });
    const snapshot: Snapshot = {
      snapshotId: id,
      ...(parent ? { parentSnapshotId: parent.snapshotId } : {}),
      ...(formatVersion >= 2 ? { sequenceNumber } : {}),
      timestampMs: input.nowMs,
      manifestList: listLocation,
      summary: replayedSummary(s, parent, { files: addedFiles, records: addedRecords, bytes: addedBytes }, input.summary ?? {}),
      ...(s.schemaId !== undefined ? { schemaId: s.schemaId } : {}),
      ...(formatVersion >= 3 ? { firstRowId: nextRowId, addedRows } : {}),
    };
    updates.push({ action: 'add-snapshot', snapshot });
    replayed.push({ source: s.snapshotId, target: id });
    if (addedRows !== undefined) nextRowId += addedRows;
    // What the next replayed snapshot carries: everything this one lists, with the sequence
    // numbers and row ids the list writer gave it.
    carried = (await readList({ read: async () => listBytes }, listLocation)).manifests;
    parent = snapshot;
  }
  if (parent && parent.snapshotId !== target.currentSnapshotId) {
    updates.push({ action: 'set-snapshot-ref', refName: 'main', type: 'branch', snapshotId: parent.snapshotId });
  }
  return { kind: 'rebased', updates, files, replayed };
}

async function readList(io: TableFileReader, location: string) {
  return readManifestList(await io.read(location));
}
