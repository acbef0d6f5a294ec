import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../../test/rest/harness.js';
import type { CommitOperation } from '../../catalog/index.js';

/** The Iceberg list endpoints over a namespace big enough to span many index nodes. */
describe('Iceberg REST listings', () => {
  let h: Harness;
  const names = Array.from({ length: 700 }, (_, i) => `t${String(i).padStart(4, '0')}`);

  beforeAll(async () => {
    h = await createHarness();
    for (const ns of [['big'], ['big', 'inner'], ['c']]) expect((await h.request('POST', '/v1/namespaces', { namespace: ns })).status).toBe(200);
    const ops: CommitOperation[] = [];
    for (const n of names) {
      const content = { type: 'ICEBERG_TABLE' as const, id: '', metadataLocation: `memory://w/${n}.json`, metadata: '{}', snapshotId: -1n, schemaId: 0, specId: 0, sortOrderId: 0 };
      ops.push({ kind: 'put', key: ['big', n], content }, { kind: 'put', key: ['big', 'inner', n], content });
    }
    ops.push({ kind: 'put', key: ['c', 'v'], content: { type: 'ICEBERG_VIEW', id: '', metadataLocation: 'memory://w/v.json', metadata: '{}', versionId: 1 } });
    await h.seed('main', 'bulk', ops);
  }, 120_000);

  afterAll(() => h.close());

  it('answers every table in one response without pageSize, and in stable pages with it', async () => {
    const all = await h.request('GET', '/v1/namespaces/big/tables');
    expect(all.status).toBe(200);
    expect(all.headers.get('content-type')).toContain('application/json');
    expect(all.body['next-page-token']).toBeNull();
    expect(all.body.identifiers).toEqual(names.map((name) => ({ namespace: ['big'], name })));
    // Java clients start paging with an empty pageToken: still everything when no pageSize is set.
    expect((await h.request('GET', '/v1/namespaces/big/tables?pageToken=')).body.identifiers).toHaveLength(names.length);

    const seen: string[] = [];
    let token: string | null = '';
    let pages = 0;
    while (token !== null) {
      const r = await h.request('GET', `/v1/namespaces/big/tables?pageSize=64&pageToken=${encodeURIComponent(token)}`);
      expect(r.status).toBe(200);
      expect(r.body.identifiers.length).toBeLessThanOrEqual(64);
      seen.push(...r.body.identifiers.map((i: { name: string }) => i.name));
      token = r.body['next-page-token'];
      pages++;
    }
    expect(seen).toEqual(names);
    expect(pages).toBe(Math.ceil(names.length / 64));
  });

  it('lists namespaces and views without descending into tables', async () => {
    const top = await h.request('GET', '/v1/namespaces');
    expect(top.body).toEqual({ namespaces: [['big'], ['c']], 'next-page-token': null });
    const inner = await h.request('GET', '/v1/namespaces?parent=big');
    expect(inner.body).toEqual({ namespaces: [['big', 'inner']], 'next-page-token': null });
    const views = await h.request('GET', '/v1/namespaces/c/views');
    expect(views.body).toEqual({ identifiers: [{ namespace: ['c'], name: 'v' }], 'next-page-token': null });
    expect((await h.request('GET', '/v1/namespaces/big/views')).body.identifiers).toEqual([]);
  });

  it('answers 400 to a malformed token or one from another namespace', async () => {
    const bad = await h.request('GET', '/v1/namespaces/big/tables?pageSize=10&pageToken=%21%21');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe(400);
    const first = await h.request('GET', '/v1/namespaces/big/tables?pageSize=1');
    const foreign = await h.request('GET', `/v1/namespaces/c/views?pageSize=10&pageToken=${encodeURIComponent(first.body['next-page-token'])}`);
    expect(foreign.status).toBe(400);
    expect(foreign.body.error.type).toBe('BadRequestException');
  });
});
