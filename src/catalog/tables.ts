import { withClientGcOff } from './client-gc.js';
import type { Actor } from './context.js';
import type { CatalogDeps } from './deps.js';
import { checkRead } from './access/reads.js';
import { writeOnBranch } from './branch-write.js';
import { AlreadyExistsError, NotFoundError } from './errors.js';
import { formatIdentifier, formatNamespace, tableKey, type Namespace, type TableIdentifier } from './identifiers.js';
import { claimTableLocation } from './locations.js';
import { defaultObjectLocation, nextMetadataLocation, readMetadataFile, refuseDotSegments, trimSlash } from './metadata-files.js';
import { requireNamespace } from './namespaces.js';
import { writableBranch, type ResolvedRef } from './refs/resolve.js';
import type { Content, Page, PageRequest, TableContent } from './model.js';
import type { PartitionSpec, Schema, SortOrder, TableMetadata } from '../iceberg/model.js';
import { newTableMetadata } from '../iceberg/new-table-metadata.js';
import { parseTableMetadata, serializeTableMetadata } from '../iceberg/table-metadata-json.js';

export interface LoadedTable {
  metadataLocation: string;
  /** The metadata JSON text exactly as stored in `metadata.json`. */
  metadataText: string;
  content: TableContent;
}

function asTable(c: Content | null): TableContent | null {
  return c && c.type === 'ICEBERG_TABLE' ? c : null;
}

export async function readTable(deps: CatalogDeps, hash: string, id: TableIdentifier): Promise<TableContent | null> {
  return asTable(await deps.store.getContent(hash, tableKey(id)));
}

export async function requireTable(deps: CatalogDeps, hash: string, id: TableIdentifier): Promise<TableContent> {
  const t = await readTable(deps, hash, id);
  if (!t) {
    // Java clients tell a missing namespace from a missing table by the error type.
    const ns = await deps.store.getContent(hash, id.namespace);
    if (!ns || ns.type !== 'NAMESPACE') {
      throw new NotFoundError(`Namespace does not exist: ${formatNamespace(id.namespace)}`, 'namespace');
    }
    throw new NotFoundError(`Table does not exist: ${formatIdentifier(id)}`, 'table');
  }
  return t;
}

export async function loadTable(deps: CatalogDeps, actor: Actor, ref: ResolvedRef, id: TableIdentifier): Promise<LoadedTable> {
  await checkRead(deps, actor, ref, id.namespace, 'objects');
  // A load answers NoSuchTable even when the namespace is missing, as Java's catalogs do:
  // clients resolve `db.tbl.files` by loading table `files` of namespace `db.tbl` and fall
  // back to a metadata table only on NoSuchTable.
  const content = await readTable(deps, ref.hash, id);
  if (!content) throw new NotFoundError(`Table does not exist: ${formatIdentifier(id)}`, 'table');
  // The metadata comes from the store, but a client may read the file at metadata-location
  // (and its loss usually means the table's files were deleted): a table whose metadata file
  // is gone is reported as such, as Java's catalogs do, where that check costs no request
  // (local files). Object stores reached over the network are not asked on every load.
  if (deps.objects.knownMissing?.(content.metadataLocation)) {
    throw new NotFoundError(`Failed to open input stream for file: ${content.metadataLocation}`);
  }
  return { metadataLocation: content.metadataLocation, metadataText: content.metadata, content };
}

export async function tableExists(deps: CatalogDeps, actor: Actor, ref: ResolvedRef, id: TableIdentifier): Promise<boolean> {
  await checkRead(deps, actor, ref, id.namespace, 'objects');
  return (await readTable(deps, ref.hash, id)) !== null;
}

export async function listTables(
  deps: CatalogDeps,
  actor: Actor,
  ref: ResolvedRef,
  ns: Namespace,
  page: PageRequest,
  type: 'ICEBERG_TABLE' | 'ICEBERG_VIEW' = 'ICEBERG_TABLE',
): Promise<Page<TableIdentifier>> {
  await checkRead(deps, actor, ref, ns, 'objects');
  await requireNamespace(deps, ref.hash, ns);
  const entries = await deps.store.listEntries(ref.hash, { ...page, prefix: ns, depth: 1, types: [type] });
  return {
    items: entries.items.map((e) => ({ namespace: e.key.slice(0, -1), name: e.key[e.key.length - 1] })),
    nextPageToken: entries.nextPageToken,
  };
}

export function tableContent(id: string, metadataLocation: string, metadataText: string, m: TableMetadata): TableContent {
  return {
    type: 'ICEBERG_TABLE',
    id,
    metadataLocation,
    metadata: metadataText,
    snapshotId: m.currentSnapshotId ?? -1n,
    schemaId: m.currentSchemaId,
    specId: m.defaultSpecId,
    sortOrderId: m.defaultSortOrderId,
  };
}

/**
 * Fails unless `id` names nothing yet and its namespace exists. The messages are Java's, which
 * clients and the REST Compatibility Kit match: `Table already exists: x` for the same kind,
 * `View with same name already exists: x` for the other, and for a rename (`renamedFrom`)
 * `Cannot rename a to x. Table already exists`.
 */
export async function requireFreeName(
  deps: CatalogDeps,
  hash: string,
  id: TableIdentifier,
  what: 'table' | 'view',
  renamedFrom?: TableIdentifier,
): Promise<void> {
  await requireNamespace(deps, hash, id.namespace);
  const existing = await deps.store.getContent(hash, tableKey(id));
  if (existing) {
    const kind = existing.type === 'ICEBERG_TABLE' ? 'Table' : existing.type === 'ICEBERG_VIEW' ? 'View' : 'Namespace';
    const name = formatIdentifier(id);
    const message =
      renamedFrom !== undefined
        ? `Cannot rename ${formatIdentifier(renamedFrom)} to ${name}. ${kind} already exists`
        : kind.toLowerCase() === what
          ? `${kind} already exists: ${name}`
          : `${kind} with same name already exists: ${name}`;
    throw new AlreadyExistsError(message, what);
  }
}

export interface CreateTableInput {
  location?: string;
  schema: Schema;
  spec?: PartitionSpec;
  sortOrder?: SortOrder;
  properties?: Record<string, string>;
  stageCreate?: boolean;
}

export interface CreatedTable {
  /** Absent for a staged create: nothing was written. */
  metadataLocation?: string;
  metadata: TableMetadata;
  metadataText: string;
}

export async function createTable(
  deps: CatalogDeps,
  actor: Actor,
  ref: ResolvedRef,
  id: TableIdentifier,
  input: CreateTableInput,
): Promise<CreatedTable> {
  const branch = writableBranch(ref);
  const build = () =>
    newTableMetadata({
      schema: input.schema,
      spec: input.spec,
      sortOrder: input.sortOrder,
      location: input.location ? trimSlash(input.location) : defaultObjectLocation(deps, id),
      properties: withClientGcOff(input.properties),
      tableUuid: deps.newUuid(),
      nowMs: deps.now(),
    });
  if (input.stageCreate) {
    await requireFreeName(deps, ref.hash, id, 'table');
    const metadata = build();
    return { metadata, metadataText: serializeTableMetadata(metadata) };
  }
  const { result } = await writeOnBranch(deps, actor, branch, [{ key: tableKey(id), type: 'ICEBERG_TABLE' }], async (head) => {
    await requireFreeName(deps, head, id, 'table');
    const metadata = build();
    const metadataText = serializeTableMetadata(metadata);
    const metadataLocation = nextMetadataLocation(deps, metadata.location, metadata.properties, undefined);
    const contentId = deps.newUuid();
    await claimTableLocation(deps, { id, location: metadata.location, tableUuid: metadata.tableUuid, contentId });
    await deps.objects.write(metadataLocation, metadataText, { ifAbsent: true, contentType: 'application/json' });
    return {
      operations: [{ kind: 'put', key: tableKey(id), content: tableContent(contentId, metadataLocation, metadataText, metadata) }],
      message: `Create table ${formatIdentifier(id)}`,
      result: { metadataLocation, metadata, metadataText },
      writtenFiles: [metadataLocation],
    };
  });
  return result;
}

export async function dropTable(deps: CatalogDeps, actor: Actor, ref: ResolvedRef, id: TableIdentifier): Promise<void> {
  const branch = writableBranch(ref);
  await writeOnBranch(deps, actor, branch, [{ key: tableKey(id), type: 'ICEBERG_TABLE' }], async (head) => {
    const current = await requireTable(deps, head, id);
    return {
      operations: [{ kind: 'delete', key: tableKey(id), expectedContentId: current.id }],
      message: `Drop table ${formatIdentifier(id)}`,
      result: undefined,
    };
  });
}

/**
 * Unregisters a table: drops it from the branch and answers the metadata it had, read in the
 * same attempt as the drop (so the answer is always the version that was dropped).
 */
export async function unregisterTable(deps: CatalogDeps, actor: Actor, ref: ResolvedRef, id: TableIdentifier): Promise<LoadedTable> {
  const branch = writableBranch(ref);
  const { result } = await writeOnBranch(deps, actor, branch, [{ key: tableKey(id), type: 'ICEBERG_TABLE' }], async (head) => {
    // Like a load: NoSuchTable even when the namespace is missing.
    const content = await readTable(deps, head, id);
    if (!content) throw new NotFoundError(`Table does not exist: ${formatIdentifier(id)}`, 'table');
    return {
      operations: [{ kind: 'delete', key: tableKey(id), expectedContentId: content.id }],
      message: `Unregister table ${formatIdentifier(id)}`,
      result: { metadataLocation: content.metadataLocation, metadataText: content.metadata, content },
    };
  });
  return result;
}

/** Renames a table or view on one branch; the content id (and so its history) carries over. */
export async function renameObject(
  deps: CatalogDeps,
  actor: Actor,
  ref: ResolvedRef,
  from: TableIdentifier,
  to: TableIdentifier,
  type: 'ICEBERG_TABLE' | 'ICEBERG_VIEW',
): Promise<void> {
  const branch = writableBranch(ref);
  const what = type === 'ICEBERG_TABLE' ? 'Table' : 'View';
  await writeOnBranch(deps, actor, branch, [{ key: tableKey(from), type }, { key: tableKey(to), type }], async (head) => {
    const current = await deps.store.getContent(head, tableKey(from));
    if (!current || current.type !== type) {
      throw new NotFoundError(`${what} does not exist: ${formatIdentifier(from)}`, type === 'ICEBERG_TABLE' ? 'table' : 'view');
    }
    await requireFreeName(deps, head, to, type === 'ICEBERG_TABLE' ? 'table' : 'view', from);
    return {
      operations: [
        { kind: 'delete', key: tableKey(from), expectedContentId: current.id },
        { kind: 'put', key: tableKey(to), content: current },
      ],
      message: `Rename ${what.toLowerCase()} ${formatIdentifier(from)} to ${formatIdentifier(to)}`,
      result: undefined,
    };
  });
}

/** Registers an existing `metadata.json` as a table (or replaces a table's pointer with `overwrite`). */
export async function registerTable(
  deps: CatalogDeps,
  actor: Actor,
  ref: ResolvedRef,
  id: TableIdentifier,
  metadataLocation: string,
  overwrite: boolean,
): Promise<LoadedTable> {
  const branch = writableBranch(ref);
  const { text, metadata } = await readMetadataFile(deps, metadataLocation, parseTableMetadata, 'table');
  refuseDotSegments(metadata.location);
  const { result } = await writeOnBranch(deps, actor, branch, [{ key: tableKey(id), type: 'ICEBERG_TABLE' }], async (head) => {
    const existing = await readTable(deps, head, id);
    if (!(overwrite && existing)) await requireFreeName(deps, head, id, 'table');
    const content = tableContent(existing?.id ?? deps.newUuid(), metadataLocation, text, metadata);
    await claimTableLocation(deps, { id, location: metadata.location, tableUuid: metadata.tableUuid, contentId: content.id });
    return {
      operations: [{ kind: 'put', key: tableKey(id), content, expectedContentId: existing?.id }],
      message: `Register table ${formatIdentifier(id)}`,
      result: { metadataLocation, metadataText: text, content },
    };
  });
  return result;
}
