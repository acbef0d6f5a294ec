/** Helpers shared by the store benchmarks. */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { createStore } from '../../src/catalog/store/index.js';
import type { CommitOperation, TableContent, VersionStore } from '../../src/catalog/store/port.js';

export function table(n: number, id = ''): TableContent {
  return {
    type: 'ICEBERG_TABLE',
    id,
    metadataLocation: `s3://warehouse/db/t/metadata/${String(n).padStart(5, '0')}-${randomUUID()}.metadata.json`,
    metadata: `{"format-version":2,"table-uuid":"${randomUUID()}","current-snapshot-id":${n}}`,
    snapshotId: BigInt(n),
    schemaId: 0,
    specId: 0,
    sortOrderId: 0,
  };
}

export const meta = (message: string) => ({ author: 'bench', message });

/** A store on a fresh PostgreSQL database (when `pgUrl` is set) or an in-memory PGlite. */
export async function openStore(
  pgUrl: string | undefined,
): Promise<{ store: VersionStore; backend: string; url?: string; dispose(): Promise<void> }> {
  if (!pgUrl) {
    const store = createStore({ kind: 'pglite' });
    await store.init();
    return { store, backend: 'PGlite', dispose: () => store.close() };
  }
  const name = `lakecat_bench_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(pgUrl);
  url.pathname = `/${name}`;
  const store = createStore({ kind: 'postgres', url: url.toString(), poolSize: 20 });
  await store.init();
  return {
    store,
    backend: 'PostgreSQL',
    url: url.toString(),
    async dispose() {
      await store.close();
      const c = new pg.Client({ connectionString: pgUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** Adds `count` tables under `ns` in commits of `batch` puts; returns the new head. */
export async function addTables(store: VersionStore, branch: string, ns: string, count: number, batch = 5000): Promise<string> {
  let head = (await store.getReference(branch)).hash;
  if ((await store.getContent(head, [ns])) === null) {
    head = (await store.commit(branch, head, meta('ns'), [{ kind: 'put', key: [ns], content: { type: 'NAMESPACE', id: '', properties: {} } }])).hash;
  }
  for (let i = 0; i < count; i += batch) {
    const ops: CommitOperation[] = [];
    for (let j = i; j < Math.min(count, i + batch); j++) ops.push({ kind: 'put', key: [ns, `t${j}`], content: table(j) });
    head = (await store.commit(branch, head, meta(`load ${i}`), ops)).hash;
  }
  return head;
}

export async function timeIt<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, value };
}

/** Median of `runs` timings of `fn` in ms; with `selfTimed`, `fn` returns its own timing. */
export async function median(runs: number, fn: () => Promise<unknown>, selfTimed = false): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = await timeIt(fn);
    times.push(selfTimed ? (r.value as number) : r.ms);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}
