/**
 * lakecat side by side with Project Nessie and the Iceberg REST reference server:
 *
 *   npm run bench -- [--seconds 10] [--warmup 3] [--systems lakecat-embedded,nessie-inmem,...]
 *                    [--workloads create,load,commit,hot,tx,list,branch] [--tables 10000]
 *                    [--merge-tables 1000] [--lakecat-warehouse s3|local] [--note "..."] [--out FILE]
 *
 * `npm run bench` wraps this in scripts/with-postgres.sh and scripts/with-minio.sh, which hand
 * over LAKECAT_TEST_PG_URL and LAKECAT_TEST_S3_*. Each catalog runs alone, one after the other,
 * on 127.0.0.1; the results table goes to bench/results/<date>.md and to stdout.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { cpus, homedir, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { ensureDownloads, type Downloads } from './downloads.js';
import { HttpClient } from './http.js';
import { IcebergCatalog } from './iceberg.js';
import { NessieApi } from './nessie.js';
import { markdownTable, rows, type Outcome } from './report.js';
import { RunningSystem, SYSTEM_IDS, SYSTEMS, type RunContext, type SystemId } from './systems.js';
import { WORKLOADS, runWorkloads, type Workload } from './workloads.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const { values: opt } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    systems: { type: 'string', default: SYSTEM_IDS.join(',') },
    workloads: { type: 'string', default: WORKLOADS.join(',') },
    tables: { type: 'string', default: '10000' },
    'merge-tables': { type: 'string', default: '1000' },
    'setup-seconds': { type: 'string', default: '150' },
    'nessie-version': { type: 'string', default: '0.99.0' },
    'iceberg-version': { type: 'string', default: '1.10.1' },
    'lakecat-warehouse': { type: 'string', default: 's3' },
    note: { type: 'string' },
    out: { type: 'string' },
    'keep-logs': { type: 'boolean', default: false },
  },
});

function list<T extends string>(text: string, allowed: readonly T[], what: string): T[] {
  const items = text.split(',').map((s) => s.trim()).filter(Boolean);
  for (const i of items) if (!allowed.includes(i as T)) throw new Error(`Unknown ${what} '${i}'; one of ${allowed.join(', ')}`);
  return items as T[];
}

let pgServerVersion: string | undefined;
const log = (line: string) => process.stderr.write(`${line}\n`);

async function main(): Promise<void> {
  const systems = list(opt.systems!, SYSTEM_IDS, 'system');
  const workloads = new Set(list(opt.workloads!, WORKLOADS, 'workload'));
  const seconds = Number(opt.seconds);
  const bigTables = Number(opt.tables);
  const mergeTables = Number(opt['merge-tables']);
  const env = process.env;

  const needsJava = systems.some((s) => s.startsWith('nessie') || s === 'reference');
  let downloads: Downloads | undefined;
  if (needsJava) {
    downloads = await ensureDownloads({
      cacheDir: env.LAKECAT_CACHE || join(homedir(), '.cache', 'lakecat'),
      repoRoot,
      nessieVersion: opt['nessie-version']!,
      icebergVersion: opt['iceberg-version']!,
      log,
    });
  }

  const pgUrl = env.LAKECAT_TEST_PG_URL;
  const newDatabase = pgUrl
    ? async (name: string) => {
        const db = `bench_${name}_${randomBytes(4).toString('hex')}`;
        const admin = new pg.Client({ connectionString: pgUrl });
        await admin.connect();
        await admin.query(`CREATE DATABASE ${db}`);
        await admin.end();
        const url = new URL(pgUrl);
        url.pathname = `/${db}`;
        return url.toString();
      }
    : undefined;
  const s3 = env.LAKECAT_TEST_S3_ENDPOINT
    ? { endpoint: env.LAKECAT_TEST_S3_ENDPOINT, bucket: env.LAKECAT_TEST_S3_BUCKET!, accessKey: env.LAKECAT_TEST_S3_ACCESS_KEY!, secretKey: env.LAKECAT_TEST_S3_SECRET_KEY! }
    : undefined;

  if (pgUrl) {
    const c = new pg.Client({ connectionString: pgUrl });
    await c.connect();
    pgServerVersion = (await c.query('SHOW server_version')).rows[0].server_version;
    await c.end();
  }
  const workDir = await mkdtemp(join(tmpdir(), 'lakecat-bench-'));
  const ctx: RunContext = { repoRoot, workDir, downloads, newDatabase, s3, lakecatOnS3: opt['lakecat-warehouse'] === 's3' };
  const results = new Map<SystemId, Map<string, Outcome>>();
  const described: string[] = [];
  const loadBefore = loadavg();
  const t0 = Date.now();

  try {
    for (const id of systems) {
      const spec = SYSTEMS[id];
      const out = new Map<string, Outcome>();
      results.set(id, out);
      const why = spec.unavailable(ctx);
      if (why) {
        log(`${id}: skipped (${why})`);
        out.set('startup', { skipped: why });
        continue;
      }
      described.push(`- **${id}**: ${spec.describe(ctx)}`);
      log(`${id}: starting`);
      let running: RunningSystem | undefined;
      const http = new HttpClient(128);
      try {
        running = await RunningSystem.start(spec, ctx);
        if (spec.headers) Object.assign(http.defaultHeaders, await spec.headers(running.port));
        out.set('startup', { value: running.startupMs, text: `${Math.round(running.startupMs).toLocaleString('en-US')} ms` });
        log(`${id}: up in ${Math.round(running.startupMs)} ms, RSS ${running.currentRssMiB().toFixed(0)} MiB`);
        const iceberg = await IcebergCatalog.connect(http, spec.icebergRoot(running.port));
        const phaseStart = Date.now();
        await runWorkloads({
          http,
          iceberg,
          nessie: spec.nessieApi ? new NessieApi(http, spec.nessieApi(running.port)) : undefined,
          seconds,
          warmupSeconds: Number(opt.warmup),
          bigTables,
          mergeTables,
          setupSeconds: Number(opt['setup-seconds']),
          workloads,
          record: (key, cell) => {
            out.set(key, cell);
            log(`  ${key}: ${cell.text} (RSS now ${running!.currentRssMiB().toFixed(0)} MiB)`);
          },
          fail: (key, e) => out.set(key, { error: e instanceof Error ? e.message.split('\n')[0] : String(e) }),
          log,
        });
        const rss = running.maxRssMiB();
        out.set('rss', { value: rss, text: `${Math.round(rss)} MiB` });
        log(`${id}: done in ${Math.round((Date.now() - phaseStart) / 1000)} s, max RSS ${Math.round(rss)} MiB`);
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        log(`${id}: failed: ${message}`);
        if (!out.has('startup')) out.set('startup', { error: message.split('\n')[0] });
        else out.set('rss', { error: message.split('\n')[0] });
      } finally {
        http.close();
        await running?.stop();
      }
    }
  } finally {
    if (opt['keep-logs']) log(`server logs kept in ${workDir}`);
    else await rm(workDir, { recursive: true, force: true });
  }

  const table = markdownTable(rows(bigTables, mergeTables), systems, results);
  const report = [
    `# lakecat vs Nessie vs the Iceberg REST reference server — ${new Date(t0).toISOString().slice(0, 10)}`,
    '',
    ...(opt.note ? [`> ${opt.note}`, ''] : []),
    table,
    '',
    'Rates are successful operations per second with client-side p50/p99 latency; "× 409" counts conflict',
    'responses and "retries" the reloads and re-commits they caused. The ratio columns divide lakecat by the',
    'best peer (Nessie in-memory, Nessie JDBC, reference), inverted for times: above 1× lakecat is ahead.',
    '',
    '## Set-up',
    '',
    ...described,
    '',
    machine(downloads, pgUrl, loadBefore, seconds),
    '',
    `Command: \`npm run bench -- ${process.argv.slice(2).map(shellQuote).join(' ')}\`; total ${Math.round((Date.now() - t0) / 1000)} s.`,
    '',
  ].join('\n');

  const outFile = opt.out ?? join(repoRoot, 'bench/results', `${new Date(t0).toISOString().slice(0, 10)}.md`);
  await mkdir(dirname(outFile), { recursive: true });
  await writeFile(outFile, report);
  process.stdout.write(`${report}\nwritten to ${outFile}\n`);
}

function shellQuote(arg: string): string {
  return /^[\w.,=/:@-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

function sh(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch {
    return '?';
  }
}

function machine(d: Downloads | undefined, pgUrl: string | undefined, loadBefore: number[], seconds: number): string {
  const pgVersion = pgUrl ? (pgServerVersion ?? '?') : 'not used';
  return [
    '## Machine',
    '',
    `- ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${sh('uname', ['-sr'])}`,
    `- load average before / after: ${loadBefore.map((l) => l.toFixed(1)).join(' ')} / ${loadavg().map((l) => l.toFixed(1)).join(' ')}`,
    `- Node ${process.version} (lakecat and the load generator), lakecat ${sh('git', ['-C', repoRoot, 'rev-parse', '--short', 'HEAD'])}`,
    d ? `- Java ${d.nessieJava.version ?? '–'} (Nessie), Java ${d.referenceJava.version ?? '–'} (reference server)` : '- no Java servers',
    `- PostgreSQL: ${pgVersion}; MinIO from scripts/with-minio.sh`,
    `- ${seconds} s per timed phase; the load generator runs on the same machine as the servers`,
  ].join('\n');
}

main().catch((e) => {
  log(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exit(1);
});
