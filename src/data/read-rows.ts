/**
 * Reading a table's rows back from its files, as an engine does: the live entries of a snapshot
 * (data files and delete files, with their inherited sequence numbers and their manifests'
 * spec ids), a data file's Parquet read through parquet-wasm and projected by field id onto a
 * schema (a file without field ids is matched through `schema.name-mapping.default`, else by
 * name; a column a file lacks is its initial default or null), and the deletes that apply to
 * it: position deletes (data sequence number <= the delete's) and equality deletes (data
 * sequence number < the delete's, same partition or an unpartitioned delete). Deletion vectors
 * are refused with a clear message, never skipped.
 *
 * Values come out in the writer's conventions (arrow-build.ts): longs, times and timestamps as
 * exact bigints, decimals unscaled, dates as days, uuids as text, nested values recursively, so
 * a row read here can be written again unchanged (copy-on-write in cdc.ts) or shown (head.ts).
 */

import { makeVector, tableFromIPC, type Data, type Field, type Table as ArrowTable, type Vector } from './arrow-lib.js';
import { parquetWasm } from './parquet-lib.js';
import type { ObjectStore } from '../io/port.js';
import { readManifest, readManifestList, type ManifestEntry } from '../iceberg/manifest/index.js';
import { bytesToUuid } from '../iceberg/manifest/partition-values.js';
import type { IcebergType, NestedField, PartitionSpec, Schema, Snapshot, TableMetadata } from '../iceberg/model.js';
import { parsePrimitive } from '../iceberg/types.js';
import type { Row } from './arrow-build.js';
import { FIELD_ID_KEY } from './arrow-schema.js';
import { decimalAt, locate } from './arrow-values.js';

/** Refused: the snapshot has deletes this reader does not apply (it never shows deleted rows). */
export class UnsupportedDeletesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedDeletesError';
  }
}

/** A live manifest entry and the spec its manifest was written with. */
export interface LiveEntry {
  entry: ManifestEntry;
  specId: number;
}

export interface LiveFiles {
  data: LiveEntry[];
  deletes: LiveEntry[];
}

/** The live data and delete files of `snapshot`, in manifest order. */
export async function liveFiles(store: ObjectStore, snapshot: Snapshot): Promise<LiveFiles> {
  if (!snapshot.manifestList) throw new Error(`Snapshot ${snapshot.snapshotId} lists its manifests inline (format v1 without a manifest list); not supported`);
  const list = readManifestList(await store.read(snapshot.manifestList));
  const out: LiveFiles = { data: [], deletes: [] };
  for (const manifest of list.manifests) {
    const read = readManifest(await store.read(manifest.manifestPath), { manifest });
    const specId = read.specId ?? manifest.partitionSpecId;
    for (const entry of read.entries) {
      if (entry.status === 'deleted') continue;
      (entry.dataFile.content === 'data' ? out.data : out.deletes).push({ entry, specId });
    }
  }
  for (const d of out.deletes) {
    if (d.entry.dataFile.fileFormat.toUpperCase() === 'PUFFIN') {
      throw new UnsupportedDeletesError(`Snapshot ${snapshot.snapshotId} has deletion vectors (${d.entry.dataFile.filePath}); lakecat does not apply them yet, read the table with an engine`);
    }
  }
  return out;
}

/** The snapshot a ref or id names: `id`, else the `main` ref's (the branch head). Undefined for an empty table. */
export function pickSnapshot(m: TableMetadata, id: bigint | undefined): Snapshot | undefined {
  const wanted = id ?? m.refs?.main?.snapshotId ?? m.currentSnapshotId;
  if (wanted === undefined || wanted === null || wanted === -1n) {
    if (id !== undefined) throw new Error(`No snapshot ${id}`);
    return undefined;
  }
  const s = m.snapshots?.find((x) => x.snapshotId === wanted);
  if (!s) throw new Error(`No snapshot ${wanted} in the table`);
  return s;
}

export interface ReadContext {
  store: ObjectStore;
  metadata: TableMetadata;
  /** The schema rows are projected onto (the table's current one). */
  schema: Schema;
  deletes: LiveEntry[];
  /** Delete files already read, by path: each is read once however many data files it applies to. */
  parsed?: Map<string, Promise<unknown>>;
}

function once<T>(ctx: ReadContext, path: string, read: () => Promise<T>): Promise<T> {
  ctx.parsed ??= new Map();
  let found = ctx.parsed.get(path) as Promise<T> | undefined;
  if (!found) ctx.parsed.set(path, (found = read()));
  return found;
}

export interface FileRows {
  rows: Row[];
  /** Rows of the file removed by deletes. */
  deleted: number;
}

/**
 * The rows of one data file projected onto `fields` (default all of the schema's), its deletes
 * applied; at most `limit` rows are read when no delete applies to the file.
 */
/** v3 row lineage fields (reserved ids), as rows carry them when asked for. */
export const ROW_ID: NestedField = { id: 2147483540, name: '_row_id', required: false, type: 'long' };
export const LAST_UPDATED: NestedField = { id: 2147483539, name: '_last_updated_sequence_number', required: false, type: 'long' };

export async function readFileRows(
  ctx: ReadContext,
  file: LiveEntry,
  opts: { fields?: NestedField[]; limit?: number; lineage?: boolean } = {},
): Promise<FileRows> {
  const fields = opts.fields ?? ctx.schema.fields;
  const positions = await deletedPositions(ctx, file);
  const equality = await equalityDeletes(ctx, file);
  const table = readParquetTable(await ctx.store.read(file.entry.dataFile.filePath), positions.size === 0 && equality.length === 0 ? opts.limit : undefined);
  const mapping = parseNameMapping(ctx.metadata.properties['schema.name-mapping.default']);
  const columns = fields.map((f) => ({ field: f, vector: columnFor(table, f, mapping) }));
  const keyColumns = equality.map((d) => d.ids.map((id) => {
    const field = ctx.schema.fields.find((f) => f.id === id)!;
    return { field, vector: columnFor(table, field, mapping) };
  }));
  // Row lineage: a stored value wins; a null or absent one is the file's first row id plus the
  // position, and the file's data sequence number.
  const lineage = opts.lineage
    ? { rowIds: vectorById(table, ROW_ID.id), updated: vectorById(table, LAST_UPDATED.id), first: file.entry.dataFile.firstRowId, seq: file.entry.sequenceNumber }
    : undefined;
  const rows: Row[] = [];
  let deleted = 0;
  for (let i = 0; i < table.numRows && (opts.limit === undefined || rows.length < opts.limit); i++) {
    if (positions.has(BigInt(i))) {
      deleted++;
      continue;
    }
    if (equality.some((d, k) => d.keys.has(keyText(keyColumns[k].map(({ field, vector }) => (vector ? valueAt(vector, i, field.type) : defaultOf(field))))))) {
      deleted++;
      continue;
    }
    const row: Row = {};
    for (const { field, vector } of columns) row[field.name] = vector ? valueAt(vector, i, field.type) : defaultOf(field);
    if (lineage) {
      const stored = lineage.rowIds?.isValid(i) ? (valueAt(lineage.rowIds, i, 'long') as bigint) : undefined;
      row[ROW_ID.name] = stored ?? (lineage.first === undefined ? null : lineage.first + BigInt(i));
      const storedSeq = lineage.updated?.isValid(i) ? (valueAt(lineage.updated, i, 'long') as bigint) : undefined;
      row[LAST_UPDATED.name] = storedSeq ?? lineage.seq ?? null;
    }
    rows.push(row);
  }
  return { rows, deleted };
}

/** A canonical text of a key tuple (exact for bigints and bytes), for sets and maps of keys. */
export function keyText(values: readonly unknown[]): string {
  return JSON.stringify(values, (_k, v) =>
    typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? `0x${Buffer.from(v).toString('hex')}` : typeof v === 'string' ? `s${v}` : v,
  );
}

/** Positions of the file removed by position-delete files that apply to it. */
async function deletedPositions(ctx: ReadContext, file: LiveEntry): Promise<Set<bigint>> {
  const out = new Set<bigint>();
  const path = file.entry.dataFile.filePath;
  const seq = file.entry.sequenceNumber ?? 0n;
  for (const { entry: d } of ctx.deletes) {
    if (d.dataFile.content !== 'position-deletes') continue;
    // A position delete applies to data files with a data sequence number <= its own.
    if ((d.sequenceNumber ?? 0n) < seq) continue;
    if (d.dataFile.referencedDataFile !== undefined && d.dataFile.referencedDataFile !== path) continue;
    const byFile = await once(ctx, d.dataFile.filePath, async () => {
      const table = readParquetTable(await ctx.store.read(d.dataFile.filePath));
      const files = vectorById(table, 2147483546) ?? table.getChild('file_path');
      const positions = vectorById(table, 2147483545) ?? table.getChild('pos');
      if (!files || !positions) throw new UnsupportedDeletesError(`Position delete file ${d.dataFile.filePath} has no file_path/pos columns`);
      const map = new Map<string, bigint[]>();
      for (let i = 0; i < table.numRows; i++) {
        const target = files.get(i) as string;
        let list = map.get(target);
        if (!list) map.set(target, (list = []));
        list.push(BigInt(positions.get(i) as bigint | number));
      }
      return map;
    });
    for (const position of byFile.get(path) ?? []) out.add(position);
  }
  return out;
}

interface EqualitySet {
  ids: number[];
  keys: Set<string>;
}

/** Equality-delete files that apply to the file: a greater data sequence number, and its partition or none. */
async function equalityDeletes(ctx: ReadContext, file: LiveEntry): Promise<EqualitySet[]> {
  const out: EqualitySet[] = [];
  const seq = file.entry.sequenceNumber ?? 0n;
  for (const { entry: d, specId } of ctx.deletes) {
    if (d.dataFile.content !== 'equality-deletes') continue;
    if ((d.sequenceNumber ?? 0n) <= seq) continue;
    const spec = ctx.metadata.partitionSpecs.find((s) => s.specId === specId);
    if (!spec) throw new UnsupportedDeletesError(`Equality delete file ${d.dataFile.filePath} names an unknown partition spec ${specId}`);
    if (!isUnpartitioned(spec) && (specId !== file.specId || keyText(d.dataFile.partition) !== keyText(file.entry.dataFile.partition))) continue;
    const ids = d.dataFile.equalityIds ?? [];
    const fields = ids.map((id) => ctx.schema.fields.find((f) => f.id === id));
    if (ids.length === 0 || fields.some((f) => f === undefined || typeof f.type !== 'string')) {
      throw new UnsupportedDeletesError(`Equality delete file ${d.dataFile.filePath} deletes by columns ${ids.join(', ')}, not top-level primitive columns of the table; read it with an engine`);
    }
    const keys = await once(ctx, d.dataFile.filePath, async () => {
      const table = readParquetTable(await ctx.store.read(d.dataFile.filePath));
      const mapping = parseNameMapping(ctx.metadata.properties['schema.name-mapping.default']);
      const vectors = (fields as NestedField[]).map((f) => {
        const v = columnFor(table, f, mapping);
        if (!v) throw new UnsupportedDeletesError(`Equality delete file ${d.dataFile.filePath} has no column for field ${f.id} (${f.name})`);
        return v;
      });
      const set = new Set<string>();
      for (let i = 0; i < table.numRows; i++) set.add(keyText(vectors.map((v, k) => valueAt(v, i, (fields[k] as NestedField).type))));
      return set;
    });
    out.push({ ids, keys });
  }
  return out;
}

function isUnpartitioned(spec: PartitionSpec): boolean {
  return spec.fields.every((f) => f.transform === 'void');
}

export function readParquetTable(bytes: Uint8Array, limit?: number): ArrowTable {
  const wasm = parquetWasm().readParquet(bytes, limit === undefined ? undefined : { limit });
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

/** The child of a struct's Arrow fields for an Iceberg field: by field id, else by name. */
function childIndex(children: readonly Field[], field: NestedField): number {
  const byId = children.findIndex((c) => c.metadata.get(FIELD_ID_KEY) === String(field.id));
  return byId >= 0 ? byId : children.findIndex((c) => c.name === field.name);
}

/** One value of an Arrow column as an Iceberg value in the writer's conventions. */
export function valueAt(vector: Vector, i: number, type: IcebergType): unknown {
  if (!vector.isValid(i)) return null;
  if (typeof type !== 'string') {
    const [data, at] = locate(vector, i);
    if (type.type === 'struct') {
      const children = (vector.type as { children: Field[] }).children;
      const out: Row = {};
      for (const f of type.fields) {
        const k = childIndex(children, f);
        out[f.name] = k < 0 ? defaultOf(f) : valueAt(makeVector(data.children[k] as Data), at, f.type);
      }
      return out;
    }
    const offsets = data.valueOffsets as Int32Array;
    const [from, to] = [offsets[at], offsets[at + 1]];
    if (type.type === 'list') {
      const elements = makeVector(data.children[0] as Data);
      const out: unknown[] = [];
      for (let j = from; j < to; j++) out.push(valueAt(elements, j, type.element));
      return out;
    }
    // A map: a list of (key, value) structs.
    const entries = data.children[0] as Data;
    const keys = makeVector(entries.children[0] as Data);
    const values = makeVector(entries.children[1] as Data);
    const out = new Map<unknown, unknown>();
    for (let j = from; j < to; j++) out.set(valueAt(keys, j, type.key), valueAt(values, j, type.value));
    return out;
  }
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
    case 'float':
    case 'double':
      return Number(vector.get(i));
    case 'int':
      return Number(vector.get(i));
    default:
      return vector.get(i);
  }
}
