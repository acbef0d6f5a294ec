/**
 * The workload, identical for every catalog: Iceberg REST for reads, commits, creation and
 * listing; Nessie API v2 for branching and merging where the catalog has it.
 */
import { HttpError, type HttpClient } from './http.js';
import { IcebergCatalog, type TableState } from './iceberg.js';
import { NessieApi, type TablePut } from './nessie.js';
import { drive, timeMs, type PhaseResult } from './stats.js';

export const WORKLOADS = ['create', 'load', 'commit', 'hot', 'tx', 'list', 'branch'] as const;
export type Workload = (typeof WORKLOADS)[number];

export interface Cell {
  value: number;
  text: string;
}

export interface WorkloadContext {
  http: HttpClient;
  iceberg: IcebergCatalog;
  nessie?: NessieApi;
  seconds: number;
  warmupSeconds: number;
  /** Tables for the list and branch workloads (10,000). */
  bigTables: number;
  /** Tables a branch changes before it is merged (1,000). */
  mergeTables: number;
  /** Cap on the time spent creating the big namespace through Iceberg REST (reference server). */
  setupSeconds: number;
  workloads: ReadonlySet<Workload>;
  record(key: string, cell: Cell): void;
  fail(key: string, error: unknown): void;
  log(line: string): void;
}

const NS = 'bench';
const BIG_NS = 'big';

const fmt = (n: number, digits = 1) =>
  !Number.isFinite(n) ? '–' : n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(digits);

export function rateCell(r: PhaseResult, unit = '/s'): Cell {
  const errors = r.errors ? ` · ${r.errors} errors` : '';
  return { value: r.rate, text: `${fmt(r.rate)}${unit} · p50 ${fmt(r.p50Ms, 2)} · p99 ${fmt(r.p99Ms, 2)} ms${errors}` };
}

export function msCell(ms: number, extra = ''): Cell {
  return { value: ms, text: `${fmt(ms, 2)} ms${extra}` };
}

function checkPhase(key: string, r: PhaseResult, ctx: WorkloadContext): boolean {
  if (r.ok === 0) {
    ctx.fail(key, new Error(r.firstError ?? 'no operation succeeded'));
    return false;
  }
  if (r.firstError) ctx.log(`  ${key}: ${r.errors} errors, first: ${r.firstError}`);
  return true;
}

async function guarded(ctx: WorkloadContext, key: string, f: () => Promise<void>): Promise<void> {
  try {
    await f();
  } catch (e) {
    ctx.log(`  ${key} failed: ${e instanceof Error ? e.message : String(e)}`);
    ctx.fail(key, e);
  }
}

interface Seed {
  /** metadata.json of a real table, for tables created in bulk through Nessie API v2. */
  metadataLocation: string;
  /** A later metadata.json of the same table, for the changes a branch makes. */
  nextMetadataLocation: string;
}

export async function runWorkloads(ctx: WorkloadContext): Promise<void> {
  const { iceberg } = ctx;
  await iceberg.createNamespace(NS);

  // A table with 100 snapshots for loadTable, committed one by one.
  const load = await iceberg.createTable(NS, 'load_t');
  let state: TableState = load.state;
  for (let i = 0; i < 100; i++) state = (await iceberg.appendSnapshot(NS, 'load_t', state, load.location)).state;

  const seedTable = await iceberg.createTable(NS, 'seed');
  const seedNext = await iceberg.appendSnapshot(NS, 'seed', seedTable.state, seedTable.location);
  const seed: Seed = { metadataLocation: seedTable.metadataLocation, nextMetadataLocation: seedNext.metadataLocation };

  if (ctx.workloads.has('create')) {
    await guarded(ctx, 'create-ns', async () => {
      const r = await drive({ concurrency: 4, seconds: ctx.seconds }, (w, n) => iceberg.createNamespace(`ns_${w}_${n}`));
      if (checkPhase('create-ns', r, ctx)) ctx.record('create-ns', rateCell(r));
    });
    await guarded(ctx, 'create-table', async () => {
      await iceberg.createNamespace('created');
      const r = await drive({ concurrency: 4, seconds: ctx.seconds }, (w, n) => iceberg.createTable('created', `t_${w}_${n}`));
      if (checkPhase('create-table', r, ctx)) ctx.record('create-table', rateCell(r));
    });
  }

  if (ctx.workloads.has('load')) {
    const once = () => iceberg.loadTable(NS, 'load_t').then(() => undefined);
    // JIT warm-up for every server alike (the JVMs profit most), not measured.
    await drive({ concurrency: 16, seconds: ctx.warmupSeconds }, once);
    for (const c of [1, 16, 64]) {
      await guarded(ctx, `load-${c}`, async () => {
        const r = await drive({ concurrency: c, seconds: ctx.seconds }, once);
        if (checkPhase(`load-${c}`, r, ctx)) ctx.record(`load-${c}`, rateCell(r));
      });
    }
  }

  if (ctx.workloads.has('commit')) await guarded(ctx, 'commit-100', () => commitManyTables(ctx));
  if (ctx.workloads.has('hot')) await guarded(ctx, 'commit-hot', () => commitOneTable(ctx));
  if (ctx.workloads.has('tx')) await guarded(ctx, 'tx-10', () => multiTableTransactions(ctx));

  const branchable = ctx.nessie && ctx.workloads.has('branch');
  if (branchable) {
    await guarded(ctx, 'branch-small', async () => {
      const ms = await branchCreationMs(ctx.nessie!, 'small');
      ctx.record('branch-small', msCell(ms));
    });
  }

  let bulk: Map<string, string> | undefined;
  if (ctx.workloads.has('list') || branchable) {
    await guarded(ctx, 'list', async () => {
      bulk = await createBigNamespace(ctx, seed);
      if (!ctx.workloads.has('list')) return;
      const times: number[] = [];
      let count = 0;
      for (let i = 0; i < 3; i++) times.push(await timeMs(async () => (count = await iceberg.listTables(BIG_NS))));
      times.sort((a, b) => a - b);
      const note = count === ctx.bigTables ? '' : ` (${count.toLocaleString('en-US')} tables)`;
      ctx.record('list', msCell(times[1], note));
    });
  }

  if (branchable && bulk) {
    await guarded(ctx, 'branch-big', async () => {
      const ms = await branchCreationMs(ctx.nessie!, 'big');
      ctx.record('branch-big', msCell(ms));
    });
    await guarded(ctx, 'merge', () => mergeChangedTables(ctx, bulk!, seed));
  }
}

async function createTables(ctx: WorkloadContext, ns: string, names: string[]) {
  const out = new Map<string, { location: string; state: TableState }>();
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < names.length) {
        const name = names[next++];
        const t = await ctx.iceberg.createTable(ns, name);
        out.set(name, t);
      }
    }),
  );
  return out;
}

/** 16 writers, each appending to its own share of 100 tables. */
async function commitManyTables(ctx: WorkloadContext): Promise<void> {
  await ctx.iceberg.createNamespace('commits');
  const names = Array.from({ length: 100 }, (_, i) => `c_${String(i).padStart(3, '0')}`);
  const tables = await createTables(ctx, 'commits', names);
  const r = await drive({ concurrency: 16, seconds: ctx.seconds }, async (w, n) => {
    const mine = names.filter((_, i) => i % 16 === w);
    const name = mine[n % mine.length];
    const t = tables.get(name)!;
    const done = await ctx.iceberg.appendSnapshot('commits', name, t.state, t.location);
    t.state = done.state;
  });
  if (checkPhase('commit-100', r, ctx)) ctx.record('commit-100', rateCell(r));
}

/** 16 writers on one table: load, commit, and on 409 load again and retry, as Iceberg clients do. */
async function commitOneTable(ctx: WorkloadContext): Promise<void> {
  await ctx.iceberg.createNamespace('hot');
  const { location } = await ctx.iceberg.createTable('hot', 'hot_t');
  let conflicts = 0;
  let retries = 0;
  let gaveUp = 0;
  const r = await drive({ concurrency: 16, seconds: ctx.seconds }, async () => {
    for (let attempt = 0; ; attempt++) {
      const loaded = await ctx.iceberg.loadTable('hot', 'hot_t');
      try {
        await ctx.iceberg.appendSnapshot('hot', 'hot_t', stateOfLoaded(loaded), location);
        return;
      } catch (e) {
        if (!(e instanceof HttpError) || e.status !== 409) throw e;
        conflicts++;
        if (attempt >= 50) {
          gaveUp++;
          throw e;
        }
        retries++;
      }
    }
  });
  if (!checkPhase('commit-hot', r, ctx)) return;
  const cell = rateCell(r);
  ctx.record('commit-hot', { value: cell.value, text: `${cell.text} · ${conflicts} × 409 · ${retries} retries${gaveUp ? ` · ${gaveUp} gave up` : ''}` });
}

function stateOfLoaded(loaded: any): TableState {
  const m = loaded.metadata;
  const current = m['current-snapshot-id'];
  return {
    snapshotId: current === null || current === undefined || current === -1 ? null : Number(current),
    lastSequenceNumber: Number(m['last-sequence-number'] ?? 0),
  };
}

/** One client committing one snapshot to each of 10 tables per transaction. */
async function multiTableTransactions(ctx: WorkloadContext): Promise<void> {
  await ctx.iceberg.createNamespace('tx');
  const names = Array.from({ length: 10 }, (_, i) => `tx_${i}`);
  const created = await createTables(ctx, 'tx', names);
  const tables = names.map((name) => ({ ns: 'tx', name, ...created.get(name)! }));
  const r = await drive({ concurrency: 1, seconds: ctx.seconds }, async () => {
    const next = await ctx.iceberg.commitTransaction(tables);
    next.forEach((s, i) => (tables[i].state = s));
  });
  if (checkPhase('tx-10', r, ctx)) ctx.record('tx-10', rateCell(r, ' tx/s'));
}

/**
 * `bigTables` tables in namespace `big`. Through Nessie API v2 commits of 500 Puts where the
 * catalog has it (the tables share the seed table's metadata.json; set-up, not measured);
 * otherwise through Iceberg REST createTable with 16 clients, for at most `setupSeconds`.
 * Returns the content ids of the tables when they were created through Nessie API v2.
 */
async function createBigNamespace(ctx: WorkloadContext, seed: Seed): Promise<Map<string, string> | undefined> {
  await ctx.iceberg.createNamespace(BIG_NS);
  const names = Array.from({ length: ctx.bigTables }, (_, i) => `t${String(i).padStart(5, '0')}`);
  const t0 = performance.now();
  if (ctx.nessie) {
    let head = await ctx.nessie.ref('main');
    const ids = new Map<string, string>();
    for (let i = 0; i < names.length; i += 500) {
      const puts: TablePut[] = names.slice(i, i + 500).map((name) => ({ ns: BIG_NS, name, metadataLocation: seed.metadataLocation }));
      const done = await ctx.nessie.commitPuts(head, puts, `bulk ${i}`);
      head = done.head;
      for (const [k, v] of done.added) ids.set(k, v);
    }
    ctx.log(`  created ${names.length} tables through Nessie API v2 in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    return ids;
  }
  let next = 0;
  const deadline = t0 + ctx.setupSeconds * 1000;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < names.length && performance.now() < deadline) await ctx.iceberg.createTable(BIG_NS, names[next++]);
    }),
  );
  ctx.log(`  created ${Math.min(next, names.length)} tables through Iceberg REST in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return undefined;
}

/** Median of 5 branch creations from the head of main. */
async function branchCreationMs(nessie: NessieApi, tag: string): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const main = await nessie.ref('main');
    times.push(await timeMs(() => nessie.createBranch(`b_${tag}_${i}`, main)));
  }
  return times.sort((a, b) => a - b)[2];
}

/** A branch changes `mergeTables` tables, main moves on elsewhere, and the branch is merged. */
async function mergeChangedTables(ctx: WorkloadContext, bulk: Map<string, string>, seed: Seed): Promise<void> {
  const nessie = ctx.nessie!;
  let ids = bulk;
  if (ids.size < ctx.bigTables) ids = await nessie.contentIds('main', BIG_NS);
  const main0 = await nessie.ref('main');
  let feat = await nessie.createBranch('feat', main0);
  const changed = [...ids.entries()].slice(0, ctx.mergeTables);
  for (let i = 0; i < changed.length; i += 500) {
    const puts = changed.slice(i, i + 500).map(([key, contentId]) => ({
      ns: BIG_NS,
      name: key.slice(BIG_NS.length + 1),
      metadataLocation: seed.nextMetadataLocation,
      contentId,
    }));
    feat = (await nessie.commitPuts(feat, puts, `change ${i}`)).head;
  }
  // Move main past the fork point so that the merge is a real three-way merge.
  const [lastKey, lastId] = [...ids.entries()][ids.size - 1];
  const main1 = (
    await nessie.commitPuts(main0, [{ ns: BIG_NS, name: lastKey.slice(BIG_NS.length + 1), metadataLocation: seed.nextMetadataLocation, contentId: lastId }], 'diverge')
  ).head;
  const ms = await timeMs(() => nessie.merge(main1, feat));
  ctx.record('merge', msCell(ms, changed.length === ctx.mergeTables ? '' : ` (${changed.length} tables)`));
}
