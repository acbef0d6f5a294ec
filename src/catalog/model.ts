/**
 * The vocabulary of the versioned catalog: content, references, commits, pages, merges. Owned by
 * the catalog, not by the store: the store port (store/port.ts) and both HTTP adapters speak it.
 *
 * Model (Nessie-like): immutable, content-addressed commits; named references (branches, tags)
 * moved only by compare-and-swap; content addressed by a key (namespace elements + name) with a
 * stable content id that survives renames and merges.
 */

/** Namespace elements followed by the object name, e.g. `['db', 'sales', 'orders']`. A namespace's own key is its path. */
export type ContentKey = string[];

export type ContentType = 'NAMESPACE' | 'ICEBERG_TABLE' | 'ICEBERG_VIEW';

export interface NamespaceContent {
  type: 'NAMESPACE';
  /** Stable id; assigned by the store on first put when empty. */
  id: string;
  properties: Record<string, string>;
}

export interface TableContent {
  type: 'ICEBERG_TABLE';
  id: string;
  metadataLocation: string;
  /** The full table metadata as lossless JSON text (as written to `metadata.json`). */
  metadata: string;
  snapshotId: bigint;
  schemaId: number;
  specId: number;
  sortOrderId: number;
}

export interface ViewContent {
  type: 'ICEBERG_VIEW';
  id: string;
  metadataLocation: string;
  /** The full view metadata as lossless JSON text. */
  metadata: string;
  versionId: number;
}

export type Content = NamespaceContent | TableContent | ViewContent;

export type ReferenceType = 'BRANCH' | 'TAG';

export interface Reference {
  name: string;
  type: ReferenceType;
  hash: string;
}

export interface CommitMeta {
  author: string;
  message: string;
  /** When the commit was made (ms since epoch); assigned by the store if absent. */
  commitTimeMs?: number;
  properties?: Record<string, string>;
}

export interface Commit {
  hash: string;
  parentHash: string | null;
  /** For merge commits: the head of the merged source. */
  mergeParentHash: string | null;
  author: string;
  message: string;
  commitTimeMs: number;
  properties: Record<string, string>;
  operations: CommitOperation[];
}

/** The hash of the empty catalog, before any commit (the parent of the first commit). */
export const NO_ANCESTOR_HASH = '2e1cfa82b035c26cbbbdae632cea070514eb8b773f616aaeaf668e2f0be8f10d';

export type CommitOperation =
  | {
      kind: 'put';
      key: ContentKey;
      content: Content;
      /**
       * The content id the caller expects at the key: set it when updating an existing value,
       * omit it when creating a new one (the store then fails if the key exists).
       */
      expectedContentId?: string;
    }
  | { kind: 'delete'; key: ContentKey; expectedContentId?: string };

/** In a result: what a commit did, without the content body. */
export interface KeyChange {
  key: ContentKey;
  kind: 'put' | 'delete';
  contentId: string;
  type: ContentType;
}

export interface Entry {
  key: ContentKey;
  type: ContentType;
  contentId: string;
}

export interface Page<T> {
  items: T[];
  /** Opaque token for the next page; absent on the last page. */
  nextPageToken?: string;
}

export interface PageRequest {
  pageToken?: string;
  pageSize?: number;
}

export interface CommitResult {
  hash: string;
  /** The branch head the commit was based on after any rebase over concurrent commits. */
  parentHash: string;
  commitTimeMs: number;
}

export interface DiffEntry {
  key: ContentKey;
  from: Content | null;
  to: Content | null;
}

export type MergeBehavior = 'NORMAL' | 'FORCE' | 'DROP';

export interface MergeKeyDetail {
  key: ContentKey;
  behavior: MergeBehavior;
  conflict?: { conflictType: 'VALUE_DIFFERS' | 'KEY_EXISTS' | 'KEY_DOES_NOT_EXIST' | 'UNKNOWN'; message: string };
  /** For a key in conflict, the value on the source side (null: deleted there); null for other keys. */
  sourceContent: Content | null;
  /** For a key in conflict, the value on the target head (null: absent there); null for other keys. */
  targetContent: Content | null;
  /** For a table changed on both sides: what the Iceberg-level merge did with it, or why it could not. */
  iceberg?: IcebergKeyMerge;
}

/** The outcome of merging one table at the Iceberg level (see src/iceberg/merge). */
export interface IcebergKeyMerge {
  /** MERGED: the source's snapshots were replayed onto the target's; UNCHANGED: the target already had them; CONFLICT: refused. */
  outcome: 'MERGED' | 'UNCHANGED' | 'CONFLICT';
  /** The isolation the replayed changes were validated under. */
  isolation: 'serializable' | 'snapshot' | 'table';
  /** The source snapshots replayed (MERGED), oldest first, as decimal strings. */
  replayedSnapshots?: string[];
  /** The Iceberg conflict type (CONFLICT), e.g. CONCURRENT_DELETE_IN_SCOPE. */
  conflictType?: string;
  /** The source snapshot whose replay was refused, when one was. */
  sourceSnapshotId?: string;
  /** What the user can do about a conflict. */
  hint?: string;
  /** One sentence for people. */
  message: string;
}

export interface MergeResult {
  /** True if the target was changed (false for dry runs, no-op merges and conflicts). */
  wasApplied: boolean;
  wasSuccessful: boolean;
  /** The target head after the merge (or unchanged head when not applied). */
  resultantTargetHash: string;
  commonAncestor: string;
  effectiveTargetHash: string;
  expectedHash?: string;
  details: MergeKeyDetail[];
}

/** Canonical string form of a key for maps and indexes: elements joined by U+0000. */
export function keyToString(key: ContentKey): string {
  return key.join('\u0000');
}

export function keyFromString(s: string): ContentKey {
  return s.split('\u0000');
}

/** Element-wise key order, the order of every listing (Nessie sorts keys the same way). */
export function compareKeys(a: ContentKey, b: ContentKey): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  }
  return a.length - b.length;
}

/** True if `key` is `prefix` or lies under it. */
export function keyStartsWith(key: ContentKey, prefix: ContentKey): boolean {
  return prefix.length <= key.length && prefix.every((e, i) => key[i] === e);
}
