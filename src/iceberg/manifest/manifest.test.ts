import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.js';
import type { FormatVersion, StructType } from '../model.js';
import { readAvroHeader, writeAvroFile } from './avro-container.js';
import { DEFAULT_BLOCK_SIZE } from './data-file.js';
import { readManifest, writeManifest } from './manifest.js';
import { manifestAvroSchema } from './schemas.js';
import type { DataFile, ManifestContent, ManifestEntry, ManifestFile, ManifestWriteRequest } from './types.js';

const MAX_LONG = 9223372036854775807n;
const SNAPSHOT = 3051729675574597004n;

const SCHEMA_JSON =
  '{"type":"struct","schema-id":0,"fields":[{"id":1,"name":"id","required":true,"type":"long"},{"id":2,"name":"ts","required":false,"type":"timestamp"}]}';

const unpartitioned: StructType = { type: 'struct', fields: [] };

/** A partition type covering the result types of the common transforms. */
const partitionType: StructType = {
  type: 'struct',
  fields: [
    { id: 1000, name: 'id_bucket', required: false, type: 'int' },
    { id: 1001, name: 'category', required: false, type: 'string' },
    { id: 1002, name: 'ts_day', required: false, type: 'date' },
    { id: 1003, name: 'amount', required: false, type: 'decimal(9, 2)' },
    { id: 1004, name: 'ts', required: false, type: 'timestamp' },
    { id: 1005, name: 'big', required: false, type: 'long' },
    { id: 1006, name: 'flag', required: false, type: 'boolean' },
    { id: 1007, name: 'ratio', required: false, type: 'double' },
    { id: 1008, name: 'token', required: false, type: 'uuid' },
    { id: 1009, name: 'raw', required: false, type: 'binary' },
    { id: 1010, name: 'code', required: false, type: 'fixed[3]' },
    { id: 1011, name: 'price', required: false, type: 'decimal(38, 10)' },
    { id: 1012, name: 'ts_tz', required: false, type: 'timestamptz' },
    { id: 1013, name: 'score', required: false, type: 'float' },
  ],
};

const fullTuple = [
  7,
  'books',
  19_723, // 2024-01-01
  -12_345n, // -123.45
  1_704_067_200_123_456n,
  MAX_LONG,
  true,
  0.25,
  'f79c3e09-677c-4bbd-a479-3f349cb785e7',
  Uint8Array.of(0, 255, 7),
  Uint8Array.of(0x61, 0x62, 0x63),
  -(10n ** 37n) + 1n,
  -1n,
  1.5,
];

function dataFile(overrides: Partial<DataFile> = {}): DataFile {
  return {
    content: 'data',
    filePath: 's3://bucket/wh/db/t/data/00000-0-a.parquet',
    fileFormat: 'PARQUET',
    partition: [],
    recordCount: 1_000n,
    fileSizeInBytes: 65_432n,
    columnSizes: new Map([
      [1, 4_000n],
      [2, 8_000n],
    ]),
    valueCounts: new Map([
      [1, 1_000n],
      [2, 1_000n],
    ]),
    nullValueCounts: new Map([
      [1, 0n],
      [2, 12n],
    ]),
    nanValueCounts: new Map(),
    lowerBounds: new Map([[1, Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 0)]]),
    upperBounds: new Map([[1, Uint8Array.of(0xe8, 3, 0, 0, 0, 0, 0, 0)]]),
    splitOffsets: [4n, 33_000n],
    sortOrderId: 0,
    ...overrides,
  };
}

function request(overrides: Partial<ManifestWriteRequest> = {}): ManifestWriteRequest {
  return {
    formatVersion: 2,
    schemaJson: SCHEMA_JSON,
    schemaId: 0,
    partitionSpecJson: '[]',
    specId: 0,
    partitionType: unpartitioned,
    content: 'data',
    entries: [],
    ...overrides,
  };
}

function roundTrip(req: ManifestWriteRequest): ManifestEntry[] {
  return readManifest(writeManifest(req)).entries;
}

describe('writeManifest / readManifest', () => {
  for (const formatVersion of [1, 2, 3] as FormatVersion[]) {
    it(`round-trips an unpartitioned v${formatVersion} data manifest`, () => {
      const entries: ManifestEntry[] = [
        { status: 'added', snapshotId: SNAPSHOT, sequenceNumber: 5n, fileSequenceNumber: 5n, dataFile: dataFile() },
        {
          status: 'existing',
          snapshotId: MAX_LONG,
          sequenceNumber: 2n,
          fileSequenceNumber: 3n,
          dataFile: dataFile({ filePath: 's3://bucket/wh/db/t/data/b.parquet', keyMetadata: Uint8Array.of(1, 2) }),
        },
        { status: 'deleted', snapshotId: SNAPSHOT, sequenceNumber: 1n, fileSequenceNumber: 1n, dataFile: dataFile({ filePath: 'c' }) },
      ];
      const bytes = writeManifest(request({ formatVersion, entries }));
      const manifest = readManifest(bytes);
      expect(manifest.formatVersion).toBe(formatVersion);
      expect(manifest.content).toBe('data');
      expect(manifest.partitionType).toEqual(unpartitioned);
      if (formatVersion === 1) {
        // v1 stores no sequence numbers (they read as 0) and a block size.
        expect(manifest.entries).toEqual(
          entries.map((e) => ({
            ...e,
            sequenceNumber: 0n,
            fileSequenceNumber: 0n,
            dataFile: { ...e.dataFile, blockSizeInBytes: DEFAULT_BLOCK_SIZE },
          })),
        );
      } else {
        expect(manifest.entries).toEqual(entries);
      }
      expect(manifest.entries[1].snapshotId).toBe(MAX_LONG);
    });
  }

  it('round-trips partition tuples of every common result type, including nulls', () => {
    const entries: ManifestEntry[] = [
      { status: 'added', snapshotId: SNAPSHOT, dataFile: dataFile({ partition: fullTuple }) },
      { status: 'added', snapshotId: SNAPSHOT, dataFile: dataFile({ partition: fullTuple.map(() => null) }) },
      {
        status: 'added',
        snapshotId: SNAPSHOT,
        dataFile: dataFile({ partition: [-1, '', 0, 99_999_999n, -1n, -MAX_LONG - 1n, false, -0.5, '00000000-0000-0000-0000-000000000000', new Uint8Array(0), Uint8Array.of(0, 0, 0), 10n ** 37n, 0n, -2.5] }),
      },
    ];
    for (const formatVersion of [1, 2, 3] as FormatVersion[]) {
      const manifest = readManifest(writeManifest(request({ formatVersion, partitionType, entries })));
      expect(manifest.partitionType).toEqual(partitionType);
      expect(manifest.entries.map((e) => e.dataFile.partition)).toEqual(entries.map((e) => e.dataFile.partition));
    }
  });

  it('stores decimals as big-endian two\'s complement of the required size', () => {
    const type: StructType = { type: 'struct', fields: [{ id: 1000, name: 'd', required: true, type: 'decimal(9, 2)' }] };
    const bytes = writeManifest(
      request({ partitionType: type, entries: [{ status: 'added', dataFile: dataFile({ partition: [-2n] }) }] }),
    );
    // -2 in 4 bytes is FF FF FF FE; it must sit in the file right before record_count (1000 = zigzag d0 0f).
    expect(Buffer.from(bytes).includes(Buffer.from([0xff, 0xff, 0xff, 0xfe, 0xd0, 0x0f]))).toBe(true);
    expect(() =>
      writeManifest(request({ partitionType: type, entries: [{ status: 'added', dataFile: dataFile({ partition: [10n ** 10n] }) }] })),
    ).toThrow(/does not fit in 4 bytes/);
  });

  it('round-trips v2 position and equality delete manifests', () => {
    const entries: ManifestEntry[] = [
      {
        status: 'added',
        snapshotId: SNAPSHOT,
        dataFile: dataFile({
          content: 'position-deletes',
          filePath: 's3://b/t/data/pos-del.parquet',
          referencedDataFile: 's3://b/t/data/00000-0-a.parquet',
          sortOrderId: undefined,
          partition: fullTuple,
        }),
      },
      {
        status: 'added',
        snapshotId: SNAPSHOT,
        dataFile: dataFile({ content: 'equality-deletes', filePath: 's3://b/t/data/eq-del.parquet', equalityIds: [1, 2], partition: fullTuple }),
      },
    ];
    const bytes = writeManifest(request({ content: 'deletes', partitionType, entries }));
    expect(readAvroHeader(bytes).metadata.content).toBe('deletes');
    const manifest = readManifest(bytes);
    expect(manifest.content).toBe('deletes');
    expect(manifest.entries).toEqual(entries);
  });

  it('round-trips v3 row lineage and deletion vectors', () => {
    const data: ManifestEntry = {
      status: 'existing',
      snapshotId: SNAPSHOT,
      sequenceNumber: 1n,
      fileSequenceNumber: 1n,
      dataFile: dataFile({ firstRowId: MAX_LONG - 1_000n }),
    };
    const dv: ManifestEntry = {
      status: 'added',
      snapshotId: SNAPSHOT,
      dataFile: {
        content: 'position-deletes',
        filePath: 's3://b/t/data/dv.puffin',
        fileFormat: 'PUFFIN',
        partition: [],
        recordCount: 3n,
        fileSizeInBytes: 1_024n,
        referencedDataFile: 's3://b/t/data/00000-0-a.parquet',
        contentOffset: 4n,
        contentSizeInBytes: 42n,
      },
    };
    expect(roundTrip(request({ formatVersion: 3, entries: [data] }))).toEqual([data]);
    expect(roundTrip(request({ formatVersion: 3, content: 'deletes', entries: [dv] }))).toEqual([dv]);
    // v2 has no place for these fields, so they are not written (as in Java's v2 writer).
    const v2 = roundTrip(request({ formatVersion: 2, entries: [data] }));
    expect(v2[0].dataFile.firstRowId).toBeUndefined();
  });

  it('writes the header Java writes, with the schema and field ids of the version', () => {
    const spec = '[{"name":"id_bucket","transform":"bucket[16]","source-id":1,"field-id":1000}]';
    const type: StructType = { type: 'struct', fields: [partitionType.fields[0]] };
    for (const formatVersion of [1, 2, 3] as FormatVersion[]) {
      const bytes = writeManifest(
        request({ formatVersion, partitionType: type, partitionSpecJson: spec, specId: 3, schemaId: 7 }),
      );
      const header = readAvroHeader(bytes);
      expect(header.metadata).toMatchObject({
        schema: SCHEMA_JSON,
        'schema-id': '7',
        'partition-spec': spec,
        'partition-spec-id': '3',
        'format-version': String(formatVersion),
      });
      if (formatVersion === 1) expect(header.metadata).not.toHaveProperty('content');
      else expect(header.metadata.content).toBe('data');
      expect(JSON.parse(header.schemaText)).toEqual(manifestAvroSchema(formatVersion, type));
      expect(header.schemaText).toContain('{"name":"id_bucket","type":["null","int"],"default":null,"field-id":1000}');
      expect(header.schemaText).toContain('"field-id":102');
      expect(JSON.parse(header.metadata['iceberg.schema']).fields.map((f: { id: number }) => f.id)).toEqual(
        formatVersion === 1 ? [0, 1, 2] : [0, 1, 3, 4, 2],
      );

      const manifest = readManifest(bytes);
      expect(manifest.schemaJson).toBe(SCHEMA_JSON);
      expect(manifest.schemaId).toBe(7);
      expect(manifest.partitionSpecJson).toBe(spec);
      expect(manifest.specId).toBe(3);
    }
  });

  it('leaves unset optional fields unset', () => {
    const bare: DataFile = {
      content: 'data',
      filePath: 'x.parquet',
      fileFormat: 'PARQUET',
      partition: [null],
      recordCount: 0n,
      fileSizeInBytes: 1n,
    };
    const type: StructType = { type: 'struct', fields: [partitionType.fields[1]] };
    const [entry] = roundTrip(request({ formatVersion: 3, partitionType: type, entries: [{ status: 'added', dataFile: bare }] }));
    expect(entry).toStrictEqual({ status: 'added', dataFile: bare });
  });

  it('rejects entries that do not fit the manifest', () => {
    const added = (file: Partial<DataFile>): ManifestEntry => ({ status: 'added', dataFile: dataFile(file) });
    expect(() => writeManifest(request({ formatVersion: 1, content: 'deletes' as ManifestContent }))).toThrow(
      /v1/,
    );
    expect(() => writeManifest(request({ content: 'deletes', entries: [added({})] }))).toThrow(ValidationError);
    expect(() => writeManifest(request({ entries: [added({ content: 'equality-deletes' })] }))).toThrow(ValidationError);
    expect(() =>
      writeManifest(request({ entries: [{ status: 'existing', snapshotId: SNAPSHOT, dataFile: dataFile() }] })),
    ).toThrow('Only entries with status ADDED can have null sequence number');
    expect(() => writeManifest(request({ partitionType, entries: [added({ partition: [1] })] }))).toThrow(
      /Partition tuple has 1 values/,
    );
    const required: StructType = { type: 'struct', fields: [{ ...partitionType.fields[0], required: true }] };
    expect(() => writeManifest(request({ partitionType: required, entries: [added({ partition: [null] })] }))).toThrow(
      /Missing required partition value/,
    );
    expect(() =>
      writeManifest(request({ partitionType: required, entries: [added({ partition: ['seven'] })] })),
    ).toThrow(/Invalid partition value for id_bucket of type int/);
  });
});

describe('reading with the manifest list entry (inheritance)', () => {
  const listEntry: ManifestFile = {
    manifestPath: 's3://b/t/metadata/m0.avro',
    manifestLength: 1n,
    partitionSpecId: 0,
    content: 'data',
    sequenceNumber: 9n,
    minSequenceNumber: 4n,
    addedSnapshotId: SNAPSHOT,
  };

  it('inherits snapshot id always, and sequence numbers only for added entries', () => {
    const bytes = writeManifest(
      request({
        entries: [
          { status: 'added', dataFile: dataFile({ filePath: 'new' }) },
          { status: 'added', sequenceNumber: 4n, dataFile: dataFile({ filePath: 'late-arriving' }) },
          { status: 'existing', snapshotId: 11n, sequenceNumber: 4n, fileSequenceNumber: 5n, dataFile: dataFile({ filePath: 'old' }) },
        ],
      }),
    );
    expect(readManifest(bytes).entries[0].sequenceNumber).toBeUndefined();
    const entries = readManifest(bytes, { manifest: listEntry }).entries;
    expect(entries.map((e) => [e.dataFile.filePath, e.snapshotId, e.sequenceNumber, e.fileSequenceNumber])).toEqual([
      ['new', SNAPSHOT, 9n, 9n],
      ['late-arriving', SNAPSHOT, 4n, 9n],
      ['old', 11n, 4n, 5n],
    ]);
  });

  it('reads a v1 manifest as v2 would: sequence number 0 for every file', () => {
    const bytes = writeManifest(
      request({ formatVersion: 1, entries: [{ status: 'added', snapshotId: SNAPSHOT, dataFile: dataFile() }] }),
    );
    const v1ListEntry: ManifestFile = { ...listEntry, sequenceNumber: 0n, minSequenceNumber: 0n };
    const [entry] = readManifest(bytes, { manifest: v1ListEntry }).entries;
    expect(entry.sequenceNumber).toBe(0n);
    expect(entry.fileSequenceNumber).toBe(0n);
    expect(entry.dataFile.content).toBe('data');
  });

  it('assigns v3 first row ids to live data files without one, counting up by record count', () => {
    const bytes = writeManifest(
      request({
        formatVersion: 3,
        entries: [
          { status: 'added', dataFile: dataFile({ filePath: 'a', recordCount: 10n }) },
          { status: 'existing', snapshotId: 1n, sequenceNumber: 1n, fileSequenceNumber: 1n, dataFile: dataFile({ filePath: 'b', recordCount: 5n, firstRowId: 3n }) },
          { status: 'deleted', snapshotId: 1n, sequenceNumber: 1n, fileSequenceNumber: 1n, dataFile: dataFile({ filePath: 'c', recordCount: 7n }) },
          { status: 'added', dataFile: dataFile({ filePath: 'd', recordCount: 2n }) },
        ],
      }),
    );
    const entries = readManifest(bytes, { manifest: { ...listEntry, firstRowId: 100n } }).entries;
    expect(entries.map((e) => [e.dataFile.filePath, e.dataFile.firstRowId])).toEqual([
      ['a', 100n],
      ['b', 3n],
      ['c', undefined],
      ['d', 110n],
    ]);
    // Without a first row id on the list entry (written before v3), files carry none.
    const pre = readManifest(bytes, { manifest: listEntry }).entries;
    expect(pre.map((e) => e.dataFile.firstRowId)).toEqual([undefined, undefined, undefined, undefined]);
  });
});

describe('manifests from other writers', () => {
  it('finds fields by id through renamed, widened and nullable columns', () => {
    // Shaped like files some engines write: every column nullable, ints widened to long,
    // map entries nullable, other record names, a partition stored as null.
    const nullable = (type: unknown) => ['null', type];
    const schema = {
      type: 'record',
      name: 'manifest_entry',
      fields: [
        { name: 'state', type: nullable('int'), 'field-id': 0 },
        {
          name: 'file',
          'field-id': 2,
          type: nullable({
            type: 'record',
            name: 'data_file',
            fields: [
              { name: 'kind', type: nullable('long'), 'field-id': 134 },
              { name: 'location', type: nullable('string'), 'field-id': 100 },
              { name: 'format', type: nullable('string'), 'field-id': 101 },
              { name: 'rows', type: nullable('int'), 'field-id': 103 },
              { name: 'bytes', type: nullable('long'), 'field-id': 104 },
              {
                name: 'value_counts',
                'field-id': 109,
                type: nullable({
                  type: 'array',
                  logicalType: 'map',
                  items: nullable({
                    type: 'record',
                    name: 'entry0',
                    fields: [
                      { name: 'key', type: nullable('long') },
                      { name: 'value', type: nullable('long') },
                    ],
                  }),
                }),
              },
              { name: 'equality_ids', type: nullable({ type: 'array', items: 'long' }), 'field-id': 135 },
              { name: 'partition', type: nullable({ type: 'record', name: 'partition', fields: [] }), 'field-id': 102 },
              { name: 'not_iceberg', type: 'string' },
            ],
          }),
        },
      ],
    };
    const record = {
      state: 1,
      file: {
        kind: 2n,
        location: 's3://b/t/eq.parquet',
        format: 'PARQUET',
        rows: 3,
        bytes: 1_000n,
        value_counts: [{ key: 1n, value: 3n }, null],
        equality_ids: [1n, 2n],
        partition: null,
        not_iceberg: 'ignored',
      },
    };
    const bytes = writeAvroFile(JSON.stringify(schema), { content: 'deletes' }, [record]);
    const manifest = readManifest(bytes);
    expect(manifest.formatVersion).toBe(1); // no format-version and no sequence number column
    expect(manifest.content).toBe('deletes');
    expect(manifest.entries).toEqual([
      {
        status: 'added',
        sequenceNumber: 0n,
        fileSequenceNumber: 0n,
        dataFile: {
          content: 'equality-deletes',
          filePath: 's3://b/t/eq.parquet',
          fileFormat: 'PARQUET',
          partition: [],
          recordCount: 3n,
          fileSizeInBytes: 1_000n,
          valueCounts: new Map([[1, 3n]]),
          equalityIds: [1, 2],
        },
      },
    ]);
  });
});
