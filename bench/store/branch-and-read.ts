/**
 * Branch creation vs catalog size, and key reads at a branch head vs history length.
 * Both must stay flat: a branch is one reference row, a read walks one root-to-leaf path.
 * The two setups being compared exist side by side and are sampled alternately, so load from
 * other processes on the machine hits both alike.
 */
import { createStore } from '../../src/catalog/store/index.js';
import { NO_ANCESTOR_HASH, type VersionStore } from '../../src/catalog/store/port.js';
import { addTables, meta, openStore, table } from './common.js';

type Opened = Awaited<ReturnType<typeof openStore>>;

/** Alternates samples of `fns` (each returning its own timing in ms); returns the medians. */
async function alternate(runs: number, fns: (() => Promise<number>)[]): Promise<number[]> {
  const times: number[][] = fns.map(() => []);
  for (let i = 0; i < runs; i++) for (let f = 0; f < fns.length; f++) times[f].push(await fns[f]());
  return times.map((t) => t.sort((a, b) => a - b)[Math.floor(t.length / 2)]);
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

export async function branchCreation(pgUrl: string | undefined): Promise<string[]> {
  const sizes = [10, 100_000];
  const opened: Opened[] = [];
  try {
    const heads: string[] = [];
    for (const n of sizes) {
      const o = await openStore(pgUrl);
      opened.push(o);
      heads.push(await addTables(o.store, 'main', 'db', n));
    }
    let i = 0;
    const ms = await alternate(
      51,
      opened.map((o, k) => () => timed(() => o.store.createReference(`bench-${i++}`, 'BRANCH', heads[k]))),
    );
    return sizes.map((n, k) => `branch creation (${opened[k].backend}, ${n} tables): ${ms[k].toFixed(2)} ms (median of 51)`);
  } finally {
    for (const o of opened) await o.dispose();
  }
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
  const histories = [100, longHistory];
  const opened: Opened[] = [];
  try {
    const heads: string[] = [];
    const built: string[] = [];
    for (const history of histories) {
      const o = await openStore(pgUrl);
      opened.push(o);
      await addTables(o.store, 'main', 'db', 100_000);
      const t0 = Date.now();
      await addHistory(o.store, history, 64);
      built.push(((Date.now() - t0) / 1000).toFixed(0));
      heads.push((await o.store.getReference('main')).hash);
    }
    const keys = Array.from({ length: 200 }, (_, i) => ['db', `t${(i * 499) % 100_000}`]);
    for (const [k, o] of opened.entries()) for (const key of keys) await o.store.getContent(heads[k], key);
    let w = 0;
    const warm = await alternate(
      200,
      opened.map((o, k) => () => timed(() => o.store.getContent(heads[k], keys[w++ % keys.length]))),
    );
    // A new store on the same database has an empty node cache, so every node on the path
    // comes from PostgreSQL. Its connection is warmed first (a new PostgreSQL backend spends
    // milliseconds loading catalog caches, which would drown the reads being measured).
    const coldKeys = Array.from({ length: 31 }, (_, i) => ['db', `t${(i * 3203 + 17) % 100_000}`]);
    const cold = opened[0].url
      ? await alternate(
          31,
          opened.map((o, k) => {
            let c = 0;
            return async () => {
              const s2 = createStore({ kind: 'postgres', url: o.url!, poolSize: 1 });
              await s2.getContent(NO_ANCESTOR_HASH, ['warm-up']);
              const ms = await timed(() => s2.getContent(heads[k], coldKeys[c++]));
              await s2.close();
              return ms;
            };
          }),
        )
      : [];
    return histories.map(
      (history, k) =>
        `key read at head (${opened[k].backend}, 100000 tables, ${history} commits [built in ${built[k]}s]): ` +
        `${warm[k].toFixed(3)} ms warm cache` +
        (cold.length === 0 ? '' : `; ${cold[k].toFixed(2)} ms with an empty node cache (one query per tree level)`),
    );
  } finally {
    for (const o of opened) await o.dispose();
  }
}
