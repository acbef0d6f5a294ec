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
import { randomBytes } from 'node:crypto';
import type { CatalogDeps } from '../deps.js';
import { deleteQuietly } from '../branch-write.js';
import { metadataFolder, nextMetadataLocation } from '../metadata-files.js';
import { parsedMetadata } from '../table-commit.js';
import { keyToString, type Content, type IcebergKeyMerge, type MergeKeyDetail, type MergeResult, type TableContent } from '../model.js';
import type { MergeRequest, MergeResolution } from '../store/port.js';
import { tableContent } from '../tables.js';
import { IcebergMergeConflict } from '../../iceberg/merge/conflicts.js';
import { rebaseTable } from '../../iceberg/merge/rebase.js';
import { ValidationError } from '../../iceberg/errors.js';
import { InvalidAvroFileError } from '../../iceberg/manifest/index.js';
import type { TableMetadata } from '../../iceberg/model.js';
import { ObjectNotFoundError } from '../../io/port.js';
import { applyUpdates } from '../../iceberg/table-metadata-builder.js';
import { serializeTableMetadata } from '../../iceberg/table-metadata-json.js';

/** A table file the catalog's storage does not serve (the table's own client wrote it elsewhere). */
class OutsideStorage extends Error {
  constructor(location: string) {
    super(`${location} is outside the storage this catalog reads`);
  }
}

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

/** A positive 63-bit snapshot id, random as Iceberg's. */
function newSnapshotId(): bigint {
  return randomBytes(8).readBigUInt64BE() & 0x7fff_ffff_ffff_ffffn || 1n;
}

/** The table's metadata, from the catalog's cache of parsed metadata if there; undefined when unreadable. */
function parsed(deps: CatalogDeps, content: TableContent): TableMetadata | undefined {
  try {
    return parsedMetadata(deps, content.metadataLocation, content.metadata, false);
  } catch {
    return undefined;
  }
}

async function resolveTable(deps: CatalogDeps, req: MergeRequest, result: MergeResult, d: Candidate, baseContent: Content | undefined, write: boolean): Promise<Resolved | Refused> {
  const isolation = req.snapshotIsolationKeys?.some((k) => keyToString(k) === keyToString(d.key)) ? 'snapshot' : 'table';
  const refused = (conflictType: string, message: string, more: Partial<IcebergKeyMerge> = {}): Refused => ({ outcome: { outcome: 'CONFLICT', isolation, conflictType, message, ...more } });
  if (baseContent?.type !== 'ICEBERG_TABLE') return refused('HISTORY_UNAVAILABLE', 'the table is not in the merge base');
  const [base, target, source] = [parsed(deps, baseContent), parsed(deps, d.targetContent), parsed(deps, d.sourceContent)];
  if (!base || !target || !source) return refused('HISTORY_UNAVAILABLE', 'its metadata could not be read');
  const metadataDir = metadataFolder(target.location, target.properties);
  const runId = deps.newUuid();
  const nowMs = deps.now();
  try {
    const rebased = await rebaseTable({
      base,
      target,
      source,
      io: {
        read: async (location) => {
          if (!deps.objects.handles(location)) throw new OutsideStorage(location);
          return deps.objects.read(location);
        },
      },
      newSnapshotId,
      newFileLocation: (name) => `${metadataDir}/${runId}-${name}`,
      nowMs,
      summary: {
        'lakecat.merge.source-ref': req.fromRefName ?? 'DETACHED',
        'lakecat.merge.source-commit': req.fromHash,
        'lakecat.merge.base-commit': result.commonAncestor,
      },
      ...(isolation === 'snapshot' ? { isolation } : {}),
    });
    const resolution = (content: Content): MergeResolution => ({ key: d.key, expectedSource: d.sourceContent, expectedTarget: d.targetContent, content });
    if (rebased.kind === 'keep-target') {
      return { resolution: resolution(d.targetContent), files: [], outcome: { outcome: 'UNCHANGED', isolation, message: 'the target already holds every source snapshot (replayed by an earlier merge)' } };
    }
    const { metadata } = applyUpdates(target, rebased.updates, { nowMs, previousMetadataLocation: d.targetContent.metadataLocation });
    const text = serializeTableMetadata(metadata);
    const location = nextMetadataLocation(deps, metadata.location, metadata.properties, d.targetContent.metadataLocation);
    const written: string[] = [];
    if (write) {
      try {
        for (const f of rebased.files) {
          await deps.objects.write(f.location, f.bytes, { ifAbsent: true });
          written.push(f.location);
        }
        await deps.objects.write(location, text, { ifAbsent: true, contentType: 'application/json' });
        written.push(location);
      } catch (err) {
        await deleteQuietly(deps, written);
        throw err;
      }
    }
    const replayed = rebased.replayed.map((r) => r.source.toString());
    const n = replayed.length;
    const message =
      n > 0
        ? `merged at the Iceberg level: ${n} source snapshot${n === 1 ? '' : 's'} (${replayed.join(', ')}) replayed onto the target`
        : 'merged at the Iceberg level: table metadata merged, no snapshot to replay';
    return {
      resolution: resolution(tableContent(d.targetContent.id, location, text, metadata)),
      files: written,
      outcome: { outcome: 'MERGED', isolation, replayedSnapshots: replayed, message },
    };
  } catch (err) {
    if (err instanceof IcebergMergeConflict) {
      const c = err.conflict;
      return refused(c.type, c.message, { ...(c.sourceSnapshotId !== undefined ? { sourceSnapshotId: c.sourceSnapshotId.toString() } : {}), ...(c.hint ? { hint: c.hint } : {}) });
    }
    // A manifest that is gone (expired, or never written) or out of reach: not mergeable here.
    if (err instanceof ObjectNotFoundError || err instanceof OutsideStorage) {
      return refused('HISTORY_UNAVAILABLE', err.message, { hint: 'merge this key with FORCE (take the source) or DROP (keep the target)' });
    }
    if (err instanceof InvalidAvroFileError || err instanceof ValidationError) return refused('UNSUPPORTED_CHANGE', err.message);
    throw err;
  }
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
      const worker = async () => {
        while (next < tables.length) {
          const d = tables[next++];
          const r = await resolveTable(deps, req, first, d, bases.get(keyToString(d.key)), write);
          if ('resolution' in r) resolved.set(keyOf(d), r);
          else refused.set(keyOf(d), r.outcome);
        }
      };
      const workers = await Promise.allSettled(Array.from({ length: Math.min(CONCURRENCY, tables.length) }, worker));
      const failed = workers.find((w): w is PromiseRejectedResult => w.status === 'rejected');
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
