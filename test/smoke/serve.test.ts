/**
 * Starts the real `lakecat serve` process on the embedded default (PGlite + local folder) the
 * way the README says, and talks to it over HTTP.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnServer, type SpawnedServer } from './spawn-server.js';

const BIG_ID = '9223372036854775807';

function commitBody(snapshotId: string, parent: string | null, seq: number): string {
  const parentField = parent ? `"parent-snapshot-id":${parent},` : '';
  return `{"requirements":[{"type":"assert-ref-snapshot-id","ref":"main","snapshot-id":${parent ?? 'null'}}],"updates":[
    {"action":"add-snapshot","snapshot":{"snapshot-id":${snapshotId},${parentField}"sequence-number":${seq},"timestamp-ms":1700000000000,
     "manifest-list":"file:///tmp/snap-${snapshotId}.avro","summary":{"operation":"append"},"schema-id":0}},
    {"action":"set-snapshot-ref","ref-name":"main","type":"branch","snapshot-id":${snapshotId}}]}`;
}

describe('lakecat serve (embedded default)', () => {
  let server: SpawnedServer | undefined;
  let base = '';
  let dataDir = '';

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'lakecat-smoke-'));
    server = await spawnServer(['--port', '0', '--data-dir', dataDir], { env: { LAKECAT_LOG_REQUESTS: 'false' } });
    base = server.base;
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const call = async (method: string, path: string, body?: string) => {
    const res = await fetch(`${base}${path}`, {
      method,
      body,
      headers: body ? { 'content-type': 'application/json' } : undefined,
    });
    return { status: res.status, text: await res.text() };
  };

  it('creates a namespace and table, commits a 63-bit snapshot id and reloads it byte-exact', async () => {
    expect((await call('GET', '/health')).status).toBe(200);
    expect((await call('GET', '/ready')).status).toBe(200);
    expect((await call('POST', '/v1/namespaces', '{"namespace":["smoke"]}')).status).toBe(200);
    const schema = '{"type":"struct","schema-id":0,"fields":[{"id":1,"name":"id","required":true,"type":"long"}]}';
    const created = await call('POST', '/v1/namespaces/smoke/tables', `{"name":"t","schema":${schema}}`);
    expect(created.status).toBe(200);
    expect(created.text).toContain(`"metadata-location":"file://${dataDir}/warehouse/smoke/t-`);
    const committed = await call('POST', '/v1/namespaces/smoke/tables/t', commitBody(BIG_ID, null, 1));
    expect(committed.status).toBe(200);
    const loaded = await call('GET', '/v1/namespaces/smoke/tables/t');
    expect(loaded.text).toContain(`"current-snapshot-id":${BIG_ID}`);
    expect(loaded.text).toContain(`"snapshot-id":${BIG_ID}`);
    const metadata = loaded.text.slice(loaded.text.indexOf('"metadata":') + '"metadata":'.length, loaded.text.lastIndexOf(',"config"'));
    const location = /"metadata-location":"([^"]+)"/.exec(loaded.text)![1];
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(new URL(location), 'utf8')).toBe(metadata);
  });

  it('does the same on a dev branch without changing main', async () => {
    const main = JSON.parse((await call('GET', '/api/v2/trees/main')).text);
    const created = await call('POST', '/api/v2/trees?name=dev&type=BRANCH', JSON.stringify({ type: 'BRANCH', name: 'main', hash: main.reference.hash }));
    expect(created.status).toBe(200);
    const mainBefore = await call('GET', '/v1/main/namespaces/smoke/tables/t');
    expect((await call('POST', '/v1/dev/namespaces/smoke/tables/t', commitBody('7777777777777777777', BIG_ID, 2))).status).toBe(200);
    const dev = await call('GET', '/v1/dev/namespaces/smoke/tables/t');
    expect(dev.text).toContain('"current-snapshot-id":7777777777777777777');
    expect((await call('GET', '/v1/main/namespaces/smoke/tables/t')).text).toBe(mainBefore.text);
  });
});
