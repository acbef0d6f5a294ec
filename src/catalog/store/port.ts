/**
 * The version store: a Git-like history of the whole catalog. Implemented on PostgreSQL and
 * PGlite by the same drizzle code (see ./pg-store.ts). Only the catalog's verbs use it; its
 * mutators (commit, merge, transplant, and the reference CAS) are called from
 * `../branch-write.ts` alone, the one gate every change of a reference passes.
 */
import type { AccessRecords } from '../access/records.js';
import type { SigningKeyStore } from '../access/service-clients.js';
import type { IdempotencyRecords } from '../idempotency.js';
import type { GcRecords } from '../gc/records.js';
import type { LocationClaims } from '../locations.js';
import type {
  CommitMeta,
  CommitOperation,
  CommitResult,
  Commit,
  Content,
  ContentKey,
  ContentType,
  DiffEntry,
  Entry,
  MergeBehavior,
  MergeResult,
  Page,
  PageRequest,
  Reference,
  ReferenceType,
} from '../model.js';

export * from '../model.js';
export type { IdempotencyRecord, IdempotencyRecords, StoredResponse } from '../idempotency.js';

/** Called with every key a merge or transplant is about to change (after planning, before writing); throws to refuse. */
export type KeyCheck = (changes: { key: ContentKey; type: ContentType }[]) => void;

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
  checkKeys?: KeyCheck;
  /**
   * Keys changed on both sides whose merged value the caller computed (an Iceberg-level merge):
   * while the key still holds `expectedTarget` on the target head and `expectedSource` on the
   * source, `content` is written instead of reporting a conflict. A key that moved since is a
   * conflict as usual.
   */
  resolutions?: MergeResolution[];
  /**
   * Tables whose Iceberg-level merge validates the source's changes under snapshot isolation
   * (data the target added where the source deleted or overwrote rows is no conflict), whatever
   * their write.*.isolation-level properties say. Not read by the store.
   */
  snapshotIsolationKeys?: ContentKey[];
}

export interface MergeResolution {
  key: ContentKey;
  expectedSource: Content;
  expectedTarget: Content;
  content: Content;
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
  checkKeys?: KeyCheck;
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
  /**
   * The newest commit made no later than `timeMs` on the first-parent history of `hash` (itself
   * included); NO_ANCESTOR_HASH when every commit is newer. Accepts an abbreviated hash.
   */
  commitAtTime(hash: string, timeMs: number): Promise<string>;
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
  /** lakecat's token-signing key, kept in the same database (service clients, catalog/access). */
  readonly signingKeys?: SigningKeyStore;
  /** Grants, protections, check results and the audit log, kept in the same database. */
  readonly access?: AccessRecords;
  /** The locations given to tables (catalog/locations.ts), kept in the same database. */
  readonly locations?: LocationClaims;
  /** Retention policies, dropped heads and GC runs, kept in the same database (catalog/gc). */
  readonly gc?: GcRecords;
}

