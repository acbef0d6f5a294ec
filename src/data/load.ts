/**
 * `lakecat load`: files -> rows of a table on a branch, committed as one append snapshot (or one
 * overwrite snapshot that replaces every row). With
 * `create`, a missing table is created with a schema inferred from the files; with `evolve`,
 * columns the table lacks are added first (one schema change, optional columns). Nothing is
 * committed when any value is bad, and nothing written stays behind.
 */
import type { Schema } from '../iceberg/model.js';
import { appendRows, currentSchema, type AppendResult } from './append.js';
import { readFileSync } from 'node:fs';
import type { Row } from './arrow-build.js';
import type { CsvStream } from './csv-stream.js';
import { inferSchema, InputError, readInput, recordCount, rowsFor, type Input } from './inputs.js';
import { RestError, type IcebergRestClient, type LoadedTable } from './rest-client.js';
import { tableStore } from './table-store.js';
import { startParquetEncoder } from './parquet-write.js';
import type { ConfiguredObjectStore } from '../io/index.js';

export interface LoadRequest {
  client: IcebergRestClient;
  namespace: string[];
  table: string;
  /** Files read whole, or CSV files streamed in chunks (read whole when a schema must be inferred). */
  inputs: (Input | CsvStream)[];
  create?: boolean;
  evolve?: boolean;
  /** `overwrite` replaces the table's rows on the branch; default `append`. */
  mode?: 'append' | 'overwrite';
  newId: () => string;
  maxRowsPerFile?: number;
  /** Opens the table's storage (default: tableStore, from the location and the vended config). */
  storeFor?: (location: string, config: Record<string, string>) => ConfiguredObjectStore | Promise<ConfiguredObjectStore>;
  /** Hears how many bytes of the streamed files were read, of how many. */
  onProgress?: (done: number, total: number) => void;
  /** Records per streamed chunk (default: see CsvStream.chunks). */
  chunkRows?: number;
}

export interface LoadResult extends AppendResult {
  created: boolean;
  addedColumns: string[];
}

export async function loadInputs(request: LoadRequest): Promise<LoadResult> {
  // The encoder thread starts while the table is looked up and the first rows are read.
  startParquetEncoder();
  let req = request;
  const name = [...req.namespace, req.table].join('.');
  let loaded: LoadedTable;
  let created = false;
  try {
    loaded = await req.client.loadTable(req.namespace, req.table);
  } catch (err) {
    if (!(err instanceof RestError) || err.status !== 404 || err.type === 'NoSuchNamespaceException' || !req.create) {
      if (err instanceof RestError && err.status === 404 && err.type !== 'NoSuchNamespaceException' && !req.create) {
        throw new RestError(404, err.type, `Table ${name} does not exist; --create creates it with a schema inferred from the files`);
      }
      throw err;
    }
    req = { ...req, inputs: req.inputs.map(whole) };
    loaded = await req.client.createTable(req.namespace, req.table, inferSchema(req.inputs as Input[]));
    created = true;
  }
  if (req.evolve) req = { ...req, inputs: req.inputs.map(whole) };
  let schema = currentSchema(loaded.metadata);
  const addedColumns: string[] = [];
  if (req.evolve) {
    const known = new Set(schema.fields.map((f) => f.name));
    const extra = [...new Set(req.inputs.flatMap((i) => i.columns))].filter((c) => !known.has(c));
    if (extra.length > 0) {
      // Typed from all the files; only the new columns are taken (their ids stay above the table's).
      const inferred = inferSchema(req.inputs as Input[], loaded.metadata.lastColumnId + 1);
      const evolved: Schema = {
        type: 'struct',
        schemaId: Math.max(...loaded.metadata.schemas.map((s) => s.schemaId)) + 1,
        identifierFieldIds: schema.identifierFieldIds,
        fields: [...schema.fields, ...inferred.fields.filter((f) => extra.includes(f.name))],
      };
      const lastColumnId = Math.max(loaded.metadata.lastColumnId, ...maxIds(evolved));
      const config = loaded.config;
      loaded = await req.client.commitTable(
        req.namespace,
        req.table,
        [
          { type: 'assert-current-schema-id', currentSchemaId: schema.schemaId },
          { type: 'assert-last-assigned-field-id', lastAssignedFieldId: loaded.metadata.lastColumnId },
        ],
        [
          { action: 'add-schema', schema: evolved, lastColumnId },
          { action: 'set-current-schema', schemaId: -1 },
        ],
      );
      // A commit answers no per-table config: the storage settings of the load still hold.
      loaded = { ...loaded, config };
      schema = currentSchema(loaded.metadata);
      addedColumns.push(...extra);
    }
  }
  const rows = rowChunks(schema, req);
  const storage = await (req.storeFor ?? tableStore)(loaded.metadata.location, loaded.config);
  try {
    const result = await appendRows({
      client: req.client,
      store: storage.store,
      namespace: req.namespace,
      table: req.table,
      rows,
      newId: req.newId,
      maxRowsPerFile: req.maxRowsPerFile,
      expectSchemaId: schema.schemaId,
      mode: req.mode,
    });
    return { ...result, created, addedColumns };
  } finally {
    storage.close();
  }
}
/** A streamed CSV file read whole (schema inference looks at every value). */
function whole(input: Input | CsvStream): Input {
  return 'chunks' in input ? readInput(input.file, readFileSync(input.file, 'utf8'), 'csv') : input;
}

/**
 * The records of every input, a chunk at a time, cast to `schema` as they are written (column by
 * column where the table allows it, data-files.ts); no records at all is an error.
 */
async function* rowChunks(schema: Schema, req: LoadRequest): AsyncGenerator<Input> {
  const total = req.inputs.reduce((sum, i) => sum + ('chunks' in i ? i.size : 0), 0);
  let before = 0;
  let count = 0;
  for (const input of req.inputs) {
    if ('chunks' in input) {
      // The header alone names the columns: a column the table lacks is refused before anything is written.
      rowsFor(schema, { ...input, records: [], text: true, where: () => input.file });
      for await (const chunk of input.chunks(req.chunkRows, (read) => req.onProgress?.(before + read, total))) {
        count += recordCount(chunk);
        yield chunk;
      }
      before += input.size;
    } else {
      // A column the table lacks is refused before anything is written, also for an empty file.
      rowsFor(schema, { ...input, records: [] });
      count += input.records.length;
      if (input.records.length > 0) yield input;
    }
  }
  if (count === 0) throw new InputError(`Nothing to load: the files hold no records`);
}

function maxIds(schema: Schema): number[] {
  const ids: number[] = [];
  const walk = (type: unknown) => {
    if (typeof type !== 'object' || type === null) return;
    const t = type as { type: string; fields?: { id: number; type: unknown }[]; elementId?: number; element?: unknown; keyId?: number; key?: unknown; valueId?: number; value?: unknown };
    if (t.type === 'struct') for (const f of t.fields ?? []) ids.push(f.id), walk(f.type);
    if (t.type === 'list') ids.push(t.elementId!), walk(t.element);
    if (t.type === 'map') ids.push(t.keyId!, t.valueId!), walk(t.key), walk(t.value);
  };
  walk(schema);
  return ids;
}
