/**
 * Hostile input to the Iceberg REST API: each case answers a definite 4xx in the spec's error
 * shape (never a 5xx, which clients read as "state unknown, retry") and changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './harness.js';

describe('hostile input to the Iceberg REST API', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
    await h.request('POST', '/v1/namespaces', { namespace: ['ns'] });
  });
  afterAll(async () => {
    await h?.close();
  });

  const tables = async () => (await h.request('GET', '/v1/namespaces/ns/tables')).body.identifiers.map((i: { name: string }) => i.name);

  for (const location of ['file:///etc/passwd', 's3://other-bucket/t/metadata/00000-x.metadata.json', 'http://example.com/v1.metadata.json']) {
    it(`refuses to register a table or view from ${location} (outside the served storage) with a 400`, async () => {
      for (const kind of ['register', 'register-view']) {
        const r = await h.request('POST', `/v1/namespaces/ns/${kind}`, { name: 'stolen', 'metadata-location': location });
        expect(r.status).toBe(400);
        expect(r.body.error).toMatchObject({ type: 'BadRequestException', code: 400 });
        expect(r.body.error.message).toContain('outside the storage this catalog serves');
      }
      expect(await tables()).not.toContain('stolen');
    });
  }

  it("refuses namespace and table names '.', '..' and control characters with a 400, creating nothing", async () => {
    const before = (await h.request('GET', '/v1/namespaces')).body.namespaces;
    for (const name of ['.', '..', 'tab\there', 'bell\u0007', 'del\u007f']) {
      const ns = await h.request('POST', '/v1/namespaces', { namespace: [name] });
      expect(ns.status, JSON.stringify(name)).toBe(400);
      expect(ns.body.error.type).toBe('BadRequestException');
      const nested = await h.request('POST', '/v1/namespaces', { namespace: ['ns', name] });
      expect(nested.status).toBe(400);
      const table = await h.request('POST', '/v1/namespaces/ns/tables', { name, schema: { type: 'struct', 'schema-id': 0, fields: [] } });
      expect(table.status).toBe(400);
    }
    expect((await h.request('GET', '/v1/namespaces')).body.namespaces).toEqual(before);
    expect(await tables()).toEqual([]);
  });

  it("refuses '.' and '..' as new content key elements through the Nessie API too", async () => {
    const main = (await h.request('GET', '/api/v2/trees/main')).body.reference;
    for (const element of ['.', '..']) {
      const r = await h.request('POST', `/api/v2/trees/main@${main.hash}/history/commit`, {
        commitMeta: { message: 'hostile' },
        operations: [{ type: 'PUT', key: { elements: ['ns', element] }, content: { type: 'NAMESPACE', elements: ['ns', element] } }],
      });
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({ status: 400, errorCode: 'BAD_REQUEST' });
    }
    expect((await h.request('GET', '/api/v2/trees/main')).body.reference.hash).toBe(main.hash);
  });

  it('refuses a body that is not valid UTF-8 (with and without an Idempotency-Key, and on the Nessie API) instead of storing replacement characters', async () => {
    const before = (await h.request('GET', '/v1/namespaces')).body.namespaces;
    const body = Buffer.concat([Buffer.from('{"namespace": ["'), Buffer.from([0xff, 0xfe]), Buffer.from('"]}')]);
    for (const headers of [{}, { 'idempotency-key': '0190b7a6-5e2a-7cc4-9d0b-1f6c2b3a4d5e' }]) {
      const r = await h.app.hono.request('/v1/namespaces', { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
      expect(r.status).toBe(400);
      expect(((await r.json()) as { error: { message: string } }).error.message).toBe('Malformed request: the body is not valid UTF-8');
    }
    expect((await h.request('GET', '/v1/namespaces')).body.namespaces).toEqual(before);
    const main = (await h.request('GET', '/api/v2/trees/main')).body.reference;
    const nessie = Buffer.concat([
      Buffer.from('{"commitMeta": {"message": "x"}, "operations": [{"type": "PUT", "key": {"elements": ["'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"]}, "content": {"type": "NAMESPACE", "elements": ["x"]}}]}'),
    ]);
    const r = await h.app.hono.request(`/api/v2/trees/main@${main.hash}/history/commit`, { method: 'POST', body: nessie, headers: { 'content-type': 'application/json' } });
    expect(r.status).toBe(400);
    expect((await h.request('GET', '/api/v2/trees/main')).body.reference.hash).toBe(main.hash);
  });

  it('refuses a 10 MB property value on namespaces, tables and views (create, update, commit), changing nothing', async () => {
    const huge = 'x'.repeat(10 * 1024 * 1024);
    const schema = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', required: false, type: 'long' }] };
    const mainBefore = (await h.request('GET', '/api/v2/trees/main')).body.reference.hash;
    const refused = [
      await h.request('POST', '/v1/namespaces', { namespace: ['big'], properties: { note: huge } }),
      await h.request('POST', '/v1/namespaces/ns/properties', { removals: [], updates: { note: huge } }),
      await h.request('POST', '/v1/namespaces/ns/tables', { name: 'big', schema, properties: { note: huge } }),
      await h.request('POST', '/v1/namespaces/ns/views', {
        name: 'bigview',
        schema,
        'view-version': { 'version-id': 1, 'timestamp-ms': 0, 'schema-id': 0, summary: {}, representations: [{ type: 'sql', sql: 'select 1', dialect: 'spark' }], 'default-namespace': ['ns'] },
        properties: { note: huge },
      }),
      await h.request('POST', '/v1/namespaces', { namespace: ['big'], properties: { ['k'.repeat(2_000)]: 'v' } }),
    ];
    for (const r of refused) {
      expect(r.status).toBe(400);
      expect(r.body.error.message).toMatch(/longer than/);
    }
    expect((await h.request('GET', '/api/v2/trees/main')).body.reference.hash).toBe(mainBefore);

    expect((await h.request('POST', '/v1/namespaces/ns/tables', { name: 'small', schema })).status).toBe(200);
    const before = (await h.request('GET', '/v1/namespaces/ns/tables/small')).body['metadata-location'];
    const commit = await h.request('POST', '/v1/namespaces/ns/tables/small', { requirements: [], updates: [{ action: 'set-properties', updates: { note: huge } }] });
    expect(commit.status).toBe(400);
    expect((await h.request('GET', '/v1/namespaces/ns/tables/small')).body['metadata-location']).toBe(before);
    const nessie = await h.request('POST', `/api/v2/trees/main@${(await h.request('GET', '/api/v2/trees/main')).body.reference.hash}/history/commit`, {
      commitMeta: { message: 'hostile' },
      operations: [{ type: 'PUT', key: { elements: ['big2'] }, content: { type: 'NAMESPACE', elements: ['big2'], properties: { note: huge } } }],
    });
    expect(nessie.status).toBe(400);
    expect((await h.request('GET', '/v1/namespaces')).body.namespaces).not.toContainEqual(['big2']);
  });

  it('refuses a body over the limit with a 413 before reading it, creating nothing', async () => {
    const r = await h.request('POST', '/v1/namespaces', { namespace: ['over'], properties: { note: 'x'.repeat(17 * 1024 * 1024) } });
    expect(r.status).toBe(413);
    expect(r.body.error.code).toBe(413);
    expect((await h.request('GET', '/v1/namespaces')).body.namespaces).not.toContainEqual(['over']);
  });

  it('keeps names with /, %2F, %1F, spaces, ? and # and look-alike letters exactly as given, and addressable', async () => {
    const schema = { type: 'struct', 'schema-id': 0, fields: [] };
    const names = ['a/b', 'a%2Fb', 'a%1Fb', 'a b', 'a?b', 'a#b', 'ｏrders', 'оrders', 'é'];
    for (const name of names) {
      const path = encodeURIComponent(name);
      expect((await h.request('POST', '/v1/namespaces', { namespace: [name] })).status, name).toBe(200);
      const ns = await h.request('GET', `/v1/namespaces/${path}`);
      expect(ns.status, name).toBe(200);
      expect(ns.body.namespace).toEqual([name]);
      expect((await h.request('POST', `/v1/namespaces/${path}/tables`, { name, schema })).status, name).toBe(200);
      expect((await h.request('GET', `/v1/namespaces/${path}/tables/${path}`)).status, name).toBe(200);
      expect((await h.request('GET', `/v1/namespaces/${path}/tables`)).body.identifiers).toEqual([{ namespace: [name], name }]);
    }
    // Look-alikes are different names: neither shadows "orders".
    expect((await h.request('GET', '/v1/namespaces/orders')).status).toBe(404);
  });
  it('refuses JSON nested 100,000 deep with a 400 (no stack overflow), on the Iceberg REST and Nessie APIs', async () => {
    const deepArray = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const deepObject = `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`;
    const before = (await h.request('GET', '/v1/namespaces')).body.namespaces;
    const ns = await h.request('POST', '/v1/namespaces', `{"namespace":["deep"],"properties":{"a":${deepArray}}}`);
    expect(ns.status).toBe(400);
    expect(ns.body.error.message).toMatch(/nested too deeply/);
    await h.request('POST', '/v1/namespaces/ns/tables', { name: 'deep', schema: { type: 'struct', 'schema-id': 0, fields: [] } });
    const metadata = (await h.request('GET', '/v1/namespaces/ns/tables/deep')).body['metadata-location'];
    const commit = await h.request('POST', '/v1/namespaces/ns/tables/deep', `{"requirements":[],"updates":[{"action":"set-properties","updates":${deepObject}}]}`);
    expect(commit.status).toBe(400);
    expect((await h.request('GET', '/v1/namespaces/ns/tables/deep')).body['metadata-location']).toBe(metadata);
    const nessie = await h.request('POST', '/api/v2/trees/main/history/commit', `{"commitMeta":${deepObject}}`);
    expect(nessie.status).toBe(400);
    expect(nessie.body).toMatchObject({ errorCode: 'BAD_REQUEST' });
    expect((await h.request('GET', '/v1/namespaces')).body.namespaces).toEqual(before);
  });

  it('refuses forged page tokens and tokens of another listing with a 400, on both APIs', async () => {
    const schema = { type: 'struct', 'schema-id': 0, fields: [] };
    for (const ns of ['pa', 'pb']) {
      await h.request('POST', '/v1/namespaces', { namespace: [ns] });
      for (const t of ['t1', 't2', 't3']) await h.request('POST', `/v1/namespaces/${ns}/tables`, { name: t, schema });
    }
    const tablesOfPa = (await h.request('GET', '/v1/namespaces/pa/tables?pageSize=1')).body['next-page-token'];
    const namespaces = (await h.request('GET', '/v1/namespaces?pageSize=1')).body['next-page-token'];
    expect(tablesOfPa).toBeTruthy();
    expect(namespaces).toBeTruthy();
    // Each token continues its own listing ...
    expect((await h.request('GET', `/v1/namespaces/pa/tables?pageSize=1&pageToken=${encodeURIComponent(tablesOfPa)}`)).status).toBe(200);
    // ... and nothing else.
    const misused = [
      `/v1/namespaces/pb/tables?pageToken=${encodeURIComponent(tablesOfPa)}`,
      `/v1/namespaces/pa/views?pageToken=${encodeURIComponent(tablesOfPa)}`,
      `/v1/namespaces?pageToken=${encodeURIComponent(tablesOfPa)}`,
      `/v1/namespaces/pa/tables?pageToken=${encodeURIComponent(namespaces)}`,
    ];
    const forged = ['garbage!', 'AAAA', Buffer.from('pa\u0000t1').toString('base64url'), Buffer.from('{"x":1}').toString('base64url'), 'x'.repeat(5_000)];
    for (const path of [...misused, ...forged.map((t) => `/v1/namespaces?pageToken=${encodeURIComponent(t)}`), ...forged.map((t) => `/v1/namespaces/pa/tables?pageToken=${encodeURIComponent(t)}`)]) {
      const r = await h.request('GET', path);
      expect(r.status, path).toBe(400);
      expect(r.body.error.type).toBe('BadRequestException');
    }
    const log = (await h.request('GET', '/api/v2/trees/main/history?max-records=1')).body.token;
    const entries = (await h.request('GET', '/api/v2/trees/main/entries?max-records=1')).body.token;
    expect(log).toBeTruthy();
    expect(entries).toBeTruthy();
    const b64 = (s: string) => Buffer.from(s).toString('base64url');
    for (const path of [
      `/api/v2/trees/main/entries?page-token=${log}`,
      `/api/v2/trees/main/history?page-token=${entries}`,
      `/api/v2/trees?page-token=garbage`,
      `/api/v2/trees/main/history?page-token=${b64(b64('log\u0001deadbeef'))}`,
      `/api/v2/trees/main/history?page-token=${b64(b64('deadbeef'))}`,
      `/api/v2/trees/main/entries?page-token=AAAA`,
    ]) {
      const r = await h.request('GET', path);
      expect(r.status, path).toBe(400);
      expect(r.body.errorCode).toBe('BAD_REQUEST');
    }
  });

  it('refuses a pageSize that is not a positive integer and caps a huge one', async () => {
    for (const size of ['-1', '0', '1e3', '0x10', 'abc', '1.5']) {
      const r = await h.request('GET', `/v1/namespaces?pageSize=${size}`);
      expect(r.status, size).toBe(400);
    }
    for (const size of ['99999999999999999999', '2147483648']) {
      const r = await h.request('GET', `/v1/namespaces/ns/tables?pageSize=${size}`);
      expect(r.status, size).toBe(200);
    }
  });

  it('refuses more than 1,000 requirements or updates for one table or view in one commit, changing nothing', async () => {
    const schema = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', required: false, type: 'long' }] };
    await h.request('POST', '/v1/namespaces/ns/tables', { name: 'many', schema });
    const before = (await h.request('GET', '/v1/namespaces/ns/tables/many')).body['metadata-location'];
    const orders = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ action: 'add-sort-order', 'sort-order': { 'order-id': i + 1, fields: [{ 'source-id': 1, transform: `bucket[${i + 2}]`, direction: 'asc', 'null-order': 'nulls-first' }] } }));
    const tooMany = [
      await h.request('POST', '/v1/namespaces/ns/tables/many', { requirements: [], updates: orders(10_000) }),
      await h.request('POST', '/v1/namespaces/ns/tables/many', { requirements: Array(10_000).fill({ type: 'assert-create' }), updates: [] }),
      await h.request('POST', '/v1/transactions/commit', { 'table-changes': [{ identifier: { namespace: ['ns'], name: 'many' }, requirements: [], updates: orders(1_001) }] }),
      await h.request('POST', '/v1/namespaces/ns/views/none', { requirements: [], updates: Array(1_001).fill({ action: 'remove-properties', removals: ['x'] }) }),
    ];
    for (const r of tooMany) {
      expect(r.status).toBe(400);
      expect(r.body.error.message).toMatch(/Too many (updates|requirements) for ns\.(many|none): 1[0-9,]+, at most 1000 in one commit/);
    }
    expect((await h.request('GET', '/v1/namespaces/ns/tables/many')).body['metadata-location']).toBe(before);
    // 1,000 is accepted.
    expect((await h.request('POST', '/v1/namespaces/ns/tables/many', { requirements: [], updates: orders(1_000) })).status).toBe(200);
  });

  it("refuses table locations with '.' or '..' segments (create, set-location, register), changing nothing", async () => {
    const schema = { type: 'struct', 'schema-id': 0, fields: [] };
    await h.request('POST', '/v1/namespaces/ns/tables', { name: 'dots', schema });
    const loaded = (await h.request('GET', '/v1/namespaces/ns/tables/dots')).body;
    const location: string = loaded.metadata.location;
    for (const bad of [`${location}/../other`, `${location}/./x`, `${location}/../x/../dots`]) {
      const create = await h.request('POST', '/v1/namespaces/ns/tables', { name: 'dots2', schema, location: bad });
      expect(create.status, bad).toBe(400);
      expect(create.body.error.message).toContain("'.' and '..' are not allowed");
      const move = await h.request('POST', '/v1/namespaces/ns/tables/dots', { requirements: [], updates: [{ action: 'set-location', location: bad }] });
      expect(move.status, bad).toBe(400);
    }
    const register = await h.request('POST', '/v1/namespaces/ns/register', { name: 'dots3', 'metadata-location': `${location}/metadata/../${loaded['metadata-location'].split('/').slice(-2).join('/')}` });
    expect(register.status).toBe(400);
    expect(await tables()).not.toContain('dots2');
    expect(await tables()).not.toContain('dots3');
    expect((await h.request('GET', '/v1/namespaces/ns/tables/dots')).body['metadata-location']).toBe(loaded['metadata-location']);
  });
  it('refuses a table location at, inside or around another table’s (create, register, set-location), unless an operator allows it', async () => {
    const schema = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', required: false, type: 'long' }] };
    await h.request('POST', '/v1/namespaces', { namespace: ['loc'] });
    await h.request('POST', '/v1/namespaces/loc/tables', { name: 'first', schema });
    const first = (await h.request('GET', '/v1/namespaces/loc/tables/first')).body;
    const location: string = first.metadata.location;
    const listed = async () => (await h.request('GET', '/v1/namespaces/loc/tables')).body.identifiers.map((i: { name: string }) => i.name);

    for (const [where, bad] of [['is the location of', location], ['is inside the location of', `${location}/inner`], ['contains the location of', location.slice(0, location.lastIndexOf('/'))]]) {
      const r = await h.request('POST', '/v1/namespaces/loc/tables', { name: 'second', schema, location: bad });
      expect(r.status, bad).toBe(400);
      expect(r.body.error.message).toContain(`it ${where} table loc.first`);
      expect(r.body.error.message).toContain("on 'main'");
    }
    // A sibling whose name merely starts the same is another place.
    expect((await h.request('POST', '/v1/namespaces/loc/tables', { name: 'sibling', schema, location: `${location}-sibling` })).status).toBe(200);
    // Moving a table into another's location is refused too, and changes nothing.
    const sibling = (await h.request('GET', '/v1/namespaces/loc/tables/sibling')).body['metadata-location'];
    const move = await h.request('POST', '/v1/namespaces/loc/tables/sibling', { requirements: [], updates: [{ action: 'set-location', location: `${location}/moved` }] });
    expect(move.status).toBe(400);
    expect((await h.request('GET', '/v1/namespaces/loc/tables/sibling')).body['metadata-location']).toBe(sibling);
    // Registering the same table (same table-uuid) under another name shares its location: allowed.
    expect((await h.request('POST', '/v1/namespaces/loc/register', { name: 'again', 'metadata-location': first['metadata-location'] })).status).toBe(200);
    expect(await listed()).toEqual(expect.arrayContaining(['first', 'sibling', 'again']));
    expect(await listed()).not.toContain('second');

    // The same table on another branch keeps its location; a branch is not another table.
    const main = (await h.request('GET', '/api/v2/trees/main')).body.reference;
    expect((await h.request('POST', '/api/v2/trees?name=locdev&type=BRANCH', { type: 'BRANCH', name: 'main', hash: main.hash })).status).toBe(200);
    expect((await h.request('POST', '/v1/locdev/namespaces/loc/tables/first', { requirements: [], updates: [{ action: 'set-properties', updates: { a: 'b' } }] })).status).toBe(200);

    // Dropped here, the table still lives on `locdev`: its location stays taken, for any name.
    expect((await h.request('DELETE', '/v1/namespaces/loc/tables/again')).status).toBe(204);
    expect((await h.request('DELETE', '/v1/namespaces/loc/tables/first')).status).toBe(204);
    for (const name of ['third', 'first']) {
      const stillTaken = await h.request('POST', '/v1/namespaces/loc/tables', { name, schema, location });
      expect(stillTaken.status, name).toBe(400);
      expect(stillTaken.body.error.message).toContain("on 'locdev'");
    }
    // Gone everywhere, it is free again (here for the same name at once, as engines drop and re-create).
    const dev = (await h.request('GET', '/api/v2/trees/locdev')).body.reference;
    expect((await h.request('DELETE', `/api/v2/trees/locdev@${dev.hash}`)).status).toBe(200);
    expect((await h.request('POST', '/v1/namespaces/loc/tables', { name: 'again', schema, location })).status).toBe(200);

    // An operator may allow overlapping locations.
    h.deps.allowOverlappingLocations = true;
    try {
      expect((await h.request('POST', '/v1/namespaces/loc/tables', { name: 'fourth', schema, location: `${location}/inside` })).status).toBe(200);
    } finally {
      h.deps.allowOverlappingLocations = undefined;
    }
  });
  it("refuses branch and tag names with '..', control characters, '%', spaces or look-alike letters with a 400, creating nothing", async () => {
    const main = (await h.request('GET', '/api/v2/trees/main')).body.reference;
    const before = (await h.request('GET', '/api/v2/trees')).body.references.map((r: { name: string }) => r.name);
    for (const name of ['..', 'a..b', 'a/../b', 'tab\there', 'nul\u0000x', 'a%2Fb', 'a b', 'оrders', 'ends/', 'ends.', '/lead']) {
      for (const type of ['BRANCH', 'TAG']) {
        const r = await h.request('POST', `/api/v2/trees?name=${encodeURIComponent(name)}&type=${type}`, { type: 'BRANCH', name: 'main', hash: main.hash });
        expect(r.status, `${type} ${JSON.stringify(name)}`).toBe(400);
        expect(r.body.errorCode).toBe('BAD_REQUEST');
      }
    }
    expect((await h.request('GET', '/api/v2/trees')).body.references.map((r: { name: string }) => r.name)).toEqual(before);
  });
});
