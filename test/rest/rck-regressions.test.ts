/**
 * Behaviour the Iceberg REST Compatibility Kit (conformance-tests/rck) expects, pinned here so
 * it holds without the Java suite.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './harness.js';

const schema = (schemaId: number) => ({
  type: 'struct',
  'schema-id': schemaId,
  fields: [{ id: 1, name: 'id', required: true, type: 'long' }],
});

describe('Iceberg REST API as the RCK uses it', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
    await h.request('POST', '/v1/namespaces', { namespace: ['rck'] });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('creates a view whose request schema has a non-zero id: the view numbers it 0', async () => {
    const r = await h.request('POST', '/v1/namespaces/rck/views', {
      name: 'v_schema5',
      schema: schema(5),
      'view-version': {
        'version-id': 1,
        'timestamp-ms': 1_700_000_000_000,
        'schema-id': 5,
        summary: {},
        representations: [{ type: 'sql', sql: 'select 1', dialect: 'spark' }],
        'default-namespace': ['rck'],
      },
      properties: {},
    });
    expect(r.status).toBe(200);
    expect(r.body.metadata.schemas.map((s: { 'schema-id': number }) => s['schema-id'])).toEqual([0]);
    expect(r.body.metadata.versions[0]['schema-id']).toBe(0);
  });

  const createView = (name: string) =>
    h.request('POST', '/v1/namespaces/rck/views', {
      name,
      schema: schema(0),
      'view-version': {
        'version-id': 1,
        'timestamp-ms': 1_700_000_000_000,
        'schema-id': 0,
        summary: {},
        representations: [{ type: 'sql', sql: 'select 1', dialect: 'spark' }],
        'default-namespace': ['rck'],
      },
    });
  const createTable = (name: string) => h.request('POST', '/v1/namespaces/rck/tables', { name, schema: schema(0) });

  it('answers a load in a missing namespace with NoSuchTable / NoSuchView', async () => {
    const table = await h.request('GET', '/v1/namespaces/no_such_ns/tables/t');
    expect(table.status).toBe(404);
    expect(table.body.error).toMatchObject({ type: 'NoSuchTableException', message: 'Table does not exist: no_such_ns.t' });
    const view = await h.request('GET', '/v1/namespaces/no_such_ns/views/v');
    expect(view.status).toBe(404);
    expect(view.body.error).toMatchObject({ type: 'NoSuchViewException', message: 'View does not exist: no_such_ns.v' });
  });

  it("words name clashes as Java's catalogs do", async () => {
    expect((await createTable('t1')).status).toBe(200);
    expect((await createView('v1')).status).toBe(200);
    const again = await createTable('t1');
    expect(again.status).toBe(409);
    expect(again.body.error.message).toBe('Table already exists: rck.t1');
    expect((await createView('v1')).body.error.message).toBe('View already exists: rck.v1');
    expect((await createView('t1')).body.error.message).toBe('Table with same name already exists: rck.t1');
    expect((await createTable('v1')).body.error.message).toBe('View with same name already exists: rck.v1');
    const renameTable = await h.request('POST', '/v1/tables/rename', {
      source: { namespace: ['rck'], name: 't1' },
      destination: { namespace: ['rck'], name: 'v1' },
    });
    expect(renameTable.status).toBe(409);
    expect(renameTable.body.error.message).toBe('Cannot rename rck.t1 to rck.v1. View already exists');
    const renameView = await h.request('POST', '/v1/views/rename', {
      source: { namespace: ['rck'], name: 'v1' },
      destination: { namespace: ['rck'], name: 't1' },
    });
    expect(renameView.body.error.message).toBe('Cannot rename rck.v1 to rck.t1. Table already exists');
  });

  it('reports invalid metadata as IllegalArgumentException, which Java clients rethrow as such', async () => {
    const r = await h.request('POST', '/v1/namespaces/rck/views', {
      name: 'two_trino',
      schema: schema(0),
      'view-version': {
        'version-id': 1,
        'timestamp-ms': 1_700_000_000_000,
        'schema-id': 0,
        summary: {},
        representations: [
          { type: 'sql', sql: 'select 1', dialect: 'trino' },
          { type: 'sql', sql: 'select 2', dialect: 'trino' },
        ],
        'default-namespace': ['rck'],
      },
    });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({
      type: 'IllegalArgumentException',
      message: 'Invalid view version: Cannot add multiple queries for dialect trino',
    });
  });

  it('refuses a location outside its storage as a bad request, not an outage', async () => {
    const r = await h.request('POST', '/v1/namespaces/rck/tables', { name: 'elsewhere', schema: schema(0), location: 'file:/tmp/rck/elsewhere' });
    expect(r.status).toBe(400);
    expect(r.body.error.type).toBe('BadRequestException');
    expect(r.body.error.message).toMatch(/^Cannot write metadata to file:\/tmp\/rck\/elsewhere\/metadata: outside the storage/);
    expect((await h.request('GET', '/v1/namespaces/rck/tables/elsewhere')).status).toBe(404);
  });

  it('reports a table whose metadata file is gone as NotFoundException where the store can tell cheaply', async () => {
    const created = await createTable('lost_file');
    expect(created.status).toBe(200);
    const location: string = created.body['metadata-location'];
    await h.objects.delete(location);
    const r = await h.request('GET', '/v1/namespaces/rck/tables/lost_file');
    // The object-store contract tests pin which stores can tell (memory, local files) and which not (S3).
    if (h.objects.knownMissing?.(location) !== true) {
      // S3: no request per load; the table is served from the catalog's own copy of its metadata.
      expect(r.status).toBe(200);
      expect(r.body['metadata-location']).toBe(location);
    } else {
      expect(r.status).toBe(404);
      expect(r.body.error).toMatchObject({ type: 'NotFoundException', message: `Failed to open input stream for file: ${location}` });
    }
    // Nothing else breaks: the table still exists and can be dropped.
    expect((await h.request('HEAD', '/v1/namespaces/rck/tables/lost_file')).status).toBe(204);
    expect((await h.request('DELETE', '/v1/namespaces/rck/tables/lost_file')).status).toBe(204);
  });

  it('refuses a create transaction over a view as a name clash', async () => {
    expect((await createView('v2')).status).toBe(200);
    const r = await h.request('POST', '/v1/namespaces/rck/tables/v2', {
      requirements: [{ type: 'assert-create' }],
      updates: [
        { action: 'assign-uuid', uuid: '6f1a3b0e-1d2c-4e5f-8a9b-0c1d2e3f4a5b' },
        { action: 'upgrade-format-version', 'format-version': 2 },
        { action: 'add-schema', schema: schema(0), 'last-column-id': 1 },
        { action: 'set-current-schema', 'schema-id': -1 },
        { action: 'set-location', location: 's3://b/rck/v2' },
      ],
    });
    expect(r.status).toBe(409);
    expect(r.body.error).toMatchObject({ type: 'AlreadyExistsException', message: 'View with same name already exists: rck.v2' });
  });
});
