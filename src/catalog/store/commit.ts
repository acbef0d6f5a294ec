/**
 * Committing operations on a branch (requests are batched per branch by group-commit.ts).
 *
 * Concurrency: the first attempt is optimistic (reads outside any transaction, then one
 * statement that inserts the new rows and CASes the branch). If it loses the race, later
 * attempts run in a transaction holding the branch row lock (`SELECT ... FOR UPDATE`) for the
 * few round trips of the critical section, so a busy branch serialises its writers in the
 * database instead of letting them spin; several processes on one PostgreSQL are as safe as one
 * because the reference row is the only mutable state. Keys are re-validated against the head
 * seen at each attempt, so commits to other keys rebase and commits to the same key conflict.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import {
  BadRequestError,
  ConflictError,
  NotFoundError,
  ReadOnlyReferenceError,
  ReferenceConflictError,
  type KeyConflict,
} from '../errors.js';
import { commitHash, contentHash, type StoredOperation } from './content-codec.js';
import { isRetryable, mapDbError, type CommitRow, type Executor, type StoreCore } from './core.js';
import { isFirstParentAncestor } from './history.js';
import {
  applyMutations,
  decodeNode,
  lookupMany,
  type IndexEntry,
  type IndexNode,
  type Mutation,
  type NodeSink,
  type NodeSource,
} from './key-index.js';
import { keyToString, type CommitMeta, type CommitOperation, type Content, type ContentKey } from './port.js';

const MAX_ATTEMPTS = 20;

/** A prepared change of one key. */
export interface KeyWrite {
  key: ContentKey;
  keyString: string;
  /** The new index entry; null deletes the key. */
  entry: IndexEntry | null;
  /** The value to insert, when it may not be stored yet (merges reuse stored values). */
  content?: Content;
}

/** Thrown inside an attempt to roll back its transaction and retry. */
export class LostRace extends Error {}

/** Reads the branch head; inside a transaction, locks the reference row. */
export async function readBranchHead(core: StoreCore, branch: string, ex: Executor, lock: boolean): Promise<string> {
  const rows = await core.rows<{ type: string; hash: string }>(
    lock
      ? sql`SELECT type, hash FROM refs WHERE name = ${branch} FOR UPDATE`
      : sql`SELECT type, hash FROM refs WHERE name = ${branch}`,
    ex,
  );
  if (rows.length === 0) throw new NotFoundError(`Named reference '${branch}' not found`, 'reference');
  if (rows[0].type !== 'BRANCH') throw new ReadOnlyReferenceError(`Reference '${branch}' is a tag and cannot be committed to`);
  return rows[0].hash;
}

/**
 * Runs `attempt` until it lands: first optimistically, then under the branch row lock.
 * `attempt` returns null when its CAS lost.
 */
export async function withBranchRetry<T>(
  core: StoreCore,
  branch: string,
  attempt: (ex: Executor, head: string) => Promise<T | null>,
  lockFirst = false,
): Promise<T> {
  for (let i = 0; i < MAX_ATTEMPTS; i++) {
    try {
      if (i === 0 && !lockFirst) {
        const head = await readBranchHead(core, branch, core.db, false);
        const r = await attempt(core.db, head);
        if (r !== null) return r;
      } else {
        const r = await core.db.transaction(async (tx) => attempt(tx, await readBranchHead(core, branch, tx, true)));
        if (r !== null) return r;
      }
    } catch (err) {
      // BEGIN and COMMIT errors come straight from the driver: map them like query errors.
      if (!(err instanceof LostRace) && !isRetryable(err)) throw mapDbError(err);
    }
  }
  throw new ReferenceConflictError(`Branch '${branch}' is too busy: gave up after ${MAX_ATTEMPTS} attempts`, branch, undefined, undefined);
}

export function storedOperation(w: KeyWrite, existing: IndexEntry | undefined): StoredOperation {
  return w.entry
    ? ['put', w.key, w.entry.hash, w.entry.type, w.entry.id]
    : ['delete', w.key, null, existing?.type ?? 'ICEBERG_TABLE', existing?.id ?? ''];
}

/**
 * Builds the tree and commit row for `writes` on top of `head` without writing anything: new
 * nodes go to `sink`, new values to `contents`. `src` must see the nodes already in `sink`.
 */
export async function buildCommit(
  core: StoreCore,
  ex: Executor,
  src: NodeSource,
  head: CommitRow,
  meta: CommitMeta,
  writes: KeyWrite[],
  existing: Map<string, IndexEntry>,
  mergeParent: string | null,
  sink: NodeSink,
  contents: Map<string, Content>,
): Promise<CommitRow> {
  const muts: Mutation[] = writes.map((w) => {
    if (w.entry && w.content) contents.set(w.entry.hash, w.content);
    return { key: w.keyString, entry: w.entry };
  });
  const indexRoot = await applyMutations(src, sink, head.indexRoot, muts);
  let gen = head.gen + 1;
  if (mergeParent) gen = Math.max(gen, (await core.loadCommit(mergeParent, ex)).gen + 1);
  const fields = {
    parent: head.hash,
    mergeParent,
    author: meta.author,
    message: meta.message,
    properties: meta.properties ?? {},
    // Never earlier than the parent, so time lookups can stop at the first older commit.
    commitTime: Math.max(meta.commitTimeMs ?? Date.now(), head.commitTime),
    operations: writes.map((w) => storedOperation(w, existing.get(w.keyString))),
  };
  return { hash: commitHash(fields), gen, indexRoot, ...fields };
}

/** A NodeSource that also sees nodes built but not yet written. */
export function withPendingNodes(sink: NodeSink, base: NodeSource): NodeSource {
  const decoded = new Map<string, IndexNode>();
  return {
    async getNodes(hashes) {
      const out = new Map<string, IndexNode>();
      const rest: string[] = [];
      for (const h of hashes) {
        const pending = sink.get(h);
        if (!pending) {
          rest.push(h);
          continue;
        }
        let n = decoded.get(h);
        if (!n) decoded.set(h, (n = decodeNode(pending.data)));
        out.set(h, n);
      }
      if (rest.length > 0) for (const [h, n] of await base.getNodes(rest)) out.set(h, n);
      return out;
    },
  };
}

/** Builds one commit on `head` and writes it with the branch CAS; null when the CAS lost. */
export async function writeOnHead(
  core: StoreCore,
  ex: Executor,
  branch: string,
  head: CommitRow,
  meta: CommitMeta,
  writes: KeyWrite[],
  existing: Map<string, IndexEntry>,
  mergeParent: string | null,
): Promise<CommitRow | null> {
  const sink: NodeSink = new Map();
  const contents = new Map<string, Content>();
  const commit = await buildCommit(core, ex, core.nodeSource(ex), head, meta, writes, existing, mergeParent, sink, contents);
  if (!(await core.writeCommits(ex, branch, head.hash, [commit], sink, contents))) return null;
  core.remember([commit], sink, contents);
  return commit;
}

/** A stale expected hash is fine as long as it is on the branch's history; anything else is a CAS failure. */
export async function requireAncestor(core: StoreCore, ex: Executor, branch: string, expected: string, head: string): Promise<void> {
  if (!(await isFirstParentAncestor(core, expected, head, ex))) throw notAncestor(branch, expected, head);
}

function notAncestor(branch: string, expected: string, head: string): ReferenceConflictError {
  return new ReferenceConflictError(
    `Expected hash '${expected}' is not an ancestor of the head '${head}' of branch '${branch}'`,
    branch,
    expected,
    head,
  );
}

export function prepareWrites(operations: CommitOperation[]): KeyWrite[] {
  const seen = new Set<string>();
  return operations.map((op) => {
    if (op.key.length === 0 || op.key.some((e) => e.length === 0 || e.includes('\u0000'))) {
      throw new BadRequestError(`Invalid content key '${op.key.join('.')}'`);
    }
    const keyString = keyToString(op.key);
    if (seen.has(keyString)) throw new BadRequestError(`Key '${op.key.join('.')}' appears in more than one operation`);
    seen.add(keyString);
    if (op.kind === 'delete') return { key: op.key, keyString, entry: null };
    const id = op.content.id || op.expectedContentId || randomUUID();
    const content = { ...op.content, id } as Content;
    return { key: op.key, keyString, content, entry: { key: keyString, hash: contentHash(content), type: content.type, id } };
  });
}

function validate(operations: CommitOperation[], writes: KeyWrite[], atHead: Map<string, IndexEntry>): KeyConflict[] {
  const conflicts: KeyConflict[] = [];
  operations.forEach((op, i) => {
    const cur = atHead.get(writes[i].keyString);
    const name = op.key.join('.');
    if (op.kind === 'put' && op.expectedContentId === undefined) {
      if (cur) conflicts.push({ key: op.key, conflictType: 'KEY_EXISTS', message: `Key '${name}' already exists` });
      return;
    }
    if (!cur) {
      conflicts.push({ key: op.key, conflictType: 'KEY_DOES_NOT_EXIST', message: `Key '${name}' does not exist` });
    } else if (op.expectedContentId !== undefined && op.expectedContentId !== cur.id) {
      conflicts.push({
        key: op.key,
        conflictType: 'CONTENT_ID_DIFFERS',
        message: `Key '${name}' has content id '${cur.id}', expected '${op.expectedContentId}'`,
      });
    } else if (op.kind === 'put' && writes[i].entry!.id !== cur.id) {
      conflicts.push({ key: op.key, conflictType: 'CONTENT_ID_DIFFERS', message: `Key '${name}' cannot change its content id` });
    }
  });
  return conflicts;
}

/**
 * Checks one commit request against `head`: keys changed since the caller's expected hash are
 * conflicts, then put/delete preconditions. Returns the values at `head` of the touched keys.
 */
export async function checkAgainstHead(
  core: StoreCore,
  ex: Executor,
  src: NodeSource,
  branch: string,
  head: CommitRow,
  /** The head that is (or will be) in the database: the expected hash must be on its history. */
  storedHead: string,
  expected: CommitRow,
  operations: CommitOperation[],
  writes: KeyWrite[],
  /** First-parent ancestors of `storedHead` already looked up, to save a query per request. */
  knownAncestors?: Set<string>,
): Promise<Map<string, IndexEntry>> {
  const keys = writes.map((w) => w.keyString);
  const atHead = await lookupMany(src, head.indexRoot, keys);
  if (head.hash !== expected.hash) {
    if (expected.hash !== storedHead) {
      if (!knownAncestors) await requireAncestor(core, ex, branch, expected.hash, storedHead);
      else if (!knownAncestors.has(expected.hash)) throw notAncestor(branch, expected.hash, storedHead);
    }
    const atExpected = await lookupMany(src, expected.indexRoot, keys);
    const changed: KeyConflict[] = writes
      .filter((w) => atExpected.get(w.keyString)?.hash !== atHead.get(w.keyString)?.hash)
      .map((w) => ({
        key: w.key,
        conflictType: 'VALUE_DIFFERS',
        message: `Key '${w.key.join('.')}' was changed concurrently on branch '${branch}'`,
      }));
    if (changed.length > 0) throw new ConflictError(`Concurrent changes to ${changed.length} key(s) on '${branch}'`, changed);
  }
  const conflicts = validate(operations, writes, atHead);
  if (conflicts.length > 0) throw new ConflictError(conflicts.map((c) => c.message).join('; '), conflicts);
  return atHead;
}
