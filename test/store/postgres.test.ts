import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { createStore } from '../../src/catalog/store/index.js';
import { createPool } from '../../src/catalog/store/postgres-store.js';
import { largeTables, storeContract } from './contract.js';
import { freshDatabase, TEST_PG_URL } from './pg-database.js';

if (TEST_PG_URL) {
  storeContract('PostgreSQL', async () => {
    const db = await freshDatabase(TEST_PG_URL!);
    const store = createStore({ kind: 'postgres', url: db.url, poolSize: 8 });
    return {
      store,
      dispose: async () => {
        await store.close();
        await db.drop();
      },
    };
  });

  describe('PostgreSQL-only store behaviour', () => {
    it('stores a write of several MB of metadata exactly (large content rows go apart), read back by another process', async () => {
      const db = await freshDatabase(TEST_PG_URL!);
      const writer = createStore({ kind: 'postgres', url: db.url, poolSize: 2 });
      const reader = createStore({ kind: 'postgres', url: db.url, poolSize: 2 });
      try {
        await writer.init();
        const contents = largeTables(24);
        const main = await writer.getReference('main');
        const c = await writer.commit('main', main.hash, { author: 'a', message: 'm' }, contents.map((content, i) => ({ kind: 'put' as const, key: ['db', `t${i}`], content })));
        await reader.init();
        const read = await reader.getContents(c.hash, contents.map((_, i) => ['db', `t${i}`]));
        contents.forEach((content, i) => expect(read.get(`db\u0000t${i}`)).toMatchObject({ ...content, id: expect.any(String) }));
      } finally {
        await Promise.all([writer.close(), reader.close()]);
        await db.drop();
      }
    });

    it('survives the server dropping a connection that is checked out between two queries (no crash; the next query fails, the pool recovers)', async () => {
      const pool = createPool(TEST_PG_URL!, 2);
      const admin = new pg.Client({ connectionString: TEST_PG_URL });
      await admin.connect();
      try {
        const held = await pool.connect();
        const pid = (await held.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
        // What a restart of PostgreSQL does to a transaction waiting for its next statement.
        await admin.query('SELECT pg_terminate_backend($1)', [pid]);
        await new Promise((r) => setTimeout(r, 300));
        await expect(held.query('SELECT 1')).rejects.toThrow();
        held.release(true);
        expect((await pool.query('SELECT 2 AS two')).rows[0].two).toBe(2);
      } finally {
        await admin.end();
        await pool.end();
      }
    });

    it('lets several processes initialise the same database at once', async () => {
      const db = await freshDatabase(TEST_PG_URL!);
      const stores = Array.from({ length: 4 }, () => createStore({ kind: 'postgres', url: db.url, poolSize: 2 }));
      try {
        await Promise.all(stores.map((s) => s.init()));
        expect((await stores[0].listReferences()).map((r) => r.name)).toEqual(['main']);
      } finally {
        await Promise.all(stores.map((s) => s.close()));
        await db.drop();
      }
    });
  });
} else {
  describe('VersionStore contract on PostgreSQL', () => {
    it.skip('skipped: set LAKECAT_TEST_PG_URL, e.g. run `npm run test:pg` (scripts/with-postgres.sh starts a server)', () => {});
  });
}
