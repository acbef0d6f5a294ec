/**
 * A garbage-collection run: lease -> plan -> mark -> candidates -> report -> sweep.
 *
 * - Mark: one live set for the whole catalog, every file reachable from every live table
 *   version (./plan.ts, ./files.ts). A version that cannot be read fails closed: nothing under
 *   its table's location is deleted in this run.
 * - Candidates: a listing of the warehouse (the only place lakecat gives out locations; files of
 *   registered tables elsewhere are never listed), minus the live set, minus anything younger
 *   than the writer grace measured in the object store's own clock (a marker object written at
 *   the start), minus the gc's own folder.
 * - Safety counter: every candidate is also checked against the files of every reference head,
 *   read separately from the retention walk; any hit stops the run before it deletes anything.
 * - Sweep: batches of candidates recorded in the database; before each batch the lease is
 *   renewed and every commit that landed since the mark is read, and what it references is
 *   taken out of the batch ('rescued').
 *
 * A run that dies leaves its state in the database; the next run marks it 'interrupted' once
 * its lease ran out and starts again from a fresh mark (candidates never carry over without
 * being marked again), which deletes what the dead run had left.
 */
import type { TableMetadata } from '../../iceberg/model.js';
import type { ObjectStore } from '../../io/port.js';
import type { CatalogDeps } from '../deps.js';
import { BadRequestError, ConflictError } from '../errors.js';
import { NO_ANCESTOR_HASH } from '../model.js';
import { canonicalPath, FileExpander, UnreadableVersionError } from './files.js';
import { addReference, emptyPlan, makePlan, type Plan } from './plan.js';
import { DEFAULT_WRITER_GRACE_MS, MIN_WRITER_GRACE_MS } from './policy.js';
import type { GcDeletion, GcPolicy, GcRecords, GcVersion } from './records.js';
import { retainedSnapshots } from './snapshots.js';
import { emptyReport, tableOf, type GcReport } from './report.js';

export interface GcOptions {
  dryRun?: boolean;
  /** Never-referenced files younger than this (in the object store's clock) are kept. Default 7 days. */
  writerGraceMs?: number;
  /** Allows a writer grace under 24 hours (tests; unsafe while writers run). */
  allowShortGrace?: boolean;
  /** Files per delete batch (default 1,000). */
  batchSize?: number;
  /** Waits this long after the mark before listing (at most 60 s): lets tests land a commit mid-run. */
  holdAfterMarkMs?: number;
  /** How long the run's lease lasts between renewals (default 300 s, 10 s to 3,600 s): after a crash, another run may take over once it ran out. */
  leaseSeconds?: number;
  /** Called before each delete batch (tests). */
  beforeBatch?: (batch: number) => Promise<void>;
}

const GC_FOLDER = '.lakecat-gc';
const EXPIRY_MARGIN_MS = 5 * 60_000;
/** Rows deleted per database transaction (writers wait while one runs). */
const ROW_BATCH = 2000;

export interface RunContext {
  deps: CatalogDeps;
  gc: GcRecords;
  startedBy: string;
}

function checkOptions(opts: GcOptions): { writerGraceMs: number; batchSize: number; leaseMs: number } {
  const writerGraceMs = opts.writerGraceMs ?? DEFAULT_WRITER_GRACE_MS;
  if (!Number.isSafeInteger(writerGraceMs) || writerGraceMs < 0) throw new BadRequestError('writerGraceMs must be a whole number of milliseconds');
  if (writerGraceMs < MIN_WRITER_GRACE_MS && !opts.allowShortGrace) {
    throw new BadRequestError(
      'A writer grace under 24 hours can delete the files of a write still in progress; pass allowShortGrace (--unsafe-short-grace) only when no client writes',
    );
  }
  const batchSize = opts.batchSize ?? 1000;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1 || batchSize > 1000) throw new BadRequestError('batchSize must be from 1 to 1000');
  if (opts.holdAfterMarkMs !== undefined && (!Number.isSafeInteger(opts.holdAfterMarkMs) || opts.holdAfterMarkMs < 0 || opts.holdAfterMarkMs > 60_000)) {
    throw new BadRequestError('holdAfterMarkMs must be from 0 to 60000');
  }
  const leaseSeconds = opts.leaseSeconds ?? 300;
  if (!Number.isSafeInteger(leaseSeconds) || leaseSeconds < 10 || leaseSeconds > 3600) throw new BadRequestError('leaseSeconds must be from 10 to 3600');
  return { writerGraceMs, batchSize, leaseMs: leaseSeconds * 1000 };
}

/** The object store's clock: the modification time of a marker object written now. */
async function storeTime(objects: ObjectStore, warehouse: string, runId: string): Promise<number> {
  const folder = `${warehouse}/${GC_FOLDER}`;
  const marker = `${folder}/run-${runId}`;
  await objects.write(marker, runId);
  try {
    for await (const o of objects.list(folder)) if (canonicalPath(o.location) === canonicalPath(marker)) return o.lastModifiedMs;
  } finally {
    await objects.delete(marker);
  }
  throw new Error(`the gc marker ${marker} was written but is not listed`);
}

class Marker {
  readonly live = new Set<string>();
  readonly marked = new Set<string>();
  /** Table location (canonical) -> why nothing under it may be deleted in this run. */
  readonly skipped = new Map<string, string>();
  readonly tableLocations = new Set<string>();
  /** The files of the reference heads' versions (see `headFiles`), filled as those versions are marked. */
  readonly heads = new Set<string>();
  /** Head versions already expanded into `heads`. */
  readonly headsDone = new Set<string>();
  versionsRead = 0;

  constructor(
    readonly gc: GcRecords,
    readonly expander: FileExpander,
    readonly nowMs: number,
    /** Version hashes at the reference heads, read from the references themselves. */
    readonly headVersions: ReadonlySet<string> = new Set(),
  ) {}

  /** Marks versions not marked yet, reading them in batches. */
  async mark(hashes: Iterable<string>): Promise<void> {
    const todo = [...hashes].filter((h) => !this.marked.has(h));
    for (let i = 0; i < todo.length; i += 200) {
      const part = todo.slice(i, i + 200);
      for (const v of await this.gc.versions(part)) await this.markVersion(v);
      for (const h of part) this.marked.add(h);
    }
  }

  private async markVersion(v: GcVersion): Promise<void> {
    this.versionsRead++;
    if (v.metadataLocation === null) return;
    this.live.add(canonicalPath(v.metadataLocation));
    const atHead = this.headVersions.has(v.hash) && !this.headsDone.has(v.hash);
    if (atHead) this.headsDone.add(v.hash);
    if (v.type !== 'ICEBERG_TABLE' || v.metadata === null) {
      if (atHead) this.heads.add(canonicalPath(v.metadataLocation));
      return;
    }
    let location = tableOf(canonicalPath(v.metadataLocation));
    try {
      const metadata = FileExpander.parse(v.metadataLocation, v.metadata);
      location = canonicalPath(metadata.location);
      this.tableLocations.add(location);
      // Parsed once for both: the head's own files first, then what the version keeps.
      if (atHead) await headVersionFiles(this.expander, v.metadataLocation, metadata, this.heads, this.nowMs);
      await this.expander.tableFiles(v.metadataLocation, metadata, this.live, retainedSnapshots(metadata, this.nowMs));
    } catch (err) {
      if (!(err instanceof UnreadableVersionError)) throw err;
      if (!this.skipped.has(location)) this.skipped.set(location, err.message);
    }
  }
}

/** A head version's metadata.json and the files of its current snapshot and table refs (those it keeps); unreadable ones are left out. */
async function headVersionFiles(expander: FileExpander, metadataLocation: string, m: TableMetadata, out: Set<string>, nowMs: number): Promise<void> {
  out.add(canonicalPath(metadataLocation));
  const kept = retainedSnapshots(m, nowMs);
  const ids = new Set(Object.values(m.refs).map((r) => r.snapshotId));
  if (m.currentSnapshotId !== undefined) ids.add(m.currentSnapshotId);
  if (kept) for (const id of ids) if (!kept.has(id)) ids.delete(id);
  try {
    await expander.tableFiles(metadataLocation, m, out, ids);
  } catch (err) {
    if (!(err instanceof UnreadableVersionError)) throw err;
  }
}

/**
 * The files of every reference head's current snapshot and table refs, for the safety counter.
 * The head versions come from the references, apart from the retention walk; those the mark
 * reached were expanded there (parsed once), the rest (none, unless the walk missed a head) here.
 */
async function headFiles(gc: GcRecords, marker: Marker, nowMs: number): Promise<Set<string>> {
  const left = [...marker.headVersions].filter((h) => !marker.headsDone.has(h));
  for (let i = 0; i < left.length; i += 200) {
    for (const v of await gc.versions(left.slice(i, i + 200))) {
      if (v.metadataLocation === null) continue;
      if (v.type !== 'ICEBERG_TABLE' || v.metadata === null) {
        marker.heads.add(canonicalPath(v.metadataLocation));
        continue;
      }
      let m: TableMetadata;
      try {
        m = FileExpander.parse(v.metadataLocation, v.metadata);
      } catch (err) {
        if (!(err instanceof UnreadableVersionError)) throw err;
        continue;
      }
      await headVersionFiles(marker.expander, v.metadataLocation, m, marker.heads, nowMs);
    }
  }
  return marker.heads;
}

/** Marks what commits that landed after the plan reference; returns how many commits were read. */
async function markSincePlan(ctx: RunContext, plan: Plan, marker: Marker, nowMs: number): Promise<number> {
  let read = 0;
  let policies: GcPolicy[] | undefined;
  for (const ref of await ctx.deps.store.listReferences()) {
    if (plan.heads.get(ref.name) === ref.hash || plan.commits.has(ref.hash)) continue;
    // Moved or new: keep its whole state, and everything its policy keeps back to what the plan knew.
    const added = emptyPlan();
    policies ??= await ctx.gc.policies();
    await addReference(ctx.gc, added, ref, policies, ctx.deps.store.defaultBranch, nowMs);
    for (const c of added.commits) if (!plan.commits.has(c)) read++;
    for (const c of added.commits) plan.commits.add(c);
    plan.heads.set(ref.name, ref.hash);
    await marker.mark(added.versions);
  }
  return read;
}

async function deleteAll(objects: ObjectStore, paths: string[]): Promise<Map<string, string>> {
  if (paths.length === 0) return new Map();
  if (objects.deleteMany) return objects.deleteMany(paths);
  const failed = new Map<string, string>();
  let next = 0;
  const worker = async () => {
    while (next < paths.length) {
      const p = paths[next++];
      try {
        await objects.delete(p);
      } catch (err) {
        failed.set(p, err instanceof Error ? err.message : String(err));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(16, paths.length) }, worker));
  return failed;
}

export async function runGc(ctx: RunContext, opts: GcOptions): Promise<GcReport> {
  const { deps, gc } = ctx;
  const { writerGraceMs, batchSize, leaseMs } = checkOptions(opts);
  const runId = deps.newUuid();
  const startedAtMs = deps.now();
  const started = await gc.startRun({
    id: runId,
    state: 'running',
    dryRun: !!opts.dryRun,
    startedAtMs,
    leaseUntilMs: startedAtMs + leaseMs,
    startedBy: ctx.startedBy,
    options: { writerGraceMs, batchSize, leaseMs, dryRun: !!opts.dryRun },
  });
  if (started.holder) {
    const h = started.holder;
    throw new ConflictError(
      `GC run ${h.id} (started by ${h.startedBy} at ${new Date(h.startedAtMs).toISOString()}) is still running; one run at a time`,
      [],
    );
  }
  const report = emptyReport(runId, !!opts.dryRun, startedAtMs, writerGraceMs, started.taken.map((r) => r.id));
  try {
    await collect(ctx, opts, runId, report, writerGraceMs, batchSize, leaseMs);
    report.finishedAtMs = deps.now();
    await gc.finishRun(runId, opts.dryRun ? 'reported' : 'done', report.finishedAtMs, report);
    return report;
  } catch (err) {
    report.finishedAtMs = deps.now();
    report.error = err instanceof Error ? err.message : String(err);
    await gc.finishRun(runId, 'failed', report.finishedAtMs, report, report.error).catch(() => undefined);
    throw err;
  }
}

async function collect(ctx: RunContext, opts: GcOptions, runId: string, report: GcReport, writerGraceMs: number, batchSize: number, leaseMs: number): Promise<void> {
  const { deps, gc } = ctx;
  const warehouse = canonicalPath(deps.warehouse);
  report.storeTimeMs = await storeTime(deps.objects, deps.warehouse, runId);
  const nowMs = deps.now();

  // Plan and mark.
  let phase = performance.now();
  const lap = () => {
    const t = performance.now();
    const ms = Math.round(t - phase);
    phase = t;
    return ms;
  };
  const refs = await deps.store.listReferences();
  const plan = await makePlan(gc, refs, deps.store.defaultBranch, nowMs, (a, b) => deps.store.mergeBase(a, b));
  report.references = plan.roots;
  report.phasesMs.plan = lap();
  // The lease is renewed between phases and during long listings, not only before each batch.
  const renew = async () => {
    if (!(await gc.renewLease(runId, deps.now() + leaseMs))) throw new Error(`GC run ${runId} lost its lease; another run took over`);
  };
  await renew();
  const expander = new FileExpander(deps.objects);
  const headVersions = new Set<string>();
  for (const ref of refs) for (const h of await gc.tablesAt(ref.hash)) headVersions.add(h);
  const marker = new Marker(gc, expander, nowMs, headVersions);
  await marker.mark(plan.versions);
  report.totals.liveVersions = marker.versionsRead;
  report.totals.liveFiles = marker.live.size;
  for (const [location, reason] of marker.skipped) report.skipped.push({ location, reason });
  const heads = await headFiles(gc, marker, nowMs);
  report.phasesMs.mark = lap();
  await renew();
  if (opts.holdAfterMarkMs) await new Promise((r) => setTimeout(r, opts.holdAfterMarkMs));
  lap();

  // Candidates: listed under the warehouse, not live, older than the grace, not in a skipped table.
  const cutoff = report.storeTimeMs - writerGraceMs;
  const skippedPrefixes = [...marker.skipped.keys()].map((l) => `${l}/`);
  let pending: GcDeletion[] = [];
  const flush = async () => {
    if (!opts.dryRun && pending.length > 0) await gc.addDeletions(runId, pending);
    pending = [];
  };
  for await (const o of deps.objects.list(deps.warehouse)) {
    const path = canonicalPath(o.location);
    if (!path.startsWith(`${warehouse}/`) || path.startsWith(`${warehouse}/${GC_FOLDER}/`)) continue;
    const table = tableOf(path, marker.tableLocations);
    const row = report.table(table);
    if (++report.totals.listedFiles % 10_000 === 0) await renew();
    report.totals.listedBytes += o.size;
    if (marker.live.has(path)) {
      row.liveFiles++;
      row.liveBytes += o.size;
      continue;
    }
    if (skippedPrefixes.some((p) => path.startsWith(p))) {
      report.totals.keptInSkippedTables++;
      continue;
    }
    if (!(o.lastModifiedMs < cutoff)) {
      report.totals.keptByWriterGrace++;
      continue;
    }
    if (heads.has(path)) report.safety.candidatesReferencedByAHead++;
    row.reclaimableFiles++;
    row.reclaimableBytes += o.size;
    if (row.samples.length < 5) row.samples.push(o.location);
    report.totals.reclaimableFiles++;
    report.totals.reclaimableBytes += o.size;
    pending.push({ path: o.location, bytes: o.size, tableLocation: table, state: 'pending', attempts: 0 });
    if (pending.length >= 1000) await flush();
  }
  await flush();
  report.phasesMs.list = lap();
  report.reads = { ...expander.counters };
  if (report.safety.candidatesReferencedByAHead > 0) {
    throw new Error(
      `safety check failed: ${report.safety.candidatesReferencedByAHead} candidate files are referenced by a reference head; nothing was deleted`,
    );
  }
  if (opts.dryRun) return;

  // From here on files go: first record which commits are now outside every retention, so that
  // nothing reads them by hash or points a reference at them again (refs/resolve.ts). Commits
  // made in the last EXPIRY_MARGIN_MS are left alone (clocks of other processes may lag).
  report.totals.commitsExpired = await gc.expireCommits(runId, plan.commits, nowMs - EXPIRY_MARGIN_MS, deps.now(), NO_ANCESTOR_HASH);

  // Sweep.
  let after: string | undefined;
  for (let batch = 1; ; batch++) {
    const rows = await gc.deletions(runId, { states: ['pending'], afterPath: after, limit: batchSize });
    if (rows.length === 0) break;
    after = rows[rows.length - 1].path;
    await renew();
    await opts.beforeBatch?.(batch);
    report.totals.commitsReadAfterMark += await markSincePlan(ctx, plan, marker, deps.now());
    const rescued = rows.filter((r) => marker.live.has(canonicalPath(r.path)));
    const doomed = rows.filter((r) => !marker.live.has(canonicalPath(r.path)));
    await gc.setDeletions(runId, rescued.map((r) => r.path), 'rescued');
    report.totals.rescuedFiles += rescued.length;
    await gc.setDeletions(runId, doomed.map((r) => r.path), 'deleting');
    const failed = await deleteAll(deps.objects, doomed.map((r) => r.path));
    const done = doomed.filter((r) => !failed.has(r.path));
    await gc.setDeletions(runId, done.map((r) => r.path), 'deleted');
    for (const [path, error] of failed) await gc.setDeletions(runId, [path], 'failed', error);
    report.totals.deletedFiles += done.length;
    report.totals.deletedBytes += done.reduce((n, r) => n + r.bytes, 0);
    report.totals.failedDeletes += failed.size;
  }
  report.phasesMs.sweep = lap();

  // Then the database: the key-index nodes and versions only expired commits reached.
  await renew();
  const rows = await gc.sweepRows(runId, nowMs - EXPIRY_MARGIN_MS, ROW_BATCH);
  report.totals.indexNodesDeleted = rows.indexNodes;
  report.totals.versionsDeleted = rows.contents;
  report.totals.versionBytesDeleted = rows.contentBytes;
  report.totals.commitsDeleted = await gc.sweepCommits();
  report.phasesMs.rows = lap();
}
