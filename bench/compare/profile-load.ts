/**
 * Where does lakecat's loadTable time go? Starts lakecat under `node --cpu-prof`, loads a table
 * with 100 snapshots from N concurrent clients for a while, stops the server (the profile is
 * written on exit) and prints self time by function and by package.
 *
 *   node --import tsx bench/compare/profile-load.ts [--system lakecat-embedded|lakecat-pg]
 *        [--seconds 10] [--clients 16]
 *
 * lakecat-pg needs LAKECAT_TEST_PG_URL (scripts/with-postgres.sh). The .cpuprofile file stays in
 * the printed folder for Chrome DevTools or speedscope.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { HttpClient } from './http.js';
import { IcebergCatalog } from './iceberg.js';
import { drive } from './stats.js';
import { RunningSystem, SYSTEMS, type RunContext, type SystemSpec } from './systems.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values: opt } = parseArgs({
  options: {
    system: { type: 'string', default: 'lakecat-embedded' },
    seconds: { type: 'string', default: '10' },
    clients: { type: 'string', default: '16' },
  },
});

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Self time (ms) per key, from the sample stream of a V8 CPU profile. */
export function selfTimes(profile: CpuProfile, keyOf: (n: ProfileNode) => string): Map<string, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const out = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    if (!node) return;
    const k = keyOf(node);
    out.set(k, (out.get(k) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return out;
}

/** `node_modules/<package>`, `src/<folder>`, `node:internal` or the V8 pseudo-frames. */
export function packageOf(url: string, functionName: string): string {
  if (!url) return `(${functionName || 'anonymous'})`;
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1];
  const src = /\/(src\/[^/]+)\//.exec(url);
  if (src) return src[1];
  if (url.startsWith('node:')) return 'node:internal';
  return url.replace(/^file:\/\/.*\/(bench|bin)\//, '$1/');
}

function top(m: Map<string, number>, total: number, n: number): string[] {
  return [...m.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, v]) => `${((100 * v) / total).toFixed(1).padStart(5)}%  ${v.toFixed(0).padStart(7)} ms  ${k}`);
}

async function main(): Promise<void> {
  const base = SYSTEMS[opt.system as 'lakecat-embedded' | 'lakecat-pg'];
  if (!base || !base.id.startsWith('lakecat')) throw new Error('--system must be lakecat-embedded or lakecat-pg');
  const workDir = await mkdtemp(join(tmpdir(), 'lakecat-profile-'));
  const profDir = join(workDir, 'profile');
  const spec: SystemSpec = {
    ...base,
    async launch(ctx, port, dir) {
      const l = await base.launch(ctx, port, dir);
      return { ...l, args: ['--cpu-prof', `--cpu-prof-dir=${profDir}`, ...l.args] };
    },
  };
  const pgUrl = process.env.LAKECAT_TEST_PG_URL;
  const ctx: RunContext = {
    repoRoot,
    workDir,
    lakecatOnS3: false,
    newDatabase: pgUrl
      ? async (name) => {
          const db = `profile_${name}_${randomBytes(4).toString('hex')}`;
          const admin = new pg.Client({ connectionString: pgUrl });
          await admin.connect();
          await admin.query(`CREATE DATABASE ${db}`);
          await admin.end();
          const u = new URL(pgUrl);
          u.pathname = `/${db}`;
          return u.toString();
        }
      : undefined,
  };
  const running = await RunningSystem.start(spec, ctx);
  const http = new HttpClient(128);
  try {
    const iceberg = await IcebergCatalog.connect(http, spec.icebergRoot(running.port));
    await iceberg.createNamespace('bench');
    const t = await iceberg.createTable('bench', 'load_t');
    let state = t.state;
    for (let i = 0; i < 100; i++) state = (await iceberg.appendSnapshot('bench', 'load_t', state, t.location)).state;
    const once = () => iceberg.loadTable('bench', 'load_t');
    await drive({ concurrency: Number(opt.clients), seconds: 2 }, once);
    const r = await drive({ concurrency: Number(opt.clients), seconds: Number(opt.seconds) }, once);
    const body = (await http.request('GET', iceberg.tableUrl('bench', 'load_t'))).body;
    console.log(`loadTable x${opt.clients}: ${r.rate.toFixed(0)}/s, p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms, response ${body.length} bytes, RSS ${running.maxRssMiB().toFixed(0)} MiB`);
  } finally {
    http.close();
    await running.stop();
  }
  const file = (await readdir(profDir)).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no profile written in ${profDir}`);
  const profile = JSON.parse(await readFile(join(profDir, file), 'utf8')) as CpuProfile;
  const total = profile.timeDeltas.reduce((a, b) => a + b, 0) / 1000;
  console.log(`\nprofile ${join(profDir, file)}: ${total.toFixed(0)} ms sampled (whole process life, set-up included)`);
  console.log('\nself time by package:');
  console.log(top(selfTimes(profile, (n) => packageOf(n.callFrame.url, n.callFrame.functionName)), total, 15).join('\n'));
  console.log('\nself time by function:');
  const fn = (n: ProfileNode) =>
    `${n.callFrame.functionName || '(anonymous)'} ${packageOf(n.callFrame.url, n.callFrame.functionName)}:${n.callFrame.lineNumber + 1}`;
  console.log(top(selfTimes(profile, fn), total, 30).join('\n'));
}

main().catch((e) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exit(1);
});
