import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymousActor } from '../context.js';
import { BadRequestError, ConflictError, NotFoundError } from '../errors.js';
import type { CommitOperation, TableContent } from '../model.js';
import { createTestCatalog, type TestCatalog } from '../testing.js';

const actor = anonymousActor('merger');

function table(id: string, snapshotId: bigint): TableContent {
  return { type: 'ICEBERG_TABLE', id, metadataLocation: `s3://w/${id}/${snapshotId}.json`, metadata: '{}', snapshotId, schemaId: 0, specId: 0, sortOrderId: 0 };
}
const put = (key: string[], content: TableContent): CommitOperation => ({ kind: 'put', key, content });
/** An update of an existing table (same content id). */
const update = (key: string[], content: TableContent): CommitOperation => ({ kind: 'put', key, content, expectedContentId: content.id });

describe('merge and transplant verbs', () => {
  let t: TestCatalog;
  const head = async (b: string) => (await t.catalog.refs.get(actor, b)).hash;
  const branch = async (name: string) => t.catalog.refs.create(actor, name, 'BRANCH', undefined);
  const snapshotOn = async (b: string, key: string[]) => {
    const { content } = await t.catalog.contents.get(actor, b, key);
    return content.type === 'ICEBERG_TABLE' ? content.snapshotId : undefined;
  };

  beforeAll(async () => {
    t = await createTestCatalog();
    await t.seed('main', 'base', [
      { kind: 'put', key: ['db'], content: { type: 'NAMESPACE', id: 'ns', properties: {} } },
      put(['db', 'a'], table('a', 1n)),
      put(['db', 'b'], table('b', 1n)),
    ]);
  });
  afterAll(() => t.close());

  it('merges a branch as one commit with the default message, and answers what it did per key', async () => {
    await branch('f1');
    await t.seed('f1', 'change a', [update(['db', 'a'], table('a', 2n))]);
    const before = await head('main');
    const r = await t.catalog.merges.merge(actor, { target: `main@${before}`, fromRefName: 'f1' });
    expect(r).toMatchObject({ targetBranch: 'main', wasApplied: true, wasSuccessful: true, effectiveTargetHash: before });
    expect(r.resultantTargetHash).toBe(await head('main'));
    expect(r.details.map((d) => [d.key.join('.'), d.behavior])).toEqual([['db.a', 'NORMAL']]);
    expect(await snapshotOn('main', ['db', 'a'])).toBe(2n);
    const [merge] = (await t.catalog.history.log(actor, 'main', { pageSize: 1 })).items;
    expect(merge.message).toBe(`Merged f1 at ${await head('f1')} into main at ${before}`);
    expect(merge.author).toBe('merger');
    expect(merge.mergeParentHash).toBe(await head('f1'));
  });

  it('raises a ConflictError per key, or answers it as a result when asked', async () => {
    await branch('f2');
    await t.seed('f2', 'b on f2', [update(['db', 'b'], table('b', 20n))]);
    await t.seed('main', 'b on main', [update(['db', 'b'], table('b', 30n))]);
    const target = `main@${await head('main')}`;
    const err = await t.catalog.merges.merge(actor, { target, fromRefName: 'f2' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect((err as ConflictError).message).toBe("The following keys have been changed in conflict: 'db.b'");
    expect((err as ConflictError).conflicts.map((c) => [c.key.join('.'), c.conflictType])).toEqual([['db.b', 'VALUE_DIFFERS']]);
    const asResult = await t.catalog.merges.merge(actor, { target, fromRefName: 'f2', conflictsAsResult: true });
    expect(asResult).toMatchObject({ wasApplied: false, wasSuccessful: false });
    expect(asResult.details[0].conflict?.conflictType).toBe('VALUE_DIFFERS');
    expect(await snapshotOn('main', ['db', 'b'])).toBe(30n);
    // FORCE on the conflicting key takes the source.
    const forced = await t.catalog.merges.merge(actor, { target, fromRefName: 'f2', keyBehaviors: [{ key: ['db', 'b'], behavior: 'FORCE' }] });
    expect(forced.wasApplied).toBe(true);
    expect(await snapshotOn('main', ['db', 'b'])).toBe(20n);
  });

  it('writes a resolution of a conflicting key only while both sides still hold what it was computed from', async () => {
    await branch('f5');
    await t.seed('f5', 'a on f5', [update(['db', 'a'], table('a', 50n))]);
    await t.seed('main', 'a on main', [update(['db', 'a'], table('a', 60n))]);
    const merged = table('a', 70n);
    const request = async (expectedTarget: TableContent) => ({
      fromHash: await head('f5'),
      fromRefName: 'f5',
      toBranch: 'main',
      meta: { message: 'merge f5', author: 'merger' },
      resolutions: [{ key: ['db', 'a'], expectedSource: table('a', 50n), expectedTarget, content: merged }],
    });
    const before = await head('main');
    // Computed from a target value main no longer holds: a conflict, nothing written.
    const stale = await t.deps.store.merge(await request(table('a', 2n)));
    expect(stale).toMatchObject({ wasApplied: false, wasSuccessful: false });
    expect(stale.details[0].conflict?.conflictType).toBe('VALUE_DIFFERS');
    expect(await head('main')).toBe(before);
    const landed = await t.deps.store.merge(await request(table('a', 60n)));
    expect(landed).toMatchObject({ wasApplied: true, wasSuccessful: true });
    expect(await snapshotOn('main', ['db', 'a'])).toBe(70n);
  });

  it('refuses per-key behaviours for keys the merge does not touch, before changing anything', async () => {
    await branch('f3');
    await t.seed('f3', 'a on f3', [update(['db', 'a'], table('a', 3n))]);
    const before = await head('main');
    for (const dryRun of [false, true]) {
      await expect(
        t.catalog.merges.merge(actor, { target: `main@${before}`, fromRefName: 'f3', dryRun, keyBehaviors: [{ key: ['db', 'typo'], behavior: 'FORCE' }] }),
      ).rejects.toThrow(new BadRequestError('Not all merge key behaviors specified in the request have been used. The following keys were not used: [db.typo]'));
    }
    expect(await head('main')).toBe(before);
    await expect(
      t.catalog.merges.transplant(actor, {
        target: `main@${before}`,
        fromRefName: 'f3',
        hashes: [await head('f3')],
        keyBehaviors: [{ key: ['db', 'b'], behavior: 'DROP' }],
      }),
    ).rejects.toThrow('The following keys were not used: [db.b]');
    expect(await head('main')).toBe(before);
  });

  it('checks the source and target it is given', async () => {
    const target = `main@${await head('main')}`;
    await expect(t.catalog.merges.merge(actor, { target, fromRefName: undefined })).rejects.toThrow("Invalid fromRefName ''");
    await expect(t.catalog.merges.merge(actor, { target, fromRefName: 'DETACHED' })).rejects.toThrow('Source hash must contain a starting commit ID.');
    await expect(t.catalog.merges.merge(actor, { target, fromRefName: 'nope' })).rejects.toThrow(NotFoundError);
    await expect(t.catalog.merges.merge(actor, { target: 'main', fromRefName: 'f3' })).rejects.toThrow('Expected hash must be provided.');
    await expect(t.catalog.merges.transplant(actor, { target, fromRefName: 'f3', hashes: [] })).rejects.toThrow('No hashes given to transplant.');
    await expect(t.catalog.merges.transplant(actor, { target, fromRefName: 'f3', hashes: ['~1'] })).rejects.toThrow(
      'Hash to transplant must contain a starting commit ID.',
    );
  });

  it('transplants commits given as hash specs onto a branch, keeping their messages', async () => {
    await branch('f4');
    await t.seed('f4', 'first on f4', [put(['db', 'c'], table('c', 1n))]);
    await t.seed('f4', 'second on f4', [put(['db', 'd'], table('d', 1n))]);
    const before = await head('main');
    const r = await t.catalog.merges.transplant(actor, { target: `main@${before}`, fromRefName: 'f4', hashes: [`${await head('f4')}~1`] });
    expect(r).toMatchObject({ wasApplied: true, wasSuccessful: true, commonAncestor: '' });
    const [c] = (await t.catalog.history.log(actor, 'main', { pageSize: 1 })).items;
    expect(c.message).toBe('first on f4');
    expect(c.parentHash).toBe(before);
    await expect(t.catalog.contents.get(actor, 'main', ['db', 'd'])).rejects.toThrow(NotFoundError);
  });
});
