/**
 * Plain model objects the builder and requirement tests start from (built by hand, not parsed,
 * so that the tests do not depend on the JSON codecs).
 */
import type { FormatVersion, Schema, Snapshot, TableMetadata } from './model.js';

export const T0 = 1_700_000_000_000;

export function simpleSchema(schemaId = 0): Schema {
  return {
    type: 'struct',
    schemaId,
    fields: [
      { id: 1, name: 'id', required: true, type: 'long' },
      { id: 2, name: 'data', required: false, type: 'string' },
      { id: 3, name: 'ts', required: false, type: 'timestamptz' },
    ],
  };
}

/** {@link simpleSchema} plus an optional `extra` column (id 4). */
export function widerSchema(schemaId = 1): Schema {
  const schema = simpleSchema(schemaId);
  return { ...schema, fields: [...schema.fields, { id: 4, name: 'extra', required: false, type: 'int' }] };
}

export function tableMetadata(overrides: Partial<TableMetadata> = {}): TableMetadata {
  return {
    formatVersion: 2,
    tableUuid: '9c12d441-03fe-4693-9a96-a0705ddf69c1',
    location: 's3://bucket/warehouse/db/t',
    lastSequenceNumber: 0n,
    lastUpdatedMs: T0,
    lastColumnId: 3,
    schemas: [simpleSchema()],
    currentSchemaId: 0,
    partitionSpecs: [{ specId: 0, fields: [] }],
    defaultSpecId: 0,
    lastPartitionId: 999,
    properties: {},
    snapshots: [],
    snapshotLog: [],
    metadataLog: [],
    sortOrders: [{ orderId: 0, fields: [] }],
    defaultSortOrderId: 0,
    refs: {},
    statistics: [],
    partitionStatistics: [],
    ...overrides,
  };
}

export function snapshot(
  snapshotId: bigint,
  opts: { parent?: bigint; sequenceNumber?: bigint; timestampMs?: number; firstRowId?: bigint; addedRows?: bigint } = {},
): Snapshot {
  const s: Snapshot = {
    snapshotId,
    sequenceNumber: opts.sequenceNumber ?? 1n,
    timestampMs: opts.timestampMs ?? T0 + Number(snapshotId),
    manifestList: `s3://bucket/warehouse/db/t/metadata/snap-${snapshotId}.avro`,
    summary: { operation: 'append' },
    schemaId: 0,
  };
  if (opts.parent !== undefined) s.parentSnapshotId = opts.parent;
  if (opts.firstRowId !== undefined) s.firstRowId = opts.firstRowId;
  if (opts.addedRows !== undefined) s.addedRows = opts.addedRows;
  return s;
}

/** A table whose main branch has seen snapshot 1 and then snapshot 2 (sequence numbers 1 and 2). */
export function tableWithHistory(formatVersion: FormatVersion = 2): TableMetadata {
  const lineage = formatVersion >= 3;
  const s1 = snapshot(1n, { sequenceNumber: 1n, ...(lineage ? { firstRowId: 0n, addedRows: 10n } : {}) });
  const s2 = snapshot(2n, { parent: 1n, sequenceNumber: 2n, ...(lineage ? { firstRowId: 10n, addedRows: 5n } : {}) });
  const m = tableMetadata({
    formatVersion,
    lastSequenceNumber: 2n,
    lastUpdatedMs: T0 + 100,
    snapshots: [s1, s2],
    currentSnapshotId: 2n,
    snapshotLog: [
      { timestampMs: s1.timestampMs, snapshotId: 1n },
      { timestampMs: s2.timestampMs, snapshotId: 2n },
    ],
    refs: { main: { snapshotId: 2n, type: 'branch' } },
  });
  if (lineage) m.nextRowId = 15n;
  return m;
}
