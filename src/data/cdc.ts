/**
 * `lakecat cdc apply`: Debezium change events (debezium.ts) applied to a table on a branch as one
 * snapshot, keyed by the table's primary key.
 *
 * The batch is first reduced to its net effect per key in source order. Then, in `cow` mode
 * (copy-on-write, readable by every engine), only the data files whose key bounds may hold a
 * touched key are read (deletes applied), their rows without the touched keys are written again
 * together with the new rows, and the old files are listed as DELETED in a copy of their manifest
 * (the other entries EXISTING, sequence numbers kept); untouched manifests are carried as they
 * are. In `equality` mode the touched keys go to equality-delete files (one per partition; the
 * key must hold the partition's source columns) and the new rows to data files: nothing old is
 * read. A truncate in the batch removes every earlier row, as an overwrite does.
 *
 * Exactly once, without Kafka offsets: the snapshot records the source (`lakecat.cdc.source`)
 * and the greatest source position it applied (`lakecat.cdc.position`). Before each attempt the
 * branch's snapshot ancestry is walked to the newest snapshot of the same source, and events at
 * or before its position are dropped: a replayed file changes nothing, and of two runners on one
 * source the loser of the commit race finds its events applied and commits nothing. A lost race
 * plans again from the new head (the files to rewrite may have changed) after deleting what the
 * attempt wrote; a definite failure deletes everything written; an unknown outcome deletes nothing.
 */
import type { ObjectStore } from '../io/port.js';
import type { ConfiguredObjectStore } from '../io/index.js';
import { assignFirstRowIds, readManifest, readManifestList, writeManifestList, type DataFile, type Manifest, type ManifestEntry, type ManifestFile, type ManifestFileToWrite } from '../iceberg/manifest/index.js';
import type { IcebergType, NestedField, PartitionSpec, Schema, Snapshot, TableMetadata } from '../iceberg/model.js';
import { fromSingleValueBytes, hasSingleValueForm } from '../iceberg/single-value.js';
import { parsePrimitive } from '../iceberg/types.js';
import {
  CommitStateUnknownError,
  commitSnapshot,
  currentSchema,
  mainSnapshot,
  metadataFolder,
  newSnapshotId,
  removeAll,
  summaryOf,
  writeManifestAgain,
  writeNewManifest,
  type Removed,
  type Writer,
} from './append.js';
import type { Row } from './arrow-build.js';
import { CastError, casterFor } from './cast.js';
import { compareCodePoints } from './column-stats.js';
import { writeDataFiles, type DataTarget } from './data-files.js';
import { comparePositions, netChange, type ChangeEvent } from './debezium.js';
import { InputError } from './inputs.js';
import { keyText, LAST_UPDATED, readFileRows, ROW_ID, type LiveEntry } from './read-rows.js';
import { RestError, type IcebergRestClient } from './rest-client.js';
import { tableStore } from './table-store.js';

export const CDC_SOURCE_KEY = 'lakecat.cdc.source';
export const CDC_POSITION_KEY = 'lakecat.cdc.position';

export type CdcMode = 'cow' | 'equality';

export interface CdcRequest {
  client: IcebergRestClient;
  namespace: string[];
  table: string;
  events: ChangeEvent[];
  /** Key columns; default the table's identifier fields. */
  key?: string[];
  /** Default `cow`. */
  mode?: CdcMode;
  /** The source's name in the snapshot summaries; default the events' `source` (`name/db.schema.table`). */
  sourceId?: string;
  newId: () => string;
  now?: () => number;
  /** Commit attempts on lost races (default 5). */
  attempts?: number;
  maxRowsPerFile?: number;
  /** Opens the table's storage (default: tableStore, from the location and the vended config). */
  storeFor?: (location: string, config: Record<string, string>) => ConfiguredObjectStore | Promise<ConfiguredObjectStore>;
}

export interface CdcResult {
  /** The snapshot committed; undefined when every event was applied before. */
  snapshotId?: bigint;
  sourceId: string;
  /** Events at or before the position the branch already holds, dropped. */
  skipped: number;
  /** Events applied by this snapshot. */
  applied: number;
  /** Keys whose rows were written (inserted or updated). */
  upserted: number;
  /** Keys removed and not written again. */
  deleted: number;
  truncated: boolean;
  /** Data files written again without the touched keys (cow). */
  rewrittenFiles: number;
  dataFiles: DataFile[];
  deleteFiles: DataFile[];
  /** The greatest source position applied (JSON array text), when the events have positions. */
  position?: string;
  attempts: number;
  metadataLocation?: string;
}

export async function applyChanges(req: CdcRequest): Promise<CdcResult> {
  const first = await req.client.loadTable(req.namespace, req.table);
  const storage = await (req.storeFor ?? tableStore)(first.metadata.location, first.config);
  let metadata = first.metadata;
  const attempts = req.attempts ?? 5;
  try {
    for (let attempt = 1; ; attempt++) {
      const written: string[] = [];
      try {
        return await attemptOnce(req, metadata, storage.store, written, attempt);
      } catch (err) {
        if (err instanceof CommitStateUnknownError) throw err;
        await Promise.all(written.map((location) => storage.store.delete(location).catch(() => undefined)));
        if (err instanceof RestError && err.status === 409 && attempt < attempts) {
          await new Promise((resolve) => setTimeout(resolve, 20 * attempt + Math.random() * 30));
          metadata = (await req.client.loadTable(req.namespace, req.table)).metadata;
          continue;
        }
        throw err;
      }
    }
  } finally {
    storage.close();
  }
}

async function attemptOnce(req: CdcRequest, m: TableMetadata, store: ObjectStore, written: string[], attempt: number): Promise<CdcResult> {
  const mode = req.mode ?? 'cow';
  const schema = currentSchema(m);
  const spec = m.partitionSpecs.find((s) => s.specId === m.defaultSpecId)!;
  const keyFields = keyFieldsOf(schema, req.key, req.table);
  if (mode === 'equality' && m.formatVersion < 2) {
    throw new InputError(`${req.table} is a format v1 table, which cannot hold delete files: use --mode cow (or upgrade the table to v2)`);
  }
  const sourceId = req.sourceId ?? defaultSourceId(req.events);
  const parent = mainSnapshot(m);
  const last = lastAppliedPosition(m, parent, sourceId);
  const fresh = last ? req.events.filter((e) => !e.position || comparePositions(e.position, last) > 0) : req.events;
  const base: CdcResult = {
    sourceId,
    skipped: req.events.length - fresh.length,
    applied: 0,
    upserted: 0,
    deleted: 0,
    truncated: false,
    rewrittenFiles: 0,
    dataFiles: [],
    deleteFiles: [],
    attempts: attempt,
    position: last ? positionText(last) : undefined,
  };
  if (fresh.length === 0) return base;

  const net = netChange(castEvents(schema, keyFields, fresh), keyFields.map((f) => f.name), keyText);
  const upserts = [...net.upserts.values()].map((u) => u.row);
  const touched = new Map([...net.deletes].map(([, key]) => [keyText(key), key]));
  const snapshotId = newSnapshotId(m);
  const sequenceNumber = m.formatVersion >= 2 ? (m.lastSequenceNumber ?? 0n) + 1n : undefined;
  const target: DataTarget = { schema, spec, location: m.location.replace(/\/+$/, ''), properties: m.properties };
  const wrote = (l: string) => written.push(l);
  const writer = { store, newId: req.newId };

  let removed: Removed | undefined;
  let carried: ManifestFileToWrite[] = [];
  let rows: Row[] = upserts;
  let deleteFiles: DataFile[] = [];
  let rewrittenFiles = 0;
  if (parent?.manifestList && net.truncated) {
    removed = await removeAll(writer, parent.manifestList, snapshotId, written);
  } else if (parent?.manifestList && mode === 'cow') {
    const plan = await copyOnWrite(m, schema, store, parent, keyFields, touched, snapshotId, sequenceNumber, writer, written);
    let writtenUpserts = upserts;
    if (m.formatVersion >= 3 && (plan.keptRows.length > 0 || plan.oldRowIds.size > 0)) {
      // v3 row lineage: rows moved to a new file keep their row id (and, unchanged, their last
      // updated sequence number); an updated row keeps its row id and takes this snapshot's
      // sequence number (a null inherits it).
      target.fileSchema = { ...schema, fields: [...schema.fields, ROW_ID, LAST_UPDATED] };
      writtenUpserts = [...net.upserts].map(([key, u]) => {
        const id = plan.oldRowIds.get(key);
        return id === undefined ? u.row : { ...u.row, [ROW_ID.name]: id, [LAST_UPDATED.name]: null };
      });
    }
    rows = [...plan.keptRows, ...writtenUpserts];
    carried = plan.manifests;
    removed = plan.removed.files.length > 0 ? plan.removed : undefined;
    rewrittenFiles = plan.removed.files.length;
  } else if (parent?.manifestList) {
    carried = readManifestList(await store.read(parent.manifestList)).manifests;
    if (touched.size > 0) deleteFiles = await writeEqualityDeletes(target, keyFields, [...touched.values()], store, req, wrote);
  }

  const dataFiles = rows.length > 0 ? await writeDataFiles(target, rows, store, { newId: req.newId, maxRowsPerFile: req.maxRowsPerFile, wrote }) : [];
  const freshManifests: ManifestFileToWrite[] = [];
  if (dataFiles.length > 0) freshManifests.push(await writeNewManifest(writer, m, schema, spec, snapshotId, dataFiles, written));
  if (deleteFiles.length > 0) freshManifests.push(await writeNewManifest(writer, m, schema, spec, snapshotId, deleteFiles, written, 'deletes'));
  let manifests = [...freshManifests, ...(removed?.manifests ?? []), ...carried];
  const firstRowId = m.formatVersion >= 3 ? (m.nextRowId ?? 0n) : undefined;
  let addedRows: bigint | undefined;
  if (firstRowId !== undefined) {
    const assigned = assignFirstRowIds(manifests, firstRowId);
    manifests = assigned.manifests;
    addedRows = assigned.nextRowId - firstRowId;
  }
  const listLocation = `${metadataFolder(m)}/snap-${snapshotId}-${attempt}-${req.newId()}.avro`;
  const list = writeManifestList({ formatVersion: m.formatVersion, snapshotId, parentSnapshotId: parent?.snapshotId, sequenceNumber, firstRowId, manifests });
  await store.write(listLocation, list, { ifAbsent: true, contentType: 'application/octet-stream' });
  written.push(listLocation);

  const summary = summaryOf(dataFiles, parent, removed, deleteFiles);
  summary[CDC_SOURCE_KEY] = sourceId;
  const position = net.lastPosition ?? last;
  if (position) summary[CDC_POSITION_KEY] = positionText(position);
  const snapshot: Snapshot = {
    snapshotId,
    parentSnapshotId: parent?.snapshotId,
    sequenceNumber,
    timestampMs: Math.max((req.now ?? Date.now)(), m.lastUpdatedMs),
    manifestList: listLocation,
    summary,
    schemaId: schema.schemaId,
    ...(firstRowId !== undefined ? { firstRowId, addedRows } : {}),
  };
  const committed = await commitSnapshot(req, m, parent, snapshot, written);
  return {
    ...base,
    snapshotId,
    applied: fresh.length,
    upserted: net.upserts.size,
    deleted: [...net.deletes.keys()].filter((k) => !net.upserts.has(k)).length,
    truncated: net.truncated,
    rewrittenFiles,
    dataFiles,
    deleteFiles,
    position: position ? positionText(position) : undefined,
    metadataLocation: committed.metadataLocation,
  };
}

/** The key columns: named ones (top-level primitives of the table), else the table's identifier fields. */
function keyFieldsOf(schema: Schema, names: string[] | undefined, table: string): NestedField[] {
  let fields: NestedField[];
  if (names && names.length > 0) {
    fields = names.map((n) => {
      const f = schema.fields.find((x) => x.name === n);
      if (!f) throw new InputError(`No column ${n} in ${table} (${schema.fields.map((x) => x.name).join(', ')}) to key the changes by`);
      return f;
    });
  } else {
    const ids = schema.identifierFieldIds ?? [];
    if (ids.length === 0) throw new InputError(`${table} has no identifier fields: name the key columns (--key COL[,COL])`);
    fields = ids.map((id) => schema.fields.find((f) => f.id === id)).filter((f): f is NestedField => f !== undefined);
    if (fields.length !== ids.length) throw new InputError(`${table}'s identifier fields are not all top-level columns: name the key columns (--key COL[,COL])`);
  }
  for (const f of fields) {
    if (typeof f.type !== 'string' || !hasSingleValueForm(f.type)) throw new InputError(`Key column ${f.name} is a ${typeof f.type === 'string' ? f.type : f.type.type}: keys must be primitive columns`);
  }
  return fields;
}

/** The events' own source when they agree on one; events without `source` fall back to `debezium`. */
function defaultSourceId(events: ChangeEvent[]): string {
  const sources = new Set(events.map((e) => e.source ?? 'debezium'));
  if (sources.size > 1) throw new InputError(`The events come from ${sources.size} sources (${[...sources].join(', ')}): apply one source at a time, or name it with --source-id`);
  return [...sources][0] ?? 'debezium';
}

/** The position of the newest snapshot of `sourceId` on the branch's ancestry, if any. */
export function lastAppliedPosition(m: TableMetadata, head: Snapshot | undefined, sourceId: string): bigint[] | undefined {
  const byId = new Map((m.snapshots ?? []).map((s) => [s.snapshotId, s]));
  for (let s = head; s; s = s.parentSnapshotId === undefined ? undefined : byId.get(s.parentSnapshotId)) {
    const summary = s.summary ?? {};
    if (summary[CDC_SOURCE_KEY] === sourceId && summary[CDC_POSITION_KEY]) return parsePosition(summary[CDC_POSITION_KEY]);
  }
  return undefined;
}

function positionText(p: bigint[]): string {
  return `[${p.join(',')}]`;
}

function parsePosition(text: string): bigint[] | undefined {
  const m = /^\[(\d+(?:,\d+)*)\]$/.exec(text);
  return m ? m[1].split(',').map((x) => BigInt(x)) : undefined;
}

/** Events with their rows cast to the table's types (the key only for a `before` row). */
function castEvents(schema: Schema, keyFields: NestedField[], events: ChangeEvent[]): ChangeEvent[] {
  const casters = new Map(schema.fields.map((f) => [f.name, { field: f, cast: eventCaster(f.type) }]));
  const cast = (raw: Record<string, unknown>, where: string, onlyKey: boolean): Row => {
    const row: Row = {};
    if (!onlyKey) {
      const unknown = Object.keys(raw).filter((k) => !casters.has(k));
      if (unknown.length > 0) {
        throw new InputError(`${where}: column${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} not in the table (${schema.fields.map((f) => f.name).join(', ')})`);
      }
    }
    for (const { field, cast: c } of onlyKey ? keyFields.map((f) => casters.get(f.name)!) : casters.values()) {
      let value: unknown;
      try {
        value = c(raw[field.name]);
      } catch (err) {
        if (err instanceof CastError) throw new InputError(`${where}: column ${field.name}: ${err.message}`);
        throw err;
      }
      if ((value === null || value === undefined) && field.required && !onlyKey) throw new InputError(`${where}: column ${field.name} is required but has no value`);
      row[field.name] = value ?? null;
    }
    return row;
  };
  return events.map((e) => ({
    ...e,
    before: e.before && (e.op === 'u' || e.op === 'd') ? cast(e.before, `${e.where} (before)`, true) : null,
    after: e.after ? cast(e.after, `${e.where} (after)`, false) : null,
  }));
}

/**
 * The cast of a Debezium value: the JSON casts (cast.ts), and integers for temporal columns as
 * Debezium's default PostgreSQL encodings write them: days for a date (`io.debezium.time.Date`),
 * microseconds for a time or timestamp (`MicroTime`, `MicroTimestamp`), nanoseconds for the `_ns` types.
 */
function eventCaster(type: IcebergType): (value: unknown) => unknown {
  const general = casterFor(type, false);
  if (typeof type !== 'string') return general;
  const isInteger = (v: unknown) => typeof v === 'bigint' || (typeof v === 'number' && Number.isSafeInteger(v));
  switch (parsePrimitive(type).kind) {
    case 'date':
      return (v) => (isInteger(v) ? Number(v) : general(v));
    case 'time':
    case 'timestamp':
    case 'timestamptz':
    case 'timestamp_ns':
    case 'timestamptz_ns':
      return (v) => (isInteger(v) ? BigInt(v as number | bigint) : general(v));
    default:
      return general;
  }
}

interface CowPlan {
  /** Rows of rewritten files whose keys the batch does not touch (with their lineage on v3). */
  keptRows: Row[];
  /** v3: the row id each touched key had, by key text. */
  oldRowIds: Map<string, bigint>;
  removed: Removed;
  /** The parent's manifests, as they are or rewritten without the removed files. */
  manifests: ManifestFileToWrite[];
}

async function copyOnWrite(
  m: TableMetadata,
  schema: Schema,
  store: ObjectStore,
  parent: Snapshot,
  keyFields: NestedField[],
  touched: Map<string, unknown[]>,
  snapshotId: bigint,
  sequenceNumber: bigint | undefined,
  writer: Writer,
  written: string[],
): Promise<CowPlan> {
  const list = readManifestList(await store.read(parent.manifestList!));
  const read: { file: ManifestFile; manifest: Manifest }[] = [];
  for (const file of list.manifests) read.push({ file, manifest: readManifest(await store.read(file.manifestPath), { manifest: file }) });
  const deletes: LiveEntry[] = read.flatMap(({ file, manifest }) =>
    manifest.entries.filter((e) => e.status !== 'deleted' && e.dataFile.content !== 'data').map((entry) => ({ entry, specId: manifest.specId ?? file.partitionSpecId })),
  );
  for (const d of deletes) {
    if (d.entry.dataFile.fileFormat.toUpperCase() === 'PUFFIN') {
      throw new InputError(`The table has deletion vectors (${d.entry.dataFile.filePath}), which lakecat cannot apply yet; use --mode equality or compact the table with an engine first`);
    }
  }
  const ctx = { store, metadata: m, schema, deletes };
  const keys = [...touched.values()];
  const plan: CowPlan = { keptRows: [], oldRowIds: new Map(), removed: { manifests: [], files: [] }, manifests: [] };
  const lineage = m.formatVersion >= 3;
  for (const { file, manifest } of read) {
    const gone = new Set<ManifestEntry>();
    if (manifest.content === 'data' && touched.size > 0) {
      for (const entry of manifest.entries) {
        if (entry.status === 'deleted' || !mayHoldAny(entry.dataFile, keyFields, keys)) continue;
        const { rows } = await readFileRows(ctx, { entry, specId: manifest.specId ?? file.partitionSpecId }, { lineage });
        const kept: Row[] = [];
        for (const r of rows) {
          const key = keyText(keyFields.map((f) => r[f.name]));
          if (!touched.has(key)) kept.push(r);
          else if (lineage && typeof r[ROW_ID.name] === 'bigint') plan.oldRowIds.set(key, r[ROW_ID.name] as bigint);
        }
        // A file whose bounds allowed a touched key but held none (or only deleted ones) stays.
        if (kept.length === rows.length) continue;
        gone.add(entry);
        plan.keptRows.push(...kept);
      }
    }
    if (gone.size === 0) {
      plan.manifests.push(file);
      continue;
    }
    plan.removed.files.push(...[...gone].map((e) => e.dataFile));
    plan.manifests.push(await rewriteManifest(writer, file, manifest, gone, snapshotId, sequenceNumber, written));
  }
  return plan;
}

/** `manifest` again with `gone` as DELETED entries of this snapshot and its other live entries EXISTING. */
async function rewriteManifest(
  writer: Writer,
  file: ManifestFile,
  manifest: Manifest,
  gone: Set<ManifestEntry>,
  snapshotId: bigint,
  sequenceNumber: bigint | undefined,
  written: string[],
): Promise<ManifestFileToWrite> {
  const live = manifest.entries.filter((e) => e.status !== 'deleted');
  const entries: ManifestEntry[] = live.map((e) => (gone.has(e) ? { ...e, status: 'deleted', snapshotId } : { ...e, status: 'existing' }));
  const location = file.manifestPath.replace(/\/[^/]*$/, `/${writer.newId()}-m-rewritten.avro`);
  const described = await writeManifestAgain(writer, file, manifest, entries, snapshotId, location, written);
  if (sequenceNumber === undefined) return described;
  // EXISTING entries keep their data sequence numbers: the manifest's minimum is theirs, not this snapshot's.
  const seqs = entries.map((e) => e.sequenceNumber).filter((s): s is bigint => s !== undefined);
  return { ...described, sequenceNumber, minSequenceNumber: seqs.reduce((a, b) => (b < a ? b : a), sequenceNumber) };
}

/**
 * Whether a data file may hold one of `keys`, by its column bounds (a missing bound says
 * "maybe"; a column of only nulls holds no key). Truncated string bounds still bound.
 */
export function mayHoldAny(file: DataFile, keyFields: NestedField[], keys: unknown[][]): boolean {
  const ranges = keyFields.map((f) => {
    const type = f.type as string;
    const values = file.valueCounts?.get(f.id);
    const nulls = file.nullValueCounts?.get(f.id);
    if (values !== undefined && nulls !== undefined && values === nulls) return null; // all null
    const lower = file.lowerBounds?.get(f.id);
    const upper = file.upperBounds?.get(f.id);
    return { type, lower: lower ? fromSingleValueBytes(type, lower) : undefined, upper: upper ? fromSingleValueBytes(type, upper) : undefined };
  });
  if (ranges.some((r) => r === null)) return false;
  return keys.some((key) =>
    ranges.every((r, i) => {
      const v = key[i];
      if (v === null || v === undefined) return false;
      if (r!.lower !== undefined && compareKeyValues(v, r!.lower) < 0) return false;
      if (r!.upper !== undefined && compareKeyValues(v, r!.upper) > 0) return false;
      return true;
    }),
  );
}

function compareKeyValues(a: unknown, b: unknown): number {
  if (typeof a === 'string' && typeof b === 'string') return compareCodePoints(a, b);
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
    return a.length - b.length;
  }
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const x = typeof a === 'bigint' ? a : BigInt(a as number);
  const y = typeof b === 'bigint' ? b : BigInt(b as number);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Equality-delete files for `keys`: Parquet files of the key columns (their field ids kept), one
 * per partition of the default spec, whose source columns must all be key columns.
 */
async function writeEqualityDeletes(
  target: { schema: Schema; spec: PartitionSpec; location: string; properties: Record<string, string> },
  keyFields: NestedField[],
  keys: unknown[][],
  store: ObjectStore,
  req: CdcRequest,
  wrote: (l: string) => void,
): Promise<DataFile[]> {
  const keyIds = new Set(keyFields.map((f) => f.id));
  const outside = target.spec.fields.filter((f) => f.transform !== 'void' && !keyIds.has(f.sourceId));
  if (outside.length > 0) {
    const names = outside.map((f) => target.schema.fields.find((x) => x.id === f.sourceId)?.name ?? `field ${f.sourceId}`);
    throw new InputError(
      `The table is partitioned by ${names.join(', ')}, which the key (${keyFields.map((f) => f.name).join(', ')}) does not hold: equality deletes could not name the partition of an old row; use --mode cow`,
    );
  }
  const keySchema: Schema = { type: 'struct', schemaId: target.schema.schemaId, fields: keyFields.map((f) => ({ ...f, required: true })) };
  const rows = keys.map((key) => Object.fromEntries(keyFields.map((f, i) => [f.name, key[i]])));
  const files = await writeDataFiles({ ...target, schema: keySchema }, rows, store, { newId: req.newId, maxRowsPerFile: req.maxRowsPerFile, wrote });
  return files.map((f) => ({ ...f, content: 'equality-deletes', equalityIds: keyFields.map((k) => k.id) }));
}
