import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymousActor } from '../context.js';
import { BadRequestError, NotFoundError } from '../errors.js';
import { NO_ANCESTOR_HASH, type CommitOperation } from '../model.js';
import { createTestCatalog, type TestCatalog } from '../testing.js';

const actor = anonymousActor();
const ns = (key: string[]): CommitOperation => ({ kind: 'put', key, content: { type: 'NAMESPACE', id: '', properties: {} } });
const view = (key: string[], v: number): CommitOperation => ({
  kind: 'put',
  key,
  content: { type: 'ICEBERG_VIEW', id: '', metadataLocation: `s3://w/${key.join('/')}/${v}.json`, metadata: '{}', versionId: v },
});

/** Reading the catalog at references: resolution, contents, entries, diffs and the log. */
describe('read verbs', () => {
  let t: TestCatalog;
  const hashes: string[] = [];
  const times: number[] = [];

  beforeAll(async () => {
    t = await createTestCatalog();
    for (const ops of [[ns(['a'])], [ns(['a', 'b']), view(['a', 'v'], 1)], [ns(['c']), view(['a', 'b', 'w'], 1)]]) {
      hashes.push(await t.seed('main', `commit ${hashes.length}`, ops));
      times.push((await t.catalog.history.log(actor, `@${hashes[hashes.length - 1]}`, { pageSize: 1 })).items[0].commitTimeMs);
      await new Promise((r) => setTimeout(r, 5));
    }
  });
  afterAll(() => t.close());

  it('resolves every form of the reference grammar, and marks only a branch head writable', async () => {
    const [h0, h1, h2] = hashes;
    const resolve = (text: string) => t.catalog.refs.resolve(actor, text);
    expect(await resolve('main')).toMatchObject({ name: 'main', type: 'BRANCH', hash: h2, head: h2, branch: 'main', explicitHash: false });
    expect(await resolve('-')).toMatchObject({ name: 'main', hash: h2, branch: 'main' });
    const atHash = await resolve(`main@${h1.slice(0, 8)}`);
    expect(atHash).toMatchObject({ name: 'main', hash: h1, explicitHash: true });
    expect(atHash.branch).toBeUndefined();
    const detached = await resolve(`@${h1}`);
    expect(detached.hash).toBe(h1);
    expect([detached.name, detached.branch]).toEqual([undefined, undefined]);
    expect((await resolve('main~2')).hash).toBe(h0);
    expect((await resolve(`@${h2}^1`)).hash).toBe(h1);
    expect((await resolve(`main*${times[1]}`)).hash).toBe(h1);
    expect((await resolve(`@${h2}*${times[0]}`)).hash).toBe(h0);
    expect((await resolve(`main*${new Date(times[0] - 60_000).toISOString()}`)).hash).toBe(NO_ANCESTOR_HASH);
    expect((await resolve(`main*${times[1]}`)).branch).toBeUndefined();
    await expect(resolve(`@${h0}^2`)).rejects.toThrow('has no parent number 2');
    await expect(resolve('main~9')).rejects.toThrow(NotFoundError);
    await expect(resolve('nope')).rejects.toThrow(NotFoundError);
    await expect(resolve('1abc')).rejects.toThrow(BadRequestError);
  });

  it('checks that a hash read through a reference is on it, when asked (Nessie reads)', async () => {
    await t.catalog.refs.create(actor, 'side', 'BRANCH', { type: 'DETACHED', hash: hashes[0] });
    const off = await t.seed('side', 'off', [ns(['s'])]);
    expect((await t.catalog.refs.resolve(actor, `main@${off}`)).hash).toBe(off);
    await expect(t.catalog.refs.resolve(actor, `main@${off}`, { checkOnRef: true })).rejects.toThrow(
      `Could not find commit '${off}' in reference 'main'.`,
    );
  });

  it('reads one key and several keys, each once, in the order asked', async () => {
    expect((await t.catalog.contents.get(actor, 'main', ['a', 'v'])).content.type).toBe('ICEBERG_VIEW');
    await expect(t.catalog.contents.get(actor, `main@${hashes[0]}`, ['a', 'v'])).rejects.toThrow(
      "Could not find content for key 'a.v' in reference 'main'.",
    );
    const many = await t.catalog.contents.getMany(actor, 'main', [['c'], ['x'], ['a'], ['c']]);
    expect(many.contents.map((c) => c.key.join('.'))).toEqual(['c', 'a']);
  });

  it('lists entries with prefix (the key itself included), range, filter, pushed-down hints and paging', async () => {
    const keys = async (opts: Parameters<TestCatalog['catalog']['contents']['entries']>[2]) =>
      (await t.catalog.contents.entries(actor, 'main', opts)).entries.map((e) => e.key.join('.'));
    expect(await keys({})).toEqual(['a', 'a.b', 'a.b.w', 'a.v', 'c']);
    expect(await keys({ prefixKey: ['a', 'b'] })).toEqual(['a.b', 'a.b.w']);
    expect(await keys({ minKey: ['a', 'b', 'w'], maxKey: ['a', 'v'] })).toEqual(['a.b.w', 'a.v']);
    expect(await keys({ filter: (e) => e.type === 'ICEBERG_VIEW' })).toEqual(['a.b.w', 'a.v']);
    expect(await keys({ hints: { prefix: ['a'], length: 2, types: ['ICEBERG_VIEW'] } })).toEqual(['a.v']);
    expect(await keys({ keys: [['c'], ['a', 'v'], ['zz']] })).toEqual(['a.v', 'c']);
    const p1 = await t.catalog.contents.entries(actor, 'main', { pageSize: 2 });
    const p2 = await t.catalog.contents.entries(actor, 'main', { pageSize: 10, pageToken: p1.nextPageToken });
    expect([...p1.entries, ...p2.entries].map((e) => e.key.join('.'))).toEqual(['a', 'a.b', 'a.b.w', 'a.v', 'c']);
    expect(p2.nextPageToken).toBeUndefined();
    const withContent = await t.catalog.contents.entries(actor, 'main', { keys: [['a', 'v']], withContent: true });
    expect(withContent.entries[0].content?.type).toBe('ICEBERG_VIEW');
  });

  it('diffs two references by key, with key restrictions', async () => {
    const d = await t.catalog.contents.diff(actor, `main@${hashes[0]}`, 'main');
    expect(d.items.map((x) => [x.key.join('.'), x.from === null, x.to?.type])).toEqual([
      ['a.b', true, 'NAMESPACE'],
      ['a.b.w', true, 'ICEBERG_VIEW'],
      ['a.v', true, 'ICEBERG_VIEW'],
      ['c', true, 'NAMESPACE'],
    ]);
    expect(d.from.hash).toBe(hashes[0]);
    const only = await t.catalog.contents.diff(actor, `main@${hashes[0]}`, 'main', { prefixKey: ['a', 'b'], filter: (k) => k.length === 3 });
    expect(only.items.map((x) => x.key.join('.'))).toEqual(['a.b.w']);
  });

  it('pages the log newest first, down to an oldest hash or a relative one, with a filter', async () => {
    const messages = async (opts: Parameters<TestCatalog['catalog']['history']['log']>[2]) =>
      (await t.catalog.history.log(actor, 'main', opts)).items.map((c) => c.message);
    expect(await messages({})).toEqual(['commit 2', 'commit 1', 'commit 0']);
    expect(await messages({ limitHash: hashes[1] })).toEqual(['commit 2', 'commit 1']);
    expect(await messages({ limitHash: '~1' })).toEqual(['commit 2', 'commit 1']);
    expect(await messages({ filter: (c) => c.operations.length === 2 })).toEqual(['commit 2', 'commit 1']);
    const p1 = await t.catalog.history.log(actor, 'main', { pageSize: 2 });
    expect(p1.items).toHaveLength(2);
    const p2 = await t.catalog.history.log(actor, 'main', { pageSize: 2, pageToken: p1.nextPageToken });
    expect(p2.items.map((c) => c.message)).toEqual(['commit 0']);
    await t.catalog.refs.create(actor, 'blank', 'BRANCH', { type: 'DETACHED', hash: NO_ANCESTOR_HASH });
    expect((await t.catalog.history.log(actor, 'blank')).items).toEqual([]);
  });
});
