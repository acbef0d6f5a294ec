/** PostgreSQL bytes per small commit (one table changed) in a small and a large catalog. */
import pg from 'pg';
import { addTables, meta, openStore, table } from './common.js';

const SIZE_SQL = `SELECT sum(pg_total_relation_size(t))::bigint AS bytes,
                         (SELECT sum(octet_length(data)) FROM index_nodes)::bigint AS node_bytes
                  FROM unnest(array['commits', 'contents', 'index_nodes', 'refs']) AS t`;

export async function bytesPerCommit(pgUrl: string | undefined, commits = 1000): Promise<string[]> {
  if (!pgUrl) return ['bytes per commit: needs PostgreSQL (LAKECAT_TEST_PG_URL)'];
  const out: string[] = [];
  for (const tables of [10, 100_000]) {
    const { store, url, dispose } = await openStore(pgUrl);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await addTables(store, 'main', 'db', tables);
      const head = (await store.getReference('main')).hash;
      const entries = (await store.listEntries(head, { prefix: ['db'], pageSize: 10 })).items;
      await client.query('VACUUM');
      const before = (await client.query(SIZE_SQL)).rows[0];
      let h = head;
      for (let i = 0; i < commits; i++) {
        const e = entries[i % entries.length];
        h = (await store.commit('main', h, meta(`c${i}`), [{ kind: 'put', key: e.key, content: table(i, e.contentId), expectedContentId: e.contentId }])).hash;
      }
      await client.query('VACUUM');
      const after = (await client.query(SIZE_SQL)).rows[0];
      const total = (Number(after.bytes) - Number(before.bytes)) / commits;
      const nodes = (Number(after.node_bytes) - Number(before.node_bytes)) / commits;
      out.push(
        `space per commit (PostgreSQL, one table changed, ${tables} tables): ${total.toFixed(0)} bytes on disk incl. indexes ` +
          `(${nodes.toFixed(0)} bytes of key-index nodes)`,
      );
    } finally {
      await client.end();
      await dispose();
    }
  }
  return out;
}
