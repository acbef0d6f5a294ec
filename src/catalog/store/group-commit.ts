/**
 * Commits to one branch from one process are batched ("group commit"): while a batch is being
 * written, new requests queue up; the next batch chains them as separate commits, each checked
 * against the state left by the ones before it, and lands them with ONE statement and ONE
 * reference CAS. A commit's cost is dominated by the reference row lock being held until the
 * WAL flush, so sharing that among the queued commits is what lifts throughput on a busy branch;
 * a lone commit goes out at once, with no added wait. Outcomes are per request: a conflicting
 * request fails alone; a lost CAS re-runs the whole batch on the new head.
 */
import { CatalogError } from '../errors.js';
import {
  buildCommit,
  checkAgainstHead,
  prepareWrites,
  withBranchRetry,
  withPendingNodes,
  type KeyWrite,
} from './commit.js';
import type { CommitRow, Executor, StoreCore } from './core.js';
import { firstParentAncestorsAmong } from './history.js';
import type { NodeSink } from './key-index.js';
import type { CommitMeta, CommitOperation, Content } from './port.js';

const MAX_BATCH = 64;

interface Request {
  expected: CommitRow;
  meta: CommitMeta;
  operations: CommitOperation[];
  writes: KeyWrite[];
  resolve(c: CommitRow): void;
  reject(err: unknown): void;
}

type Outcome = { ok: true; commit: CommitRow } | { ok: false; error: unknown };

interface BranchQueue {
  pending: Request[];
  draining: boolean;
}

const queues = new WeakMap<StoreCore, Map<string, BranchQueue>>();

export async function commitOnBranch(
  core: StoreCore,
  branch: string,
  expectedHash: string,
  meta: CommitMeta,
  operations: CommitOperation[],
): Promise<CommitRow> {
  const writes = prepareWrites(operations);
  const expected = await core.loadCommit(expectedHash);
  let byBranch = queues.get(core);
  if (!byBranch) queues.set(core, (byBranch = new Map()));
  let q = byBranch.get(branch);
  if (!q) byBranch.set(branch, (q = { pending: [], draining: false }));
  const queue = q;
  return new Promise<CommitRow>((resolve, reject) => {
    queue.pending.push({ expected, meta, operations, writes, resolve, reject });
    if (!queue.draining) void drain(core, branch, queue);
  });
}

async function drain(core: StoreCore, branch: string, q: BranchQueue): Promise<void> {
  q.draining = true;
  try {
    while (q.pending.length > 0) {
      const batch = q.pending.splice(0, MAX_BATCH);
      try {
        const outcomes = await withBranchRetry(core, branch, (ex, head) => attemptBatch(core, ex, branch, head, batch));
        outcomes.forEach((o, i) => (o.ok ? batch[i].resolve(o.commit) : batch[i].reject(o.error)));
      } catch (err) {
        for (const r of batch) r.reject(err);
      }
    }
  } finally {
    q.draining = false;
  }
}

async function attemptBatch(core: StoreCore, ex: Executor, branch: string, headHash: string, batch: Request[]): Promise<Outcome[] | null> {
  const stored = await core.loadCommit(headHash, ex);
  const sink: NodeSink = new Map();
  const contents = new Map<string, Content>();
  const src = withPendingNodes(sink, core.nodeSource(ex));
  const commits: CommitRow[] = [];
  const outcomes: Outcome[] = [];
  const stale = batch.map((r) => r.expected).filter((e) => e.hash !== stored.hash);
  const ancestors = await firstParentAncestorsAmong(core, stored, stale, ex);
  let head = stored;
  for (const r of batch) {
    try {
      const atHead = await checkAgainstHead(core, ex, src, branch, head, stored.hash, r.expected, r.operations, r.writes, ancestors);
      const commit = await buildCommit(core, ex, src, head, r.meta, r.writes, atHead, null, sink, contents);
      commits.push(commit);
      outcomes.push({ ok: true, commit });
      head = commit;
    } catch (err) {
      // Domain errors belong to this request only; anything else fails the batch attempt.
      if (!(err instanceof CatalogError)) throw err;
      outcomes.push({ ok: false, error: err });
    }
  }
  if (commits.length === 0) return outcomes;
  if (!(await core.writeCommits(ex, branch, stored.hash, commits, sink, contents))) return null;
  core.remember(commits, sink, contents);
  return outcomes;
}
