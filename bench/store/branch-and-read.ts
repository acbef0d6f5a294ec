/**
 * Branch creation vs catalog size, and key reads at a branch head vs history length.
 * Both must stay flat: a branch is one reference row, a read walks one root-to-leaf path.
 */
import { createStore } from '../../src/catalog/store/index.js';
import { NO_ANCESTOR_HASH, type VersionStore } from '../../src/catalog/store/port.js';
import { addTables, median, meta, openStore, table } from './common.js';

async function branchCreateMs(store: VersionStore, hash: string): Promise<number> {
  let i = 0;
  return median(51, () => store.createReference(`bench-${Date.now()}-${i++}`, 'BRANCH', hash));
}

export async function branchCreation(pgUrl: string | undefined): Promise<string[]> {
  const out: string[] = [];
  for (const tables of [10, 100_000]) {
    const { store, backend, dispose } = await openStore(pgUrl);
    try {
      const head = await addTables(store, 'main', 'db', tables);
      out.push(`branch creation (${backend}, ${tables} tables): ${(await branchCreateMs(store, head)).toFixed(2)} ms (median of 51)`);
    } finally {
      await dispose();
    }
  }
  return out;
}

/** Adds `commits` single-table commits to `main` with `writers` concurrent writers. */
async function addHistory(store: VersionStore, commits: number, writers: number): Promise<void> {
  const head = (await store.getReference('main')).hash;
  const entries = (await store.listEntries(head, { prefix: ['db'], pageSize: writers })).items;
  let next = 0;
  await Promise.all(
    entries.map(async (e) => {
      while (next < commits) {
        const i = next++;
        const h = (await store.getReference('main')).hash;
        await store.commit('main', h, meta(`c${i}`), [{ kind: 'put', key: e.key, content: table(i, e.contentId), expectedContentId: e.contentId }]);
      }
    }),
  );
}

export async function keyReadAtHead(pgUrl: string | undefined, longHistory: number): Promise<string[]> {
  const out: string[] = [];
  for (const history of [100, longHistory]) {
    const { store, backend, url, dispose } = await openStore(pgUrl);
    try {
      await addTables(store, 'main', 'db', 100_000);
      const t0 = Date.now();
      await addHistory(store, history, 64);
      const built = ((Date.now() - t0) / 1000).toFixed(0);
      const head = (await store.getReference('main')).hash;
      const keys = Array.from({ length: 200 }, (_, i) => ['db', `t${(i * 499) % 100_000}`]);
      const coldKeys = Array.from({ length: 31 }, (_, i) => ['db', `t${(i * 3203 + 17) % 100_000}`]);
      for (const key of keys) await store.getContent(head, key);
      let k = 0;
      const warm = await median(200, () => store.getContent(head, keys[k++ % keys.length]));
      // A new store on the same database has an empty node cache, so every node on the path
      // comes from PostgreSQL. Its connection is warmed first (a new PostgreSQL backend spends
      // milliseconds loading catalog caches, which would drown the reads being measured).
      let cold = Number.NaN;
      if (url) {
        k = 0;
        cold = await median(31, async () => {
          const s2 = createStore({ kind: 'postgres', url, poolSize: 1 });
          await s2.getContent(NO_ANCESTOR_HASH, ['warm-up']);
          const t = process.hrtime.bigint();
          await s2.getContent(head, coldKeys[k++]);
          const ms = Number(process.hrtime.bigint() - t) / 1e6;
          await s2.close();
          return ms;
        }, true);
      }
      out.push(
        `key read at head (${backend}, 100000 tables, ${history} commits [built in ${built}s]): ` +
          `${warm.toFixed(3)} ms warm cache` +
          (Number.isNaN(cold) ? '' : `; ${cold.toFixed(2)} ms with an empty node cache (one query per tree level)`),
      );
    } finally {
      await dispose();
    }
  }
  return out;
}
