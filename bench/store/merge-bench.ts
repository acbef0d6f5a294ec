/** Merge of a branch that changed 1,000 tables, and merge-base search after long divergence. */
import type { CommitOperation, VersionStore } from '../../src/catalog/store/port.js';
import { addTables, median, meta, openStore, table, timeIt } from './common.js';

export async function mergeChangedTables(pgUrl: string | undefined, catalogTables = 100_000, changed = 1000): Promise<string[]> {
  const { store, backend, dispose } = await openStore(pgUrl);
  try {
    const base = await addTables(store, 'main', 'db', catalogTables);
    await store.createReference('dev', 'BRANCH', base);
    const entries = (await store.listEntries(base, { prefix: ['db'], pageSize: changed * 2 })).items;
    const ops: CommitOperation[] = entries
      .slice(0, changed)
      .map((e, i) => ({ kind: 'put', key: e.key, content: table(1_000_000 + i, e.contentId), expectedContentId: e.contentId }));
    // Ten commits on the source, and one unrelated commit on the target so the merge is not a fast-forward.
    let devHead = base;
    for (let i = 0; i < ops.length; i += changed / 10) devHead = (await store.commit('dev', devHead, meta('dev'), ops.slice(i, i + changed / 10))).hash;
    const other = entries[changed * 2 - 1];
    await store.commit('main', base, meta('main'), [{ kind: 'put', key: other.key, content: table(7, other.contentId), expectedContentId: other.contentId }]);

    const dry = await timeIt(() => store.merge({ fromHash: devHead, toBranch: 'main', meta: meta('dry'), dryRun: true }));
    const real = await timeIt(() => store.merge({ fromHash: devHead, fromRefName: 'dev', toBranch: 'main', meta: meta('merge dev') }));
    const merged = await store.getCommit(real.value.resultantTargetHash);
    return [
      `merge (${backend}, ${catalogTables} tables, source changed ${changed} tables in 10 commits): ` +
        `${real.ms.toFixed(0)} ms for one merge commit of ${merged.operations.length} puts (dry run ${dry.ms.toFixed(0)} ms)`,
    ];
  } finally {
    await dispose();
  }
}

async function grow(store: VersionStore, branch: string, tables: { key: string[]; contentId: string }[], commits: number): Promise<void> {
  let next = 0;
  await Promise.all(
    tables.map(async (e) => {
      while (next < commits) {
        const i = next++;
        const h = (await store.getReference(branch)).hash;
        await store.commit(branch, h, meta(`${branch} ${i}`), [{ kind: 'put', key: e.key, content: table(i, e.contentId), expectedContentId: e.contentId }]);
      }
    }),
  );
}

export async function mergeBaseAfterDivergence(pgUrl: string | undefined, perSide = 10_000): Promise<string[]> {
  const { store, backend, dispose } = await openStore(pgUrl);
  try {
    const base = await addTables(store, 'main', 'db', 128);
    await store.createReference('dev', 'BRANCH', base);
    const entries = (await store.listEntries(base, { prefix: ['db'] })).items;
    const t0 = Date.now();
    await Promise.all([grow(store, 'main', entries.slice(0, 32), perSide), grow(store, 'dev', entries.slice(64, 96), perSide)]);
    const built = ((Date.now() - t0) / 1000).toFixed(0);
    const [a, b] = [(await store.getReference('main')).hash, (await store.getReference('dev')).hash];
    const found = await store.mergeBase(a, b);
    if (found !== base) throw new Error('wrong merge base');
    const ms = await median(7, () => store.mergeBase(a, b));
    return [`merge base (${backend}, ${perSide} commits on each side [built in ${built}s]): ${ms.toFixed(1)} ms (median of 7; recursive SQL walks bounded by generation, widened 8x until the base is found)`];
  } finally {
    await dispose();
  }
}
