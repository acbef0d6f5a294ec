/**
 * The VersionStore contract, run against every backend (PGlite in memory, real PostgreSQL).
 * Tests share one store per backend and isolate themselves on their own branches.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AlreadyExistsError,
  BadRequestError,
  ConflictError,
  NotFoundError,
  ReadOnlyReferenceError,
  ReferenceConflictError,
} from '../../src/catalog/errors.js';
import {
  NO_ANCESTOR_HASH,
  keyToString,
  type CommitOperation,
  type Content,
  type ContentKey,
  type NamespaceContent,
  type TableContent,
  type VersionStore,
} from '../../src/catalog/store/port.js';

export interface StoreFixture {
  store: VersionStore;
  dispose(): Promise<void>;
}

export function table(n: number | bigint, id = ''): TableContent {
  return {
    type: 'ICEBERG_TABLE',
    id,
    metadataLocation: `s3://b/t/metadata/${n}.metadata.json`,
    metadata: `{"format-version":2,"current-snapshot-id":${n}}`,
    snapshotId: BigInt(n),
    schemaId: 0,
    specId: 0,
    sortOrderId: 0,
  };
}

/** Tables whose metadata documents add up to several MB, with quotes, backslashes and non-ASCII text in them. */
export function largeTables(n: number): TableContent[] {
  return Array.from({ length: n }, (_, i) => {
    const filler = JSON.stringify({ note: `"quoted" \\ back\\slash é 🐟 ${i}`.repeat(2000) });
    return { ...table(1000 + i), metadata: `{"format-version":2,"current-snapshot-id":${1000 + i},"properties":${filler}}` };
  });
}

export function namespace(props: Record<string, string> = {}, id = ''): NamespaceContent {
  return { type: 'NAMESPACE', id, properties: props };
}

const meta = (message: string, commitTimeMs?: number) => ({ author: 'alice', message, ...(commitTimeMs ? { commitTimeMs } : {}) });
const put = (key: ContentKey, content: TableContent | NamespaceContent, expectedContentId?: string): CommitOperation => ({
  kind: 'put',
  key,
  content,
  ...(expectedContentId !== undefined ? { expectedContentId } : {}),
});

async function rejects<T>(p: Promise<unknown>, cls: abstract new (...a: never[]) => T): Promise<T> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(cls);
    return err as T;
  }
  throw new Error(`expected ${cls.name}`);
}

export function storeContract(name: string, open: () => Promise<StoreFixture>): void {
  describe(`VersionStore contract on ${name}`, () => {
    let fx: StoreFixture;
    let s: VersionStore;
    beforeAll(async () => {
      fx = await open();
      s = fx.store;
      await s.init();
    });
    afterAll(async () => fx?.dispose());

    /** A new empty branch for one test. */
    async function branch(prefix = 'b'): Promise<string> {
      const n = `${prefix}-${randomUUID().slice(0, 8)}`;
      await s.createReference(n, 'BRANCH', NO_ANCESTOR_HASH);
      return n;
    }
    async function head(b: string) {
      return (await s.getReference(b)).hash;
    }
    async function commit(b: string, ops: CommitOperation[], msg = 'c', time?: number) {
      return s.commit(b, await head(b), meta(msg, time), ops);
    }

    it('init creates the default branch at the empty hash and is idempotent', async () => {
      await s.init();
      expect(s.defaultBranch).toBe('main');
      expect(await s.getReference('main')).toEqual({ name: 'main', type: 'BRANCH', hash: NO_ANCESTOR_HASH });
      await s.ping();
      expect((await s.listEntries(NO_ANCESTOR_HASH)).items).toEqual([]);
      expect((await s.log(NO_ANCESTOR_HASH)).items).toEqual([]);
    });

    it('creates, lists, assigns and deletes references by compare-and-swap', async () => {
      const b = await branch();
      const c1 = await commit(b, [put(['ns'], namespace())]);
      const tag = `t-${randomUUID().slice(0, 8)}`;
      expect(await s.createReference(tag, 'TAG', c1.hash.slice(0, 12))).toEqual({ name: tag, type: 'TAG', hash: c1.hash });
      const names = (await s.listReferences()).map((r) => r.name);
      expect(names).toContain(tag);
      expect(names).toContain('main');
      await rejects(s.createReference(tag, 'BRANCH', NO_ANCESTOR_HASH), AlreadyExistsError);
      await rejects(s.createReference('bad..name', 'BRANCH', NO_ANCESTOR_HASH), BadRequestError);
      await rejects(s.createReference('x-' + randomUUID(), 'BRANCH', 'ab'.repeat(32)), NotFoundError);
      await rejects(s.getReference('nope-' + randomUUID()), NotFoundError);

      const moved = await s.assignReference(tag, 'TAG', c1.hash, NO_ANCESTOR_HASH);
      expect(moved.hash).toBe(NO_ANCESTOR_HASH);
      const e = await rejects(s.assignReference(tag, 'TAG', c1.hash, c1.hash), ReferenceConflictError);
      expect([e.expectedHash, e.actualHash]).toEqual([c1.hash, NO_ANCESTOR_HASH]);
      await rejects(s.assignReference(tag, 'BRANCH', NO_ANCESTOR_HASH, c1.hash), NotFoundError);
      await rejects(s.deleteReference(tag, 'TAG', c1.hash), ReferenceConflictError);
      await s.deleteReference(tag, 'TAG', NO_ANCESTOR_HASH);
      await rejects(s.getReference(tag), NotFoundError);
      await rejects(s.deleteReference('main', 'BRANCH', await head('main')), BadRequestError);
    });

    it('commits puts and deletes and reads them at any commit', async () => {
      const b = await branch();
      const c1 = await commit(b, [put(['db'], namespace({ owner: 'x' })), put(['db', 't1'], table(1))], 'first', 1_000);
      expect(c1.parentHash).toBe(NO_ANCESTOR_HASH);
      expect(await head(b)).toBe(c1.hash);
      const t1 = await s.getContent(c1.hash, ['db', 't1']);
      expect(t1).toMatchObject({ type: 'ICEBERG_TABLE', snapshotId: 1n, metadataLocation: table(1).metadataLocation });
      expect(t1!.id).toMatch(/^[0-9a-f-]{36}$/);
      const ns = await s.getContent(c1.hash, ['db']);
      expect(ns).toMatchObject({ type: 'NAMESPACE', properties: { owner: 'x' } });
      expect(await s.getContent(c1.hash, ['db', 'nope'])).toBeNull();

      const big = 2n ** 62n + 7n;
      const c2 = await commit(b, [put(['db', 't1'], table(big, t1!.id), t1!.id), { kind: 'delete', key: ['db'], expectedContentId: ns!.id }]);
      expect(c2.parentHash).toBe(c1.hash);
      const many = await s.getContents(c2.hash, [['db', 't1'], ['db'], ['zz']]);
      expect([...many.keys()]).toEqual([keyToString(['db', 't1'])]);
      expect(many.get(keyToString(['db', 't1']))).toMatchObject({ snapshotId: big, id: t1!.id });
      // Old commits keep their values.
      expect(snapshotOf(await s.getContent(c1.hash, ['db', 't1']))).toBe(1n);

      const commit2 = await s.getCommit(c2.hash.slice(0, 10));
      expect(commit2).toMatchObject({ hash: c2.hash, parentHash: c1.hash, mergeParentHash: null, author: 'alice' });
      expect(commit2.operations).toEqual([
        { kind: 'put', key: ['db', 't1'], content: { ...table(big, t1!.id) } },
        { kind: 'delete', key: ['db'] },
      ]);
      const first = await s.getCommit(c1.hash);
      expect([first.message, first.commitTimeMs]).toEqual(['first', 1_000]);
      await rejects(s.getCommit('0123456789abcdef'), NotFoundError);
      await rejects(s.getCommit('xyz'), BadRequestError);
    });

    it('rejects operations that do not match the head', async () => {
      const b = await branch();
      const c1 = await commit(b, [put(['t'], table(1))]);
      const id = (await s.getContent(c1.hash, ['t']))!.id;
      const exists = await rejects(commit(b, [put(['t'], table(2))]), ConflictError);
      expect(exists.conflicts.map((c) => c.conflictType)).toEqual(['KEY_EXISTS']);
      const idDiff = await rejects(commit(b, [put(['t'], table(2), 'other-id')]), ConflictError);
      expect(idDiff.conflicts[0]).toMatchObject({ key: ['t'], conflictType: 'CONTENT_ID_DIFFERS' });
      const missing = await rejects(commit(b, [{ kind: 'delete', key: ['nope'] }, put(['u'], table(1), 'x')]), ConflictError);
      expect(missing.conflicts.map((c) => c.conflictType)).toEqual(['KEY_DOES_NOT_EXIST', 'KEY_DOES_NOT_EXIST']);
      await rejects(commit(b, [put(['a'], table(1)), { kind: 'delete', key: ['a'] }]), BadRequestError);
      expect(await head(b)).toBe(c1.hash);
      await commit(b, [put(['t'], table(3), id)]);

      const tag = `tag-${randomUUID().slice(0, 8)}`;
      await s.createReference(tag, 'TAG', c1.hash);
      await rejects(s.commit(tag, c1.hash, meta('x'), [put(['v'], table(1))]), ReadOnlyReferenceError);
      await rejects(s.commit('missing-' + randomUUID(), c1.hash, meta('x'), [put(['v'], table(1))]), NotFoundError);
    });

    it('rebases a stale commit over changes to other keys and conflicts on the same key', async () => {
      const b = await branch();
      const base = await commit(b, [put(['a'], table(1)), put(['b'], table(1))]);
      const ids = await s.getContents(base.hash, [['a'], ['b']]);
      const other = await s.commit(b, base.hash, meta('other'), [put(['b'], table(2), ids.get('b')!.id)]);
      const rebased = await s.commit(b, base.hash, meta('mine'), [put(['a'], table(2), ids.get('a')!.id)]);
      expect(rebased.parentHash).toBe(other.hash);
      const atHead = await s.getContents(await head(b), [['a'], ['b']]);
      expect([snapshotOf(atHead.get('a')), snapshotOf(atHead.get('b'))]).toEqual([2n, 2n]);

      const lost = await rejects(s.commit(b, base.hash, meta('late'), [put(['a'], table(9), ids.get('a')!.id)]), ConflictError);
      expect(lost.conflicts).toMatchObject([{ key: ['a'], conflictType: 'VALUE_DIFFERS' }]);

      const elsewhere = await branch();
      const foreign = await commit(elsewhere, [put(['z'], table(1))]);
      const refConflict = await rejects(s.commit(b, foreign.hash, meta('x'), [put(['c'], table(1))]), ReferenceConflictError);
      expect(refConflict.actualHash).toBe(rebased.hash);
    });

    it('lands every one of many concurrent commits to different keys exactly once', async () => {
      const b = await branch();
      const start = await head(b);
      const results = await Promise.all(
        Array.from({ length: 24 }, (_, i) => s.commit(b, start, meta(`w${i}`), [put(['k', `t${i}`], table(i))])),
      );
      const log = await s.log(await head(b), { pageSize: 100 });
      expect(log.items.map((c) => c.hash).sort()).toEqual(results.map((r) => r.hash).sort());
      // Linear history: each result's parent is the next older commit.
      for (let i = 0; i < log.items.length - 1; i++) expect(log.items[i].parentHash).toBe(log.items[i + 1].hash);
      expect((await s.listEntries(await head(b), { prefix: ['k'] })).items).toHaveLength(24);
    });

    it('fails only the conflicting requests among concurrent commits', async () => {
      const b = await branch();
      const start = (await commit(b, [put(['taken'], table(0))])).hash;
      const outcomes = await Promise.allSettled(
        Array.from({ length: 12 }, (_, i) =>
          s.commit(b, start, meta(`r${i}`), [put(i % 3 === 0 ? ['taken'] : ['free', `t${i}`], table(i))]),
        ),
      );
      const failed = outcomes.flatMap((o, i) => (o.status === 'rejected' ? [i] : []));
      expect(failed).toEqual([0, 3, 6, 9]);
      for (const i of failed) {
        const reason = (outcomes[i] as PromiseRejectedResult).reason;
        expect(reason).toBeInstanceOf(ConflictError);
        expect((reason as ConflictError).conflicts[0].conflictType).toBe('KEY_EXISTS');
      }
      expect((await s.log(await head(b))).items).toHaveLength(9);
      expect((await s.listEntries(await head(b), { prefix: ['free'] })).items).toHaveLength(8);
    });

    it('lists entries by prefix, depth and type with paging', async () => {
      const b = await branch();
      const ops: CommitOperation[] = [put(['a'], namespace()), put(['a', 'x'], namespace()), put(['ab'], namespace())];
      for (let i = 0; i < 120; i++) ops.push(put(['a', `t${String(i).padStart(3, '0')}`], table(i)));
      ops.push(put(['a', 'x', 'deep'], table(1)), put(['ab', 'other'], table(1)));
      const c = await commit(b, ops);
      const all = await s.listEntries(c.hash);
      expect(all.items).toHaveLength(125);
      expect(all.nextPageToken).toBeUndefined();
      const under = await s.listEntries(c.hash, { prefix: ['a'] });
      expect(under.items.map((e) => e.key.join('.'))).not.toContain('a');
      expect(under.items.map((e) => e.key.join('.'))).not.toContain('ab.other');
      expect(under.items).toHaveLength(122);
      const children = await s.listEntries(c.hash, { prefix: ['a'], depth: 1 });
      expect(children.items).toHaveLength(121);
      const nsOnly = await s.listEntries(c.hash, { prefix: ['a'], depth: 1, types: ['NAMESPACE'] });
      expect(nsOnly.items).toEqual([{ key: ['a', 'x'], type: 'NAMESPACE', contentId: expect.any(String) }]);
      const topLevel = await s.listEntries(c.hash, { depth: 1 });
      expect(topLevel.items.map((e) => e.key)).toEqual([['a'], ['ab']]);

      const seen: string[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const p = await s.listEntries(c.hash, { prefix: ['a'], depth: 1, types: ['ICEBERG_TABLE'], pageSize: 50, pageToken: token });
        seen.push(...p.items.map((e) => e.key[1]));
        token = p.nextPageToken;
        pages++;
      } while (token);
      expect(pages).toBe(3);
      expect(seen).toEqual(Array.from({ length: 120 }, (_, i) => `t${String(i).padStart(3, '0')}`));
      await rejects(s.listEntries(c.hash, { pageToken: '!!' }), BadRequestError);
    });

    it('pages the log, stops at untilHash, finds ancestors and hashes at a time', async () => {
      const b = await branch();
      const hashes: string[] = [];
      for (let i = 0; i < 7; i++) hashes.push((await commit(b, [put([`k${i}`], table(i))], `m${i}`, 10_000 + i * 1000)).hash);
      const newestFirst = [...hashes].reverse();
      const p1 = await s.log(await head(b), { pageSize: 3 });
      expect(p1.items.map((c) => c.hash)).toEqual(newestFirst.slice(0, 3));
      const p2 = await s.log(await head(b), { pageSize: 3, pageToken: p1.nextPageToken });
      const p3 = await s.log(await head(b), { pageSize: 3, pageToken: p2.nextPageToken });
      expect([...p2.items, ...p3.items].map((c) => c.hash)).toEqual(newestFirst.slice(3));
      expect(p3.nextPageToken).toBeUndefined();
      const until = await s.log(await head(b), { untilHash: hashes[4] });
      expect(until.items.map((c) => c.message)).toEqual(['m6', 'm5', 'm4']);

      expect(await s.ancestor(hashes[6], 0)).toBe(hashes[6]);
      expect(await s.ancestor(hashes[6], 2)).toBe(hashes[4]);
      expect(await s.ancestor(hashes[6], 7)).toBe(NO_ANCESTOR_HASH);
      await rejects(s.ancestor(hashes[6], 8), NotFoundError);

      expect(await s.commitAtTime(await head(b), 12_500)).toBe(hashes[2]);
      expect(await s.commitAtTime(await head(b), 12_000)).toBe(hashes[2]);
      expect(await s.commitAtTime(await head(b), 99_999)).toBe(hashes[6]);
      expect(await s.commitAtTime(await head(b), 5)).toBe(NO_ANCESTOR_HASH);
      // From a commit inside the history, and from an abbreviated hash.
      expect(await s.commitAtTime(hashes[4], 99_999)).toBe(hashes[4]);
      expect(await s.commitAtTime(hashes[4].slice(0, 12), 12_500)).toBe(hashes[2]);
      // Commit times never go backwards along a branch.
      const older = await commit(b, [put(['late'], table(1))], 'clock skew', 1);
      expect(older.commitTimeMs).toBe(16_000);
    });

    it('diffs two commits by changed keys, with prefix and paging', async () => {
      const b = await branch();
      const ops: CommitOperation[] = [];
      for (let i = 0; i < 200; i++) ops.push(put(['d', `t${String(i).padStart(3, '0')}`], table(i)));
      const from = await commit(b, [...ops, put(['e', 'x'], table(1))]);
      const ids = await s.getContents(from.hash, [['d', 't005'], ['d', 't100'], ['e', 'x']]);
      const to = await commit(b, [
        { kind: 'delete', key: ['d', 't005'] },
        put(['d', 't100'], table(1000, ids.get(keyToString(['d', 't100']))!.id), ids.get(keyToString(['d', 't100']))!.id),
        put(['d', 'zzz'], table(5)),
        put(['e', 'x'], table(2, ids.get(keyToString(['e', 'x']))!.id), ids.get(keyToString(['e', 'x']))!.id),
      ]);
      const d = await s.diff(from.hash, to.hash);
      expect(d.items.map((e) => [e.key.join('.'), e.from?.type ?? null, e.to?.type ?? null])).toEqual([
        ['d.t005', 'ICEBERG_TABLE', null],
        ['d.t100', 'ICEBERG_TABLE', 'ICEBERG_TABLE'],
        ['d.zzz', null, 'ICEBERG_TABLE'],
        ['e.x', 'ICEBERG_TABLE', 'ICEBERG_TABLE'],
      ]);
      const dTo = d.items[1].to;
      expect(dTo?.type === 'ICEBERG_TABLE' && dTo.snapshotId).toBe(1000n);
      const onlyD = await s.diff(from.hash, to.hash, { prefix: ['d'], pageSize: 2 });
      expect(onlyD.items.map((e) => e.key.join('.'))).toEqual(['d.t005', 'd.t100']);
      const rest = await s.diff(from.hash, to.hash, { prefix: ['d'], pageSize: 2, pageToken: onlyD.nextPageToken });
      expect(rest.items.map((e) => e.key.join('.'))).toEqual(['d.zzz']);
      expect(rest.nextPageToken).toBeUndefined();
      expect((await s.diff(to.hash, to.hash)).items).toEqual([]);
      const reverse = await s.diff(to.hash, from.hash);
      expect(reverse.items[0]).toMatchObject({ key: ['d', 't005'], from: null });
    });

    it('merges a branch as one commit, then finds nothing more to merge', async () => {
      const target = await branch('main-like');
      const base = await commit(target, [put(['db'], namespace()), put(['db', 'a'], table(1)), put(['db', 'b'], table(1))]);
      const dev = `dev-${randomUUID().slice(0, 8)}`;
      await s.createReference(dev, 'BRANCH', base.hash);
      const ids = await s.getContents(base.hash, [['db', 'a'], ['db', 'b']]);
      const idA = ids.get(keyToString(['db', 'a']))!.id;
      await commit(dev, [put(['db', 'a'], table(2, idA), idA)]);
      const devHead = (await commit(dev, [put(['db', 'c'], table(1))])).hash;
      const onTarget = await commit(target, [{ kind: 'delete', key: ['db', 'b'] }]);
      expect(await s.mergeBase(devHead, onTarget.hash)).toBe(base.hash);

      const dry = await s.merge({ fromHash: devHead, toBranch: target, meta: meta('merge'), dryRun: true });
      expect(dry).toMatchObject({ wasApplied: false, wasSuccessful: true, commonAncestor: base.hash, resultantTargetHash: onTarget.hash });
      expect(dry.details.map((d) => d.key.join('.'))).toEqual(['db.a', 'db.c']);
      expect(await head(target)).toBe(onTarget.hash);

      const r = await s.merge({ fromHash: devHead, fromRefName: dev, toBranch: target, meta: meta('merge dev') });
      expect(r).toMatchObject({ wasApplied: true, wasSuccessful: true, effectiveTargetHash: onTarget.hash });
      expect(await head(target)).toBe(r.resultantTargetHash);
      const mc = await s.getCommit(r.resultantTargetHash);
      expect([mc.parentHash, mc.mergeParentHash, mc.message]).toEqual([onTarget.hash, devHead, 'merge dev']);
      expect(mc.operations.map((o) => `${o.kind}:${o.key.join('.')}`)).toEqual(['put:db.a', 'put:db.c']);
      const entries = await s.listEntries(r.resultantTargetHash, { prefix: ['db'] });
      expect(entries.items.map((e) => e.key.join('.'))).toEqual(['db.a', 'db.c']);

      expect(await s.mergeBase(devHead, r.resultantTargetHash)).toBe(devHead);
      const again = await s.merge({ fromHash: devHead, toBranch: target, meta: meta('again') });
      expect(again).toMatchObject({ wasApplied: false, wasSuccessful: true, resultantTargetHash: r.resultantTargetHash });
      const devNext = await commit(dev, [put(['db', 'd'], table(1))]);
      expect(await s.mergeBase(devNext.hash, r.resultantTargetHash)).toBe(devHead);
      const second = await s.merge({ fromHash: devNext.hash, toBranch: target, meta: meta('second') });
      expect((await s.getCommit(second.resultantTargetHash)).operations.map((o) => o.key.join('.'))).toEqual(['db.d']);
    });

    it('finds the merge base of long divergent histories', async () => {
      const a = await branch();
      const fork = (await commit(a, [put(['x'], table(0))])).hash;
      const b = `fork-${randomUUID().slice(0, 8)}`;
      await s.createReference(b, 'BRANCH', fork);
      // More than 512 commits per side, so the search has to widen its generation window.
      const grow = (br: string, n: number) =>
        Promise.all(
          Array.from({ length: 8 }, async (_, w) => {
            for (let i = 0; i < n / 8; i++) await s.commit(br, fork, meta('g'), [put([`${br}-${w}-${i}`], table(i))]);
          }),
        );
      await Promise.all([grow(a, 600), grow(b, 560)]);
      const [ha, hb] = [await head(a), await head(b)];
      expect((await s.log(ha, { untilHash: fork, pageSize: 1000 })).items).toHaveLength(601);
      expect(await s.mergeBase(ha, hb)).toBe(fork);
      expect(await s.mergeBase(hb, ha)).toBe(fork);
      expect(await s.mergeBase(ha, fork)).toBe(fork);
      expect(await s.mergeBase(ha, NO_ANCESTOR_HASH)).toBe(NO_ANCESTOR_HASH);
    });

    it('reports merge conflicts per key and honours FORCE and DROP', async () => {
      const target = await branch();
      const base = await commit(target, [put(['a'], table(1)), put(['b'], table(1)), put(['c'], table(1))]);
      const ids = await s.getContents(base.hash, [['a'], ['b'], ['c']]);
      const id = (k: string) => ids.get(k)!.id;
      const dev = `dev-${randomUUID().slice(0, 8)}`;
      await s.createReference(dev, 'BRANCH', base.hash);
      const devHead = (
        await commit(dev, [put(['a'], table(2, id('a')), id('a')), put(['b'], table(2, id('b')), id('b')), put(['c'], table(7, id('c')), id('c')), put(['n'], table(2))])
      ).hash;
      const tHead = (
        await commit(target, [put(['a'], table(3, id('a')), id('a')), { kind: 'delete', key: ['b'] }, put(['c'], table(7, id('c')), id('c')), put(['n'], table(3))])
      ).hash;

      const r = await s.merge({ fromHash: devHead, toBranch: target, meta: meta('m') });
      expect(r).toMatchObject({ wasApplied: false, wasSuccessful: false, resultantTargetHash: tHead });
      const byKey = Object.fromEntries(r.details.map((d) => [d.key.join('.'), d.conflict?.conflictType ?? 'none']));
      expect(byKey).toEqual({ a: 'VALUE_DIFFERS', b: 'KEY_DOES_NOT_EXIST', c: 'none', n: 'KEY_EXISTS' });
      const a = r.details.find((d) => d.key[0] === 'a')!;
      expect([a.sourceContent?.type === 'ICEBERG_TABLE' && a.sourceContent.snapshotId, a.targetContent?.type === 'ICEBERG_TABLE' && a.targetContent.snapshotId]).toEqual([2n, 3n]);
      expect(await head(target)).toBe(tHead);

      const forced = await s.merge({
        fromHash: devHead,
        toBranch: target,
        meta: meta('m'),
        expectedHash: tHead,
        keyMergeBehaviors: [{ key: ['a'], behavior: 'FORCE' }, { key: ['b'], behavior: 'DROP' }, { key: ['n'], behavior: 'DROP' }],
      });
      expect(forced).toMatchObject({ wasApplied: true, wasSuccessful: true, expectedHash: tHead });
      const after = await s.getContents(forced.resultantTargetHash, [['a'], ['b'], ['n']]);
      const snap = (k: string) => {
        const c = after.get(k);
        return c?.type === 'ICEBERG_TABLE' ? c.snapshotId : null;
      };
      expect([snap('a'), snap('b'), snap('n')]).toEqual([2n, null, 3n]);
      // Unchanged-equal key c is not rewritten.
      expect((await s.getCommit(forced.resultantTargetHash)).operations.map((o) => o.key.join('.'))).toEqual(['a']);

      const stale = await rejects(
        s.merge({ fromHash: devHead, toBranch: target, meta: meta('m'), expectedHash: devHead, defaultMergeBehavior: 'FORCE' }),
        ReferenceConflictError,
      );
      expect(stale.actualHash).toBe(forced.resultantTargetHash);
      const tag = `tag-${randomUUID().slice(0, 8)}`;
      await s.createReference(tag, 'TAG', base.hash);
      await rejects(s.merge({ fromHash: devHead, toBranch: tag, meta: meta('m') }), ReadOnlyReferenceError);
    });

    it('transplants commits one by one, with dry run and conflicts', async () => {
      const target = await branch();
      const base = await commit(target, [put(['a'], table(1))]);
      const idA = (await s.getContent(base.hash, ['a']))!.id;
      const src = `src-${randomUUID().slice(0, 8)}`;
      await s.createReference(src, 'BRANCH', base.hash);
      const c1 = await commit(src, [put(['x'], table(1))], 'add x');
      const c2 = await commit(src, [put(['a'], table(5, idA), idA)], 'change a');
      await commit(target, [put(['y'], table(1))]);
      const before = await head(target);

      // A stale but ancestral expected hash is accepted (resolved from a prefix, checked under the branch lock).
      const dry = await s.transplant({ hashes: [c1.hash, c2.hash], toBranch: target, dryRun: true, expectedHash: base.hash.slice(0, 12) });
      expect(dry).toMatchObject({ wasApplied: false, wasSuccessful: true, resultantTargetHash: before });
      await rejects(s.transplant({ hashes: [c1.hash], toBranch: target, expectedHash: c2.hash }), ReferenceConflictError);
      expect(await head(target)).toBe(before);

      const r = await s.transplant({ hashes: [c1.hash, c2.hash], fromRefName: src, toBranch: target });
      expect(r).toMatchObject({ wasApplied: true, wasSuccessful: true });
      const log = await s.log(r.resultantTargetHash, { pageSize: 2 });
      expect(log.items.map((c) => c.message)).toEqual(['change a', 'add x']);
      expect(log.items[1].parentHash).toBe(before);
      const a = await s.getContent(r.resultantTargetHash, ['a']);
      expect(a?.type === 'ICEBERG_TABLE' && a.snapshotId).toBe(5n);

      const other = await branch();
      await commit(other, [put(['a'], table(9))]);
      const conflict = await s.transplant({ hashes: [c2.hash], toBranch: other });
      expect(conflict.wasSuccessful).toBe(false);
      expect(conflict.details[0].conflict?.conflictType).toBe('VALUE_DIFFERS');
    });

    it('keeps lookups and listings right across many commits and deletions', async () => {
      const b = await branch();
      const ops: CommitOperation[] = [];
      for (let i = 0; i < 1500; i++) ops.push(put(['w', `t${i}`], table(i)));
      let h = (await commit(b, ops)).hash;
      const entries = await s.listEntries(h, { prefix: ['w'] });
      const ids = new Map(entries.items.map((e) => [e.key[1], e.contentId]));
      for (let round = 0; round < 5; round++) {
        const dels: CommitOperation[] = [];
        for (let i = round; i < 1500; i += 5) if (i % 3 === 0) dels.push({ kind: 'delete', key: ['w', `t${i}`], expectedContentId: ids.get(`t${i}`)! });
        h = (await s.commit(b, h, meta(`del ${round}`), dels)).hash;
      }
      const left = await s.listEntries(h, { prefix: ['w'] });
      expect(left.items).toHaveLength(1000);
      expect(await s.getContent(h, ['w', 't3'])).toBeNull();
      expect(await s.getContent(h, ['w', 't4'])).toMatchObject({ snapshotId: 4n });
    });
  });
}

/** The snapshot id of table content; undefined for anything else. */
function snapshotOf(content: Content | null | undefined): bigint | undefined {
  return content?.type === 'ICEBERG_TABLE' ? content.snapshotId : undefined;
}
