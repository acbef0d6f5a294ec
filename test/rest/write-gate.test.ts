/**
 * One door, one gate: every write endpoint of both HTTP APIs reaches the catalog's write gate
 * (and is refused there when the authorizer says no, leaving nothing changed), and every read
 * passes the authorizer where its reference is resolved. The authorizer here is the hook the
 * access-control work plugs into.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReadOnlyReferenceError, type Action } from '../../src/catalog/index.js';
import { createHarness, type Harness } from './harness.js';
import { SCHEMA, viewVersion as requestViewVersion } from './requests.js';

const viewVersion = (sql: string) => requestViewVersion(sql, 'g');

describe('the write gate', () => {
  let h: Harness;
  const actions: Action[] = [];
  let deny: 'none' | 'writes' | 'reads' = 'none';

  beforeAll(async () => {
    h = await createHarness({
      authorizer: {
        authorize(_actor, action) {
          if (deny === 'writes' && action.kind !== 'read') throw new ReadOnlyReferenceError(`denied: ${action.kind}`);
          if (deny === 'reads' && action.kind === 'read') throw new ReadOnlyReferenceError('denied: read');
          actions.push(action);
        },
      },
    });
  });
  afterAll(() => h.close());

  const head = async (ref = 'main') => (await h.request('GET', `/api/v2/trees/${ref}`)).body.reference.hash as string;
  /** Sends a request and returns the write actions the gate saw for it. */
  async function writes(method: string, path: string, body?: unknown): Promise<{ status: number; kinds: string[]; body: any }> {
    const from = actions.length;
    const r = await h.request(method, path, body);
    return { status: r.status, body: r.body, kinds: actions.slice(from).filter((a) => a.kind !== 'read').map((a) => a.kind) };
  }

  it('sees every write of the Iceberg REST API, one action per commit attempt', async () => {
    const ok = async (method: string, path: string, body: unknown, kind = 'commit') => {
      const r = await writes(method, path, body);
      expect(r.status, `${method} ${path}: ${JSON.stringify(r.body)}`).toBeLessThan(300);
      expect(r.kinds, `${method} ${path}`).toEqual([kind]);
      return r.body;
    };
    await ok('POST', '/v1/namespaces', { namespace: ['g'] });
    await ok('POST', '/v1/namespaces/g/properties', { updates: { a: '1' }, removals: [] });
    const created = await ok('POST', '/v1/namespaces/g/tables', { name: 't', schema: SCHEMA });
    await ok('POST', '/v1/namespaces/g/tables/t', { requirements: [], updates: [{ action: 'set-properties', updates: { k: 'v' } }] });
    await ok('POST', '/v1/transactions/commit', {
      'table-changes': [{ identifier: { namespace: ['g'], name: 't' }, requirements: [], updates: [{ action: 'set-properties', updates: { k: 'w' } }] }],
    });
    await ok('POST', '/v1/tables/rename', { source: { namespace: ['g'], name: 't' }, destination: { namespace: ['g'], name: 't2' } });
    await ok('POST', '/v1/namespaces/g/register', { name: 'copy', 'metadata-location': created['metadata-location'] });
    await ok('POST', '/v1/namespaces/g/tables/copy/unregister', undefined);
    await ok('DELETE', '/v1/namespaces/g/tables/t2', undefined);
    const view = await ok('POST', '/v1/namespaces/g/views', { name: 'v', schema: SCHEMA, 'view-version': viewVersion('select 1') });
    await ok('POST', '/v1/namespaces/g/views/v', {
      requirements: [],
      updates: [
        { action: 'add-view-version', 'view-version': { ...viewVersion('select 2'), 'version-id': 2 } },
        { action: 'set-current-view-version', 'view-version-id': -1 },
      ],
    });
    await ok('POST', '/v1/views/rename', { source: { namespace: ['g'], name: 'v' }, destination: { namespace: ['g'], name: 'v2' } });
    await ok('POST', '/v1/namespaces/g/register-view', { name: 'v3', 'metadata-location': view['metadata-location'] });
    await ok('DELETE', '/v1/namespaces/g/views/v2', undefined);
    await ok('DELETE', '/v1/namespaces/g/views/v3', undefined);
    await ok('POST', '/v1/namespaces', { namespace: ['empty'] });
    await ok('DELETE', '/v1/namespaces/empty', undefined);
    expect(actions.filter((a) => a.kind === 'commit').every((a) => a.kind === 'commit' && a.branch === 'main' && a.namespaces.length > 0)).toBe(true);
  });

  it('sees every write of the Nessie API with its kind', async () => {
    const ok = async (method: string, path: string, body: unknown, kind: string) => {
      const r = await writes(method, path, body);
      expect(r.status, `${method} ${path}: ${JSON.stringify(r.body)}`).toBe(200);
      expect(r.kinds, `${method} ${path}`).toEqual([kind]);
      return r.body;
    };
    await ok('POST', '/api/v2/trees?name=gate&type=BRANCH', { type: 'BRANCH', name: 'main', hash: await head() }, 'create-reference');
    await ok('POST', `/api/v2/trees/gate@${await head('gate')}/history/commit`, {
      commitMeta: { message: 'ns' },
      operations: [{ type: 'PUT', key: { elements: ['nessie_ns'] }, content: { type: 'NAMESPACE', elements: ['nessie_ns'], properties: {} } }],
    }, 'commit');
    await ok('POST', `/api/v2/trees/main@${await head()}/history/merge`, { fromRefName: 'gate', fromHash: await head('gate') }, 'merge');
    await ok('POST', '/api/v2/trees?name=gate2&type=BRANCH', { type: 'BRANCH', name: 'main', hash: await head() }, 'create-reference');
    await ok('POST', `/api/v2/trees/gate2@${await head('gate2')}/history/commit`, {
      operations: [{ type: 'PUT', key: { elements: ['other_ns'] }, content: { type: 'NAMESPACE', elements: ['other_ns'], properties: {} } }],
    }, 'commit');
    await ok('POST', `/api/v2/trees/main@${await head()}/history/transplant`, { fromRefName: 'gate2', hashesToTransplant: [await head('gate2')] }, 'transplant');
    await ok('PUT', `/api/v2/trees/gate@${await head('gate')}`, { type: 'BRANCH', name: 'main', hash: await head() }, 'assign-reference');
    await ok('DELETE', `/api/v2/trees/gate2@${await head('gate2')}`, undefined, 'delete-reference');
  });

  it('refuses every write when the authorizer says no, and nothing changes', async () => {
    expect((await h.request('POST', '/v1/namespaces', { namespace: ['empty2'] })).status).toBe(200);
    const before = await head();
    const refsBefore = (await h.request('GET', '/api/v2/trees')).body.references;
    deny = 'writes';
    try {
      const refused = async (method: string, path: string, body?: unknown) => {
        const r = await h.request(method, path, body);
        expect(r.status, `${method} ${path}: ${r.text}`).toBe(400);
        expect(r.text, `${method} ${path}`).toContain('denied');
      };
      await refused('POST', '/v1/namespaces', { namespace: ['nope'] });
      await refused('POST', '/v1/namespaces/g/properties', { updates: { b: '2' }, removals: [] });
      await refused('POST', '/v1/namespaces/g/tables', { name: 'nope', schema: SCHEMA });
      await refused('POST', '/v1/namespaces/g/views', { name: 'nope', schema: SCHEMA, 'view-version': viewVersion('select 1') });
      await refused('DELETE', '/v1/namespaces/empty2');
      await refused('POST', '/api/v2/trees?name=nope&type=BRANCH', { type: 'BRANCH', name: 'main', hash: before });
      await refused('PUT', `/api/v2/trees/gate@${await head('gate')}`, { type: 'DETACHED', hash: before });
      await refused('DELETE', `/api/v2/trees/gate@${await head('gate')}`);
      await refused('POST', `/api/v2/trees/main@${before}/history/commit`, {
        operations: [{ type: 'PUT', key: { elements: ['nope'] }, content: { type: 'NAMESPACE', elements: ['nope'], properties: {} } }],
      });
      await refused('POST', `/api/v2/trees/main@${before}/history/merge`, { fromRefName: 'gate', fromHash: await head('gate') });
      await refused('POST', `/api/v2/trees/main@${before}/history/transplant`, { fromRefName: 'gate', hashesToTransplant: [await head('gate')] });
    } finally {
      deny = 'none';
    }
    expect(await head()).toBe(before);
    expect((await h.request('GET', '/api/v2/trees')).body.references).toEqual(refsBefore);
    // A refused create wrote no metadata file that outlives it.
    const files: string[] = [];
    for await (const o of h.objects.list(`${h.deps.warehouse}/`)) files.push(o.location);
    expect(files.length).toBeGreaterThan(0);
    expect(files.filter((f) => f.includes('/g/nope'))).toEqual([]);
  });

  it('asks the authorizer for every read, through either API', async () => {
    const from = actions.length;
    expect((await h.request('GET', '/v1/namespaces/g')).status).toBe(200);
    expect((await h.request('GET', '/api/v2/trees/main/entries')).status).toBe(200);
    expect(actions.slice(from).filter((a) => a.kind === 'read')).toHaveLength(2);
    deny = 'reads';
    try {
      for (const path of ['/v1/namespaces', '/v1/namespaces/g', '/api/v2/trees/main/entries', '/api/v2/trees/main/history', '/api/v2/trees/main', `/api/v2/trees/main/diff/gate`]) {
        const r = await h.request('GET', path);
        expect(r.status, path).toBe(400);
        expect(r.text, path).toContain('denied: read');
      }
    } finally {
      deny = 'none';
    }
  });
});
