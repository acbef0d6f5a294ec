import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createStore } from '../../src/catalog/store/index.js';
import { largeTables, storeContract, table } from './contract.js';

storeContract('PGlite (in memory)', async () => {
  const store = createStore({ kind: 'pglite' });
  return { store, dispose: () => store.close() };
});

describe('PGlite in a data folder', () => {
  it('keeps the catalog across restarts and does not re-create main', { timeout: 120_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lakecat-pglite-'));
    try {
      const first = createStore({ kind: 'pglite', dataDir: dir });
      await first.init();
      const main = await first.getReference('main');
      const large = largeTables(20);
      const c = await first.commit('main', main.hash, { author: 'a', message: 'm' }, [
        { kind: 'put', key: ['t'], content: table(42) },
        ...large.map((content, i) => ({ kind: 'put' as const, key: ['big', `t${i}`], content })),
      ]);
      await first.close();

      const second = createStore({ kind: 'pglite', dataDir: dir });
      await second.init();
      expect((await second.getReference('main')).hash).toBe(c.hash);
      expect(await second.getContent(c.hash, ['t'])).toMatchObject({ snapshotId: 42n });
      // Several MB in one write: their rows are inserted apart from the commit's statement.
      for (const [i, content] of large.entries()) expect(await second.getContent(c.hash, ['big', `t${i}`])).toMatchObject({ ...content, id: expect.any(String) });
      await second.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
