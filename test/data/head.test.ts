/**
 * `headRows`: the first rows of a table as an engine reads them, with position and equality
 * deletes applied and deletion vectors refused, against lakecat's HTTP API in-process.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendRows } from '../../src/data/append.js';
import { arrowTableOf } from '../../src/data/arrow-build.js';
import { headRows, UnsupportedDeletesError } from '../../src/data/head.js';
import { writeParquetFile } from '../../src/data/parquet-write.js';
import { IcebergRestClient } from '../../src/data/rest-client.js';
import { readManifest, readManifestList, writeManifest, writeManifestList, type DataFile } from '../../src/iceberg/manifest/index.js';
import type { Schema } from '../../src/iceberg/model.js';
import { inProcessClient } from './in-process.js';
import { createHarness, type Harness } from '../rest/harness.js';

const SCHEMA = {
  type: 'struct',
  'schema-id': 0,
  fields: [
    { id: 1, name: 'id', required: true, type: 'long' },
    { id: 2, name: 'at', required: false, type: 'timestamptz' },
    { id: 3, name: 'amount', required: false, type: 'decimal(10, 2)' },
    { id: 4, name: 'tags', required: false, type: { type: 'list', 'element-id': 5, element: 'string', 'element-required': false } },
  ],
};

const POSITION_DELETES: Schema = {
  type: 'struct',
  schemaId: 0,
  fields: [
    { id: 2147483546, name: 'file_path', required: true, type: 'string' },
    { id: 2147483545, name: 'pos', required: true, type: 'long' },
  ],
};

describe('reading the first rows of a table', () => {
  let h: Harness;
  let client: IcebergRestClient;
  beforeAll(async () => {
    h = await createHarness();
    await h.request('POST', '/v1/namespaces', { namespace: ['ns'] });
    client = inProcessClient(h);
  });
  afterAll(async () => {
    await h?.close();
  });

  /** Commits a snapshot on top of main's head that adds one delete file (a `delete` operation, as an engine would). */
  async function addDeleteSnapshot(snapshotId: bigint, deleteFile: DataFile) {
    const { metadata } = await client.loadTable(['ns'], 't');
    const head = metadata.snapshots!.find((s) => s.snapshotId === metadata.refs.main.snapshotId)!;
    const list = readManifestList(await h.objects.read(head.manifestList!));
    const manifestBytes = writeManifest({
      formatVersion: 2,
      schemaJson: '{}',
      schemaId: 0,
      partitionSpecJson: '[]',
      specId: 0,
      partitionType: { type: 'struct', fields: [] },
      content: 'deletes',
      entries: [{ status: 'added', snapshotId, dataFile: deleteFile }],
    });
    const manifestPath = `${metadata.location}/metadata/${randomUUID()}-m0.avro`;
    await h.objects.write(manifestPath, manifestBytes);
    const sequenceNumber = metadata.lastSequenceNumber + 1n;
    const listPath = `${metadata.location}/metadata/snap-${snapshotId}-1-${randomUUID()}.avro`;
    await h.objects.write(
      listPath,
      writeManifestList({
        formatVersion: 2,
        snapshotId,
        parentSnapshotId: head.snapshotId,
        sequenceNumber,
        manifests: [
          { manifestPath, manifestLength: BigInt(manifestBytes.length), partitionSpecId: 0, content: 'deletes', addedSnapshotId: snapshotId, addedFilesCount: 1, existingFilesCount: 0, deletedFilesCount: 0, addedRowsCount: deleteFile.recordCount, existingRowsCount: 0n, deletedRowsCount: 0n },
          ...list.manifests,
        ],
      }),
    ); // prettier-ignore
    await client.commitTable(['ns'], 't', [{ type: 'assert-ref-snapshot-id', ref: 'main', snapshotId: head.snapshotId }], [
      { action: 'add-snapshot', snapshot: { snapshotId, parentSnapshotId: head.snapshotId, sequenceNumber, timestampMs: Date.now(), manifestList: listPath, summary: { operation: 'delete' }, schemaId: 0 } },
      { action: 'set-snapshot-ref', refName: 'main', type: 'branch', snapshotId },
    ]); // prettier-ignore
    return head;
  }

  const rows = Array.from({ length: 5 }, (_, i) => ({ id: BigInt(i), at: 1_709_212_455_123_456n + BigInt(i), amount: BigInt(i * 100 + 5), tags: i % 2 ? ['a', null] : null }));

  it('reads rows exactly (micros, unscaled decimals, nested), up to the limit, across files', async () => {
    expect((await h.request('POST', '/v1/namespaces/ns/tables', { name: 't', schema: SCHEMA })).status).toBe(200);
    const append = (r: typeof rows) => appendRows({ client, store: h.objects, namespace: ['ns'], table: 't', rows: r, newId: randomUUID });
    await append(rows.slice(0, 3));
    await append(rows.slice(3));
    const { metadata } = await client.loadTable(['ns'], 't');
    const all = await headRows(metadata, h.objects, { limit: 10 });
    expect(all.filesTotal).toBe(2);
    expect(all.rows.map((r) => r.id).sort()).toEqual([0n, 1n, 2n, 3n, 4n]);
    const one = all.rows.find((r) => r.id === 1n)!;
    expect(one).toEqual({ id: 1n, at: 1_709_212_455_123_457n, amount: 105n, tags: ['a', null] });
    const two = await headRows(metadata, h.objects, { limit: 2, columns: ['amount', 'id'] });
    expect(two.rows).toHaveLength(2);
    expect(Object.keys(two.rows[0])).toEqual(['amount', 'id']);
    expect(two.filesRead).toBe(1);
    await expect(headRows(metadata, h.objects, { limit: 1, columns: ['nope'] })).rejects.toThrow('No column nope in the table (id, at, amount, tags)');
  });

  it('never shows a row a position delete removed', async () => {
    const { metadata } = await client.loadTable(['ns'], 't');
    const current = metadata.snapshots!.find((s) => s.snapshotId === metadata.refs.main.snapshotId)!;
    const list = readManifestList(await h.objects.read(current.manifestList!));
    // The newest data file (rows 3 and 4): delete position 0 (row id 3).
    expect((await headRows(metadata, h.objects, { limit: 10 })).rows.some((r) => r.id === 3n)).toBe(true);
    const dataFile = readManifest(await h.objects.read(list.manifests[0].manifestPath), { manifest: list.manifests[0] }).entries[0].dataFile;
    const deletes = await writeParquetFile(POSITION_DELETES, arrowTableOf(POSITION_DELETES, [{ file_path: dataFile.filePath, pos: 0n }]));
    const deletePath = `${metadata.location}/data/deletes-${randomUUID()}.parquet`;
    await h.objects.write(deletePath, deletes.bytes);
    const before = await addDeleteSnapshot(424242n, {
      content: 'position-deletes',
      filePath: deletePath,
      fileFormat: 'PARQUET',
      partition: [],
      recordCount: 1n,
      fileSizeInBytes: BigInt(deletes.bytes.length),
    });
    const after = await headRows((await client.loadTable(['ns'], 't')).metadata, h.objects, { limit: 10 });
    expect(after.rows.map((r) => r.id).sort()).toEqual([0n, 1n, 2n, 4n]);
    expect(after.deletedSkipped).toBe(1);
    // The snapshot before the delete still shows the row.
    const earlier = await headRows((await client.loadTable(['ns'], 't')).metadata, h.objects, { limit: 10, snapshotId: before.snapshotId });
    expect(earlier.rows.map((r) => r.id).sort()).toEqual([0n, 1n, 2n, 3n, 4n]);
  });

  it('applies equality deletes to older data only', async () => {
    const { metadata } = await client.loadTable(['ns'], 't');
    const idOnly: Schema = { type: 'struct', schemaId: 0, fields: [{ id: 1, name: 'id', required: true, type: 'long' }] };
    const eq = await writeParquetFile(idOnly, arrowTableOf(idOnly, [{ id: 0n }, { id: 2n }, { id: 99n }]));
    const eqPath = `${metadata.location}/data/eq-${randomUUID()}.parquet`;
    await h.objects.write(eqPath, eq.bytes);
    await addDeleteSnapshot(515151n, {
      content: 'equality-deletes',
      filePath: eqPath,
      fileFormat: 'PARQUET',
      partition: [],
      recordCount: 3n,
      fileSizeInBytes: BigInt(eq.bytes.length),
      equalityIds: [1],
    });
    // The delete file applies to both data files and is read once.
    const reads: string[] = [];
    const counting = Object.assign(Object.create(h.objects), { read: (l: string) => (reads.push(l), h.objects.read(l)) });
    const afterDelete = await headRows((await client.loadTable(['ns'], 't')).metadata, counting, { limit: 10 });
    expect(afterDelete.filesRead).toBe(2);
    expect(reads.filter((l) => l === eqPath)).toHaveLength(1);
    expect(afterDelete.rows.map((r) => r.id).sort()).toEqual([1n, 4n]);
    expect(afterDelete.deletedSkipped).toBe(3); // 0 and 2 by key, 3 by position
    // A row written after the delete (a higher data sequence number) with a deleted key is live.
    await appendRows({ client, store: h.objects, namespace: ['ns'], table: 't', rows: [{ id: 2n, at: null, amount: 7n, tags: null }], newId: randomUUID });
    const later = await headRows((await client.loadTable(['ns'], 't')).metadata, h.objects, { limit: 10 });
    expect(later.rows.map((r) => r.id).sort()).toEqual([1n, 2n, 4n]);
    expect(later.rows.find((r) => r.id === 2n)!.amount).toBe(7n);
  });

  it('refuses deletion vectors instead of showing deleted rows', async () => {
    const { metadata } = await client.loadTable(['ns'], 't');
    await addDeleteSnapshot(616161n, {
      content: 'position-deletes',
      filePath: `${metadata.location}/data/dv.puffin`,
      fileFormat: 'PUFFIN',
      partition: [],
      recordCount: 1n,
      fileSizeInBytes: 10n,
      referencedDataFile: 'x',
      contentOffset: 4n,
      contentSizeInBytes: 6n,
    });
    const now = (await client.loadTable(['ns'], 't')).metadata;
    await expect(headRows(now, h.objects, { limit: 10 })).rejects.toBeInstanceOf(UnsupportedDeletesError);
    await expect(headRows(now, h.objects, { limit: 10 })).rejects.toThrow(/has deletion vectors .*dv\.puffin.*read the table with an engine/);
  });
});
