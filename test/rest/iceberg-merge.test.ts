/**
 * Catalog merges at the Iceberg level, over HTTP: a table appended on both `main` and `dev` is
 * merged (dev's snapshots replayed after main's), through the Nessie API, as a dry run first;
 * a table whose schema both sides changed stays a conflict that says why, and changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readManifest, readManifestList, writeManifest, writeManifestList } from '../../src/iceberg/manifest/index.js';
import { createHarness, type Harness } from './harness.js';
import { SCHEMA } from './requests.js';

describe('merging tables changed on both sides at the Iceberg level', () => {
  let h: Harness;
  let nextId = 5000;
  const head = async (ref: string) => (await h.request('GET', `/api/v2/trees/${ref}`)).body.reference.hash as string;
  const load = async (ref: string, table: string) => (await h.request('GET', `/v1/${ref}/namespaces/db/tables/${table}`)).body.metadata;

  /** What an engine's append does: a manifest with the new files, a manifest list, one REST commit. */
  async function append(ref: string, table: string, paths: string[], rows = 10): Promise<number> {
    const m = await load(ref, table);
    const id = ++nextId;
    const parent = m.snapshots?.find((s: any) => s['snapshot-id'] === m['current-snapshot-id']);
    const seq = BigInt(m['last-sequence-number']) + 1n;
    const manifestPath = `${m.location}/metadata/${id}-m0.avro`;
    const manifest = writeManifest({
      formatVersion: 2,
      schemaJson: JSON.stringify(m.schemas.find((s: any) => s['schema-id'] === m['current-schema-id'])),
      schemaId: m['current-schema-id'],
      partitionSpecJson: '[]',
      specId: 0,
      partitionType: { type: 'struct', fields: [] },
      content: 'data',
      entries: paths.map((p) => ({
        status: 'added' as const,
        snapshotId: BigInt(id),
        dataFile: { content: 'data' as const, filePath: `${m.location}/data/${p}`, fileFormat: 'PARQUET', partition: [], recordCount: BigInt(rows), fileSizeInBytes: 1000n },
      })),
    });
    await h.objects.write(manifestPath, manifest);
    const previous = parent ? readManifestList(await h.objects.read(parent['manifest-list'])).manifests : [];
    const listPath = `${m.location}/metadata/snap-${id}.avro`;
    await h.objects.write(
      listPath,
      writeManifestList({
        formatVersion: 2,
        snapshotId: BigInt(id),
        ...(parent ? { parentSnapshotId: BigInt(parent['snapshot-id']) } : {}),
        sequenceNumber: seq,
        manifests: [
          { manifestPath, manifestLength: BigInt(manifest.length), partitionSpecId: 0, content: 'data', addedSnapshotId: BigInt(id), addedFilesCount: paths.length, existingFilesCount: 0, deletedFilesCount: 0, addedRowsCount: BigInt(rows * paths.length), existingRowsCount: 0n, deletedRowsCount: 0n },
          ...previous,
        ],
      }),
    );
    const total = (k: string, add: number) => String(Number(parent?.summary?.[k] ?? 0) + add);
    const r = await h.request('POST', `/v1/${ref}/namespaces/db/tables/${table}`, {
      requirements: [{ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': parent ? parent['snapshot-id'] : null }],
      updates: [
        {
          action: 'add-snapshot',
          snapshot: {
            'snapshot-id': id,
            ...(parent ? { 'parent-snapshot-id': parent['snapshot-id'] } : {}),
            'sequence-number': Number(seq),
            'timestamp-ms': Date.now(),
            'manifest-list': listPath,
            summary: { operation: 'append', 'added-data-files': String(paths.length), 'added-records': String(rows * paths.length), 'total-data-files': total('total-data-files', paths.length), 'total-records': total('total-records', rows * paths.length) },
            'schema-id': m['current-schema-id'],
          },
        },
        { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': id },
      ],
    });
    expect(r.status, r.text).toBe(200);
    return id;
  }

  async function liveFiles(ref: string, table: string): Promise<string[]> {
    const m = await load(ref, table);
    const current = m.snapshots.find((s: any) => s['snapshot-id'] === m['current-snapshot-id']);
    const out: string[] = [];
    for (const mf of readManifestList(await h.objects.read(current['manifest-list'])).manifests) {
      for (const e of readManifest(await h.objects.read(mf.manifestPath)).entries) if (e.status !== 'deleted') out.push(e.dataFile.filePath.split('/').pop()!);
    }
    return out.sort();
  }

  const merge = async (from: string, body: Record<string, unknown> = {}) =>
    h.request('POST', `/api/v2/trees/main@${await head('main')}/history/merge`, { fromRefName: from, fromHash: await head(from), ...body });

  beforeAll(async () => {
    h = await createHarness();
    expect((await h.request('POST', '/v1/main/namespaces', { namespace: ['db'] })).status).toBe(200);
    for (const t of ['orders', 'events']) {
      expect((await h.request('POST', '/v1/main/namespaces/db/tables', { name: t, schema: SCHEMA, properties: { 'format-version': '2' } })).status).toBe(200);
      await append('main', t, [`${t}-base.parquet`]);
    }
    const main = await head('main');
    expect((await h.request('POST', '/api/v2/trees?name=dev&type=BRANCH', { type: 'BRANCH', name: 'main', hash: main })).status).toBe(200);
  });
  afterAll(() => h?.close());

  it('merges appends made on both sides: a dry run says so, the merge lands every file once', async () => {
    await append('main', 'orders', ['main-1.parquet']);
    await append('dev', 'orders', ['dev-1.parquet', 'dev-2.parquet']);
    const devSnapshot = await append('dev', 'orders', ['dev-3.parquet']);
    const mainBefore = await head('main');

    const dry = await merge('dev', { dryRun: true });
    expect(dry.status, dry.text).toBe(200);
    expect(dry.body.wasSuccessful).toBe(true);
    expect(dry.body.wasApplied).toBe(false);
    expect(await head('main')).toBe(mainBefore);

    const r = await merge('dev');
    expect(r.status, r.text).toBe(200);
    expect(r.body.wasApplied).toBe(true);
    expect(await liveFiles('main', 'orders')).toEqual(['dev-1.parquet', 'dev-2.parquet', 'dev-3.parquet', 'main-1.parquet', 'orders-base.parquet']);
    const m = await load('main', 'orders');
    const replayed = m.snapshots.filter((s: any) => s.summary['source-snapshot-id']);
    expect(replayed).toHaveLength(2);
    expect(replayed.at(-1).summary['source-snapshot-id']).toBe(String(devSnapshot));
    expect(replayed.at(-1).summary).toMatchObject({ 'lakecat.merge.source-ref': 'dev', 'total-data-files': '5', 'total-records': '50' });
    expect(m['current-snapshot-id']).toBe(replayed.at(-1)['snapshot-id']);
    // The merge commit carries dev as its second parent, as any merge does.
    const [commit] = (await h.request('GET', '/api/v2/trees/main/history?max-records=1')).body.logEntries;
    expect(commit.commitMeta.hash).toBe(await head('main'));
    expect(commit.parentCommitHash).toBe(mainBefore);
  });

  it('merges the same branch again later without replaying what it already merged', async () => {
    await append('dev', 'orders', ['dev-4.parquet']);
    await append('main', 'orders', ['main-2.parquet']);
    const r = await merge('dev');
    expect(r.status, r.text).toBe(200);
    expect(await liveFiles('main', 'orders')).toEqual(['dev-1.parquet', 'dev-2.parquet', 'dev-3.parquet', 'dev-4.parquet', 'main-1.parquet', 'main-2.parquet', 'orders-base.parquet']);
  });

  it('keeps a table whose schema both sides changed as a conflict that says why, and changes nothing', async () => {
    const addColumn = async (ref: string, name: string) => {
      const m = await load(ref, 'events');
      const schema = { ...m.schemas[0], 'schema-id': 1, fields: [...m.schemas[0].fields, { id: 4, name, required: false, type: 'string' }] };
      const r = await h.request('POST', `/v1/${ref}/namespaces/db/tables/events`, {
        requirements: [],
        updates: [{ action: 'add-schema', schema, 'last-column-id': 4 }, { action: 'set-current-schema', 'schema-id': -1 }],
      });
      expect(r.status, r.text).toBe(200);
    };
    await addColumn('main', 'country');
    await addColumn('dev', 'device');
    const before = await head('main');
    const r = await merge('dev');
    expect(r.status).toBe(409);
    expect(r.text).toMatch(/SCHEMA_DIVERGED/);
    expect(await head('main')).toBe(before);
    // FORCE for that key takes dev's version, as a plain merge would.
    const forced = await merge('dev', { keyMergeModes: [{ key: { elements: ['db', 'events'] }, mergeBehavior: 'FORCE' }] });
    expect(forced.status, forced.text).toBe(200);
    expect((await load('main', 'events')).schemas.at(-1).fields.at(-1).name).toBe('device');
  });

  it('is a plain key-level conflict when the server turns Iceberg-level merges off', async () => {
    await append('main', 'orders', ['main-3.parquet']);
    await append('dev', 'orders', ['dev-5.parquet']);
    h.deps.icebergMerge = false;
    try {
      const r = await merge('dev');
      expect(r.status).toBe(409);
      expect(r.text).not.toMatch(/Iceberg level/);
    } finally {
      h.deps.icebergMerge = true;
    }
    expect((await merge('dev')).status).toBe(200);
  });
});
