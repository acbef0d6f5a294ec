import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMA, stagedCreateUpdates, viewVersion as requestViewVersion } from './requests.js';
import { createHarness, type Harness } from './harness.js';

const BIG_ID = '9223372036854775807'; // 2^63 - 1: must survive every hop digit for digit
const BIG_ID_2 = '7777777777777777777';


function appendSnapshot(snapshotId: string, parent: string | null, seq: number, branch = 'main'): string {
  const parentPart = parent ? `"parent-snapshot-id":${parent},` : '';
  return `{"requirements":[{"type":"assert-ref-snapshot-id","ref":"${branch}","snapshot-id":${parent ?? 'null'}}],
    "updates":[{"action":"add-snapshot","snapshot":{"snapshot-id":${snapshotId},${parentPart}"sequence-number":${seq},
      "timestamp-ms":${1_700_000_000_000 + seq},"manifest-list":"s3://b/m/snap-${snapshotId}.avro",
      "summary":{"operation":"append","added-data-files":"1"},"schema-id":0}},
      {"action":"set-snapshot-ref","ref-name":"${branch}","type":"branch","snapshot-id":${snapshotId}}]}`;
}

describe('Iceberg REST API', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  const createTable = (ns: string, name: string, extra: Record<string, unknown> = {}, prefix = '') =>
    h.request('POST', `/v1${prefix}/namespaces/${ns}/tables`, { name, schema: SCHEMA, ...extra });

  describe('config', () => {
    it('advertises endpoints and pins the default branch as prefix', async () => {
      const r = await h.request('GET', '/v1/config');
      expect(r.status).toBe(200);
      expect(r.body.overrides.prefix).toBe('main');
      expect(r.body.endpoints).toContain('POST /v1/{prefix}/transactions/commit');
      expect(r.body.endpoints).toContain('GET /v1/{prefix}/namespaces/{namespace}/views/{view}');
      expect(r.body['idempotency-key-lifetime']).toBe('PT30M');
    });

    it('maps a warehouse that names a branch to that prefix, and a location to the default branch', async () => {
      const main = await h.store.getReference('main');
      await h.store.createReference('cfg-dev', 'BRANCH', main.hash);
      expect((await h.request('GET', '/v1/config?warehouse=cfg-dev')).body.overrides.prefix).toBe('cfg-dev');
      expect((await h.request('GET', '/v1/config?warehouse=s3://bucket/wh')).body.overrides.prefix).toBe('main');
      const missing = await h.request('GET', '/v1/config?warehouse=nope');
      expect(missing.status).toBe(404);
      expect(missing.body.error.message).toMatch(/no branch or tag named 'nope'.*main/);
    });
  });

  describe('namespaces', () => {
    it('creates, loads, checks and lists namespaces, nested ones by parent', async () => {
      expect((await h.request('POST', '/v1/namespaces', { namespace: ['ns1'], properties: { owner: 'ann' } })).status).toBe(200);
      expect((await h.request('POST', '/v1/main/namespaces', { namespace: ['ns1', 'child'] })).status).toBe(200);
      const loaded = await h.request('GET', '/v1/namespaces/ns1');
      // No location set: the namespace reports its default folder in the warehouse.
      expect(loaded.body).toEqual({ namespace: ['ns1'], properties: { owner: 'ann', location: `${h.deps.warehouse}/ns1` } });
      const nested = await h.request('GET', '/v1/namespaces/ns1%1Fchild');
      expect(nested.body.properties).toEqual({ location: `${h.deps.warehouse}/ns1/child` });
      expect((await h.request('POST', '/v1/namespaces', { namespace: ['placed'], properties: { location: 's3://elsewhere/p' } })).status).toBe(200);
      expect((await h.request('GET', '/v1/namespaces/placed')).body.properties).toEqual({ location: 's3://elsewhere/p' });
      expect((await h.request('HEAD', '/v1/namespaces/ns1%1Fchild')).status).toBe(204);
      expect((await h.request('HEAD', '/v1/namespaces/nope')).status).toBe(404);
      const top = await h.request('GET', '/v1/namespaces');
      expect(top.body.namespaces).toContainEqual(['ns1']);
      expect(top.body.namespaces).not.toContainEqual(['ns1', 'child']);
      const children = await h.request('GET', '/v1/namespaces?parent=ns1');
      expect(children.body.namespaces).toEqual([['ns1', 'child']]);
    });

    it('rejects duplicates with 409 and unknown namespaces with 404 in the Iceberg error shape', async () => {
      await h.request('POST', '/v1/namespaces', { namespace: ['dup'] });
      const again = await h.request('POST', '/v1/namespaces', { namespace: ['dup'] });
      expect(again.status).toBe(409);
      expect(again.body.error).toMatchObject({ type: 'AlreadyExistsException', code: 409 });
      const missing = await h.request('GET', '/v1/namespaces/none');
      expect(missing.status).toBe(404);
      expect(missing.body.error).toMatchObject({ type: 'NoSuchNamespaceException', code: 404 });
      expect((await h.request('GET', '/v1/namespaces?parent=none')).status).toBe(404);
    });

    it('pages namespace listings with pageToken/pageSize', async () => {
      for (const n of ['p1', 'p2', 'p3', 'p4', 'p5']) await h.request('POST', '/v1/namespaces', { namespace: ['paged', n] });
      await h.request('POST', '/v1/namespaces', { namespace: ['paged'] });
      const seen: string[][] = [];
      let token: string | null = '';
      for (let i = 0; i < 10 && token !== null; i++) {
        const r = await h.request('GET', `/v1/namespaces?parent=paged&pageSize=2&pageToken=${encodeURIComponent(token)}`);
        expect(r.status).toBe(200);
        expect(r.body.namespaces.length).toBeLessThanOrEqual(2);
        seen.push(...r.body.namespaces);
        token = r.body['next-page-token'];
      }
      expect(seen.map((n) => n[1])).toEqual(['p1', 'p2', 'p3', 'p4', 'p5']);
      expect((await h.request('GET', '/v1/namespaces?pageSize=0')).status).toBe(400);
    });

    it('updates properties and reports updated/removed/missing; 422 when a key is both set and removed', async () => {
      await h.request('POST', '/v1/namespaces', { namespace: ['props'], properties: { a: '1', b: '2' } });
      const r = await h.request('POST', '/v1/namespaces/props/properties', { removals: ['a', 'zz'], updates: { c: '3' } });
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ updated: ['c'], removed: ['a'], missing: ['zz'] });
      expect((await h.request('GET', '/v1/namespaces/props')).body.properties).toEqual({ b: '2', c: '3', location: `${h.deps.warehouse}/props` });
      const bad = await h.request('POST', '/v1/namespaces/props/properties', { removals: ['b'], updates: { b: 'x' } });
      expect(bad.status).toBe(422);
      expect((await h.request('GET', '/v1/namespaces/props')).body.properties).toEqual({ b: '2', c: '3', location: `${h.deps.warehouse}/props` });
    });

    it('refuses to drop a namespace that is not empty, then drops it when empty', async () => {
      await h.request('POST', '/v1/namespaces', { namespace: ['dropme'] });
      await createTable('dropme', 't');
      const busy = await h.request('DELETE', '/v1/namespaces/dropme');
      expect(busy.status).toBe(409);
      expect(busy.body.error.type).toBe('NamespaceNotEmptyException');
      expect((await h.request('DELETE', '/v1/namespaces/dropme/tables/t')).status).toBe(204);
      expect((await h.request('DELETE', '/v1/namespaces/dropme')).status).toBe(204);
      expect((await h.request('DELETE', '/v1/namespaces/dropme')).status).toBe(404);
    });

    it('answers malformed bodies with 400, never 500', async () => {
      for (const body of ['{', '[]', '{"namespace":"x"}', '{"namespace":[]}', '{"namespace":["a"],"properties":{"k":1}}']) {
        const r = await h.request('POST', '/v1/namespaces', body);
        expect(r.status, body).toBe(400);
        expect(r.body.error.code).toBe(400);
      }
    });
  });

  describe('tables', () => {
    beforeAll(async () => {
      await h.request('POST', '/v1/namespaces', { namespace: ['db'] });
      await h.request('POST', '/v1/namespaces', { namespace: ['other'] });
    });

    it('creates a table, writes metadata.json, and loads it byte for byte', async () => {
      const created = await createTable('db', 'events', { properties: { owner: 'ann' } });
      expect(created.status).toBe(200);
      expect(created.body['metadata-location']).toMatch(/\/metadata\/00000-[0-9a-f-]+\.metadata\.json$/);
      expect(created.body.metadata['format-version']).toBe(2);
      expect(created.body.metadata.properties.owner).toBe('ann');
      const file = await h.objects.readText(created.body['metadata-location']);
      const loaded = await h.request('GET', '/v1/namespaces/db/tables/events');
      expect(loaded.status).toBe(200);
      expect(loaded.text).toContain(`"metadata":${file}`);
      expect((await h.request('HEAD', '/v1/namespaces/db/tables/events')).status).toBe(204);
      expect((await createTable('db', 'events')).status).toBe(409);
    });

    it('commits snapshots with 63-bit ids exactly, and serves them back digit for digit', async () => {
      await createTable('db', 'big');
      const first = await h.request('POST', '/v1/namespaces/db/tables/big', appendSnapshot(BIG_ID, null, 1));
      expect(first.status).toBe(200);
      expect(first.text).toContain(`"current-snapshot-id":${BIG_ID}`);
      const second = await h.request('POST', '/v1/namespaces/db/tables/big', appendSnapshot(BIG_ID_2, BIG_ID, 2));
      expect(second.status).toBe(200);
      const loaded = await h.request('GET', '/v1/namespaces/db/tables/big');
      expect(loaded.text).toContain(`"snapshot-id":${BIG_ID}`);
      expect(loaded.text).toContain(`"parent-snapshot-id":${BIG_ID}`);
      expect(loaded.text).toContain(`"current-snapshot-id":${BIG_ID_2}`);
      expect(loaded.body.metadata['current-snapshot-id']).toBe(BigInt(BIG_ID_2));
      expect(loaded.body.metadata['metadata-log']).toHaveLength(2);
      expect(loaded.body['metadata-location']).toMatch(/\/00002-/);
    });

    it('fails a commit whose requirement does not hold with 409 CommitFailedException and changes nothing', async () => {
      await createTable('db', 'req');
      const before = await h.request('GET', '/v1/namespaces/db/tables/req');
      const r = await h.request(
        'POST',
        '/v1/namespaces/db/tables/req',
        '{"requirements":[{"type":"assert-table-uuid","uuid":"00000000-0000-0000-0000-000000000000"}],"updates":[{"action":"set-properties","updates":{"x":"y"}}]}',
      );
      expect(r.status).toBe(409);
      expect(r.body.error.type).toBe('CommitFailedException');
      expect(r.body.error.message).toMatch(/^Requirement failed: UUID does not match/);
      const after = await h.request('GET', '/v1/namespaces/db/tables/req');
      expect(after.text).toBe(before.text);
    });

    it('rejects unknown update actions and invalid updates with 400', async () => {
      await createTable('db', 'bad');
      const unknown = await h.request('POST', '/v1/namespaces/db/tables/bad', { requirements: [], updates: [{ action: 'explode' }] });
      expect(unknown.status).toBe(400);
      const invalid = await h.request('POST', '/v1/namespaces/db/tables/bad', {
        requirements: [],
        updates: [{ action: 'set-current-schema', 'schema-id': 42 }],
      });
      expect(invalid.status).toBe(400);
      const missing = await h.request('POST', '/v1/namespaces/db/tables/none', { requirements: [], updates: [] });
      expect(missing.status).toBe(404);
      expect(missing.body.error.type).toBe('NoSuchTableException');
    });

    it('serves ETags and answers If-None-Match with 304; refs mode gets a different ETag', async () => {
      await createTable('db', 'etag');
      const a = await h.request('GET', '/v1/namespaces/db/tables/etag');
      const etag = a.headers.get('etag');
      expect(etag).toBeTruthy();
      expect((await h.request('GET', '/v1/namespaces/db/tables/etag', undefined, { 'if-none-match': etag! })).status).toBe(304);
      const refs = await h.request('GET', '/v1/namespaces/db/tables/etag?snapshots=refs');
      expect(refs.headers.get('etag')).not.toBe(etag);
      await h.request('POST', '/v1/namespaces/db/tables/etag', appendSnapshot('11', null, 1));
      const b = await h.request('GET', '/v1/namespaces/db/tables/etag', undefined, { 'if-none-match': etag! });
      expect(b.status).toBe(200);
      expect((await h.request('GET', '/v1/namespaces/db/tables/etag?snapshots=bogus')).status).toBe(400);
    });

    it('returns only referenced snapshots with snapshots=refs', async () => {
      await createTable('db', 'refs');
      await h.request('POST', '/v1/namespaces/db/tables/refs', appendSnapshot('1', null, 1));
      await h.request('POST', '/v1/namespaces/db/tables/refs', appendSnapshot('2', '1', 2));
      const all = await h.request('GET', '/v1/namespaces/db/tables/refs');
      expect(all.body.metadata.snapshots).toHaveLength(2);
      const refs = await h.request('GET', '/v1/namespaces/db/tables/refs?snapshots=refs');
      expect(refs.body.metadata.snapshots.map((s: any) => Number(s['snapshot-id']))).toEqual([2]);
    });

    it('lists tables with paging and renames across namespaces keeping the metadata', async () => {
      for (const t of ['l1', 'l2', 'l3']) await createTable('other', t);
      const page = await h.request('GET', '/v1/namespaces/other/tables?pageSize=2');
      expect(page.body.identifiers).toHaveLength(2);
      expect(page.body['next-page-token']).toBeTruthy();
      const rest = await h.request('GET', `/v1/namespaces/other/tables?pageSize=2&pageToken=${encodeURIComponent(page.body['next-page-token'])}`);
      expect(rest.body.identifiers).toEqual([{ namespace: ['other'], name: 'l3' }]);
      const before = await h.request('GET', '/v1/namespaces/other/tables/l1');
      const renamed = await h.request('POST', '/v1/tables/rename', {
        source: { namespace: ['other'], name: 'l1' },
        destination: { namespace: ['db'], name: 'moved' },
      });
      expect(renamed.status).toBe(204);
      expect((await h.request('HEAD', '/v1/namespaces/other/tables/l1')).status).toBe(404);
      const after = await h.request('GET', '/v1/namespaces/db/tables/moved');
      expect(after.body['metadata-location']).toBe(before.body['metadata-location']);
      const clash = await h.request('POST', '/v1/tables/rename', {
        source: { namespace: ['other'], name: 'l2' },
        destination: { namespace: ['db'], name: 'moved' },
      });
      expect(clash.status).toBe(409);
      const noNs = await h.request('POST', '/v1/tables/rename', {
        source: { namespace: ['other'], name: 'l2' },
        destination: { namespace: ['ghost'], name: 'x' },
      });
      expect(noNs.status).toBe(404);
      expect(noNs.body.error.type).toBe('NoSuchNamespaceException');
      const noSrc = await h.request('POST', '/v1/tables/rename', {
        source: { namespace: ['other'], name: 'ghost' },
        destination: { namespace: ['db'], name: 'x' },
      });
      expect(noSrc.status).toBe(404);
    });

    it('stages a create and commits it with assert-create', async () => {
      const staged = await createTable('db', 'staged', { 'stage-create': true });
      expect(staged.status).toBe(200);
      expect(staged.body['metadata-location']).toBeUndefined();
      expect((await h.request('HEAD', '/v1/namespaces/db/tables/staged')).status).toBe(404);
      const m = staged.body.metadata;
      const commit = await h.request('POST', '/v1/namespaces/db/tables/staged', {
        requirements: [{ type: 'assert-create' }],
        updates: [...stagedCreateUpdates(m), { action: 'set-properties', updates: { staged: 'yes' } }],
      });
      expect(commit.status).toBe(200);
      const loaded = await h.request('GET', '/v1/namespaces/db/tables/staged');
      expect(loaded.body.metadata['table-uuid']).toBe(m['table-uuid']);
      expect(loaded.body.metadata.properties.staged).toBe('yes');
      const again = await h.request('POST', '/v1/namespaces/db/tables/staged', { requirements: [{ type: 'assert-create' }], updates: [] });
      expect(again.status).toBe(409);
    });

    it('registers a table from an existing metadata.json and unregisters it', async () => {
      const src = await createTable('db', 'source');
      const location = src.body['metadata-location'];
      const reg = await h.request('POST', '/v1/namespaces/other/register', { name: 'copy', 'metadata-location': location });
      expect(reg.status).toBe(200);
      expect(reg.body['metadata-location']).toBe(location);
      expect((await h.request('POST', '/v1/namespaces/other/register', { name: 'copy', 'metadata-location': location })).status).toBe(409);
      const missing = await h.request('POST', '/v1/namespaces/other/register', { name: 'x', 'metadata-location': `${location}.missing` });
      expect(missing.status).toBe(404);
      const un = await h.request('POST', '/v1/namespaces/other/tables/copy/unregister');
      expect(un.status).toBe(200);
      expect(un.body['metadata-location']).toBe(location);
      expect((await h.request('HEAD', '/v1/namespaces/other/tables/copy')).status).toBe(404);
      expect(await h.objects.exists(location)).toBe(true);
    });

    it('registers a table from a gzip-compressed .gz.metadata.json, and refuses one that is not metadata', async () => {
      const src = await createTable('db', 'gzsource');
      const text = new TextDecoder().decode(await h.objects.read(src.body['metadata-location']));
      const gz = src.body['metadata-location'].replace(/\.metadata\.json$/, '.gz.metadata.json');
      await h.objects.write(gz, gzipSync(Buffer.from(text)));
      const reg = await h.request('POST', '/v1/namespaces/other/register', { name: 'gzcopy', 'metadata-location': gz });
      expect(reg.status).toBe(200);
      expect(reg.body['metadata-location']).toBe(gz);
      expect(reg.body.metadata['table-uuid']).toBe(src.body.metadata['table-uuid']);
      const junk = src.body['metadata-location'].replace(/\.metadata\.json$/, '.junk.metadata.json');
      await h.objects.write(junk, gzipSync(Buffer.from('not json')));
      const bad = await h.request('POST', '/v1/namespaces/other/register', { name: 'junk', 'metadata-location': junk });
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toMatch(/^Invalid table metadata in /);
    });

    it('accepts metrics reports and serves credentials for existing tables', async () => {
      await createTable('db', 'metrics');
      const ok = await h.request('POST', '/v1/namespaces/db/tables/metrics/metrics', { 'report-type': 'scan-report', 'table-name': 'db.metrics' });
      expect(ok.status).toBe(204);
      expect(h.app.metrics.counter('lakecat_metrics_reports_total', { type: 'scan-report' })).toBeGreaterThan(0);
      expect((await h.request('POST', '/v1/namespaces/db/tables/metrics/metrics', { 'report-type': 'nope' })).status).toBe(400);
      const creds = await h.request('GET', '/v1/namespaces/db/tables/metrics/credentials');
      expect(creds.status).toBe(200);
      expect(creds.body['storage-credentials']).toEqual([]);
      expect((await h.request('GET', '/v1/namespaces/db/tables/none/credentials')).status).toBe(404);
    });

    it('replays the response of a repeated Idempotency-Key without applying twice', async () => {
      await createTable('db', 'idem');
      const key = '017f22e2-79b0-7cc3-98c4-dc0c0c07398f';
      const body = appendSnapshot('21', null, 1);
      const first = await h.request('POST', '/v1/namespaces/db/tables/idem', body, { 'idempotency-key': key });
      const second = await h.request('POST', '/v1/namespaces/db/tables/idem', body, { 'idempotency-key': key });
      expect(first.status).toBe(200);
      expect(second.status).toBe(200);
      expect(second.text).toBe(first.text);
      const loaded = await h.request('GET', '/v1/namespaces/db/tables/idem');
      expect(loaded.body.metadata.snapshots).toHaveLength(1);
      const other = await h.request('POST', '/v1/namespaces/db/tables/idem', appendSnapshot('22', '21', 2), { 'idempotency-key': key });
      expect(other.status).toBe(400);
      expect(other.body.error.message).toContain('already used for a different request');
    });
  });

  describe('concurrent commits to one table', () => {
    beforeAll(async () => {
      await h.request('POST', '/v1/namespaces', { namespace: ['conc'] });
    });

    it('retries server-side so that commits whose requirements still hold all succeed', async () => {
      await createTable('conc', 'props');
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          h.request('POST', '/v1/namespaces/conc/tables/props', { requirements: [], updates: [{ action: 'set-properties', updates: { [`k${i}`]: String(i) } }] }),
        ),
      );
      expect(results.map((r) => r.status)).toEqual(Array(12).fill(200));
      const props = (await h.request('GET', '/v1/namespaces/conc/tables/props')).body.metadata.properties;
      for (let i = 0; i < 12; i++) expect(props[`k${i}`]).toBe(String(i));
    });

    it('lets exactly one of several appends on the same parent win; the others get 409', async () => {
      await createTable('conc', 'race');
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) => h.request('POST', '/v1/namespaces/conc/tables/race', appendSnapshot(String(100 + i), null, 1))),
      );
      const statuses = results.map((r) => r.status).sort();
      expect(statuses.filter((s) => s === 200)).toHaveLength(1);
      expect(statuses.filter((s) => s === 409)).toHaveLength(7);
      for (const r of results.filter((x) => x.status === 409)) expect(r.body.error.type).toBe('CommitFailedException');
      expect((await h.request('GET', '/v1/namespaces/conc/tables/race')).body.metadata.snapshots).toHaveLength(1);
    });

    it('refuses to create a table in a namespace that does not exist', async () => {
      const r = await createTable('ghost_ns', 't');
      expect(r.status).toBe(404);
      expect(r.body.error.type).toBe('NoSuchNamespaceException');
    });
  });

  describe('multi-table transactions', () => {
    beforeAll(async () => {
      await h.request('POST', '/v1/namespaces', { namespace: ['tx'] });
      await createTable('tx', 'a');
      await createTable('tx', 'b');
    });

    it('commits changes to several tables as one catalog commit', async () => {
      const head = await h.store.getReference('main');
      const r = await h.request('POST', '/v1/transactions/commit', {
        'table-changes': [
          { identifier: { namespace: ['tx'], name: 'a' }, requirements: [], updates: [{ action: 'set-properties', updates: { k: 'a' } }] },
          { identifier: { namespace: ['tx'], name: 'b' }, requirements: [], updates: [{ action: 'set-properties', updates: { k: 'b' } }] },
        ],
      });
      expect(r.status).toBe(204);
      const log = await h.store.log((await h.store.getReference('main')).hash, { untilHash: head.hash });
      const newCommits = log.items.filter((c) => c.hash !== head.hash);
      expect(newCommits).toHaveLength(1);
      expect((await h.request('GET', '/v1/namespaces/tx/tables/a')).body.metadata.properties.k).toBe('a');
      expect((await h.request('GET', '/v1/namespaces/tx/tables/b')).body.metadata.properties.k).toBe('b');
    });

    it('applies nothing when one requirement fails', async () => {
      const a = await h.request('GET', '/v1/namespaces/tx/tables/a');
      const r = await h.request('POST', '/v1/transactions/commit', {
        'table-changes': [
          { identifier: { namespace: ['tx'], name: 'a' }, requirements: [], updates: [{ action: 'set-properties', updates: { k: 'changed' } }] },
          {
            identifier: { namespace: ['tx'], name: 'b' },
            requirements: [{ type: 'assert-current-schema-id', 'current-schema-id': 99 }],
            updates: [{ action: 'set-properties', updates: { k: 'changed' } }],
          },
        ],
      });
      expect(r.status).toBe(409);
      const after = await h.request('GET', '/v1/namespaces/tx/tables/a');
      expect(after.text).toBe(a.text);
    });
  });

  describe('views', () => {
    const viewVersion = (sql: string) => requestViewVersion(sql, 'vw');

    beforeAll(async () => {
      await h.request('POST', '/v1/namespaces', { namespace: ['vw'] });
    });

    it('creates, loads, lists, replaces, renames and drops a view', async () => {
      const created = await h.request('POST', '/v1/namespaces/vw/views', { name: 'v1', schema: SCHEMA, 'view-version': viewVersion('select 1'), properties: {} });
      expect(created.status).toBe(200);
      expect(created.body.metadata['current-version-id']).toBe(1);
      expect((await h.request('HEAD', '/v1/namespaces/vw/views/v1')).status).toBe(204);
      expect((await h.request('GET', '/v1/namespaces/vw/views')).body.identifiers).toEqual([{ namespace: ['vw'], name: 'v1' }]);
      expect((await h.request('GET', '/v1/namespaces/vw/tables')).body.identifiers).toEqual([]);
      const replaced = await h.request('POST', '/v1/namespaces/vw/views/v1', {
        requirements: [{ type: 'assert-view-uuid', uuid: created.body.metadata['view-uuid'] }],
        updates: [
          { action: 'add-view-version', 'view-version': { ...viewVersion('select 2'), 'version-id': 2 } },
          { action: 'set-current-view-version', 'view-version-id': -1 },
        ],
      });
      expect(replaced.status).toBe(200);
      expect(replaced.body.metadata['current-version-id']).toBe(2);
      const wrongUuid = await h.request('POST', '/v1/namespaces/vw/views/v1', {
        requirements: [{ type: 'assert-view-uuid', uuid: '00000000-0000-0000-0000-000000000000' }],
        updates: [],
      });
      expect(wrongUuid.status).toBe(409);
      expect((await h.request('POST', '/v1/views/rename', { source: { namespace: ['vw'], name: 'v1' }, destination: { namespace: ['vw'], name: 'v2' } })).status).toBe(204);
      expect((await h.request('GET', '/v1/namespaces/vw/views/v1')).body.error.type).toBe('NoSuchViewException');
      const reg = await h.request('POST', '/v1/namespaces/vw/register-view', { name: 'v3', 'metadata-location': replaced.body['metadata-location'] });
      expect(reg.status).toBe(200);
      expect((await h.request('DELETE', '/v1/namespaces/vw/views/v2')).status).toBe(204);
      expect((await h.request('DELETE', '/v1/namespaces/vw/views/v2')).status).toBe(404);
    });

    it('keeps tables and views in one name space per namespace', async () => {
      await createTable('vw', 'taken');
      const r = await h.request('POST', '/v1/namespaces/vw/views', { name: 'taken', schema: SCHEMA, 'view-version': viewVersion('select 1') });
      expect(r.status).toBe(409);
    });
  });

  describe('branches through the prefix', () => {
    it('commits on dev without changing main, and reads either side by prefix', async () => {
      await h.request('POST', '/v1/namespaces', { namespace: ['br'] });
      await createTable('br', 't');
      const main = await h.store.getReference('main');
      await h.store.createReference('dev', 'BRANCH', main.hash);
      const onDev = await h.request('POST', '/v1/dev/namespaces/br/tables/t', appendSnapshot(BIG_ID, null, 1));
      expect(onDev.status).toBe(200);
      const devView = await h.request('GET', '/v1/dev/namespaces/br/tables/t');
      expect(devView.text).toContain(`"current-snapshot-id":${BIG_ID}`);
      const mainView = await h.request('GET', '/v1/main/namespaces/br/tables/t');
      expect(mainView.body.metadata.snapshots).toHaveLength(0);
      expect((await h.request('GET', '/v1/namespaces/br/tables/t')).text).toBe(mainView.text);
      await createTable('br', 'only_dev', {}, '/dev');
      expect((await h.request('HEAD', '/v1/dev/namespaces/br/tables/only_dev')).status).toBe(204);
      expect((await h.request('HEAD', '/v1/namespaces/br/tables/only_dev')).status).toBe(404);
    });

    it('reads a tag, a commit hash and a point in time, and refuses writes to them', async () => {
      await h.request('POST', '/v1/namespaces', { namespace: ['ro'] });
      await createTable('ro', 't');
      const head = await h.store.getReference('main');
      await h.store.createReference('v1', 'TAG', head.hash);
      const beforeMs = Date.now();
      await new Promise((r) => setTimeout(r, 5));
      await createTable('ro', 'later');
      for (const prefix of ['v1', `main@${head.hash}`, `main*${beforeMs}`]) {
        const p = encodeURIComponent(prefix);
        expect((await h.request('HEAD', `/v1/${p}/namespaces/ro/tables/t`)).status, prefix).toBe(204);
        expect((await h.request('HEAD', `/v1/${p}/namespaces/ro/tables/later`)).status, prefix).toBe(404);
        const write = await h.request('POST', `/v1/${p}/namespaces`, { namespace: ['x'] });
        expect(write.status, prefix).toBe(400);
        expect(write.body.error.message).toMatch(/read-only/);
      }
      expect((await h.request('GET', '/v1/nobranch/namespaces')).status).toBe(404);
      expect((await h.request('GET', '/v1/bad..name/namespaces')).status).toBe(400);
    });
  });

  describe('ops', () => {
    it('reports health, readiness and Prometheus metrics', async () => {
      expect((await h.request('GET', '/health')).status).toBe(200);
      const ready = await h.request('GET', '/ready');
      expect(ready.status).toBe(200);
      expect(ready.body.checks).toEqual({ database: 'UP', objectStore: 'UP' });
      const metrics = await h.request('GET', '/metrics');
      expect(metrics.text).toMatch(/lakecat_http_requests_total\{method="GET",route="\/v1\/config",status="200"\} \d+/);
      expect(metrics.text).toContain('lakecat_http_request_duration_seconds_bucket');
      expect(metrics.text).toMatch(/lakecat_table_commits_total \d+/);
      const rss = Number(/^process_resident_memory_bytes (\d+)$/m.exec(metrics.text)?.[1]);
      expect(rss).toBeGreaterThan(10 * 1024 * 1024);
      expect(metrics.text).toMatch(/^# TYPE nodejs_heap_size_used_bytes gauge\nnodejs_heap_size_used_bytes \d+$/m);
      expect(metrics.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      const echoed = await h.request('GET', '/v1/namespaces/none', undefined, { 'x-request-id': 'req-42' });
      expect(echoed.status).toBe(404);
      expect(echoed.headers.get('x-request-id')).toBe('req-42');
    });
  });
});
