import { randomUUID } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryIdempotencyRecords, type IdempotencyRecords } from '../catalog/index.js';
import { createTestCatalog, type TestCatalog } from '../catalog/testing.js';
import { IdempotencyGuard, isFinal, requestFingerprint, SecretRedactor, type IdempotencyOptions } from './idempotency.js';

const LIFE = 30 * 60_000;

/** A handler whose answers are scripted per call, counting how often it really ran. */
function scripted(answers: ((c: Context) => Response | Promise<Response>)[]) {
  const state = { runs: 0 };
  const handler = async (c: Context) => {
    const answer = answers[Math.min(state.runs, answers.length - 1)];
    state.runs++;
    return answer(c);
  };
  return { state, handler };
}

function appFor(guard: IdempotencyGuard, handler: (c: Context) => Response | Promise<Response>): Hono {
  const app = new Hono();
  app.onError((err, c) => c.json({ error: String(err) }, 500));
  app.use('*', guard.middleware());
  app.post('/op/:name', handler);
  app.delete('/op/:name', handler);
  app.get('/op/:name', handler);
  return app;
}

function send(app: Hono, key: string | undefined, body = '{"a":1}', path = '/op/x', method = 'POST'): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (key !== undefined) headers['idempotency-key'] = key;
  return Promise.resolve(app.request(path, { method, headers, body: method === 'POST' ? body : undefined }));
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('isFinal', () => {
  it('finalises successes and deterministic client errors, never 5xx or momentary 4xx', () => {
    expect([200, 201, 204, 400, 404, 409, 422].every(isFinal)).toBe(true);
    expect([401, 403, 408, 419, 429, 500, 502, 503, 504].some(isFinal)).toBe(false);
  });
});

describe('SecretRedactor', () => {
  it('round-trips JSON text and leaves texts without secrets alone', () => {
    const r = new SecretRedactor({ short: 'ab', long: 'x"ab\\y', empty: '', clash: 'secret:long', dots: 'a.c' });
    const text = JSON.stringify({ a: 'x"ab\\y', b: 'ab', c: 'other', d: 'secret:long', e: 'a.c', f: 'abc' });
    const redacted = r.redact(text);
    expect(redacted).not.toContain('ab');
    expect(redacted).not.toContain('a.c');
    expect(redacted).toContain('"other"');
    expect(r.restore(redacted)).toBe(text);
    expect(r.redact('{"n":1}')).toBe('{"n":1}');
  });
});

describe('IdempotencyGuard on PGlite records', () => {
  let t: TestCatalog;
  let records: IdempotencyRecords;
  const guard = (opts: Partial<IdempotencyOptions> = {}) => new IdempotencyGuard(records, { lifetimeMs: LIFE, ...opts });

  beforeAll(async () => {
    t = await createTestCatalog();
    records = t.catalog.idempotency;
  });
  afterAll(async () => t.close());

  it('replays the first final response, status and headers, without running again', async () => {
    const { state, handler } = scripted([(c) => c.json({ run: state.runs }, 201, { etag: '"v1"' })]);
    const app = appFor(guard(), handler);
    const key = randomUUID();
    const first = await send(app, key);
    const second = await send(app, key);
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.headers.get('etag')).toBe('"v1"');
    expect(await second.text()).toBe(await first.text());
    expect(state.runs).toBe(1);
    await send(app, undefined);
    await send(app, undefined);
    expect(state.runs).toBe(3);
  });

  it('replays an empty 204 and guards DELETE', async () => {
    const { state, handler } = scripted([(c) => c.body(null, 204)]);
    const app = appFor(guard(), handler);
    const key = randomUUID();
    expect((await send(app, key, '', '/op/x', 'DELETE')).status).toBe(204);
    const again = await send(app, key, '', '/op/x', 'DELETE');
    expect(again.status).toBe(204);
    expect(await again.text()).toBe('');
    expect(state.runs).toBe(1);
  });

  it('refuses a key reused for another body or path with 400 and does not run it', async () => {
    const { state, handler } = scripted([(c) => c.json({ ok: true })]);
    const app = appFor(guard(), handler);
    const key = randomUUID();
    await send(app, key, '{"a":1}');
    const otherBody = await send(app, key, '{"a":2}');
    const otherPath = await send(app, key, '{"a":1}', '/op/y');
    for (const r of [otherBody, otherPath]) {
      expect(r.status).toBe(400);
      expect(((await r.json()) as { error: { message: string } }).error.message).toContain('already used for a different request');
    }
    expect(state.runs).toBe(1);
  });

  it('replays a deterministic 409 but runs again after a 5xx or a 429', async () => {
    const conflict = scripted([(c) => c.json({ error: 'exists' }, 409), (c) => c.json({ ok: true })]);
    const app409 = appFor(guard(), conflict.handler);
    const k1 = randomUUID();
    expect((await send(app409, k1)).status).toBe(409);
    expect((await send(app409, k1)).status).toBe(409);
    expect(conflict.state.runs).toBe(1);

    const flaky = scripted([(c) => c.json({ error: 'down' }, 503), (c) => c.json({ error: 'slow down' }, 429), (c) => c.json({ ok: 1 })]);
    const app5xx = appFor(guard(), flaky.handler);
    const k2 = randomUUID();
    expect((await send(app5xx, k2)).status).toBe(503);
    expect((await send(app5xx, k2)).status).toBe(429);
    expect((await send(app5xx, k2)).status).toBe(200);
    expect((await send(app5xx, k2)).status).toBe(200);
    expect(flaky.state.runs).toBe(3);
  });

  it('releases the key when the handler throws', async () => {
    const { state, handler } = scripted([
      () => {
        throw new Error('boom');
      },
      (c) => c.json({ ok: true }),
    ]);
    const app = appFor(guard(), handler);
    const key = randomUUID();
    expect((await send(app, key)).status).toBe(500);
    expect((await send(app, key)).status).toBe(200);
    expect(state.runs).toBe(2);
  });

  it('makes a concurrent duplicate wait for the first attempt and replay its response', async () => {
    const gate = deferred();
    const { state, handler } = scripted([
      async (c) => {
        await gate.promise;
        return c.json({ run: state.runs });
      },
    ]);
    const app = appFor(guard(), handler);
    const key = randomUUID();
    const first = send(app, key);
    await new Promise((r) => setTimeout(r, 50));
    const second = send(app, key);
    await new Promise((r) => setTimeout(r, 100));
    gate.resolve();
    const [a, b] = await Promise.all([first, second]);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(await b.text()).toBe(await a.text());
    expect(state.runs).toBe(1);
  });

  it('answers a retryable 503 when the first attempt is still running after the wait', async () => {
    const gate = deferred();
    const { state, handler } = scripted([
      async (c) => {
        await gate.promise;
        return c.json({ ok: true });
      },
    ]);
    const app = appFor(guard({ waitMs: 60 }), handler);
    const key = randomUUID();
    const first = send(app, key);
    await new Promise((r) => setTimeout(r, 30));
    const busy = await send(app, key);
    expect(busy.status).toBe(503);
    expect(busy.headers.get('retry-after')).toBe('1');
    expect(((await busy.json()) as { error: { message: string } }).error.message).toContain('still in progress');
    gate.resolve();
    expect((await first).status).toBe(200);
    expect((await send(app, key)).status).toBe(200);
    expect(state.runs).toBe(1);
  });

  it('keeps a slow live claim alive with heartbeats so that another process waits instead of taking over', async () => {
    const { state, handler } = scripted([
      async (c) => {
        await new Promise((r) => setTimeout(r, 700));
        return c.json({ run: state.runs });
      },
    ]);
    const opts = { heartbeatMs: 25, staleMs: 250, waitMs: 5_000 };
    const processA = appFor(guard(opts), handler);
    const processB = appFor(guard(opts), handler);
    const key = randomUUID();
    const first = send(processA, key);
    await new Promise((r) => setTimeout(r, 30));
    const retry = await send(processB, key);
    expect(retry.status).toBe(200);
    expect(await retry.text()).toBe(await (await first).text());
    expect(state.runs).toBe(1);
  });

  it('answers "outcome unknown" for the claim of a process that died mid-request, without running it', async () => {
    const key = randomUUID();
    const body = '{"a":1}';
    const t0 = Date.now();
    await records.claim(key, requestFingerprint('POST', '/op/x', body), 'dead-process', t0, t0 + LIFE);
    const { state, handler } = scripted([(c) => c.json({ ok: true })]);
    let now = t0 + 14_999;
    const app = appFor(guard({ staleMs: 15_000, waitMs: 0, now: () => now }), handler);
    expect((await send(app, key, body)).status).toBe(503);
    now = t0 + 15_001;
    const unknown = await send(app, key, body);
    expect(unknown.status).toBe(500);
    const error = ((await unknown.json()) as { error: { type: string; message: string } }).error;
    expect(error.type).toBe('CommitStateUnknownException');
    expect(error.message).toContain('whether it was applied is unknown');
    expect(state.runs).toBe(0);
    expect(await records.claim(key, 'any', 'x', now, now + LIFE)).toMatchObject({ state: 'PENDING', owner: 'dead-process' });
  });

  it('with staleClaims "rerun", takes over the claim of a process that died mid-request', async () => {
    const key = randomUUID();
    const body = '{"a":1}';
    const t0 = Date.now();
    await records.claim(key, requestFingerprint('POST', '/op/x', body), 'dead-process', t0, t0 + LIFE);
    const { state, handler } = scripted([(c) => c.json({ ok: true })]);
    const app = appFor(guard({ staleMs: 15_000, staleClaims: 'rerun', now: () => t0 + 15_001 }), handler);
    expect((await send(app, key, body)).status).toBe(200);
    expect(state.runs).toBe(1);
    expect(await records.claim(key, 'any', 'x', t0 + 15_002, t0 + LIFE)).toMatchObject({ state: 'DONE', response: { status: 200 } });
  });

  it('forgets a key after its lifetime: the same key then runs, even for another request', async () => {
    let now = Date.now();
    const { state, handler } = scripted([(c) => c.json({ run: state.runs })]);
    const app = appFor(guard({ lifetimeMs: 1_000, now: () => now }), handler);
    const key = randomUUID();
    await send(app, key, '{"a":1}');
    now += 999;
    expect((await send(app, key, '{"a":2}')).status).toBe(400);
    now += 1;
    const later = await send(app, key, '{"a":2}');
    expect(later.status).toBe(200);
    expect(state.runs).toBe(2);
  });

  it('purges expired records at most once per interval, a bounded batch at a time', async () => {
    const calls: [number, number][] = [];
    const spy: IdempotencyRecords = {
      claim: (...a) => records.claim(...a),
      heartbeat: (...a) => records.heartbeat(...a),
      takeOver: (...a) => records.takeOver(...a),
      complete: (...a) => records.complete(...a),
      release: (...a) => records.release(...a),
      purgeExpired: async (now, limit) => {
        calls.push([now, limit]);
        return records.purgeExpired(now, limit);
      },
    };
    let now = Date.now();
    const { handler } = scripted([(c) => c.json({})]);
    const app = appFor(new IdempotencyGuard(spy, { lifetimeMs: LIFE, purgeEveryMs: 60_000, purgeBatch: 50, now: () => now }), handler);
    await send(app, randomUUID());
    now += 59_999;
    await send(app, randomUUID());
    expect(calls).toHaveLength(1);
    now += 1;
    await send(app, randomUUID());
    expect(calls).toHaveLength(2);
    expect(calls[1][1]).toBe(50);
  });

  it('purges again on the next request while expired records fill whole batches', async () => {
    const memory = new MemoryIdempotencyRecords();
    const purged: number[] = [];
    const spy: IdempotencyRecords = Object.assign(Object.create(memory) as MemoryIdempotencyRecords, {
      purgeExpired: async (now: number, limit: number) => {
        const n = await memory.purgeExpired(now, limit);
        purged.push(n);
        return n;
      },
    });
    let now = Date.now();
    const { handler } = scripted([(c) => c.json({})]);
    const app = appFor(new IdempotencyGuard(spy, { lifetimeMs: 1_000, purgeEveryMs: 60_000, purgeBatch: 3, now: () => now }), handler);
    for (let i = 0; i < 7; i++) await send(app, randomUUID());
    expect(purged).toEqual([0]);
    now += 60_000;
    for (let i = 0; i < 5; i++) await send(app, randomUUID());
    // 7 expired: two full batches, then the rest; then nothing until the interval has passed.
    expect(purged).toEqual([0, 3, 3, 1]);
  });

  it('keeps vended secrets out of the stored response and puts them back on replay', async () => {
    const secret = 'wJalr"XUtn\\FEMI/K7MDENG';
    const answer = { config: { 's3.access-key-id': 'AKIA1', 's3.secret-access-key': secret, 's3.region': 'eu-1' } };
    const { state, handler } = scripted([(c) => c.json(answer)]);
    const app = appFor(guard({ secrets: { 's3.access-key-id': 'AKIA1', 's3.secret-access-key': secret } }), handler);
    const key = randomUUID();
    const first = await send(app, key);
    const replay = await send(app, key);
    expect(await replay.json()).toEqual(answer);
    expect(await first.json()).toEqual(answer);
    expect(state.runs).toBe(1);
    const stored = await records.claim(key, 'x', 'y', Date.now(), Date.now() + LIFE);
    expect(stored?.state).toBe('DONE');
    const storedBody = stored?.state === 'DONE' ? stored.response.body : '';
    expect(storedBody).not.toContain('AKIA1');
    expect(storedBody).not.toContain('FEMI');
    expect(storedBody).toContain('"s3.region":"eu-1"');
  });

  it('ignores GET and rejects an oversized key', async () => {
    const { state, handler } = scripted([(c) => c.json({})]);
    const app = appFor(guard(), handler);
    const key = randomUUID();
    await send(app, key, '', '/op/x', 'GET');
    await send(app, key, '', '/op/x', 'GET');
    expect(state.runs).toBe(2);
    expect((await send(app, 'k'.repeat(129))).status).toBe(400);
    expect(state.runs).toBe(2);
  });
});
