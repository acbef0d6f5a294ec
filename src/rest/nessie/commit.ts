/**
 * `POST /trees/{branch@hash}/history/commit`: Put/Delete operations as one commit. The hash in
 * the path is the commit the client read its state at; the store accepts the commit when none
 * of the touched keys changed since then.
 *
 * Nessie clients send only pointers for Iceberg content (Iceberg's NessieCatalog writes
 * `metadata.json` itself, then commits its location); the store keeps the full metadata, so
 * it is read from the object store here unless the same file is already stored for that content.
 */
import { randomUUID } from 'node:crypto';
import type { Context } from 'hono';
import { metadataText } from '../../catalog/metadata-files.js';
import { keyToString as storeKey, type CommitOperation, type Content, type ContentKey } from '../../catalog/store/port.js';
import { parseJson } from '../../iceberg/json.js';
import { readObject, respond } from './body.js';
import { keyToString } from './content-key.js';
import type { NessieDeps } from './context.js';
import { NessieBadRequest, NessieHttpError, type NessieConflict } from './errors.js';
import { parseRefPath, resolveRef, type ResolvedRef } from './ref-spec.js';
import { keyJson, parseCommitMeta, parseContent, parseKey, type ContentInput } from './wire.js';

type ParsedOperation = { kind: 'put'; key: ContentKey; content: ContentInput } | { kind: 'delete'; key: ContentKey } | { kind: 'unchanged'; key: ContentKey };

function parseOperations(v: unknown): ParsedOperation[] {
  if (!Array.isArray(v)) throw new NessieBadRequest("Field 'operations' must be a list");
  const seen = new Set<string>();
  return v.map((raw) => {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new NessieBadRequest('Each operation must be a JSON object');
    const o = raw as Record<string, never>;
    const key = parseKey(o.key);
    const k = storeKey(key);
    if (seen.has(k)) throw new NessieBadRequest(`Duplicate key in operations: ${keyToString(key)}`);
    seen.add(k);
    const type = typeof o.type === 'string' ? (o.type as string).toUpperCase() : undefined;
    switch (type) {
      case 'PUT':
        return { kind: 'put', key, content: parseContent(o.content, key) };
      case 'DELETE':
        return { kind: 'delete', key };
      case 'UNCHANGED':
        return { kind: 'unchanged', key };
      default:
        throw new NessieBadRequest(`Unknown operation type '${String(o.type)}': use PUT, DELETE or UNCHANGED`);
    }
  });
}

/** The branch a write goes to, with the expected hash Nessie requires in the path. */
export async function writeTarget(deps: NessieDeps, refText: string, what: string): Promise<ResolvedRef & { name: string }> {
  const parsed = parseRefPath(refText, deps.defaultBranch);
  if (parsed.name === undefined) throw new NessieBadRequest(`${what} must be a branch.`);
  if (parsed.hash === undefined) {
    throw new NessieBadRequest(parsed.relative.length > 0 ? 'Expected hash must contain a starting commit ID.' : 'Expected hash must be provided.');
  }
  const resolved = await resolveRef(deps.store, parsed);
  if (resolved.type !== 'BRANCH') throw new NessieBadRequest(`${what} must be a branch.`);
  return { ...resolved, name: parsed.name };
}


async function readMetadataText(deps: NessieDeps, location: string, key: ContentKey): Promise<string> {
  let text: string;
  try {
    text = metadataText(await deps.readMetadata(location));
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new NessieBadRequest(`Cannot read metadata '${location}' of '${keyToString(key)}': ${reason}`);
  }
  try {
    parseJson(text);
  } catch {
    throw new NessieBadRequest(`Metadata '${location}' of '${keyToString(key)}' is not valid JSON`);
  }
  return text;
}

async function toStoreContent(deps: NessieDeps, key: ContentKey, input: ContentInput, id: string, known: Content[]): Promise<Content> {
  const stored = (type: Content['type'], location: string): Content | undefined =>
    known.find((c) => c.type === type && c.id === id && c.type !== 'NAMESPACE' && c.metadataLocation === location);
  switch (input.type) {
    case 'NAMESPACE':
      return { type: 'NAMESPACE', id, properties: input.properties };
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
 * Nessie's content-id rules for a Put, against the state the client read (its messages are
 * matched by older Iceberg NessieCatalog versions): a new key gets a new id, an existing key
 * keeps its id, and a given id for a new key is only allowed for a rename (its Delete in the
 * same commit).
 */
function checkPutId(key: ContentKey, givenId: string | undefined, existing: Content | undefined, deletedIds: Set<string>): void {
  const name = keyToString(key);
  if (existing !== undefined && givenId === undefined) {
    throw new NessieBadRequest(`New value to update existing key '${name}' has no content ID`);
  }
  if (existing !== undefined && givenId !== undefined && existing.id !== givenId) {
    throw new NessieBadRequest(
      `Key '${name}' already exists with content ID ${existing.id}, which is different from the content ID ${givenId} in the operation`,
    );
  }
  if (existing === undefined && givenId !== undefined && !deletedIds.has(givenId)) {
    throw new NessieBadRequest(`New value for key '${name}' must not have a content ID`);
  }
}

export async function commitOperations(deps: NessieDeps, c: Context, refText: string): Promise<Response> {
  const { store } = deps;
  const target = await writeTarget(deps, refText, 'Reference to commit into');
  const body = await readObject(c, 'Operations');
  const meta = parseCommitMeta(body.commitMeta);
  const ops = parseOperations(body.operations);

  // What the client saw at its expected hash decides create vs. update, and lets an unchanged
  // metadata file (renames, property-only updates) be reused instead of read again.
  const touched = ops.filter((o) => o.kind !== 'unchanged').map((o) => o.key);
  const base = touched.length > 0 ? await store.getContents(target.hash, touched) : new Map<string, Content>();
  const known = [...base.values()];

  const deletedIds = new Set(ops.filter((o) => o.kind === 'delete').flatMap((o) => base.get(storeKey(o.key))?.id ?? []));
  const added: { key: ContentKey; contentId: string }[] = [];
  const operations: CommitOperation[] = [];
  for (const op of ops) {
    const existing = base.get(storeKey(op.key));
    switch (op.kind) {
      case 'put': {
        const givenId = op.content.id;
        checkPutId(op.key, givenId, existing, deletedIds);
        if (existing !== undefined && existing.type !== op.content.type) {
          // A table cannot become a view; Iceberg's NessieCatalog turns this 400 into "already exists".
          throw new NessieBadRequest(`Cannot change the content type of '${keyToString(op.key)}' from ${existing.type} to ${op.content.type}`);
        }
        const id = givenId ?? randomUUID();
        if (givenId === undefined) added.push({ key: op.key, contentId: id });
        const content = await toStoreContent(deps, op.key, op.content, id, known);
        // A given id with no value at the key is a rename (checked above): the id moves to the new key.
        const expectedContentId = givenId !== undefined && existing !== undefined ? givenId : undefined;
        operations.push({ kind: 'put', key: op.key, content, ...(expectedContentId ? { expectedContentId } : {}) });
        break;
      }
      case 'delete':
        operations.push({ kind: 'delete', key: op.key, ...(existing ? { expectedContentId: existing.id } : {}) });
        break;
      case 'unchanged':
        break;
      default: {
        const never: never = op;
        throw new Error(`unknown operation ${String(never)}`);
      }
    }
  }

  await checkNamespaces(deps, target.hash, operations, base);
  const result = await store.commit(target.name, target.hash, meta, operations);
  return respond(c, {
    targetBranch: { type: 'BRANCH', name: target.name, hash: result.hash },
    addedContents: added.map((a) => ({ key: keyJson(a.key), contentId: a.contentId })),
  });
}

/**
 * Nessie's namespace rules, which Iceberg's NessieCatalog relies on: a new key needs all its
 * parent namespaces (NAMESPACE_ABSENT / NOT_A_NAMESPACE), and a namespace with children cannot
 * be deleted (NAMESPACE_NOT_EMPTY). Checked at the commit the client read; the store then
 * rejects the commit if any touched key changed since.
 */
async function checkNamespaces(deps: NessieDeps, hash: string, operations: CommitOperation[], base: Map<string, Content>): Promise<void> {
  const written = new Map<string, CommitOperation>(operations.map((op) => [storeKey(op.key), op]));
  const parents = new Map<string, ContentKey>();
  for (const op of operations) {
    if (op.kind !== 'put' || base.has(storeKey(op.key))) continue;
    for (let n = 1; n < op.key.length; n++) {
      const p = op.key.slice(0, n);
      parents.set(storeKey(p), p);
    }
  }
  const conflicts: NessieConflict[] = [];
  const existingParents = parents.size > 0 ? await deps.store.getContents(hash, [...parents.values()]) : new Map<string, Content>();
  for (const [k, p] of parents) {
    const op = written.get(k);
    const type = op ? (op.kind === 'put' ? op.content.type : undefined) : existingParents.get(k)?.type;
    if (type === undefined) {
      conflicts.push({ conflictType: 'NAMESPACE_ABSENT', key: p, message: `namespace '${keyToString(p)}' must exist` });
    } else if (type !== 'NAMESPACE') {
      conflicts.push({ conflictType: 'NOT_A_NAMESPACE', key: p, message: `expecting the key '${keyToString(p)}' to be a namespace, but is not a namespace` });
    }
  }
  for (const op of operations) {
    if (op.kind !== 'delete' || base.get(storeKey(op.key))?.type !== 'NAMESPACE') continue;
    // Children deleted in the same commit do not count; look a little past them.
    const removed = operations.filter((o) => o.kind === 'delete').length;
    const under = await deps.store.listEntries(hash, { prefix: op.key, pageSize: removed + 1 });
    if (under.items.some((e) => written.get(storeKey(e.key))?.kind !== 'delete')) {
      conflicts.push({ conflictType: 'NAMESPACE_NOT_EMPTY', key: op.key, message: `namespace '${keyToString(op.key)}' is not empty` });
    }
  }
  if (conflicts.length > 0) {
    throw new NessieHttpError('REFERENCE_CONFLICT', conflicts.map((c) => c.message).join(', '), conflicts);
  }
}
