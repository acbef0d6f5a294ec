/** Commits per second on one branch with N concurrent writers, each updating its own table. */
import { addTables, meta, openStore, table } from './common.js';

export async function commitThroughput(pgUrl: string | undefined, writers = 16, seconds = 5): Promise<string> {
  const { store, backend, dispose } = await openStore(pgUrl);
  try {
    await addTables(store, 'main', 'db', 1000);
    const head = (await store.getReference('main')).hash;
    const entries = (await store.listEntries(head, { prefix: ['db'], pageSize: writers })).items;
    const deadline = Date.now() + seconds * 1000;
    let commits = 0;
    const t0 = Date.now();
    await Promise.all(
      entries.map(async (e, w) => {
        for (let i = 1; Date.now() < deadline; i++) {
          const h = (await store.getReference('main')).hash;
          await store.commit('main', h, meta(`w${w} ${i}`), [
            { kind: 'put', key: e.key, content: table(i, e.contentId), expectedContentId: e.contentId },
          ]);
          commits++;
        }
      }),
    );
    const rate = commits / ((Date.now() - t0) / 1000);
    return `commit throughput (${backend}, ${writers} concurrent writers, different tables, one branch): ${rate.toFixed(0)} commits/s`;
  } finally {
    await dispose();
  }
}
