import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ValidationError } from './errors.js';
import { jsonEquals, parseJson, type JsonObject, type JsonValue } from './json.js';
import {
  parseViewMetadata,
  serializeViewMetadata,
  viewMetadataFromJson,
  viewMetadataToJson,
  viewVersionFromJson,
  viewVersionToJson,
} from './view-metadata-json.js';

const GOLDEN = readFileSync(new URL('./testdata/view-metadata-v1.json', import.meta.url), 'utf8');

function golden(): JsonObject {
  return parseJson(GOLDEN) as JsonObject;
}

function without(doc: JsonObject, key: string): JsonObject {
  const copy = { ...doc };
  delete copy[key];
  return copy;
}

function expectInvalid(fn: () => unknown, message: string): void {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(ValidationError);
  expect((thrown as Error).message).toBe(message);
}

describe('view metadata', () => {
  it('golden v1 file: parse then serialise gives the same JSON', () => {
    const m = parseViewMetadata(GOLDEN);
    expect(jsonEquals(parseJson(serializeViewMetadata(m)), golden())).toBe(true);
  });

  it('reads both versions with their representations and defaults', () => {
    const m = parseViewMetadata(GOLDEN);
    expect(m.currentVersionId).toBe(2);
    expect(m.versions.map((v) => v.versionId)).toEqual([1, 2]);
    expect(m.versions[0]?.defaultCatalog).toBe('lakecat');
    expect(m.versions[1]).not.toHaveProperty('defaultCatalog');
    expect(m.versions[1]?.representations.map((r) => r.dialect)).toEqual(['trino', 'spark']);
    expect(m.versionLog).toEqual([
      { timestampMs: 1715000000000, versionId: 1 },
      { timestampMs: 1715100000000, versionId: 2 },
    ]);
    expect(m.schemas.map((s) => s.schemaId)).toEqual([0, 1]);
  });

  it('writes members in the reference order and leaves out empty properties', () => {
    const m = parseViewMetadata(GOLDEN);
    expect(Object.keys(viewMetadataToJson(m))).toEqual([
      'view-uuid', 'format-version', 'location', 'properties', 'schemas', 'current-version-id', 'versions', 'version-log',
    ]);
    expect(viewMetadataToJson({ ...m, properties: {} })).not.toHaveProperty('properties');
  });

  it('keeps unknown top-level members', () => {
    const doc: JsonObject = { ...golden(), 'x-owner': { team: 'bi', id: 9223372036854775807n } };
    const out = serializeViewMetadata(viewMetadataFromJson(doc));
    expect(out).toContain('"x-owner":{"team":"bi","id":9223372036854775807}');
  });

  const cases: Array<[string, (d: JsonObject) => JsonValue, string]> = [
    ['non-object', () => 'v', 'Cannot parse view metadata from non-object: "v"'],
    ['missing view-uuid', (d) => without(d, 'view-uuid'), 'Cannot parse missing string: view-uuid'],
    ['missing format-version', (d) => without(d, 'format-version'), 'Cannot parse missing int: format-version'],
    ['format-version 2', (d) => ({ ...d, 'format-version': 2 }), 'Unsupported format version: 2'],
    ['missing location', (d) => without(d, 'location'), 'Cannot parse missing string: location'],
    ['missing schemas', (d) => without(d, 'schemas'), 'Cannot parse missing field: schemas'],
    ['missing current-version-id', (d) => without(d, 'current-version-id'), 'Cannot parse missing int: current-version-id'],
    ['versions not a list', (d) => ({ ...d, versions: {} }), 'Cannot parse versions from non-array: {}'],
    ['missing version-log', (d) => without(d, 'version-log'), 'Cannot parse missing field: version-log'],
    ['version-log entry without version-id', (d) => ({ ...d, 'version-log': [{ 'timestamp-ms': 1 }] }), 'Cannot parse missing int: version-id'],
  ];
  for (const [name, mutate, message] of cases) {
    it(`rejects ${name}`, () => {
      expectInvalid(() => viewMetadataFromJson(mutate(golden())), message);
    });
  }
});

describe('view versions', () => {
  const version = (): JsonObject =>
    parseJson(`{"version-id":3,"timestamp-ms":1715200000000,"schema-id":1,"summary":{"engine-name":"trino"},
      "default-catalog":"c","default-namespace":["a","b"],"representations":[{"type":"sql","sql":"select 1","dialect":"trino"}]}`) as JsonObject;

  it('round-trips a version', () => {
    const v = viewVersionFromJson(version());
    expect(v).toEqual({
      versionId: 3,
      timestampMs: 1715200000000,
      schemaId: 1,
      summary: { 'engine-name': 'trino' },
      defaultCatalog: 'c',
      defaultNamespace: ['a', 'b'],
      representations: [{ type: 'sql', sql: 'select 1', dialect: 'trino' }],
    });
    expect(jsonEquals(viewVersionToJson(v), version())).toBe(true);
  });

  it('accepts an upper-case representation type', () => {
    const doc = version();
    doc['representations'] = [{ type: 'SQL', sql: 's', dialect: 'd' }];
    expect(viewVersionFromJson(doc).representations[0]?.type).toBe('sql');
  });

  it('rejects missing or mistyped members and non-SQL representations', () => {
    expectInvalid(() => viewVersionFromJson(without(version(), 'schema-id')), 'Cannot parse missing int: schema-id');
    expectInvalid(() => viewVersionFromJson(without(version(), 'summary')), 'Cannot parse missing map: summary');
    expectInvalid(() => viewVersionFromJson(without(version(), 'default-namespace')), 'Cannot parse missing list: default-namespace');
    expectInvalid(() => viewVersionFromJson({ ...version(), 'default-namespace': 'a' }), 'Cannot parse JSON array from non-array value: default-namespace: "a"');
    expectInvalid(() => viewVersionFromJson({ ...version(), representations: {} }), 'Cannot parse representations from non-array: {}');
    expectInvalid(
      () => viewVersionFromJson({ ...version(), representations: [{ type: 'substrait', plan: 'x' }] }),
      'Cannot parse unsupported view representation: substrait',
    );
    expectInvalid(
      () => viewVersionFromJson({ ...version(), representations: [{ type: 'sql', sql: 'select 1' }] }),
      'Cannot parse missing string: dialect',
    );
  });
});
