/** The report of a GC run, as the API returns it and the run record keeps it. */
import type { RootPlan } from './plan.js';

export interface TableReport {
  /** The table location the files lie under ('' when none could be told). */
  location: string;
  liveFiles: number;
  liveBytes: number;
  reclaimableFiles: number;
  reclaimableBytes: number;
  /** A few of the reclaimable files. */
  samples: string[];
}

export interface GcReportJson {
  runId: string;
  dryRun: boolean;
  startedAtMs: number;
  finishedAtMs?: number;
  /** The object store's clock at the start (the writer grace counts back from it). */
  storeTimeMs?: number;
  writerGraceMs: number;
  /** Runs that had died holding the lease and that this run took over. */
  tookOver: string[];
  references: RootPlan[];
  tables: TableReport[];
  skipped: { location: string; reason: string }[];
  totals: GcTotals;
  /** Counters that must be 0; a run stops before deleting anything when one is not. */
  safety: { candidatesReferencedByAHead: number };
  reads: { manifestListsRead: number; manifestsRead: number; bytesRead: number };
  /** Milliseconds per phase: plan (retention walk), mark (reading live versions), list (the warehouse), sweep (files), rows (database). */
  phasesMs: { plan: number; mark: number; list: number; sweep: number; rows: number };
  error?: string;
}

export interface GcTotals {
  liveVersions: number;
  liveFiles: number;
  listedFiles: number;
  listedBytes: number;
  reclaimableFiles: number;
  reclaimableBytes: number;
  keptByWriterGrace: number;
  keptInSkippedTables: number;
  deletedFiles: number;
  deletedBytes: number;
  rescuedFiles: number;
  failedDeletes: number;
  commitsReadAfterMark: number;
  /** Commits this run recorded as outside every retention (refused by hash from then on). */
  commitsExpired: number;
  /** Rows removed from PostgreSQL: key-index nodes and table/view versions only expired commits reached. */
  indexNodesDeleted: number;
  versionsDeleted: number;
  /** Stored size of the removed versions' metadata. */
  versionBytesDeleted: number;
  /** Expired commits no reference reached any more (deleted branches, reset branches' lost work), removed. */
  commitsDeleted: number;
}

export interface GcReport extends GcReportJson {
  /** The row of a table location, created on first use. */
  table(location: string): TableReport;
}

export function emptyReport(runId: string, dryRun: boolean, startedAtMs: number, writerGraceMs: number, tookOver: string[]): GcReport {
  const rows = new Map<string, TableReport>();
  const report: GcReportJson = {
    runId,
    dryRun,
    startedAtMs,
    writerGraceMs,
    tookOver,
    references: [],
    tables: [],
    skipped: [],
    totals: {
      liveVersions: 0,
      liveFiles: 0,
      listedFiles: 0,
      listedBytes: 0,
      reclaimableFiles: 0,
      reclaimableBytes: 0,
      keptByWriterGrace: 0,
      keptInSkippedTables: 0,
      deletedFiles: 0,
      deletedBytes: 0,
      rescuedFiles: 0,
      failedDeletes: 0,
      commitsReadAfterMark: 0,
      commitsExpired: 0,
      indexNodesDeleted: 0,
      versionsDeleted: 0,
      versionBytesDeleted: 0,
      commitsDeleted: 0,
    },
    safety: { candidatesReferencedByAHead: 0 },
    reads: { manifestListsRead: 0, manifestsRead: 0, bytesRead: 0 },
    phasesMs: { plan: 0, mark: 0, list: 0, sweep: 0, rows: 0 },
  };
  return Object.defineProperty(report, 'table', {
    enumerable: false,
    value(location: string): TableReport {
      let row = rows.get(location);
      if (!row) {
        row = { location, liveFiles: 0, liveBytes: 0, reclaimableFiles: 0, reclaimableBytes: 0, samples: [] };
        rows.set(location, row);
        report.tables.push(row);
      }
      return row;
    },
  }) as GcReport;
}

/**
 * The table location a file lies under: the longest known table location above it, else the
 * folder above its `metadata/` or `data/` folder (the layout every Iceberg writer uses), else ''.
 */
export function tableOf(path: string, known?: ReadonlySet<string>): string {
  if (known) {
    for (let i = path.lastIndexOf('/'); i > 0; i = path.lastIndexOf('/', i - 1)) {
      const prefix = path.slice(0, i);
      if (known.has(prefix)) return prefix;
      if (prefix.endsWith('://') || prefix.endsWith(':/')) break;
    }
  }
  const m = /^(.*)\/metadata\/[^/]*$/.exec(path) ?? /^(.*)\/data\//.exec(path);
  return m ? m[1] : '';
}
