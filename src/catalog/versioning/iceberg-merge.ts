/**
 * Catalog merges at the Iceberg level: a table changed on both sides since the merge base is
 * not a conflict when the source's snapshots can be replayed on top of the target's
 * (src/iceberg/merge). The store's merge reports such keys as VALUE_DIFFERS; for each of them
 * this reads the table at the merge base, on the target and on the source, rebases, writes the
 * new manifests, manifest lists and metadata.json, and hands the merged values back to the store
 * as resolutions, which it writes only if neither side moved meanwhile (else this starts over).
 * A table that cannot be merged stays a conflict, its message saying why (the Iceberg conflict
 * type and a hint); nothing is written for a dry run or a merge that fails.
 */
import type { CatalogDeps } from '../deps.js';
import { deleteQuietly } from '../branch-write.js';
import { nextMetadataLocation } from '../metadata-files.js';
import { parsedMetadata } from '../table-commit.js';
import { tableContent } from '../tables.js';
import { keyToString, type Content, type IcebergKeyMerge, type MergeKeyDetail, type MergeResult, type TableContent } from '../model.js';
import type { MergeRequest, MergeResolution } from '../store/port.js';
import { ObjectNotFoundError } from '../../io/port.js';
import { runMergeTask, UnreadableTableFile, type MergeTask, type MergeTaskIo } from './iceberg-merge-task.js';

/** Attempts when a side moves between the rebase and the store's commit. */
const ATTEMPTS = 3;
/** Tables rebased at the same time. */
const CONCURRENCY = 8;

interface Resolved {
  resolution: MergeResolution;
  /** Files written for it (deleted again if the merge does not land). */
  files: string[];
  /** What the detail says about it. */
  outcome: IcebergKeyMerge;
}

interface Refused {
  outcome: IcebergKeyMerge;
}

type Candidate = MergeKeyDetail & { sourceContent: TableContent; targetContent: TableContent };

/** Conflicts the Iceberg-level merge may resolve: a table changed on both sides, merged NORMALly. */
function candidates(result: MergeResult): Candidate[] {
  return result.details.filter(
    (d): d is Candidate => d.conflict?.conflictType === 'VALUE_DIFFERS' && d.behavior === 'NORMAL' && d.sourceContent?.type === 'ICEBERG_TABLE' && d.targetContent?.type === 'ICEBERG_TABLE',
  );
}

/** Table files through the catalog's storage; a missing one, or one outside it, is unreadable (a refusal, not an error). */
function storageIo(deps: CatalogDeps): MergeTaskIo {
  return {
    read: async (location) => {
      if (!deps.objects.handles(location)) throw new UnreadableTableFile(`${location} is outside the storage this catalog reads`);
      try {
        return await deps.objects.read(location);
      } catch (err) {
        if (err instanceof ObjectNotFoundError) throw new UnreadableTableFile(err.message);
        throw err;
      }
    },
  };
}

async function resolveTable(
  deps: CatalogDeps,
  req: MergeRequest,
  result: MergeResult,
  d: Candidate,
  baseContent: Content | undefined,
  write: boolean,
): Promise<Resolved | Refused> {
  const isolation = req.snapshotIsolationKeys?.some((k) => keyToString(k) === keyToString(d.key)) ? 'snapshot' : 'table';
  const refused = (conflictType: string, message: string, more: Partial<IcebergKeyMerge> = {}): Refused => ({ outcome: { outcome: 'CONFLICT', isolation, conflictType, message, ...more } });
  if (baseContent?.type !== 'ICEBERG_TABLE') return refused('HISTORY_UNAVAILABLE', 'the table is not in the merge base');
  const task: MergeTask = {
    base: { location: baseContent.metadataLocation, text: baseContent.metadata },
    target: { location: d.targetContent.metadataLocation, text: d.targetContent.metadata },
    source: { location: d.sourceContent.metadataLocation, text: d.sourceContent.metadata },
    runId: deps.newUuid(),
    nowMs: deps.now(),
    summary: {
      'lakecat.merge.source-ref': req.fromRefName ?? 'DETACHED',
      'lakecat.merge.source-commit': req.fromHash,
      'lakecat.merge.base-commit': result.commonAncestor,
    },
    ...(isolation === 'snapshot' ? { isolation } : {}),
  };
  const merged = await runMergeTask(task, storageIo(deps), (location, text) => parsedMetadata(deps, location, text, false));
  if (merged.kind === 'refused') {
    return refused(merged.conflictType, merged.message, {
      ...(merged.sourceSnapshotId !== undefined ? { sourceSnapshotId: merged.sourceSnapshotId.toString() } : {}),
      ...(merged.hint ? { hint: merged.hint } : {}),
    });
  }
  const resolution = (content: Content): MergeResolution => ({ key: d.key, expectedSource: d.sourceContent, expectedTarget: d.targetContent, content });
  if (merged.kind === 'keep-target') {
    return { resolution: resolution(d.targetContent), files: [], outcome: { outcome: 'UNCHANGED', isolation, message: 'the target already holds every source snapshot (replayed by an earlier merge)' } };
  }
  const location = nextMetadataLocation(deps, merged.metadata.location, merged.metadata.properties, d.targetContent.metadataLocation);
  const written: string[] = [];
  if (write) {
    try {
      for (const f of merged.files) {
        await deps.objects.write(f.location, f.bytes, { ifAbsent: true });
        written.push(f.location);
      }
      await deps.objects.write(location, merged.text, { ifAbsent: true, contentType: 'application/json' });
      written.push(location);
    } catch (err) {
      await deleteQuietly(deps, written);
      throw err;
    }
  }
  const replayed = merged.replayed.map((id) => id.toString());
  const n = replayed.length;
  const message =
    n > 0
      ? `merged at the Iceberg level: ${n} source snapshot${n === 1 ? '' : 's'} (${replayed.join(', ')}) replayed onto the target`
      : 'merged at the Iceberg level: table metadata merged, no snapshot to replay';
  const content = tableContent(d.targetContent.id, location, merged.text, merged.metadata);
  return { resolution: resolution(content), files: written, outcome: { outcome: 'MERGED', isolation, replayedSnapshots: replayed, message } };
}

/** The conflict message of a table the Iceberg-level merge refused: type, what collides, the hint. */
function refusalMessage(key: MergeKeyDetail['key'], o: IcebergKeyMerge): string {
  const snapshot = o.sourceSnapshotId ? ` (source snapshot ${o.sourceSnapshotId})` : '';
  return `Table '${key.join('.')}' has conflicting changes that cannot be merged at the Iceberg level: ${o.conflictType}: ${o.message}${snapshot}${o.hint ? ` (hint: ${o.hint})` : ''}`;
}

/**
 * The store's merge, with tables changed on both sides merged at the Iceberg level where that
 * is safe. `req` has passed the write gate already.
 */
export async function mergeWithIcebergTables(deps: CatalogDeps, req: MergeRequest, merge: (r: MergeRequest) => Promise<MergeResult>): Promise<MergeResult> {
  for (let attempt = 1; ; attempt++) {
    // The plain merge first: it lands whenever no key conflicts (a refused one writes nothing).
    const first = await merge(req);
    if (first.wasSuccessful) return first;
    const tables = candidates(first);
    if (tables.length === 0) return first;

    const resolved = new Map<string, Resolved>();
    const refused = new Map<string, IcebergKeyMerge>();
    const keyOf = (d: MergeKeyDetail) => d.key.join('\u0000');
    const otherConflicts = first.details.some((d) => d.conflict && !tables.includes(d as Candidate));
    // Files are written only when the merge can land: no conflict elsewhere, not a dry run.
    const write = !req.dryRun && !otherConflicts;
    try {
      const bases = await deps.store.getContents(first.commonAncestor, tables.map((d) => d.key));
      // A few tables at a time: their files are read and written concurrently (object-store
      // round trips overlap), without holding every table's metadata in memory at once.
      let next = 0;
      const lane = async () => {
        while (next < tables.length) {
          const d = tables[next++];
          const r = await resolveTable(deps, req, first, d, bases.get(keyToString(d.key)), write);
          if ('resolution' in r) resolved.set(keyOf(d), r);
          else refused.set(keyOf(d), r.outcome);
        }
      };
      const lanes = await Promise.allSettled(Array.from({ length: Math.min(CONCURRENCY, tables.length) }, lane));
      const failed = lanes.find((w): w is PromiseRejectedResult => w.status === 'rejected');
      if (failed) throw failed.reason;
    } catch (err) {
      await deleteQuietly(deps, [...resolved.values()].flatMap((r) => r.files));
      throw err;
    }
    const explain = (details: MergeKeyDetail[]): MergeKeyDetail[] =>
      details.map((d) => {
        const why = refused.get(keyOf(d));
        if (why && d.conflict) return { ...d, conflict: { ...d.conflict, message: refusalMessage(d.key, why) }, iceberg: why };
        const ok = resolved.get(keyOf(d));
        if (!ok) return d;
        const { conflict: _resolved, ...rest } = d;
        return { ...rest, iceberg: ok.outcome };
      });
    if (refused.size > 0 || otherConflicts || req.dryRun) {
      await deleteQuietly(deps, [...resolved.values()].flatMap((r) => r.files));
      return { ...first, wasSuccessful: refused.size === 0 && !otherConflicts, details: explain(first.details) };
    }
    const landed = await merge({ ...req, resolutions: [...resolved.values()].map((r) => r.resolution) });
    if (landed.wasSuccessful) return { ...landed, details: explain(landed.details) };
    await deleteQuietly(deps, [...resolved.values()].flatMap((r) => r.files));
    // A side moved between the rebase and the commit: start over on what is there now.
    if (attempt >= ATTEMPTS) return landed;
  }
}
