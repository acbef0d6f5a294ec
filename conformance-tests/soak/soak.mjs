// Soak: a mixed workload against one `lakecat serve` for SOAK_SECONDS (default 600), sampling
// its RSS and event-loop delay from /metrics every SOAK_SAMPLE_SECONDS (default 10). Fails when
// the RSS keeps rising: the median of the last quarter of the samples is more than 10% (and
// more than 16 MiB) above the median of the second quarter (the first is warm-up).
// Run through conformance-tests/soak/run.sh (which starts PostgreSQL, MinIO and lakecat).
//   SOAK_CLIENTS  concurrent clients (default 8)
const env = process.env;
const URL_ = env.LAKECAT_URL;
if (!URL_) throw new Error('LAKECAT_URL is not set: run conformance-tests/soak/run.sh');
const SECONDS = Number(env.SOAK_SECONDS ?? 600);
const SAMPLE_SECONDS = Number(env.SOAK_SAMPLE_SECONDS ?? 10);
const CLIENTS = Number(env.SOAK_CLIENTS ?? 8);
const TABLES = 20;
const NS = 'soak';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function call(method, path, body) {
  const res = await fetch(`${URL_}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(60_000),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

const counts = new Map();
const errors = [];
function tally(name, status, ok) {
  const k = `${name} ${ok ? 'ok' : status}`;
  counts.set(k, (counts.get(k) ?? 0) + 1);
  if (status >= 500) errors.push(`${name}: ${status}`);
}

const schema = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', required: false, type: 'long' }] };
const table = () => `t${Math.floor(Math.random() * TABLES)}`;
let branchSeq = 0;

/** One step of the mix: mostly reads, some commits, now and then a branch's whole life. */
async function step(client) {
  const roll = Math.random();
  if (roll < 0.45) {
    const r = await call('GET', `/v1/namespaces/${NS}/tables/${table()}`);
    tally('load', r.status, r.status === 200);
  } else if (roll < 0.6) {
    const r = await call('GET', `/v1/namespaces/${NS}/tables?pageSize=100`);
    tally('list', r.status, r.status === 200);
  } else if (roll < 0.65) {
    const r = await call('GET', '/api/v2/trees/main/history?max-records=50');
    tally('log', r.status, r.status === 200);
  } else if (roll < 0.95) {
    const r = await call('POST', `/v1/namespaces/${NS}/tables/${table()}`, {
      requirements: [],
      updates: [{ action: 'set-properties', updates: { 'soak.client': String(client), 'soak.at': String(Date.now()) } }],
    });
    tally('commit', r.status, r.status === 200);
  } else {
    // A branch: create from main, commit on it, merge into main, delete.
    const name = `soak-${client}-${branchSeq++}`;
    const main = (await call('GET', '/api/v2/trees/main')).json.reference;
    const created = await call('POST', `/api/v2/trees?name=${name}&type=BRANCH`, { type: 'BRANCH', name: 'main', hash: main.hash });
    tally('branch-create', created.status, created.status === 200);
    if (created.status !== 200) return;
    const c = await call('POST', `/v1/${name}/namespaces/${NS}/tables/${table()}`, {
      requirements: [],
      updates: [{ action: 'set-properties', updates: { 'soak.branch': name } }],
    });
    tally('branch-commit', c.status, c.status === 200);
    const head = (await call('GET', `/api/v2/trees/${name}`)).json.reference;
    const target = (await call('GET', '/api/v2/trees/main')).json.reference;
    const m = await call('POST', `/api/v2/trees/main@${target.hash}/history/merge`, { fromRefName: name, fromHash: head.hash });
    // A merge can lose a race with a commit to main (409): that is an answer, not a failure.
    tally('merge', m.status, m.status === 200 || m.status === 409);
    const d = await call('DELETE', `/api/v2/trees/${name}@${head.hash}`);
    tally('branch-delete', d.status, d.status === 200 || d.status === 204);
  }
}

function metric(text, name) {
  const m = new RegExp(`^${name} ([0-9.e+-]+)$`, 'm').exec(text);
  return m ? Number(m[1]) : NaN;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.floor(s.length / 2)];
};

async function main() {
  await call('POST', '/v1/namespaces', { namespace: [NS] });
  for (let t = 0; t < TABLES; t++) await call('POST', `/v1/namespaces/${NS}/tables`, { name: `t${t}`, schema });
  await fetch(`${URL_}/metrics`); // starts the event-loop sampler
  const stopAt = Date.now() + SECONDS * 1_000;
  const samples = [];
  const sampler = (async () => {
    while (Date.now() < stopAt) {
      await sleep(SAMPLE_SECONDS * 1_000);
      const text = await (await fetch(`${URL_}/metrics`)).text();
      const s = {
        at: Math.round((SECONDS * 1_000 - (stopAt - Date.now())) / 1_000),
        rssMiB: metric(text, 'process_resident_memory_bytes') / 2 ** 20,
        heapMiB: metric(text, 'nodejs_heap_size_used_bytes') / 2 ** 20,
        lagP99Ms: metric(text, 'nodejs_eventloop_lag_p99_seconds') * 1_000,
        lagMaxMs: metric(text, 'nodejs_eventloop_lag_max_seconds') * 1_000,
      };
      samples.push(s);
      console.error(`soak: ${s.at} s rss ${s.rssMiB.toFixed(0)} MiB, heap ${s.heapMiB.toFixed(0)} MiB, event-loop delay p99 ${s.lagP99Ms.toFixed(1)} ms, max ${s.lagMaxMs.toFixed(1)} ms`);
    }
  })();
  const clients = Array.from({ length: CLIENTS }, async (_, i) => {
    while (Date.now() < stopAt) {
      try {
        await step(i);
      } catch (err) {
        errors.push(`client ${i}: ${err.message}`);
      }
    }
  });
  await Promise.all([sampler, ...clients]);

  const q = Math.floor(samples.length / 4);
  const warm = median(samples.slice(q, 2 * q).map((s) => s.rssMiB));
  const last = median(samples.slice(samples.length - q).map((s) => s.rssMiB));
  const rising = q > 0 && last > warm * 1.1 && last - warm > 16;
  const requests = [...counts.values()].reduce((a, b) => a + b, 0);
  const failedSteps = [...counts].filter(([k]) => !k.endsWith(' ok')).map(([k, n]) => `${k}: ${n}`);
  const checks = [
    ['no 5xx and no failed request', errors.length === 0],
    ['RSS not rising (last quarter vs second quarter of the run)', !rising],
    ['enough samples to judge the trend (4 or more)', samples.length >= 4],
  ];
  for (const e of errors.slice(0, 20)) console.log(`soak: ERROR ${e}`);
  for (const [name, ok] of checks) console.log(`soak: ${ok ? 'PASS' : 'FAIL'} ${name}`);
  const lagP99 = Math.max(...samples.map((s) => s.lagP99Ms));
  console.log(
    `soak figures: ${SECONDS} s, ${CLIENTS} clients, ${requests} operations (${[...counts].map(([k, n]) => `${k} ${n}`).join(', ')}); ` +
      `RSS ${samples[0]?.rssMiB.toFixed(0)} MiB at ${samples[0]?.at} s, median ${warm.toFixed(0)} MiB in the second quarter, ${last.toFixed(0)} MiB in the last, ${samples.at(-1)?.rssMiB.toFixed(0)} MiB at the end; ` +
      `worst event-loop delay p99 ${lagP99.toFixed(1)} ms per ${SAMPLE_SECONDS} s sample${failedSteps.length ? `; answers other than success: ${failedSteps.join(', ')}` : ''}`,
  );
  const failed = checks.filter(([, ok]) => !ok).length;
  console.log(`soak: ${checks.length - failed} passed, ${failed} failed, 0 skipped`);
  process.exit(failed === 0 ? 0 : 1);
}

main().catch((err) => {
  console.error(`soak: failed: ${err.stack ?? err}`);
  process.exit(2);
});
