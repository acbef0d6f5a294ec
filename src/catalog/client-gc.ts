/**
 * Engines must not delete files through a table of a branching catalog: Iceberg's cleanups
 * (expire_snapshots with file deletion, remove_orphan_files, Spark's `DROP TABLE ... PURGE`)
 * look at one branch's metadata and would delete what another branch, a tag or an older commit
 * still reads. Iceberg's own switch for that is the table property `gc.enabled`: with `false`,
 * Iceberg Java (Spark, Trino, Flink) refuses those operations. lakecat writes it into every table
 * it creates and into every table a commit changes, and refuses to set it to true; its own
 * garbage collector (catalog/gc) deletes files for the whole catalog instead.
 */
import { BadRequestError } from './errors.js';
import type { TableUpdate } from '../iceberg/model.js';

export const GC_ENABLED = 'gc.enabled';

/** Iceberg Java reads the property with Boolean.parseBoolean: only "true" (any case) turns it on. */
function turnsOn(value: string | undefined): boolean {
  return value !== undefined && value.trim().toLowerCase() === 'true';
}

/** Refuses (400) properties that turn engine-side garbage collection on. */
export function refuseClientGc(properties: Record<string, string> | undefined): void {
  if (turnsOn(properties?.[GC_ENABLED])) {
    throw new BadRequestError(
      `Table property '${GC_ENABLED}' cannot be true in lakecat: an engine's cleanup would delete files that other branches, tags or commits still read. Use 'lakecat gc' (and Iceberg's history.expire.* properties) instead`,
    );
  }
}

/** Properties of a new table: as given, with engine-side garbage collection off. */
export function withClientGcOff(properties: Record<string, string> | undefined): Record<string, string> {
  refuseClientGc(properties);
  return { ...(properties ?? {}), [GC_ENABLED]: 'false' };
}

/** Refuses updates that turn engine-side garbage collection on. */
export function refuseClientGcUpdates(updates: readonly TableUpdate[]): void {
  for (const u of updates) if (u.action === 'set-properties') refuseClientGc(u.updates);
}

/** Whether a table's properties still let engines delete files (absent counts: Iceberg's default is on). */
export function clientGcOn(properties: Record<string, string>): boolean {
  return properties[GC_ENABLED]?.trim().toLowerCase() !== 'false';
}

/** The update that turns engine-side garbage collection off. */
export const CLIENT_GC_OFF: TableUpdate = { action: 'set-properties', updates: { [GC_ENABLED]: 'false' } };
