import type { Actor } from './context.js';
import type { CatalogDeps } from './deps.js';
import { deleteQuietly, writeOnBranch } from './branch-write.js';
import { CLIENT_GC_OFF, clientGcOn, refuseClientGcUpdates } from './client-gc.js';
import { BadRequestError, NotFoundError } from './errors.js';
import { checkChangeSize, formatIdentifier, tableKey, type TableIdentifier } from './identifiers.js';
import { claimTableLocation } from './locations.js';
import { nextMetadataLocation } from './metadata-files.js';
import { writableBranch, type ResolvedRef } from './refs/resolve.js';
import { requireFreeName, requireTable, tableContent } from './tables.js';
import { Lru } from './lru.js';
import type { CommitOperation } from './model.js';
import type { TableMetadata, TableRequirement, TableUpdate } from '../iceberg/model.js';
import { checkRequirements } from '../iceberg/requirements.js';
import { applyUpdates } from '../iceberg/table-metadata-builder.js';
import { parseTableMetadata, serializeTableMetadata } from '../iceberg/table-metadata-json.js';

export interface TableChange {
  identifier: TableIdentifier;
  requirements: TableRequirement[];
  updates: TableUpdate[];
}

export interface CommittedTable {
  identifier: TableIdentifier;
  metadataLocation: string;
  metadataText: string;
  metadata: TableMetadata;
}

/**
 * Applies one or more table changes as ONE catalog commit: either every table changes or none.
 * Requirements are checked against the branch head; when a concurrent commit touched the same
 * tables, everything is re-read and re-checked (server-side retry), so a commit succeeds
 * whenever its requirements still hold.
 */
export async function commitTables(
  deps: CatalogDeps,
  actor: Actor,
  ref: ResolvedRef,
  changes: TableChange[],
): Promise<CommittedTable[]> {
  const branch = writableBranch(ref);
  const seen = new Set<string>();
  for (const c of changes) {
    const name = formatIdentifier(c.identifier);
    if (seen.has(name)) throw new BadRequestError(`Table ${name} appears more than once in one commit`);
    seen.add(name);
    checkChangeSize(c.identifier, c.requirements, c.updates);
  }
  const { result, commit } = await writeOnBranch(deps, actor, branch, changes.map((c) => ({ key: tableKey(c.identifier), type: 'ICEBERG_TABLE' as const })), async (head) => {
    const planned: PlannedChange[] = [];
    for (const change of changes) {
      planned.push(await planTableChange(deps, head, change));
    }
    const real = planned.filter((p): p is Required<PlannedChange> => p.op !== undefined);
    // The files go out in parallel (a transaction over many tables waits for one round trip,
    // not one per table); every write is awaited before the commit can reference any of them.
    const writes = await Promise.allSettled(
      real.map((p) =>
        deps.objects.write(p.committed.metadataLocation, p.committed.metadataText, {
          ifAbsent: true,
          contentType: 'application/json',
        }),
      ),
    );
    const writtenFiles = real.filter((_, i) => writes[i].status === 'fulfilled').map((p) => p.committed.metadataLocation);
    const failed = writes.find((w): w is PromiseRejectedResult => w.status === 'rejected');
    if (failed) {
      await deleteQuietly(deps, writtenFiles);
      throw failed.reason;
    }
    const names = changes.map((c) => formatIdentifier(c.identifier));
    return {
      operations: real.map((p) => p.op),
      message: names.length === 1 ? `Update table ${names[0]}` : `Update tables ${names.join(', ')}`,
      result: planned.map((p) => p.committed),
      writtenFiles,
    };
  });
  // The next commit to these tables (the usual case: writers append one snapshot after another)
  // starts from metadata this process already holds.
  if (commit) for (const c of result) remember(deps, c.metadataLocation, c.metadataText, c.metadata);
  return result;
}

/**
 * Parsed table metadata by metadata location, per catalog. Metadata files are never rewritten,
 * so a location names one text; the text is still compared so that a stale entry can never be
 * used. Entries are deep-frozen: the metadata builder copies what it changes, and a mutation of
 * shared state would throw rather than corrupt a later commit.
 */
const parsedCache = new WeakMap<CatalogDeps, Lru<string, { text: string; metadata: TableMetadata }>>();
const PARSED_CACHE_BYTES = 8 * 1024 * 1024;

function cacheOf(deps: CatalogDeps): Lru<string, { text: string; metadata: TableMetadata }> {
  let c = parsedCache.get(deps);
  // Weighed at about three times the text: the parsed objects take more room than the JSON.
  if (!c) parsedCache.set(deps, (c = new Lru(PARSED_CACHE_BYTES, (e) => 3 * e.text.length)));
  return c;
}

/**
 * The parsed metadata at `location`, from the cache or parsed now. `keep: false` does not add a
 * parse to the cache (a merge reads thousands of tables once: caching them would only freeze
 * each and evict the tables clients are committing to).
 */
export function parsedMetadata(deps: CatalogDeps, location: string, text: string, keep = true): TableMetadata {
  const hit = cacheOf(deps).get(location);
  if (hit && hit.text === text) return hit.metadata;
  const metadata = parseTableMetadata(text);
  if (keep) remember(deps, location, text, metadata);
  return metadata;
}

function remember(deps: CatalogDeps, location: string, text: string, metadata: TableMetadata): void {
  cacheOf(deps).set(location, { text, metadata: deepFreeze(metadata) });
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

interface PlannedChange {
  committed: CommittedTable;
  /** Absent when the updates change nothing: no file, no commit. */
  op?: CommitOperation;
}

async function planTableChange(deps: CatalogDeps, head: string, change: TableChange): Promise<PlannedChange> {
  const { identifier, requirements, updates } = change;
  const creating = requirements.some((r) => r.type === 'assert-create');
  const current = creating
    ? await deps.store.getContent(head, tableKey(identifier))
    : await requireTable(deps, head, identifier);
  if (current && current.type !== 'ICEBERG_TABLE') {
    // Creating over a view is a name clash (409), updating one a missing table (404).
    if (creating) await requireFreeName(deps, head, identifier, 'table');
    throw new NotFoundError(`Table does not exist: ${formatIdentifier(identifier)}`, 'table');
  }
  const base = current ? parsedMetadata(deps, current.metadataLocation, current.metadata) : null;
  checkRequirements(base, requirements);
  if (!current) await requireFreeName(deps, head, identifier, 'table');
  refuseClientGcUpdates(updates);
  let { metadata, changes: applied } = applyUpdates(base, updates, {
    nowMs: deps.now(),
    previousMetadataLocation: current?.metadataLocation,
  });
  if ((!current || applied.length > 0) && clientGcOn(metadata.properties)) {
    // A table that changes (or is created by this commit) gets engine-side GC turned off.
    ({ metadata, changes: applied } = applyUpdates(base, [...updates, CLIENT_GC_OFF], {
      nowMs: deps.now(),
      previousMetadataLocation: current?.metadataLocation,
    }));
  }
  if (current && applied.length === 0) {
    const committed: CommittedTable = {
      identifier,
      metadataLocation: current.metadataLocation,
      metadataText: current.metadata,
      metadata: base as TableMetadata,
    };
    return { committed };
  }
  const metadataText = serializeTableMetadata(metadata);
  const metadataLocation = nextMetadataLocation(deps, metadata.location, metadata.properties, current?.metadataLocation);
  const content = tableContent(current?.id ?? deps.newUuid(), metadataLocation, metadataText, metadata);
  // A new table, or one moved by set-location, takes its location here.
  if (!base || base.location !== metadata.location) {
    await claimTableLocation(deps, { id: identifier, location: metadata.location, tableUuid: metadata.tableUuid, contentId: content.id });
  }
  const op: CommitOperation = { kind: 'put', key: tableKey(identifier), content, expectedContentId: current?.id };
  return { committed: { identifier, metadataLocation, metadataText, metadata }, op };
}
