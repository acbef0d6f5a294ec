import { describe, expect, it } from 'vitest';
import { ValidationError } from './errors.js';
import type { Schema, ViewMetadata, ViewUpdate, ViewVersion } from './model.js';
import { applyViewUpdates, newViewMetadata } from './view-metadata-builder.js';

const T0 = 1_700_000_000_000;
const NOW = T0 + 50_000;

const schema = (schemaId: number, extra = false): Schema => ({
  type: 'struct',
  schemaId,
  fields: [
    { id: 1, name: 'id', required: false, type: 'long' },
    ...(extra ? [{ id: 2, name: 'name', required: false, type: 'string' }] : []),
  ],
});

function version(versionId: number, sql: string, opts: Partial<ViewVersion> = {}): ViewVersion {
  return {
    versionId,
    timestampMs: T0 + versionId,
    schemaId: 0,
    summary: { 'engine-name': 'spark' },
    representations: [{ type: 'sql', sql, dialect: 'spark' }],
    defaultNamespace: ['db'],
    ...opts,
  };
}

function view(): ViewMetadata {
  return {
    viewUuid: 'fa6506c3-7681-40c8-86dc-e36561f83385',
    formatVersion: 1,
    location: 's3://bucket/views/v',
    currentVersionId: 1,
    versions: [version(1, 'select 1')],
    versionLog: [{ timestampMs: T0 + 1, versionId: 1 }],
    schemas: [schema(0)],
    properties: {},
  };
}

function apply(base: ViewMetadata | null, updates: ViewUpdate[]) {
  return applyViewUpdates(base, updates, { nowMs: NOW });
}

describe('applyViewUpdates: view versions', () => {
  it('adds a version, makes it current through -1 and logs it with its own timestamp', () => {
    const { metadata, changes } = apply(view(), [
      { action: 'add-view-version', viewVersion: version(1, 'select 2') },
      { action: 'set-current-view-version', viewVersionId: -1 },
    ]);
    expect(metadata.versions.map((v) => v.versionId)).toEqual([1, 2]);
    expect(metadata.currentVersionId).toBe(2);
    expect(metadata.versionLog.at(-1)).toEqual({ timestampMs: T0 + 1, versionId: 2 });
    expect(changes).toEqual([
      { action: 'add-view-version', viewVersion: { ...version(1, 'select 2'), versionId: 2 } },
      { action: 'set-current-view-version', viewVersionId: -1 },
    ]);
  });

  it('reuses an identical version (id and timestamp ignored) and logs the switch at commit time', () => {
    const base = apply(view(), [
      { action: 'add-view-version', viewVersion: version(2, 'select 2') },
      { action: 'set-current-view-version', viewVersionId: -1 },
    ]).metadata;
    const { metadata, changes } = apply(base, [
      { action: 'add-view-version', viewVersion: { ...version(9, 'select 1'), timestampMs: 5 } },
      { action: 'set-current-view-version', viewVersionId: 1 },
    ]);
    expect(metadata.versions).toHaveLength(2);
    expect(metadata.currentVersionId).toBe(1);
    expect(metadata.versionLog.at(-1)).toEqual({ timestampMs: NOW, versionId: 1 });
    expect(changes).toEqual([{ action: 'set-current-view-version', viewVersionId: 1 }]);
  });

  it('does not offer a reused existing version as "last added"', () => {
    expect(() =>
      apply(view(), [
        { action: 'add-view-version', viewVersion: version(5, 'select 1') },
        { action: 'set-current-view-version', viewVersionId: -1 },
      ]),
    ).toThrow('Cannot set last version id: no current version id has been set');
  });

  it('resolves schema id -1 to the schema added last', () => {
    const { metadata, changes } = apply(view(), [
      { action: 'add-schema', schema: schema(0, true) },
      { action: 'add-view-version', viewVersion: version(2, 'select id, name', { schemaId: -1 }) },
      { action: 'set-current-view-version', viewVersionId: -1 },
    ]);
    expect(metadata.schemas.map((s) => s.schemaId)).toEqual([0, 1]);
    expect(metadata.versions.find((v) => v.versionId === 2)?.schemaId).toBe(1);
    expect(changes[1]).toMatchObject({ action: 'add-view-version', viewVersion: { schemaId: -1 } });
  });

  it('rejects schema id -1 when no schema was added, and an unknown schema', () => {
    expect(() => apply(view(), [{ action: 'add-view-version', viewVersion: version(2, 'x', { schemaId: -1 }) }])).toThrow(
      'Cannot set last added schema: no schema has been added',
    );
    expect(() => apply(view(), [{ action: 'add-view-version', viewVersion: version(2, 'x', { schemaId: 4 }) }])).toThrow(
      'Cannot add version with unknown schema: 4',
    );
  });

  it('rejects two queries for one dialect', () => {
    const twice = version(2, 'a', {
      representations: [
        { type: 'sql', sql: 'a', dialect: 'trino' },
        { type: 'sql', sql: 'b', dialect: 'Trino' },
      ],
    });
    expect(() => apply(view(), [{ action: 'add-view-version', viewVersion: twice }])).toThrow(
      'Invalid view version: Cannot add multiple queries for dialect trino',
    );
  });

  it('rejects an unknown current version and -1 without an added version', () => {
    expect(() => apply(view(), [{ action: 'set-current-view-version', viewVersionId: 8 }])).toThrow(
      'Cannot set current version to unknown version: 8',
    );
    expect(() => apply(view(), [{ action: 'set-current-view-version', viewVersionId: -1 }])).toThrow(ValidationError);
  });

  it('refuses to drop a dialect unless replace.drop-dialect.allowed is true', () => {
    const trinoOnly = version(2, 'select 2', { representations: [{ type: 'sql', sql: 'select 2', dialect: 'trino' }] });
    const updates: ViewUpdate[] = [
      { action: 'add-view-version', viewVersion: trinoOnly },
      { action: 'set-current-view-version', viewVersionId: -1 },
    ];
    expect(() => apply(view(), updates)).toThrow(/^Cannot replace view due to loss of view dialects/);
    const allowed = { ...view(), properties: { 'replace.drop-dialect.allowed': 'true' } };
    expect(apply(allowed, updates).metadata.currentVersionId).toBe(2);
  });
});

describe('version expiry', () => {
  it('keeps version.history.num-entries versions (the current one always) and cuts the log', () => {
    let m: ViewMetadata = { ...view(), properties: { 'version.history.num-entries': '2' } };
    for (let i = 2; i <= 4; i++) {
      m = apply(m, [
        { action: 'add-view-version', viewVersion: version(i, `select ${i}`) },
        { action: 'set-current-view-version', viewVersionId: -1 },
      ]).metadata;
    }
    expect(m.versions.map((v) => v.versionId).sort()).toEqual([3, 4]);
    expect(m.versionLog.map((e) => e.versionId)).toEqual([3, 4]);
  });

  it('keeps ten versions by default', () => {
    let m = view();
    for (let i = 2; i <= 12; i++) {
      m = apply(m, [
        { action: 'add-view-version', viewVersion: version(i, `select ${i}`) },
        { action: 'set-current-view-version', viewVersionId: -1 },
      ]).metadata;
    }
    expect(m.versions).toHaveLength(10);
    expect(Math.min(...m.versions.map((v) => v.versionId))).toBe(3);
  });

  it('rejects a non-positive history size', () => {
    expect(() => apply(view(), [{ action: 'set-properties', updates: { 'version.history.num-entries': '0' } }])).toThrow(
      'version.history.num-entries must be positive but was 0',
    );
  });
});

describe('uuid, format version, location and properties', () => {
  it('cannot reassign the uuid; the same uuid is a no-op', () => {
    expect(() => apply(view(), [{ action: 'assign-uuid', uuid: 'other' }])).toThrow('Cannot reassign uuid');
    expect(apply(view(), [{ action: 'assign-uuid', uuid: view().viewUuid }]).changes).toEqual([]);
  });

  it('only knows format version 1', () => {
    expect(apply(view(), [{ action: 'upgrade-format-version', formatVersion: 1 }]).changes).toEqual([]);
    expect(() => apply(view(), [{ action: 'upgrade-format-version', formatVersion: 2 }])).toThrow('Unsupported format version: 2');
    expect(() => apply(view(), [{ action: 'upgrade-format-version', formatVersion: 0 }])).toThrow('Cannot downgrade v1 view to v0');
  });

  it('sets the location and properties', () => {
    const { metadata, changes } = apply({ ...view(), properties: { a: '1' } }, [
      { action: 'set-location', location: 's3://elsewhere' },
      { action: 'set-properties', updates: { b: '2' } },
      { action: 'remove-properties', removals: ['a'] },
    ]);
    expect(metadata.location).toBe('s3://elsewhere');
    expect(metadata.properties).toEqual({ b: '2' });
    expect(changes).toHaveLength(3);
  });

  it('returns the base unchanged when nothing changes', () => {
    const base = view();
    const { metadata, changes } = apply(base, [{ action: 'set-location', location: base.location }, { action: 'set-current-view-version', viewVersionId: 1 }]);
    expect(changes).toEqual([]);
    expect(metadata).toBe(base);
  });

  it('rejects an unknown action', () => {
    expect(() => apply(view(), [{ action: 'add-snapshot' } as unknown as ViewUpdate])).toThrow(
      'Cannot apply unknown view update: add-snapshot',
    );
  });
});

describe('newViewMetadata', () => {
  it('creates a view with schema 0 and the given version current', () => {
    const m = newViewMetadata({
      schema: schema(7),
      viewVersion: version(1, 'select 1', { schemaId: 7 }),
      location: 's3://bucket/views/new',
      properties: { comment: 'c' },
      viewUuid: 'a7c8c6a2-f46b-4b3a-9d4a-0c4c5bd1a000',
      nowMs: NOW,
    });
    expect(m).toMatchObject({
      viewUuid: 'a7c8c6a2-f46b-4b3a-9d4a-0c4c5bd1a000',
      formatVersion: 1,
      location: 's3://bucket/views/new',
      currentVersionId: 1,
      properties: { comment: 'c' },
    });
    expect(m.schemas).toEqual([schema(0)]);
    expect(m.versions[0].schemaId).toBe(0);
    expect(m.versionLog).toEqual([{ timestampMs: T0 + 1, versionId: 1 }]);
  });

  it('needs a location and a version', () => {
    expect(() => applyViewUpdates(null, [{ action: 'add-schema', schema: schema(0) }])).toThrow('Invalid location: null');
    expect(() =>
      applyViewUpdates(null, [
        { action: 'add-schema', schema: schema(0) },
        { action: 'set-location', location: 's3://x' },
      ]),
    ).toThrow('Invalid view: no versions were added');
  });
});
