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
 * Appends need no validation against the target (Iceberg validates nothing for an append
 * either). A snapshot that removes files or adds deletes (delete, overwrite, row delta,
 * compaction) is validated first, like an Iceberg retry whose starting snapshot is the merge
 * base's (`validateReplay`): the files it removes must still be live on the target, the target
 * must not have added deletes for them, nor deleted or rewritten rows in the partitions it
 * touches, nor (serializable isolation) added data there. Lakecat knows only partitions where
 * Java uses the engine's row filter, so it refuses more than Java would, never less. On v3
 * tables such snapshots are refused: rewritten files may carry materialized row ids.
 */
import { assignFirstRowIds, entryCounts, inheritFromManifest, readManifest, readManifestList, writeManifest, writeManifestList } from '../manifest/index.js';
import type { Manifest, ManifestEntry, ManifestFile, ManifestFileToWrite } from '../manifest/index.js';
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
  /**
   * 'snapshot' validates every replay under snapshot isolation (a merge opted this table into
   * it); otherwise the table's write.*.isolation-level properties decide, serializable by default.
   */
  isolation?: 'snapshot';
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

/** A file entry with what it came from: its manifest's header and spec, its entry with inherited values. */
interface TrackedEntry {
  entry: ManifestEntry;
  header: Manifest;
  specId: number;
  content: 'data' | 'deletes';
  manifestPath: string;
  /** The partition summaries its manifest list gave that manifest: bounds that hold for any subset of its entries. */
  partitions?: ManifestFile['partitions'];
  /** The entry wrote its data sequence number itself (not inherited). */
  explicitSequence: boolean;
}

/** What one snapshot changed, from the manifests it created (ADDED and DELETED entries). */
interface SnapshotChange {
  addedData: TrackedEntry[];
  removedData: TrackedEntry[];
  addedDeletes: TrackedEntry[];
  removedDeletes: TrackedEntry[];
}

async function manifestAt(io: TableFileReader, location: string, cache: Map<string, Manifest>): Promise<Manifest> {
  let m = cache.get(location);
  if (!m) cache.set(location, (m = readManifest(await io.read(location))));
  return m;
}

function tracked(mf: ManifestFile, header: Manifest): TrackedEntry[] {
  const explicit = header.entries.map((e) => e.sequenceNumber !== undefined);
  const entries = header.entries.map((e) => ({ ...e }));
  inheritFromManifest(entries, mf);
  return entries.map((entry, i) => ({
    entry,
    header,
    specId: header.specId ?? mf.partitionSpecId,
    content: mf.content,
    manifestPath: mf.manifestPath,
    ...(mf.partitions ? { partitions: mf.partitions } : {}),
    explicitSequence: explicit[i],
  }));
}

async function changesOf(io: TableFileReader, s: Snapshot, cache: Map<string, Manifest>): Promise<SnapshotChange> {
  const change: SnapshotChange = { addedData: [], removedData: [], addedDeletes: [], removedDeletes: [] };
  if (!s.manifestList) return change;
  for (const mf of (await readList(io, s.manifestList)).manifests) {
    if (mf.addedSnapshotId !== s.snapshotId) continue;
    const header = await manifestAt(io, mf.manifestPath, cache);
    if (header.schemaJson === undefined || header.partitionSpecJson === undefined) {
      conflict('UNSUPPORTED_CHANGE', `Manifest ${mf.manifestPath} of snapshot ${s.snapshotId} does not name its schema and partition spec`, { sourceSnapshotId: s.snapshotId });
    }
    // A merging commit rewrites older manifests into its own: their EXISTING entries are not
    // changes of this snapshot.
    for (const t of tracked(mf, header)) {
      if (t.entry.status === 'existing') continue;
      const isData = t.entry.dataFile.content === 'data';
      if (t.entry.status === 'added') (isData ? change.addedData : change.addedDeletes).push(t);
      else (isData ? change.removedData : change.removedDeletes).push(t);
    }
  }
  return change;
}

/** Groups new files by the manifest they came from (one new manifest each). */
interface ManifestGroup {
  header: Manifest;
  specId: number;
  content: 'data' | 'deletes';
  partitions?: ManifestFile['partitions'];
  entries: TrackedEntry[];
}

function groupByManifest(entries: TrackedEntry[]): ManifestGroup[] {
  const groups = new Map<string, ManifestGroup>();
  for (const t of entries) {
    let g = groups.get(t.manifestPath);
    if (!g) groups.set(t.manifestPath, (g = { header: t.header, specId: t.specId, content: t.content, ...(t.partitions ? { partitions: t.partitions } : {}), entries: [] }));
    g.entries.push(t);
  }
  return [...groups.values()];
}

/** The live data and delete files of a manifest list, by path. */
async function liveFilesOf(io: TableFileReader, list: ManifestFile[], cache: Map<string, Manifest>): Promise<Map<string, TrackedEntry>> {
  const live = new Map<string, TrackedEntry>();
  for (const mf of list) {
    for (const t of tracked(mf, await manifestAt(io, mf.manifestPath, cache))) if (t.entry.status !== 'deleted') live.set(t.entry.dataFile.filePath, t);
  }
  return live;
}

/** A partition's identity for conflict scopes: spec id and partition tuple. */
function partitionKey(t: TrackedEntry): string {
  return `${t.specId}|${JSON.stringify(t.entry.dataFile.partition, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v))}`;
}

/** Where a source snapshot acts: the partitions it touches. Unpartitioned specs cover the whole table. */
class Scope {
  private readonly keys = new Set<string>();
  private readonly specs = new Set<number>();
  private whole = false;
  readonly examples: string[] = [];

  add(t: TrackedEntry): void {
    if (t.entry.dataFile.partition.length === 0) this.whole = true;
    this.specs.add(t.specId);
    const k = partitionKey(t);
    if (!this.keys.has(k) && this.examples.length < 5) this.examples.push(describePartition(t));
    this.keys.add(k);
  }

  get empty(): boolean {
    return this.keys.size === 0;
  }

  /** Whether a target change to `t` falls in this scope (conservatively: other specs always do). */
  covers(t: TrackedEntry): boolean {
    if (this.empty) return false;
    if (this.whole || t.entry.dataFile.partition.length === 0) return true;
    if ([...this.specs].some((s) => s !== t.specId)) return true;
    return this.keys.has(partitionKey(t));
  }
}

function describePartition(t: TrackedEntry): string {
  const fields = t.header.partitionType.fields;
  if (fields.length === 0) return 'the whole table (unpartitioned)';
  return fields.map((f, i) => `${f.name}=${String(t.entry.dataFile.partition[i])}`).join('/');
}

/** What the target changed since the base: every snapshot after it, with its operation. */
interface TargetChanges {
  snapshots: { snapshot: Snapshot; change: SnapshotChange }[];
}

async function collectTargetChanges(io: TableFileReader, snapshots: Snapshot[]): Promise<TargetChanges> {
  const cache = new Map<string, Manifest>();
  const out: TargetChanges = { snapshots: [] };
  for (const snapshot of snapshots) out.snapshots.push({ snapshot, change: await changesOf(io, snapshot, cache) });
  return out;
}

/** Java's isolation: serializable unless the table says snapshot for this kind of write. */
function serializable(properties: Record<string, string>, operation: string, isolation: RebaseInput['isolation']): boolean {
  if (isolation === 'snapshot') return false;
  const keys = operation === 'delete' ? ['write.delete.isolation-level'] : ['write.update.isolation-level', 'write.merge.isolation-level'];
  return !keys.every((k) => properties[k]?.toLowerCase() === 'snapshot');
}

/**
 * The validations of an Iceberg retry whose starting snapshot is the merge base's, for a source
 * snapshot that removes files or adds deletes, against everything the target did since the base.
 * Conservative where Java uses the engine's row filter: lakecat knows only the partitions.
 */
function validateReplay(
  s: Snapshot,
  operation: string,
  change: SnapshotChange,
  target: TargetChanges,
  live: Map<string, TrackedEntry>,
  properties: Record<string, string>,
  isolation: RebaseInput['isolation'],
): void {
  const removedOnTarget = new Map<string, Snapshot>();
  for (const { snapshot, change: c } of target.snapshots) for (const t of [...c.removedData, ...c.removedDeletes]) removedOnTarget.set(t.entry.dataFile.filePath, snapshot);
  const sid = s.snapshotId;
  // C1: what the source removes, and the data files its deletes point at, are still live.
  for (const t of [...change.removedData, ...change.removedDeletes]) {
    const path = t.entry.dataFile.filePath;
    if (live.has(path)) continue;
    const by = removedOnTarget.get(path);
    // A delete of a file the target deleted too changes nothing more (Java tolerates it).
    if (operation === 'delete' && by?.summary.operation === 'delete') continue;
    conflict('REMOVED_FILE_MISSING', `Source snapshot ${sid} ('${operation}') removes ${path}, which the target ${by ? `removed in snapshot ${by.snapshotId} ('${by.summary.operation}')` : 'does not have'}`, {
      sourceSnapshotId: sid,
      hint: by?.summary.operation === 'replace' ? 'the target compacted these files: re-run the source job on the target' : 'merge this key with FORCE or DROP, or re-run the source job on the target',
    });
  }
  for (const d of change.addedDeletes) {
    const ref = d.entry.dataFile.referencedDataFile;
    if (ref !== undefined && !live.has(ref)) {
      const by = removedOnTarget.get(ref);
      conflict('REMOVED_FILE_MISSING', `Source snapshot ${sid} ('${operation}') deletes rows of ${ref}, which the target ${by ? `removed in snapshot ${by.snapshotId} ('${by.summary.operation}')` : 'does not have'}`, {
        sourceSnapshotId: sid,
        hint: 'the rows were rewritten on the target: re-run the source job on the target',
      });
    }
  }
  const scope = new Scope();
  for (const t of [...change.removedData, ...change.addedDeletes]) scope.add(t);
  if (operation === 'overwrite' || change.addedDeletes.some((d) => d.entry.dataFile.content === 'equality-deletes')) for (const t of change.addedData) scope.add(t);
  if (scope.empty) return;
  const where = scope.examples.join(', ');
  const removedPaths = new Set(change.removedData.map((t) => t.entry.dataFile.filePath));
  for (const { snapshot, change: c } of target.snapshots) {
    // C2: no delete file the target added applies to a data file the source rewrites.
    for (const d of c.addedDeletes) {
      const ref = d.entry.dataFile.referencedDataFile;
      const hits = ref !== undefined ? removedPaths.has(ref) : change.removedData.some((r) => partitionKey(r) === partitionKey(d) || r.entry.dataFile.partition.length === 0);
      if (hits) {
        conflict('DELETES_ON_REWRITTEN_FILE', `The target deleted rows (snapshot ${snapshot.snapshotId}, '${snapshot.summary.operation}') in data files that source snapshot ${sid} ('${operation}') rewrites, in ${where}`, {
          sourceSnapshotId: sid,
          hint: operation === 'replace' ? 'the source only compacted: merge this key with DROP, or compact again after the merge' : 'merge this key with FORCE or DROP, or re-run the source job on the target',
        });
      }
    }
    if (operation === 'replace') continue;
    // C4: no rows the source's scope covers were deleted or rewritten on the target.
    // (The very files a source delete removes, deleted on the target too, are no clash.)
    const sameDelete = (t: TrackedEntry) => operation === 'delete' && snapshot.summary.operation === 'delete' && removedPaths.has(t.entry.dataFile.filePath);
    const touched = [...c.removedData, ...c.addedDeletes].find((t) => scope.covers(t) && !sameDelete(t));
    if (touched) {
      conflict('CONCURRENT_DELETE_IN_SCOPE', `Both sides deleted or rewrote rows in ${describePartition(touched)}: target snapshot ${snapshot.snapshotId} ('${snapshot.summary.operation}') and source snapshot ${sid} ('${operation}')`, {
        sourceSnapshotId: sid,
        hint: 'merge this key with FORCE or DROP, or re-run the source job on the target',
      });
    }
    // C6: a dynamic partition overwrite replaces whole partitions; data the target added to
    // them would survive a replay of the files it removed, whatever the isolation.
    if (s.summary['replace-partitions'] === 'true') {
      const added = c.addedData.find((t) => scope.covers(t));
      if (added) {
        conflict('REPLACED_PARTITION_CHANGED', `Source snapshot ${sid} replaced the partition ${describePartition(added)}, where the target added data (snapshot ${snapshot.snapshotId}, '${snapshot.summary.operation}')`, {
          sourceSnapshotId: sid,
          hint: 're-run the overwrite on the target, or merge this key with FORCE or DROP',
        });
      }
    }
    // C3 (serializable): no data the target added in the scope the source overwrote or deleted.
    if (serializable(properties, operation, isolation)) {
      const added = c.addedData.find((t) => scope.covers(t));
      if (added) {
        conflict('CONCURRENT_DATA_IN_SCOPE', `The target added data in ${describePartition(added)} (snapshot ${snapshot.snapshotId}, '${snapshot.summary.operation}'), where source snapshot ${sid} ('${operation}') deleted or overwrote rows`, {
          sourceSnapshotId: sid,
          hint: "under serializable isolation the source's change could have covered those rows: re-run the source job on the target, or set the table's write.delete/update/merge.isolation-level to snapshot",
        });
      }
    }
  }
}

/** The replayed snapshot's summary: the source's own keys (engine and CDC offsets included), counts of what it wrote, totals from the new parent. */
function replayedSummary(source: Snapshot, previous: Snapshot | undefined, change: SnapshotChange, removedPaths: Set<string>, extra: Record<string, string>): Record<string, string> {
  const summary: Record<string, string> = { ...source.summary };
  for (const k of ['manifests-created', 'manifests-kept', 'manifests-replaced', 'entries-processed']) delete summary[k];
  const removedData = change.removedData.filter((t) => removedPaths.has(t.entry.dataFile.filePath));
  const removedDeletes = change.removedDeletes.filter((t) => removedPaths.has(t.entry.dataFile.filePath));
  const records = (ts: TrackedEntry[]) => sumOf(ts.map((t) => t.entry.dataFile.recordCount)).toString();
  const bytes = (ts: TrackedEntry[]) => sumOf(ts.map((t) => t.entry.dataFile.fileSizeInBytes));
  const ofKind = (ts: TrackedEntry[], kind: string) => ts.filter((t) => t.entry.dataFile.content === kind);
  const counts: Record<string, string> = {
    'added-data-files': String(change.addedData.length),
    'added-records': records(change.addedData),
    'added-files-size': (bytes(change.addedData) + bytes(change.addedDeletes)).toString(),
    'deleted-data-files': String(removedData.length),
    'deleted-records': records(removedData),
    'removed-files-size': (bytes(removedData) + bytes(removedDeletes)).toString(),
    'added-delete-files': String(change.addedDeletes.length),
    'added-position-deletes': records(ofKind(change.addedDeletes, 'position-deletes')),
    'added-equality-deletes': records(ofKind(change.addedDeletes, 'equality-deletes')),
    'removed-delete-files': String(removedDeletes.length),
    'removed-position-deletes': records(ofKind(removedDeletes, 'position-deletes')),
    'removed-equality-deletes': records(ofKind(removedDeletes, 'equality-deletes')),
  };
  for (const [k, v] of Object.entries(counts)) {
    if (v !== '0' || k === 'added-data-files' || k === 'added-records' || k === 'added-files-size') summary[k] = v;
    else delete summary[k];
  }
  for (const [total, add, removed] of TOTALS) {
    const before = previous ? previous.summary[total] : '0';
    if (before === undefined || !/^\d+$/.test(before)) {
      delete summary[total];
      continue;
    }
    summary[total] = (BigInt(before) + BigInt(counts[add] ?? '0') - BigInt(counts[removed] ?? '0')).toString();
  }
  summary[SOURCE_SNAPSHOT_ID] = source.snapshotId.toString();
  return { ...summary, ...extra };
}

export async function rebaseTable(input: RebaseInput): Promise<RebaseResult> {
  const { base, target, source } = input;
  // Files this rebase writes are read back by later replayed snapshots before anything is stored.
  const written = new Map<string, Uint8Array>();
  const io: TableFileReader = { read: async (location) => written.get(location) ?? input.io.read(location) };
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
  // The manifests each replayed snapshot carries over from its parent: the parent's list as
  // stored, decoded only when a replay looks inside (an append only lists them again).
  let carriedList: Uint8Array | undefined = parent?.manifestList ? await io.read(parent.manifestList) : undefined;
  let carriedManifests: ManifestFile[] | undefined;
  const carried = (): ManifestFile[] => (carriedManifests ??= carriedList ? readManifestList(carriedList).manifests : []);
  let sequenceNumber = target.lastSequenceNumber;
  let nextRowId = target.nextRowId ?? 0n;
  const usedIds = new Set(target.snapshots.map((s) => s.snapshotId));

  // What the target changed since the base, read only when a replayed snapshot removes files
  // or adds deletes (an append needs no validation).
  let targetChanges: TargetChanges | undefined;
  const changesOfTarget = async () => (targetChanges ??= await collectTargetChanges(io, historySince(target, base.currentSnapshotId)!));
  // The files live on the target as replay goes: data and delete files by path.
  let live: Map<string, TrackedEntry> | undefined;
  const liveOnTarget = async () => (live ??= await liveFilesOf(io, carried(), manifests));
  const manifests = new Map<string, Manifest>();

  for (const s of toReplay) {
    const operation = s.summary.operation ?? 'append';
    if (!s.manifestList) {
      conflict('UNSUPPORTED_CHANGE', `Source snapshot ${s.snapshotId} has no manifest list (a v1 snapshot with inline manifests)`, { sourceSnapshotId: s.snapshotId });
    }
    const change = await changesOf(io, s, manifests);
    const removes = change.removedData.length > 0 || change.removedDeletes.length > 0;
    if (operation !== 'append' || removes || change.addedDeletes.length > 0) {
      if (formatVersion >= 3) {
        conflict('UNSUPPORTED_CHANGE', `Source snapshot ${s.snapshotId} is a '${operation}' on a v3 table: its rewritten files may carry row ids that cannot be renumbered onto the target`, {
          sourceSnapshotId: s.snapshotId,
          hint: 'merge this key with FORCE (take the source) or DROP (keep the target), or re-run the source job on the target',
        });
      }
      validateReplay(s, operation, change, await changesOfTarget(), await liveOnTarget(), target.properties, input.isolation);
    }

    let id = input.newSnapshotId();
    while (usedIds.has(id)) id = input.newSnapshotId();
    usedIds.add(id);
    sequenceNumber += 1n;

    const created: ManifestFileToWrite[] = [];
    // `partitions`: the summaries of the manifest the entries come from, valid for a subset of them
    // (engines prune manifests by them, so a new manifest should not go without).
    const write = (content: 'data' | 'deletes', header: Manifest, specId: number, entries: ManifestEntry[], partitions: ManifestFile['partitions']): ManifestFileToWrite => {
      const location = input.newFileLocation(`${id}-m${files.length}.avro`);
      const bytes = writeManifest({
        formatVersion,
        schemaJson: header.schemaJson!,
        schemaId: header.schemaId ?? source.currentSchemaId,
        partitionSpecJson: header.partitionSpecJson!,
        specId,
        partitionType: header.partitionType,
        content,
        entries,
      });
      files.push({ location, bytes });
      written.set(location, bytes);
      // The lowest data sequence number among the files it keeps live: entries that keep an
      // older one (EXISTING, or a compaction's kept number) must not look newer than they are,
      // or engines would skip equality deletes that still apply to them.
      const explicit = entries.filter((e) => e.status !== 'deleted' && e.sequenceNumber !== undefined).map((e) => e.sequenceNumber!);
      const minSequenceNumber = formatVersion >= 2 && explicit.length > 0 ? explicit.reduce((a, b) => (b < a ? b : a)) : undefined;
      return {
        ...(minSequenceNumber !== undefined && minSequenceNumber < sequenceNumber ? { minSequenceNumber } : {}),
        ...(partitions ? { partitions } : {}),
        manifestPath: location,
        manifestLength: BigInt(bytes.length),
        partitionSpecId: specId,
        content,
        addedSnapshotId: id,
        ...entryCounts(entries),
      };
    };
    // New files, one manifest per source manifest they came from: status ADDED, sequence
    // number and (v3) row ids inherited from the new snapshot; an explicit data sequence number
    // from before the fork (a compaction that kept it) is kept.
    for (const group of groupByManifest([...change.addedData, ...change.addedDeletes])) {
      const entries: ManifestEntry[] = group.entries.map((t) => {
        const keepSeq = t.entry.sequenceNumber !== undefined && t.explicitSequence && t.entry.sequenceNumber <= base.lastSequenceNumber;
        return {
          status: 'added',
          snapshotId: id,
          ...(keepSeq ? { sequenceNumber: t.entry.sequenceNumber } : {}),
          dataFile: { ...t.entry.dataFile, firstRowId: undefined },
        };
      });
      created.push(write(group.content, group.header, group.specId, entries, group.partitions));
    }
    // Files the snapshot removes: the target's manifests holding them are rewritten, the removed
    // entries DELETED by the new snapshot, the others EXISTING with their sequence numbers.
    const removedPaths = new Set([...change.removedData, ...change.removedDeletes].map((t) => t.entry.dataFile.filePath).filter((p) => live?.has(p)));
    let kept: ManifestFile[] | undefined;
    if (removedPaths.size > 0) {
      kept = [];
      for (const mf of carried()) {
        const manifest = await manifestAt(io, mf.manifestPath, manifests);
        const entries = manifest.entries.map((e) => ({ ...e }));
        inheritFromManifest(entries, mf);
        if (!entries.some((e) => e.status !== 'deleted' && removedPaths.has(e.dataFile.filePath))) {
          kept.push(mf);
          continue;
        }
        const rewritten: ManifestEntry[] = entries
          .filter((e) => e.status !== 'deleted')
          .map((e) => ({ ...e, status: removedPaths.has(e.dataFile.filePath) ? 'deleted' : 'existing', ...(removedPaths.has(e.dataFile.filePath) ? { snapshotId: id } : {}) }));
        // Written even when nothing stays live in it: the new snapshot records what it removed.
        created.push(write(mf.content, manifest, mf.partitionSpecId, rewritten, mf.partitions));
      }
      for (const p of removedPaths) live?.delete(p);
    }
    if (live) for (const t of [...change.addedData, ...change.addedDeletes]) live.set(t.entry.dataFile.filePath, t);

    // New manifests first, as Iceberg lists them; the target's untouched ones are carried (as
    // stored, unless some were rewritten above or v3 row ids are to be counted).
    let listed: ManifestFileToWrite[] = kept || formatVersion >= 3 ? [...created, ...(kept ?? carried())] : created;
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
      ...(listed === created && carriedList ? { carriedList } : {}),
    });
    files.push({ location: listLocation, bytes: listBytes });
    written.set(listLocation, listBytes);
    const snapshot: Snapshot = {
      snapshotId: id,
      ...(parent ? { parentSnapshotId: parent.snapshotId } : {}),
      ...(formatVersion >= 2 ? { sequenceNumber } : {}),
      timestampMs: input.nowMs,
      manifestList: listLocation,
      summary: replayedSummary(s, parent, change, removedPaths, input.summary ?? {}),
      ...(s.schemaId !== undefined ? { schemaId: s.schemaId } : {}),
      ...(formatVersion >= 3 ? { firstRowId: nextRowId, addedRows } : {}),
    };
    updates.push({ action: 'add-snapshot', snapshot });
    replayed.push({ source: s.snapshotId, target: id });
    if (addedRows !== undefined) nextRowId += addedRows;
    // What the next replayed snapshot carries: everything this one lists, as written (with the
    // sequence numbers the list writer gave the new manifests and, v3, the row ids assigned).
    carriedList = listBytes;
    carriedManifests = undefined;
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
