/**
 * A/B benchmark of lakecat's loadTable on PostgreSQL: two (or more) source trees, run
 * alternately on the same PostgreSQL so that a busy machine affects both alike.
 *
 *   scripts/with-postgres.sh node --import tsx bench/compare/load-ab.ts \
 *     --roots <tree A>,<tree B> [--reps 3] [--seconds 5] [--clients 1,16,64] [--parse true|false]
 *     [--conditional false|true] [--commits false|true]
 *
 * Each tree needs its own node_modules (a symlink to this one is enough). Per phase it prints
 * throughput and client-side latency, plus what each loadTable cost: CPU time of the lakecat
 * process and of the PostgreSQL server (all its processes, from /proc), and PostgreSQL
 * transactions (pg_stat_database), i.e. round trips, since every read is one autocommit statement.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { HttpClient } from './http.js';
import { IcebergCatalog } from './iceberg.js';
import { drive } from './stats.js';
import { RunningSystem, SYSTEMS, type RunContext } from './systems.js';

const { values: opt } = parseArgs({
  options: {
    roots: { type: 'string' },
    reps: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '5' },
    clients: { type: 'string', default: '1,16,64' },
    // false: the load generator only reads the body, as a client that skips JSON parsing, so
    // that its own CPU use (it shares the machine) weighs less on the server's numbers.
    parse: { type: 'string', default: 'true' },
    // true: each load sends the ETag of the previous answer (a refresh of an unchanged table, 304).
    conditional: { type: 'string', default: 'false' },
    // true: after the loads, 16 writers append to 16 tables of their own (commit cost check).
    commits: { type: 'string', default: 'false' },
  },
});

const TICK_MS = 10; // USER_HZ = 100 on Linux

/** utime + stime of a process, in ms; 0 once it is gone. */
function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * TICK_MS;
  } catch {
    return 0;
  }
}

/** The postmaster and its children (backends, walwriter, ...). */
function serverPids(postmaster: number): number[] {
  const out = [postmaster];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === postmaster) out.push(Number(d));
    } catch {
      // gone
    }
  }
  return out;
}

async function main(): Promise<void> {
  const pgUrl = process.env.LAKECAT_TEST_PG_URL;
  if (!pgUrl || !opt.roots) throw new Error('needs --roots and LAKECAT_TEST_PG_URL (scripts/with-postgres.sh)');
  const roots = opt.roots.split(',').map((r) => resolve(r));
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  const dataDir = (await admin.query<{ data_directory: string }>('SHOW data_directory')).rows[0].data_directory;
  const postmaster = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const clients = opt.clients!.split(',').map(Number);
  const seconds = Number(opt.seconds);
  console.log('| rep | tree | clients | loads/s | p50 ms | p99 ms | lakecat CPU µs/load | PostgreSQL CPU µs/load | PG xacts/load |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (let rep = 1; rep <= Number(opt.reps); rep++) {
    for (const [i, root] of roots.entries()) {
      const db = `loadab_${randomBytes(4).toString('hex')}`;
      await admin.query(`CREATE DATABASE ${db}`);
      const u = new URL(pgUrl);
      u.pathname = `/${db}`;
      const ctx: RunContext = { repoRoot: root, workDir: await mkdtemp(join(tmpdir(), 'lakecat-loadab-')), lakecatOnS3: false, newDatabase: async () => u.toString() };
      const running = await RunningSystem.start(SYSTEMS['lakecat-pg'], ctx);
      const http = new HttpClient(128);
      try {
        const iceberg = await IcebergCatalog.connect(http, `http://127.0.0.1:${running.port}`);
        await iceberg.createNamespace('bench');
        const t = await iceberg.createTable('bench', 'load_t');
        let state = t.state;
        for (let k = 0; k < 100; k++) state = (await iceberg.appendSnapshot('bench', 'load_t', state, t.location)).state;
        const url = iceberg.tableUrl('bench', 'load_t');
        const etag = (await http.request('GET', url)).etag ?? '';
        const once =
          opt.parse === 'true' && opt.conditional !== 'true'
            ? () => iceberg.loadTable('bench', 'load_t')
            : async () => {
                const r = await http.request('GET', url, undefined, opt.conditional === 'true' ? { 'if-none-match': etag } : {});
                if (r.status !== (opt.conditional === 'true' ? 304 : 200)) throw new Error(`loadTable answered ${r.status}`);
                if (opt.parse === 'true' && r.status === 200) JSON.parse(r.body);
              };
        await drive({ concurrency: 16, seconds: 2 }, once);
        for (const n of clients) {
          await new Promise((r) => setTimeout(r, 1200)); // let the statistics collector catch up
          const xacts = async () =>
            Number((await admin.query<{ x: string }>('SELECT xact_commit + xact_rollback AS x FROM pg_stat_database WHERE datname = $1', [db])).rows[0].x);
          const x0 = await xacts();
          const pids = serverPids(postmaster);
          const pg0 = pids.reduce((a, p) => a + cpuMs(p), 0);
          const l0 = cpuMs(running.child.pid!);
          const r = await drive({ concurrency: n, seconds }, once);
          const l1 = cpuMs(running.child.pid!);
          const pg1 = pids.reduce((a, p) => a + cpuMs(p), 0);
          await new Promise((res) => setTimeout(res, 2500));
          const x1 = await xacts();
          const ops = r.ok;
          console.log(
            `| ${rep} | ${String.fromCharCode(65 + i)} | ${n} | ${r.rate.toFixed(0)} | ${r.p50Ms.toFixed(2)} | ${r.p99Ms.toFixed(2)} | ${((1000 * (l1 - l0)) / ops).toFixed(0)} | ${((1000 * (pg1 - pg0)) / ops).toFixed(0)} | ${((x1 - x0 - 2) / ops).toFixed(3)} |`,
          );
        }
        if (opt.commits === 'true') {
          const tables = await Promise.all(
            Array.from({ length: 16 }, async (_, w) => {
              const c = await iceberg.createTable('bench', `commit_${w}`);
              return { location: c.location, state: c.state };
            }),
          );
          const l0 = cpuMs(running.child.pid!);
          const r = await drive({ concurrency: 16, seconds }, async (w) => {
            const t = tables[w];
            t.state = (await iceberg.appendSnapshot('bench', `commit_${w}`, t.state, t.location)).state;
          });
          const l1 = cpuMs(running.child.pid!);
          console.log(
            `| ${rep} | ${String.fromCharCode(65 + i)} | 16 writers | ${r.rate.toFixed(0)} commits/s | ${r.p50Ms.toFixed(2)} | ${r.p99Ms.toFixed(2)} | ${((1000 * (l1 - l0)) / r.ok).toFixed(0)} | | |`,
          );
        }
      } finally {
        http.close();
        await running.stop();
        await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
      }
    }
  }
  await admin.end();
}

main().catch((e) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exit(1);
});
