/**
 * What garbage collection needs from the store's database (implemented in
 * store/gc-store.ts): lean reads of the commit graph and of table versions, the retention
 * policies, the heads that left a reference, and the state of runs and deletions.
 */
import type { ContentType } from '../model.js';

export type PolicyRefType = 'BRANCH' | 'TAG' | 'ANY';

export interface GcPolicy {
  refType: PolicyRefType;
  /** A reference name, or an fnmatch pattern (`*`, `?`). */
  pattern: string;
  /** Commits younger than this stay... */
  retainMs: number;
  /** ...and at least this many commits of first-parent history, the head included (>= 1). */
  retainCommits: number;
  /** How long the head of a deleted or reset reference stays live. */
  deletedGraceMs: number;
  updatedAtMs?: number;
  updatedBy?: string;
}

/** A commit as GC walks it: first parent, time, and the content rows its puts wrote. */
export interface GcCommit {
  hash: string;
  parent: string | null;
  commitTimeMs: number;
  /** Hashes of the content rows put by this commit (namespaces included). */
  puts: string[];
}

/** One version of a table or view (a content row). */
export interface GcVersion {
  hash: string;
  contentId: string;
  type: ContentType;
  metadataLocation: string | null;
  /** The metadata as stored with the version (table or view metadata JSON). */
  metadata: string | null;
}

export interface DroppedHead {
  name: string;
  type: string;
  hash: string;
  droppedAtMs: number;
  reason: 'deleted' | 'reassigned';
}

export type RunState = 'running' | 'reported' | 'done' | 'failed' | 'interrupted';

export interface GcRunRecord {
  id: string;
  state: RunState;
  dryRun: boolean;
  startedAtMs: number;
  finishedAtMs?: number;
  leaseUntilMs: number;
  startedBy: string;
  options: Record<string, unknown>;
  report?: unknown;
  error?: string;
}

export type DeletionState = 'pending' | 'deleting' | 'deleted' | 'rescued' | 'failed';

export interface GcDeletion {
  path: string;
  bytes: number;
  tableLocation: string;
  state: DeletionState;
  attempts: number;
  lastError?: string;
}

export interface GcRecords {
  /** The first-parent chain from `head` (itself first), at most `limit` commits. */
  firstParents(head: string, limit: number): Promise<GcCommit[]>;
  /** Content-row hashes of every table and view at a commit. */
  tablesAt(commitHash: string): Promise<string[]>;
  /** The versions behind content-row hashes (namespaces are left out). */
  versions(hashes: string[]): Promise<GcVersion[]>;

  policies(): Promise<GcPolicy[]>;
  putPolicy(policy: GcPolicy): Promise<void>;
  removePolicy(refType: PolicyRefType, pattern: string): Promise<boolean>;
  /** Heads that left a reference at or after `sinceMs`. */
  droppedHeads(sinceMs: number): Promise<DroppedHead[]>;

  /**
   * Starts a run holding the lease. Refuses (returns the holder) while another run's lease is
   * current; a running run whose lease ran out is marked 'interrupted' and returned in `taken`.
   */
  startRun(run: GcRunRecord): Promise<{ holder?: GcRunRecord; taken: GcRunRecord[] }>;
  /** Extends the lease; false when the run lost it (another run took over). */
  renewLease(id: string, untilMs: number): Promise<boolean>;
  /** Records how a run ended; a run another one took over stays 'interrupted'. */
  finishRun(id: string, state: RunState, finishedAtMs: number, report: unknown, error?: string): Promise<void>;
  runs(limit: number): Promise<GcRunRecord[]>;
  run(id: string): Promise<GcRunRecord | undefined>;

  /**
   * Records as expired every commit made before `beforeMs` that is not in `retained` (nor the
   * empty root); returns how many were newly recorded. Called once per run, before it deletes.
   */
  expireCommits(runId: string, retained: Iterable<string>, beforeMs: number, atMs: number, root: string): Promise<number>;
  /** Whether a GC run recorded the commit as expired. */
  isExpired(hash: string): Promise<{ runId: string; expiredAtMs: number } | undefined>;

  /**
   * Deletes the key-index nodes and table/view versions that only expired commits reach, in
   * batches of `batch` rows, re-reading the commits made since `sinceMs` before each batch.
   */
  sweepRows(runId: string, sinceMs: number, batch: number): Promise<{ indexNodes: number; contents: number; contentBytes: number }>;

  /** Deletes the expired commits no reference reaches any more; returns how many. */
  sweepCommits(): Promise<number>;

  addDeletions(runId: string, rows: GcDeletion[]): Promise<void>;
  setDeletions(runId: string, paths: string[], state: DeletionState, error?: string): Promise<void>;
  /** Deletions of a run, optionally in some states, ordered by path, after `afterPath`. */
  deletions(runId: string, opts: { states?: DeletionState[]; afterPath?: string; limit: number }): Promise<GcDeletion[]>;
}
