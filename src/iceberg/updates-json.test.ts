import { describe, expect, it } from 'vitest';
import { ValidationError } from './errors.js';
import { jsonEquals, parseJson, stringifyJson, type JsonValue } from './json.js';
import type { TableRequirement, TableUpdate, TableUpdateAction, ViewRequirement, ViewUpdate } from './model.js';
import {
  tableRequirementFromJson,
  tableRequirementToJson,
  tableUpdateFromJson,
  tableUpdateToJson,
  viewRequirementFromJson,
  viewRequirementToJson,
  viewUpdateFromJson,
  viewUpdateToJson,
} from './updates-json.js';

function expectInvalid(fn: () => unknown, message: string | RegExp): void {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(ValidationError);
  if (typeof message === 'string') expect((thrown as Error).message).toBe(message);
  else expect((thrown as Error).message).toMatch(message);
}

const SCHEMA_JSON = '{"type":"struct","schema-id":1,"fields":[{"id":1,"name":"a","required":true,"type":"long"}]}';
const SCHEMA = {
  type: 'struct' as const,
  schemaId: 1,
  fields: [{ id: 1, name: 'a', required: true, type: 'long' }],
};

/** Each table update action in wire form and model form. */
const TABLE_UPDATES: Array<[string, TableUpdate]> = [
  ['{"action":"assign-uuid","uuid":"9c12d441-03fe-4693-9a96-a0705ddf69c1"}', { action: 'assign-uuid', uuid: '9c12d441-03fe-4693-9a96-a0705ddf69c1' }],
  ['{"action":"upgrade-format-version","format-version":3}', { action: 'upgrade-format-version', formatVersion: 3 }],
  [`{"action":"add-schema","schema":${SCHEMA_JSON}}`, { action: 'add-schema', schema: SCHEMA }],
  [`{"action":"add-schema","schema":${SCHEMA_JSON},"last-column-id":1}`, { action: 'add-schema', schema: SCHEMA, lastColumnId: 1 }],
  ['{"action":"set-current-schema","schema-id":-1}', { action: 'set-current-schema', schemaId: -1 }],
  [
    '{"action":"add-spec","spec":{"spec-id":1,"fields":[{"name":"d","transform":"day","source-id":4,"field-id":1000}]}}',
    { action: 'add-spec', spec: { specId: 1, fields: [{ sourceId: 4, fieldId: 1000, name: 'd', transform: 'day' }] } },
  ],
  ['{"action":"set-default-spec","spec-id":1}', { action: 'set-default-spec', specId: 1 }],
  [
    '{"action":"add-sort-order","sort-order":{"order-id":1,"fields":[{"transform":"identity","source-id":1,"direction":"asc","null-order":"nulls-first"}]}}',
    {
      action: 'add-sort-order',
      sortOrder: { orderId: 1, fields: [{ transform: 'identity', sourceId: 1, direction: 'asc', nullOrder: 'nulls-first' }] },
    },
  ],
  ['{"action":"set-default-sort-order","sort-order-id":1}', { action: 'set-default-sort-order', sortOrderId: 1 }],
  [
    '{"action":"add-snapshot","snapshot":{"sequence-number":2,"snapshot-id":9223372036854775807,"parent-snapshot-id":7777777777777777777,"timestamp-ms":1700000000000,"summary":{"operation":"append"},"manifest-list":"s3://b/m.avro","schema-id":1,"first-row-id":0,"added-rows":10}}',
    {
      action: 'add-snapshot',
      snapshot: {
        sequenceNumber: 2n,
        snapshotId: 9223372036854775807n,
        parentSnapshotId: 7777777777777777777n,
        timestampMs: 1700000000000,
        summary: { operation: 'append' },
        manifestList: 's3://b/m.avro',
        schemaId: 1,
        firstRowId: 0n,
        addedRows: 10n,
      },
    },
  ],
  [
    '{"action":"set-snapshot-ref","ref-name":"main","snapshot-id":9223372036854775807,"type":"branch"}',
    { action: 'set-snapshot-ref', refName: 'main', snapshotId: 9223372036854775807n, type: 'branch' },
  ],
  [
    '{"action":"set-snapshot-ref","ref-name":"v1","snapshot-id":7777777777777777777,"type":"tag","min-snapshots-to-keep":2,"max-snapshot-age-ms":1000,"max-ref-age-ms":2000}',
    {
      action: 'set-snapshot-ref',
      refName: 'v1',
      snapshotId: 7777777777777777777n,
      type: 'tag',
      minSnapshotsToKeep: 2,
      maxSnapshotAgeMs: 1000,
      maxRefAgeMs: 2000,
    },
  ],
  [
    '{"action":"remove-snapshots","snapshot-ids":[9223372036854775807,7777777777777777777,1]}',
    { action: 'remove-snapshots', snapshotIds: [9223372036854775807n, 7777777777777777777n, 1n] },
  ],
  ['{"action":"remove-snapshot-ref","ref-name":"dev"}', { action: 'remove-snapshot-ref', refName: 'dev' }],
  ['{"action":"set-location","location":"s3://b/new"}', { action: 'set-location', location: 's3://b/new' }],
  ['{"action":"set-properties","updates":{"a":"1","b":"2"}}', { action: 'set-properties', updates: { a: '1', b: '2' } }],
  ['{"action":"remove-properties","removals":["a","b"]}', { action: 'remove-properties', removals: ['a', 'b'] }],
  [
    '{"action":"set-statistics","snapshot-id":7777777777777777777,"statistics":{"snapshot-id":7777777777777777777,"statistics-path":"s3://b/s.puffin","file-size-in-bytes":10,"file-footer-size-in-bytes":4,"blob-metadata":[]}}',
    {
      action: 'set-statistics',
      snapshotId: 7777777777777777777n,
      statistics: {
        snapshotId: 7777777777777777777n,
        statisticsPath: 's3://b/s.puffin',
        fileSizeInBytes: 10,
        fileFooterSizeInBytes: 4,
        blobMetadata: [],
      },
    },
  ],
  [
    '{"action":"set-statistics","statistics":{"snapshot-id":5,"statistics-path":"p","file-size-in-bytes":1,"file-footer-size-in-bytes":1,"blob-metadata":[]}}',
    {
      action: 'set-statistics',
      statistics: { snapshotId: 5n, statisticsPath: 'p', fileSizeInBytes: 1, fileFooterSizeInBytes: 1, blobMetadata: [] },
    },
  ],
  ['{"action":"remove-statistics","snapshot-id":9223372036854775807}', { action: 'remove-statistics', snapshotId: 9223372036854775807n }],
  [
    '{"action":"set-partition-statistics","partition-statistics":{"snapshot-id":9223372036854775807,"statistics-path":"p","file-size-in-bytes":7}}',
    {
      action: 'set-partition-statistics',
      partitionStatistics: { snapshotId: 9223372036854775807n, statisticsPath: 'p', fileSizeInBytes: 7 },
    },
  ],
  [
    '{"action":"remove-partition-statistics","snapshot-id":7777777777777777777}',
    { action: 'remove-partition-statistics', snapshotId: 7777777777777777777n },
  ],
  ['{"action":"remove-partition-specs","spec-ids":[0,2]}', { action: 'remove-partition-specs', specIds: [0, 2] }],
  ['{"action":"remove-schemas","schema-ids":[0]}', { action: 'remove-schemas', schemaIds: [0] }],
  [
    '{"action":"add-encryption-key","encryption-key":{"key-id":"k1","encrypted-key-metadata":"AAEC","encrypted-by-id":"master"}}',
    { action: 'add-encryption-key', encryptionKey: { keyId: 'k1', encryptedKeyMetadata: 'AAEC', encryptedById: 'master' } },
  ],
  ['{"action":"remove-encryption-key","key-id":"k1"}', { action: 'remove-encryption-key', keyId: 'k1' }],
  ['{"action":"enable-row-lineage"}', { action: 'enable-row-lineage' }],
];

const TABLE_REQUIREMENTS: Array<[string, TableRequirement]> = [
  ['{"type":"assert-create"}', { type: 'assert-create' }],
  ['{"type":"assert-table-uuid","uuid":"u-1"}', { type: 'assert-table-uuid', uuid: 'u-1' }],
  [
    '{"type":"assert-ref-snapshot-id","ref":"main","snapshot-id":9223372036854775807}',
    { type: 'assert-ref-snapshot-id', ref: 'main', snapshotId: 9223372036854775807n },
  ],
  ['{"type":"assert-ref-snapshot-id","ref":"dev","snapshot-id":null}', { type: 'assert-ref-snapshot-id', ref: 'dev', snapshotId: null }],
  ['{"type":"assert-last-assigned-field-id","last-assigned-field-id":11}', { type: 'assert-last-assigned-field-id', lastAssignedFieldId: 11 }],
  ['{"type":"assert-current-schema-id","current-schema-id":2}', { type: 'assert-current-schema-id', currentSchemaId: 2 }],
  [
    '{"type":"assert-last-assigned-partition-id","last-assigned-partition-id":1001}',
    { type: 'assert-last-assigned-partition-id', lastAssignedPartitionId: 1001 },
  ],
  ['{"type":"assert-default-spec-id","default-spec-id":1}', { type: 'assert-default-spec-id', defaultSpecId: 1 }],
  ['{"type":"assert-default-sort-order-id","default-sort-order-id":0}', { type: 'assert-default-sort-order-id', defaultSortOrderId: 0 }],
];

const VIEW_VERSION_JSON =
  '{"version-id":2,"timestamp-ms":1715100000000,"schema-id":-1,"summary":{"engine-name":"trino"},"default-namespace":["analytics"],"representations":[{"type":"sql","sql":"select 1","dialect":"trino"}]}';

const VIEW_UPDATES: Array<[string, ViewUpdate]> = [
  ['{"action":"assign-uuid","uuid":"fa6506c3-7681-40c8-86dc-e36561f83385"}', { action: 'assign-uuid', uuid: 'fa6506c3-7681-40c8-86dc-e36561f83385' }],
  ['{"action":"upgrade-format-version","format-version":1}', { action: 'upgrade-format-version', formatVersion: 1 }],
  [`{"action":"add-schema","schema":${SCHEMA_JSON},"last-column-id":1}`, { action: 'add-schema', schema: SCHEMA, lastColumnId: 1 }],
  ['{"action":"set-location","location":"s3://b/v"}', { action: 'set-location', location: 's3://b/v' }],
  ['{"action":"set-properties","updates":{"comment":"c"}}', { action: 'set-properties', updates: { comment: 'c' } }],
  ['{"action":"remove-properties","removals":["comment"]}', { action: 'remove-properties', removals: ['comment'] }],
  [
    `{"action":"add-view-version","view-version":${VIEW_VERSION_JSON}}`,
    {
      action: 'add-view-version',
      viewVersion: {
        versionId: 2,
        timestampMs: 1715100000000,
        schemaId: -1,
        summary: { 'engine-name': 'trino' },
        defaultNamespace: ['analytics'],
        representations: [{ type: 'sql', sql: 'select 1', dialect: 'trino' }],
      },
    },
  ],
  ['{"action":"set-current-view-version","view-version-id":-1}', { action: 'set-current-view-version', viewVersionId: -1 }],
];

const VIEW_REQUIREMENTS: Array<[string, ViewRequirement]> = [['{"type":"assert-view-uuid","uuid":"v-1"}', { type: 'assert-view-uuid', uuid: 'v-1' }]];

function checkBothWays<T>(
  cases: Array<[string, T]>,
  label: (t: T) => string,
  fromJson: (v: JsonValue) => T,
  toJson: (t: T) => JsonValue,
): void {
  for (const [text, model] of cases) {
    it(`${label(model)}: ${text.length > 90 ? `${text.slice(0, 90)}...` : text}`, () => {
      const json = parseJson(text);
      expect(fromJson(json)).toEqual(model);
      const out = toJson(model);
      expect(jsonEquals(out, json)).toBe(true);
      // Big ids must survive serialisation digit for digit.
      for (const lit of text.match(/\d{16,}/g) ?? []) expect(stringifyJson(out)).toContain(lit);
    });
  }
}

describe('table updates, both directions', () => {
  checkBothWays(TABLE_UPDATES, (u) => u.action, tableUpdateFromJson, tableUpdateToJson);

  it('covers every table update action of the model', () => {
    // A Record over the action union fails to compile when the model gains an action.
    const all: Record<TableUpdateAction, true> = {
      'assign-uuid': true, 'upgrade-format-version': true, 'add-schema': true, 'set-current-schema': true,
      'add-spec': true, 'set-default-spec': true, 'add-sort-order': true, 'set-default-sort-order': true,
      'add-snapshot': true, 'set-snapshot-ref': true, 'remove-snapshots': true, 'remove-snapshot-ref': true,
      'set-location': true, 'set-properties': true, 'remove-properties': true, 'set-statistics': true,
      'remove-statistics': true, 'set-partition-statistics': true, 'remove-partition-statistics': true,
      'remove-partition-specs': true, 'remove-schemas': true, 'add-encryption-key': true,
      'remove-encryption-key': true, 'enable-row-lineage': true,
    };
    expect(new Set(TABLE_UPDATES.map(([, u]) => u.action))).toEqual(new Set(Object.keys(all)));
  });
});

describe('table update parsing details', () => {
  it('reads the legacy member names of set-properties and remove-properties', () => {
    expect(tableUpdateFromJson(parseJson('{"action":"set-properties","updated":{"a":"1"}}'))).toEqual({
      action: 'set-properties',
      updates: { a: '1' },
    });
    expect(tableUpdateFromJson(parseJson('{"action":"remove-properties","removed":["a"]}'))).toEqual({
      action: 'remove-properties',
      removals: ['a'],
    });
    // The spec name wins when both are sent.
    expect(tableUpdateFromJson(parseJson('{"action":"set-properties","updated":{"a":"1"},"updates":{"b":"2"}}'))).toEqual({
      action: 'set-properties',
      updates: { b: '2' },
    });
  });

  it('reads add-spec without spec-id, which the REST spec marks read-only', () => {
    expect(tableUpdateFromJson(parseJson('{"action":"add-spec","spec":{"fields":[]}}'))).toEqual({
      action: 'add-spec',
      spec: { specId: 0, fields: [] },
    });
  });

  it('accepts actions in any case, as the reference parser does', () => {
    expect(tableUpdateFromJson(parseJson('{"action":"Set-Location","location":"x"}'))).toEqual({ action: 'set-location', location: 'x' });
  });

  it('drops duplicate ids from remove-snapshots', () => {
    expect(tableUpdateFromJson(parseJson('{"action":"remove-snapshots","snapshot-ids":[9223372036854775807,9223372036854775807]}'))).toEqual({
      action: 'remove-snapshots',
      snapshotIds: [9223372036854775807n],
    });
  });

  it('rejects unknown, missing and view-only actions', () => {
    expectInvalid(() => tableUpdateFromJson(parseJson('{"action":"drop-table"}')), 'Unknown table update action: drop-table');
    expectInvalid(() => tableUpdateFromJson(parseJson('{"action":"add-view-version","view-version":{}}')), 'Unknown table update action: add-view-version');
    expectInvalid(() => tableUpdateFromJson(parseJson('{"uuid":"x"}')), 'Cannot parse metadata update. Missing field: action');
    expectInvalid(() => tableUpdateFromJson(parseJson('{"action":null}')), 'Cannot parse metadata update. Missing field: action');
    expectInvalid(() => tableUpdateFromJson(parseJson('{"action":3}')), 'Cannot parse to a string value: action: 3');
    expectInvalid(() => tableUpdateFromJson(parseJson('[]')), 'Cannot parse metadata update from non-object value: []');
  });

  const bad: Array<[string, string | RegExp]> = [
    ['{"action":"assign-uuid"}', 'Cannot parse missing string: uuid'],
    ['{"action":"upgrade-format-version","format-version":"3"}', 'Cannot parse to an integer value: format-version: "3"'],
    ['{"action":"add-schema"}', 'Cannot parse missing field: schema'],
    ['{"action":"add-schema","schema":{"type":"struct","fields":[]},"last-column-id":"x"}', 'Cannot parse to an integer value: last-column-id: "x"'],
    ['{"action":"set-current-schema"}', 'Cannot parse missing int: schema-id'],
    ['{"action":"add-spec"}', 'Cannot parse missing field: spec'],
    ['{"action":"set-default-spec"}', 'Cannot parse missing int: spec-id'],
    ['{"action":"add-sort-order"}', 'Cannot parse missing field: sort-order'],
    ['{"action":"set-default-sort-order"}', 'Cannot parse missing int: sort-order-id'],
    ['{"action":"add-snapshot"}', 'Cannot parse missing field: snapshot'],
    ['{"action":"add-snapshot","snapshot":{"timestamp-ms":1,"manifest-list":"m"}}', 'Cannot parse missing long: snapshot-id'],
    ['{"action":"set-snapshot-ref","snapshot-id":1,"type":"branch"}', 'Cannot parse missing string: ref-name'],
    ['{"action":"set-snapshot-ref","ref-name":"main","type":"branch"}', 'Cannot parse missing long: snapshot-id'],
    ['{"action":"set-snapshot-ref","ref-name":"main","snapshot-id":1}', 'Cannot parse missing string: type'],
    ['{"action":"set-snapshot-ref","ref-name":"main","snapshot-id":1,"type":"label"}', 'Invalid snapshot ref type: label'],
    ['{"action":"remove-snapshots"}', 'Invalid set of snapshot ids to remove: must be non-null'],
    ['{"action":"remove-snapshots","snapshot-ids":["1"]}', 'Cannot parse long from non-long value in snapshot-ids: "1"'],
    ['{"action":"remove-snapshot-ref"}', 'Cannot parse missing string: ref-name'],
    ['{"action":"set-location"}', 'Cannot parse missing string: location'],
    ['{"action":"set-properties"}', 'Cannot parse missing map: updates'],
    ['{"action":"set-properties","updates":{"a":1}}', 'Cannot parse to a string value: a: 1'],
    ['{"action":"remove-properties"}', 'Cannot parse missing list: removals'],
    ['{"action":"set-statistics","snapshot-id":1}', 'Cannot parse missing field: statistics'],
    ['{"action":"remove-statistics"}', 'Cannot parse missing long: snapshot-id'],
    ['{"action":"set-partition-statistics"}', 'Cannot parse missing field: partition-statistics'],
    ['{"action":"remove-partition-statistics"}', 'Cannot parse missing long: snapshot-id'],
    ['{"action":"remove-partition-specs"}', 'Cannot parse missing list: spec-ids'],
    ['{"action":"remove-schemas","schema-ids":{}}', 'Cannot parse JSON array from non-array value: schema-ids: {}'],
    ['{"action":"add-encryption-key"}', 'Invalid encryption key, must be non-null object: null'],
    ['{"action":"remove-encryption-key"}', 'Cannot parse missing string: key-id'],
  ];
  for (const [text, message] of bad) {
    it(`rejects ${text}`, () => {
      expectInvalid(() => tableUpdateFromJson(parseJson(text)), message);
    });
  }
});

describe('table requirements, both directions', () => {
  checkBothWays(TABLE_REQUIREMENTS, (r) => r.type, tableRequirementFromJson, tableRequirementToJson);

  it('reads a missing snapshot-id of assert-ref-snapshot-id as null and writes an explicit null', () => {
    const r = tableRequirementFromJson(parseJson('{"type":"assert-ref-snapshot-id","ref":"main"}'));
    expect(r).toEqual({ type: 'assert-ref-snapshot-id', ref: 'main', snapshotId: null });
    expect(stringifyJson(tableRequirementToJson(r))).toBe('{"type":"assert-ref-snapshot-id","ref":"main","snapshot-id":null}');
  });

  it('rejects unknown, missing and view-only requirement types', () => {
    expectInvalid(() => tableRequirementFromJson(parseJson('{"type":"assert-nothing"}')), 'Unknown table requirement type: assert-nothing');
    expectInvalid(() => tableRequirementFromJson(parseJson('{"type":"assert-view-uuid","uuid":"u"}')), 'Unknown table requirement type: assert-view-uuid');
    expectInvalid(() => tableRequirementFromJson(parseJson('{"uuid":"u"}')), 'Cannot parse update requirement. Missing field: type');
    expectInvalid(() => tableRequirementFromJson(parseJson('5')), 'Cannot parse update requirement from non-object value: 5');
  });

  const bad: Array<[string, string]> = [
    ['{"type":"assert-table-uuid"}', 'Cannot parse missing string: uuid'],
    ['{"type":"assert-ref-snapshot-id","snapshot-id":1}', 'Cannot parse missing string: ref'],
    ['{"type":"assert-ref-snapshot-id","ref":"main","snapshot-id":"1"}', 'Cannot parse to a long value: snapshot-id: "1"'],
    ['{"type":"assert-last-assigned-field-id"}', 'Cannot parse missing int: last-assigned-field-id'],
    ['{"type":"assert-current-schema-id","current-schema-id":true}', 'Cannot parse to an integer value: current-schema-id: true'],
    ['{"type":"assert-last-assigned-partition-id"}', 'Cannot parse missing int: last-assigned-partition-id'],
    ['{"type":"assert-default-spec-id"}', 'Cannot parse missing int: default-spec-id'],
    ['{"type":"assert-default-sort-order-id"}', 'Cannot parse missing int: default-sort-order-id'],
  ];
  for (const [text, message] of bad) {
    it(`rejects ${text}`, () => {
      expectInvalid(() => tableRequirementFromJson(parseJson(text)), message);
    });
  }
});

describe('view updates and requirements, both directions', () => {
  checkBothWays(VIEW_UPDATES, (u) => u.action, viewUpdateFromJson, viewUpdateToJson);
  checkBothWays(VIEW_REQUIREMENTS, (r) => r.type, viewRequirementFromJson, viewRequirementToJson);

  it('rejects unknown and table-only view update actions', () => {
    expectInvalid(() => viewUpdateFromJson(parseJson('{"action":"add-snapshot","snapshot":{}}')), 'Unknown view update action: add-snapshot');
    expectInvalid(() => viewUpdateFromJson(parseJson('{"action":"rename"}')), 'Unknown view update action: rename');
    expectInvalid(() => viewUpdateFromJson(parseJson('{"action":"add-view-version"}')), 'Cannot parse missing field: view-version');
    expectInvalid(() => viewUpdateFromJson(parseJson('{"action":"set-current-view-version"}')), 'Cannot parse missing int: view-version-id');
  });

  it('rejects unknown view requirement types', () => {
    expectInvalid(() => viewRequirementFromJson(parseJson('{"type":"assert-table-uuid","uuid":"u"}')), 'Unknown view requirement type: assert-table-uuid');
    expectInvalid(() => viewRequirementFromJson(parseJson('{"type":"assert-view-uuid"}')), 'Cannot parse missing string: uuid');
  });
});
