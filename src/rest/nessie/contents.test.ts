import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NO_ANCESTOR_HASH } from '../../catalog/index.js';
import { parseJson, stringifyJson, type JsonObject } from '../../iceberg/json.js';
import { conflictsOf, del, namespace, put, startNessie, type NessieHarness } from './nessie-test-harness.js';

let h: NessieHarness;

beforeAll(async () => {
  h = await startNessie();
});
afterAll(async () => {
  await h.close();
});

// Larger than 2^53: JSON.parse would round it.
const BIG_SNAPSHOT = 9007199254740993n;

async function branch(name: string, empty = false): Promise<string> {
  const source = empty ? { type: 'DETACHED', hash: NO_ANCESTOR_HASH } : { type: 'BRANCH', name: 'main', hash: await h.head('main') };
  const r = await h.call('POST', `/trees?name=${name}&type=BRANCH`, source);
  expect(r.status).toBe(200);
  return (r.body.reference as JsonObject).hash as string;
}

const commitAt = (ref: string, operations: unknown[], commitMeta: unknown = { message: 'm' }) =>
  h.call('POST', `/trees/${ref}/history/commit`, { commitMeta, operations });

describe('POST /trees/{branch@hash}/history/commit', () => {
  it('puts a namespace and a table, reports new content ids, and keeps snapshot ids exact', async () => {
    await branch('c1');
    const r = await commitAt(`c1@${await h.head('c1')}`, [
      put(['db'], namespace(['db'], { owner: 'ops' })),
      put(['db', 'orders'], h.table('s3://w/db/orders/metadata/00000-a.metadata.json', BIG_SNAPSHOT)),
    ]);
    expect(r.status).toBe(200);
    expect(r.body.targetBranch).toEqual({ type: 'BRANCH', name: 'c1', hash: await h.head('c1') });
    const added = r.body.addedContents as JsonObject[];
    expect(added.map((a) => a.key)).toEqual([{ elements: ['db'] }, { elements: ['db', 'orders'] }]);

    const got = await h.call('GET', '/trees/c1/contents/db.orders');
    expect(got.status).toBe(200);
    expect(got.body.content).toEqual({
      type: 'ICEBERG_TABLE',
      id: added[1].contentId,
      metadataLocation: 's3://w/db/orders/metadata/00000-a.metadata.json',
      snapshotId: BIG_SNAPSHOT,
      schemaId: 0,
      specId: 0,
      sortOrderId: 0,
    });
    expect(got.body.effectiveReference).toEqual({ type: 'BRANCH', name: 'c1', hash: await h.head('c1') });
    const ns = await h.call('GET', '/trees/c1/contents/db');
    expect(ns.body.content).toEqual({ type: 'NAMESPACE', id: added[0].contentId, elements: ['db'], properties: { owner: 'ops' } });

    // The catalog keeps the metadata file's text, read from the object store.
    const stored = await h.stored('c1', ['db', 'orders']);
    expect(stored?.type === 'ICEBERG_TABLE' && stored.metadata).toBe(h.files.get('s3://w/db/orders/metadata/00000-a.metadata.json'));
    expect(h.reads).toContain('s3://w/db/orders/metadata/00000-a.metadata.json');
  });

  it('updates a table by content id and applies Nessie content-id rules to Puts', async () => {
    const id = ((await h.call('GET', '/trees/c1/contents/db.orders')).body.content as JsonObject).id as string;
    const next = h.table('s3://w/db/orders/metadata/00001-b.metadata.json', 2n, id);
    expect((await commitAt(`c1@${await h.head('c1')}`, [put(['db', 'orders'], next)])).status).toBe(200);
    expect(((await h.call('GET', '/trees/c1/contents/db.orders')).body.content as JsonObject).snapshotId).toBe(2);

    const again = await commitAt(`c1@${await h.head('c1')}`, [put(['db', 'orders'], h.table('s3://w/other.json', 3n))]);
    expect(again.status).toBe(400);
    expect(again.body).toMatchObject({ errorCode: 'BAD_REQUEST', message: "New value to update existing key 'db.orders' has no content ID" });
    const wrongId = await commitAt(`c1@${await h.head('c1')}`, [put(['db', 'orders'], h.table('s3://w/other.json', 3n, 'not-the-id'))]);
    expect(wrongId.body.message).toBe(`Key 'db.orders' already exists with content ID ${id}, which is different from the content ID not-the-id in the operation`);
    const idForNew = await commitAt(`c1@${await h.head('c1')}`, [put(['db', 'fresh'], h.table('s3://w/fresh.json', 3n, id))]);
    expect(idForNew.body.message).toBe("New value for key 'db.fresh' must not have a content ID");
    h.files.set('s3://w/view.json', '{}');
    const asView = await commitAt(`c1@${await h.head('c1')}`, [put(['db', 'orders'], { type: 'ICEBERG_VIEW', id, metadataLocation: 's3://w/view.json', versionId: 1, schemaId: 0 })]);
    expect(asView.body).toMatchObject({ errorCode: 'BAD_REQUEST', message: "Cannot change the content type of 'db.orders' from ICEBERG_TABLE to ICEBERG_VIEW" });
  });

  it('enforces namespaces: absent parent, parent that is not a namespace, non-empty namespace delete', async () => {
    const at = async () => `c1@${await h.head('c1')}`;
    const absent = await commitAt(await at(), [put(['nope', 't'], h.table('s3://w/nope.json', 1n))]);
    expect(absent.status).toBe(409);
    expect(conflictsOf(absent.body)).toEqual([expect.objectContaining({ conflictType: 'NAMESPACE_ABSENT', key: { elements: ['nope'] } })]);
    const notNs = await commitAt(await at(), [put(['db', 'orders', 'x'], h.table('s3://w/x.json', 1n))]);
    expect(conflictsOf(notNs.body)[0].conflictType).toBe('NOT_A_NAMESPACE');
    const notEmpty = await commitAt(await at(), [del(['db'])]);
    expect(conflictsOf(notEmpty.body)).toEqual([expect.objectContaining({ conflictType: 'NAMESPACE_NOT_EMPTY', key: { elements: ['db'] } })]);
    const missing = await commitAt(await at(), [del(['db', 'missing'])]);
    expect(conflictsOf(missing.body)[0].conflictType).toBe('KEY_DOES_NOT_EXIST');
    // A namespace and its parent created in one commit is fine, as is deleting a namespace with its children.
    expect((await commitAt(await at(), [put(['n1'], namespace(['n1'])), put(['n1', 'n2'], namespace(['n1', 'n2']))])).status).toBe(200);
    expect((await commitAt(await at(), [del(['n1', 'n2']), del(['n1'])])).status).toBe(200);
  });

  it('rebases over concurrent commits to other keys and rejects concurrent changes to the same key', async () => {
    await branch('c2');
    await h.commit('c2', [put(['a'], namespace(['a'])), put(['b'], namespace(['b']))]);
    const stale = await h.head('c2');
    expect((await commitAt(`c2@${stale}`, [put(['a', 't1'], h.table('s3://w/a/t1.json', 1n))])).status).toBe(200);
    expect((await commitAt(`c2@${stale}`, [put(['b', 't2'], h.table('s3://w/b/t2.json', 1n))])).status).toBe(200);
    const clash = await commitAt(`c2@${stale}`, [put(['a', 't1'], h.table('s3://w/a/t1b.json', 2n))]);
    expect(clash.status).toBe(409);
    expect(clash.body.errorCode).toBe('REFERENCE_CONFLICT');
    expect(conflictsOf(clash.body)[0]).toMatchObject({ key: { elements: ['a', 't1'] } });
    // A hash that is not in the branch's history is a CAS failure.
    const foreign = await h.commit('main', [put(['foreign'], namespace(['foreign']))]);
    const off = await commitAt(`c2@${foreign}`, [put(['z'], namespace(['z']))]);
    expect(off.status).toBe(409);
    expect(conflictsOf(off.body)[0].conflictType).toBe('UNEXPECTED_HASH');
  });

  it('renames a table with Delete + Put keeping its content id, without re-reading its metadata', async () => {
    const before = (await h.call('GET', '/trees/c2/contents/a.t1')).body.content as JsonObject;
    const reads = h.reads.length;
    const r = await commitAt(`c2@${await h.head('c2')}`, [del(['a', 't1']), put(['b', 't1'], before)]);
    expect(r.status).toBe(200);
    expect(r.body.addedContents).toEqual([]);
    expect(((await h.call('GET', '/trees/c2/contents/b.t1')).body.content as JsonObject).id).toBe(before.id);
    expect((await h.call('GET', '/trees/c2/contents/a.t1')).status).toBe(404);
    expect(h.reads.length).toBe(reads);
  });

  it('rejects writes that are not to a branch head with an expected hash', async () => {
    await h.call('POST', '/trees?name=ctag&type=TAG', { type: 'BRANCH', name: 'main', hash: await h.head('main') });
    const op = [put(['w'], namespace(['w']))];
    expect((await commitAt(`ctag@${await h.head('ctag')}`, op)).body.message).toBe('Reference to commit into must be a branch.');
    expect((await commitAt('c2', op)).body.message).toBe('Expected hash must be provided.');
    expect((await commitAt(`@${await h.head('c2')}`, op)).status).toBe(400);
    expect((await commitAt(`nobranch@${await h.head('c2')}`, op)).body.errorCode).toBe('REFERENCE_NOT_FOUND');
  });

  it('rejects malformed commits as BAD_REQUEST, never 500', async () => {
    const at = `c2@${await h.head('c2')}`;
    const cases: unknown[] = [
      { commitMeta: { message: 'x' }, operations: [put(['b', 'gone'], { type: 'ICEBERG_TABLE', metadataLocation: 's3://w/does-not-exist.json', snapshotId: 1, schemaId: 0, specId: 0, sortOrderId: 0 })] },
      { commitMeta: { message: 'x' }, operations: [put(['b', 'd'], { type: 'DELTA_LAKE_TABLE', metadataLocationHistory: [] })] },
      { commitMeta: { message: 'x', committer: 'me' }, operations: [] },
      { commitMeta: { message: 'x' }, operations: [{ type: 'MERGE', key: { elements: ['a'] } }] },
      { commitMeta: { message: 'x' }, operations: [put(['a'], namespace(['a'])), del(['a'])] },
      { commitMeta: { message: 'x' }, operations: [put(['b', ''], namespace(['b', '']))] },
      { commitMeta: { message: 'x' }, operations: 'nope' },
      '[1,',
    ];
    for (const body of cases) {
      const r = await h.call('POST', `/trees/${at}/history/commit`, body);
      expect(r.status, stringifyJson(body)).toBe(400);
      expect(r.body.errorCode).toBe('BAD_REQUEST');
    }
  });

  it('accepts gzip-compressed bodies, as Nessie\'s Java client sends them by default', async () => {
    const body = stringifyJson({ commitMeta: { message: 'zipped' }, operations: [put(['zipped'], namespace(['zipped']))] });
    const res = await h.app.request(`/trees/c2@${await h.head('c2')}/history/commit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: gzipSync(Buffer.from(body)),
    });
    expect(res.status).toBe(200);
    expect((await h.call('GET', '/trees/c2/contents/zipped')).status).toBe(200);
    const garbage = await h.app.request(`/trees/c2@${await h.head('c2')}/history/commit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: 'not gzip',
    });
    expect(garbage.status).toBe(400);
    expect((parseJson(await garbage.text()) as JsonObject).errorCode).toBe('BAD_REQUEST');
  });

  it('reads gzip-compressed metadata files, as Iceberg writes view metadata by default', async () => {
    const location = 's3://w/b/v/metadata/00000-x.gz.metadata.json';
    const json = stringifyJson({ 'format-version': 1, 'current-version-id': 1, versions: [{ 'version-id': 1, 'schema-id': 4 }] });
    h.files.set(location, gzipSync(Buffer.from(json)));
    const r = await commitAt(`c2@${await h.head('c2')}`, [put(['b', 'gz'], { type: 'ICEBERG_VIEW', metadataLocation: location, versionId: 1, schemaId: 4 })]);
    expect(r.status).toBe(200);
    const stored = await h.stored('c2', ['b', 'gz']);
    expect(stored?.type === 'ICEBERG_VIEW' && stored.metadata).toBe(json);
    expect(((await h.call('GET', '/trees/c2/contents/b.gz')).body.content as JsonObject).schemaId).toBe(4);
    // The same bytes read as text cannot be recovered: a clear 400, not "invalid JSON".
    h.files.set(location, Buffer.from(gzipSync(Buffer.from(json))).toString('utf8'));
    const text = await commitAt(`c2@${await h.head('c2')}`, [put(['b', 'gz2'], { type: 'ICEBERG_VIEW', metadataLocation: location, versionId: 1, schemaId: 4 })]);
    expect(text.status).toBe(400);
    expect(text.body.message).toContain('gzip-compressed but was read as text');
  });

  it('records author, message and properties in the commit log', async () => {
    const r = await commitAt(`c2@${await h.head('c2')}`, [put(['meta'], namespace(['meta']))], {
      message: 'with meta',
      authors: ['alice <a@example.com>'],
      allProperties: { 'iceberg.operation': ['append'] },
    });
    expect(r.status).toBe(200);
    const log = await h.call('GET', '/trees/c2/history?max-records=1');
    expect((log.body.logEntries as JsonObject[])[0].commitMeta).toMatchObject({
      message: 'with meta',
      authors: ['alice <a@example.com>'],
      allProperties: { 'iceberg.operation': ['append'] },
      committer: '',
    });
  });
});

describe('content shared with the Iceberg REST API', () => {
  it('serves a table the catalog committed through the store as a Nessie ICEBERG_TABLE', async () => {
    await branch('shared', true);
    await h.seed('shared', 'ns', [{ kind: 'put', key: ['s'], content: { type: 'NAMESPACE', id: '', properties: {} } }], 'rest');
    await h.seed('shared', 'create s.t', [
      {
        kind: 'put',
        key: ['s', 't'],
        content: {
          type: 'ICEBERG_TABLE',
          id: '',
          metadataLocation: 'file:///w/s/t/metadata/00000-x.metadata.json',
          metadata: '{"format-version":2}',
          snapshotId: 8070450532247928832n,
          schemaId: 3,
          specId: 1,
          sortOrderId: 2,
        },
      },
    ], 'rest');
    const r = await h.call('GET', '/trees/shared/contents/s.t');
    expect(r.body.content).toMatchObject({
      type: 'ICEBERG_TABLE',
      metadataLocation: 'file:///w/s/t/metadata/00000-x.metadata.json',
      snapshotId: 8070450532247928832n,
      schemaId: 3,
      specId: 1,
      sortOrderId: 2,
    });
    const log = await h.call('GET', '/trees/shared/history');
    expect((log.body.logEntries as JsonObject[]).map((e) => (e.commitMeta as JsonObject).authors)).toEqual([['rest'], ['rest']]);
  });
});

describe('GET /trees/{ref}/entries', () => {
  beforeAll(async () => {
    h.files.set('s3://w/other/v.json', JSON.stringify({ 'format-version': 1, 'current-version-id': 1, versions: [{ 'version-id': 1, 'schema-id': 7 }] }));
    await branch('e1', true);
    await h.commit('e1', [
      put(['ns'], namespace(['ns'])),
      put(['ns', 'inner'], namespace(['ns', 'inner'])),
      put(['ns', 'inner', 'deep'], h.table('s3://w/ns/inner/deep.json', 1n)),
      put(['ns', 't1'], h.table('s3://w/ns/t1.json', 1n)),
      put(['ns', 't2'], h.table('s3://w/ns/t2.json', 2n)),
      put(['other'], namespace(['other'])),
      put(['other', 'v'], { type: 'ICEBERG_VIEW', metadataLocation: 's3://w/other/v.json', versionId: 1, schemaId: 0, sqlText: 'select 1', dialect: 'spark' }),
    ]);
  });

  const keys = (body: JsonObject) => (body.entries as JsonObject[]).map((e) => ((e.name as JsonObject).elements as string[]).join('.'));

  it('lists every key with its type and content id', async () => {
    const r = await h.call('GET', '/trees/e1/entries');
    expect(r.status).toBe(200);
    expect(keys(r.body)).toEqual(['ns', 'ns.inner', 'ns.inner.deep', 'ns.t1', 'ns.t2', 'other', 'other.v']);
    const t1 = (r.body.entries as JsonObject[])[3];
    expect(t1).toMatchObject({ type: 'ICEBERG_TABLE', name: { elements: ['ns', 't1'] } });
    expect(typeof t1.contentId).toBe('string');
    expect(r.body.effectiveReference).toMatchObject({ type: 'BRANCH', name: 'e1' });
  });

  it('answers the filters of Iceberg NessieCatalog and the Nessie CLI', async () => {
    const f = async (filter: string) => keys((await h.call('GET', `/trees/e1/entries?filter=${encodeURIComponent(filter)}`)).body);
    expect(await f("entry.contentType == 'NAMESPACE' && size(entry.keyElements) == 1")).toEqual(['ns', 'other']);
    expect(await f("entry.contentType == 'NAMESPACE' && size(entry.keyElements) == 2 && entry.encodedKey.startsWith('ns.')")).toEqual(['ns.inner']);
    expect(await f("entry.namespace.startsWith('ns')")).toEqual(['ns.inner', 'ns.inner.deep', 'ns.t1', 'ns.t2']);
    expect(await f("entry.contentType in ['ICEBERG_VIEW']")).toEqual(['other.v']);
    expect(await f("entry.encodedKey.contains('t')")).toEqual(['ns.t1', 'ns.t2', 'other', 'other.v']);
    expect(await f("entry.encodedKey == 'ns.t2'")).toEqual(['ns.t2']);
    const bad = await h.call('GET', `/trees/e1/entries?filter=${encodeURIComponent('entry.nope(')}`);
    expect(bad.status).toBe(400);
    expect(bad.body.errorCode).toBe('BAD_REQUEST');
  });

  it('restricts by prefix-key (including the key itself), min/max keys and requested keys', async () => {
    expect(keys((await h.call('GET', '/trees/e1/entries?prefix-key=ns.inner')).body)).toEqual(['ns.inner', 'ns.inner.deep']);
    expect(keys((await h.call('GET', '/trees/e1/entries?min-key=ns.t1&max-key=other')).body)).toEqual(['ns.t1', 'ns.t2', 'other']);
    expect(keys((await h.call('GET', '/trees/e1/entries?key=other.v&key=ns.t1&key=missing')).body)).toEqual(['ns.t1', 'other.v']);
  });

  it('returns content with content=true', async () => {
    const r = await h.call('GET', `/trees/e1/entries?content=true&filter=${encodeURIComponent("entry.name == 't2'")}`);
    expect((r.body.entries as JsonObject[])[0].content).toMatchObject({ type: 'ICEBERG_TABLE', metadataLocation: 's3://w/ns/t2.json', snapshotId: 2 });
    const v = await h.call('GET', `/trees/e1/entries?content=true&key=other.v`);
    expect((v.body.entries as JsonObject[])[0].content).toMatchObject({ type: 'ICEBERG_VIEW', versionId: 1, schemaId: 7, metadataLocation: 's3://w/other/v.json' });
  });

  it('pages with max-records and page-token, also under a filter', async () => {
    const all: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const r = await h.call('GET', `/trees/e1/entries?max-records=2&filter=${encodeURIComponent("entry.contentType == 'ICEBERG_TABLE'")}${token ? `&page-token=${token}` : ''}`);
      expect(r.status).toBe(200);
      all.push(...keys(r.body));
      token = r.body.hasMore ? (r.body.token as string) : undefined;
      pages++;
    } while (token && pages < 10);
    expect(all).toEqual(['ns.inner.deep', 'ns.t1', 'ns.t2']);
    expect(pages).toBe(2);
  });

  it('returns all entries in one response when max-records is absent, as NessieCatalog reads one page', async () => {
    await branch('many', true);
    const ops = Array.from({ length: 1200 }, (_, i) => put([`n${String(i).padStart(4, '0')}`], namespace([`n${String(i).padStart(4, '0')}`])));
    await h.commit('many', ops);
    const r = await h.call('GET', '/trees/many/entries');
    expect((r.body.entries as unknown[]).length).toBe(1200);
    expect(r.body.hasMore).toBe(false);
    const paged = await h.call('GET', '/trees/many/entries?max-records=1100');
    expect((paged.body.entries as unknown[]).length).toBe(1100);
    expect(paged.body.hasMore).toBe(true);
  });

  it('reads entries at an older commit', async () => {
    const before = await h.head('e1');
    await h.commit('e1', [del(['ns', 't2'])]);
    expect(keys((await h.call('GET', `/trees/e1@${before}/entries?prefix-key=ns`)).body)).toContain('ns.t2');
    expect(keys((await h.call('GET', '/trees/e1/entries?prefix-key=ns')).body)).not.toContain('ns.t2');
    expect(keys((await h.call('GET', '/trees/e1~1/entries?prefix-key=ns')).body)).toContain('ns.t2');
  });
});

describe('GET/POST /trees/{ref}/contents', () => {
  it('returns several contents, skipping missing keys', async () => {
    const viaGet = await h.call('GET', '/trees/e1/contents?key=ns.t1&key=nothing&key=ns');
    expect(viaGet.status).toBe(200);
    expect((viaGet.body.contents as JsonObject[]).map((c) => c.key)).toEqual([{ elements: ['ns', 't1'] }, { elements: ['ns'] }]);
    const viaPost = await h.call('POST', '/trees/e1/contents', { requestedKeys: [{ elements: ['other', 'v'] }, { elements: ['x'] }] });
    expect((viaPost.body.contents as JsonObject[]).map((c) => (c.content as JsonObject).type)).toEqual(['ICEBERG_VIEW']);
    expect(viaPost.body.effectiveReference).toMatchObject({ name: 'e1', hash: await h.head('e1') });
    expect((await h.call('POST', '/trees/e1/contents', { requestedKeys: 'x' })).status).toBe(400);
  });

  it('reports a missing key as CONTENT_NOT_FOUND and decodes escaped keys', async () => {
    const r = await h.call('GET', '/trees/e1/contents/ns.nothing');
    expect(r.status).toBe(404);
    expect(r.body).toMatchObject({ errorCode: 'CONTENT_NOT_FOUND', message: "Could not find content for key 'ns.nothing' in reference 'e1'." });
    await h.commit('e1', [put(['dot.ted'], namespace(['dot.ted']))]);
    expect((await h.call('GET', '/trees/e1/contents/dot%1Dted')).body.content).toMatchObject({ elements: ['dot.ted'] });
    expect((await h.call('GET', '/trees/e1/contents/.dot*.ted')).body.content).toMatchObject({ elements: ['dot.ted'] });
  });
});

describe('GET /trees/{from}/diff/{to}', () => {
  it('lists changed keys with both sides, filtered and paged', async () => {
    await branch('d1');
    await h.commit('d1', [put(['dd'], namespace(['dd'])), put(['dd', 't'], h.table('s3://w/dd/t.json', 5n))]);
    const r = await h.call('GET', '/trees/main/diff/d1');
    expect(r.status).toBe(200);
    const diffs = r.body.diffs as JsonObject[];
    expect(diffs.map((d) => d.key)).toEqual([{ elements: ['dd'] }, { elements: ['dd', 't'] }]);
    expect(diffs[1].from).toBeUndefined();
    expect(diffs[1].to).toMatchObject({ type: 'ICEBERG_TABLE', snapshotId: 5 });
    expect(r.body.effectiveFromReference).toMatchObject({ name: 'main' });
    expect(r.body.effectiveToReference).toMatchObject({ name: 'd1', hash: await h.head('d1') });

    const back = await h.call('GET', '/trees/d1/diff/main');
    expect(((back.body.diffs as JsonObject[])[1].from as JsonObject).snapshotId).toBe(5);
    const prefixed = await h.call('GET', '/trees/main/diff/d1?prefix-key=dd');
    expect((prefixed.body.diffs as JsonObject[]).map((d) => d.key)).toEqual([{ elements: ['dd'] }, { elements: ['dd', 't'] }]);
    const filtered = await h.call('GET', `/trees/main/diff/d1?filter=${encodeURIComponent("key.name == 't'")}`);
    expect((filtered.body.diffs as JsonObject[]).length).toBe(1);
    const page = await h.call('GET', '/trees/main/diff/d1?max-records=1');
    expect(page.body.hasMore).toBe(true);
    const rest = await h.call('GET', `/trees/main/diff/d1?max-records=1&page-token=${page.body.token as string}`);
    expect((rest.body.diffs as JsonObject[])[0].key).toEqual({ elements: ['dd', 't'] });
    expect((await h.call('GET', '/trees/main/diff/nope')).body.errorCode).toBe('REFERENCE_NOT_FOUND');
  });
});

describe('GET /trees/{ref}/history', () => {
  it('returns the log newest first, operations with fetch=ALL, paged, down to limit-hash', async () => {
    await branch('l1');
    const hashes: string[] = [];
    for (const n of ['l1a', 'l1b', 'l1c']) hashes.push(await h.commit('l1', [put([n], namespace([n]))], `msg ${n}`));
    const minimal = await h.call('GET', '/trees/l1/history?max-records=2');
    const entries = minimal.body.logEntries as JsonObject[];
    expect(entries.map((e) => (e.commitMeta as JsonObject).hash)).toEqual([hashes[2], hashes[1]]);
    expect(entries[0].parentCommitHash).toBe(hashes[1]);
    expect(entries[0].operations).toBeUndefined();
    expect(minimal.body.hasMore).toBe(true);
    const next = await h.call('GET', `/trees/l1/history?max-records=2&page-token=${minimal.body.token as string}`);
    expect(((next.body.logEntries as JsonObject[])[0].commitMeta as JsonObject).hash).toBe(hashes[0]);

    const all = await h.call('GET', '/trees/l1/history?fetch=ALL&max-records=1');
    expect((all.body.logEntries as JsonObject[])[0].operations).toEqual([
      { type: 'PUT', key: { elements: ['l1c'] }, content: expect.objectContaining({ type: 'NAMESPACE', elements: ['l1c'] }) },
    ]);

    const limited = await h.call('GET', `/trees/l1/history?limit-hash=${hashes[1]}`);
    expect((limited.body.logEntries as JsonObject[]).map((e) => (e.commitMeta as JsonObject).hash)).toEqual([hashes[2], hashes[1]]);
    expect(limited.body.hasMore).toBe(false);

    const filtered = await h.call('GET', `/trees/l1/history?filter=${encodeURIComponent("commit.message == 'msg l1b' || operations.exists(op, op.name == 'l1a')")}`);
    expect((filtered.body.logEntries as JsonObject[]).map((e) => (e.commitMeta as JsonObject).hash)).toEqual([hashes[1], hashes[0]]);
    expect((await h.call('GET', '/trees/l1/history?fetch=SOME')).status).toBe(400);
    expect((await h.call('GET', '/trees/l1/history?max-records=abc')).status).toBe(400);
  });
});
