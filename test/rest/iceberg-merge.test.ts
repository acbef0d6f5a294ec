/**
 * Catalog merges at the Iceberg level, over HTTP: a table appended on both `main` and `dev` is
 * merged (dev's snapshots replayed after main's), through the Nessie API, as a dry run first;
 * a table whose schema both sides changed stays a conflict that says why, and changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entryCounts, readManifest, readManifestList, writeManifest, writeManifestList, type ManifestEntry, type ManifestFileToWrite } from '../../src/iceberg/manifest/index.js';
import { createHarness, type Harness } from './harness.js';
import { SCHEMA } from './requests.js';

describe('merging tables changed on both sides at the Iceberg level', () => {
  let h: Harness;
  let nextId = 5000;
  const head = async (ref: string) => (await h.request('GET', `/api/v2/trees/${ref}`)).body.reference.hash as string;
  const load = async (ref: string, table: string) => (await h.request('GET', `/v1/${ref}/namespaces/db/tables/${table}`)).body.metadata;

  /**
   * What an engine's commit does after writing its manifest: a manifest list (`manifests`, then
   * the parent's unless `replace`), one REST commit of the snapshot on the table's `main`.
   */
  async function commitSnapshot(ref: string, table: string, m: any, id: number, manifests: ManifestFileToWrite[], summary: Record<string, string>, replace = false): Promise<void> {
    const parent = m.snapshots?.find((s: any) => s['snapshot-id'] === m['current-snapshot-id']);
    const seq = BigInt(m['last-sequence-number']) + 1n;
    const previous = parent && !replace ? readManifestList(await h.objects.read(parent['manifest-list'])).manifests : [];
    const listPath = `${m.location}/metadata/snap-${id}.avro`;
    await h.objects.write(
      listPath,
      writeManifestList({ formatVersion: 2, snapshotId: BigInt(id), ...(parent ? { parentSnapshotId: BigInt(parent['snapshot-id']) } : {}), sequenceNumber: seq, manifests: [...manifests, ...previous] }),
    );
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
            summary,
            'schema-id': m['current-schema-id'],
          },
        },
        { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': id },
      ],
    });
    expect(r.status, r.text).toBe(200);
  }

  /** A manifest of `entries` in the table's metadata folder, and its manifest-list entry. */
  async function writeEntries(m: any, id: number, entries: ManifestEntry[]): Promise<ManifestFileToWrite> {
    const manifestPath = `${m.location}/metadata/${id}-m0.avro`;
    const schema = m.schemas.find((s: any) => s['schema-id'] === m['current-schema-id']);
    const manifest = writeManifest({ formatVersion: 2, schemaJson: JSON.stringify(schema), schemaId: m['current-schema-id'], partitionSpecJson: '[]', specId: 0, partitionType: { type: 'struct', fields: [] }, content: 'data', entries });
    await h.objects.write(manifestPath, manifest);
    const kept = entries.filter((e) => e.status !== 'added').map((e) => e.sequenceNumber!);
    return {
      manifestPath,
      manifestLength: BigInt(manifest.length),
      partitionSpecId: 0,
      content: 'data',
      addedSnapshotId: BigInt(id),
      ...(kept.length > 0 ? { minSequenceNumber: kept.reduce((a, b) => (b < a ? b : a)) } : {}),
      ...entryCounts(entries),
    };
  }

  /** What an engine's append does: a manifest with the new files, a manifest list, one REST commit. */
  async function append(ref: string, table: string, paths: string[], rows = 10): Promise<number> {
    const m = await load(ref, table);
    const id = ++nextId;
    const mf = await writeEntries(
      m,
      id,
      paths.map((p) => ({
        status: 'added' as const,
        snapshotId: BigInt(id),
        dataFile: { content: 'data' as const, filePath: `${m.location}/data/${p}`, fileFormat: 'PARQUET', partition: [], recordCount: BigInt(rows), fileSizeInBytes: 1000n },
      })),
    );
    const parent = m.snapshots?.find((s: any) => s['snapshot-id'] === m['current-snapshot-id']);
    const total = (k: string, add: number) => String(Number(parent?.summary?.[k] ?? 0) + add);
    const added = rows * paths.length;
    await commitSnapshot(ref, table, m, id, [mf], {
      operation: 'append',
      'added-data-files': String(paths.length),
      'added-records': String(added),
      'total-data-files': total('total-data-files', paths.length),
      'total-records': total('total-records', added),
    });
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

  const merge = async (from: string, body: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
    h.request('POST', `/api/v2/trees/main@${await head('main')}/history/merge`, { fromRefName: from, fromHash: await head(from), ...body }, headers);
  const DETAILS = { 'Lakecat-Merge-Details': 'true' };

  /** What an engine's delete of whole files does: one manifest rewriting every live entry (EXISTING or DELETED). */
  async function deleteFiles(ref: string, table: string, names: string[]): Promise<number> {
    const m = await load(ref, table);
    const id = ++nextId;
    const parent = m.snapshots.find((s: any) => s['snapshot-id'] === m['current-snapshot-id']);
    const live: ManifestEntry[] = [];
    for (const mf of readManifestList(await h.objects.read(parent['manifest-list'])).manifests) {
      for (const e of readManifest(await h.objects.read(mf.manifestPath)).entries) {
        if (e.status !== 'deleted') live.push({ ...e, snapshotId: e.snapshotId ?? mf.addedSnapshotId, sequenceNumber: e.sequenceNumber ?? mf.sequenceNumber, fileSequenceNumber: e.fileSequenceNumber ?? mf.sequenceNumber });
      }
    }
    const removed = (e: ManifestEntry) => names.includes(e.dataFile.filePath.split('/').pop()!);
    const entries = live.map((e): ManifestEntry => (removed(e) ? { ...e, status: 'deleted', snapshotId: BigInt(id) } : { ...e, status: 'existing' }));
    const mf = await writeEntries(m, id, entries);
    await commitSnapshot(
      ref,
      table,
      m,
      id,
      [mf],
      {
        operation: 'delete',
        'deleted-data-files': String(mf.deletedFilesCount),
        'deleted-records': String(mf.deletedRowsCount),
        'total-data-files': String(mf.existingFilesCount),
        'total-records': String(mf.existingRowsCount),
      },
      true,
    );
    return id;
  }

  beforeAll(async () => {
    h = await createHarness();
    expect((await h.request('POST', '/v1/main/namespaces', { namespace: ['db'] })).status).toBe(200);
    for (const t of ['orders', 'events', 'readings']) {
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

  it('reports per table what the merge did, on request, and a dry run reports exactly what the merge then does', async () => {
    const devSnapshots = [await append('dev', 'orders', ['dev-6.parquet']), await append('dev', 'orders', ['dev-7.parquet'])];
    await append('main', 'orders', ['main-4.parquet']);
    const mainBefore = await head('main');
    // Without the header, the response is Nessie's model exactly (its Java client refuses unknown fields).
    const plain = await merge('dev', { dryRun: true, returnConflictAsResult: true });
    expect(plain.status, plain.text).toBe(200);
    expect(JSON.stringify(plain.body)).not.toContain('icebergMerge');

    const dry = await merge('dev', { dryRun: true }, DETAILS);
    expect(dry.status, dry.text).toBe(200);
    const dryOrders = dry.body.details.find((d: any) => d.key.elements.join('.') === 'db.orders');
    expect(dryOrders.icebergMerge).toMatchObject({ outcome: 'MERGED', isolation: 'TABLE', replayedSnapshots: devSnapshots.map(String) });
    expect(await head('main')).toBe(mainBefore);

    const r = await merge('dev', {}, DETAILS);
    expect(r.status, r.text).toBe(200);
    expect(r.body.wasApplied).toBe(true);
    // Key for key, the merge did what the dry run said.
    const outcome = (body: any) => body.details.map((d: any) => ({ key: d.key.elements.join('.'), behavior: d.mergeBehavior, conflict: d.conflict ?? null, iceberg: d.icebergMerge ?? null }));
    expect(outcome(r.body)).toEqual(outcome(dry.body));
    const replayed = (await load('main', 'orders')).snapshots.filter((s: any) => devSnapshots.map(String).includes(s.summary['source-snapshot-id']));
    expect(replayed.map((s: any) => s.summary['source-snapshot-id'])).toEqual(devSnapshots.map(String));
  });

  it('validates a delete on the source under snapshot isolation for a key opted into it, serializable otherwise', async () => {
    await append('main', 'readings', ['main-r1.parquet']);
    await append('dev', 'readings', ['dev-r1.parquet']);
    expect((await merge('dev')).status).toBe(200);
    const deleted = await deleteFiles('dev', 'readings', ['readings-base.parquet']);
    await append('main', 'readings', ['main-r2.parquet']);
    const before = await head('main');

    const refused = await merge('dev', { returnConflictAsResult: true }, DETAILS);
    expect(refused.status, refused.text).toBe(200);
    expect(refused.body.wasSuccessful).toBe(false);
    const detail = refused.body.details.find((d: any) => d.key.elements.join('.') === 'db.readings');
    expect(detail.icebergMerge).toMatchObject({ outcome: 'CONFLICT', conflictType: 'CONCURRENT_DATA_IN_SCOPE', sourceSnapshotId: String(deleted), isolation: 'TABLE' });
    expect(detail.icebergMerge.hint).toBeTruthy();
    expect(detail.conflict.message).toContain('CONCURRENT_DATA_IN_SCOPE');
    expect(await head('main')).toBe(before);

    // FORCE or DROP with snapshot isolation is a contradiction; an untouched key a typo.
    const isolated = (key: string[], extra: Record<string, unknown> = {}) => ({ key: { elements: key }, mergeBehavior: 'NORMAL', isolation: 'SNAPSHOT', ...extra });
    expect((await merge('dev', { keyMergeModes: [isolated(['db', 'readings'], { mergeBehavior: 'FORCE' })] })).status).toBe(400);
    expect((await merge('dev', { keyMergeModes: [isolated(['db', 'nope'])] })).status).toBe(400);
    expect((await merge('dev', { keyMergeModes: [isolated(['db', 'readings'], { isolation: 'LOOSE' })] })).status).toBe(400);
    expect(await head('main')).toBe(before);

    const r = await merge('dev', { keyMergeModes: [isolated(['db', 'readings'])] }, DETAILS);
    expect(r.status, r.text).toBe(200);
    expect(r.body.details.find((d: any) => d.key.elements.join('.') === 'db.readings').icebergMerge).toMatchObject({ outcome: 'MERGED', isolation: 'SNAPSHOT', replayedSnapshots: [String(deleted)] });
    expect(await liveFiles('main', 'readings')).toEqual(['dev-r1.parquet', 'main-r1.parquet', 'main-r2.parquet']);
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
