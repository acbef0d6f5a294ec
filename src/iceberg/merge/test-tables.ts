/**
 * Test support for the merge tests: tables whose manifests live in memory, changed the way an
 * engine changes them (one snapshot per change, on `main`). Not used by the catalog itself.
 */
import { assignFirstRowIds, entryCounts, inheritFromManifest, readManifest, readManifestList, writeManifest, writeManifestList } from '../manifest/index.js';
import type { DataFile, Manifest, ManifestEntry, ManifestFileToWrite } from '../manifest/index.js';
import type { FormatVersion, Schema, Snapshot, TableMetadata, TableUpdate } from '../model.js';
import { newTableMetadata } from '../new-table-metadata.js';
import { partitionType } from '../partitioning.js';
import { partitionSpecToJson, schemaToJson } from '../schema-json.js';
import { applyUpdates } from '../table-metadata-builder.js';

export const SCHEMA: Schema = {
  type: 'struct',
  schemaId: 0,
  fields: [
    { id: 1, name: 'id', required: true, type: 'long' },
    { id: 2, name: 'amount', required: false, type: 'double' },
  ],
};
export const LOCATION = 'mem://warehouse/sales/orders';

/** An in-memory table folder: the files the test tables and the merge write. */
export class Files {
  readonly bytes = new Map<string, Uint8Array>();
  /** Manifests already parsed, by location (files are never rewritten). */
  readonly parsed = new Map<string, Manifest>();
  private nextId = 1000n;
  newId = (): bigint => ++this.nextId;
  read = async (location: string): Promise<Uint8Array> => {
    const b = this.bytes.get(location);
    if (!b) throw new Error(`no file ${location}`);
    return b;
  };
}

export function table(formatVersion: FormatVersion, properties: Record<string, string> = {}, location = LOCATION): TableMetadata {
  return newTableMetadata({ schema: SCHEMA, location, formatVersion, properties, nowMs: 1_000 });
}

/** A table partitioned by identity on a string column `part`. */
export function partitionedTable(formatVersion: FormatVersion, properties: Record<string, string> = {}): TableMetadata {
  const schema: Schema = { ...SCHEMA, fields: [...SCHEMA.fields, { id: 3, name: 'part', required: false, type: 'string' }] };
  return newTableMetadata({
    schema,
    spec: { specId: 0, fields: [{ sourceId: 3, fieldId: 1000, name: 'part', transform: 'identity' }] },
    location: LOCATION,
    formatVersion,
    properties,
    nowMs: 1_000,
  });
}

export function dataFile(name: string, records: bigint, location = LOCATION, partition: string[] = []): DataFile {
  return { content: 'data', filePath: `${location}/data/${name}`, fileFormat: 'PARQUET', partition, recordCount: records, fileSizeInBytes: 100n * records };
}

export function apply(m: TableMetadata, updates: TableUpdate[]): TableMetadata {
  return applyUpdates(m, updates, { nowMs: m.lastUpdatedMs + 1 }).metadata;
}

function writeOne(files: Files, m: TableMetadata, id: bigint, entries: ManifestEntry[], index: number): ManifestFileToWrite {
  const path = `${m.location}/metadata/${id}-m${index}.avro`;
  const schema = m.schemas.find((s) => s.schemaId === m.currentSchemaId)!;
  const spec = m.partitionSpecs.find((s) => s.specId === m.defaultSpecId)!;
  const bytes = writeManifest({
    formatVersion: m.formatVersion,
    schemaJson: JSON.stringify(schemaToJson(schema)),
    schemaId: m.currentSchemaId,
    partitionSpecJson: JSON.stringify(partitionSpecToJson(spec).fields),
    specId: spec.specId,
    partitionType: partitionType(spec, schema),
    content: 'data',
    entries,
  });
  files.bytes.set(path, bytes);
  const kept = entries.filter((e) => e.status !== 'deleted' && e.sequenceNumber !== undefined).map((e) => e.sequenceNumber!);
  // Partition summaries as Java writes them, for the string partitions these tables use.
  const values = entries.filter((e) => e.status !== 'deleted').map((e) => e.dataFile.partition[0] as string | null | undefined);
  const present = values.filter((v): v is string => typeof v === 'string').sort();
  const partitions =
    spec.fields.length === 1 && values.length > 0
      ? [
          {
            containsNull: present.length < values.length,
            ...(present.length > 0 ? { lowerBound: new TextEncoder().encode(present[0]), upperBound: new TextEncoder().encode(present.at(-1)!) } : {}),
          },
        ]
      : undefined;
  return {
    ...(m.formatVersion >= 2 && kept.length > 0 ? { minSequenceNumber: kept.reduce((a, b) => (b < a ? b : a)) } : {}),
    ...(partitions ? { partitions } : {}),
    manifestPath: path,
    manifestLength: BigInt(bytes.length),
    partitionSpecId: 0,
    content: 'data',
    addedSnapshotId: id,
    ...entryCounts(entries),
  };
}

/**
 * Checks the manifest list of the current snapshot: no manifest claims a minimum data sequence
 * number above one of its live files' (engines skip equality deletes by it).
 */
export function minSequenceNumbersHold(files: Files, m: TableMetadata): boolean {
  const current = m.snapshots.find((s) => s.snapshotId === m.currentSnapshotId);
  if (!current?.manifestList || m.formatVersion < 2) return true;
  for (const mf of readManifestList(files.bytes.get(current.manifestList)!).manifests) {
    const entries = readManifest(files.bytes.get(mf.manifestPath)!).entries.map((e) => ({ ...e }));
    inheritFromManifest(entries, mf);
    if (entries.some((e) => e.status !== 'deleted' && e.sequenceNumber! < mf.minSequenceNumber)) return false;
  }
  return true;
}

/** The live entries of the current snapshot, with inherited sequence numbers and snapshot ids. */
export function liveEntries(files: Files, m: TableMetadata): ManifestEntry[] {
  const current = m.snapshots.find((s) => s.snapshotId === m.currentSnapshotId);
  if (!current?.manifestList) return [];
  const out: ManifestEntry[] = [];
  for (const mf of readManifestList(files.bytes.get(current.manifestList)!).manifests) {
    let manifest = files.parsed.get(mf.manifestPath);
    if (!manifest) files.parsed.set(mf.manifestPath, (manifest = readManifest(files.bytes.get(mf.manifestPath)!)));
    const entries = manifest.entries.map((e) => ({ ...e }));
    inheritFromManifest(entries, mf);
    out.push(...entries.filter((e) => e.status !== 'deleted'));
  }
  return out;
}

/**
 * One engine commit on `main`: `added` files, and `removed` file names taken out. An append
 * writes one new manifest listed before the parent's (as FastAppend); a change that removes
 * files rewrites every live entry into one manifest (existing, deleted, added), as a merging
 * commit does. The summary carries the operation and Iceberg's totals.
 */
export function commit(files: Files, m: TableMetadata, operation: string, added: DataFile[], removed: string[] = [], summary: Record<string, string> = {}): TableMetadata {
  const id = files.newId();
  const seq = m.formatVersion >= 2 ? m.lastSequenceNumber + 1n : undefined;
  const parent = m.snapshots.find((s) => s.snapshotId === m.currentSnapshotId);
  const fresh: ManifestEntry[] = added.map((dataFile) => ({ status: 'added', snapshotId: id, dataFile }));
  let manifests: ManifestFileToWrite[];
  if (removed.length === 0) {
    const previous = parent?.manifestList ? readManifestList(files.bytes.get(parent.manifestList)!).manifests : [];
    manifests = [writeOne(files, m, id, fresh, 0), ...previous];
  } else {
    const live = liveEntries(files, m);
    const name = (e: ManifestEntry) => e.dataFile.filePath.split('/').pop()!;
    const kept: ManifestEntry[] = live.map((e) => ({ ...e, status: removed.includes(name(e)) ? 'deleted' : 'existing', ...(removed.includes(name(e)) ? { snapshotId: id } : {}) }));
    manifests = [writeOne(files, m, id, [...fresh, ...kept], 0)];
  }
  const listPath = `${m.location}/metadata/snap-${id}.avro`;
  const nextRowId = m.nextRowId ?? 0n;
  files.bytes.set(listPath, writeManifestList({ formatVersion: m.formatVersion, snapshotId: id, parentSnapshotId: parent?.snapshotId, sequenceNumber: seq, firstRowId: m.formatVersion >= 3 ? nextRowId : undefined, manifests }));
  const records = added.reduce((a, f) => a + f.recordCount, 0n);
  // v3: the rows the list writer numbered (new manifests, and rewritten ones without an id yet).
  const addedRows = m.formatVersion >= 3 ? assignFirstRowIds(manifests, nextRowId).nextRowId - nextRowId : undefined;
  const liveAfter = removed.length === 0 ? undefined : liveEntries(files, { ...m, snapshots: [...m.snapshots, { snapshotId: id, timestampMs: 0, manifestList: listPath, summary: {} }], currentSnapshotId: id });
  const totalRecords = liveAfter ? liveAfter.reduce((a, e) => a + e.dataFile.recordCount, 0n) : BigInt(parent?.summary['total-records'] ?? '0') + records;
  const totalFiles = liveAfter ? BigInt(liveAfter.length) : BigInt(parent?.summary['total-data-files'] ?? '0') + BigInt(added.length);
  const snapshot: Snapshot = {
    snapshotId: id,
    ...(parent ? { parentSnapshotId: parent.snapshotId } : {}),
    ...(seq !== undefined ? { sequenceNumber: seq } : {}),
    timestampMs: m.lastUpdatedMs + 1,
    manifestList: listPath,
    summary: { operation, 'added-data-files': String(added.length), 'added-records': records.toString(), 'total-records': totalRecords.toString(), 'total-data-files': totalFiles.toString(), ...summary },
    schemaId: m.currentSchemaId,
    ...(addedRows !== undefined ? { firstRowId: nextRowId, addedRows } : {}),
  };
  return apply(m, [{ action: 'add-snapshot', snapshot }, { action: 'set-snapshot-ref', refName: 'main', type: 'branch', snapshotId: id }]);
}

export function append(files: Files, m: TableMetadata, added: DataFile[], summary: Record<string, string> = {}): TableMetadata {
  return commit(files, m, 'append', added, [], summary);
}
