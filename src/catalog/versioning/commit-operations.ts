/**
 * A commit of Put/Delete operations planned by the client against the hash it read (Nessie's
 * commit endpoint), with Nessie's content-id and namespace rules.
 *
 * Nessie clients send only pointers for Iceberg content (Iceberg's NessieCatalog writes
 * `metadata.json` itself, then commits its location); the catalog keeps the full metadata, so
 * it is read from the object store unless the same file is already stored for that content.
 */
import { checkName, checkNamespaceProperties } from '../identifiers.js';
import { commitOnBranch } from '../branch-write.js';
import type { Actor } from '../context.js';
import type { CatalogDeps } from '../deps.js';
import { BadRequestError, ConflictError, type KeyConflict } from '../errors.js';
import { metadataText } from '../metadata-files.js';
import { keyToString, type CommitOperation, type Content, type ContentKey } from '../model.js';
import { resolveBranchAt } from '../refs/resolve.js';
import { parseJson } from '../../iceberg/json.js';
import { commitMeta, type CommitMetaInput } from './commit-meta.js';

/** Content as a Nessie client sends it in a Put: tables and views are pointers, completed from their metadata file. */
export type ContentInput =
  | { type: 'ICEBERG_TABLE'; id?: string; metadataLocation: string; snapshotId: bigint; schemaId: number; specId: number; sortOrderId: number }
  | { type: 'ICEBERG_VIEW'; id?: string; metadataLocation: string; versionId: number }
  | { type: 'NAMESPACE'; id?: string; properties: Record<string, string> };

export type OperationInput =
  | { kind: 'put'; key: ContentKey; content: ContentInput }
  | { kind: 'delete'; key: ContentKey }
  /** Accepted and ignored. */
  | { kind: 'unchanged'; key: ContentKey };

export interface OperationsCommitted {
  /** The branch and its new head. */
  target: { name: string; hash: string };
  /** Content ids assigned to new keys. */
  addedContents: { key: ContentKey; contentId: string }[];
}

const name = (key: ContentKey) => key.join('.');

/**
 * Commits `operations` on `targetText` (`branch@hash`: the hash is what the client read; the
 * store accepts the commit when none of the touched keys changed since).
 */
export async function commitOperations(
  deps: CatalogDeps,
  actor: Actor,
  targetText: string,
  metaInput: CommitMetaInput | undefined,
  operations: OperationInput[],
): Promise<OperationsCommitted> {
  const target = await resolveBranchAt(deps, targetText, 'Reference to commit into');
  const meta = commitMeta(actor, metaInput);
  const seen = new Set<string>();
  for (const op of operations) {
    const k = keyToString(op.key);
    if (seen.has(k)) throw new BadRequestError(`Duplicate key in operations: ${name(op.key)}`);
    seen.add(k);
  }

  // What the client saw at its expected hash decides create vs. update, and lets an unchanged
  // metadata file (renames, property-only updates) be reused instead of read again.
  const touched = operations.filter((o) => o.kind !== 'unchanged').map((o) => o.key);
  const base = touched.length > 0 ? await deps.store.getContents(target.hash, touched) : new Map<string, Content>();
  const known = [...base.values()];

  const deletedIds = new Set(operations.filter((o) => o.kind === 'delete').flatMap((o) => base.get(keyToString(o.key))?.id ?? []));
  const added: { key: ContentKey; contentId: string }[] = [];
  const planned: CommitOperation[] = [];
  for (const op of operations) {
    const existing = base.get(keyToString(op.key));
    switch (op.kind) {
      case 'put': {
        // New names follow the catalog's one rule (no '.' or '..', no control characters), so
        // that what the Nessie API creates the Iceberg API can address; existing ones may stay.
        if (existing === undefined) op.key.forEach((element) => checkName('content key element', element));
        const givenId = op.content.id;
        checkPutId(op.key, givenId, existing, deletedIds);
        if (existing !== undefined && existing.type !== op.content.type) {
          // A table cannot become a view; Iceberg's NessieCatalog turns this 400 into "already exists".
          throw new BadRequestError(`Cannot change the content type of '${name(op.key)}' from ${existing.type} to ${op.content.type}`);
        }
        const id = givenId ?? deps.newUuid();
        if (givenId === undefined) added.push({ key: op.key, contentId: id });
        const content = await toStoredContent(deps, op.key, op.content, id, known);
        // A given id with no value at the key is a rename (checked above): the id moves to the new key.
        const expectedContentId = givenId !== undefined && existing !== undefined ? givenId : undefined;
        planned.push({ kind: 'put', key: op.key, content, ...(expectedContentId ? { expectedContentId } : {}) });
        break;
      }
      case 'delete':
        planned.push({ kind: 'delete', key: op.key, ...(existing ? { expectedContentId: existing.id } : {}) });
        break;
      case 'unchanged':
        break;
      default: {
        const never: never = op;
        throw new Error(`unknown operation ${String(never)}`);
      }
    }
  }

  await checkNamespaces(deps, target.hash, planned, base);
  const types = new Map([...base].map(([k, c]) => [k, c.type] as const));
  const result = await commitOnBranch(deps, actor, target.name, target.hash, meta, planned, types);
  return { target: { name: target.name, hash: result.hash }, addedContents: added };
}

/**
 * Nessie's content-id rules for a Put, against the state the client read (its messages are
 * matched by older Iceberg NessieCatalog versions): a new key gets a new id, an existing key
 * keeps its id, and a given id for a new key is only allowed for a rename (its Delete in the
 * same commit).
 */
function checkPutId(key: ContentKey, givenId: string | undefined, existing: Content | undefined, deletedIds: Set<string>): void {
  if (existing !== undefined && givenId === undefined) {
    throw new BadRequestError(`New value to update existing key '${name(key)}' has no content ID`);
  }
  if (existing !== undefined && givenId !== undefined && existing.id !== givenId) {
    throw new BadRequestError(
      `Key '${name(key)}' already exists with content ID ${existing.id}, which is different from the content ID ${givenId} in the operation`,
    );
  }
  if (existing === undefined && givenId !== undefined && !deletedIds.has(givenId)) {
    throw new BadRequestError(`New value for key '${name(key)}' must not have a content ID`);
  }
}

async function readMetadataText(deps: CatalogDeps, location: string, key: ContentKey): Promise<string> {
  let text: string;
  try {
    text = metadataText(await deps.objects.read(location));
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new BadRequestError(`Cannot read metadata '${location}' of '${name(key)}': ${reason}`);
  }
  try {
    parseJson(text);
  } catch {
    throw new BadRequestError(`Metadata '${location}' of '${name(key)}' is not valid JSON`);
  }
  return text;
}

async function toStoredContent(deps: CatalogDeps, key: ContentKey, input: ContentInput, id: string, known: Content[]): Promise<Content> {
  const stored = (type: Content['type'], location: string): Content | undefined =>
    known.find((c) => c.type === type && c.id === id && c.type !== 'NAMESPACE' && c.metadataLocation === location);
  switch (input.type) {
    case 'NAMESPACE':
      return { type: 'NAMESPACE', id, properties: checkNamespaceProperties(input.properties) };
    case 'ICEBERG_TABLE': {
      const same = stored('ICEBERG_TABLE', input.metadataLocation);
      const metadata = same && same.type === 'ICEBERG_TABLE' ? same.metadata : await readMetadataText(deps, input.metadataLocation, key);
      return {
        type: 'ICEBERG_TABLE',
        id,
        metadataLocation: input.metadataLocation,
        metadata,
        snapshotId: input.snapshotId,
        schemaId: input.schemaId,
        specId: input.specId,
        sortOrderId: input.sortOrderId,
      };
    }
    case 'ICEBERG_VIEW': {
      const same = stored('ICEBERG_VIEW', input.metadataLocation);
      const metadata = same && same.type === 'ICEBERG_VIEW' ? same.metadata : await readMetadataText(deps, input.metadataLocation, key);
      return { type: 'ICEBERG_VIEW', id, metadataLocation: input.metadataLocation, metadata, versionId: input.versionId };
    }
    default: {
      const never: never = input;
      throw new Error(`unknown content ${String(never)}`);
    }
  }
}

/**
 * Nessie's namespace rules, which Iceberg's NessieCatalog relies on: a new key needs all its
 * parent namespaces (NAMESPACE_ABSENT / NOT_A_NAMESPACE), and a namespace with children cannot
 * be deleted (NAMESPACE_NOT_EMPTY). Checked at the commit the client read; the store then
 * rejects the commit if any touched key changed since.
 */
async function checkNamespaces(deps: CatalogDeps, hash: string, operations: CommitOperation[], base: Map<string, Content>): Promise<void> {
  const written = new Map<string, CommitOperation>(operations.map((op) => [keyToString(op.key), op]));
  const parents = new Map<string, ContentKey>();
  for (const op of operations) {
    if (op.kind !== 'put' || base.has(keyToString(op.key))) continue;
    for (let n = 1; n < op.key.length; n++) {
      const p = op.key.slice(0, n);
      parents.set(keyToString(p), p);
    }
  }
  const conflicts: KeyConflict[] = [];
  const existingParents = parents.size > 0 ? await deps.store.getContents(hash, [...parents.values()]) : new Map<string, Content>();
  for (const [k, p] of parents) {
    const op = written.get(k);
    const type = op ? (op.kind === 'put' ? op.content.type : undefined) : existingParents.get(k)?.type;
    if (type === undefined) {
      conflicts.push({ conflictType: 'NAMESPACE_ABSENT', key: p, message: `namespace '${name(p)}' must exist` });
    } else if (type !== 'NAMESPACE') {
      conflicts.push({ conflictType: 'NOT_A_NAMESPACE', key: p, message: `expecting the key '${name(p)}' to be a namespace, but is not a namespace` });
    }
  }
  for (const op of operations) {
    if (op.kind !== 'delete' || base.get(keyToString(op.key))?.type !== 'NAMESPACE') continue;
    // Children deleted in the same commit do not count; look a little past them.
    const removed = operations.filter((o) => o.kind === 'delete').length;
    const under = await deps.store.listEntries(hash, { prefix: op.key, pageSize: removed + 1 });
    if (under.items.some((e) => written.get(keyToString(e.key))?.kind !== 'delete')) {
      conflicts.push({ conflictType: 'NAMESPACE_NOT_EMPTY', key: op.key, message: `namespace '${name(op.key)}' is not empty` });
    }
  }
  if (conflicts.length > 0) throw new ConflictError(conflicts.map((c) => c.message).join(', '), conflicts);
}
