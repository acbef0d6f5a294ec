import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadRequestError } from '../errors.js';
import { createStore } from './index.js';
import type { CommitOperation, Content, ContentKey, Entry, PageRequest, VersionStore } from './port.js';

const ns = (): Content => ({ type: 'NAMESPACE', id: '', properties: {} });
const tbl = (n: number): Content => ({
  type: 'ICEBERG_TABLE',
  id: '',
  metadataLocation: `s3://w/t${n}/metadata/00000.metadata.json`,
  metadata: '{}',
  snapshotId: -1n,
  schemaId: 0,
  specId: 0,
  sortOrderId: 0,
});
const view = (): Content => ({ type: 'ICEBERG_VIEW', id: '', metadataLocation: 's3://w/v/metadata/00000.metadata.json', metadata: '{}', versionId: 1 });
const meta = { author: 't', message: 'm' };
const put = (key: ContentKey, content: Content): CommitOperation => ({ kind: 'put', key, content });
const name = (i: number) => `t${String(i).padStart(4, '0')}`;

type ListOpts = PageRequest & { prefix?: ContentKey; depth?: number; types?: Entry['type'][] };

async function allPages(s: VersionStore, hash: string, opts: ListOpts, pageSize: number): Promise<{ keys: string[]; pages: number }> {
  const keys: string[] = [];
  let token = opts.pageToken;
  let pages = 0;
  do {
    const p = await s.listEntries(hash, { ...opts, pageSize, pageToken: token });
    expect(p.items.length).toBeLessThanOrEqual(pageSize);
    if (p.nextPageToken) expect(p.items).toHaveLength(pageSize);
    keys.push(...p.items.map((e) => e.key.join('.')));
    token = p.nextPageToken;
    pages++;
  } while (token);
  return { keys, pages };
}

describe('listEntries paging', () => {
  let s: VersionStore;
  let head: string;
  const TABLES = 1200;

  beforeAll(async () => {
    s = createStore({ kind: 'pglite' });
    await s.init();
    head = (await s.getReference('main')).hash;
    const commit = async (ops: CommitOperation[]) => (head = (await s.commit('main', head, meta, ops)).hash);
    await commit([put(['a'], ns()), put(['a0'], ns()), put(['b'], ns()), put(['a', 'sub'], ns()), put(['a', 'sub', 'deep'], ns())]);
    for (let i = 0; i < TABLES; i += 400) {
      const ops: CommitOperation[] = [];
      for (let j = i; j < i + 400; j++) ops.push(put(['a', name(j)], tbl(j)), put(['a', 'sub', name(j)], tbl(j)));
      await commit(ops);
    }
    await commit([put(['a', 'v1'], view()), put(['a0', 'x'], tbl(1)), put(['b', 'y'], tbl(2)), put(['a', 'sub', 'deep', 'z'], tbl(3))]);
  }, 120_000);

  afterAll(() => s.close());

  const tablesOfA = () => Array.from({ length: TABLES }, (_, i) => `a.${name(i)}`);

  it('lists direct children of a namespace by type, whatever the page size, without duplicates or gaps', async () => {
    const full = await s.listEntries(head, { prefix: ['a'], depth: 1, types: ['ICEBERG_TABLE'] });
    expect(full.nextPageToken).toBeUndefined();
    expect(full.items.map((e) => e.key.join('.'))).toEqual(tablesOfA());
    expect(full.items.every((e) => e.type === 'ICEBERG_TABLE' && e.contentId.length > 0)).toBe(true);
    for (const size of [1, 7, 100, 1199, 1200, 5000]) {
      const { keys, pages } = await allPages(s, head, { prefix: ['a'], depth: 1, types: ['ICEBERG_TABLE'] }, size);
      expect(keys).toEqual(tablesOfA());
      expect(pages).toBe(Math.max(1, Math.ceil(TABLES / size)));
    }
    const views = await s.listEntries(head, { prefix: ['a'], depth: 1, types: ['ICEBERG_VIEW'] });
    expect(views.items.map((e) => e.key.join('.'))).toEqual(['a.v1']);
  });

  it('lists namespaces at one depth, skipping what lies deeper', async () => {
    const top = await s.listEntries(head, { depth: 1, types: ['NAMESPACE'] });
    expect(top.items.map((e) => e.key.join('.'))).toEqual(['a', 'a0', 'b']);
    const paged = await allPages(s, head, { depth: 1, types: ['NAMESPACE'] }, 1);
    expect(paged.keys).toEqual(['a', 'a0', 'b']);
    const underA = await s.listEntries(head, { prefix: ['a'], depth: 1, types: ['NAMESPACE'] });
    expect(underA.items.map((e) => e.key.join('.'))).toEqual(['a.sub']);
    const depth2 = await s.listEntries(head, { prefix: ['a'], depth: 2 });
    expect(depth2.items.map((e) => e.key.join('.'))).toEqual(['a.sub.deep', ...tablesOfA().map((k) => k.replace('a.', 'a.sub.'))]);
    // Without depth: everything under the prefix, deepest levels included.
    const under = await s.listEntries(head, { prefix: ['a', 'sub'] });
    expect(under.items.map((e) => e.key.join('.'))).toEqual([
      'a.sub.deep',
      'a.sub.deep.z',
      ...tablesOfA().map((k) => k.replace('a.', 'a.sub.')),
    ]);
  });

  it('resumes a token after the key it names, also at a later commit', async () => {
    const first = await s.listEntries(head, { prefix: ['a'], depth: 1, types: ['ICEBERG_TABLE'], pageSize: 10 });
    expect(first.items.map((e) => e.key.join('.'))).toEqual(tablesOfA().slice(0, 10));
    // A table sorting before the token and one after it are added, one already listed is dropped.
    const later = (
      await s.commit('main', head, meta, [
        put(['a', 't0000a'], tbl(9)),
        put(['a', 't0500a'], tbl(9)),
        { kind: 'delete', key: ['a', name(3)] },
      ])
    ).hash;
    const rest = await allPages(s, later, { prefix: ['a'], depth: 1, types: ['ICEBERG_TABLE'], pageToken: first.nextPageToken }, 100);
    const expected = tablesOfA().slice(10);
    expected.splice(expected.indexOf('a.t0500') + 1, 0, 'a.t0500a');
    expect(rest.keys).toEqual(expected);
    // The token is a position in key order, not bound to a commit: the original commit still answers.
    const again = await s.listEntries(head, { prefix: ['a'], depth: 1, types: ['ICEBERG_TABLE'], pageSize: 5, pageToken: first.nextPageToken });
    expect(again.items.map((e) => e.key.join('.'))).toEqual(tablesOfA().slice(10, 15));
  });

  it('rejects malformed tokens and tokens of another listing', async () => {
    await expect(s.listEntries(head, { prefix: ['a'], depth: 1, pageToken: '!!' })).rejects.toBeInstanceOf(BadRequestError);
    const ofA0 = await s.listEntries(head, { prefix: ['a0'], depth: 1, pageSize: 1 });
    expect(ofA0.items.map((e) => e.key.join('.'))).toEqual(['a0.x']);
    const ofA = await s.listEntries(head, { prefix: ['a'], depth: 1, pageSize: 1 });
    expect(ofA.nextPageToken).toBeDefined();
    // A token of namespace `a` handed to a listing of `b` (before it) or `a0` (after it).
    await expect(s.listEntries(head, { prefix: ['b'], depth: 1, pageToken: ofA.nextPageToken })).rejects.toBeInstanceOf(BadRequestError);
    await expect(s.listEntries(head, { prefix: ['a0'], depth: 1, pageToken: ofA.nextPageToken })).rejects.toBeInstanceOf(BadRequestError);
    // ... or to the listing of the top level, of another type, or of another depth.
    await expect(s.listEntries(head, { depth: 1, types: ['NAMESPACE'], pageToken: ofA.nextPageToken })).rejects.toThrow(/another listing/);
    await expect(s.listEntries(head, { prefix: ['a'], depth: 1, types: ['ICEBERG_VIEW'], pageToken: ofA.nextPageToken })).rejects.toThrow(/another listing/);
    await expect(s.listEntries(head, { prefix: ['a'], pageToken: ofA.nextPageToken })).rejects.toThrow(/another listing/);
    // A token made up from a plain key (the format before tokens named their listing) is refused too.
    const forged = Buffer.from('a\u0000t0001', 'utf8').toString('base64url');
    await expect(s.listEntries(head, { prefix: ['a'], depth: 1, pageToken: forged })).rejects.toBeInstanceOf(BadRequestError);
    // The token of its own listing still continues it.
    const next = await s.listEntries(head, { prefix: ['a'], depth: 1, pageSize: 1, pageToken: ofA.nextPageToken });
    expect(next.items).toHaveLength(1);
  });

  it('answers repeated listings from the cache and stays exact per commit', async () => {
    const opts = { prefix: ['b'], depth: 1, types: ['ICEBERG_TABLE' as const] };
    const before = await s.listEntries(head, opts);
    before.items.pop(); // callers own what they get: mutating it must not reach the cache
    expect((await s.listEntries(head, opts)).items.map((e) => e.key.join('.'))).toEqual(['b.y']);
    const after = (await s.commit('main', head, meta, [put(['b', 'z'], tbl(4))])).hash;
    expect((await s.listEntries(after, opts)).items.map((e) => e.key.join('.'))).toEqual(['b.y', 'b.z']);
    expect((await s.listEntries(head, opts)).items.map((e) => e.key.join('.'))).toEqual(['b.y']);
    // Same listing, other parameters: separate pages.
    expect((await s.listEntries(after, { ...opts, pageSize: 1 })).items.map((e) => e.key.join('.'))).toEqual(['b.y']);
  });
});
