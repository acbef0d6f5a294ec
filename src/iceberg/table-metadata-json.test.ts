import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ValidationError } from './errors.js';
import { jsonEquals, parseJson, stringifyJson, type JsonObject, type JsonValue } from './json.js';
import {
  encryptionKeyFromJson,
  encryptionKeyToJson,
  parseTableMetadata,
  partitionStatisticsFileFromJson,
  partitionStatisticsFileToJson,
  serializeTableMetadata,
  snapshotFromJson,
  snapshotRefFromJson,
  snapshotRefToJson,
  snapshotToJson,
  statisticsFileFromJson,
  statisticsFileToJson,
  tableMetadataFromJson,
  tableMetadataToJson,
} from './table-metadata-json.js';

function golden(name: string): string {
  return readFileSync(new URL(`./testdata/${name}`, import.meta.url), 'utf8');
}

/** Integer literals too large for a double, as written in the text. */
function bigLiterals(text: string): string[] {
  return [...new Set([...text.matchAll(/(?<![\w."-])-?\d{16,}(?![\w.])/g)].map((m) => m[0]))].filter(
    (lit) => !Number.isSafeInteger(Number(lit)),
  );
}

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

/** A valid v2 document to break one member at a time. */
function minimalV2(): JsonObject {
  return parseJson(`{
    "format-version": 2, "table-uuid": "9c12d441-03fe-4693-9a96-a0705ddf69c1", "location": "s3://b/t",
    "last-sequence-number": 0, "last-updated-ms": 1700000000000, "last-column-id": 1,
    "current-schema-id": 0, "schemas": [{"type":"struct","schema-id":0,"fields":[{"id":1,"name":"a","required":false,"type":"int"}]}],
    "default-spec-id": 0, "partition-specs": [{"spec-id":0,"fields":[]}], "last-partition-id": 999,
    "default-sort-order-id": 0, "sort-orders": [{"order-id":0,"fields":[]}]
  }`) as JsonObject;
}

function withSnapshots(...ids: bigint[]): JsonObject {
  return { snapshots: ids.map((id) => ({ 'snapshot-id': id, 'timestamp-ms': 1, 'manifest-list': `m-${id}` })) };
}

function without(doc: JsonObject, ...keys: string[]): JsonObject {
  const copy = { ...doc };
  for (const k of keys) delete copy[k];
  return copy;
}

describe('golden table metadata files', () => {
  for (const name of ['table-metadata-v1.json', 'table-metadata-v2.json', 'table-metadata-v3.json']) {
    it(`${name}: parse then serialise gives the same JSON, with big ids digit for digit`, () => {
      const text = golden(name);
      const out = serializeTableMetadata(parseTableMetadata(text));
      expect(jsonEquals(parseJson(out), parseJson(text))).toBe(true);
      const big = bigLiterals(text);
      expect(big.length).toBeGreaterThan(0);
      for (const lit of big) expect(out).toContain(lit);
    });

    it(`${name}: what we write reads back to the same model`, () => {
      const m = parseTableMetadata(golden(name));
      expect(parseTableMetadata(serializeTableMetadata(m))).toEqual(m);
    });
  }

  it('v3: keeps 63-bit ids and counters exact in the model', () => {
    const m = parseTableMetadata(golden('table-metadata-v3.json'));
    expect(m.currentSnapshotId).toBe(9223372036854775807n);
    expect(m.refs['dev']?.snapshotId).toBe(7777777777777777777n);
    expect(m.lastSequenceNumber).toBe(9007199254740993n);
    expect(m.nextRowId).toBe(9007199254741100n);
    expect(m.snapshots[0]?.firstRowId).toBe(9007199254740990n);
    expect(m.snapshots[1]?.parentSnapshotId).toBe(7777777777777777777n);
    expect(m.snapshots[1]?.keyId).toBe('manifest-list-key-7');
    expect(m.statistics[0]?.blobMetadata[0]?.sequenceNumber).toBe(9007199254740993n);
    expect(m.partitionStatistics.map((p) => p.snapshotId)).toEqual([9223372036854775807n, 7777777777777777777n]);
    expect(m.encryptionKeys?.map((k) => k.keyId)).toEqual(['table-master-key-wrapped-1', 'manifest-list-key-7']);
    expect(m.refs['q3-close']).toEqual({ snapshotId: 7777777777777777777n, type: 'tag', maxRefAgeMs: 63072000000 });
    expect(m.schemas.map((s) => s.schemaId)).toEqual([0, 1, 2]);
    expect(m.sortOrders.map((o) => o.orderId)).toEqual([0, 1, 2]);
  });

  it('v3: carries an unknown top-level member through unchanged', () => {
    const m = parseTableMetadata(golden('table-metadata-v3.json'));
    expect(Object.keys(m.extra ?? {})).toEqual(['x-vendor-lineage']);
    const out = serializeTableMetadata(m);
    expect(out).toContain('"run":9223372036854775806');
    expect(jsonEquals((parseJson(out) as JsonObject)['x-vendor-lineage'], m.extra?.['x-vendor-lineage'])).toBe(true);
  });

  it('writes members in the order the reference writer uses', () => {
    const keys = Object.keys(tableMetadataToJson(parseTableMetadata(golden('table-metadata-v3.json'))));
    expect(keys).toEqual([
      'format-version', 'table-uuid', 'location', 'last-sequence-number', 'last-updated-ms', 'last-column-id',
      'current-schema-id', 'schemas', 'default-spec-id', 'partition-specs', 'last-partition-id',
      'default-sort-order-id', 'sort-orders', 'properties', 'current-snapshot-id', 'next-row-id',
      'encryption-keys', 'refs', 'snapshots', 'statistics', 'partition-statistics', 'snapshot-log',
      'metadata-log', 'x-vendor-lineage',
    ]);
  });
});

describe('format v1', () => {
  it('reads legacy schema / partition-spec when the lists are absent, with Java defaults', () => {
    const m = parseTableMetadata(golden('table-metadata-v1-legacy.json'));
    expect(m.formatVersion).toBe(1);
    expect(m.lastSequenceNumber).toBe(0n);
    expect(m.schemas).toHaveLength(1);
    expect(m.currentSchemaId).toBe(0);
    expect(m.defaultSpecId).toBe(0);
    expect(m.partitionSpecs).toEqual([
      {
        specId: 0,
        fields: [
          { sourceId: 2, fieldId: 1000, name: 'category', transform: 'identity' },
          { sourceId: 3, fieldId: 1001, name: 'ts_hour', transform: 'hour' },
        ],
      },
    ]);
    expect(m.lastPartitionId).toBe(1001);
    expect(m.sortOrders).toEqual([{ orderId: 0, fields: [] }]);
    expect(m.defaultSortOrderId).toBe(0);
    // No refs in the file: main is derived from the current snapshot.
    expect(m.refs).toEqual({ main: { snapshotId: 6223372036854775801n, type: 'branch' } });
    expect(m.snapshots[0]?.manifests).toEqual(['s3://warehouse/legacy.db/events/metadata/m0.avro']);
    expect(m.snapshots[0]).not.toHaveProperty('sequenceNumber');
  });

  it('writes both the legacy members and the lists for v1, and no v2 members', () => {
    const out = tableMetadataToJson(parseTableMetadata(golden('table-metadata-v1-legacy.json')));
    expect(out['schema']).toEqual(out['schemas'] && (out['schemas'] as JsonValue[])[0]);
    expect(out['partition-spec']).toEqual([
      { name: 'category', transform: 'identity', 'source-id': 2, 'field-id': 1000 },
      { name: 'ts_hour', transform: 'hour', 'source-id': 3, 'field-id': 1001 },
    ]);
    expect((out['partition-specs'] as JsonObject[])[0]?.['spec-id']).toBe(0);
    expect(out).not.toHaveProperty('last-sequence-number');
    expect(out).not.toHaveProperty('next-row-id');
    expect(out['refs']).toEqual({ main: { 'snapshot-id': 6223372036854775801n, type: 'branch' } });
    // What we write reads back to the same model.
    expect(tableMetadataFromJson(out)).toEqual(parseTableMetadata(golden('table-metadata-v1-legacy.json')));
  });

  it('prefers the lists over the legacy members when a v1 file has both', () => {
    const doc = parseJson(golden('table-metadata-v1.json')) as JsonObject;
    doc['schema'] = parseJson('{"type":"struct","schema-id":0,"fields":[]}');
    const m = tableMetadataFromJson(doc);
    expect(m.schemas[0]?.fields).toHaveLength(4);
  });

  it('reads a v1 file without table-uuid and does not invent one', () => {
    const doc = without(parseJson(golden('table-metadata-v1-legacy.json')) as JsonObject, 'table-uuid');
    const m = tableMetadataFromJson(doc);
    expect(m.tableUuid).toBe('');
    expect(tableMetadataToJson(m)).not.toHaveProperty('table-uuid');
  });

  it('requires the legacy schema when a v1 file has no schema list', () => {
    const doc = without(parseJson(golden('table-metadata-v1-legacy.json')) as JsonObject, 'schema');
    expectInvalid(() => tableMetadataFromJson(doc), 'Cannot parse missing field: schema');
  });
});

describe('current-snapshot-id', () => {
  it('reads -1, null and absence as "no current snapshot"', () => {
    for (const v of [-1, null, undefined]) {
      const doc = minimalV2();
      if (v !== undefined) doc['current-snapshot-id'] = v;
      const m = tableMetadataFromJson(doc);
      expect(m.currentSnapshotId).toBeUndefined();
      expect(m.refs).toEqual({});
    }
  });

  it('writes -1 for v1/v2 and null for v3 when there is none', () => {
    const v2 = tableMetadataFromJson(minimalV2());
    expect(tableMetadataToJson(v2)['current-snapshot-id']).toBe(-1);
    const v3doc = { ...minimalV2(), 'format-version': 3, 'next-row-id': 0 };
    const out = serializeTableMetadata(tableMetadataFromJson(v3doc));
    expect(out).toContain('"current-snapshot-id":null');
    expect(out).toContain('"next-row-id":0');
  });

  it('rejects a non-integer current-snapshot-id', () => {
    expectInvalid(
      () => tableMetadataFromJson({ ...minimalV2(), 'current-snapshot-id': '12' }),
      'Cannot parse to a long value: current-snapshot-id: "12"',
    );
  });
});

describe('required members and their types', () => {
  it('accepts the minimal v2 document', () => {
    const m = tableMetadataFromJson(minimalV2());
    expect(m.properties).toEqual({});
    expect(m.snapshots).toEqual([]);
    expect(m.statistics).toEqual([]);
    expect(m.encryptionKeys).toBeUndefined();
  });

  const cases: Array<[string, (d: JsonObject) => JsonValue, string | RegExp]> = [
    ['non-object', () => [1], 'Cannot parse metadata from non-object: [1]'],
    ['missing format-version', (d) => without(d, 'format-version'), 'Cannot parse missing int: format-version'],
    ['unsupported format-version', (d) => ({ ...d, 'format-version': 4 }), 'Cannot read unsupported version 4'],
    ['missing table-uuid in v2', (d) => without(d, 'table-uuid'), 'Cannot parse missing string: table-uuid'],
    ['missing location', (d) => without(d, 'location'), 'Cannot parse missing string: location'],
    ['numeric location', (d) => ({ ...d, location: 5 }), 'Cannot parse to a string value: location: 5'],
    ['missing last-sequence-number in v2', (d) => without(d, 'last-sequence-number'), 'Cannot parse missing long: last-sequence-number'],
    ['missing last-updated-ms', (d) => without(d, 'last-updated-ms'), 'Cannot parse missing long: last-updated-ms'],
    ['fractional last-updated-ms', (d) => ({ ...d, 'last-updated-ms': 1.5 }), 'Cannot parse to a long value: last-updated-ms: 1.5'],
    ['missing last-column-id', (d) => without(d, 'last-column-id'), 'Cannot parse missing int: last-column-id'],
    ['missing schemas in v2', (d) => without(d, 'schemas'), 'schemas must exist in format v2'],
    ['schemas not a list', (d) => ({ ...d, schemas: {} }), 'Cannot parse schemas from non-array: {}'],
    ['missing current-schema-id', (d) => without(d, 'current-schema-id'), 'Cannot parse missing int: current-schema-id'],
    ['unknown current-schema-id', (d) => ({ ...d, 'current-schema-id': 7 }), 'Cannot find schema with current-schema-id=7 from schemas'],
    ['missing partition-specs in v2', (d) => without(d, 'partition-specs'), 'partition-specs must exist in format v2'],
    ['missing default-spec-id', (d) => without(d, 'default-spec-id'), 'Cannot parse missing int: default-spec-id'],
    ['missing last-partition-id in v2', (d) => without(d, 'last-partition-id'), 'last-partition-id must exist in format v2'],
    ['missing sort-orders in v2', (d) => without(d, 'sort-orders'), 'sort-orders must exist in format v2'],
    ['missing default-sort-order-id', (d) => without(d, 'default-sort-order-id'), 'Cannot parse missing int: default-sort-order-id'],
    ['missing next-row-id in v3', (d) => ({ ...d, 'format-version': 3 }), 'Cannot parse missing long: next-row-id'],
    ['non-string property', (d) => ({ ...d, properties: { a: 1 } }), 'Cannot parse to a string value: a: 1'],
    ['refs not an object', (d) => ({ ...d, refs: [] }), 'Cannot parse refs from non-object: []'],
    ['ref not an object', (d) => ({ ...d, refs: { main: 3 } }), 'Cannot parse ref main from non-object: 3'],
    ['snapshots not a list', (d) => ({ ...d, snapshots: 1 }), 'Cannot parse snapshots from non-array: 1'],
    ['snapshot-log entry without snapshot-id', (d) => ({ ...d, 'snapshot-log': [{ 'timestamp-ms': 1 }] }), 'Cannot parse missing long: snapshot-id'],
    ['metadata-log entry without file', (d) => ({ ...d, 'metadata-log': [{ 'timestamp-ms': 1 }] }), 'Cannot parse missing string: metadata-file'],
    ['statistics not a list', (d) => ({ ...d, statistics: {} }), 'Cannot parse statistics files from non-array: {}'],
    ['encryption key without key-id', (d) => ({ ...d, 'encryption-keys': [{ 'encrypted-key-metadata': 'AA==' }] }), 'Cannot parse missing string: key-id'],
    ['an empty partition spec list', (d) => ({ ...d, 'partition-specs': [] }), 'Partition specs cannot be null or empty'],
    ['an empty sort order list', (d) => ({ ...d, 'sort-orders': [] }), 'Sort orders cannot be null or empty'],
    ['a current snapshot that does not exist', (d) => ({ ...d, 'current-snapshot-id': 5, refs: {} }), 'Invalid table metadata: Cannot find current version'],
    [
      'a ref to a snapshot that does not exist',
      (d) => ({ ...d, refs: { tag1: { 'snapshot-id': 9223372036854775807n, type: 'tag' } } }),
      'Snapshot for reference tag1 does not exist in the existing snapshots list: 9223372036854775807',
    ],
    [
      'main not matching current-snapshot-id',
      (d) => ({ ...d, ...withSnapshots(1n, 2n), 'current-snapshot-id': 1n, refs: { main: { 'snapshot-id': 2n, type: 'branch' } } }),
      'Current snapshot ID does not match main branch (1 != 2)',
    ],
    [
      'main without a current snapshot',
      (d) => ({ ...d, ...withSnapshots(1n), refs: { main: { 'snapshot-id': 1n, type: 'branch' } } }),
      'Current snapshot is not set, but main branch exists: 1',
    ],
    [
      'a snapshot sequence number above last-sequence-number',
      (d) => ({ ...d, snapshots: [{ 'sequence-number': 3, 'snapshot-id': 1, 'timestamp-ms': 1, 'manifest-list': 'm' }] }),
      'Invalid snapshot with sequence number 3 greater than last sequence number 0',
    ],
    ['timestamp beyond 2^53', (d) => ({ ...d, 'last-updated-ms': 9007199254740993n }), /within 2\^53: last-updated-ms/],
    ['id beyond 64 bits', (d) => ({ ...d, 'last-sequence-number': 9223372036854775808n }), 'Cannot parse to a long value: last-sequence-number: 9223372036854775808'],
  ];
  for (const [name, mutate, message] of cases) {
    it(`rejects ${name}`, () => {
      expectInvalid(() => tableMetadataFromJson(mutate(minimalV2())), message);
    });
  }

  it('reports JSON syntax errors from parseTableMetadata', () => {
    expect(() => parseTableMetadata('{"format-version": 2,')).toThrow(/position/);
  });
});

describe('snapshots', () => {
  it('round-trips a v3 snapshot with row lineage and key id', () => {
    const json = parseJson(`{"sequence-number":5,"snapshot-id":9223372036854775807,"parent-snapshot-id":1,
      "timestamp-ms":1700000000000,"summary":{"operation":"append","added-records":"3"},
      "manifest-list":"s3://b/m.avro","schema-id":0,"first-row-id":12,"added-rows":3,"key-id":"k1"}`);
    const s = snapshotFromJson(json);
    expect(s.snapshotId).toBe(9223372036854775807n);
    expect(s.firstRowId).toBe(12n);
    expect(s.addedRows).toBe(3n);
    expect(jsonEquals(snapshotToJson(s), json)).toBe(true);
    expect(stringifyJson(snapshotToJson(s))).toContain('"snapshot-id":9223372036854775807');
  });

  it('defaults a summary without operation to overwrite, as the reference reader does', () => {
    const s = snapshotFromJson(parseJson('{"snapshot-id":1,"timestamp-ms":1,"summary":{"a":"b"},"manifest-list":"m"}'));
    expect(s.summary).toEqual({ operation: 'overwrite', a: 'b' });
  });

  it('writes the operation first and leaves out sequence number 0', () => {
    const out = snapshotToJson({
      snapshotId: 1n,
      sequenceNumber: 0n,
      timestampMs: 1,
      summary: { 'added-records': '1', operation: 'append' },
      manifestList: 'm',
    });
    expect(out).not.toHaveProperty('sequence-number');
    expect(Object.keys(out['summary'] as JsonObject)).toEqual(['operation', 'added-records']);
  });

  it('rejects snapshots missing required members', () => {
    expectInvalid(() => snapshotFromJson(parseJson('{"timestamp-ms":1,"manifest-list":"m"}')), 'Cannot parse missing long: snapshot-id');
    expectInvalid(() => snapshotFromJson(parseJson('{"snapshot-id":1,"manifest-list":"m"}')), 'Cannot parse missing long: timestamp-ms');
    expectInvalid(() => snapshotFromJson(parseJson('{"snapshot-id":1,"timestamp-ms":1}')), 'Cannot parse missing list: manifests');
    expectInvalid(() => snapshotFromJson(parseJson('{"snapshot-id":1,"timestamp-ms":1,"manifest-list":3}')), 'Cannot parse to a string value: manifest-list: 3');
    expectInvalid(() => snapshotFromJson(parseJson('{"snapshot-id":1,"timestamp-ms":1,"summary":[],"manifest-list":"m"}')), 'Cannot parse summary from non-object value: []');
    expectInvalid(() => snapshotFromJson(parseJson('"x"')), 'Cannot parse table version from non-object: "x"');
  });
});

describe('refs, statistics and keys', () => {
  it('round-trips a tag with retention and rejects unknown ref types', () => {
    const json = parseJson('{"snapshot-id":7777777777777777777,"type":"tag","max-ref-age-ms":1000}');
    const ref = snapshotRefFromJson(json);
    expect(ref).toEqual({ snapshotId: 7777777777777777777n, type: 'tag', maxRefAgeMs: 1000 });
    expect(jsonEquals(snapshotRefToJson(ref), json)).toBe(true);
    expectInvalid(() => snapshotRefFromJson(parseJson('{"snapshot-id":1,"type":"label"}')), 'Invalid snapshot ref type: label');
    expectInvalid(() => snapshotRefFromJson(parseJson('{"type":"branch"}')), 'Cannot parse missing long: snapshot-id');
  });

  it('round-trips statistics files, including optional key metadata', () => {
    const json = parseJson(`{"snapshot-id":3,"statistics-path":"s3://b/s.puffin","file-size-in-bytes":10,
      "file-footer-size-in-bytes":2,"key-metadata":"AQID","blob-metadata":[{"type":"t","snapshot-id":3,"sequence-number":1,"fields":[1,2]}]}`);
    const f = statisticsFileFromJson(json);
    expect(f.keyMetadata).toBe('AQID');
    expect(jsonEquals(statisticsFileToJson(f), json)).toBe(true);
    expectInvalid(
      () => statisticsFileFromJson(parseJson('{"snapshot-id":3,"statistics-path":"p","file-size-in-bytes":1,"file-footer-size-in-bytes":1}')),
      'Cannot parse blob metadata from non-array: null',
    );
    expectInvalid(
      () => statisticsFileFromJson(parseJson('{"snapshot-id":3,"statistics-path":"p","file-size-in-bytes":1,"blob-metadata":[]}')),
      'Cannot parse missing long: file-footer-size-in-bytes',
    );
  });

  it('round-trips partition statistics files', () => {
    const json = parseJson('{"snapshot-id":9223372036854775807,"statistics-path":"p","file-size-in-bytes":5}');
    expect(jsonEquals(partitionStatisticsFileToJson(partitionStatisticsFileFromJson(json)), json)).toBe(true);
    expectInvalid(() => partitionStatisticsFileFromJson(parseJson('{"snapshot-id":1,"file-size-in-bytes":5}')), 'Cannot parse missing string: statistics-path');
  });

  it('round-trips encryption keys and rejects missing key metadata', () => {
    const json = parseJson('{"key-id":"k","encrypted-key-metadata":"AA==","encrypted-by-id":"m","properties":{"a":"b"}}');
    expect(jsonEquals(encryptionKeyToJson(encryptionKeyFromJson(json)), json)).toBe(true);
    expectInvalid(() => encryptionKeyFromJson(parseJson('{"key-id":"k"}')), 'Cannot parse missing string: encrypted-key-metadata');
  });
});
