import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENDPOINTS } from '../../src/rest/iceberg/index.js';
import { SCHEMA, stagedCreateUpdates } from '../rest/requests.js';
import { createHarness, type Harness } from '../rest/harness.js';
import { checkedRequest } from './checked-client.js';
import { loadSpec, SPEC_FILE_NAME, specPath } from './spec.js';

const SPEC_PATH = specPath();
const spec = loadSpec(SPEC_PATH);

const PARTITION_SPEC = { 'spec-id': 0, fields: [{ 'source-id': 3, 'field-id': 1000, name: 'ts_day', transform: 'day' }] };
const WRITE_ORDER = { 'order-id': 1, fields: [{ 'source-id': 1, transform: 'identity', direction: 'asc', 'null-order': 'nulls-first' }] };

function appendSnapshot(snapshotId: number, parent: number | null, seq: number) {
  return {
    requirements: [{ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': parent }],
    updates: [
      {
        action: 'add-snapshot',
        snapshot: {
          'snapshot-id': snapshotId,
          ...(parent === null ? {} : { 'parent-snapshot-id': parent }),
          'sequence-number': seq,
          'timestamp-ms': 1_700_000_000_000 + seq,
          'manifest-list': `s3://bucket/wh/metadata/snap-${snapshotId}.avro`,
          summary: { operation: 'append', 'added-data-files': '1', 'added-records': '10' },
          'schema-id': 0,
        },
      },
      { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': snapshotId },
    ],
  };
}

function viewVersion(versionId: number, sql: string) {
  return {
    'version-id': versionId,
    'timestamp-ms': 1_700_000_000_000 + versionId,
    'schema-id': 0,
    summary: { 'engine-name': 'spark', 'engine-version': '3.5.0' },
    representations: [{ type: 'sql', sql, dialect: 'spark' }],
    'default-namespace': ['vw'],
  };
}

describe('contract test set-up', () => {
  it('looks for the spec at $LAKECAT_OPENAPI_SPEC, else beside the clone under shared/specs', () => {
    expect(specPath({ LAKECAT_OPENAPI_SPEC: 'specs/x.yaml' }, '/repo')).toBe(resolve('specs/x.yaml'));
    expect(specPath({}, '/srv/checkout/lakecat')).toBe(resolve('/srv/checkout/shared/specs', SPEC_FILE_NAME));
    expect(specPath({ LAKECAT_OPENAPI_SPEC: '' }, '/a/b')).toBe(resolve('/a/shared/specs', SPEC_FILE_NAME));
    expect(loadSpec(resolve('/nonexistent', SPEC_FILE_NAME))).toBeUndefined();
  });
});

describe.skipIf(!spec)(`Iceberg REST responses match the OpenAPI spec${spec ? '' : ` (skipped: OpenAPI spec not found at ${SPEC_PATH})`}`, () => {
  let h: Harness;
  const call = (status: number, method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
    checkedRequest(h, spec!, status, method, path, body, headers);
  const createTable = (status: number, ns: string, name: string, extra: Record<string, unknown> = {}, prefix = 'main') =>
    call(status, 'POST', `/v1/${prefix}/namespaces/${ns}/tables`, { name, schema: SCHEMA, ...extra });

  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('is checked against an OpenAPI 3.x document whose validators reject wrong bodies', () => {
    expect(spec!.version).toMatch(/^3\.[01]\./);
    const error = spec!.schema('IcebergErrorResponse');
    expect(error({ error: { message: 'm', type: 'NoSuchTableException', code: 404 } })).toBe(true);
    expect(error({ error: { message: 'm', type: 'NoSuchTableException' } })).toBe(false);
    expect(spec!.schema('LoadTableResult')({ config: {} })).toBe(false);
  });

  it("finds the spec's view error examples in the IcebergErrorResponse envelope although their schema names ErrorModel", () => {
    const viewError = spec!.doc.components.examples.NoSuchViewError.value;
    expect(spec!.schema('IcebergErrorResponse')(viewError)).toBe(true);
    expect(spec!.schema('ErrorModel')(viewError)).toBe(false);
    expect(spec!.response('/v1/{prefix}/namespaces/{namespace}/views/{view}', 'get', 404)?.schemaRef).toBe('#/components/schemas/ErrorModel');
  });

  it('advertises in /v1/config only endpoints that the spec defines', async () => {
    const r = await call(200, 'GET', '/v1/config');
    expect(r.body.endpoints).toEqual(ENDPOINTS);
    for (const endpoint of ENDPOINTS) {
      const [method, path] = endpoint.split(' ');
      expect(spec!.doc.paths[path]?.[method.toLowerCase()], endpoint).toBeDefined();
    }
    await call(200, 'GET', '/v1/config?warehouse=main');
    await call(404, 'GET', '/v1/config?warehouse=nope');
  });

  describe('namespaces', () => {
    it('creates, loads, checks, updates and drops a namespace', async () => {
      const created = await call(200, 'POST', '/v1/main/namespaces', { namespace: ['sales'], properties: { owner: 'ann' } });
      expect(created.body).toEqual({ namespace: ['sales'], properties: { owner: 'ann' } });
      await call(200, 'POST', '/v1/main/namespaces', { namespace: ['sales', 'eu'] });
      expect((await call(200, 'GET', '/v1/main/namespaces/sales')).body.properties.owner).toBe('ann');
      await call(200, 'GET', '/v1/main/namespaces/sales%1Feu');
      await call(204, 'HEAD', '/v1/main/namespaces/sales');
      const updated = await call(200, 'POST', '/v1/main/namespaces/sales/properties', { removals: ['owner', 'absent'], updates: { team: 'bi' } });
      expect(updated.body).toEqual({ updated: ['team'], removed: ['owner'], missing: ['absent'] });
      await call(409, 'DELETE', '/v1/main/namespaces/sales');
      await call(204, 'DELETE', '/v1/main/namespaces/sales%1Feu');
      await call(204, 'DELETE', '/v1/main/namespaces/sales');
      await call(404, 'DELETE', '/v1/main/namespaces/sales');
    });

    it('lists namespaces page by page', async () => {
      await call(200, 'POST', '/v1/main/namespaces', { namespace: ['paged'] });
      for (const n of ['a', 'b', 'c']) await call(200, 'POST', '/v1/main/namespaces', { namespace: ['paged', n] });
      const first = await call(200, 'GET', '/v1/main/namespaces?parent=paged&pageSize=2');
      expect(first.body.namespaces).toEqual([['paged', 'a'], ['paged', 'b']]);
      const token = encodeURIComponent(first.body['next-page-token']);
      const last = await call(200, 'GET', `/v1/main/namespaces?parent=paged&pageSize=2&pageToken=${token}`);
      expect(last.body.namespaces).toEqual([['paged', 'c']]);
      await call(200, 'GET', '/v1/main/namespaces');
    });

    it('answers errors in the IcebergErrorResponse shape', async () => {
      await call(200, 'POST', '/v1/main/namespaces', { namespace: ['dup'] });
      expect((await call(409, 'POST', '/v1/main/namespaces', { namespace: ['dup'] })).body.error.type).toBe('AlreadyExistsException');
      for (const body of ['{', '[]', '{"namespace":"x"}', '{"namespace":["a"],"properties":{"k":1}}']) {
        await call(400, 'POST', '/v1/main/namespaces', body);
      }
      expect((await call(404, 'GET', '/v1/main/namespaces/ghost')).body.error.type).toBe('NoSuchNamespaceException');
      await call(404, 'HEAD', '/v1/main/namespaces/ghost');
      await call(404, 'GET', '/v1/main/namespaces?parent=ghost');
      await call(400, 'GET', '/v1/main/namespaces?pageSize=0');
      await call(404, 'POST', '/v1/main/namespaces/ghost/properties', { removals: [], updates: { a: '1' } });
      await call(422, 'POST', '/v1/main/namespaces/dup/properties', { removals: ['k'], updates: { k: 'v' } });
    });
  });

  describe('tables', () => {
    beforeAll(async () => {
      await call(200, 'POST', '/v1/main/namespaces', { namespace: ['db'] });
      await call(200, 'POST', '/v1/main/namespaces', { namespace: ['other'] });
    });

    it('creates a partitioned, sorted table and loads it, in full and with snapshots=refs', async () => {
      const created = await createTable(200, 'db', 'events', {
        'partition-spec': PARTITION_SPEC,
        'write-order': WRITE_ORDER,
        properties: { 'write.format.default': 'parquet' },
      });
      expect(created.body.metadata['partition-specs'][0].fields[0].transform).toBe('day');
      await call(200, 'POST', '/v1/main/namespaces/db/tables/events', appendSnapshot(1, null, 1));
      await call(200, 'POST', '/v1/main/namespaces/db/tables/events', appendSnapshot(2, 1, 2));
      const full = await call(200, 'GET', '/v1/main/namespaces/db/tables/events');
      expect(full.body.metadata.snapshots).toHaveLength(2);
      const refs = await call(200, 'GET', '/v1/main/namespaces/db/tables/events?snapshots=refs');
      expect(refs.body.metadata.snapshots).toHaveLength(1);
      await call(304, 'GET', '/v1/main/namespaces/db/tables/events', undefined, { 'if-none-match': full.headers.get('etag')! });
      await call(204, 'HEAD', '/v1/main/namespaces/db/tables/events');
      await call(400, 'GET', '/v1/main/namespaces/db/tables/events?snapshots=bogus');
    });

    it('commits schema evolution and properties, and rejects a failed requirement with CommitFailedException', async () => {
      const created = await createTable(200, 'db', 'evolve');
      const evolved = {
        type: 'struct',
        'schema-id': 1,
        fields: [...SCHEMA.fields, { id: 4, name: 'country', required: false, type: 'string' }],
      };
      const committed = await call(200, 'POST', '/v1/main/namespaces/db/tables/evolve', {
        identifier: { namespace: ['db'], name: 'evolve' },
        requirements: [
          { type: 'assert-table-uuid', uuid: created.body.metadata['table-uuid'] },
          { type: 'assert-current-schema-id', 'current-schema-id': 0 },
        ],
        updates: [
          { action: 'add-schema', schema: evolved, 'last-column-id': 4 },
          { action: 'set-current-schema', 'schema-id': -1 },
          { action: 'set-properties', updates: { 'commit.retry.num-retries': '4' } },
          { action: 'remove-properties', removals: ['absent'] },
        ],
      });
      expect(committed.body.metadata['current-schema-id']).toBe(1);
      const failed = await call(409, 'POST', '/v1/main/namespaces/db/tables/evolve', {
        requirements: [{ type: 'assert-current-schema-id', 'current-schema-id': 0 }],
        updates: [{ action: 'set-properties', updates: { x: 'y' } }],
      });
      expect(failed.body.error.type).toBe('CommitFailedException');
      await call(400, 'POST', '/v1/main/namespaces/db/tables/evolve', { requirements: [], updates: [{ action: 'explode' }] });
      await call(400, 'POST', '/v1/main/namespaces/db/tables/evolve', { requirements: [], updates: [{ action: 'set-current-schema', 'schema-id': 42 }] });
      await call(400, 'POST', '/v1/main/namespaces/db/tables/evolve', '{"requirements":');
      expect((await call(404, 'POST', '/v1/main/namespaces/db/tables/ghost', { requirements: [], updates: [] })).body.error.type).toBe(
        'NoSuchTableException',
      );
    });

    it('stages a create and commits it with assert-create', async () => {
      const staged = await createTable(200, 'db', 'staged', { 'stage-create': true, 'partition-spec': PARTITION_SPEC });
      await call(404, 'HEAD', '/v1/main/namespaces/db/tables/staged');
      const m = staged.body.metadata;
      await call(200, 'POST', '/v1/main/namespaces/db/tables/staged', {
        requirements: [{ type: 'assert-create' }],
        updates: stagedCreateUpdates(m),
      });
      await call(409, 'POST', '/v1/main/namespaces/db/tables/staged', { requirements: [{ type: 'assert-create' }], updates: [] });
    });

    it('lists, renames, registers, unregisters and drops tables', async () => {
      for (const t of ['t1', 't2', 't3']) await createTable(200, 'other', t);
      const page = await call(200, 'GET', '/v1/main/namespaces/other/tables?pageSize=2');
      expect(page.body.identifiers).toHaveLength(2);
      const rest = await call(200, 'GET', `/v1/main/namespaces/other/tables?pageSize=2&pageToken=${encodeURIComponent(page.body['next-page-token'])}`);
      expect(rest.body.identifiers).toEqual([{ namespace: ['other'], name: 't3' }]);
      const rename = (from: string, toNs: string, to: string) => ({ source: { namespace: ['other'], name: from }, destination: { namespace: [toNs], name: to } });
      await call(204, 'POST', '/v1/main/tables/rename', rename('t1', 'db', 'moved'));
      await call(409, 'POST', '/v1/main/tables/rename', rename('t2', 'db', 'moved'));
      await call(404, 'POST', '/v1/main/tables/rename', rename('t2', 'ghost', 'x'));
      await call(404, 'POST', '/v1/main/tables/rename', rename('ghost', 'db', 'x'));
      await call(400, 'POST', '/v1/main/tables/rename', { source: { namespace: ['other'], name: 't2' } });
      const location = (await call(200, 'GET', '/v1/main/namespaces/other/tables/t2')).body['metadata-location'];
      const registered = await call(200, 'POST', '/v1/main/namespaces/db/register', { name: 'copy', 'metadata-location': location });
      expect(registered.body['metadata-location']).toBe(location);
      await call(409, 'POST', '/v1/main/namespaces/db/register', { name: 'copy', 'metadata-location': location });
      await call(404, 'POST', '/v1/main/namespaces/db/register', { name: 'x', 'metadata-location': `${location}.missing` });
      await call(200, 'POST', '/v1/main/namespaces/db/tables/copy/unregister');
      await call(404, 'POST', '/v1/main/namespaces/db/tables/copy/unregister');
      await call(204, 'DELETE', '/v1/main/namespaces/other/tables/t2?purgeRequested=true');
      await call(404, 'DELETE', '/v1/main/namespaces/other/tables/t2');
      await call(404, 'GET', '/v1/main/namespaces/other/tables/t2');
      await call(404, 'HEAD', '/v1/main/namespaces/other/tables/t2');
      await call(404, 'GET', '/v1/main/namespaces/ghost/tables');
    });

    it('refuses bad creates: duplicate, unknown namespace, malformed body', async () => {
      await createTable(200, 'db', 'once');
      expect((await createTable(409, 'db', 'once')).body.error.type).toBe('AlreadyExistsException');
      expect((await createTable(404, 'ghost', 't')).body.error.type).toBe('NoSuchNamespaceException');
      await call(400, 'POST', '/v1/main/namespaces/db/tables', { name: 'noschema' });
      await call(400, 'POST', '/v1/main/namespaces/db/tables', { name: 'badtype', schema: { ...SCHEMA, fields: [{ id: 1, name: 'x', required: true, type: 'nope' }] } });
    });

    it('accepts metrics reports and serves credentials', async () => {
      await createTable(200, 'db', 'measured');
      const report = {
        'report-type': 'commit-report',
        'table-name': 'db.measured',
        'snapshot-id': 1,
        'sequence-number': 1,
        operation: 'append',
        metrics: {},
      };
      await call(204, 'POST', '/v1/main/namespaces/db/tables/measured/metrics', report);
      await call(400, 'POST', '/v1/main/namespaces/db/tables/measured/metrics', { 'report-type': 'nope' });
      await call(404, 'POST', '/v1/main/namespaces/ghost/tables/measured/metrics', report);
      expect((await call(200, 'GET', '/v1/main/namespaces/db/tables/measured/credentials')).body['storage-credentials']).toEqual([]);
      await call(404, 'GET', '/v1/main/namespaces/db/tables/ghost/credentials');
    });

    it('replays a repeated Idempotency-Key on a prefixed path with the first response, applied once', async () => {
      await createTable(200, 'db', 'idem');
      const key = '017f22e2-79b0-7cc3-98c4-dc0c0c07398f';
      const first = await call(200, 'POST', '/v1/main/namespaces/db/tables/idem', appendSnapshot(7, null, 1), { 'idempotency-key': key });
      const again = await call(200, 'POST', '/v1/main/namespaces/db/tables/idem', appendSnapshot(7, null, 1), { 'idempotency-key': key });
      expect(again.text).toBe(first.text);
      expect((await call(200, 'GET', '/v1/main/namespaces/db/tables/idem')).body.metadata.snapshots).toHaveLength(1);
      await call(204, 'DELETE', '/v1/main/namespaces/db/tables/idem', undefined, { 'idempotency-key': '017f22e2-79b0-7cc3-98c4-dc0c0c07398d' });
      await call(204, 'DELETE', '/v1/main/namespaces/db/tables/idem', undefined, { 'idempotency-key': '017f22e2-79b0-7cc3-98c4-dc0c0c07398d' });
    });

    it('answers an Idempotency-Key reused for another request with 400 and does not apply it', async () => {
      await createTable(200, 'db', 'idem2');
      const key = '017f22e2-79b0-7cc3-98c4-dc0c0c07398e';
      await call(200, 'POST', '/v1/main/namespaces/db/tables/idem2', appendSnapshot(8, null, 1), { 'idempotency-key': key });
      const reused = await call(400, 'POST', '/v1/main/namespaces/db/tables/idem2', appendSnapshot(9, 8, 2), { 'idempotency-key': key });
      expect(reused.body.error.message).toContain('already used for a different request');
      expect((await call(200, 'GET', '/v1/main/namespaces/db/tables/idem2')).body.metadata.snapshots).toHaveLength(1);
    });
  });

  describe('multi-table transactions', () => {
    beforeAll(async () => {
      await call(200, 'POST', '/v1/main/namespaces', { namespace: ['tx'] });
      await createTable(200, 'tx', 'a');
      await createTable(200, 'tx', 'b');
    });

    it('commits several tables at once, or none with CommitFailedException', async () => {
      const change = (name: string, requirements: unknown[] = []) => ({
        identifier: { namespace: ['tx'], name },
        requirements,
        updates: [{ action: 'set-properties', updates: { k: name } }],
      });
      await call(204, 'POST', '/v1/main/transactions/commit', { 'table-changes': [change('a'), change('b')] });
      const failed = await call(409, 'POST', '/v1/main/transactions/commit', {
        'table-changes': [change('a'), change('b', [{ type: 'assert-current-schema-id', 'current-schema-id': 99 }])],
      });
      expect(failed.body.error.type).toBe('CommitFailedException');
      await call(404, 'POST', '/v1/main/transactions/commit', { 'table-changes': [change('ghost')] });
      await call(400, 'POST', '/v1/main/transactions/commit', { 'table-changes': [] });
      await call(400, 'POST', '/v1/main/transactions/commit', '{"table-changes":');
    });
  });

  describe('views', () => {
    beforeAll(async () => {
      await call(200, 'POST', '/v1/main/namespaces', { namespace: ['vw'] });
    });

    it('creates, lists, loads, replaces, renames, registers and drops a view', async () => {
      const created = await call(200, 'POST', '/v1/main/namespaces/vw/views', {
        name: 'v1',
        schema: SCHEMA,
        'view-version': viewVersion(1, 'select id, data from db.events'),
        properties: { comment: 'daily events' },
      });
      expect((await call(200, 'GET', '/v1/main/namespaces/vw/views')).body.identifiers).toEqual([{ namespace: ['vw'], name: 'v1' }]);
      await call(200, 'GET', '/v1/main/namespaces/vw/views/v1');
      await call(204, 'HEAD', '/v1/main/namespaces/vw/views/v1');
      const replaced = await call(200, 'POST', '/v1/main/namespaces/vw/views/v1', {
        requirements: [{ type: 'assert-view-uuid', uuid: created.body.metadata['view-uuid'] }],
        updates: [
          { action: 'add-view-version', 'view-version': viewVersion(2, 'select id from db.events') },
          { action: 'set-current-view-version', 'view-version-id': -1 },
        ],
      });
      expect(replaced.body.metadata['current-version-id']).toBe(2);
      const conflict = await call(409, 'POST', '/v1/main/namespaces/vw/views/v1', {
        requirements: [{ type: 'assert-view-uuid', uuid: '00000000-0000-0000-0000-000000000000' }],
        updates: [],
      });
      expect(conflict.body.error.type).toBe('CommitFailedException');
      const rename = (from: string, to: string) => ({ source: { namespace: ['vw'], name: from }, destination: { namespace: ['vw'], name: to } });
      await call(204, 'POST', '/v1/main/views/rename', rename('v1', 'v2'));
      await call(404, 'POST', '/v1/main/views/rename', rename('v1', 'v3'));
      await call(200, 'POST', '/v1/main/namespaces/vw/register-view', { name: 'v3', 'metadata-location': replaced.body['metadata-location'] });
      await call(409, 'POST', '/v1/main/views/rename', rename('v2', 'v3'));
      await call(409, 'POST', '/v1/main/namespaces/vw/register-view', { name: 'v3', 'metadata-location': replaced.body['metadata-location'] });
      await call(204, 'DELETE', '/v1/main/namespaces/vw/views/v2');
      await call(404, 'DELETE', '/v1/main/namespaces/vw/views/v2');
    });

    it('answers view errors in the IcebergErrorResponse shape', async () => {
      expect((await call(404, 'GET', '/v1/main/namespaces/vw/views/ghost')).body.error.type).toBe('NoSuchViewException');
      await call(404, 'HEAD', '/v1/main/namespaces/vw/views/ghost');
      await call(404, 'GET', '/v1/main/namespaces/ghost/views');
      await call(404, 'POST', '/v1/main/namespaces/vw/views/ghost', { requirements: [], updates: [] });
      await call(400, 'POST', '/v1/main/namespaces/vw/views', { name: 'nover', schema: SCHEMA });
      await createTable(200, 'vw', 'taken');
      await call(409, 'POST', '/v1/main/namespaces/vw/views', { name: 'taken', schema: SCHEMA, 'view-version': viewVersion(1, 'select 1'), properties: {} });
      await call(404, 'POST', '/v1/main/namespaces/ghost/views', { name: 'x', schema: SCHEMA, 'view-version': viewVersion(1, 'select 1'), properties: {} });
    });
  });

  describe('branch prefix', () => {
    it('serves /v1/dev/... for a branch created through the Nessie API', async () => {
      const main = await h.store.getReference('main');
      const branch = await h.request('POST', '/api/v2/trees?name=dev&type=BRANCH', { type: 'BRANCH', name: 'main', hash: main.hash });
      expect(branch.status).toBe(200);
      await call(200, 'POST', '/v1/dev/namespaces', { namespace: ['devonly'] });
      await createTable(200, 'devonly', 't', { 'partition-spec': PARTITION_SPEC }, 'dev');
      await call(200, 'POST', '/v1/dev/namespaces/devonly/tables/t', { requirements: [], updates: [{ action: 'set-properties', updates: { on: 'dev' } }] });
      expect((await call(200, 'GET', '/v1/dev/namespaces/devonly/tables/t')).body.metadata.properties.on).toBe('dev');
      expect((await call(200, 'GET', '/v1/dev/namespaces/devonly/tables')).body.identifiers).toEqual([{ namespace: ['devonly'], name: 't' }]);
      await call(404, 'GET', '/v1/main/namespaces/devonly/tables/t');
      await call(404, 'GET', '/v1/nobranch/namespaces');
      await call(400, 'GET', '/v1/bad..name/namespaces');
    });

    it('refuses writes through a tag with 400 and serves reads through it', async () => {
      const main = await h.store.getReference('main');
      expect((await h.request('POST', '/api/v2/trees?name=release&type=TAG', { type: 'BRANCH', name: 'main', hash: main.hash })).status).toBe(200);
      await call(200, 'GET', '/v1/release/namespaces');
      await call(200, 'GET', '/v1/release/namespaces/db/tables/events');
      expect((await call(400, 'POST', '/v1/release/namespaces', { namespace: ['x'] })).body.error.message).toMatch(/read-only/);
      await call(400, 'POST', '/v1/release/namespaces/db/tables/events', { requirements: [], updates: [] });
      await call(400, 'DELETE', '/v1/release/namespaces/db/tables/events');
    });
  });
});
