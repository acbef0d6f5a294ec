import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.js';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { readAvroHeader, storedBlocksOf, writeAvroFile, type AvroCodec } from './avro-container.js';
import { InvalidAvroFileError } from './errors.js';
import { assignFirstRowIds, readManifestList, writeManifestList } from './manifest-list.js';
import { manifestListSchema } from './schemas.js';
import type { ManifestFileToWrite } from './types.js';

const MAX_LONG = 9223372036854775807n;
const SNAPSHOT = 8744736658442914487n;
const PARENT = 5179299526185056830n;

function manifest(overrides: Partial<ManifestFileToWrite> = {}): ManifestFileToWrite {
  return {
    manifestPath: 's3://bucket/wh/db/t/metadata/7c1e-m0.avro',
    manifestLength: 7_318n,
    partitionSpecId: 0,
    content: 'data',
    addedSnapshotId: SNAPSHOT,
    addedFilesCount: 2,
    existingFilesCount: 0,
    deletedFilesCount: 0,
    addedRowsCount: 150n,
    existingRowsCount: 0n,
    deletedRowsCount: 0n,
    partitions: [
      { containsNull: false, containsNan: false, lowerBound: Uint8Array.of(1, 0, 0, 0), upperBound: Uint8Array.of(9, 0, 0, 0) },
    ],
    ...overrides,
  };
}

/** Field ids of the header's record, in order, with nested arrays flattened out. */
function headerFieldIds(bytes: Uint8Array): number[] {
  const schema = JSON.parse(readAvroHeader(bytes).schemaText) as { name: string; fields: Array<{ 'field-id': number }> };
  expect(schema.name).toBe('manifest_file');
  return schema.fields.map((f) => f['field-id']);
}

describe('writeManifestList / readManifestList', () => {
  it('round-trips a v2 list with sequence numbers assigned to the new manifest', () => {
    const older: ManifestFileToWrite = manifest({
      manifestPath: 's3://bucket/wh/db/t/metadata/old-m0.avro',
      addedSnapshotId: PARENT,
      sequenceNumber: 3n,
      minSequenceNumber: 1n,
      partitions: undefined,
      keyMetadata: Uint8Array.of(0xde, 0xad),
    });
    const deletes = manifest({ manifestPath: 's3://bucket/wh/db/t/metadata/d-m1.avro', content: 'deletes' });
    const bytes = writeManifestList({
      formatVersion: 2,
      snapshotId: SNAPSHOT,
      parentSnapshotId: PARENT,
      sequenceNumber: 4n,
      manifests: [manifest(), older, deletes],
    });
    const list = readManifestList(bytes);
    expect(list.formatVersion).toBe(2);
    expect(list.snapshotId).toBe(SNAPSHOT);
    expect(list.parentSnapshotId).toBe(PARENT);
    expect(list.sequenceNumber).toBe(4n);
    // toEqual treats properties that are undefined as absent.
    expect(list.manifests).toEqual([
      { ...manifest(), sequenceNumber: 4n, minSequenceNumber: 4n },
      older,
      { ...deletes, sequenceNumber: 4n, minSequenceNumber: 4n },
    ]);
    expect(list.manifests[1]).not.toHaveProperty('partitions');
    expect(list.manifests[1].keyMetadata).toEqual(Uint8Array.of(0xde, 0xad));
    expect(list.manifests[2].content).toBe('deletes');
  });

  it('writes the header metadata Java writes, and the field ids of every column', () => {
    const v1 = writeManifestList({ formatVersion: 1, snapshotId: SNAPSHOT, manifests: [manifest()] });
    expect(readAvroHeader(v1).metadata).toMatchObject({
      'snapshot-id': SNAPSHOT.toString(),
      'parent-snapshot-id': 'null',
      'format-version': '1',
    });
    expect(readAvroHeader(v1).metadata).not.toHaveProperty('sequence-number');

    const v2 = writeManifestList({ formatVersion: 2, snapshotId: SNAPSHOT, parentSnapshotId: PARENT, sequenceNumber: 7n, manifests: [] });
    expect(readAvroHeader(v2).metadata).toMatchObject({
      'snapshot-id': SNAPSHOT.toString(),
      'parent-snapshot-id': PARENT.toString(),
      'sequence-number': '7',
      'format-version': '2',
    });

    const v3 = writeManifestList({ formatVersion: 3, snapshotId: SNAPSHOT, sequenceNumber: 7n, firstRowId: 1000n, manifests: [] });
    expect(readAvroHeader(v3).metadata).toMatchObject({ 'first-row-id': '1000', 'format-version': '3' });

    for (const [v, bytes] of [[1, v1], [2, v2], [3, v3]] as const) {
      expect(headerFieldIds(bytes)).toEqual(manifestListSchema(v).fields.map((f) => f.id));
      const iceberg = JSON.parse(readAvroHeader(bytes).metadata['iceberg.schema']);
      expect(iceberg.fields.map((f: { id: number }) => f.id)).toEqual(manifestListSchema(v).fields.map((f) => f.id));
    }
    expect(readAvroHeader(v2).schemaText).toContain('"element-id":508');
  });

  it('keeps 64-bit snapshot ids, lengths and counts exact', () => {
    const bytes = writeManifestList({
      formatVersion: 2,
      snapshotId: MAX_LONG,
      parentSnapshotId: -MAX_LONG - 1n,
      sequenceNumber: MAX_LONG - 1n,
      manifests: [
        manifest({
          addedSnapshotId: MAX_LONG,
          manifestLength: 9007199254740993n,
          addedRowsCount: MAX_LONG,
          sequenceNumber: 9007199254740995n,
          minSequenceNumber: 1n,
        }),
      ],
    });
    const list = readManifestList(bytes);
    expect(readAvroHeader(bytes).metadata['snapshot-id']).toBe('9223372036854775807');
    expect(list.snapshotId).toBe(MAX_LONG);
    expect(list.parentSnapshotId).toBe(-MAX_LONG - 1n);
    expect(list.manifests[0].addedSnapshotId).toBe(MAX_LONG);
    expect(list.manifests[0].manifestLength).toBe(9007199254740993n);
    expect(list.manifests[0].addedRowsCount).toBe(MAX_LONG);
    expect(list.manifests[0].sequenceNumber).toBe(9007199254740995n);
  });

  it('reads a v1 list with v2 semantics: data content and sequence numbers 0', () => {
    const bytes = writeManifestList({
      formatVersion: 1,
      snapshotId: SNAPSHOT,
      parentSnapshotId: PARENT,
      manifests: [manifest({ addedFilesCount: undefined, existingRowsCount: undefined })],
    });
    const [m] = readManifestList(bytes).manifests;
    expect(m.content).toBe('data');
    expect(m.sequenceNumber).toBe(0n);
    expect(m.minSequenceNumber).toBe(0n);
    expect(m.addedFilesCount).toBeUndefined();
    expect(m.existingRowsCount).toBeUndefined();
    expect(m.addedRowsCount).toBe(150n);
    expect(readAvroHeader(bytes).schemaText).not.toContain('"sequence_number"');
  });

  it('gives v3 data manifests first row ids and leaves delete manifests and assigned ones alone', () => {
    const bytes = writeManifestList({
      formatVersion: 3,
      snapshotId: SNAPSHOT,
      sequenceNumber: 2n,
      firstRowId: 1_000n,
      manifests: [
        manifest({ manifestPath: 'a', addedRowsCount: 100n, existingRowsCount: 20n }),
        manifest({ manifestPath: 'b', content: 'deletes', addedRowsCount: 5n, firstRowId: 3n }),
        manifest({ manifestPath: 'c', firstRowId: 10n, addedSnapshotId: PARENT, sequenceNumber: 1n, minSequenceNumber: 1n }),
        manifest({ manifestPath: 'd', addedRowsCount: 7n, existingRowsCount: 0n }),
      ],
    });
    const list = readManifestList(bytes);
    expect(list.firstRowId).toBe(1_000n);
    expect(list.manifests.map((m) => [m.manifestPath, m.firstRowId])).toEqual([
      ['a', 1_000n],
      ['b', undefined],
      ['c', 10n],
      ['d', 1_120n],
    ]);
    const { nextRowId } = assignFirstRowIds(
      [manifest({ addedRowsCount: 100n, existingRowsCount: 20n }), manifest({ addedRowsCount: 7n })],
      1_000n,
    );
    expect(nextRowId).toBe(1_127n);
  });

  it('refuses what Java refuses', () => {
    const base = { snapshotId: SNAPSHOT, sequenceNumber: 5n };
    expect(() =>
      writeManifestList({ ...base, formatVersion: 1, manifests: [manifest({ content: 'deletes' })] }),
    ).toThrow(/Cannot store delete manifests in a v1 table/);
    expect(() => writeManifestList({ formatVersion: 2, snapshotId: SNAPSHOT, manifests: [] })).toThrow(ValidationError);
    expect(() => writeManifestList({ ...base, formatVersion: 3, manifests: [] })).toThrow(/first row id/);
    // A manifest from another snapshot must already know its sequence number.
    expect(() =>
      writeManifestList({ ...base, formatVersion: 2, manifests: [manifest({ addedSnapshotId: PARENT })] }),
    ).toThrow(`Found unassigned sequence number for a manifest from snapshot: ${PARENT}`);
    expect(() =>
      writeManifestList({ ...base, formatVersion: 2, manifests: [manifest({ addedFilesCount: undefined })] }),
    ).toThrow(/added_files_count/);
  });

  it('finds columns by field id, not by name', () => {
    // Older Java writers named fields 504-506 added/existing/deleted_data_files_count.
    const bytes = writeManifestList({ formatVersion: 2, snapshotId: SNAPSHOT, sequenceNumber: 1n, manifests: [manifest()] });
    const header = readAvroHeader(bytes);
    const schemaText = header.schemaText.replace('"added_files_count"', '"added_data_files_count"');
    expect(schemaText).not.toBe(header.schemaText);
    const [m] = readManifestList(bytes).manifests;
    const record = {
      manifest_path: m.manifestPath,
      manifest_length: m.manifestLength,
      partition_spec_id: m.partitionSpecId,
      content: 0,
      sequence_number: m.sequenceNumber,
      min_sequence_number: m.minSequenceNumber,
      added_snapshot_id: m.addedSnapshotId,
      added_data_files_count: 2,
      existing_files_count: 0,
      deleted_files_count: 0,
      added_rows_count: 150n,
      existing_rows_count: 0n,
      deleted_rows_count: 0n,
      partitions: null,
      key_metadata: null,
    };
    const renamed = writeAvroFile(schemaText, header.metadata, [record]);
    expect(readManifestList(renamed).manifests[0].addedFilesCount).toBe(2);
  });

  describe('carrying a stored list', () => {
    const older = (i: number) => manifest({ manifestPath: `s3://b/t/metadata/old-${i}.avro`, addedSnapshotId: PARENT, sequenceNumber: BigInt(i + 1), minSequenceNumber: 1n });
    const fresh = manifest({ manifestPath: 's3://b/t/metadata/new.avro' });
    const parentList = (codec?: AvroCodec) =>
      writeManifestList({ formatVersion: 2, snapshotId: PARENT, sequenceNumber: 3n, manifests: [older(0), older(1), older(2)] }, codec ? { codec } : {});
    const contains = (haystack: Uint8Array, needle: Uint8Array) => Buffer.from(haystack).includes(Buffer.from(needle));

    it('copies the entries of a list of the same encoding as stored, after the new ones', () => {
      const parent = parentList();
      const bytes = writeManifestList({ formatVersion: 2, snapshotId: SNAPSHOT, parentSnapshotId: PARENT, sequenceNumber: 4n, manifests: [fresh], carriedList: parent });
      const list = readManifestList(bytes);
      expect(list.manifests.map((m) => [m.manifestPath, m.sequenceNumber])).toEqual([
        ['s3://b/t/metadata/new.avro', 4n],
        ['s3://b/t/metadata/old-0.avro', 1n],
        ['s3://b/t/metadata/old-1.avro', 2n],
        ['s3://b/t/metadata/old-2.avro', 3n],
      ]);
      expect(list.snapshotId).toBe(SNAPSHOT);
      // The parent's block, sync marker included, is in the new file byte for byte.
      expect(contains(bytes, storedBlocksOf(parent).blocks)).toBe(true);
      expect(readManifestList(bytes).manifests.slice(1)).toEqual(readManifestList(parent).manifests);
    });

    it('copies deflate blocks as stored, its own block in stored deflate blocks any inflater reads', () => {
      const parent = parentList({ name: 'deflate', compress: (d) => deflateRawSync(d) });
      const bytes = writeManifestList({ formatVersion: 2, snapshotId: SNAPSHOT, sequenceNumber: 4n, manifests: [fresh], carriedList: parent });
      expect(readAvroHeader(bytes).codec).toBe('deflate');
      expect(contains(bytes, storedBlocksOf(parent).blocks)).toBe(true);
      const zlib = { deflate: (d: Uint8Array) => inflateRawSync(d) };
      for (const options of [{}, { decompressors: zlib }]) {
        expect(readManifestList(bytes, options).manifests.map((m) => m.manifestPath)).toEqual(['s3://b/t/metadata/new.avro', ...[0, 1, 2].map((i) => `s3://b/t/metadata/old-${i}.avro`)]);
      }
    });

    it('reads and writes again a list of another encoding, an unknown codec, or a v3 list', () => {
      const v1 = writeManifestList({ formatVersion: 1, snapshotId: PARENT, manifests: [manifest({ manifestPath: 'v1-m', addedSnapshotId: PARENT })] });
      const upgraded = readManifestList(writeManifestList({ formatVersion: 2, snapshotId: SNAPSHOT, sequenceNumber: 4n, manifests: [fresh], carriedList: v1 }));
      expect(upgraded.manifests.map((m) => [m.manifestPath, m.sequenceNumber])).toEqual([
        ['s3://b/t/metadata/new.avro', 4n],
        ['v1-m', 0n],
      ]);
      const snappy = parentList({ name: 'snappy', compress: (d) => d });
      expect(() => writeManifestList({ formatVersion: 2, snapshotId: SNAPSHOT, sequenceNumber: 4n, manifests: [fresh], carriedList: snappy })).toThrow(/unsupported Avro codec: snappy/);
      const v3Parent = writeManifestList({ formatVersion: 3, snapshotId: PARENT, sequenceNumber: 1n, firstRowId: 0n, manifests: [manifest({ manifestPath: 'v3-m', addedSnapshotId: PARENT, sequenceNumber: 1n, minSequenceNumber: 1n, firstRowId: undefined })] });
      const v3 = readManifestList(writeManifestList({ formatVersion: 3, snapshotId: SNAPSHOT, sequenceNumber: 2n, firstRowId: 500n, manifests: [fresh], carriedList: v3Parent }));
      expect(v3.manifests.map((m) => [m.manifestPath, m.firstRowId])).toEqual([
        ['s3://b/t/metadata/new.avro', 500n],
        ['v3-m', 0n],
      ]);
    });

    it('refuses a stored list that does not frame', () => {
      const parent = parentList();
      expect(() => writeManifestList({ formatVersion: 2, snapshotId: SNAPSHOT, sequenceNumber: 4n, manifests: [fresh], carriedList: parent.subarray(0, parent.length - 5) })).toThrow(InvalidAvroFileError);
    });
  });
});
