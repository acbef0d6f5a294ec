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
import type { DataFile, FieldSummary, ManifestFileToWrite } from '../iceberg/manifest/index.js';
import { writeManifest, writeManifestList } from '../iceberg/manifest/index.js';
import type { PartitionSpec, Schema, Snapshot, TableMetadata } from '../iceberg/model.js';
import { partitionType } from '../iceberg/partitioning.js';
import { schemaToJson } from '../iceberg/schema-json.js';
import { stringifyJson } from '../iceberg/json.js';
import { compareBytes, hasSingleValueForm, toSingleValueBytes, type SingleValue } from '../iceberg/single-value.js';
import { parsePrimitive } from '../iceberg/types.js';
import type { Row } from './arrow-build.js';
import { writeDataFiles } from './data-files.js';
import { RestError, type IcebergRestClient, type LoadedTable } from './rest-client.js';

export interface AppendRequest {
  client: IcebergRestClient;
  /** The object store the table's files go to (built from the table's location and vended config). */
  store: ObjectStore;
  namespace: string[];
  table: string;
  rows: readonly Row[];
  newId: () => string;
  now?: () => number;
  /** Commit attempts on lost races (default 5). */
  attempts?: number;
  maxRowsPerFile?: number;
  /** The schema the rows were cast for: a table whose current schema changed since is refused. */
  expectSchemaId?: number;
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
      const list = writeManifestList({
        formatVersion: metadata.formatVersion,
        snapshotId,
        parentSnapshotId: parent?.snapshotId,
        sequenceNumber,
        firstRowId,
        manifests: [manifest],
        carriedList: parent?.manifestList ? await req.store.read(parent.manifestList) : undefined,
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
        summary: summaryOf(dataFiles, parent),
        schemaId: schema.schemaId,
        ...(firstRowId !== undefined ? { firstRowId, addedRows: addedRecords } : {}),
      };
      try {
        const committed = await req.client.commitTable(
          req.namespace,
          req.table,
          [
            { type: 'assert-table-uuid', uuid: metadata.tableUuid },
            { type: 'assert-ref-snapshot-id', ref: 'main', snapshotId: parent?.snapshotId ?? null },
          ],
          [
            { action: 'add-snapshot', snapshot },
            { action: 'set-snapshot-ref', refName: 'main', type: 'branch', snapshotId },
          ],
        );
        return { snapshotId, dataFiles, addedRecords, attempts: attempt, metadataLocation: committed.metadataLocation };
      } catch (err) {
        if (err instanceof RestError && err.status === 409 && attempt < attempts) {
          // Lost a race: the files and the manifest stay; only the list is written again on the new head.
          await req.store.delete(listLocation).catch(() => undefined);
          written.splice(written.indexOf(listLocation), 1);
          await new Promise((resolve) => setTimeout(resolve, 20 * attempt + Math.random() * 30));
          loaded = await req.client.loadTable(req.namespace, req.table);
          continue;
        }
        if (!(err instanceof RestError) || err.status >= 500) {
          throw new CommitStateUnknownError(
            `The commit's outcome is unknown (${err instanceof Error ? err.message : String(err)}); the written files were kept: ${written.join(', ')}`,
            { cause: err },
          );
        }
        throw err;
      }
    }
  } catch (err) {
    if (!(err instanceof CommitStateUnknownError)) await cleanUp();
    throw err;
  }
}

function currentSchema(m: TableMetadata): Schema {
  const schema = m.schemas.find((s) => s.schemaId === m.currentSchemaId);
  if (!schema) throw new Error(`Table metadata has no current schema ${m.currentSchemaId}`);
  return schema;
}

function mainSnapshot(m: TableMetadata): Snapshot | undefined {
  const id = m.refs?.main?.snapshotId ?? m.currentSnapshotId;
  return id === undefined || id === null || id === -1n ? undefined : m.snapshots?.find((s) => s.snapshotId === id);
}

function metadataFolder(m: TableMetadata): string {
  return (m.properties['write.metadata.path'] ?? `${m.location.replace(/\/+$/, '')}/metadata`).replace(/\/+$/, '');
}

/** A positive 63-bit id no snapshot of the table has (Java derives one from a random UUID the same way). */
function newSnapshotId(m: TableMetadata): bigint {
  const taken = new Set((m.snapshots ?? []).map((s) => s.snapshotId));
  for (;;) {
    const id = BigInt.asUintN(63, randomBytes(8).readBigUInt64BE());
    if (id !== 0n && !taken.has(id)) return id;
  }
}

async function writeNewManifest(
  req: AppendRequest,
  m: TableMetadata,
  schema: Schema,
  spec: PartitionSpec,
  snapshotId: bigint,
  files: DataFile[],
  written: string[],
): Promise<ManifestFileToWrite> {
  const type = partitionType(spec, schema);
  const bytes = writeManifest({
    formatVersion: m.formatVersion,
    schemaJson: stringifyJson(schemaToJson(schema)),
    schemaId: schema.schemaId,
    partitionSpecJson: stringifyJson(spec.fields.map((f) => ({ name: f.name, transform: f.transform, 'source-id': f.sourceId, 'field-id': f.fieldId }))),
    specId: spec.specId,
    partitionType: type,
    content: 'data',
    entries: files.map((dataFile) => ({ status: 'added', snapshotId, dataFile })),
  });
  const location = `${metadataFolder(m)}/${req.newId()}-m0.avro`;
  await req.store.write(location, bytes, { ifAbsent: true, contentType: 'application/octet-stream' });
  written.push(location);
  return {
    manifestPath: location,
    manifestLength: BigInt(bytes.length),
    partitionSpecId: spec.specId,
    content: 'data',
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

/** Java's `SnapshotSummary` keys for an append: what was added, and the running totals. */
function summaryOf(files: DataFile[], parent: Snapshot | undefined): Record<string, string> {
  const added = {
    files: BigInt(files.length),
    records: files.reduce((s, f) => s + f.recordCount, 0n),
    size: files.reduce((s, f) => s + f.fileSizeInBytes, 0n),
  };
  const partitions = new Set(files.map((f) => JSON.stringify(f.partition, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? [...v] : v))));
  const summary: Record<string, string> = {
    operation: 'append',
    'added-data-files': String(added.files),
    'added-records': String(added.records),
    'added-files-size': String(added.size),
    'changed-partition-count': String(partitions.size),
  };
  // Without a parent the totals start at 0; a parent without a total leaves it unknown (as Java does).
  const previous = parent?.summary ?? {
    'total-records': '0',
    'total-files-size': '0',
    'total-data-files': '0',
    'total-delete-files': '0',
    'total-position-deletes': '0',
    'total-equality-deletes': '0',
  };
  const total = (key: string, plus: bigint) => {
    const before = previous[key];
    if (before !== undefined && /^\d+$/.test(before)) summary[key] = String(BigInt(before) + plus);
  };
  total('total-records', added.records);
  total('total-files-size', added.size);
  total('total-data-files', added.files);
  total('total-delete-files', 0n);
  total('total-position-deletes', 0n);
  total('total-equality-deletes', 0n);
  return summary;
}

export type { LoadedTable };
