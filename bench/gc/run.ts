/**
 * Garbage collection at catalog scale: `npm run bench:gc` (a throwaway PostgreSQL; the files in
 * a local folder, so the numbers are lakecat's own work, not S3 latency).
 *
 * The catalog: BENCH_GC_TABLES tables (default 1,000) with BENCH_GC_SNAPSHOTS snapshots each
 * (default 100), each snapshot replacing the table's data (one data file, one manifest, one
 * manifest list), committed to `main` in catalog commits of 10 snapshots per table; then `dev`
 * and `test` branch off and each change a tenth of the tables once more. Every table sets
 * `history.expire.max-snapshot-age-ms=0`, so each table version keeps only its current snapshot.
 *
 * Three runs over the same catalog and history:
 *  1. a dry run keeping every catalog commit (every version of every table is live);
 *  2. a dry run keeping only each reference's head (one version per table and branch);
 *  3. the real run of 2, deleting what it reports.
 * Each prints its time, the files it read, peak RSS and heap during the run, and what it found
 * reclaimable (or deleted). Runs 1 and 2 see the same history; their cost differs by the
 * versions and files they read.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { createCatalog } from '../../src/catalog/catalog.js';
import { anonymousActor } from '../../src/catalog/context.js';
import type { CatalogDeps } from '../../src/catalog/deps.js';
import type { CommitOperation, TableContent } from '../../src/catalog/store/port.js';
import { tableContent } from '../../src/catalog/tables.js';
import { commit, dataFile, Files, table } from '../../src/iceberg/merge/test-tables.js';
import type { TableMetadata } from '../../src/iceberg/model.js';
import { serializeTableMetadata } from '../../src/iceberg/table-metadata-json.js';
import { LocalFsObjectStore } from '../../src/io/local-fs.js';
import { meta, openStore } from '../store/common.js';

const TABLES = Number(process.env.BENCH_GC_TABLES ?? 1000);
const SNAPSHOTS = Number(process.env.BENCH_GC_SNAPSHOTS ?? 100);
const PER_COMMIT = 10;
const MiB = 1024 * 1024;
const ms2 = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

const root = mkdtempSync(join(tmpdir(), 'lakecat-bench-gc-'));
const warehouse = pathToFileURL(join(root, 'warehouse')).href;
const { store, backend, url, dispose } = await openStore(process.env.LAKECAT_TEST_PG_URL);
/** Rows and bytes of the version store's tables (PostgreSQL only). */
const dbSize = async (): Promise<string> => {
  if (!url) return 'n/a on PGlite';
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query(
      `SELECT (SELECT count(*) FROM contents) AS versions, (SELECT count(*) FROM index_nodes) AS nodes, (SELECT count(*) FROM commits) AS commits,
              pg_total_relation_size('contents') + pg_total_relation_size('index_nodes') + pg_total_relation_size('commits') AS bytes`,
    );
    const row = r.rows[0];
    return `${row.commits} commits, ${row.versions} versions, ${row.nodes} index nodes, ${(Number(row.bytes) / MiB).toFixed(0)} MiB on disk`;
  } finally {
    await c.end();
  }
};
try {
  const objects = new LocalFsObjectStore(root);
  const deps: CatalogDeps = { store, objects, warehouse, now: Date.now, newUuid: randomUUID, commitRetries: 10 };
  const catalog = createCatalog(deps);
  const actor = anonymousActor('bench');
  const content = (m: TableMetadata, id: string): TableContent => tableContent(id, `${m.location}/metadata/${randomUUID()}.metadata.json`, serializeTableMetadata(m), m);
  const commitAll = async (branch: string, ops: CommitOperation[]) => {
    for (let i = 0; i < ops.length; i += 250) {
      const head = (await store.getReference(branch)).hash;
      // Made a day ago, so that the runs below may expire them (a run never expires the last 5 minutes).
      await store.commit(branch, head, { ...meta(`${branch} batch`), commitTimeMs: Date.now() - 86_400_000 }, ops.slice(i, i + 250));
    }
  };
  /** Writes a table's new files; keeps in memory only the current snapshot's list and manifest (the next change reads them). */
  const flush = async (files: Files, m: TableMetadata) => {
    const entries = [...files.bytes];
    for (let i = 0; i < entries.length; i += 64) await Promise.all(entries.slice(i, i + 64).map(([l, b]) => objects.write(l, b)));
    const id = String(m.currentSnapshotId);
    for (const [l] of entries) if (!l.endsWith(`/snap-${id}.avro`) && !l.includes(`/${id}-m`)) files.bytes.delete(l);
    files.parsed.clear();
  };

  // --- the catalog
  const t0 = performance.now();
  await commitAll('main', [{ kind: 'put', key: ['db'], content: { type: 'NAMESPACE', id: randomUUID(), properties: {} } }]);
  const ids = Array.from({ length: TABLES }, () => randomUUID());
  const current: TableMetadata[] = [];
  const filesOf: Files[] = [];
  let dataFiles = 0;
  for (let i = 0; i < TABLES; i++) {
    current.push(table(2, { 'history.expire.max-snapshot-age-ms': '0' }, `${warehouse}/db/t${i}`));
    filesOf.push(new Files());
  }
  const step = async (m: TableMetadata, i: number, n: number): Promise<TableMetadata> => {
    const files = filesOf[i];
    const previous = m.snapshots.find((s) => s.snapshotId === m.currentSnapshotId);
    const name = `d${n}-${randomUUID()}.parquet`;
    const next = commit(files, m, 'overwrite', [dataFile(name, 10n, m.location)], previous ? [lastDataFile.get(i)!] : []);
    lastDataFile.set(i, name);
    files.bytes.set(`${m.location}/data/${name}`, new Uint8Array(1000));
    dataFiles++;
    return next;
  };
  const lastDataFile = new Map<number, string>();
  for (let round = 0; round < SNAPSHOTS / PER_COMMIT; round++) {
    const ops: CommitOperation[] = [];
    for (let i = 0; i < TABLES; i++) {
      let m = current[i];
      for (let k = 0; k < PER_COMMIT; k++) m = await step(m, i, round * PER_COMMIT + k);
      current[i] = m;
      const c = content(m, ids[i]);
      await objects.write(c.metadataLocation, c.metadata);
      await flush(filesOf[i], current[i]);
      ops.push({ kind: 'put', key: ['db', `t${i}`], content: c, ...(round > 0 ? { expectedContentId: ids[i] } : {}) });
    }
    await commitAll('main', ops);
  }
  for (const branch of ['dev', 'test']) {
    await store.createReference(branch, 'BRANCH', (await store.getReference('main')).hash);
    const ops: CommitOperation[] = [];
    for (let i = 0; i < TABLES; i += 10) {
      const mainFile = lastDataFile.get(i)!;
      const m = await step(current[i], i, SNAPSHOTS + (branch === 'dev' ? 1 : 2));
      lastDataFile.set(i, mainFile);
      const c = content(m, ids[i]);
      await objects.write(c.metadataLocation, c.metadata);
      await flush(filesOf[i], current[i]);
      ops.push({ kind: 'put', key: ['db', `t${i}`], content: c, expectedContentId: ids[i] });
    }
    await commitAll(branch, ops);
  }
  const commits = (await store.log((await store.getReference('main')).hash, { pageSize: 10_000 })).items.length;
  console.log(
    `gc bench (${backend}, local folder): ${TABLES} tables x ${SNAPSHOTS} snapshots on main (${commits} catalog commits), ` +
      `dev and test each changing ${Math.ceil(TABLES / 10)} tables; ${dataFiles} data files; built in ${((performance.now() - t0) / 1000).toFixed(0)} s`,
  );

  // --- the runs
  const policy = (retainMs: number) =>
    Promise.all(['main', 'dev', 'test'].map((pattern) => catalog.gc.setPolicy(actor, { refType: 'BRANCH', pattern, retainMs, retainCommits: 1, deletedGraceMs: 0 })));
  const measure = async (label: string, dryRun: boolean) => {
    globalThis.gc?.();
    const before = process.memoryUsage();
    let peakRss = before.rss;
    let peakHeap = before.heapUsed;
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      peakRss = Math.max(peakRss, m.rss);
      peakHeap = Math.max(peakHeap, m.heapUsed);
    }, 20);
    const start = performance.now();
    const r = await catalog.gc.run(actor, { dryRun, writerGraceMs: 0, allowShortGrace: true });
    const ms = performance.now() - start;
    clearInterval(sampler);
    const t = r.totals;
    console.log(
      `gc ${label}: ${(ms / 1000).toFixed(1)} s; ${t.liveVersions} live table versions, read ${r.reads.manifestListsRead} manifest lists + ${r.reads.manifestsRead} manifests ` +
        `(${(r.reads.bytesRead / MiB).toFixed(0)} MiB); listed ${t.listedFiles} files; ` +
        (dryRun ? `reclaimable ${t.reclaimableFiles} files, ${(t.reclaimableBytes / MiB).toFixed(1)} MiB` : `deleted ${t.deletedFiles} files, ${(t.deletedBytes / MiB).toFixed(1)} MiB`) +
        `; plan ${ms2(r.phasesMs.plan)}, mark ${ms2(r.phasesMs.mark)}, list ${ms2(r.phasesMs.list)}, sweep ${ms2(r.phasesMs.sweep)}, rows ${ms2(r.phasesMs.rows)}` +
        (dryRun ? '' : `; database: ${t.commitsExpired} commits expired, ${t.versionsDeleted} versions (${(t.versionBytesDeleted / MiB).toFixed(1)} MiB) and ${t.indexNodesDeleted} index nodes removed`) +
        `; peak RSS ${(peakRss / MiB).toFixed(0)} MiB (+${((peakRss - before.rss) / MiB).toFixed(0)}), peak heap ${(peakHeap / MiB).toFixed(0)} MiB; safety ${r.safety.candidatesReferencedByAHead}`,
    );
  };
  await policy(100 * 365 * 86_400_000);
  await measure('dry run, every commit kept', true);
  await policy(0);
  await measure('dry run, heads only', true);
  console.log(`database before the run: ${await dbSize()}`);
  await measure('run, heads only', false);
  console.log(`database after the run: ${await dbSize()} (deleted rows' space is reused by PostgreSQL, or returned by VACUUM FULL)`);
  await measure('dry run after it', true);
} finally {
  await dispose();
  rmSync(root, { recursive: true, force: true });
}
