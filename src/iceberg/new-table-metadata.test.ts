import { describe, expect, it } from 'vitest';
import type { PartitionSpec, Schema, SortOrder } from './model.js';
import { newTableMetadata, newTableUpdates } from './new-table-metadata.js';
import { applyUpdates } from './table-metadata-builder.js';

const NOW = 1_700_000_123_000;

const schema: Schema = {
  type: 'struct',
  schemaId: 3,
  identifierFieldIds: [10],
  fields: [
    { id: 10, name: 'id', required: true, type: 'long' },
    { id: 40, name: 'ts', required: false, type: 'timestamptz' },
    {
      id: 20,
      name: 'point',
      required: false,
      type: {
        type: 'struct',
        fields: [
          { id: 21, name: 'x', required: true, type: 'double' },
          { id: 22, name: 'y', required: true, type: 'double' },
        ],
      },
    },
    { id: 30, name: 'tags', required: false, type: { type: 'list', elementId: 31, element: 'string', elementRequired: false } },
  ],
};

const spec: PartitionSpec = {
  specId: 4,
  fields: [
    { sourceId: 40, fieldId: 1005, name: 'ts_day', transform: 'day' },
    { sourceId: 10, fieldId: 1009, name: 'id_bucket', transform: 'bucket[16]' },
  ],
};

const order: SortOrder = {
  orderId: 5,
  fields: [{ transform: 'identity', sourceId: 21, direction: 'desc', nullOrder: 'nulls-last' }],
};

const input = {
  schema,
  spec,
  sortOrder: order,
  location: 's3://bucket/db/t/',
  properties: { 'format-version': '1', owner: 'someone' },
  tableUuid: '4f0b0f7e-2d7c-4a1f-8f56-0d6c8a1f0d11',
  nowMs: NOW,
};

describe('newTableMetadata', () => {
  const m = newTableMetadata(input);

  it('assigns fresh column ids breadth-first, as Java does, keeping identifier fields', () => {
    const s = m.schemas[0];
    expect(s.schemaId).toBe(0);
    expect(s.fields.map((f) => f.id)).toEqual([1, 2, 3, 4]);
    const point = s.fields[2].type as { fields: { id: number }[] };
    expect(point.fields.map((f) => f.id)).toEqual([5, 6]);
    expect((s.fields[3].type as { elementId: number }).elementId).toBe(7);
    expect(s.identifierFieldIds).toEqual([1]);
    expect(m.lastColumnId).toBe(7);
    expect(m.currentSchemaId).toBe(0);
  });

  it('rebinds the spec to the fresh ids with partition field ids from 1000', () => {
    expect(m.partitionSpecs).toEqual([
      {
        specId: 0,
        fields: [
          { sourceId: 2, fieldId: 1000, name: 'ts_day', transform: 'day' },
          { sourceId: 1, fieldId: 1001, name: 'id_bucket', transform: 'bucket[16]' },
        ],
      },
    ]);
    expect(m.defaultSpecId).toBe(0);
    expect(m.lastPartitionId).toBe(1001);
  });

  it('rebinds the sort order to the fresh ids with order id 1', () => {
    expect(m.sortOrders).toEqual([{ orderId: 1, fields: [{ transform: 'identity', sourceId: 5, direction: 'desc', nullOrder: 'nulls-last' }] }]);
    expect(m.defaultSortOrderId).toBe(1);
  });

  it('takes the format version from the property and does not store reserved properties', () => {
    expect(m.formatVersion).toBe(1);
    expect(m.properties).toEqual({ owner: 'someone', 'write.parquet.compression-codec': 'zstd' });
  });

  it('keeps the uuid, strips the trailing slash and stamps the time', () => {
    expect(m.tableUuid).toBe(input.tableUuid);
    expect(m.location).toBe('s3://bucket/db/t');
    expect(m.lastUpdatedMs).toBe(NOW);
    expect(m.snapshots).toEqual([]);
    expect(m.currentSnapshotId).toBeUndefined();
  });

  it('defaults to v2, unpartitioned and unsorted', () => {
    const plain = newTableMetadata({ schema, location: 's3://b/t' });
    expect(plain.formatVersion).toBe(2);
    expect(plain.partitionSpecs).toEqual([{ specId: 0, fields: [] }]);
    expect(plain.lastPartitionId).toBe(999);
    expect(plain.sortOrders).toEqual([{ orderId: 0, fields: [] }]);
    expect(plain.defaultSortOrderId).toBe(0);
  });

  it('lets the explicit format version win and rejects unsupported versions', () => {
    expect(newTableMetadata({ ...input, formatVersion: 3 }).formatVersion).toBe(3);
    expect(newTableMetadata({ ...input, formatVersion: 3 }).nextRowId).toBe(0n);
    expect(() => newTableMetadata({ ...input, properties: { 'format-version': '4' } })).toThrow(
      'Unsupported format version: v4 (supported: v3)',
    );
  });

  it('rejects a spec on a column the schema does not have', () => {
    const bad = { specId: 0, fields: [{ sourceId: 99, fieldId: 1000, name: 'x', transform: 'identity' }] };
    expect(() => newTableMetadata({ ...input, spec: bad })).toThrow('Cannot find source column: 99');
  });
});

describe('newTableUpdates', () => {
  it('is the create-transaction update list that rebuilds the same metadata', () => {
    const updates = newTableUpdates(input);
    expect(updates.map((u) => u.action)).toEqual([
      'assign-uuid',
      'upgrade-format-version',
      'add-schema',
      'set-current-schema',
      'add-spec',
      'set-default-spec',
      'add-sort-order',
      'set-default-sort-order',
      'set-location',
      'set-properties',
    ]);
    expect(applyUpdates(null, updates, { nowMs: NOW }).metadata).toEqual(newTableMetadata(input));
  });
});
