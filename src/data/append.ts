/**
 * Appending rows to a table on a branch, as engines do through the REST protocol: data files
 * (data-files.ts), one manifest of ADDED entries, a manifest list with the new manifest first and
 * the parent's manifests after it (copied as stored), then one commit of `add-snapshot` +
 * `set-snapshot-ref main` guarded by `assert-ref-snapshot-id`. The snapshot summary carries
 * Java's `added-*` and `total-*` keys; v3 tables get row lineage (`first-row-id`, `added-rows`).
 *
 * A lost race (409) rewrites only the manifest list on the new head and commits again (the data
 * files and the manifest stay valid); after the last attempt, or on any definite failure,
 * everything written is deleted. A commit whose outcome is unknown (5xx, or no answer) deletes
 * nothing: the files may already belong to the table.
 */
import { randomBytes } from 'node:crypto';
import type { ObjectStore } from '../io/port.js';
import type { DataFile, FieldSummary, Manifest, ManifestEntry, ManifestFile, ManifestFileToWrite } from '../iceberg/manifest/index.js';
import { readManifest, readManifestList, writeManifest, writeManifestList } from '../iceberg/manifest/index.js';
import type { PartitionSpec, Schema, Snapshot, TableMetadata } from '../iceberg/model.js';
import { partitionType } from '../iceberg/partitioning.js';
import { schemaToJson } from '../iceberg/schema-json.js';
import { stringifyJson } from '../iceberg/json.js';
import { compareBytes, hasSingleValueForm, toSingleValueBytes, type SingleValue } from '../iceberg/single-value.js';
import { parsePrimitive } from '../iceberg/types.js';
import type { Row } from './arrow-build.js';
import type { Input } from './inputs.js';
import { writeDataFiles } from './data-files.js';
import { RestError, type IcebergRestClient, type LoadedTable } from './rest-client.js';

export interface AppendRequest {
  client: IcebergRestClient;
  /** The object store the table's files go to (built from the table's location and vended config). */
  store: ObjectStore;
  namespace: string[];
  table: string;
  /**
   * The rows, all at once or in chunks as they are read (a chunk is not kept once written): rows,
   * or records of an input file, cast to the table's schema while written.
   */
  rows: readonly Row[] | AsyncIterable<readonly Row[] | Input>;
  newId: () => string;
  now?: () => number;
  /** Commit attempts on lost races (default 5). */
  attempts?: number;
  maxRowsPerFile?: number;
  /** The schema the rows were cast for: a table whose current schema changed since is refused. */
  expectSchemaId?: number;
  /** `overwrite` replaces every row of the branch's table (an `overwrite` snapshot); default `append`. */
  mode?: 'append' | 'overwrite';
}

export interface AppendResult {
  snapshotId: bigint;
  dataFiles: DataFile[];
  addedRecords: bigint;
  attempts: number;
  metadataLocation: string;
}

/** The outcome of the commit is unknown: nothing was deleted, the table may hold the snapshot. */
export class CommitStateUnknownError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CommitStateUnknownError';
  }
}

export async function appendRows(req: AppendRequest): Promise<AppendResult> {
  const now = req.now ?? Date.now;
  const written: string[] = [];
  const cleanUp = async () => {
    await Promise.all(written.map((location) => req.store.delete(location).catch(() => undefined)));
  };
  try {
    let loaded = await req.client.loadTable(req.namespace, req.table);
    const base = loaded.metadata;
    const schema = currentSchema(base);
    if (req.expectSchemaId !== undefined && schema.schemaId !== req.expectSchemaId) {
      throw new RestError(409, 'CommitFailedException', `The table's schema changed while loading (schema ${req.expectSchemaId} -> ${schema.schemaId}); run the load again`);
    }
    const spec = base.partitionSpecs.find((s) => s.specId === base.defaultSpecId)!;
    const dataFiles = await writeDataFiles(
      { schema, spec, location: base.location.replace(/\/+$/, ''), properties: base.properties },
      req.rows,
      req.store,
      { newId: req.newId, maxRowsPerFile: req.maxRowsPerFile, wrote: (l) => written.push(l) },
    );
    const snapshotId = newSnapshotId(base);
    const manifest = await writeNewManifest(req, base, schema, spec, snapshotId, dataFiles, written);
    // Commit on a fresh view of the table: writing the files took a while, and the read right
    // before the commit also leaves a live connection for it.
    loaded = await req.client.loadTable(req.namespace, req.table);
    const attempts = req.attempts ?? 5;
    for (let attempt = 1; ; attempt++) {
      const metadata = loaded.metadata;
      const parent = mainSnapshot(metadata);
      const listLocation = `${metadataFolder(metadata)}/snap-${snapshotId}-${attempt}-${req.newId()}.avro`;
      const sequenceNumber = metadata.formatVersion >= 2 ? (metadata.lastSequenceNumber ?? 0n) + 1n : undefined;
      const firstRowId = metadata.formatVersion >= 3 ? (metadata.nextRowId ?? 0n) : undefined;
      // An overwrite lists the parent's live files again as DELETED (on every attempt: a lost
      // race changes what there is to delete); an append carries the parent's manifests as they are.
      const removed = req.mode === 'overwrite' && parent?.manifestList ? await removeAll(req, parent.manifestList, snapshotId, written) : undefined;
      const list = writeManifestList({
        formatVersion: metadata.formatVersion,
        snapshotId,
        parentSnapshotId: parent?.snapshotId,
        sequenceNumber,
        firstRowId,
        manifests: [manifest, ...(removed?.manifests ?? [])],
        carriedList: req.mode !== 'overwrite' && parent?.manifestList ? await req.store.read(parent.manifestList) : undefined,
      });
      await req.store.write(listLocation, list, { ifAbsent: true, contentType: 'application/octet-stream' });
      written.push(listLocation);
      const addedRecords = dataFiles.reduce((sum, f) => sum + f.recordCount, 0n);
      const snapshot: Snapshot = {
        snapshotId,
        parentSnapshotId: parent?.snapshotId,
        sequenceNumber,
        timestampMs: Math.max(now(), metadata.lastUpdatedMs),
        manifestList: listLocation,
        summary: summaryOf(dataFiles, parent, removed),
        schemaId: schema.schemaId,
        ...(firstRowId !== undefined ? { firstRowId, addedRows: addedRecords } : {}),
      };
      try {
        const committed = await commitSnapshot(req, metadata, parent, snapshot, written);
        return { snapshotId, dataFiles, addedRecords, attempts: attempt, metadataLocation: committed.metadataLocation };
      } catch (err) {
        if (err instanceof RestError && err.status === 409 && attempt < attempts) {
          // Lost a race: the files and the manifest stay; the list (and an overwrite's DELETED
          // manifests) are written again on the new head.
          for (const location of [listLocation, ...(removed?.manifests.map((m) => m.manifestPath) ?? [])]) {
            await req.store.delete(location).catch(() => undefined);
            written.splice(written.indexOf(location), 1);
          }
          await new Promise((resolve) => setTimeout(resolve, 20 * attempt + Math.random() * 30));
          loaded = await req.client.loadTable(req.namespace, req.table);
          continue;
        }
        throw err;
      }
    }
  } catch (err) {
    if (!(err instanceof CommitStateUnknownError)) await cleanUp();
    throw err;
  }
}

/**
 * Commits `snapshot` as the new head of the table's `main` (the branch the client's prefix
 * names), guarded by the head it was planned on. A 409 (lost race) comes back as the RestError;
 * an answer that leaves the outcome unknown (a 5xx, or none) as CommitStateUnknownError, naming
 * the files kept.
 */
export async function commitSnapshot(
  req: { client: IcebergRestClient; namespace: string[]; table: string },
  metadata: TableMetadata,
  parent: Snapshot | undefined,
  snapshot: Snapshot,
  written: readonly string[],
): Promise<LoadedTable> {
  try {
    return await req.client.commitTable(
      req.namespace,
      req.table,
      [
        { type: 'assert-table-uuid', uuid: metadata.tableUuid },
        { type: 'assert-ref-snapshot-id', ref: 'main', snapshotId: parent?.snapshotId ?? null },
      ],
      [
        { action: 'add-snapshot', snapshot },
        { action: 'set-snapshot-ref', refName: 'main', type: 'branch', snapshotId: snapshot.snapshotId },
      ],
    );
  } catch (err) {
    if (!(err instanceof RestError) || err.status >= 500) {
      throw new CommitStateUnknownError(
        `The commit's outcome is unknown (${err instanceof Error ? err.message : String(err)}); the written files were kept: ${written.join(', ')}`,
        { cause: err },
      );
    }
    throw err;
  }
}

/** The table's current schema. */
export function currentSchema(m: TableMetadata): Schema {
  const schema = m.schemas.find((s) => s.schemaId === m.currentSchemaId);
  if (!schema) throw new Error(`Table metadata has no current schema ${m.currentSchemaId}`);
  return schema;
}

export function mainSnapshot(m: TableMetadata): Snapshot | undefined {
  const id = m.refs?.main?.snapshotId ?? m.currentSnapshotId;
  return id === undefined || id === null || id === -1n ? undefined : m.snapshots?.find((s) => s.snapshotId === id);
}

export function metadataFolder(m: TableMetadata): string {
  return (m.properties['write.metadata.path'] ?? `${m.location.replace(/\/+$/, '')}/metadata`).replace(/\/+$/, '');
}

/** A positive 63-bit id no snapshot of the table has (Java derives one from a random UUID the same way). */
export function newSnapshotId(m: TableMetadata): bigint {
  const taken = new Set((m.snapshots ?? []).map((s) => s.snapshotId));
  for (;;) {
    const id = BigInt.asUintN(63, randomBytes(8).readBigUInt64BE());
    if (id !== 0n && !taken.has(id)) return id;
  }
}

/** The files a snapshot adds, in one new manifest of ADDED entries (a delete manifest for delete files). */
export async function writeNewManifest(
  req: Writer,
  m: TableMetadata,
  schema: Schema,
  spec: PartitionSpec,
  snapshotId: bigint,
  files: DataFile[],
  written: string[],
  content: 'data' | 'deletes' = 'data',
): Promise<ManifestFileToWrite> {
  const type = partitionType(spec, schema);
  const bytes = writeManifest({
    formatVersion: m.formatVersion,
    schemaJson: stringifyJson(schemaToJson(schema)),
    schemaId: schema.schemaId,
    partitionSpecJson: stringifyJson(spec.fields.map((f) => ({ name: f.name, transform: f.transform, 'source-id': f.sourceId, 'field-id': f.fieldId }))),
    specId: spec.specId,
    partitionType: type,
    content,
    entries: files.map((dataFile) => ({ status: 'added', snapshotId, dataFile })),
  });
  const location = `${metadataFolder(m)}/${req.newId()}-m${content === 'data' ? 0 : 1}.avro`;
  await req.store.write(location, bytes, { ifAbsent: true, contentType: 'application/octet-stream' });
  written.push(location);
  return {
    manifestPath: location,
    manifestLength: BigInt(bytes.length),
    partitionSpecId: spec.specId,
    content,
    addedSnapshotId: snapshotId,
    addedFilesCount: files.length,
    existingFilesCount: 0,
    deletedFilesCount: 0,
    addedRowsCount: files.reduce((sum, f) => sum + f.recordCount, 0n),
    existingRowsCount: 0n,
    deletedRowsCount: 0n,
    partitions: type.fields.map((field, i) => fieldSummary(field.type as string, files.map((f) => f.partition[i]))),
  };
}

/** The manifest list's summary of one partition field over the manifest's files. */
export function fieldSummary(type: string, values: readonly (SingleValue | null)[]): FieldSummary {
  const summary: FieldSummary = { containsNull: values.some((v) => v === null) };
  const parsed = parsePrimitive(type);
  if (parsed.kind === 'float' || parsed.kind === 'double') summary.containsNan = values.some((v) => typeof v === 'number' && Number.isNaN(v));
  if (!hasSingleValueForm(parsed)) return summary;
  let lower: Uint8Array | undefined;
  let upper: Uint8Array | undefined;
  let lowValue: SingleValue | undefined;
  let highValue: SingleValue | undefined;
  for (const v of values) {
    if (v === null || (typeof v === 'number' && Number.isNaN(v))) continue;
    if (lowValue === undefined || order(parsed.kind, v, lowValue) < 0) lowValue = v;
    if (highValue === undefined || order(parsed.kind, v, highValue) > 0) highValue = v;
  }
  if (lowValue !== undefined) lower = toSingleValueBytes(parsed, lowValue);
  if (highValue !== undefined) upper = toSingleValueBytes(parsed, highValue);
  if (lower) summary.lowerBound = lower;
  if (upper) summary.upperBound = upper;
  return summary;
}

function order(kind: string, a: SingleValue, b: SingleValue): number {
  if (a instanceof Uint8Array && b instanceof Uint8Array) return compareBytes(a, b);
  if (kind === 'string') {
    return compareBytes(new TextEncoder().encode(a as string), new TextEncoder().encode(b as string));
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Java's `SnapshotSummary` keys: what was added (data files, and delete files for a row delta),
 * what was removed (an overwrite), and the running totals.
 */
export function summaryOf(files: DataFile[], parent: Snapshot | undefined, removed?: Removed, addedDeletes: DataFile[] = []): Record<string, string> {
  const added = tally([...files, ...addedDeletes]);
  const deleted = tally(removed?.files ?? []);
  const key = (p: DataFile['partition']) => JSON.stringify(p, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? [...v] : v));
  const partitions = new Set([...files, ...addedDeletes, ...(removed?.files ?? [])].map((f) => key(f.partition)));
  const summary: Record<string, string> = {
    operation: removed || addedDeletes.length > 0 ? 'overwrite' : 'append',
    'added-data-files': String(added.dataFiles),
    'added-records': String(added.records),
    'added-files-size': String(added.size),
  };
  if (added.deleteFiles > 0n) {
    summary['added-delete-files'] = String(added.deleteFiles);
    if (added.equalityFiles > 0n) summary['added-equality-delete-files'] = String(added.equalityFiles);
    if (added.equalityFiles > 0n) summary['added-equality-deletes'] = String(added.equalityDeletes);
    if (added.positionFiles > 0n) summary['added-position-delete-files'] = String(added.positionFiles);
    if (added.positionFiles > 0n) summary['added-position-deletes'] = String(added.positionDeletes);
  }
  if (removed) {
    summary['deleted-data-files'] = String(deleted.dataFiles);
    summary['deleted-records'] = String(deleted.records);
    summary['removed-files-size'] = String(deleted.size);
    if (deleted.deleteFiles > 0n) summary['removed-delete-files'] = String(deleted.deleteFiles);
  }
  summary['changed-partition-count'] = String(partitions.size);
  // Without a parent the totals start at 0; a parent without a total leaves it unknown (as Java does).
  const previous = parent?.summary ?? {
    'total-records': '0',
    'total-files-size': '0',
    'total-data-files': '0',
    'total-delete-files': '0',
    'total-position-deletes': '0',
    'total-equality-deletes': '0',
  };
  const total = (name: string, delta: bigint) => {
    const before = previous[name];
    if (before !== undefined && /^\d+$/.test(before)) summary[name] = String(BigInt(before) + delta);
  };
  total('total-records', added.records - deleted.records);
  total('total-files-size', added.size - deleted.size);
  total('total-data-files', added.dataFiles - deleted.dataFiles);
  total('total-delete-files', added.deleteFiles - deleted.deleteFiles);
  total('total-position-deletes', added.positionDeletes - deleted.positionDeletes);
  total('total-equality-deletes', added.equalityDeletes - deleted.equalityDeletes);
  return summary;
}

/** Counts of data and delete files as the summary keys need them (sizes of both kinds together). */
function tally(files: readonly DataFile[]) {
  const t = { dataFiles: 0n, records: 0n, size: 0n, deleteFiles: 0n, equalityFiles: 0n, equalityDeletes: 0n, positionFiles: 0n, positionDeletes: 0n };
  for (const f of files) {
    t.size += f.fileSizeInBytes;
    if (f.content === 'data') {
      t.dataFiles++;
      t.records += f.recordCount;
    } else if (f.content === 'equality-deletes') {
      t.deleteFiles++;
      t.equalityFiles++;
      t.equalityDeletes += f.recordCount;
    } else {
      t.deleteFiles++;
      t.positionFiles++;
      t.positionDeletes += f.recordCount;
    }
  }
  return t;
}

/** What a snapshot writes with: the table's object store and fresh names. */
export interface Writer {
  store: ObjectStore;
  newId: () => string;
}

export interface Removed {
  manifests: ManifestFileToWrite[];
  files: DataFile[];
}

/**
 * For an overwrite of everything: the parent's live data and delete files, each parent manifest
 * written again with them as DELETED entries (sequence numbers kept), as Java's overwrite does.
 */
export async function removeAll(req: Writer, manifestList: string, snapshotId: bigint, written: string[]): Promise<Removed> {
  const list = readManifestList(await req.store.read(manifestList));
  const out: Removed = { manifests: [], files: [] };
  for (const source of list.manifests) {
    const read = readManifest(await req.store.read(source.manifestPath), { manifest: source });
    const live = read.entries.filter((e) => e.status !== 'deleted');
    if (live.length === 0) continue;
    const location = manifestList.replace(/\/[^/]*$/, `/${req.newId()}-m-deleted.avro`);
    const entries = live.map((e): ManifestEntry => ({ ...e, status: 'deleted', snapshotId }));
    out.files.push(...live.map((e) => e.dataFile));
    out.manifests.push(await writeManifestAgain(req, source, read, entries, snapshotId, location, written));
  }
  return out;
}

/**
 * `read` (the manifest `source` lists) written again at `location` with `entries` (EXISTING and
 * DELETED ones of the snapshot `snapshotId`), under its own header, and described for the new
 * manifest list. Sequence numbers are left to the caller (unset: the list assigns the snapshot's).
 */
export async function writeManifestAgain(
  writer: Writer,
  source: ManifestFile,
  read: Manifest,
  entries: ManifestEntry[],
  snapshotId: bigint,
  location: string,
  written: string[],
): Promise<ManifestFileToWrite> {
  const bytes = writeManifest({
    formatVersion: read.formatVersion,
    schemaJson: read.schemaJson ?? '{}',
    schemaId: read.schemaId ?? 0,
    partitionSpecJson: read.partitionSpecJson ?? '[]',
    specId: read.specId ?? source.partitionSpecId,
    partitionType: read.partitionType,
    content: read.content,
    entries,
  });
  await writer.store.write(location, bytes, { ifAbsent: true, contentType: 'application/octet-stream' });
  written.push(location);
  const existing = entries.filter((e) => e.status === 'existing');
  const deleted = entries.filter((e) => e.status === 'deleted');
  return {
    manifestPath: location,
    manifestLength: BigInt(bytes.length),
    partitionSpecId: source.partitionSpecId,
    content: source.content,
    addedSnapshotId: snapshotId,
    addedFilesCount: 0,
    existingFilesCount: existing.length,
    deletedFilesCount: deleted.length,
    addedRowsCount: 0n,
    existingRowsCount: existing.reduce((s, e) => s + e.dataFile.recordCount, 0n),
    deletedRowsCount: deleted.reduce((s, e) => s + e.dataFile.recordCount, 0n),
    partitions: read.partitionType.fields.map((field, i) =>
      fieldSummary(typeof field.type === 'string' ? field.type : 'unknown', entries.map((e) => e.dataFile.partition[i])),
    ),
  };
}

export type { LoadedTable };
