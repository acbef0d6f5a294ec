/**
 * `applyChanges` (lakecat cdc apply) against lakecat's HTTP API in-process: copy-on-write and
 * equality deletes give the rows an independent replay of the events gives; only the files whose
 * key bounds may hold a touched key are rewritten; a replay changes nothing; two runners on one
 * source make one commit; bad events commit nothing and leave no file behind.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendRows } from '../../src/data/append.js';
import { applyChanges, CDC_POSITION_KEY, CDC_SOURCE_KEY, mayHoldAny } from '../../src/data/cdc.js';
import { readDebeziumEvents } from '../../src/data/debezium.js';
import { currentSchema } from '../../src/data/append.js';
import { headRows } from '../../src/data/head.js';
import { liveFiles, readFileRows } from '../../src/data/read-rows.js';
import { InputError } from '../../src/data/inputs.js';
import { IcebergRestClient } from '../../src/data/rest-client.js';
import type { ConfiguredObjectStore } from '../../src/io/index.js';
import type { DataFile } from '../../src/iceberg/manifest/index.js';
import { inProcessClient } from './in-process.js';
import { createHarness, type Harness } from '../rest/harness.js';

const SCHEMA = {
  type: 'struct',
  'schema-id': 0,
  'identifier-field-ids': [1],
  fields: [
    { id: 1, name: 'id', required: true, type: 'long' },
    { id: 2, name: 'name', required: false, type: 'string' },
    { id: 3, name: 'updated', required: false, type: 'timestamptz' },
    { id: 4, name: 'born', required: false, type: 'date' },
  ],
};

type Customer = { id: number; name: string; updated?: number; born?: number };

/** A Debezium envelope as the PostgreSQL connector writes it (timestamps as micros, dates as days). */
function event(op: string, before: Customer | null, after: Customer | null, lsn: number): string {
  const row = (c: Customer | null) => c && { id: c.id, name: c.name, updated: c.updated ?? null, born: c.born ?? null };
  return JSON.stringify({
    schema: { type: 'struct', name: 'pg.public.customers.Envelope' },
    payload: {
      before: row(before),
      after: row(after),
      source: { connector: 'postgresql', name: 'pg', db: 'shop', schema: 'public', table: 'customers', lsn, sequence: JSON.stringify(['1000', String(lsn)]) },
      op,
      ts_ms: 1_700_000_000_000,
    },
  });
}

const initial: Customer[] = Array.from({ length: 10 }, (_, i) => ({ id: i + 1, name: `c${i + 1}`, updated: 1_700_000_000_000_000 + i, born: 10_000 + i }));

const changes = [
  event('u', initial[1], { ...initial[1], name: 'c2 renamed', updated: 1_700_000_100_000_000 }, 2001),
  event('d', initial[6], null, 2002),
  event('c', null, { id: 11, name: 'c11', updated: 1_700_000_200_000_000, born: 11_000 }, 2003),
  event('u', initial[2], { ...initial[2], id: 30 }, 2004), // a primary key change
  event('c', null, { id: 12, name: 'short-lived' }, 2005),
  event('d', { id: 12, name: 'short-lived' }, null, 2006),
].join('\n');

/** The rows after the events, computed independently of lakecat. */
function expected(): Map<bigint, string> {
  const rows = new Map(initial.map((c) => [BigInt(c.id), c.name]));
  rows.set(2n, 'c2 renamed');
  rows.delete(7n);
  rows.set(11n, 'c11');
  rows.delete(3n);
  rows.set(30n, 'c3');
  return rows;
}

describe('applying change events', () => {
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

  async function table(name: string, extra: object = {}) {
    expect((await h.request('POST', '/v1/namespaces/ns/tables', { name, schema: SCHEMA, ...extra })).status).toBe(200);
    const row = (c: Customer) => ({ id: BigInt(c.id), name: c.name, updated: BigInt(c.updated!), born: c.born });
    // Two files: ids 1-5 and 6-10.
    await appendRows({ client, store: h.objects, namespace: ['ns'], table: name, rows: initial.slice(0, 5).map(row), newId: randomUUID });
    await appendRows({ client, store: h.objects, namespace: ['ns'], table: name, rows: initial.slice(5).map(row), newId: randomUUID });
  }
  const apply = (name: string, text: string, opts: { mode?: 'cow' | 'equality'; key?: string[] } = {}) =>
    applyChanges({ client, namespace: ['ns'], table: name, events: readDebeziumEvents('customers.ndjson', text), newId: randomUUID, storeFor: (location) => ({ store: h.objects, warehouse: location, close() {} }) as ConfiguredObjectStore, ...opts });
  const rowsOf = async (name: string) => {
    const { metadata } = await client.loadTable(['ns'], name);
    const read = await headRows(metadata, h.objects, { limit: 1000 });
    return new Map(read.rows.map((r) => [r.id as bigint, r.name as string]));
  };
  /** The objects under a table's location (memory in the unit suite, MinIO in the services suite). */
  async function files(name: string): Promise<string[]> {
    const { metadata } = await client.loadTable(['ns'], name);
    const out: string[] = [];
    for await (const o of h.objects.list(metadata.location)) out.push(o.location);
    return out.sort();
  }

  it('copy-on-write: rewrites the files that hold touched keys, and reads back like a replay', async () => {
    await table('cow');
    const result = await apply('cow', changes);
    expect(result.snapshotId).toBeDefined();
    expect(result).toMatchObject({ sourceId: 'pg/shop.public.customers', applied: 6, skipped: 0, upserted: 3, deleted: 3, truncated: false, rewrittenFiles: 2, position: '[1000,2006]' });
    expect(await rowsOf('cow')).toEqual(expected());
    const { metadata } = await client.loadTable(['ns'], 'cow');
    const snapshot = metadata.snapshots!.find((s) => s.snapshotId === result.snapshotId)!;
    expect(snapshot.summary).toMatchObject({
      operation: 'overwrite',
      'deleted-data-files': '2',
      'deleted-records': '10',
      'added-records': '10',
      'total-records': '10',
      'total-data-files': String(result.dataFiles.length),
      [CDC_SOURCE_KEY]: 'pg/shop.public.customers',
      [CDC_POSITION_KEY]: '[1000,2006]',
    });
    // The exact values came through: micros, days.
    const all = await headRows(metadata, h.objects, { limit: 100 });
    expect(all.rows.find((r) => r.id === 2n)).toEqual({ id: 2n, name: 'c2 renamed', updated: 1_700_000_100_000_000n, born: 10_001 });
  });

  it('rewrites only a file whose key bounds may hold a touched key', async () => {
    const result = await apply('cow', event('u', { id: 8, name: 'c8' }, { id: 8, name: 'c8 again' }, 3001));
    expect(result.rewrittenFiles).toBe(1);
    const rows = await rowsOf('cow');
    expect(rows.get(8n)).toBe('c8 again');
    expect(rows.size).toBe(10);
  });

  it('a replay changes nothing; a batch overlapping the last one applies only its new events', async () => {
    const before = (await client.loadTable(['ns'], 'cow')).metadata.snapshots!.length;
    const again = await apply('cow', changes);
    expect(again.snapshotId).toBeUndefined();
    expect(again).toMatchObject({ skipped: 6, applied: 0, position: '[1000,3001]' });
    expect((await client.loadTable(['ns'], 'cow')).metadata.snapshots!.length).toBe(before);
    const overlapping = await apply('cow', [event('u', { id: 8, name: 'c8' }, { id: 8, name: 'c8 again' }, 3001), event('c', null, { id: 40, name: 'c40' }, 3002)].join('\n'));
    expect(overlapping).toMatchObject({ skipped: 1, applied: 1, upserted: 1 });
    expect((await rowsOf('cow')).get(40n)).toBe('c40');
  });

  it('equality deletes: new rows and key deletes, nothing old read, same rows', async () => {
    await table('eq');
    const result = await apply('eq', changes, { mode: 'equality' });
    expect(result).toMatchObject({ rewrittenFiles: 0, upserted: 3, deleted: 3 });
    expect(result.deleteFiles).toHaveLength(1);
    expect(result.deleteFiles[0]).toMatchObject({ content: 'equality-deletes', equalityIds: [1], recordCount: 6n });
    expect(await rowsOf('eq')).toEqual(expected());
    const { metadata } = await client.loadTable(['ns'], 'eq');
    expect(metadata.snapshots!.find((s) => s.snapshotId === result.snapshotId)!.summary).toMatchObject({
      operation: 'overwrite',
      'added-records': '3',
      'added-delete-files': '1',
      'added-equality-delete-files': '1',
      'added-equality-deletes': '6',
      'total-equality-deletes': '6',
      'total-delete-files': '1',
    });
    // A later copy-on-write on top of equality deletes keeps them applied.
    await apply('eq', event('u', { id: 30, name: 'c3' }, { id: 30, name: 'c30' }, 4001));
    const rows = await rowsOf('eq');
    expect(rows.get(30n)).toBe('c30');
    expect(rows.has(3n)).toBe(false);
    expect(rows.has(7n)).toBe(false);
  });

  it('two runners on one source make one commit', async () => {
    await table('race');
    const before = (await client.loadTable(['ns'], 'race')).metadata.snapshots!.length;
    const results = await Promise.all([apply('race', changes), apply('race', changes)]);
    expect(results.filter((r) => r.snapshotId !== undefined)).toHaveLength(1);
    expect(results.filter((r) => r.snapshotId === undefined && r.skipped === 6 && r.attempts === 2)).toHaveLength(1);
    expect((await client.loadTable(['ns'], 'race')).metadata.snapshots!.length).toBe(before + 1);
    expect(await rowsOf('race')).toEqual(expected());
  });

  it('a truncate removes every earlier row', async () => {
    await table('trunc');
    const result = await apply('trunc', [event('t', null, null, 5001), event('c', null, { id: 99, name: 'after truncate' }, 5002)].join('\n'));
    expect(result.truncated).toBe(true);
    expect(await rowsOf('trunc')).toEqual(new Map([[99n, 'after truncate']]));
  });

  it('bad events commit nothing and leave no file', async () => {
    await table('bad');
    const snapshots = (await client.loadTable(['ns'], 'bad')).metadata.snapshots!.length;
    const stored = await files('bad');
    const wrongType = [event('c', null, { id: 50, name: 'ok' }, 6001), event('c', null, { id: 'fifty-one' as unknown as number, name: 'x' }, 6002)].join('\n');
    await expect(apply('bad', wrongType)).rejects.toThrow(/customers\.ndjson:2 \(after\): column id: /);
    await expect(apply('bad', JSON.stringify({ op: 'c', after: { id: 1, nick: 'x' }, source: { lsn: 1 } }))).rejects.toThrow('customers.ndjson:1 (after): column nick not in the table (id, name, updated, born)');
    await expect(apply('bad', changes, { key: ['nope'] })).rejects.toThrow(/No column nope in bad/);
    expect(() => readDebeziumEvents('customers.ndjson', JSON.stringify({ op: 'x', after: {} }))).toThrow(InputError);
    expect((await client.loadTable(['ns'], 'bad')).metadata.snapshots!.length).toBe(snapshots);
    expect(await files('bad')).toEqual(stored);
  });

  it('equality mode needs a v2+ table and the partition source columns in the key', async () => {
    await table('parted', { 'partition-spec': { 'spec-id': 0, fields: [{ 'source-id': 4, 'field-id': 1000, name: 'born_year', transform: 'year' }] } });
    await expect(apply('parted', changes, { mode: 'equality' })).rejects.toThrow(/partitioned by born, which the key \(id\) does not hold/);
    await table('v1', { properties: { 'format-version': '1' } });
    await expect(apply('v1', changes, { mode: 'equality' })).rejects.toThrow('v1 is a format v1 table, which cannot hold delete files: use --mode cow');
    await apply('v1', changes);
    expect(await rowsOf('v1')).toEqual(expected());
    // Copy-on-write works on any partitioning.
    await apply('parted', changes);
    expect(await rowsOf('parted')).toEqual(expected());
  });

  it('keeps row lineage on a v3 table (first-row-id covers the rewritten rows)', async () => {
    await table('v3', { properties: { 'format-version': '3' } });
    const before = (await client.loadTable(['ns'], 'v3')).metadata;
    const result = await apply('v3', changes);
    const after = (await client.loadTable(['ns'], 'v3')).metadata;
    const snapshot = after.snapshots!.find((s) => s.snapshotId === result.snapshotId)!;
    expect(snapshot.firstRowId).toBe(before.nextRowId);
    // Both old files were rewritten: their EXISTING-free manifests take no ids, the 10 rows written
    // do (counted whole, as Java counts them, though 8 of them carry the ids they had).
    expect(snapshot.addedRows).toBe(10n);
    expect(after.nextRowId).toBe(before.nextRowId! + 10n);
    expect(await rowsOf('v3')).toEqual(expected());
    // Lineage: moved rows keep row id and sequence number, the updated row keeps its row id with
    // this snapshot's sequence number, new rows (an insert, a changed key) get new ids.
    const live = await liveFiles(h.objects, snapshot);
    const ctx = { store: h.objects, metadata: after, schema: currentSchema(after), deletes: live.deletes };
    const lineage = new Map<bigint, [bigint, bigint]>();
    for (const file of live.data) {
      for (const r of (await readFileRows(ctx, file, { lineage: true })).rows) lineage.set(r.id as bigint, [r._row_id as bigint, r._last_updated_sequence_number as bigint]);
    }
    const seq = snapshot.sequenceNumber!;
    expect(Object.fromEntries([1n, 2n, 4n, 5n, 6n, 8n, 9n, 10n].map((id) => [String(id), lineage.get(id)]))).toEqual({
      '1': [0n, 1n], '2': [1n, seq], '4': [3n, 1n], '5': [4n, 1n], '6': [5n, 2n], '8': [7n, 2n], '9': [8n, 2n], '10': [9n, 2n],
    }); // prettier-ignore
    const fresh = [lineage.get(11n)![0], lineage.get(30n)![0]];
    expect(fresh.every((id) => id >= 10n && id < after.nextRowId!)).toBe(true);
    expect(new Set(fresh).size).toBe(2);
  });

  it('judges key bounds, truncated strings included', () => {
    const field = { id: 1, name: 'k', required: true, type: 'string' } as const;
    const enc = (s: string) => new TextEncoder().encode(s);
    const file: DataFile = {
      content: 'data',
      filePath: 'f',
      fileFormat: 'PARQUET',
      partition: [],
      recordCount: 2n,
      fileSizeInBytes: 1n,
      lowerBounds: new Map([[1, enc('apple')]]),
      upperBounds: new Map([[1, enc('apq')]]), // a truncated upper bound of 'apple pie'
    };
    expect(mayHoldAny(file, [field], [['apple pie']])).toBe(true);
    expect(mayHoldAny(file, [field], [['apricot']])).toBe(false);
    expect(mayHoldAny(file, [field], [['aardvark'], ['b']])).toBe(false);
    expect(mayHoldAny({ ...file, lowerBounds: undefined, upperBounds: undefined }, [field], [['zzz']])).toBe(true);
    expect(mayHoldAny({ ...file, valueCounts: new Map([[1, 2n]]), nullValueCounts: new Map([[1, 2n]]) }, [field], [['apple']])).toBe(false);
  });
});
