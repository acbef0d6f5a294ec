/**
 * Times listing every table of one big namespace through Iceberg REST over real HTTP, the way
 * bench/compare's "list 10,000 tables" row does (no pageSize, then with a page size, following
 * next-page-token). Tables are created through the store in commits of 500 puts, as the
 * comparison bench does through the Nessie API.
 *
 *   npx tsx bench/list/list-tables.ts [--tables 10000] [--runs 9] [--page-size 100]
 *   LAKECAT_TEST_PG_URL=postgres://... npx tsx bench/list/list-tables.ts   # on PostgreSQL
 *
 * `--commit-between` commits a table in another namespace before each listing (outside the
 * timing), so that every listing is at a new commit, as on a catalog that is being written to.
 * `--profile FILE` writes a CPU profile (.cpuprofile) of the listing phase only.
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { MemoryObjectStore } from '../../src/io/memory.js';
import { createCatalog } from '../../src/catalog/index.js';
import { createApp } from '../../src/rest/app.js';
import type { CommitOperation } from '../../src/catalog/store/port.js';
import { meta, openStore, table } from '../store/common.js';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

const TABLES = arg('tables', 10_000);
const RUNS = arg('runs', 9);
const PAGE = arg('page-size', 100);
const NS = 'big';
const profileIdx = process.argv.indexOf('--profile');
const COMMIT_BETWEEN = process.argv.includes('--commit-between');
const PROFILE = profileIdx >= 0 ? process.argv[profileIdx + 1] : undefined;

async function main() {
  const { store, backend, dispose } = await openStore(process.env.LAKECAT_TEST_PG_URL);
  let head = (await store.getReference('main')).hash;
  head = (await store.commit('main', head, meta('ns'), [{ kind: 'put', key: [NS], content: { type: 'NAMESPACE', id: '', properties: {} } }])).hash;
  for (let i = 0; i < TABLES; i += 500) {
    const ops: CommitOperation[] = [];
    for (let j = i; j < Math.min(TABLES, i + 500); j++) {
      ops.push({ kind: 'put', key: [NS, `t${String(j).padStart(5, '0')}`], content: table(j) });
    }
    head = (await store.commit('main', head, meta(`bulk ${i}`), ops)).hash;
  }
  const deps = { store, objects: new MemoryObjectStore(), warehouse: 'memory://warehouse', now: Date.now, newUuid: randomUUID, commitRetries: 30 };
  const app = createApp({ catalog: createCatalog(deps) });
  const server = serve({ fetch: app.hono.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((r) => server.once('listening', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/`;

  async function listAll(pageSize?: number): Promise<number> {
    let count = 0;
    let token: string | undefined;
    for (;;) {
      const q = new URLSearchParams();
      if (pageSize) q.set('pageSize', String(pageSize));
      if (token) q.set('pageToken', token);
      const res = await fetch(`${base}namespaces/${NS}/tables${q.size ? `?${q}` : ''}`);
      if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
      const body = (await res.json()) as { identifiers: unknown[]; 'next-page-token': string | null };
      count += body.identifiers.length;
      token = body['next-page-token'] ?? undefined;
      if (!token || body.identifiers.length === 0) return count;
    }
  }

  let other = 0;
  head = (await store.commit('main', head, meta('other'), [{ kind: 'put', key: ['other'], content: { type: 'NAMESPACE', id: '', properties: {} } }])).hash;
  const report = async (label: string, pageSize?: number) => {
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      if (COMMIT_BETWEEN) {
        head = (await store.commit('main', head, meta('other'), [{ kind: 'put', key: ['other', `x${other}`], content: table(other++) }])).hash;
      }
      const t = performance.now();
      const n = await listAll(pageSize);
      times.push(performance.now() - t);
      if (n !== TABLES) throw new Error(`listed ${n} tables, expected ${TABLES}`);
    }
    const first = times[0];
    times.sort((a, b) => a - b);
    const f = (x: number) => x.toFixed(1);
    console.log(
      `${backend} ${TABLES} tables, ${label}: median ${f(times[times.length >> 1])} ms, min ${f(times[0])}, max ${f(times[times.length - 1])}, first ${f(first)}`,
    );
  };
  const session = PROFILE ? new Session() : undefined;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  const mode = COMMIT_BETWEEN ? ', a commit before each' : '';
  await report(`no pageSize${mode}`);
  await report(`pageSize ${PAGE}${mode}`, PAGE);
  if (session && PROFILE) {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(PROFILE, JSON.stringify(profile));
    session.disconnect();
  }
  server.close();
  await dispose();
}

await main();
