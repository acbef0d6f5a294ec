/**
 * `appendRows` against lakecat's HTTP API in-process: the data client writes Parquet files, a
 * manifest and a manifest list, commits them like an engine, survives lost races, and leaves
 * nothing behind when it fails.
 */
import { randomUUID } from 'node:crypto';
import { parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendRows } from '../../src/data/append.js';
import { IcebergRestClient } from '../../src/data/rest-client.js';
import { readManifest, readManifestList } from '../../src/iceberg/manifest/index.js';
import { fromSingleValueBytes } from '../../src/iceberg/single-value.js';
import { inProcessClient } from './in-process.js';
import { createHarness, type Harness } from '../rest/harness.js';

const SCHEMA = {
  type: 'struct',
  'schema-id': 0,
  fields: [
    { id: 1, name: 'device', required: true, type: 'string' },
    { id: 2, name: 'taken_at', required: true, type: 'timestamptz' },
    { id: 3, name: 'glucose', required: false, type: 'int' },
  ],
};
const SPEC = { 'spec-id': 0, fields: [{ 'source-id': 2, 'field-id': 1000, name: 'taken_at_day', transform: 'day' }] };
const micros = (iso: string) => BigInt(Date.parse(iso)) * 1000n;

describe('appending rows as a data client', () => {
  let h: Harness;
  let client: IcebergRestClient;
  const ns = ['raw'];
  beforeAll(async () => {
    h = await createHarness();
    await h.request('POST', '/v1/namespaces', { namespace: ns });
    client = inProcessClient(h);
  });
  afterAll(async () => {
    await h?.close();
  });

  const createTable = async (name: string, properties: Record<string, string> = {}) => {
    const r = await h.request('POST', '/v1/namespaces/raw/tables', { name, schema: SCHEMA, 'partition-spec': SPEC, properties });
    expect(r.status).toBe(200);
    return r.body.metadata.location as string;
  };
  const append = (table: string, rows: Record<string, unknown>[]) =>
    appendRows({ client, store: h.objects, namespace: ns, table, rows, newId: randomUUID });

  const readingsDay1 = [
    { device: 'cgm-1', taken_at: micros('2024-03-01T08:00:00Z'), glucose: 95 },
    { device: 'cgm-2', taken_at: micros('2024-03-01T09:00:00Z'), glucose: null },
  ];
  const readingsDay2 = [{ device: 'cgm-1', taken_at: micros('2024-03-02T08:00:00Z'), glucose: 180 }];

  it('writes one file per partition, a manifest and a list, and commits one append snapshot', async () => {
    await createTable('readings', { 'write.parquet.compression-codec': 'snappy' });
    const first = await append('readings', [...readingsDay1, ...readingsDay2]);
    expect(first.attempts).toBe(1);
    expect(first.dataFiles.map((f) => f.partition)).toEqual([[19783], [19784]]);
    expect(first.dataFiles.map((f) => f.filePath)).toEqual([
      expect.stringMatching(/\/raw\/readings[^/]*\/data\/taken_at_day=2024-03-01\/00000-[0-9a-f-]+\.parquet$/),
      expect.stringMatching(/\/data\/taken_at_day=2024-03-02\/00001-[0-9a-f-]+\.parquet$/),
    ]);

    const loaded = await client.loadTable(ns, 'readings');
    const snapshot = loaded.metadata.snapshots!.find((s) => s.snapshotId === first.snapshotId)!;
    expect(loaded.metadata.refs.main.snapshotId).toBe(first.snapshotId);
    expect(snapshot.summary).toEqual({
      operation: 'append',
      'added-data-files': '2',
      'added-records': '3',
      'added-files-size': String(first.dataFiles.reduce((s, f) => s + f.fileSizeInBytes, 0n)),
      'changed-partition-count': '2',
      'total-records': '3',
      'total-files-size': String(first.dataFiles.reduce((s, f) => s + f.fileSizeInBytes, 0n)),
      'total-data-files': '2',
      'total-delete-files': '0',
      'total-position-deletes': '0',
      'total-equality-deletes': '0',
    });

    const list = readManifestList(await h.objects.read(snapshot.manifestList!));
    expect(list.manifests).toHaveLength(1);
    const [entry] = list.manifests;
    expect(entry).toMatchObject({ addedFilesCount: 2, addedRowsCount: 3n, sequenceNumber: 1n, partitionSpecId: 0 });
    expect(entry.partitions![0]).toMatchObject({ containsNull: false });
    expect(fromSingleValueBytes('date', entry.partitions![0].lowerBound!)).toBe(19783);
    expect(fromSingleValueBytes('date', entry.partitions![0].upperBound!)).toBe(19784);
    const manifest = readManifest(await h.objects.read(entry.manifestPath));
    expect(manifest.entries.map((e) => [e.status, e.dataFile.recordCount])).toEqual([['added', 2n], ['added', 1n]]);
    const day1 = manifest.entries[0].dataFile;
    expect(fromSingleValueBytes('string', day1.lowerBounds!.get(1)!)).toBe('cgm-1');
    expect(day1.nullValueCounts!.get(3)).toBe(1n);

    const bytes = await h.objects.read(day1.filePath);
    const rows = await parquetReadObjects({ file: bytes.slice().buffer });
    expect(rows.map((r) => [r.device, r.glucose])).toEqual([['cgm-1', 95], ['cgm-2', null]]);
  });

  it('stacks a second append on the first: the new manifest first, the earlier one carried, totals added up', async () => {
    const second = await append('readings', [{ device: 'cgm-3', taken_at: micros('2024-03-02T10:00:00Z'), glucose: 77 }]);
    const loaded = await client.loadTable(ns, 'readings');
    const snapshot = loaded.metadata.snapshots!.find((s) => s.snapshotId === second.snapshotId)!;
    expect(snapshot.summary['total-records']).toBe('4');
    expect(snapshot.summary['total-data-files']).toBe('3');
    const list = readManifestList(await h.objects.read(snapshot.manifestList!));
    expect(list.manifests.map((m) => [m.addedSnapshotId, m.sequenceNumber])).toEqual([
      [second.snapshotId, 2n],
      [snapshot.parentSnapshotId, 1n],
    ]);
  });

  it('wins lost races by rewriting only the manifest list: concurrent appends all land', async () => {
    await createTable('busy');
    // The first commit of every writer waits until all four are ready to commit: each commits
    // against the same table head, so three of them lose a race, whatever the timing of the writes.
    let arrived = 0;
    let release!: () => void;
    const allReady = new Promise<void>((resolve) => (release = resolve));
    const racing = new IcebergRestClient({
      url: 'http://lakecat',
      fetch: async (url, init) => {
        if (init?.method === 'POST' && url.endsWith('/tables/busy') && arrived < 4) {
          if (++arrived === 4) release();
          await allReady;
        }
        return h.app.hono.request(url.replace('http://lakecat', ''), init);
      },
    });
    const results = await Promise.all(
      Array.from({ length: 4 }, (_, i) =>
        appendRows({ client: racing, store: h.objects, namespace: ns, table: 'busy', rows: [{ device: `d${i}`, taken_at: micros('2024-03-01T00:00:00Z'), glucose: i }], newId: randomUUID }),
      ),
    );
    expect(results.filter((r) => r.attempts === 1)).toHaveLength(1);
    expect(results.filter((r) => r.attempts > 1)).toHaveLength(3);
    const loaded = await client.loadTable(ns, 'busy');
    const head = loaded.metadata.snapshots!.find((s) => s.snapshotId === loaded.metadata.refs.main.snapshotId)!;
    expect(head.summary['total-records']).toBe('4');
    const list = readManifestList(await h.objects.read(head.manifestList!));
    expect(new Set(list.manifests.map((m) => m.addedSnapshotId))).toEqual(new Set(results.map((r) => r.snapshotId)));
  });

  it('commits nothing and leaves no file behind when a value does not fit', async () => {
    const location = await createTable('strict');
    const before = await listed(location);
    await expect(append('strict', [{ device: 'x', taken_at: micros('2024-03-01T00:00:00Z'), glucose: 1 }, { device: 'y', taken_at: 'yesterday' }])).rejects.toThrow(
      /^taken_at: row 2 cannot be partitioned by day: Invalid timestamptz value: yesterday$/,
    );
    // The bad value sits in the second partition, after the first one's file was written.
    await expect(append('strict', [...readingsDay1, { device: 'z', taken_at: micros('2024-03-02T00:00:00Z'), glucose: 'high' }])).rejects.toThrow(
      /^glucose: row 1 holds the string "high", not a 32-bit integer$/,
    );
    expect((await client.loadTable(ns, 'strict')).metadata.snapshots ?? []).toEqual([]);
    expect(await listed(location)).toEqual(before);
  });

  it('deletes what it wrote when the commit is refused for good', async () => {
    const location = await createTable('doomed');
    const before = await listed(location);
    // A branch that disappears under the client: every attempt is a definite 404, never retried.
    const gone = new IcebergRestClient({
      url: 'http://lakecat',
      fetch: async (url, init) => {
        if (init?.method === 'POST') await h.request('DELETE', '/v1/namespaces/raw/tables/doomed');
        return h.app.hono.request(url.replace('http://lakecat', ''), init);
      },
    });
    await expect(
      appendRows({ client: gone, store: h.objects, namespace: ns, table: 'doomed', rows: readingsDay2, newId: randomUUID }),
    ).rejects.toMatchObject({ name: 'RestError', status: 404 });
    expect(await listed(location)).toEqual(before);
  });

  async function listed(location: string): Promise<string[]> {
    const out: string[] = [];
    for await (const o of h.objects.list(location)) out.push(o.location);
    return out.sort();
  }
});

describe('overwriting a table as a data client', () => {
  let h: Harness;
  let client: IcebergRestClient;
  beforeAll(async () => {
    h = await createHarness();
    await h.request('POST', '/v1/namespaces', { namespace: ['raw'] });
    client = inProcessClient(h);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('replaces every row in one overwrite snapshot, the earlier files listed as DELETED', async () => {
    expect((await h.request('POST', '/v1/namespaces/raw/tables', { name: 'daily', schema: SCHEMA, 'partition-spec': SPEC })).status).toBe(200);
    const at = (day: string) => micros(`${day}T08:00:00Z`);
    const write = (rows: Record<string, unknown>[], mode: 'append' | 'overwrite') =>
      appendRows({ client, store: h.objects, namespace: ['raw'], table: 'daily', rows, newId: randomUUID, mode });
    await write([{ device: 'a', taken_at: at('2024-03-01'), glucose: 1 }, { device: 'b', taken_at: at('2024-03-02'), glucose: 2 }], 'append');
    await write([{ device: 'c', taken_at: at('2024-03-02'), glucose: 3 }], 'append');
    const replaced = await write([{ device: 'z', taken_at: at('2024-03-05'), glucose: 9 }], 'overwrite');

    const { metadata } = await client.loadTable(['raw'], 'daily');
    const snapshot = metadata.snapshots!.find((s) => s.snapshotId === replaced.snapshotId)!;
    expect(snapshot.summary).toMatchObject({
      operation: 'overwrite',
      'added-data-files': '1',
      'added-records': '1',
      'deleted-data-files': '3',
      'deleted-records': '3',
      'changed-partition-count': '3',
      'total-records': '1',
      'total-data-files': '1',
    });
    const list = readManifestList(await h.objects.read(snapshot.manifestList!));
    const entries = await Promise.all(list.manifests.map(async (m) => readManifest(await h.objects.read(m.manifestPath), { manifest: m }).entries));
    const live = entries.flat().filter((e) => e.status !== 'deleted');
    expect(live.map((e) => e.dataFile.recordCount)).toEqual([1n]);
    const deleted = entries.flat().filter((e) => e.status === 'deleted');
    expect(deleted).toHaveLength(3);
    expect(deleted.every((e) => e.snapshotId === replaced.snapshotId && e.sequenceNumber !== undefined)).toBe(true);
    expect(list.manifests.filter((m) => m.deletedFilesCount! > 0).map((m) => m.deletedRowsCount)).toEqual([1n, 2n]);
    // An overwrite of an overwritten table deletes only what is live now.
    const again = await write([{ device: 'y', taken_at: at('2024-03-06'), glucose: 8 }], 'overwrite');
    const after = (await client.loadTable(['raw'], 'daily')).metadata.snapshots!.find((s) => s.snapshotId === again.snapshotId)!;
    expect(after.summary).toMatchObject({ 'deleted-data-files': '1', 'deleted-records': '1', 'total-records': '1' });
  });
});
