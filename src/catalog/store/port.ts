/**
 * The version store: a Git-like history of the whole catalog. Implemented on PostgreSQL and
 * PGlite by the same drizzle code (see ./pg-store.ts); the catalog use-cases and both HTTP APIs
 * depend only on this interface.
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

export interface MergeRequest {
  /** The source commit to merge (usually the head of the source branch). */
  fromHash: string;
  fromRefName?: string;
  toBranch: string;
  /** The target head the caller expects; omitted means "current head". */
  expectedHash?: string;
  meta: CommitMeta;
  dryRun?: boolean;
  defaultMergeBehavior?: MergeBehavior;
  keyMergeBehaviors?: { key: ContentKey; behavior: MergeBehavior }[];
}

export interface MergeKeyDetail {
  key: ContentKey;
  behavior: MergeBehavior;
  conflict?: { conflictType: 'VALUE_DIFFERS' | 'KEY_EXISTS' | 'KEY_DOES_NOT_EXIST' | 'UNKNOWN'; message: string };
  /** The value on the source side (null: deleted on the source). */
  sourceContent: Content | null;
  /** The value on the target head (null: absent on the target). */
  targetContent: Content | null;
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

export interface TransplantRequest {
  /** Commits to re-apply, oldest first. */
  hashes: string[];
  fromRefName?: string;
  toBranch: string;
  expectedHash?: string;
  dryRun?: boolean;
  defaultMergeBehavior?: MergeBehavior;
  keyMergeBehaviors?: { key: ContentKey; behavior: MergeBehavior }[];
  /** Commit metadata for the transplanted commits; defaults to each original's. */
  meta?: Partial<CommitMeta>;
}

export interface VersionStore {
  /** Applies migrations and creates `main` if the catalog is new. Idempotent. */
  init(): Promise<void>;
  close(): Promise<void>;
  /** Cheap liveness query for `/ready`. */
  ping(): Promise<void>;

  readonly defaultBranch: string;

  // -- references
  listReferences(): Promise<Reference[]>;
  /** Throws NotFoundError(kind='reference'). */
  getReference(name: string): Promise<Reference>;
  /** Creates a branch or tag at `hash`. Throws AlreadyExistsError, NotFoundError (hash). */
  createReference(name: string, type: ReferenceType, hash: string): Promise<Reference>;
  /** Moves a reference by CAS. Throws ReferenceConflictError when `expectedHash` is not the head. */
  assignReference(name: string, type: ReferenceType | undefined, expectedHash: string, newHash: string): Promise<Reference>;
  /** Deletes a reference by CAS. */
  deleteReference(name: string, type: ReferenceType | undefined, expectedHash: string): Promise<void>;

  // -- commits and lookups
  /** Throws NotFoundError(kind='commit'). Accepts a full hash or an unambiguous prefix (>= 8 hex chars). */
  getCommit(hash: string): Promise<Commit>;
  /** The hash a branch or tag pointed at, at or before `timeMs` (the latest commit made no later than it). */
  hashAtTime(refName: string, timeMs: number): Promise<string>;
  /** The n-th ancestor of a commit (first parents). */
  ancestor(hash: string, n: number): Promise<string>;
  /** Reads one key at a commit; null if absent. */
  getContent(hash: string, key: ContentKey): Promise<Content | null>;
  /** Reads several keys at a commit; absent keys are missing from the map (keyed by `keyToString`). */
  getContents(hash: string, keys: ContentKey[]): Promise<Map<string, Content>>;
  /**
   * Lists entries at a commit. `prefix` restricts to keys under that namespace path;
   * `depth` set: only keys with exactly `prefix.length + depth` elements (1 = direct children).
   * Ordered by key.
   */
  listEntries(
    hash: string,
    opts?: PageRequest & { prefix?: ContentKey; depth?: number; types?: ContentType[] },
  ): Promise<Page<Entry>>;
  /** Commit log from `hash` following first parents, newest first. */
  log(hash: string, opts?: PageRequest & { untilHash?: string }): Promise<Page<Commit>>;

  /**
   * Commits operations atomically on a branch. `expectedHash` is the head the caller read the
   * keys at: the commit succeeds if no touched key changed between it and the current head
   * (concurrent commits to other keys are rebased over), else ConflictError. A stale
   * `expectedHash` that is not an ancestor of the head is a ReferenceConflictError.
   */
  commit(branch: string, expectedHash: string, meta: CommitMeta, operations: CommitOperation[]): Promise<CommitResult>;

  // -- history operations
  diff(fromHash: string, toHash: string, opts?: PageRequest & { prefix?: ContentKey }): Promise<Page<DiffEntry>>;
  mergeBase(a: string, b: string): Promise<string>;
  merge(req: MergeRequest): Promise<MergeResult>;
  transplant(req: TransplantRequest): Promise<MergeResult>;

  /** Idempotency-Key records kept in the same database, shared by every process on it. */
  readonly idempotency?: IdempotencyRecords;
}

/** A final HTTP response kept for replay under an Idempotency-Key. */
export interface StoredResponse {
  status: number;
  body: string;
  headers: Record<string, string>;
}

/** A live (unexpired) Idempotency-Key record. Times are epoch milliseconds. */
export type IdempotencyRecord =
  | { state: 'PENDING'; fingerprint: string; owner: string; heartbeatAt: number; expiresAt: number }
  | { state: 'DONE'; fingerprint: string; expiresAt: number; response: StoredResponse };

/**
 * Storage of Idempotency-Key records: claim, then complete or release. Every write but `claim`
 * is conditional on the claim's owner token, so a request whose claim was taken over can never
 * overwrite the newer owner's outcome.
 */
export interface IdempotencyRecords {
  /**
   * Atomically claims `key` as PENDING for `owner` when no live record exists (an expired one
   * is replaced). Returns null when claimed, else the live record that holds the key.
   */
  claim(key: string, fingerprint: string, owner: string, now: number, expiresAt: number): Promise<IdempotencyRecord | null>;
  /** Keeps a PENDING claim alive; false when `owner` no longer holds it. */
  heartbeat(key: string, owner: string, now: number): Promise<boolean>;
  /** Moves a PENDING claim whose heartbeat is older than `staleBefore` to `owner`; false if it was not stale any more. */
  takeOver(key: string, staleOwner: string, owner: string, now: number, staleBefore: number): Promise<boolean>;
  /** Finalises `owner`'s claim with the response to replay; false when the claim was lost. */
  complete(key: string, owner: string, response: StoredResponse): Promise<boolean>;
  /** Drops `owner`'s PENDING claim so that a retry runs the request again. */
  release(key: string, owner: string): Promise<void>;
  /** Deletes at most `limit` records that expired before `now`; returns how many. */
  purgeExpired(now: number, limit: number): Promise<number>;
}

/** Canonical string form of a key for maps and indexes: elements joined by U+0000. */
export function keyToString(key: ContentKey): string {
  return key.join('\u0000');
}

export function keyFromString(s: string): ContentKey {
  return s.split('\u0000');
}
