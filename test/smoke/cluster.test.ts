/**
 * `lakecat serve --workers N`: several real server processes on one port and one PostgreSQL
 * database. Needs LAKECAT_TEST_PG_URL (the services suite sets it); the refusal without
 * PostgreSQL runs everywhere.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../rest/harness.js';
import { spawnServer, type SpawnedServer } from './spawn-server.js';

const pgUrl = process.env.LAKECAT_TEST_PG_URL;

describe('lakecat serve --workers', () => {
  it('refuses several workers on the embedded database, with exit code 2 and the reason', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lakecat-workers-'));
    try {
      const r = spawnSync(process.execPath, ['bin/lakecat.mjs', 'serve', '--workers', '2', '--port', '0', '--data-dir', dataDir], {
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(r.status).toBe(2);
      expect(r.stderr).toContain('--workers 2 needs --db-url');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!pgUrl)('lakecat serve --workers 2 on PostgreSQL (skipped without LAKECAT_TEST_PG_URL)', () => {
  let server: SpawnedServer | undefined;
  let base = '';
  let dataDir = '';
  let drop: (() => Promise<void>) | undefined;
  const output = () => server?.output() ?? '';

  beforeAll(async () => {
    const db = await createTestDatabase(pgUrl!);
    drop = db.drop;
    dataDir = mkdtempSync(join(tmpdir(), 'lakecat-workers-'));
    server = await spawnServer(['--workers', '2', '--port', '0', '--db-url', db.url, '--data-dir', dataDir, '--log-requests', 'false'], {
      listeners: 2,
      timeoutMs: 60_000,
    });
    base = server.base;
  }, 90_000);

  afterAll(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    await drop?.();
  }, 60_000);

  it('starts two workers listening on the same port', () => {
    const workers = [...output().matchAll(/"msg":"lakecat listening","url":"(http:\/\/[^"]+)".*?"worker":(\d+)/g)];
    expect(workers).toHaveLength(2);
    expect(new Set(workers.map((m) => m[1])).size).toBe(1);
    expect(new Set(workers.map((m) => m[2])).size).toBe(2);
  });

  it('serves one catalog: what one connection writes, fresh connections read', async () => {
    const schema = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', required: true, type: 'long' }] };
    const post = (path: string, body: unknown) =>
      fetch(`${base}${path}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json', connection: 'close' } });
    expect((await post('/v1/namespaces', { namespace: ['w'] })).status).toBe(200);
    const names = Array.from({ length: 12 }, (_, i) => `t${i}`);
    const created = await Promise.all(names.map((name) => post('/v1/namespaces/w/tables', { name, schema })));
    expect(created.map((r) => r.status)).toEqual(names.map(() => 200));
    // New connections are spread over the workers; every one must see all tables.
    for (let i = 0; i < 6; i++) {
      const res = await fetch(`${base}/v1/namespaces/w/tables`, { headers: { connection: 'close' } });
      const body = (await res.json()) as { identifiers: { name: string }[] };
      expect(body.identifiers.map((t) => t.name).sort()).toEqual([...names].sort());
    }
  });

  it('replaces a worker that dies', async () => {
    const pid = Number(/"worker":\d+,"pid":(\d+)/.exec(output())![1]);
    const before = output().length;
    process.kill(pid, 'SIGKILL');
    await expect
      .poll(() => /"msg":"lakecat listening".*"worker":3/.test(output().slice(before)), { timeout: 20_000, interval: 200 })
      .toBe(true);
    expect(output().slice(before)).toContain('"msg":"worker exited, starting another"');
    expect((await fetch(`${base}/v1/namespaces`, { headers: { connection: 'close' } })).status).toBe(200);
  }, 30_000);

  it('stops every worker on SIGTERM and exits 0', async () => {
    expect(await server!.stop()).toBe(0);
  }, 30_000);
});
