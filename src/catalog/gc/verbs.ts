/**
 * Verbs of garbage collection (admins only): retention policies, runs (a dry run reports, a
 * run deletes) and their reports. How a run decides is in ./run.ts.
 */
import { requireAdmin } from '../access/admin.js';
import { auditPrincipal } from '../access/audit.js';
import type { Actor } from '../context.js';
import type { CatalogDeps } from '../deps.js';
import { BadRequestError, NotFoundError } from '../errors.js';
import { checkPolicy, defaultPolicy, formatDuration } from './policy.js';
import type { GcPolicy, GcRecords, GcRunRecord, PolicyRefType } from './records.js';
import type { GcReportJson } from './report.js';
import { runGc, type GcOptions } from './run.js';

function records(deps: CatalogDeps): GcRecords {
  if (!deps.store.gc) throw new BadRequestError('This store keeps no garbage-collection records');
  return deps.store.gc;
}

function audit(deps: CatalogDeps, actor: Actor, operation: string, detail: string): void {
  deps.audit?.({ atMs: deps.now(), principal: auditPrincipal(actor.principal), operation, namespaces: [], decision: 'allow', detail });
}

export interface PolicyView extends GcPolicy {
  /** True for the built-in defaults (not stored; a stored policy for the same pattern replaces them). */
  builtIn?: boolean;
}

/** Stored policies, then the built-in defaults they may override. */
export async function listGcPolicies(deps: CatalogDeps, actor: Actor): Promise<PolicyView[]> {
  await requireAdmin(deps, actor, 'list gc policies');
  const stored = await records(deps).policies();
  const builtIn = [defaultPolicy('BRANCH', deps.store.defaultBranch, deps.store.defaultBranch), defaultPolicy('BRANCH', '*', ''), defaultPolicy('TAG', '*', '')];
  return [...stored, ...builtIn.map((p) => ({ ...p, builtIn: true }))];
}

export async function putGcPolicy(deps: CatalogDeps, actor: Actor, input: Partial<GcPolicy>): Promise<GcPolicy> {
  const p = checkPolicy(input);
  await requireAdmin(deps, actor, 'set gc policy');
  const stored = { ...p, updatedAtMs: deps.now(), updatedBy: auditPrincipal(actor.principal) };
  await records(deps).putPolicy(stored);
  audit(deps, actor, 'gc policy', `${p.refType} ${p.pattern}: keep ${formatDuration(p.retainMs)} and at least ${p.retainCommits} commits; deleted-reference grace ${formatDuration(p.deletedGraceMs)}`);
  return stored;
}

export async function removeGcPolicy(deps: CatalogDeps, actor: Actor, refType: string, pattern: string): Promise<boolean> {
  const type = refType.toUpperCase() as PolicyRefType;
  if (!['BRANCH', 'TAG', 'ANY'].includes(type)) throw new BadRequestError(`Invalid refType '${refType}': BRANCH, TAG or ANY`);
  await requireAdmin(deps, actor, 'remove gc policy');
  const removed = await records(deps).removePolicy(type, pattern);
  if (removed) audit(deps, actor, 'gc policy', `removed the policy of ${type} ${pattern}`);
  return removed;
}

/** Runs GC: a dry run reports what a run would delete; a run deletes it. */
export async function collectGarbage(deps: CatalogDeps, actor: Actor, opts: GcOptions): Promise<GcReportJson> {
  await requireAdmin(deps, actor, opts.dryRun ? 'gc dry run' : 'gc');
  const report = await runGc({ deps, gc: records(deps), startedBy: auditPrincipal(actor.principal) }, opts);
  if (!opts.dryRun) {
    audit(deps, actor, 'gc', `run ${report.runId}: deleted ${report.totals.deletedFiles} files (${report.totals.deletedBytes} bytes), ${report.totals.rescuedFiles} rescued, ${report.totals.failedDeletes} failed`);
  }
  return report;
}

export async function listGcRuns(deps: CatalogDeps, actor: Actor, limit = 20): Promise<Omit<GcRunRecord, 'report'>[]> {
  await requireAdmin(deps, actor, 'list gc runs');
  return (await records(deps).runs(Math.min(Math.max(1, limit), 1000))).map(({ report: _report, ...rest }) => rest);
}

export async function getGcRun(deps: CatalogDeps, actor: Actor, id: string): Promise<GcRunRecord> {
  await requireAdmin(deps, actor, 'show gc run');
  const run = await records(deps).run(id);
  if (!run) throw new NotFoundError(`No GC run '${id}'`, 'content');
  return run;
}

/** Deleted files of a run (the audit of what it removed), paged by path. */
export async function gcRunDeletions(deps: CatalogDeps, actor: Actor, id: string, opts: { afterPath?: string; limit?: number }) {
  await getGcRun(deps, actor, id);
  return records(deps).deletions(id, { afterPath: opts.afterPath, limit: Math.min(Math.max(1, opts.limit ?? 1000), 10_000) });
}
