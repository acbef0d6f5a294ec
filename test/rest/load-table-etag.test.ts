/**
 * loadTable's ETag and If-None-Match (304), and the cached response bodies: what a client gets
 * from memory must be exactly what a freshly built response would hold.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJson, stringifyJson } from '../../src/iceberg/json.js';
import { createHarness, type Harness } from './harness.js';

const SCHEMA = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', required: true, type: 'long' }] };
const STORAGE = { 's3.endpoint': 'http://example.test:9000', 'client.region': 'us-east-1' };

function append(snapshotId: string, parent: string | null, seq: number, ref = 'main'): string {
  const parentPart = parent ? `"parent-snapshot-id":${parent},` : '';
  return `{"requirements":[{"type":"assert-ref-snapshot-id","ref":"${ref}","snapshot-id":${parent ?? 'null'}}],
    "updates":[{"action":"add-snapshot","snapshot":{"snapshot-id":${snapshotId},${parentPart}"sequence-number":${seq},
      "timestamp-ms":${1_700_000_000_000 + seq},"manifest-list":"s3://b/m/snap-${snapshotId}.avro",
      "summary":{"operation":"append"},"schema-id":0}},
      {"action":"set-snapshot-ref","ref-name":"${ref}","type":"${ref === 'main' ? 'branch' : 'tag'}","snapshot-id":${snapshotId}}]}`;
}

describe('loadTable ETags and cached bodies', () => {
  let h: Harness;
  const path = '/v1/namespaces/etag/tables/t';
  beforeAll(async () => {
    h = await createHarness({ storageConfig: STORAGE });
    expect((await h.request('POST', '/v1/namespaces', { namespace: ['etag'] })).status).toBe(200);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('create, load and commit responses carry the ETag of the version they return', async () => {
    const created = await h.request('POST', '/v1/namespaces/etag/tables', { name: 't', schema: SCHEMA });
    expect(created.status).toBe(200);
    const loaded = await h.request('GET', path);
    expect(loaded.headers.get('etag')).toMatch(/^W\/"[0-9a-f]{40}"$/);
    expect(created.headers.get('etag')).toBe(loaded.headers.get('etag'));
    const committed = await h.request('POST', path, append('101', null, 1));
    expect(committed.status).toBe(200);
    const reloaded = await h.request('GET', path);
    expect(committed.headers.get('etag')).toBe(reloaded.headers.get('etag'));
    expect(reloaded.headers.get('etag')).not.toBe(loaded.headers.get('etag'));
    // A client holding the create response's ETag gets the new version, not a 304.
    const stale = await h.request('GET', path, undefined, { 'if-none-match': created.headers.get('etag')! });
    expect(stale.status).toBe(200);
    expect(stale.body['metadata-location']).toBe(committed.body['metadata-location']);
  });

  it('answers a matching If-None-Match with an empty 304 that repeats the ETag', async () => {
    const r = await h.request('GET', path);
    const etag = r.headers.get('etag')!;
    const notModified = await h.request('GET', path, undefined, { 'if-none-match': etag });
    expect(notModified.status).toBe(304);
    expect(notModified.text).toBe('');
    expect(notModified.headers.get('etag')).toBe(etag);
  });

  it('matches If-None-Match lists, strong forms of the weak tag, and *', async () => {
    const etag = (await h.request('GET', path)).headers.get('etag')!;
    const strong = etag.slice(2);
    const status = async (header: string) => (await h.request('GET', path, undefined, { 'if-none-match': header })).status;
    expect(await status(`W/"0000", ${etag}`)).toBe(304);
    expect(await status(strong)).toBe(304);
    expect(await status('*')).toBe(304);
    expect(await status('W/"0000", "1111"')).toBe(200);
    expect(await status('')).toBe(200);
  });

  it('gives snapshots=refs its own ETag and body, and does not mix the two up from the cache', async () => {
    // Snapshot 102 on main, 101 kept only as an unreferenced ancestor.
    await h.request('POST', path, append('102', '101', 2));
    for (let i = 0; i < 2; i++) {
      const all = await h.request('GET', path);
      const refs = await h.request('GET', `${path}?snapshots=refs`);
      expect(all.headers.get('etag')).not.toBe(refs.headers.get('etag'));
      expect(all.body.metadata.snapshots.map((s: { 'snapshot-id': bigint | number }) => String(s['snapshot-id']))).toEqual(['101', '102']);
      expect(refs.body.metadata.snapshots.map((s: { 'snapshot-id': bigint | number }) => String(s['snapshot-id']))).toEqual(['102']);
      expect((await h.request('GET', `${path}?snapshots=refs`, undefined, { 'if-none-match': all.headers.get('etag')! })).status).toBe(200);
    }
  });

  it('serves the stored metadata byte for byte with the storage config, from the cache as when built', async () => {
    const table = await h.deps.store.getContent((await h.store.getReference('main')).hash, ['etag', 't']);
    if (table?.type !== 'ICEBERG_TABLE') throw new Error('table missing');
    const expected = `{"metadata-location":${JSON.stringify(table.metadataLocation)},"metadata":${table.metadata},"config":${stringifyJson(STORAGE)}}`;
    const first = await h.request('GET', path);
    const second = await h.request('GET', path);
    expect(first.text).toBe(expected);
    expect(second.text).toBe(expected);
    expect(first.headers.get('content-type')).toBe('application/json');
    expect(parseJson(second.text)).toBeTruthy();
  });

  it('follows the branch head: a commit is served right after it, at the branch and by hash', async () => {
    const before = await h.request('GET', path);
    const committed = await h.request('POST', path, append('103', '102', 3));
    const after = await h.request('GET', path, undefined, { 'if-none-match': before.headers.get('etag')! });
    expect(after.status).toBe(200);
    expect(after.body['metadata-location']).toBe(committed.body['metadata-location']);
    const head = await h.store.getReference('main');
    const byHash = await h.request('GET', `/v1/main@${head.hash}/namespaces/etag/tables/t`);
    expect(byHash.text).toBe(after.text);
    expect(byHash.headers.get('etag')).toBe(after.headers.get('etag'));
  });

  it('HEAD answers 204 for an existing table and 404 once it is dropped', async () => {
    expect((await h.request('HEAD', path)).status).toBe(204);
    expect((await h.request('HEAD', '/v1/namespaces/etag/tables/missing')).status).toBe(404);
    expect((await h.request('DELETE', path)).status).toBe(204);
    expect((await h.request('HEAD', path)).status).toBe(404);
    expect((await h.request('GET', path)).status).toBe(404);
  });

  it('rejects an unknown snapshots mode', async () => {
    await h.request('POST', '/v1/namespaces/etag/tables', { name: 'm', schema: SCHEMA });
    const r = await h.request('GET', '/v1/namespaces/etag/tables/m?snapshots=some');
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/snapshots mode/);
  });
});
