import { describe, expect, it } from 'vitest';
import { createStore } from '../../src/catalog/store/index.js';
import { storeContract } from './contract.js';
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
