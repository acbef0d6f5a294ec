/** Why a table changed on both sides of a catalog merge cannot be merged at the Iceberg level. */

export type IcebergConflictType =
  /** The three versions are not the same table (a different `table-uuid`: dropped and re-created). */
  | 'KEY_IDENTITY'
  | 'FORMAT_VERSION_DIVERGED'
  | 'LOCATION_CHANGED'
  /** Both sides changed the schema, differently (field ids cannot be renumbered: data files carry them). */
  | 'SCHEMA_DIVERGED'
  | 'SPEC_DIVERGED'
  | 'SORT_ORDER_DIVERGED'
  /** Both sides set a table property to different values (or one removed what the other changed). */
  | 'PROPERTY_CONFLICT'
  /** Both sides moved a table-level branch or tag, or the source's cannot be carried over. */
  | 'TABLE_REF_CONFLICT'
  /** The merge base's snapshot is not in a side's history (rolled back, or expired). */
  | 'HISTORY_UNAVAILABLE'
  /** The source removes a file (or deletes rows of one) that the target no longer has. */
  | 'REMOVED_FILE_MISSING'
  /** The target added deletes for data files the source rewrites. */
  | 'DELETES_ON_REWRITTEN_FILE'
  /** Serializable isolation: the target added data where the source deleted or overwrote rows. */
  | 'CONCURRENT_DATA_IN_SCOPE'
  /** Both sides deleted or rewrote rows in the same partitions. */
  | 'CONCURRENT_DELETE_IN_SCOPE'
  /** The source replaced whole partitions (dynamic overwrite) where the target added data. */
  | 'REPLACED_PARTITION_CHANGED'
  /** A change this merge does not replay (e.g. a rewrite on a v3 table, whose row ids may be materialized). */
  | 'UNSUPPORTED_CHANGE';

export interface IcebergConflict {
  type: IcebergConflictType;
  /** One sentence: what collides. */
  message: string;
  /** What the user can do about it. */
  hint?: string;
  /** The source snapshot whose replay failed, when one did. */
  sourceSnapshotId?: bigint;
  /** Property keys, schema or spec ids involved, when relevant. */
  keys?: string[];
}

export class IcebergMergeConflict extends Error {
  constructor(readonly conflict: IcebergConflict) {
    super(conflict.message);
    this.name = 'IcebergMergeConflict';
  }
}

export function conflict(type: IcebergConflictType, message: string, extra: Omit<IcebergConflict, 'type' | 'message'> = {}): never {
  throw new IcebergMergeConflict({ type, message, ...extra });
}
