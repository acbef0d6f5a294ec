/**
 * The plan of a GC run: which commits every reference keeps under its policy, and so which
 * table and view versions are live. Roots are every branch and tag head, and the head of
 * every reference deleted or reset less than its policy's grace ago.
 */
import { NO_ANCESTOR_HASH, type Reference } from '../model.js';
import { formatDuration, policyFor, retainedCount } from './policy.js';
import type { DroppedHead, GcCommit, GcPolicy, GcRecords } from './records.js';

export interface RootPlan {
  name: string;
  type: 'BRANCH' | 'TAG';
  head: string;
  /** Set for the head of a deleted or reset reference. */
  dropped?: { atMs: number; reason: DroppedHead['reason']; keptUntilMs: number };
  policy: { pattern: string; retain: string; retainCommits: number; deletedGrace: string };
  retainedCommits: number;
  oldestRetained: { hash: string; commitTimeMs: number };
}

export interface Plan {
  roots: RootPlan[];
  /** Content-row hashes of every live table and view version. */
  versions: Set<string>;
  /** Every commit some root keeps. */
  commits: Set<string>;
  /** Heads of the references as planned (name -> hash); dropped heads are not here. */
  heads: Map<string, string>;
}

async function retainedHistory(gc: GcRecords, head: string, policy: GcPolicy, nowMs: number): Promise<GcCommit[]> {
  for (let limit = 64; ; limit *= 4) {
    const history = await gc.firstParents(head, limit);
    const { count, more } = retainedCount(history, policy, nowMs, history.length < limit);
    if (!more) return history.slice(0, count);
  }
}

export function describe(p: GcPolicy) {
  return { pattern: p.pattern, retain: formatDuration(p.retainMs), retainCommits: p.retainCommits, deletedGrace: formatDuration(p.deletedGraceMs) };
}

/** Adds what a root keeps to the plan: its retained commits, the state at the oldest, and every version they put. */
export async function addRoot(gc: GcRecords, plan: Plan, root: Omit<RootPlan, 'retainedCommits' | 'oldestRetained'>, policy: GcPolicy, nowMs: number): Promise<void> {
  const history = await retainedHistory(gc, root.head, policy, nowMs);
  if (history.length === 0) throw new Error(`commit ${root.head} of '${root.name}' is missing`);
  const oldest = history[history.length - 1];
  for (const c of history) {
    plan.commits.add(c.hash);
    for (const h of c.puts) plan.versions.add(h);
  }
  for (const h of await gc.tablesAt(oldest.hash)) plan.versions.add(h);
  plan.roots.push({ ...root, retainedCommits: history.length, oldestRetained: { hash: oldest.hash, commitTimeMs: oldest.commitTimeMs } });
}

export function emptyPlan(): Plan {
  return { roots: [], versions: new Set(), commits: new Set(), heads: new Map() };
}

/** Adds a live reference to the plan under the policy that governs it. */
export async function addReference(gc: GcRecords, plan: Plan, ref: Reference, policies: readonly GcPolicy[], defaultBranch: string, nowMs: number): Promise<void> {
  const policy = policyFor(policies, ref.type, ref.name, defaultBranch);
  plan.heads.set(ref.name, ref.hash);
  await addRoot(gc, plan, { name: ref.name, type: ref.type, head: ref.hash, policy: describe(policy) }, policy, nowMs);
}

/** Only the commit itself: the state at a fork point. */
const FORK_POINT: GcPolicy = { refType: 'BRANCH', pattern: '(fork point)', retainMs: 0, retainCommits: 1, deletedGraceMs: 0 };

/**
 * `mergeBase(a, b)` of the version store; with it, the plan also keeps each branch's fork point
 * from the default branch, so that merging the branch later still finds the state both sides
 * started from (an Iceberg-level merge reads the tables there).
 */
export type MergeBaseOf = (a: string, b: string) => Promise<string>;

export async function makePlan(gc: GcRecords, refs: readonly Reference[], defaultBranch: string, nowMs: number, mergeBase?: MergeBaseOf): Promise<Plan> {
  const policies = await gc.policies();
  const plan = emptyPlan();
  for (const ref of refs) await addReference(gc, plan, ref, policies, defaultBranch, nowMs);
  const main = refs.find((r) => r.name === defaultBranch);
  if (mergeBase && main) {
    for (const ref of refs) {
      if (ref.type !== 'BRANCH' || ref.name === defaultBranch) continue;
      const base = await mergeBase(ref.hash, main.hash);
      if (base === NO_ANCESTOR_HASH || plan.commits.has(base)) continue;
      await addRoot(gc, plan, { name: `${ref.name} (fork point)`, type: 'BRANCH', head: base, policy: describe(FORK_POINT) }, FORK_POINT, nowMs);
    }
  }
  const longestGrace = Math.max(7 * 86_400_000, ...policies.map((p) => p.deletedGraceMs));
  for (const d of await gc.droppedHeads(nowMs - longestGrace)) {
    const type = d.type === 'TAG' ? 'TAG' : 'BRANCH';
    const policy = policyFor(policies, type, d.name, defaultBranch);
    const keptUntilMs = d.droppedAtMs + policy.deletedGraceMs;
    if (keptUntilMs <= nowMs) continue;
    await addRoot(
      gc,
      plan,
      { name: d.name, type, head: d.hash, dropped: { atMs: d.droppedAtMs, reason: d.reason, keptUntilMs }, policy: describe(policy) },
      policy,
      nowMs,
    );
  }
  return plan;
}
