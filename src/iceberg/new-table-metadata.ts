/**
 * Metadata of a new table, as Java's `TableMetadata.newTableMetadata` makes it: the schema's
 * field ids are assigned afresh from 1, partition fields get ids from 1000, the sort order is
 * rebound to the fresh column ids, and reserved properties are not stored.
 */
import { v4 as randomUuid } from 'uuid';
import { ValidationError } from './errors.js';
import type { FormatVersion, PartitionSpec, Schema, SortOrder, TableMetadata, TableUpdate } from './model.js';
import { assignFreshIdsFrom } from './schema.js';
import { applyUpdates } from './table-metadata-builder.js';
import { assignFreshPartitionIds, UNPARTITIONED_SPEC } from './partitioning.js';
import { assignFreshSortOrderIds, UNSORTED_ORDER } from './sort-order.js';
import { DEFAULT_FORMAT_VERSION, LAST_ADDED, SUPPORTED_FORMAT_VERSION } from './table-metadata-builder-state.js';

export interface NewTableInput {
  schema: Schema;
  spec?: PartitionSpec;
  sortOrder?: SortOrder;
  location: string;
  properties?: Record<string, string>;
  /** Wins over the `format-version` property. */
  formatVersion?: FormatVersion;
  tableUuid?: string;
  nowMs?: number;
}

export const FORMAT_VERSION_PROPERTY = 'format-version';

/** Properties that describe metadata rather than configure the table; never stored. */
export const RESERVED_PROPERTIES: ReadonlySet<string> = new Set([
  FORMAT_VERSION_PROPERTY,
  'uuid',
  'snapshot-count',
  'current-snapshot-id',
  'current-snapshot-summary',
  'current-snapshot-timestamp-ms',
  'current-schema',
  'default-partition-spec',
  'default-sort-order',
]);

/** Java writes this default into every new table so that its Parquet files use zstd. */
const NEW_TABLE_DEFAULTS: Readonly<Record<string, string>> = { 'write.parquet.compression-codec': 'zstd' };

export function newTableMetadata(input: NewTableInput): TableMetadata {
  return applyUpdates(null, newTableUpdates(input), { nowMs: input.nowMs }).metadata;
}

/**
 * The updates that create the table `newTableMetadata` describes, in the order a REST create
 * transaction sends them (assign-uuid, upgrade-format-version, add-schema, set-current-schema,
 * add-spec, ..., set-properties). Applied to `null` they yield that metadata.
 */
export function newTableUpdates(input: NewTableInput): TableUpdate[] {
  const properties = input.properties ?? {};
  const formatVersion = input.formatVersion ?? formatVersionProperty(properties);
  if (!Number.isInteger(formatVersion) || formatVersion < 1 || formatVersion > SUPPORTED_FORMAT_VERSION) {
    throw new ValidationError(`Unsupported format version: v${formatVersion} (supported: v${SUPPORTED_FORMAT_VERSION})`);
  }
  const { schema: fresh, lastColumnId } = assignFreshIdsFrom({ ...input.schema, schemaId: 0 }, 0);
  const { spec } = assignFreshPartitionIds(input.spec ?? UNPARTITIONED_SPEC, input.schema, fresh);
  const order = assignFreshSortOrderIds(input.sortOrder ?? UNSORTED_ORDER, input.schema, fresh);
  return [
    { action: 'assign-uuid', uuid: input.tableUuid ?? randomUuid() },
    { action: 'upgrade-format-version', formatVersion },
    { action: 'add-schema', schema: fresh, lastColumnId },
    { action: 'set-current-schema', schemaId: LAST_ADDED },
    { action: 'add-spec', spec },
    { action: 'set-default-spec', specId: LAST_ADDED },
    { action: 'add-sort-order', sortOrder: order },
    { action: 'set-default-sort-order', sortOrderId: LAST_ADDED },
    { action: 'set-location', location: input.location },
    { action: 'set-properties', updates: persistedProperties(properties) },
  ];
}

function formatVersionProperty(properties: Record<string, string>): number {
  const raw = properties[FORMAT_VERSION_PROPERTY];
  if (raw === undefined) return DEFAULT_FORMAT_VERSION;
  if (!/^\s*[+-]?\d+\s*$/.test(raw)) throw new ValidationError(`Invalid format-version: ${raw}`);
  return Number.parseInt(raw, 10);
}

function persistedProperties(properties: Record<string, string>): Record<string, string> {
  const kept: Record<string, string> = { ...NEW_TABLE_DEFAULTS };
  for (const [key, value] of Object.entries(properties)) {
    if (!RESERVED_PROPERTIES.has(key)) kept[key] = value;
  }
  return kept;
}
