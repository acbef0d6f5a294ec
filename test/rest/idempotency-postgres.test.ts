/**
 * Idempotency-Key across lakecat processes: two stores and two apps on one PostgreSQL database
 * (and one object store), as in a deployment with several servers behind a load balancer.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogDeps } from '../../src/catalog/deps.js';
import { createCatalog } from '../../src/catalog/index.js';
import { createStore } from '../../src/catalog/store/index.js';
import type { VersionStore } from '../../src/catalog/store/port.js';
import { MemoryObjectStore } from '../../src/io/memory.js';
import { createApp, type App } from '../../src/rest/app.js';
import { freshDatabase, TEST_PG_URL } from '../store/pg-database.js';

const SCHEMA = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', required: true, type: 'long' }] };

interface Instance {
  store: VersionStore;
  app: App;
  call(method: string, path: string, body?: unknown, key?: string): Promise<{ status: number; text: string }>;
}

async function instance(url: string, objects: MemoryObjectStore): Promise<Instance> {
  const store = createStore({ kind: 'postgres', url, poolSize: 4 });
  await store.init();
  const deps: CatalogDeps = { store, objects, warehouse: 'memory://warehouse', now: Date.now, newUuid: randomUUID, commitRetries: 30 };
  const app = createApp({ catalog: createCatalog(deps) });
  return {
    store,
    app,
    async call(method, path, body, key) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (key) headers['idempotency-key'] = key;
      const res = await app.hono.request(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: res.status, text: await res.text() };
    },
  };
}

/** Catalog commits on main: each applied mutation adds exactly one. */
async function commitCount(store: VersionStore): Promise<number> {
  const head = (await store.getReference('main')).hash;
  return (await store.log(head, { pageSize: 10_000 })).items.length;
}

if (TEST_PG_URL) {
  describe('Idempotency-Key shared by two lakecat processes on one PostgreSQL', () => {
    let db: { url: string; drop(): Promise<void> };
    let a: Instance;
    let b: Instance;
    const objects = new MemoryObjectStore();

    beforeAll(async () => {
      db = await freshDatabase(TEST_PG_URL!);
      [a, b] = await Promise.all([instance(db.url, objects), instance(db.url, objects)]);
      expect((await a.call('POST', '/v1/namespaces', { namespace: ['db'] })).status).toBe(200);
    });
    afterAll(async () => {
      await a?.store.close();
      await b?.store.close();
      await db?.drop();
    });

    it('a retry on B replays the response from A and the table is created once', async () => {
      const key = randomUUID();
      const before = await commitCount(a.store);
      const first = await a.call('POST', '/v1/namespaces/db/tables', { name: 'created_once', schema: SCHEMA }, key);
      const retry = await b.call('POST', '/v1/namespaces/db/tables', { name: 'created_once', schema: SCHEMA }, key);
      expect(first.status).toBe(200);
      // Run again, the request would answer 409 AlreadyExists.
      expect(retry.status).toBe(200);
      expect(retry.text).toBe(first.text);
      expect(await commitCount(b.store)).toBe(before + 1);
      const reused = await b.call('POST', '/v1/namespaces/db/tables', { name: 'other', schema: SCHEMA }, key);
      expect(reused.status).toBe(400);
    });

    it('the same keyed commit sent to A and B at once is applied once and both get its response', async () => {
      expect((await a.call('POST', '/v1/namespaces/db/tables', { name: 'props', schema: SCHEMA })).status).toBe(200);
      const before = await commitCount(a.store);
      // No requirements: a second execution would succeed and add a second catalog commit.
      const commit = { requirements: [], updates: [{ action: 'set-properties', updates: { owner: 'x' } }] };
      for (let round = 0; round < 5; round++) {
        const key = randomUUID();
        const results = await Promise.all([
          a.call('POST', '/v1/namespaces/db/tables/props', commit, key),
          b.call('POST', '/v1/namespaces/db/tables/props', commit, key),
          a.call('POST', '/v1/namespaces/db/tables/props', commit, key),
          b.call('POST', '/v1/namespaces/db/tables/props', commit, key),
        ]);
        expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
        expect(new Set(results.map((r) => r.text)).size).toBe(1);
      }
      expect(await commitCount(a.store)).toBe(before + 5);
    });

    it('a keyed drop retried after a restart of the process replays 204 instead of 404', async () => {
      expect((await a.call('POST', '/v1/namespaces/db/tables', { name: 'dropped', schema: SCHEMA })).status).toBe(200);
      const key = randomUUID();
      expect((await a.call('DELETE', '/v1/namespaces/db/tables/dropped', undefined, key)).status).toBe(204);
      const restarted = await instance(db.url, objects);
      try {
        expect((await restarted.call('DELETE', '/v1/namespaces/db/tables/dropped', undefined, key)).status).toBe(204);
        expect((await restarted.call('DELETE', '/v1/namespaces/db/tables/dropped', undefined, randomUUID())).status).toBe(404);
      } finally {
        await restarted.store.close();
      }
    });

    it('exactly one of many concurrent claims of a key from both processes wins', async () => {
      const key = randomUUID();
      const now = Date.now();
      const claims = await Promise.all(
        Array.from({ length: 16 }, (_, i) => (i % 2 ? a : b).store.idempotency!.claim(key, 'fp', `owner-${i}`, now, now + 60_000)),
      );
      expect(claims.filter((c) => c === null)).toHaveLength(1);
      const winner = claims.findIndex((c) => c === null);
      for (const c of claims) if (c !== null) expect(c).toMatchObject({ state: 'PENDING', owner: `owner-${winner}` });
    });
  });
} else {
  describe('Idempotency-Key shared by two lakecat processes on one PostgreSQL', () => {
    it.skip('skipped: set LAKECAT_TEST_PG_URL, e.g. run `npm run test:pg` (scripts/with-postgres.sh starts a server)', () => {});
  });
}
