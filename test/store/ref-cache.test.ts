/**
 * The reference head cache inside real stores: how many database round trips a read at a
 * branch head costs, read-your-writes in one process, and, on PostgreSQL, that a move made
 * through one store instance reaches another by NOTIFY, and that losing the LISTEN connection
 * turns the cache off until it is back.
 */
import { PGlite } from '@electric-sql/pglite';
import type { SQL } from 'drizzle-orm';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import { migrate as migrateNodePg } from 'drizzle-orm/node-postgres/migrator';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError } from '../../src/catalog/errors.js';
import type { Executor, Transactional } from '../../src/catalog/store/core.js';
import { migrationsFolder } from '../../src/catalog/store/index.js';
import { PgVersionStore } from '../../src/catalog/store/pg-store.js';
import type { CommitOperation } from '../../src/catalog/store/port.js';
import { PgRefListener, REF_LISTENER_APP } from '../../src/catalog/store/ref-listener.js';
import { freshDatabase, TEST_PG_URL } from './pg-database.js';

interface Counted {
  store: PgVersionStore;
  /** Statements sent to the database so far (a transaction counts as one plus its statements). */
  queries(): number;
}

/** Counts every statement the store sends, outside and inside transactions. */
function counting(db: Transactional): { db: Transactional; queries(): number } {
  let n = 0;
  const wrap = (ex: Executor): Executor => ({
    execute: (q: SQL) => {
      n++;
      return ex.execute(q);
    },
  });
  return {
    db: {
      execute: (q) => {
        n++;
        return db.execute(q);
      },
      transaction: (fn) => {
        n++;
        return db.transaction((tx) => fn(wrap(tx)));
      },
    },
    queries: () => n,
  };
}

async function pgliteStore(): Promise<Counted> {
  const client = new PGlite();
  const db = drizzlePglite({ client });
  const c = counting(db as unknown as Transactional);
  const store = new PgVersionStore({
    db: c.db,
    migrate: () => migratePglite(db, { migrationsFolder: migrationsFolder() }),
    close: () => client.close(),
    refCache: 'exclusive',
  });
  await store.init();
  return { store, queries: c.queries };
}

/** `deaf`: the cache is live but never hears of other processes' moves (a notification still in flight). */
async function postgresStore(url: string, cache: boolean | 'deaf', heartbeatMs?: number): Promise<Counted> {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  pool.on('error', () => undefined);
  const db = drizzleNodePg({ client: pool });
  const c = counting(db as unknown as Transactional);
  const store = new PgVersionStore({
    db: c.db,
    migrate: () => migrateNodePg(db, { migrationsFolder: migrationsFolder() }),
    close: () => pool.end(),
    refCache: cache === false ? 'off' : 'watched',
    watchRefs: (refCache, origin) =>
      cache === 'deaf'
        ? { start: async () => refCache.reset(true), close: async () => refCache.reset(false) }
        : new PgRefListener({ url, origin, cache: refCache, heartbeatMs }),
  });
  await store.init();
  return { store, queries: c.queries };
}

const meta = { author: 'alice', message: 'test' };
const putNamespace = (name: string): CommitOperation => ({ kind: 'put', key: [name], content: { type: 'NAMESPACE', id: '', properties: {} } });

async function until(what: string, check: () => Promise<boolean> | boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Round trips of one read at the head of `branch`: the head, then a key at it. */
async function readCost(s: Counted, branch: string): Promise<number> {
  const before = s.queries();
  const head = await s.store.getReference(branch);
  await s.store.getContent(head.hash, ['ns']);
  return s.queries() - before;
}

describe('reference head cache on PGlite (single writer)', () => {
  let s: Counted;
  beforeAll(async () => {
    s = await pgliteStore();
  });
  afterAll(async () => {
    await s?.store.close();
  });

  it('answers a warm read at a branch head without a round trip', async () => {
    const main = await s.store.getReference('main');
    await s.store.commit('main', main.hash, meta, [putNamespace('ns')]);
    await readCost(s, 'main');
    expect(await readCost(s, 'main')).toBe(0);
  });

  it("sees this process's own commits at once, still without a round trip", async () => {
    const before = await s.store.getReference('main');
    const c = await s.store.commit('main', before.hash, meta, [putNamespace('ns2')]);
    const n = s.queries();
    expect((await s.store.getReference('main')).hash).toBe(c.hash);
    expect(s.queries() - n).toBe(0);
  });

  it('follows reference assignment and deletion', async () => {
    const main = await s.store.getReference('main');
    await s.store.createReference('dev', 'BRANCH', main.hash);
    expect((await s.store.getReference('dev')).hash).toBe(main.hash);
    const c = await s.store.commit('dev', main.hash, meta, [putNamespace('dev-only')]);
    expect((await s.store.getReference('dev')).hash).toBe(c.hash);
    await s.store.assignReference('dev', 'BRANCH', c.hash, main.hash);
    expect((await s.store.getReference('dev')).hash).toBe(main.hash);
    await s.store.deleteReference('dev', 'BRANCH', main.hash);
    await expect(s.store.getReference('dev')).rejects.toBeInstanceOf(NotFoundError);
  });
});

if (TEST_PG_URL) {
  describe('reference head cache on PostgreSQL (several processes)', () => {
    let db: { url: string; drop(): Promise<void> };
    let a: Counted;
    let b: Counted;
    let admin: pg.Client;
    beforeAll(async () => {
      db = await freshDatabase(TEST_PG_URL!);
      a = await postgresStore(db.url, true);
      b = await postgresStore(db.url, true, 300);
      admin = new pg.Client({ connectionString: db.url });
      await admin.connect();
      await until('both listeners', () => a.store.refCache.live && b.store.refCache.live);
      const main = await a.store.getReference('main');
      await a.store.commit('main', main.hash, meta, [putNamespace('ns')]);
    });
    afterAll(async () => {
      await admin?.end();
      await a?.store.close();
      await b?.store.close();
      await db?.drop();
    });

    it('answers a warm read at a branch head without a round trip; with the cache off, with one', async () => {
      // The notification of the set-up commit may land after B's first read and drop it once.
      await until('a warm read at the head to cost no round trip', async () => (await readCost(b, 'main')) === 0);
      expect(await readCost(b, 'main')).toBe(0);
      const off = await postgresStore(db.url, false);
      try {
        await readCost(off, 'main');
        expect(await readCost(off, 'main')).toBe(1);
      } finally {
        await off.store.close();
      }
    });

    it('a commit through store A reaches store B by notification', async () => {
      const seen = await b.store.getReference('main');
      const c = await a.store.commit('main', seen.hash, meta, [putNamespace(`n${Date.now()}`)]);
      expect((await a.store.getReference('main')).hash).toBe(c.hash);
      await until('B to see the commit', async () => (await b.store.getReference('main')).hash === c.hash);
      // ...and B serves the new head from its cache again.
      const n = b.queries();
      expect((await b.store.getReference('main')).hash).toBe(c.hash);
      expect(b.queries() - n).toBe(0);
    });

    it('a commit that went through the locked retry path also reaches the cache and other stores', async () => {
      // Two stores committing to one branch at once: one loses its first CAS and retries in a
      // transaction; both heads must end up exact in both caches.
      const head = await a.store.getReference('main');
      const [x, y] = await Promise.all([
        a.store.commit('main', head.hash, meta, [putNamespace(`x${Date.now()}`)]),
        b.store.commit('main', head.hash, meta, [putNamespace(`y${Date.now()}`)]),
      ]);
      const last = (await admin.query<{ hash: string }>("SELECT hash FROM refs WHERE name = 'main'")).rows[0].hash;
      expect([x.hash, y.hash]).toContain(last);
      await until('A to agree with the database', async () => (await a.store.getReference('main')).hash === last);
      await until('B to agree with the database', async () => (await b.store.getReference('main')).hash === last);
    });

    it('a write that fails against a newer head drops the stale cached head, so a retry reads the new one', async () => {
      const deaf = await postgresStore(db.url, 'deaf');
      try {
        const h0 = await deaf.store.getReference('main');
        const c = await a.store.commit('main', h0.hash, meta, [putNamespace('contended')]);
        // Without the notification the deaf store still answers the old head (the staleness bound).
        expect((await deaf.store.getReference('main')).hash).toBe(h0.hash);
        await expect(deaf.store.commit('main', h0.hash, meta, [putNamespace('contended')])).rejects.toThrow();
        expect((await deaf.store.getReference('main')).hash).toBe(c.hash);
      } finally {
        await deaf.store.close();
      }
    });

    it('reference creation, assignment and deletion reach the other store', async () => {
      const main = await a.store.getReference('main');
      await a.store.createReference('feature', 'BRANCH', main.hash);
      expect((await b.store.getReference('feature')).hash).toBe(main.hash);
      const c = await a.store.commit('feature', main.hash, meta, [putNamespace('feature-only')]);
      await until('B to see feature move', async () => (await b.store.getReference('feature')).hash === c.hash);
      await a.store.assignReference('feature', 'BRANCH', c.hash, main.hash);
      await until('B to see feature assigned', async () => (await b.store.getReference('feature')).hash === main.hash);
      await a.store.deleteReference('feature', 'BRANCH', main.hash);
      await until('B to see feature deleted', async () => {
        try {
          await b.store.getReference('feature');
          return false;
        } catch (err) {
          return err instanceof NotFoundError;
        }
      });
    });

    it('keeps listening across heartbeats: each probe notification comes back in time', async () => {
      const listeners = async () =>
        (
          await admin.query<{ pid: number }>(
            'SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database() ORDER BY pid',
            [REF_LISTENER_APP],
          )
        ).rows.map((r) => r.pid);
      const before = await listeners();
      expect(before.length).toBe(2);
      await new Promise((r) => setTimeout(r, 1200)); // four of B's 300 ms heartbeats
      expect(b.store.refCache.live).toBe(true);
      expect(await listeners()).toEqual(before);
    });

    it('a lost LISTEN connection turns the cache off (reads go to PostgreSQL) until it listens again', async () => {
      await readCost(b, 'main');
      const killed = await admin.query<{ ok: boolean }>(
        `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity
         WHERE application_name = $1 AND datname = current_database() AND pid <> pg_backend_pid()`,
        [REF_LISTENER_APP],
      );
      expect(killed.rows.length).toBe(2); // A's and B's listeners
      await until('B to notice', () => !b.store.refCache.live);
      // While off, B asks PostgreSQL each time and so sees A's commits at once.
      const head = await b.store.getReference('main');
      const c = await a.store.commit('main', head.hash, meta, [putNamespace(`off${Date.now()}`)]);
      if (!b.store.refCache.live) {
        const n = b.queries();
        expect((await b.store.getReference('main')).hash).toBe(c.hash);
        expect(b.queries() - n).toBe(1);
      }
      await until('B to listen again', () => b.store.refCache.live);
      expect((await b.store.getReference('main')).hash).toBe(c.hash);
      await readCost(b, 'main'); // B has not read commit c's row yet
      expect(await readCost(b, 'main')).toBe(0);
    });
  });
} else {
  describe('reference head cache on PostgreSQL', () => {
    it.skip('skipped: set LAKECAT_TEST_PG_URL, e.g. run `npm run test:pg` (scripts/with-postgres.sh starts a server)', () => {});
  });
}
