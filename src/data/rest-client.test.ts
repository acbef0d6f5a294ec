import { describe, expect, it } from 'vitest';
import { IcebergRestClient, RestError } from './rest-client.js';

const TABLE = {
  'metadata-location': 'memory://w/t/metadata/00000.metadata.json',
  metadata: {
    'format-version': 2,
    'table-uuid': '6f1a3b0e-1d2c-4e5f-8a9b-0c1d2e3f4a5b',
    location: 'memory://w/t',
    'last-sequence-number': 0,
    'last-updated-ms': 1,
    'last-column-id': 1,
    'current-schema-id': 0,
    schemas: [{ type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', required: false, type: 'long' }] }],
    'default-spec-id': 0,
    'partition-specs': [{ 'spec-id': 0, fields: [] }],
    'last-partition-id': 999,
    'default-sort-order-id': 0,
    'sort-orders': [{ 'order-id': 0, fields: [] }],
    properties: {},
  },
  config: { 's3.endpoint': 'http://x' },
};

function flakyFetch(failures: number) {
  const calls: string[] = [];
  const fetch = async (url: string, init?: RequestInit) => {
    calls.push(`${init?.method} ${url}`);
    if (calls.length <= failures) throw new TypeError('fetch failed', { cause: { code: 'UND_ERR_SOCKET' } });
    if (url.includes('/v1/config')) return new Response(JSON.stringify({ defaults: {}, overrides: { prefix: 'dev' } }));
    if (init?.method === 'GET') return new Response(JSON.stringify(TABLE));
    return new Response(JSON.stringify({ error: { message: 'Requirement failed', type: 'CommitFailedException', code: 409 } }), { status: 409 });
  };
  return { fetch, calls };
}

describe('the data clients\u2019 Iceberg REST client', () => {
  it('sends a read again when the connection broke, and keeps the table config', async () => {
    const { fetch, calls } = flakyFetch(1);
    const client = new IcebergRestClient({ url: 'http://lakecat', warehouse: 'dev', fetch });
    const t = await client.loadTable(['a b'], 't');
    expect(t.config).toEqual({ 's3.endpoint': 'http://x' });
    expect(calls).toEqual(['GET http://lakecat/v1/config?warehouse=dev', 'GET http://lakecat/v1/config?warehouse=dev', 'GET http://lakecat/v1/dev/namespaces/a%20b/tables/t']);
  });

  it('never sends a commit twice: a broken connection surfaces to the caller', async () => {
    const { fetch, calls } = flakyFetch(0);
    const client = new IcebergRestClient({ url: 'http://lakecat', fetch });
    await client.loadTable(['ns'], 't');
    const failing = new IcebergRestClient({
      url: 'http://lakecat',
      fetch: async (url, init) => (init?.method === 'POST' ? Promise.reject(new TypeError('fetch failed')) : fetch(url, init)),
    });
    await expect(failing.commitTable(['ns'], 't', [], [])).rejects.toThrow('fetch failed');
    const refused = await client.commitTable(['ns'], 't', [], []).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RestError);
    expect(refused).toMatchObject({ status: 409, type: 'CommitFailedException', message: 'Requirement failed' });
    expect(calls.filter((c) => c.startsWith('POST'))).toHaveLength(1);
  });
});
