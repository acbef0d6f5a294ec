/**
 * `--extra-locations`: tables and views may live in folders outside the warehouse when the
 * operator allows them, and nowhere else. Built through the composition root, as `lakecat serve` is.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config.js';
import { buildLakecat, type Lakecat } from '../../src/main.js';

const schema = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', required: true, type: 'long' }] };

describe('tables and views at extra locations', () => {
  let dir: string;
  let lakecat: Lakecat;
  const request = async (method: string, path: string, body?: unknown) => {
    const res = await lakecat.app.hono.request(path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lakecat-extra-'));
    const cfg = readConfig(['--data-dir', join(dir, 'data'), '--extra-locations', `${join(dir, 'extra')},file:${join(dir, 'views')}`, '--log-requests=false'], {});
    lakecat = await buildLakecat(cfg);
    expect((await request('POST', '/v1/namespaces', { namespace: ['ns'] })).status).toBe(200);
  });
  afterAll(async () => {
    await lakecat?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('creates and loads a table in an extra folder, writing its metadata there', async () => {
    const location = `file:${join(dir, 'extra', 'ns', 'tbl')}`;
    const created = await request('POST', '/v1/namespaces/ns/tables', { name: 'tbl', schema, location });
    expect(created.status).toBe(200);
    expect(created.body.metadata.location).toBe(location);
    expect(created.body['metadata-location']).toMatch(new RegExp(`^${location}/metadata/00000-.*\\.metadata\\.json$`));
    expect(await readdir(join(dir, 'extra', 'ns', 'tbl', 'metadata'))).toHaveLength(1);
    const loaded = await request('GET', '/v1/namespaces/ns/tables/tbl');
    expect(loaded.status).toBe(200);
    expect(loaded.body['metadata-location']).toBe(created.body['metadata-location']);
  });

  it('creates a view in another extra folder', async () => {
    const location = `file:${join(dir, 'views', 'v')}`;
    const r = await request('POST', '/v1/namespaces/ns/views', {
      name: 'v',
      location,
      schema,
      'view-version': {
        'version-id': 1,
        'timestamp-ms': 1_700_000_000_000,
        'schema-id': 0,
        summary: {},
        representations: [{ type: 'sql', sql: 'select 1 as id', dialect: 'spark' }],
        'default-namespace': ['ns'],
      },
    });
    expect(r.status).toBe(200);
    expect(r.body['metadata-location'].startsWith(`${location}/metadata/`)).toBe(true);
  });

  it('still refuses a folder that was not allowed, with a 400 and nothing written', async () => {
    const r = await request('POST', '/v1/namespaces/ns/tables', { name: 'out', schema, location: `file:${join(dir, 'other', 't')}` });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/^Cannot write metadata to .*: outside the storage this catalog writes to/);
    expect(existsSync(join(dir, 'other'))).toBe(false);
    expect((await request('GET', '/v1/namespaces/ns/tables/out')).status).toBe(404);
  });
});
