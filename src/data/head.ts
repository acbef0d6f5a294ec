/**
 * The first rows of a table at a snapshot, read like an engine: the snapshot's manifest list,
 * its manifests, the live data files in manifest order, each Parquet file read through
 * parquet-wasm and projected by field id onto the table's current schema (a file without field
 * ids is matched through `schema.name-mapping.default`, else by name; a column a file lacks is
 * its initial default or null). Position deletes are applied; deletion vectors and equality
 * deletes are refused with a clear message rather than showing rows that were deleted.
 *
 * `lakecat head` prints the result; the web UI's table preview reuses it.
 */
import { readParquet } from 'parquet-wasm';
import { tableFromIPC, type Table as ArrowTable, type Vector } from 'apache-arrow';
import type { ObjectStore } from '../io/port.js';
import { readManifest, readManifestList, type DataFile, type ManifestEntry } from '../iceberg/manifest/index.js';
import { bytesToUuid } from '../iceberg/manifest/partition-values.js';
import type { IcebergType, NestedField, Schema, Snapshot, TableMetadata } from '../iceberg/model.js';
import { parsePrimitive } from '../iceberg/types.js';
import { currentSchema } from './append.js';
import type { Row } from './arrow-build.js';
import { FIELD_ID_KEY } from './arrow-schema.js';
import { decimalAt, locate } from './arrow-values.js';

export interface HeadOptions {
  limit: number;
  /** A snapshot id; default the `main` ref's (the branch head's) snapshot. */
  snapshotId?: bigint;
  /** Column names to show, in this order; default all. */
  columns?: string[];
}

export interface HeadResult {
  schema: NestedField[];
  rows: Row[];
  snapshotId?: bigint;
  /** Data files opened to collect the rows. */
  filesRead: number;
  /** Live data files in the snapshot. */
  filesTotal: number;
  /** Rows skipped because a position delete removed them. */
  deletedSkipped: number;
}

/** Refused: the snapshot has deletes this reader does not apply (it never shows deleted rows). */
export class UnsupportedDeletesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedDeletesError';
  }
}

export async function headRows(metadata: TableMetadata, store: ObjectStore, opts: HeadOptions): Promise<HeadResult> {
  const schema = currentSchema(metadata);
  const fields = pickColumns(schema, opts.columns);
  const snapshot = pickSnapshot(metadata, opts.snapshotId);
  if (!snapshot) return { schema: fields, rows: [], filesRead: 0, filesTotal: 0, deletedSkipped: 0 };
  if (!snapshot.manifestList) throw new Error(`Snapshot ${snapshot.snapshotId} lists its manifests inline (format v1 without a manifest list); not supported`);

  const list = readManifestList(await store.read(snapshot.manifestList));
  const data: ManifestEntry[] = [];
  const deletes: ManifestEntry[] = [];
  for (const manifest of list.manifests) {
    const read = readManifest(await store.read(manifest.manifestPath), { manifest });
    for (const entry of read.entries) {
      if (entry.status === 'deleted') continue;
      (entry.dataFile.content === 'data' ? data : deletes).push(entry);
    }
  }
  for (const d of deletes) {
    if (d.dataFile.content === 'equality-deletes') {
      throw new UnsupportedDeletesError(`Snapshot ${snapshot.snapshotId} has equality deletes (${d.dataFile.filePath}); head does not apply them yet, read the table with an engine`);
    }
    if (d.dataFile.fileFormat.toUpperCase() === 'PUFFIN') {
      throw new UnsupportedDeletesError(`Snapshot ${snapshot.snapshotId} has deletion vectors (${d.dataFile.filePath}); head does not apply them yet, read the table with an engine`);
    }
  }
  const nameMapping = parseNameMapping(metadata.properties['schema.name-mapping.default']);

  const rows: Row[] = [];
  let filesRead = 0;
  let deletedSkipped = 0;
  for (const entry of data) {
    if (rows.length >= opts.limit) break;
    const deleted = await deletedPositions(entry, deletes, store);
    const table = readParquetTable(await store.read(entry.dataFile.filePath), deleted.size === 0 ? opts.limit - rows.length : undefined);
    filesRead++;
    const columns = fields.map((f) => ({ field: f, vector: columnFor(table, f, nameMapping) }));
    for (let i = 0; i < table.numRows && rows.length < opts.limit; i++) {
      if (deleted.has(BigInt(i))) {
        deletedSkipped++;
        continue;
      }
      const row: Row = {};
      for (const { field, vector } of columns) row[field.name] = vector ? valueAt(vector, i, field.type) : defaultOf(field);
      rows.push(row);
    }
  }
  return { schema: fields, rows, snapshotId: snapshot.snapshotId, filesRead, filesTotal: data.length, deletedSkipped };
}

function pickColumns(schema: Schema, names: string[] | undefined): NestedField[] {
  if (!names || names.length === 0) return schema.fields;
  return names.map((n) => {
    const f = schema.fields.find((x) => x.name === n);
    if (!f) throw new Error(`No column ${n} in the table (${schema.fields.map((x) => x.name).join(', ')})`);
    return f;
  });
}

function pickSnapshot(m: TableMetadata, id: bigint | undefined): Snapshot | undefined {
  const wanted = id ?? m.refs?.main?.snapshotId ?? m.currentSnapshotId;
  if (wanted === undefined || wanted === null || wanted === -1n) {
    if (id !== undefined) throw new Error(`No snapshot ${id}`);
    return undefined;
  }
  const s = m.snapshots?.find((x) => x.snapshotId === wanted);
  if (!s) throw new Error(`No snapshot ${wanted} in the table`);
  return s;
}

/** Positions of `entry`'s file removed by position-delete files that apply to it (data sequence numbers). */
async function deletedPositions(entry: ManifestEntry, deletes: ManifestEntry[], store: ObjectStore): Promise<Set<bigint>> {
  const out = new Set<bigint>();
  const path = entry.dataFile.filePath;
  const seq = entry.sequenceNumber ?? 0n;
  for (const d of deletes) {
    if (d.dataFile.content !== 'position-deletes') continue;
    // A position delete applies to data files with a data sequence number <= its own.
    if ((d.sequenceNumber ?? 0n) < seq) continue;
    if (d.dataFile.referencedDataFile !== undefined && d.dataFile.referencedDataFile !== path) continue;
    const table = readParquetTable(await store.read(d.dataFile.filePath));
    const files = vectorById(table, 2147483546) ?? table.getChild('file_path');
    const positions = vectorById(table, 2147483545) ?? table.getChild('pos');
    if (!files || !positions) throw new UnsupportedDeletesError(`Position delete file ${d.dataFile.filePath} has no file_path/pos columns`);
    for (let i = 0; i < table.numRows; i++) if (files.get(i) === path) out.add(BigInt(positions.get(i) as bigint | number));
  }
  return out;
}

function readParquetTable(bytes: Uint8Array, limit?: number): ArrowTable {
  const wasm = readParquet(bytes, limit === undefined ? undefined : { limit });
  return tableFromIPC(wasm.intoIPCStream());
}

function vectorById(table: ArrowTable, id: number): Vector | undefined {
  const index = table.schema.fields.findIndex((f) => f.metadata.get(FIELD_ID_KEY) === String(id));
  return index < 0 ? undefined : (table.getChildAt(index) ?? undefined);
}

interface MappedField {
  names: string[];
  fieldId?: number;
}

function parseNameMapping(text: string | undefined): MappedField[] {
  if (!text) return [];
  try {
    const parsed = JSON.parse(text) as { names?: string[]; 'field-id'?: number }[];
    return parsed.map((m) => ({ names: m.names ?? [], fieldId: m['field-id'] }));
  } catch {
    return [];
  }
}

/** The file's column for a table field: by field id, else through the name mapping, else by name. */
function columnFor(table: ArrowTable, field: NestedField, mapping: MappedField[]): Vector | undefined {
  const byId = vectorById(table, field.id);
  if (byId) return byId;
  if (table.schema.fields.some((f) => f.metadata.has(FIELD_ID_KEY))) return undefined; // the file has ids, not this one
  const mapped = mapping.find((m) => m.fieldId === field.id);
  for (const name of mapped?.names ?? [field.name]) {
    const v = table.getChild(name);
    if (v) return v;
  }
  return undefined;
}

function defaultOf(field: NestedField): unknown {
  return field.initialDefault ?? null;
}

/** One value of an Arrow column as an Iceberg value (micros and unscaled decimals kept exact). */
function valueAt(vector: Vector, i: number, type: IcebergType): unknown {
  if (!vector.isValid(i)) return null;
  if (typeof type !== 'string') return plain(vector.get(i));
  const p = parsePrimitive(type);
  switch (p.kind) {
    case 'time':
    case 'timestamp':
    case 'timestamptz':
    case 'timestamp_ns':
    case 'timestamptz_ns':
    case 'long': {
      const [data, at] = locate(vector, i);
      const values = data.values as unknown as BigInt64Array | Int32Array;
      if (values instanceof BigInt64Array) return values[at];
      // A file written with a narrower type (int promoted to long): widen.
      return BigInt(values[at]);
    }
    case 'decimal':
      return decimalAt(vector, i, (vector.type as { bitWidth: number }).bitWidth);
    case 'date': {
      const [data, at] = locate(vector, i);
      return (data.values as unknown as Int32Array)[at];
    }
    case 'uuid':
      return bytesToUuid(vector.get(i) as Uint8Array);
    default:
      return plain(vector.get(i));
  }
}

/** Arrow JS values (rows, vectors, maps) as plain JavaScript values. */
function plain(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (v instanceof Uint8Array) return v;
  if (typeof v === 'object') {
    const o = v as { toJSON?: () => unknown; toArray?: () => unknown[] };
    if (typeof (v as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function' && typeof o.toArray === 'function') {
      return [...(v as Iterable<unknown>)].map(plain);
    }
    if (typeof o.toJSON === 'function') {
      const json = o.toJSON();
      if (json && typeof json === 'object' && !Array.isArray(json)) {
        return Object.fromEntries(Object.entries(json as Record<string, unknown>).map(([k, x]) => [k, plain(x)]));
      }
      return json;
    }
  }
  return v;
}
