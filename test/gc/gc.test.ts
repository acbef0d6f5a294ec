/**
 * Garbage collection through lakecat's API, in-process (PGlite + memory by default; PostgreSQL
 * + MinIO in the services suite). Data is written as an engine writes it (Parquet files,
 * manifests, manifest lists, then a commit) by lakecat's own data client; after each scenario
 * every table at every reference is read back in full.
 */
import { randomUUID } from 'node:crypto';
import { parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendRows } from '../../src/data/append.js';
import { liveFiles } from '../../src/data/read-rows.js';
import { IcebergRestClient } from '../../src/data/rest-client.js';
import { scheduleGc } from '../../src/main.js';
import { createHarness, type Harness } from '../rest/harness.js';

const SCHEMA = {
  type: 'struct',
  'schema-id': 0,
  fields: [
    { id: 1, name: 'id', required: true, type: 'long' },
    { id: 2, name: 'name', required: false, type: 'string' },
  ],
};

const DAY = 86_400_000;

describe('garbage collection', () => {
  let h: Harness;
  const clients = new Map<string, IcebergRestClient>();
  const client = (ref = 'main') => {
    let c = clients.get(ref);
    if (!c) {
      c = new IcebergRestClient({ url: 'http://lakecat', warehouse: ref, fetch: async (url, init) => h.app.hono.request(url.replace('http://lakecat', ''), init) });
      clients.set(ref, c);
    }
    return c;
  };
  const rows = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ id: BigInt(from + i), name: `row ${from + i}` }));
  const append = (table: string, data: Record<string, unknown>[], ref = 'main', mode: 'append' | 'overwrite' = 'append') =>
    appendRows({ client: client(ref), store: h.objects, namespace: ['gc'], table, rows: data, newId: randomUUID, mode });

  /** Reads every row of a table at a reference (every data file of its current snapshot). */
  const readAll = async (table: string, ref = 'main'): Promise<bigint[]> => {
    const loaded = await client(ref).loadTable(['gc'], table);
    const m = loaded.metadata;
    const current = m.snapshots?.find((s) => s.snapshotId === m.refs?.main?.snapshotId);
    if (!current) return [];
    const out: bigint[] = [];
    for (const f of (await liveFiles(h.objects, current)).data) {
      const bytes = await h.objects.read(f.entry.dataFile.filePath);
      for (const r of await parquetReadObjects({ file: bytes.slice().buffer })) out.push(BigInt(r.id as bigint));
    }
    return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  };
  const ids = (from: number, n: number) => rows(from, n).map((r) => r.id);

  const gc = async (body: Record<string, unknown> = {}) => {
    const r = await h.request('POST', '/api/lakecat/v1/gc/runs', { writerGraceMs: 0, allowShortGrace: true, ...body });
    expect(r.status, r.text).toBe(body.dryRun ? 200 : 201);
    expect(r.body.safety.candidatesReferencedByAHead).toBe(0);
    return r.body;
  };
  const policy = async (p: Record<string, unknown>) => {
    const r = await h.request('PUT', '/api/lakecat/v1/gc/policies', p);
    expect(r.status, r.text).toBe(200);
  };
  const createTable = async (name: string, properties: Record<string, string> = {}) => {
    // Snappy: the test reads Parquet back with hyparquet, which has no ZSTD.
    const r = await h.request('POST', '/v1/namespaces/gc/tables', { name, schema: SCHEMA, properties: { 'write.parquet.compression-codec': 'snappy', ...properties } });
    expect(r.status, r.text).toBe(200);
    return r.body.metadata.location as string;
  };
  const head = async (ref: string) => (await h.request('GET', `/api/v2/trees/${ref}`)).body.reference.hash as string;
  const exists = (path: string) => h.objects.exists(path);

  beforeAll(async () => {
    h = await createHarness();
    expect((await h.request('POST', '/v1/namespaces', { namespace: ['gc'] })).status).toBe(200);
    // Keep only the head of main: what older commits held is garbage at once.
    await policy({ refType: 'BRANCH', pattern: 'main', retainMs: 0, retainCommits: 1, deletedGraceMs: 0 });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('keeps what a tag reads, and reclaims it once the tag is deleted', async () => {
    // The table expires its own snapshots at once (Iceberg's property): main's head version keeps
    // only its current snapshot; the tag's version keeps the one it points at.
    await createTable('tagged', { 'history.expire.max-snapshot-age-ms': '0' });
    const first = await append('tagged', rows(0, 3));
    const tagHash = await head('main');
    expect((await h.request('POST', '/api/v2/trees?name=t1&type=TAG', { type: 'BRANCH', name: 'main', hash: tagHash })).status).toBe(200);
    const second = await append('tagged', rows(100, 2), 'main', 'overwrite');

    const report = await gc();
    expect(report.totals.failedDeletes).toBe(0);
    for (const f of first.dataFiles) expect(await exists(f.filePath)).toBe(true);
    expect(await readAll('tagged', 't1')).toEqual(ids(0, 3));
    expect(await readAll('tagged')).toEqual(ids(100, 2));

    // The tag goes: its files are reclaimed after the grace (0 here), main's stay.
    await policy({ refType: 'TAG', pattern: '*', retainMs: 0, retainCommits: 1, deletedGraceMs: 0 });
    expect((await h.request('DELETE', `/api/v2/trees/t1@${tagHash}`)).status).toBe(200);
    const after = await gc();
    expect(after.totals.deletedFiles).toBeGreaterThan(0);
    for (const f of first.dataFiles) expect(await exists(f.filePath)).toBe(false);
    for (const f of second.dataFiles) expect(await exists(f.filePath)).toBe(true);
    expect(await readAll('tagged')).toEqual(ids(100, 2));
  });

  it("keeps a deleted branch's files for its grace, then reclaims them", async () => {
    await createTable('branchy');
    await append('branchy', rows(0, 2));
    const main = await head('main');
    expect((await h.request('POST', '/api/v2/trees?name=dev&type=BRANCH', { type: 'BRANCH', name: 'main', hash: main })).status).toBe(200);
    const onDev = await append('branchy', rows(10, 2), 'dev');
    expect(await readAll('branchy', 'dev')).toEqual([...ids(0, 2), ...ids(10, 2)]);
    expect((await h.request('DELETE', `/api/v2/trees/dev@${await head("dev")}`)).status).toBe(200);

    await policy({ refType: 'BRANCH', pattern: 'dev', retainMs: 0, retainCommits: 1, deletedGraceMs: DAY });
    const kept = await gc();
    expect(kept.references.some((r: any) => r.name === 'dev' && r.dropped?.reason === 'deleted')).toBe(true);
    for (const f of onDev.dataFiles) expect(await exists(f.filePath)).toBe(true);

    await policy({ refType: 'BRANCH', pattern: 'dev', retainMs: 0, retainCommits: 1, deletedGraceMs: 0 });
    await gc();
    for (const f of onDev.dataFiles) expect(await exists(f.filePath)).toBe(false);
    expect(await exists(onDev.metadataLocation)).toBe(false);
    expect(await readAll('branchy')).toEqual(ids(0, 2));
  });

  it("reclaims a dropped table's files once no retained version has it, and a failed commit's metadata.json", async () => {
    const location = await createTable('dropped');
    const written = await append('dropped', rows(0, 4));
    const orphan = `${location}/metadata/00009-${randomUUID()}.metadata.json`;
    await h.objects.write(orphan, '{"left":"by a commit that failed"}');
    expect((await h.request('DELETE', '/v1/namespaces/gc/tables/dropped')).status).toBe(204);

    const dry = await gc({ dryRun: true });
    const row = dry.tables.find((t: any) => t.location === location.replace(/\/$/, ''));
    expect(row?.reclaimableFiles).toBeGreaterThanOrEqual(written.dataFiles.length + 3);
    for (const f of written.dataFiles) expect(await exists(f.filePath)).toBe(true);

    const run = await gc();
    expect(run.totals.deletedFiles).toBeGreaterThanOrEqual(dry.totals.reclaimableFiles);
    for (const f of written.dataFiles) expect(await exists(f.filePath)).toBe(false);
    expect(await exists(orphan)).toBe(false);
    expect(await exists(written.metadataLocation)).toBe(false);
  });

  it('keeps files younger than the writer grace', async () => {
    const location = await createTable('young');
    const stray = `${location}/data/in-flight-${randomUUID()}.parquet`;
    await h.objects.write(stray, 'a write still in progress');
    const r = await gc({ writerGraceMs: 60 * 60_000 });
    expect(r.totals.keptByWriterGrace).toBeGreaterThan(0);
    expect(await exists(stray)).toBe(true);
  });

  it('keeps every file of two tables whose names were swapped', async () => {
    await createTable('left');
    await createTable('right');
    await append('left', rows(0, 2));
    await append('right', rows(50, 3));
    const rename = (a: string, b: string) => h.request('POST', '/v1/tables/rename', { source: { namespace: ['gc'], name: a }, destination: { namespace: ['gc'], name: b } });
    expect((await rename('left', 'tmp')).status).toBe(204);
    expect((await rename('right', 'left')).status).toBe(204);
    expect((await rename('tmp', 'right')).status).toBe(204);
    await gc();
    expect(await readAll('left')).toEqual(ids(50, 3));
    expect(await readAll('right')).toEqual(ids(0, 2));
  });

  it('fails closed: a table whose manifest cannot be read keeps everything under its location', async () => {
    const location = await createTable('broken');
    const written = await append('broken', rows(0, 2));
    const loaded = await client().loadTable(['gc'], 'broken');
    const snap = loaded.metadata.snapshots![0];
    const { readManifestList } = await import('../../src/iceberg/manifest/index.js');
    const manifest = readManifestList(await h.objects.read(snap.manifestList!)).manifests[0].manifestPath;
    await h.objects.delete(manifest);
    const stray = `${location}/data/stray-${randomUUID()}.parquet`;
    await h.objects.write(stray, 'unreferenced');

    const r = await gc();
    expect(r.skipped.find((s: any) => s.location === location.replace(/\/$/, ''))?.reason).toContain(manifest);
    expect(await exists(stray)).toBe(true);
    for (const f of written.dataFiles) expect(await exists(f.filePath)).toBe(true);
    expect((await h.request('DELETE', '/v1/namespaces/gc/tables/broken')).status).toBe(204);
  });

  it('keeps the files of a commit that lands while the run sweeps', async () => {
    await createTable('racing');
    await append('racing', rows(0, 2));
    // Files written before the run and committed after its mark: candidates at first.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let committed!: Promise<unknown>;
    const slow = new IcebergRestClient({
      url: 'http://lakecat',
      fetch: async (url, init) => {
        if (init?.method === 'POST' && url.endsWith('/tables/racing')) await gate;
        return h.app.hono.request(url.replace('http://lakecat', ''), init);
      },
    });
    const late = appendRows({ client: slow, store: h.objects, namespace: ['gc'], table: 'racing', rows: rows(20, 3), newId: randomUUID });
    // Wait until its data file is written (the commit is held at the gate).
    for (let i = 0; i < 500 && (await parquetFiles('racing')) < 2; i++) await new Promise((r) => setTimeout(r, 10));
    expect(await parquetFiles('racing')).toBe(2);

    const report = await h.catalog.gc.run({ principal: { kind: 'anonymous' } }, {
      writerGraceMs: 0,
      allowShortGrace: true,
      beforeBatch: async (n: number) => {
        if (n !== 1) return;
        release();
        committed = late;
        await committed;
      },
    });
    await committed;
    expect(report.totals.rescuedFiles).toBeGreaterThan(0);
    expect(await readAll('racing')).toEqual([...ids(0, 2), ...ids(20, 3)]);
  });

  async function parquetFiles(table: string): Promise<number> {
    const loaded = await client().loadTable(['gc'], table);
    let n = 0;
    for await (const o of h.objects.list(`${loaded.metadata.location}/data`)) if (o.location.endsWith('.parquet')) n++;
    return n;
  }

  it('allows one run at a time, and takes over a run whose process died', async () => {
    await createTable('resumed');
    for (let i = 0; i < 3; i++) await append('resumed', rows(i * 10, 2));
    let reached!: () => void;
    let wake!: () => void;
    const atSecondBatch = new Promise<void>((r) => (reached = r));
    const asleep = new Promise<void>((r) => (wake = r));
    const stuck = h.catalog.gc.run({ principal: { kind: 'anonymous' } }, {
      writerGraceMs: 0,
      allowShortGrace: true,
      batchSize: 1,
      // Stops before its second batch, like a process that hangs or is killed mid-sweep.
      beforeBatch: (n: number) => {
        if (n !== 2) return Promise.resolve();
        reached();
        return asleep;
      },
    });
    const stuckOutcome = stuck.then(
      () => 'finished',
      (err: Error) => err.message,
    );
    await atSecondBatch;
    const busy = await h.request('POST', '/api/lakecat/v1/gc/runs', { writerGraceMs: 0, allowShortGrace: true });
    expect(busy.status).toBe(409);
    expect(busy.body.error.message).toContain('still running');

    const realNow = h.deps.now;
    h.deps.now = () => realNow() + 10 * 60_000;
    try {
      const taken = await gc();
      expect(taken.tookOver).toHaveLength(1);
      const again = await gc({ dryRun: true });
      expect(again.totals.reclaimableFiles).toBe(0);
    } finally {
      h.deps.now = realNow;
    }
    expect(await readAll('resumed')).toEqual([...ids(0, 2), ...ids(10, 2), ...ids(20, 2)]);
    // The old run wakes up: it has lost its lease, stops, and stays recorded as interrupted.
    wake();
    expect(await stuckOutcome).toContain('lost its lease');
    const runs = (await h.request('GET', '/api/lakecat/v1/gc/runs')).body.runs;
    expect(runs.filter((r: any) => r.state === 'interrupted')).toHaveLength(1);
  });

  it('refuses to read or reference, by hash, a commit a run put outside every retention', async () => {
    await createTable('expiring');
    await append('expiring', rows(0, 1));
    const old = await head('main');
    await append('expiring', rows(1, 1));
    const dry = await gc({ dryRun: true });
    expect(dry.totals.commitsExpired).toBe(0);
    expect((await h.request('GET', `/v1/main@${old}/namespaces/gc/tables/expiring`)).status).toBe(200);

    // Commits of the last 5 minutes are never expired (other processes' clocks may lag): run later.
    const realNow = h.deps.now;
    h.deps.now = () => realNow() + 10 * 60_000;
    try {
      const run = await gc();
      expect(run.totals.commitsExpired).toBeGreaterThan(0);
    } finally {
      h.deps.now = realNow;
    }
    const read = await h.request('GET', `/v1/main@${old}/namespaces/gc/tables/expiring`);
    expect(read.status).toBe(404);
    expect(read.body.error.message).toContain('outside the retention of every reference');
    const branch = await h.request('POST', '/api/v2/trees?name=revive&type=BRANCH', { type: 'BRANCH', name: 'main', hash: old });
    expect(branch.status).toBe(404);
    expect((await h.request('GET', '/api/v2/trees')).body.references.some((r: any) => r.name === 'revive')).toBe(false);
    const relative = await h.request('GET', `/api/v2/trees/main~1/contents/gc.expiring`);
    expect(relative.status).toBe(404);
    expect(relative.text).toContain('outside the retention');
    // The head reads as before.
    expect(await readAll('expiring')).toEqual([...ids(0, 1), ...ids(1, 1)]);
  });

  it("keeps each branch's fork point from main, so the branch still merges after main's history expired", async () => {
    await createTable('forked');
    await append('forked', rows(0, 1));
    const fork = await head('main');
    expect((await h.request('POST', '/api/v2/trees?name=feat&type=BRANCH', { type: 'BRANCH', name: 'main', hash: fork })).status).toBe(200);
    await append('forked', rows(10, 1), 'feat');
    await append('forked', rows(20, 1));
    await append('forked', rows(21, 1));
    // feat keeps only its head: the fork point is kept as such, not as part of feat's history.
    await policy({ refType: 'BRANCH', pattern: 'feat', retainMs: 0, retainCommits: 1, deletedGraceMs: 0 });
    const realNow = h.deps.now;
    h.deps.now = () => realNow() + 10 * 60_000;
    let run;
    try {
      run = await gc();
    } finally {
      h.deps.now = realNow;
    }
    expect(run.references.find((r: any) => r.name === 'feat (fork point)')).toMatchObject({ retainedCommits: 1, oldestRetained: { hash: fork } });
    expect((await h.request('GET', `/v1/main@${fork}/namespaces/gc/tables/forked`)).status).toBe(200);
    const merged = await h.request('POST', `/api/v2/trees/main@${await head('main')}/history/merge`, { fromRefName: 'feat', fromHash: await head('feat') });
    expect(merged.status, merged.text).toBe(200);
    expect(await readAll('forked')).toEqual([...ids(0, 1), ...ids(10, 1), ...ids(20, 2)]);
  });

  it("turns engines' own file deletion off: gc.enabled=false on every table created or changed, true refused", async () => {
    await createTable('guarded');
    const loaded = await h.request('GET', '/v1/namespaces/gc/tables/guarded');
    expect(loaded.body.metadata.properties['gc.enabled']).toBe('false');
    const on = await h.request('POST', '/v1/namespaces/gc/tables', { name: 'wants_gc', schema: SCHEMA, properties: { 'gc.enabled': 'TRUE' } });
    expect(on.status).toBe(400);
    expect(on.body.error.message).toContain("'gc.enabled' cannot be true");
    expect((await h.request('GET', '/v1/namespaces/gc/tables/wants_gc')).status).toBe(404);
    const commit = (updates: unknown[]) => h.request('POST', '/v1/namespaces/gc/tables/guarded', { requirements: [], updates });
    const refused = await commit([{ action: 'set-properties', updates: { 'gc.enabled': 'true', owner: 'x' } }]);
    expect(refused.status).toBe(400);
    // Removing it is a change like any other: the table keeps it off.
    const removed = await commit([{ action: 'remove-properties', removals: ['gc.enabled'] }, { action: 'set-properties', updates: { owner: 'y' } }]);
    expect(removed.status, removed.text).toBe(200);
    expect(removed.body.metadata.properties).toMatchObject({ 'gc.enabled': 'false', owner: 'y' });

    // A table registered from a metadata file without it gets it at its next commit.
    const m = removed.body.metadata;
    const bare = { ...m, properties: { owner: 'z' } };
    const file = `${m.location}/metadata/99999-${randomUUID()}.metadata.json`;
    await h.objects.write(file, JSON.stringify(bare));
    expect((await h.request('DELETE', '/v1/namespaces/gc/tables/guarded')).status).toBe(204);
    const reg = await h.request('POST', '/v1/namespaces/gc/register', { name: 'guarded', 'metadata-location': file });
    expect(reg.status, reg.text).toBe(200);
    expect(reg.body.metadata.properties['gc.enabled']).toBeUndefined();
    const next = await commit([{ action: 'set-properties', updates: { owner: 'w' } }]);
    expect(next.body.metadata.properties).toMatchObject({ 'gc.enabled': 'false', owner: 'w' });
  });

  it('runs on a schedule (serve --gc-every), skipping a turn while another run holds the lease', async () => {
    const before = (await h.request('GET', '/api/lakecat/v1/gc/runs?limit=1000')).body.runs.length;
    const logged: Record<string, unknown>[] = [];
    const lakecat = { app: h.app, catalog: h.catalog, deps: h.deps, close: async () => undefined };
    scheduleGc(lakecat, 150, (r) => logged.push(r));
    for (let i = 0; i < 100 && !logged.some((r) => r.msg === 'gc run'); i++) await new Promise((r) => setTimeout(r, 50));
    await lakecat.close();
    expect(logged.find((r) => r.msg === 'gc run'), JSON.stringify(logged)).toMatchObject({ level: 'info', failedDeletes: 0 });
    const runs = (await h.request('GET', '/api/lakecat/v1/gc/runs?limit=1000')).body.runs;
    expect(runs.length).toBeGreaterThan(before);
    expect(runs.find((r: any) => r.startedBy === 'system:gc-schedule')).toBeDefined();
  });

  it('refuses a writer grace under a day unless asked, and bad policies', async () => {
    const r = await h.request('POST', '/api/lakecat/v1/gc/runs', { writerGraceMs: 1000 });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toContain('24 hours');
    expect((await h.request('PUT', '/api/lakecat/v1/gc/policies', { pattern: 'x y', retainMs: 1 })).status).toBe(400);
    expect((await h.request('PUT', '/api/lakecat/v1/gc/policies', { pattern: 'x', retainMs: -1 })).status).toBe(400);
    expect((await h.request('PUT', '/api/lakecat/v1/gc/policies', { pattern: 'x', retainMs: 1, refType: 'REF' })).status).toBe(400);
    expect((await h.request('DELETE', '/api/lakecat/v1/gc/policies/BRANCH/nope')).status).toBe(404);
    const listed = (await h.request('GET', '/api/lakecat/v1/gc/policies')).body.policies;
    expect(listed.some((p: any) => p.pattern === 'main' && !p.builtIn)).toBe(true);
    expect(listed.some((p: any) => p.builtIn && p.refType === 'TAG')).toBe(true);
  });
});

describe('garbage collection of database rows while writers commit', () => {
  it('removes the versions and key-index nodes only expired commits reached, and leaves every live state whole', { timeout: 120_000 }, async () => {
    const g = await createHarness();
    try {
      const realNow = g.deps.now;
      const props = (table: string, n: number) =>
        g.request('POST', `/v1/namespaces/w/tables/${table}`, { requirements: [], updates: [{ action: 'set-properties', updates: { n: String(n) } }] });
      // An hour of history: outside the retention below, and past the 5-minute margin.
      g.deps.now = () => realNow() - 3_600_000;
      expect((await g.request('POST', '/v1/namespaces', { namespace: ['w'] })).status).toBe(200);
      const tables = ['a', 'b', 'c', 'd'];
      let old = '';
      for (const t of tables) {
        expect((await g.request('POST', '/v1/namespaces/w/tables', { name: t, schema: SCHEMA })).status).toBe(200);
        for (let i = 0; i < 5; i++) expect((await props(t, i)).status).toBe(200);
        // A state that is no head when the run plans (the last setup commit may still be one).
        if (t === 'c') old = (await g.request('GET', '/api/v2/trees/main')).body.reference.hash;
      }
      // A branch with work of its own, deleted: its commits are unreachable once its grace (0) ends.
      const mainHead = (await g.request('GET', '/api/v2/trees/main')).body.reference.hash;
      expect((await g.request('POST', '/api/v2/trees?name=gone&type=BRANCH', { type: 'BRANCH', name: 'main', hash: mainHead })).status).toBe(200);
      expect((await g.request('POST', '/v1/gone/namespaces/w/tables/a', { requirements: [], updates: [{ action: 'set-properties', updates: { on: 'gone' } }] })).status).toBe(200);
      const gone = (await g.request('GET', '/api/v2/trees/gone')).body.reference.hash as string;
      expect((await g.request('DELETE', `/api/v2/trees/gone@${gone}`)).status).toBe(200);
      const detached = `/v1/${encodeURIComponent(`@${gone}`)}/namespaces/w/tables/a`;
      expect((await g.request('GET', detached)).status).toBe(200);
      expect((await g.request('PUT', '/api/lakecat/v1/gc/policies', { refType: 'BRANCH', pattern: 'gone', retainMs: 0, retainCommits: 1, deletedGraceMs: 0 })).status).toBe(200);
      g.deps.now = realNow;
      expect((await g.request('PUT', '/api/lakecat/v1/gc/policies', { refType: 'BRANCH', pattern: 'main', retainMs: 0, retainCommits: 1, deletedGraceMs: 0 })).status).toBe(200);

      // Writers keep committing for as long as the run expires history and removes rows.
      let running = true;
      const last = new Map<string, number>();
      const writers = tables.map(async (t) => {
        for (let i = 100; running || i < 115; i++) {
          expect((await props(t, i)).status).toBe(200);
          last.set(t, i);
        }
      });
      const run = g.request('POST', '/api/lakecat/v1/gc/runs', { writerGraceMs: 0, allowShortGrace: true }).finally(() => (running = false));
      const [report] = await Promise.all([run, ...writers]);
      expect(report.status, report.text).toBe(201);
      expect(report.body.totals.commitsExpired).toBeGreaterThan(0);
      expect(report.body.totals.versionsDeleted).toBeGreaterThan(0);
      expect(report.body.totals.indexNodesDeleted).toBeGreaterThan(0);
      expect(report.body.totals.commitsDeleted).toBe(1);
      const after = await g.request('GET', detached);
      expect(after.status).toBe(404);
      expect(after.text, after.text).toContain(gone);

      for (const t of tables) {
        const loaded = await g.request('GET', `/v1/namespaces/w/tables/${t}`);
        expect(loaded.status).toBe(200);
        expect(loaded.body.metadata.properties.n).toBe(String(last.get(t)));
      }
      expect((await g.request('GET', '/v1/namespaces/w/tables')).body.identifiers).toHaveLength(4);
      // The log still walks through the expired commits (their versions are gone from them).
      const log = await g.request('GET', '/api/v2/trees/main/history?fetch=ALL&max-records=1000');
      expect(log.status, log.text).toBe(200);
      expect(log.body.logEntries.length).toBeGreaterThanOrEqual(Math.min(1000, 1 + 4 * 6 + [...last.values()].reduce((n, i) => n + i - 99, 0)));
      // Expired states are refused by hash, not read half-gone.
      expect((await g.request('GET', `/v1/main@${old}/namespaces/w/tables/a`)).status).toBe(404);
      // Later runs mark every live state again (a missing row would fail them); the second may
      // still expire the head the first one planned at, the third finds nothing left.
      for (const expectEmpty of [false, true]) {
        const again = await g.request('POST', '/api/lakecat/v1/gc/runs', { writerGraceMs: 0, allowShortGrace: true });
        expect(again.status, again.text).toBe(201);
        if (expectEmpty) expect([again.body.totals.versionsDeleted, again.body.totals.indexNodesDeleted]).toEqual([0, 0]);
      }
      for (const t of tables) expect((await g.request('GET', `/v1/namespaces/w/tables/${t}`)).body.metadata.properties.n).toBe(String(last.get(t)));
    } finally {
      await g.close();
    }
  });
});
