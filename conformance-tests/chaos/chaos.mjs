// Faults under load: 3 `lakecat serve` processes on one PostgreSQL and one MinIO, 24 writers
// committing with Idempotency-Key retries, and a schedule of faults (kill -9 of a lakecat
// process, PostgreSQL restarted or stopped, MinIO paused, slowed or resetting connections).
// After the run, with everything healthy again, it checks what the clients were told against
// what the catalog holds, and prints one summary line. Exit status 1 when a check fails.
//
// Run through conformance-tests/chaos/run.sh (which starts PostgreSQL and MinIO); settings:
//   CHAOS_SECONDS   length of the faulty phase (default 120)
//   CHAOS_SEED      seed of the fault schedule and of the writers' choices (default 1)
//   CHAOS_WRITERS   concurrent writers (default 24: 3 per process x 8)
//   CHAOS_TABLES    tables they share (default 8)
//   CHAOS_APPENDERS PyIceberg processes appending rows to table `events` (default 2; needs
//                   CHAOS_PYTHON, a Python with PyIceberg, which run.sh provides)
//   CHAOS_RSS_LIMIT_MIB  most RSS a lakecat process may reach (default 512)
//   CHAOS_KEEP      keep the lakecat logs even when every check passed
import { spawn, execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, openSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const env = process.env;
const SECONDS = Number(env.CHAOS_SECONDS ?? 120);
const WRITERS = Number(env.CHAOS_WRITERS ?? 24);
const TABLES = Number(env.CHAOS_TABLES ?? 8);
const PROCESSES = 3;
const APPENDERS = env.CHAOS_PYTHON ? Number(env.CHAOS_APPENDERS ?? 2) : 0;
const RSS_LIMIT_MIB = Number(env.CHAOS_RSS_LIMIT_MIB ?? 512);
const NS = 'chaos';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const run = promisify(execFile);

// A small deterministic generator (mulberry32), so a seed replays the same schedule.
let seed = Number(env.CHAOS_SEED ?? 1) >>> 0;
function random() {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (list) => list[Math.floor(random() * list.length)];
const log = (msg) => console.error(`chaos: ${new Date().toISOString().slice(11, 23)} ${msg}`);

for (const name of ['LAKECAT_TEST_PG_URL', 'LAKECAT_TEST_PG_CTL', 'LAKECAT_TEST_S3_ENDPOINT', 'LAKECAT_TEST_MINIO_PID']) {
  if (!env[name]) throw new Error(`${name} is not set: run conformance-tests/chaos/run.sh`);
}

async function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// ---------------------------------------------------------------- a faulty link to MinIO

/** A TCP proxy between lakecat and MinIO that can add latency or reset connections. */
async function startProxy(target) {
  const url = new URL(target);
  const mode = { latencyMs: 0, reset: false };
  const sockets = new Set();
  const server = net.createServer((client) => {
    if (mode.reset) {
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect(Number(url.port), url.hostname);
    sockets.add(client);
    sockets.add(upstream);
    const relay = (from, to) =>
      from.on('data', (chunk) => {
        if (mode.reset) {
          client.resetAndDestroy();
          upstream.destroy();
        } else if (mode.latencyMs > 0) {
          from.pause();
          setTimeout(() => {
            if (!to.destroyed) to.write(chunk);
            from.resume();
          }, mode.latencyMs);
        } else if (!to.destroyed) {
          to.write(chunk);
        }
      });
    relay(client, upstream);
    relay(upstream, client);
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    for (const s of [client, upstream]) {
      s.on('error', close);
      s.on('close', close);
      s.on('end', () => (s === client ? upstream : client).end());
    }
  });
  const port = await freePort();
  await new Promise((r) => server.listen(port, '127.0.0.1', r));
  return {
    endpoint: `http://127.0.0.1:${port}`,
    mode,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

// ---------------------------------------------------------------- lakecat processes

const dataDir = mkdtempSync(join(tmpdir(), 'lakecat-chaos.'));
const procs = [];
const crashes = [];
let stopping = false;

function startLakecat(slot, s3Endpoint) {
  const logFile = join(dataDir, `lakecat-${slot.index}.log`);
  const child = spawn(
    process.execPath,
    [
      join(repo, 'bin', 'lakecat.mjs'), 'serve', '--port', String(slot.port), '--data-dir', join(dataDir, `p${slot.index}`),
      '--db-url', env.LAKECAT_TEST_PG_URL, '--warehouse', `s3://${env.LAKECAT_TEST_S3_BUCKET}/chaos`,
      '--s3-endpoint', s3Endpoint, '--s3-region', env.LAKECAT_TEST_S3_REGION, '--s3-path-style', 'true',
      '--s3-access-key-id', env.LAKECAT_TEST_S3_ACCESS_KEY, '--s3-secret-access-key', env.LAKECAT_TEST_S3_SECRET_KEY,
    ],
    { stdio: ['ignore', openSync(logFile, 'a'), openSync(logFile, 'a')], env: { ...env, LAKECAT_CLI_BUNDLE: 'false' } },
  );
  slot.child = child;
  slot.started += 1;
  slot.expectExit = false;
  child.on('exit', (code, signal) => {
    if (slot.child === child) slot.child = undefined;
    if (slot.expectExit || stopping) return;
    // Nobody asked it to stop: a crash. Counted as a failure, and restarted so the run goes on.
    crashes.push(`lakecat ${slot.index} exited by itself (${signal ?? `exit ${code}`}); log: ${logFile}`);
    log(`lakecat ${slot.index} crashed (${signal ?? `exit ${code}`}); restarting it`);
    setTimeout(() => startLakecat(slot, s3Endpoint), 500);
  });
}

async function waitReady(slot, timeoutMs = 60_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      const r = await fetch(`${slot.url}/ready`, { signal: AbortSignal.timeout(2_000) });
      if (r.status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(`lakecat ${slot.index} did not become ready; log: ${join(dataDir, `lakecat-${slot.index}.log`)}`);
}

function rssMiB(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------- writers

const ops = []; // every operation a writer started: { id, table, key, outcome, status, location, attempts }
let writing = true;

async function send(slotIndex, method, path, body, headers = {}) {
  const slot = procs[slotIndex % procs.length];
  const res = await fetch(`${slot.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, json };
}

/** One commit, retried with the same Idempotency-Key until a definite answer or the deadline. */
async function commitOnce(writer, seq, deadline) {
  const table = `t${Math.floor(random() * TABLES)}`;
  const op = { id: `w${writer}-${seq}`, table, key: randomUUID(), outcome: 'unknown', attempts: 0, answers: [] };
  ops.push(op);
  const body = { requirements: [], updates: [{ action: 'set-properties', updates: { 'chaos.op': op.id } }] };
  let server = writer;
  while (Date.now() < deadline) {
    op.attempts += 1;
    try {
      const r = await send(server, 'POST', `/v1/namespaces/${NS}/tables/${table}`, body, { 'Idempotency-Key': op.key });
      op.answers.push(r.status);
      if (r.status === 200) {
        op.outcome = 'acknowledged';
        op.location = r.json['metadata-location'];
        return;
      }
      if (r.status >= 400 && r.status < 500 && r.status !== 408 && r.status !== 429) {
        op.outcome = 'refused';
        op.status = r.status;
        op.message = r.json?.error?.message;
        return;
      }
      // 5xx (or 408/429): the outcome is open; retry with the same key.
      if (r.json?.error?.type === 'CommitStateUnknownException') {
        // The process that held the first attempt died mid-request: the server says the outcome
        // is unknown and will not run it again. The writer gives up on this key, as a client would.
        op.outcome = 'unknown';
        return;
      }
    } catch (err) {
      op.answers.push(err.name === 'TimeoutError' ? 'timeout' : 'no-connection');
    }
    server += 1;
    await sleep(100 + random() * 400);
  }
}

async function writer(index, stopAt) {
  let seq = 0;
  while (writing && Date.now() < stopAt) {
    await commitOnce(index, seq++, stopAt + 90_000);
  }
}

// ---------------------------------------------------------------- faults

const faults = { 'kill -9 lakecat': 0, 'postgres restart (immediate)': 0, 'postgres stopped 10 s': 0, 'minio paused 10 s': 0, 'minio slowed 10 s': 0, 'minio resets 10 s': 0 };
const readyWhileDown = { probes: 0, notReady: 0 };

async function pgCtl(args) {
  await run('bash', ['-c', `${env.LAKECAT_TEST_PG_CTL} ${args}`], { timeout: 120_000 });
}

/** Polls /ready on every process while a dependency is down; counts the 503s. */
async function probeReady(ms) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    for (const slot of procs) {
      if (!slot.child) continue;
      try {
        const r = await fetch(`${slot.url}/ready`, { signal: AbortSignal.timeout(3_000) });
        readyWhileDown.probes += 1;
        if (r.status === 503) readyWhileDown.notReady += 1;
      } catch {
        // a process being restarted
      }
    }
    await sleep(1_000);
  }
}

async function inject(kind, proxy) {
  faults[kind] += 1;
  log(`fault: ${kind}`);
  switch (kind) {
    case 'kill -9 lakecat': {
      const slot = pick(procs.filter((s) => s.child));
      if (!slot) return;
      slot.expectExit = true;
      slot.child.kill('SIGKILL');
      await sleep(500);
      startLakecat(slot, proxy.endpoint);
      await waitReady(slot);
      return;
    }
    case 'postgres restart (immediate)':
      await pgCtl('restart -m immediate');
      return;
    case 'postgres stopped 10 s':
      await pgCtl('stop -m immediate');
      await probeReady(10_000);
      await pgCtl('start');
      return;
    case 'minio paused 10 s':
      process.kill(Number(env.LAKECAT_TEST_MINIO_PID), 'SIGSTOP');
      try {
        await probeReady(10_000);
      } finally {
        process.kill(Number(env.LAKECAT_TEST_MINIO_PID), 'SIGCONT');
      }
      return;
    case 'minio slowed 10 s':
      proxy.mode.latencyMs = 300;
      await sleep(10_000);
      proxy.mode.latencyMs = 0;
      return;
    case 'minio resets 10 s':
      proxy.mode.reset = true;
      await sleep(10_000);
      proxy.mode.reset = false;
      return;
  }
}

// ---------------------------------------------------------------- PyIceberg appenders

const here = dirname(fileURLToPath(import.meta.url));

/** Runs one PyIceberg appender for the faulty phase; resolves to its output file (or undefined). */
function runAppender(i) {
  const out = join(dataDir, `appender-${i}.json`);
  return new Promise((resolve) => {
    const child = spawn(env.CHAOS_PYTHON, [join(here, 'appender.py'), `a${i}`, String(SECONDS), out, ...procs.map((s) => s.url)], {
      stdio: ['ignore', 'inherit', openSync(join(dataDir, `appender-${i}.log`), 'a')],
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), (SECONDS + 180) * 1_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0) log(`appender ${i} exited with ${code}; log: ${join(dataDir, `appender-${i}.log`)}`);
      resolve(code === 0 ? out : undefined);
    });
  });
}

async function checkData(outputs) {
  const { stdout } = await run(env.CHAOS_PYTHON, [join(here, 'check_data.py'), procs[0].url, ...outputs], { timeout: 300_000, maxBuffer: 16 * 2 ** 20 });
  return JSON.parse(stdout.trim().split('\n').at(-1));
}

// ---------------------------------------------------------------- checks

async function allPages(path, field) {
  const out = [];
  let token;
  do {
    const r = await send(0, 'GET', `${path}${path.includes('?') ? '&' : '?'}max-records=250${token ? `&page-token=${token}` : ''}`);
    if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${JSON.stringify(r.json)}`);
    out.push(...r.json[field]);
    token = r.json.hasMore ? r.json.token : undefined;
  } while (token);
  return out;
}

async function check(startHash, s3) {
  const problems = [];
  // Every commit of the run on main, newest first, with its operations.
  const entries = [];
  for (const e of await allPages('/api/v2/trees/main/history?fetch=ALL', 'logEntries')) {
    if (e.commitMeta.hash === startHash) break;
    entries.push(e);
  }
  // Where each table's metadata was put, commit by commit.
  const puts = [];
  for (const e of entries) {
    for (const o of e.operations ?? []) {
      if (o.type === 'PUT' && o.content?.type === 'ICEBERG_TABLE') puts.push({ hash: e.commitMeta.hash, key: o.key.elements.join('.'), location: o.content.metadataLocation });
    }
  }
  const byLocation = new Map();
  for (const p of puts) byLocation.set(p.location, (byLocation.get(p.location) ?? 0) + 1);

  // Read every metadata file a commit of the run points at: none may be missing, and each
  // tells which writer operation it carries.
  const landedOps = new Map();
  const bucket = env.LAKECAT_TEST_S3_BUCKET;
  let missing = 0;
  await Promise.all(
    chunks(puts, Math.ceil(puts.length / 8) || 1).map(async (part) => {
      for (const p of part) {
        const key = p.location.replace(`s3://${bucket}/`, '');
        try {
          const obj = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
          const metadata = JSON.parse(await obj.Body.transformToString());
          const id = metadata.properties?.['chaos.op'];
          if (id) landedOps.set(id, (landedOps.get(id) ?? 0) + 1);
        } catch (err) {
          missing += 1;
          problems.push(`commit ${p.hash} points at ${p.location}, which cannot be read: ${err.name}`);
        }
      }
    }),
  );

  const counts = { acknowledged: 0, lost: 0, duplicated: 0, refused: 0, refusedButLanded: 0, unknown: 0, unknownLanded: 0, unknownNotLanded: 0 };
  for (const op of ops) {
    const landed = landedOps.get(op.id) ?? 0;
    if (landed > 1) {
      counts.duplicated += 1;
      problems.push(`operation ${op.id} (${op.outcome}) landed ${landed} times`);
    }
    if (op.outcome === 'acknowledged') {
      counts.acknowledged += 1;
      if (landed === 0 || byLocation.get(op.location) !== 1) {
        counts.lost += 1;
        problems.push(`acknowledged operation ${op.id} (${op.location}) is in main's history ${byLocation.get(op.location) ?? 0} times`);
      }
    } else if (op.outcome === 'refused') {
      counts.refused += 1;
      if (landed > 0) {
        counts.refusedButLanded += 1;
        problems.push(`operation ${op.id} was refused with ${op.status} (${op.message}) but landed`);
      }
    } else {
      counts.unknown += 1;
      if (landed > 0) counts.unknownLanded += 1;
      else counts.unknownNotLanded += 1;
    }
  }

  // Every table loads at main's head, on every process.
  for (const slot of procs) {
    for (let t = 0; t < TABLES; t++) {
      const r = await send(slot.index, 'GET', `/v1/namespaces/${NS}/tables/t${t}`);
      if (r.status !== 200) problems.push(`process ${slot.index}: table t${t} answers ${r.status} after the run`);
    }
  }
  return { problems, counts, commits: entries.length, puts: puts.length, missing };
}

function chunks(list, size) {
  const out = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

// ---------------------------------------------------------------- main

async function main() {
  const proxy = await startProxy(env.LAKECAT_TEST_S3_ENDPOINT);
  for (let i = 0; i < PROCESSES; i++) {
    const port = await freePort();
    procs.push({ index: i, port, url: `http://127.0.0.1:${port}`, started: 0, rss: [] });
  }
  for (const slot of procs) startLakecat(slot, proxy.endpoint);
  await Promise.all(procs.map((s) => waitReady(s)));
  log(`${PROCESSES} lakecat processes ready; ${WRITERS} writers on ${TABLES} tables for ${SECONDS} s; logs in ${dataDir}`);

  await send(0, 'POST', '/v1/namespaces', { namespace: [NS] });
  for (let t = 0; t < TABLES; t++) {
    const r = await send(0, 'POST', `/v1/namespaces/${NS}/tables`, { name: `t${t}`, schema: { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', required: false, type: 'long' }] } });
    if (r.status !== 200) throw new Error(`create t${t}: ${r.status} ${JSON.stringify(r.json)}`);
  }
  if (APPENDERS > 0) {
    const events = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', required: false, type: 'long' }, { id: 2, name: 'batch', required: false, type: 'string' }] };
    const r = await send(0, 'POST', `/v1/namespaces/${NS}/tables`, { name: 'events', schema: events });
    if (r.status !== 200) throw new Error(`create events: ${r.status} ${JSON.stringify(r.json)}`);
  }
  const startHash = (await send(0, 'GET', '/api/v2/trees/main')).json.reference.hash;

  const sampler = setInterval(() => {
    for (const slot of procs) {
      const mib = slot.child ? rssMiB(slot.child.pid) : undefined;
      if (mib !== undefined) slot.rss.push(mib);
    }
  }, 2_000);

  const stopAt = Date.now() + SECONDS * 1_000;
  const writers = Array.from({ length: WRITERS }, (_, i) => writer(i, stopAt));
  const appenders = Array.from({ length: APPENDERS }, (_, i) => runAppender(i));
  const others = Object.keys(faults).filter((k) => k !== 'kill -9 lakecat');
  let round = 0;
  await sleep(3_000);
  while (Date.now() < stopAt - 12_000) {
    // A kill every other fault; in between, the other kinds in turn, so that a short run
    // (about 100 s) has each of them once.
    const kind = round % 2 === 0 ? 'kill -9 lakecat' : others[((round - 1) / 2) % others.length];
    round += 1;
    await inject(kind, proxy);
    await sleep(2_000 + random() * 2_000);
  }
  await Promise.all(writers);
  const appenderOutputs = (await Promise.all(appenders)).filter((o) => o !== undefined);
  writing = false;
  clearInterval(sampler);
  proxy.mode.latencyMs = 0;
  proxy.mode.reset = false;
  await Promise.all(procs.map((s) => waitReady(s)));
  let afterReady = 0;
  for (const slot of procs) if ((await fetch(`${slot.url}/ready`)).status === 200) afterReady += 1;

  const s3 = new S3Client({
    endpoint: env.LAKECAT_TEST_S3_ENDPOINT,
    region: env.LAKECAT_TEST_S3_REGION,
    forcePathStyle: true,
    credentials: { accessKeyId: env.LAKECAT_TEST_S3_ACCESS_KEY, secretAccessKey: env.LAKECAT_TEST_S3_SECRET_KEY },
  });
  const result = await check(startHash, s3);
  s3.destroy();
  const data = APPENDERS > 0 ? await checkData(appenderOutputs) : undefined;
  if (data) result.problems.push(...data.problems.map((p) => `data: ${p}`));

  const c = result.counts;
  const peaks = procs.map((s) => (s.rss.length ? Math.round(Math.max(...s.rss)) : 0));
  const outage = faults['postgres stopped 10 s'] + faults['minio paused 10 s'] > 0;
  // The checks, each passed or failed (the summary line counts them).
  const checks = [
    ['every acknowledged commit is in main\'s history exactly once', c.lost === 0],
    ['no operation landed twice', c.duplicated === 0],
    ['no refused operation landed', c.refusedButLanded === 0],
    ['every metadata file a commit of the run points at can be read', result.missing === 0],
    ['every table loads on every process after the run', !result.problems.some((p) => p.includes('after the run'))],
    ['/ready answered 503 while PostgreSQL or MinIO was down', !outage || readyWhileDown.notReady > 0],
    ['/ready answers 200 on every process after the run', afterReady === procs.length],
    [`peak RSS of every lakecat process under ${RSS_LIMIT_MIB} MiB`, peaks.every((p) => p < RSS_LIMIT_MIB)],
    ['no lakecat process exited by itself', crashes.length === 0],
    ...(data
      ? [
          ['PyIceberg scans every table of the run after it', data.scanned === TABLES + 1 && !data.problems.some((p) => p.includes('cannot be scanned'))],
          ['every acknowledged PyIceberg append is in the table exactly once', (data.counts.lost ?? 0) === 0 && (data.counts.duplicated ?? 0) === 0],
          ['no refused or unsent append landed', (data.counts['refused-but-landed'] ?? 0) === 0 && (data.counts['not-sent-but-landed'] ?? 0) === 0],
          ['every appender reported', appenderOutputs.length === APPENDERS],
        ]
      : []),
    ['writers made progress (at least one acknowledged commit per writer on average)', c.acknowledged >= WRITERS],
  ];
  for (const p of [...crashes, ...result.problems].slice(0, 30)) console.log(`chaos: PROBLEM ${p}`);
  // Definite refusals are allowed (the client knows), but each is shown with its reason.
  for (const op of ops.filter((o) => o.outcome === 'refused').slice(0, 10)) {
    console.log(`chaos: refused ${op.id} on ${op.table} after ${op.attempts} attempts (${op.answers.join(', ')}): ${op.message}`);
  }
  for (const [name, ok] of checks) console.log(`chaos: ${ok ? 'PASS' : 'FAIL'} ${name}`);
  const faultText = Object.entries(faults).map(([k, n]) => `${k}: ${n}`).join(', ');
  console.log(
    `chaos figures: ${ops.length} commits tried in ${SECONDS} s by ${WRITERS} writers: ${c.acknowledged} acknowledged (${c.lost} lost, ${c.duplicated} duplicated), ` +
      `${c.refused} refused (${c.refusedButLanded} landed anyway), ${c.unknown} unknown outcomes (${c.unknownLanded} landed once, ${c.unknownNotLanded} did not land); ` +
      `${result.commits} commits on main, ${result.missing} metadata files missing; faults: ${faultText}; ` +
      `/ready 503 in ${readyWhileDown.notReady} of ${readyWhileDown.probes} probes during outages, 200 on ${afterReady}/${procs.length} after; ` +
      `lakecat processes started ${procs.map((s) => s.started).join('/')} times, peak RSS ${peaks.join('/')} MiB`,
  );
  if (data) {
    const d = data.counts;
    console.log(
      `chaos figures: PyIceberg appends by ${APPENDERS} processes: ${d.acknowledged ?? 0} acknowledged (${d.lost ?? 0} lost, ${d.duplicated ?? 0} duplicated), ` +
        `${d.refused ?? 0} refused, ${d['not-sent'] ?? 0} failed before sending, ${d.unknown ?? 0} unknown (${d['unknown-landed'] ?? 0} landed once, ${d['unknown-not-landed'] ?? 0} did not land); ` +
        `${data.rows} rows in events; ${data.scanned} tables scanned`,
    );
  }
  const failedChecks = checks.filter(([, ok]) => !ok).length;
  console.log(`chaos: ${checks.length - failedChecks} passed, ${failedChecks} failed, 0 skipped`);
  const success = failedChecks === 0 && result.problems.length === 0;

  stopping = true;
  for (const slot of procs) slot.child?.kill('SIGTERM');
  proxy.close();
  await sleep(500);
  if (success && !env.CHAOS_KEEP) rmSync(dataDir, { recursive: true, force: true });
  process.exit(success ? 0 : 1);
}

main().catch((err) => {
  console.error(`chaos: failed: ${err.stack ?? err}`);
  for (const c of crashes) console.error(`chaos: ${c}`);
  stopping = true;
  for (const slot of procs) slot.child?.kill('SIGKILL');
  process.exit(2);
});
