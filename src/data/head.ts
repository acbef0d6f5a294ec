/**
 * The first rows of a table at a snapshot, read like an engine (read-rows.ts): the snapshot's
 * live data files in manifest order, each projected by field id onto the table's current schema,
 * position and equality deletes applied; deletion vectors are refused with a clear message
 * rather than showing rows that were deleted.
 *
 * `lakecat head` prints the result; the web UI's table preview reuses it.
 */
import type { ObjectStore } from '../io/port.js';
import type { NestedField, Schema, TableMetadata } from '../iceberg/model.js';
import { currentSchema } from './append.js';
import type { Row } from './arrow-build.js';
import { liveFiles, pickSnapshot, readFileRows } from './read-rows.js';

export { UnsupportedDeletesError } from './read-rows.js';

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
  /** Rows skipped because a delete removed them. */
  deletedSkipped: number;
}

export async function headRows(metadata: TableMetadata, store: ObjectStore, opts: HeadOptions): Promise<HeadResult> {
  const schema = currentSchema(metadata);
  const fields = pickColumns(schema, opts.columns);
  const snapshot = pickSnapshot(metadata, opts.snapshotId);
  if (!snapshot) return { schema: fields, rows: [], filesRead: 0, filesTotal: 0, deletedSkipped: 0 };
  const { data, deletes } = await liveFiles(store, snapshot);
  const ctx = { store, metadata, schema, deletes };
  const rows: Row[] = [];
  let filesRead = 0;
  let deletedSkipped = 0;
  for (const file of data) {
    if (rows.length >= opts.limit) break;
    const read = await readFileRows(ctx, file, { fields, limit: opts.limit - rows.length });
    filesRead++;
    rows.push(...read.rows);
    deletedSkipped += read.deleted;
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
