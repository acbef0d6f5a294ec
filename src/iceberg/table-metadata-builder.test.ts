import { describe, expect, it } from 'vitest';
import { CommitFailedError, ValidationError } from './errors.js';
import type { Schema, TableMetadata, TableUpdate } from './model.js';
import { applyUpdates } from './table-metadata-builder.js';
import { T0, simpleSchema, tableMetadata, tableWithHistory, widerSchema } from './table-metadata-builder.fixtures.js';

const NOW = T0 + 10_000;

function apply(base: TableMetadata | null, updates: TableUpdate[], previousMetadataLocation?: string) {
  return applyUpdates(base, updates, { nowMs: NOW, previousMetadataLocation });
}

describe('applyUpdates: no-ops and unknown actions', () => {
  it('returns the base unchanged, with no changes, when nothing changes', () => {
    const base = tableMetadata();
    const { metadata, changes } = apply(base, [
      { action: 'set-location', location: base.location },
      { action: 'set-current-schema', schemaId: 0 },
      { action: 'upgrade-format-version', formatVersion: 2 },
      { action: 'enable-row-lineage' },
    ]);
    expect(changes).toEqual([]);
    expect(metadata).toBe(base);
    expect(metadata.lastUpdatedMs).toBe(T0);
  });

  it('sets last-updated-ms to the commit time when something changes', () => {
    const { metadata } = apply(tableMetadata(), [{ action: 'set-properties', updates: { a: 'b' } }]);
    expect(metadata.lastUpdatedMs).toBe(NOW);
  });

  it('rejects an unknown action', () => {
    const bogus = { action: 'drop-everything' } as unknown as TableUpdate;
    expect(() => apply(tableMetadata(), [bogus])).toThrow(new ValidationError('Cannot apply unknown table update: drop-everything'));
  });
});

describe('assign-uuid', () => {
  it('is a no-op for the same uuid', () => {
    const base = tableMetadata();
    expect(apply(base, [{ action: 'assign-uuid', uuid: base.tableUuid }]).changes).toEqual([]);
  });

  it('cannot change the uuid of an existing table', () => {
    expect(() => apply(tableMetadata(), [{ action: 'assign-uuid', uuid: '00000000-0000-0000-0000-000000000001' }])).toThrow(
      'Cannot reassign uuid',
    );
  });
});

describe('upgrade-format-version', () => {
  it('upgrades and records the change', () => {
    const { metadata, changes } = apply(tableMetadata(), [{ action: 'upgrade-format-version', formatVersion: 3 }]);
    expect(metadata.formatVersion).toBe(3);
    expect(metadata.nextRowId).toBe(0n);
    expect(changes).toEqual([{ action: 'upgrade-format-version', formatVersion: 3 }]);
  });

  it('refuses a downgrade', () => {
    expect(() => apply(tableMetadata(), [{ action: 'upgrade-format-version', formatVersion: 1 }])).toThrow(
      'Cannot downgrade v2 table to v1',
    );
  });

  it('refuses a version above 3', () => {
    expect(() => apply(tableMetadata(), [{ action: 'upgrade-format-version', formatVersion: 4 }])).toThrow(
      'Cannot upgrade table to unsupported format version: v4 (supported: v3)',
    );
  });
});

describe('add-schema and set-current-schema', () => {
  it('adds a schema with id max+1, raises last-column-id and makes it current through -1', () => {
    const { metadata, changes } = apply(tableMetadata(), [
      { action: 'add-schema', schema: widerSchema(7) },
      { action: 'set-current-schema', schemaId: -1 },
    ]);
    expect(metadata.schemas.map((s) => s.schemaId)).toEqual([0, 1]);
    expect(metadata.currentSchemaId).toBe(1);
    expect(metadata.lastColumnId).toBe(4);
    expect(changes.map((c) => c.action)).toEqual(['add-schema', 'set-current-schema']);
    expect(changes[1]).toEqual({ action: 'set-current-schema', schemaId: -1 });
  });

  it('reuses an identical existing schema instead of adding it, and records nothing', () => {
    const base = tableMetadata({ schemas: [simpleSchema(0), widerSchema(1)], lastColumnId: 4 });
    const { metadata, changes } = apply(base, [{ action: 'add-schema', schema: widerSchema(5) }]);
    expect(changes).toEqual([]);
    expect(metadata.schemas).toHaveLength(2);
  });

  it('does not treat a reused schema from the base as "last added"', () => {
    const base = tableMetadata({ schemas: [simpleSchema(0), widerSchema(1)], lastColumnId: 4 });
    expect(() =>
      apply(base, [
        { action: 'add-schema', schema: widerSchema(5) },
        { action: 'set-current-schema', schemaId: -1 },
      ]),
    ).toThrow('Cannot set last added schema: no schema has been added');
  });

  it('reuses a schema added earlier in the same updates and keeps it as "last added"', () => {
    const { metadata, changes } = apply(tableMetadata(), [
      { action: 'add-schema', schema: widerSchema(1) },
      { action: 'add-schema', schema: widerSchema(9) },
      { action: 'set-current-schema', schemaId: -1 },
    ]);
    expect(metadata.schemas).toHaveLength(2);
    expect(metadata.currentSchemaId).toBe(1);
    expect(changes.filter((c) => c.action === 'add-schema')).toHaveLength(1);
  });

  it('never lowers last-column-id', () => {
    const base = tableMetadata({ lastColumnId: 10 });
    const { metadata } = apply(base, [{ action: 'add-schema', schema: widerSchema(1) }]);
    expect(metadata.lastColumnId).toBe(10);
  });

  it('rejects v3-only types on a v2 table and accepts them on v3', () => {
    const nanos: Schema = { ...simpleSchema(1), fields: [...simpleSchema().fields, { id: 4, name: 'ns', required: false, type: 'timestamp_ns' }] };
    expect(() => apply(tableMetadata(), [{ action: 'add-schema', schema: nanos }])).toThrow(
      'Invalid schema for v2:\n- Invalid type for ns: timestamp_ns is not supported until v3',
    );
    const { metadata } = apply(tableMetadata({ formatVersion: 3, nextRowId: 0n }), [{ action: 'add-schema', schema: nanos }]);
    expect(metadata.schemas).toHaveLength(2);
  });

  it('rejects an unknown schema id', () => {
    expect(() => apply(tableMetadata(), [{ action: 'set-current-schema', schemaId: 42 }])).toThrow(
      'Cannot set current schema to unknown schema: 42',
    );
  });

  it('records an explicit id when the schema was not added by these updates', () => {
    const base = tableMetadata({ schemas: [simpleSchema(0), widerSchema(1)], lastColumnId: 4 });
    const { metadata, changes } = apply(base, [{ action: 'set-current-schema', schemaId: 1 }]);
    expect(metadata.currentSchemaId).toBe(1);
    expect(changes).toEqual([{ action: 'set-current-schema', schemaId: 1 }]);
  });

  it('refuses a current schema that drops a column the default spec partitions by', () => {
    const base = tableMetadata({
      partitionSpecs: [{ specId: 0, fields: [{ sourceId: 3, fieldId: 1000, name: 'ts_day', transform: 'day' }] }],
      lastPartitionId: 1000,
    });
    const narrow: Schema = { ...simpleSchema(1), fields: simpleSchema().fields.slice(0, 2) };
    expect(() =>
      apply(base, [
        { action: 'add-schema', schema: narrow },
        { action: 'set-current-schema', schemaId: -1 },
      ]),
    ).toThrow('Cannot find source column for partition field: 1000: ts_day: day(3)');
  });
});

describe('remove-schemas', () => {
  it('removes old schemas', () => {
    const base = tableMetadata({ schemas: [simpleSchema(0), widerSchema(1)], currentSchemaId: 1, lastColumnId: 4 });
    const { metadata, changes } = apply(base, [{ action: 'remove-schemas', schemaIds: [0] }]);
    expect(metadata.schemas.map((s) => s.schemaId)).toEqual([1]);
    expect(changes).toEqual([{ action: 'remove-schemas', schemaIds: [0] }]);
  });

  it('records nothing when no listed schema exists', () => {
    expect(apply(tableMetadata(), [{ action: 'remove-schemas', schemaIds: [5] }]).changes).toEqual([]);
  });

  it('cannot remove the current schema', () => {
    expect(() => apply(tableMetadata(), [{ action: 'remove-schemas', schemaIds: [0] }])).toThrow('Cannot remove the current schema');
  });
});

describe('add-spec and set-default-spec', () => {
  const byDay = { specId: 0, fields: [{ sourceId: 3, fieldId: 1000, name: 'ts_day', transform: 'day' }] };

  it('adds a spec with id max+1, raises last-partition-id and makes it default through -1', () => {
    const { metadata, changes } = apply(tableMetadata(), [
      { action: 'add-spec', spec: byDay },
      { action: 'set-default-spec', specId: -1 },
    ]);
    expect(metadata.partitionSpecs[1]).toEqual({ ...byDay, specId: 1 });
    expect(metadata.defaultSpecId).toBe(1);
    expect(metadata.lastPartitionId).toBe(1000);
    expect(changes[1]).toEqual({ action: 'set-default-spec', specId: -1 });
  });

  it('reuses a compatible spec (same source, transform and name; field ids ignored)', () => {
    const base = tableMetadata({ partitionSpecs: [{ specId: 0, fields: [] }, { ...byDay, specId: 1 }], lastPartitionId: 1000 });
    const same = { specId: 5, fields: [{ ...byDay.fields[0], fieldId: 1007 }] };
    const { metadata, changes } = apply(base, [{ action: 'add-spec', spec: same }, { action: 'set-default-spec', specId: 1 }]);
    expect(metadata.partitionSpecs).toHaveLength(2);
    expect(metadata.lastPartitionId).toBe(1000);
    expect(changes).toEqual([{ action: 'set-default-spec', specId: 1 }]);
  });

  it('rejects a transform that cannot apply to the source type', () => {
    const bad = { specId: 0, fields: [{ sourceId: 2, fieldId: 1000, name: 'data_day', transform: 'day' }] };
    expect(() => apply(tableMetadata(), [{ action: 'add-spec', spec: bad }])).toThrow('Invalid source type string for transform: day');
  });

  it('rejects a partition field on a missing column', () => {
    const bad = { specId: 0, fields: [{ sourceId: 99, fieldId: 1000, name: 'x', transform: 'identity' }] };
    expect(() => apply(tableMetadata(), [{ action: 'add-spec', spec: bad }])).toThrow(
      'Cannot find source column for partition field: 1000: x: identity(99)',
    );
  });

  it('rejects duplicate partition names', () => {
    const bad = {
      specId: 0,
      fields: [
        { sourceId: 3, fieldId: 1000, name: 'p', transform: 'day' },
        { sourceId: 1, fieldId: 1001, name: 'p', transform: 'bucket[4]' },
      ],
    };
    expect(() => apply(tableMetadata(), [{ action: 'add-spec', spec: bad }])).toThrow('Cannot use partition name more than once: p');
  });

  it('requires sequential field ids in v1', () => {
    const v1 = tableMetadata({ formatVersion: 1 });
    const gap = { specId: 0, fields: [{ sourceId: 3, fieldId: 1005, name: 'ts_day', transform: 'day' }] };
    expect(() => apply(v1, [{ action: 'add-spec', spec: gap }])).toThrow(/^Spec does not use sequential IDs that are required in v1/);
    expect(apply(v1, [{ action: 'add-spec', spec: byDay }]).metadata.partitionSpecs).toHaveLength(2);
    expect(apply(tableMetadata(), [{ action: 'add-spec', spec: gap }]).metadata.lastPartitionId).toBe(1005);
  });

  it('rejects -1 when no spec was added, and an unknown spec id', () => {
    expect(() => apply(tableMetadata(), [{ action: 'set-default-spec', specId: -1 }])).toThrow(
      'Cannot set last added spec: no spec has been added',
    );
    expect(() => apply(tableMetadata(), [{ action: 'set-default-spec', specId: 3 }])).toThrow(
      'Cannot set default partition spec to unknown spec: 3',
    );
  });
});

describe('remove-partition-specs', () => {
  it('removes specs other than the default', () => {
    const base = tableMetadata({
      partitionSpecs: [{ specId: 0, fields: [] }, { specId: 1, fields: [{ sourceId: 3, fieldId: 1000, name: 'ts_day', transform: 'day' }] }],
      defaultSpecId: 1,
      lastPartitionId: 1000,
    });
    const { metadata } = apply(base, [{ action: 'remove-partition-specs', specIds: [0] }]);
    expect(metadata.partitionSpecs.map((s) => s.specId)).toEqual([1]);
    expect(metadata.lastPartitionId).toBe(1000);
  });

  it('records only the specs that existed', () => {
    const base = tableMetadata({ partitionSpecs: [{ specId: 0, fields: [] }, { specId: 1, fields: [] }] });
    expect(apply(base, [{ action: 'remove-partition-specs', specIds: [1, 8] }]).changes).toEqual([
      { action: 'remove-partition-specs', specIds: [1] },
    ]);
    expect(apply(base, [{ action: 'remove-partition-specs', specIds: [8] }]).changes).toEqual([]);
  });

  it('cannot remove the default spec', () => {
    expect(() => apply(tableMetadata(), [{ action: 'remove-partition-specs', specIds: [0] }])).toThrow(
      'Cannot remove the default partition spec',
    );
  });
});

describe('add-sort-order and set-default-sort-order', () => {
  const byId = { orderId: 3, fields: [{ transform: 'identity', sourceId: 1, direction: 'asc' as const, nullOrder: 'nulls-first' as const }] };

  it('adds an order with id 1 (0 is the unsorted order) and makes it default through -1', () => {
    const { metadata, changes } = apply(tableMetadata(), [
      { action: 'add-sort-order', sortOrder: byId },
      { action: 'set-default-sort-order', sortOrderId: -1 },
    ]);
    expect(metadata.sortOrders[1]).toEqual({ ...byId, orderId: 1 });
    expect(metadata.defaultSortOrderId).toBe(1);
    expect(changes[1]).toEqual({ action: 'set-default-sort-order', sortOrderId: -1 });
  });

  it('reuses an identical order and the unsorted order', () => {
    const base = tableMetadata({ sortOrders: [{ orderId: 0, fields: [] }, { ...byId, orderId: 1 }] });
    const { changes } = apply(base, [
      { action: 'add-sort-order', sortOrder: byId },
      { action: 'add-sort-order', sortOrder: { orderId: 0, fields: [] } },
    ]);
    expect(changes).toEqual([]);
  });

  it('reserves id 0 for the unsorted order', () => {
    expect(() => apply(tableMetadata(), [{ action: 'add-sort-order', sortOrder: { ...byId, orderId: 0 } }])).toThrow(
      'Sort order ID 0 is reserved for unsorted order',
    );
    expect(() => apply(tableMetadata(), [{ action: 'add-sort-order', sortOrder: { orderId: 2, fields: [] } }])).toThrow(
      'Unsorted order ID must be 0',
    );
  });

  it('rejects sorting by a missing column', () => {
    const bad = { orderId: 1, fields: [{ ...byId.fields[0], sourceId: 77 }] };
    expect(() => apply(tableMetadata(), [{ action: 'add-sort-order', sortOrder: bad }])).toThrow(
      /^Cannot find source column for sort field: identity\(77\) ASC NULLS/,
    );
  });

  it('rejects -1 when no order was added, and an unknown order id', () => {
    expect(() => apply(tableMetadata(), [{ action: 'set-default-sort-order', sortOrderId: -1 }])).toThrow(
      'Cannot set last added sort order: no sort order has been added',
    );
    expect(() => apply(tableMetadata(), [{ action: 'set-default-sort-order', sortOrderId: 4 }])).toThrow(
      'Cannot set default sort order to unknown sort order: 4',
    );
  });
});

describe('location and properties', () => {
  it('sets the location without a trailing slash', () => {
    const { metadata, changes } = apply(tableMetadata(), [{ action: 'set-location', location: 's3://other/place/' }]);
    expect(metadata.location).toBe('s3://other/place');
    expect(changes).toHaveLength(1);
  });

  it('sets and removes properties', () => {
    const base = tableMetadata({ properties: { keep: '1', drop: '2' } });
    const { metadata, changes } = apply(base, [
      { action: 'set-properties', updates: { added: '3', keep: 'changed' } },
      { action: 'remove-properties', removals: ['drop'] },
    ]);
    expect(metadata.properties).toEqual({ keep: 'changed', added: '3' });
    expect(changes.map((c) => c.action)).toEqual(['set-properties', 'remove-properties']);
    expect(base.properties).toEqual({ keep: '1', drop: '2' });
  });

  it('records nothing for empty property updates', () => {
    const { changes } = apply(tableMetadata(), [
      { action: 'set-properties', updates: {} },
      { action: 'remove-properties', removals: [] },
    ]);
    expect(changes).toEqual([]);
  });
});

describe('encryption keys', () => {
  const key = { keyId: 'k1', encryptedKeyMetadata: 'AAAA' };

  it('adds a key once and removes it', () => {
    const base = tableMetadata({ formatVersion: 3, nextRowId: 0n });
    const added = apply(base, [{ action: 'add-encryption-key', encryptionKey: key }]);
    expect(added.metadata.encryptionKeys).toEqual([key]);
    expect(apply(added.metadata, [{ action: 'add-encryption-key', encryptionKey: key }]).changes).toEqual([]);
    const removed = apply(added.metadata, [{ action: 'remove-encryption-key', keyId: 'k1' }]);
    expect(removed.metadata.encryptionKeys).toEqual([]);
    expect(apply(base, [{ action: 'remove-encryption-key', keyId: 'nope' }]).changes).toEqual([]);
  });
});

describe('metadata log', () => {
  it('appends the previous metadata file with the base last-updated-ms', () => {
    const base = tableMetadata({ metadataLog: [{ timestampMs: T0 - 5, metadataFile: 'm0.json' }] });
    const { metadata } = apply(base, [{ action: 'set-properties', updates: { a: 'b' } }], 'm1.json');
    expect(metadata.metadataLog).toEqual([
      { timestampMs: T0 - 5, metadataFile: 'm0.json' },
      { timestampMs: T0, metadataFile: 'm1.json' },
    ]);
  });

  it('keeps at most write.metadata.previous-versions-max entries, dropping the oldest', () => {
    const log = [1, 2, 3].map((i) => ({ timestampMs: T0 - 10 + i, metadataFile: `m${i}.json` }));
    const base = tableMetadata({ metadataLog: log, properties: { 'write.metadata.previous-versions-max': '2' } });
    const { metadata } = apply(base, [{ action: 'set-properties', updates: { a: 'b' } }], 'm4.json');
    expect(metadata.metadataLog.map((e) => e.metadataFile)).toEqual(['m3.json', 'm4.json']);
  });

  it('leaves the log alone without a previous location or without a change', () => {
    const base = tableMetadata({ metadataLog: [{ timestampMs: T0, metadataFile: 'm0.json' }] });
    expect(apply(base, [{ action: 'set-properties', updates: { a: 'b' } }]).metadata.metadataLog).toHaveLength(1);
    expect(apply(base, [], 'm1.json').metadata.metadataLog).toHaveLength(1);
  });
});

describe('creating a table from updates (base null)', () => {
  const createUpdates: TableUpdate[] = [
    { action: 'assign-uuid', uuid: 'd5a0b6b4-1f0e-4c5e-9e25-3b0c6fd1d8b1' },
    { action: 'upgrade-format-version', formatVersion: 1 },
    { action: 'add-schema', schema: simpleSchema(0) },
    { action: 'set-current-schema', schemaId: -1 },
    { action: 'add-spec', spec: { specId: 0, fields: [{ sourceId: 1, fieldId: 1000, name: 'id_bucket', transform: 'bucket[8]' }] } },
    { action: 'set-default-spec', specId: -1 },
    { action: 'add-sort-order', sortOrder: { orderId: 0, fields: [] } },
    { action: 'set-default-sort-order', sortOrderId: -1 },
    { action: 'set-location', location: 's3://bucket/new' },
    { action: 'set-properties', updates: { owner: 'me' } },
  ];

  it('builds the metadata at the requested format version', () => {
    const { metadata, changes } = apply(null, createUpdates);
    expect(metadata).toMatchObject({
      formatVersion: 1,
      tableUuid: 'd5a0b6b4-1f0e-4c5e-9e25-3b0c6fd1d8b1',
      location: 's3://bucket/new',
      lastColumnId: 3,
      currentSchemaId: 0,
      defaultSpecId: 0,
      lastPartitionId: 1000,
      defaultSortOrderId: 0,
      properties: { owner: 'me' },
      lastUpdatedMs: NOW,
      metadataLog: [],
    });
    expect(changes.map((c) => c.action)).toContain('add-schema');
  });

  it('defaults to v2 and a fresh uuid', () => {
    const { metadata } = apply(null, createUpdates.filter((u) => u.action !== 'upgrade-format-version' && u.action !== 'assign-uuid'));
    expect(metadata.formatVersion).toBe(2);
    expect(metadata.tableUuid).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('needs a schema and a location', () => {
    expect(() => apply(null, [{ action: 'set-location', location: 's3://x' }])).toThrow('Cannot create table metadata before a schema is added');
    expect(() => apply(null, createUpdates.filter((u) => u.action !== 'set-location'))).toThrow(
      'Cannot create a table without a location',
    );
  });
});

describe('stale values are commit failures', () => {
  it('maps an old sequence number to a retryable CommitFailedError', () => {
    const base = tableWithHistory();
    const stale = { snapshotId: 3n, parentSnapshotId: 2n, sequenceNumber: 2n, timestampMs: T0 + 3, summary: { operation: 'append' } };
    expect(() => apply(base, [{ action: 'add-snapshot', snapshot: stale }])).toThrow(CommitFailedError);
    expect(() => apply(base, [{ action: 'add-snapshot', snapshot: stale }])).toThrow(
      'Validation failed, please retry: Cannot add snapshot with sequence number 2 older than last sequence number 2',
    );
  });
});
