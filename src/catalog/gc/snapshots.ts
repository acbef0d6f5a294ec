/**
 * Snapshot retention inside one table version, as Iceberg's expire_snapshots decides it (spec
 * "Snapshot Retention Policy"; Java `RemoveSnapshots`), applied only when the table asks for
 * it: a table that sets none of the `history.expire.*` properties (and no retention on its
 * refs) keeps every snapshot it lists, so time travel inside any retained version always works.
 *
 * With retention asked for: refs other than `main` older than their max ref age are dropped;
 * every remaining ref's snapshot stays; a branch also keeps its ancestors younger than its max
 * snapshot age, and at least its min snapshots to keep; snapshots no ref reaches stay while
 * younger than the table's max snapshot age.
 */
import type { TableMetadata } from '../../iceberg/model.js';

const MAX_SNAPSHOT_AGE = 'history.expire.max-snapshot-age-ms';
const MIN_SNAPSHOTS = 'history.expire.min-snapshots-to-keep';
const MAX_REF_AGE = 'history.expire.max-ref-age-ms';
const DEFAULT_MAX_SNAPSHOT_AGE_MS = 5 * 86_400_000;

function numberProperty(props: Record<string, string>, key: string): number | undefined {
  const v = props[key];
  if (v === undefined) return undefined;
  const n = Number(v.trim());
  return Number.isFinite(n) ? n : undefined;
}

/** Whether the table asks for snapshot expiry (its properties or one of its refs). */
export function asksForExpiry(m: TableMetadata): boolean {
  if ([MAX_SNAPSHOT_AGE, MIN_SNAPSHOTS, MAX_REF_AGE].some((k) => numberProperty(m.properties, k) !== undefined)) return true;
  return Object.values(m.refs).some((r) => r.maxSnapshotAgeMs !== undefined || r.minSnapshotsToKeep !== undefined || r.maxRefAgeMs !== undefined);
}

/**
 * The snapshot ids a version keeps at `nowMs`; undefined when the table keeps them all.
 * A table without refs but with a current snapshot is read as having `main` there (v1).
 */
export function retainedSnapshots(m: TableMetadata, nowMs: number): Set<bigint> | undefined {
  if (!asksForExpiry(m)) return undefined;
  const maxSnapshotAge = numberProperty(m.properties, MAX_SNAPSHOT_AGE) ?? DEFAULT_MAX_SNAPSHOT_AGE_MS;
  const minSnapshots = numberProperty(m.properties, MIN_SNAPSHOTS) ?? 1;
  const maxRefAge = numberProperty(m.properties, MAX_REF_AGE) ?? Number.POSITIVE_INFINITY;
  const byId = new Map(m.snapshots.map((s) => [s.snapshotId, s]));
  const refs = { ...m.refs };
  if (Object.keys(refs).length === 0 && m.currentSnapshotId !== undefined) refs.main = { snapshotId: m.currentSnapshotId, type: 'branch' };

  const keep = new Set<bigint>();
  const reached = new Set<bigint>();
  for (const [name, ref] of Object.entries(refs)) {
    const snap = byId.get(ref.snapshotId);
    if (!snap) continue;
    if (name !== 'main' && nowMs - snap.timestampMs > (ref.maxRefAgeMs ?? maxRefAge)) continue;
    keep.add(ref.snapshotId);
    if (ref.type !== 'branch') {
      reached.add(ref.snapshotId);
      continue;
    }
    const olderThan = nowMs - (ref.maxSnapshotAgeMs ?? maxSnapshotAge);
    const min = ref.minSnapshotsToKeep ?? minSnapshots;
    let kept = 0;
    let keeping = true;
    for (let s: (typeof m.snapshots)[number] | undefined = snap; s; s = s.parentSnapshotId === undefined ? undefined : byId.get(s.parentSnapshotId)) {
      reached.add(s.snapshotId);
      if (keeping && (kept < min || s.timestampMs >= olderThan)) {
        keep.add(s.snapshotId);
        kept++;
      } else keeping = false;
    }
  }
  for (const s of m.snapshots) if (!reached.has(s.snapshotId) && s.timestampMs >= nowMs - maxSnapshotAge) keep.add(s.snapshotId);
  return keep;
}
