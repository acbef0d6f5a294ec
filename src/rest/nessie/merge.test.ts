import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JsonObject } from '../../iceberg/json.js';
import { conflictsOf, namespace, put, startNessie, type NessieHarness } from './nessie-test-harness.js';

let h: NessieHarness;

beforeAll(async () => {
  h = await startNessie();
  await h.commit('main', [put(['db'], namespace(['db'])), put(['db', 't'], h.table('s3://w/db/t/0.json', 1n))], 'base');
});
afterAll(async () => {
  await h.close();
});

async function branch(name: string, from = 'main'): Promise<void> {
  const r = await h.call('POST', `/trees?name=${name}&type=BRANCH`, { type: 'BRANCH', name: from, hash: await h.head(from) });
  expect(r.status).toBe(200);
}

async function tableId(ref: string, key = 'db.t'): Promise<string> {
  return ((await h.call('GET', `/trees/${ref}/contents/${key}`)).body.content as JsonObject).id as string;
}

/** Appends a snapshot to db.t on `ref` (an update of the existing content). */
async function updateTable(ref: string, location: string, snapshot: bigint): Promise<string> {
  return h.commit(ref, [put(['db', 't'], h.table(location, snapshot, await tableId(ref)))], `update ${location}`);
}

const merge = async (into: string, body: JsonObject) => h.call('POST', `/trees/${into}@${await h.head(into)}/history/merge`, body);

describe('POST /trees/{branch@hash}/history/merge', () => {
  it('merges a branch into main as one commit whose merge parent is the source head', async () => {
    await branch('m1');
    await h.commit('m1', [put(['db', 'u'], h.table('s3://w/db/u/0.json', 7n))], 'add u');
    await updateTable('m1', 's3://w/db/t/1.json', 2n);
    const source = await h.head('m1');
    const before = await h.head('main');
    const r = await merge('main', { fromRefName: 'm1', fromHash: source, commitMeta: { message: 'merge m1' } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ targetBranch: 'main', wasApplied: true, wasSuccessful: true, effectiveTargetHash: before, expectedHash: before, commonAncestor: before });
    const head = await h.head('main');
    expect(r.body.resultantTargetHash).toBe(head);
    expect((r.body.details as JsonObject[]).map((d) => d.key)).toEqual([{ elements: ['db', 't'] }, { elements: ['db', 'u'] }]);
    expect((r.body.details as JsonObject[])[0]).toMatchObject({ mergeBehavior: 'NORMAL', conflictType: 'NONE' });

    const log = await h.call('GET', '/trees/main/history?max-records=1');
    const meta = (log.body.logEntries as JsonObject[])[0].commitMeta as JsonObject;
    expect(meta).toMatchObject({ message: 'merge m1', parentCommitHashes: [before, source] });
    // ^2 names the merge parent.
    const viaParent = await h.call('GET', `/trees/main@${head}^2/history?max-records=1`);
    expect(((viaParent.body.logEntries as JsonObject[])[0].commitMeta as JsonObject).hash).toBe(source);
    expect(((await h.call('GET', '/trees/main/contents/db.t')).body.content as JsonObject).snapshotId).toBe(2);
  });

  it('merges a detached commit named by fromRefName DETACHED', async () => {
    await branch('md');
    const hash = await h.commit('md', [put(['db', 'md'], h.table('s3://w/db/md.json', 1n))]);
    const r = await merge('main', { fromRefName: 'DETACHED', fromHash: hash });
    expect(r.status).toBe(200);
    expect(r.body.wasApplied).toBe(true);
    expect((await h.call('GET', '/trees/main/contents/db.md')).status).toBe(200);
    expect((await merge('main', { fromRefName: 'DETACHED' })).status).toBe(400);
  });

  it('uses the source head when fromHash is absent and generates a message', async () => {
    await branch('m2');
    await h.commit('m2', [put(['db', 'v'], h.table('s3://w/db/v/0.json', 1n))]);
    const r = await merge('main', { fromRefName: 'm2' });
    expect(r.status).toBe(200);
    expect(r.body.wasApplied).toBe(true);
    const log = await h.call('GET', '/trees/main/history?max-records=1');
    expect(((log.body.logEntries as JsonObject[])[0].commitMeta as JsonObject).message).toContain('Merged m2 at');
  });

  describe('with a conflicting change on both sides', () => {
    beforeAll(async () => {
      await branch('c1');
      await updateTable('c1', 's3://w/db/t/c1.json', 10n);
      await updateTable('main', 's3://w/db/t/main.json', 11n);
    });

    it('fails with REFERENCE_CONFLICT listing the key and its conflict type', async () => {
      const before = await h.head('main');
      const r = await merge('main', { fromRefName: 'c1', fromHash: await h.head('c1') });
      expect(r.status).toBe(409);
      expect(r.body.errorCode).toBe('REFERENCE_CONFLICT');
      expect(r.body.message).toContain("'db.t'");
      expect(conflictsOf(r.body)).toEqual([expect.objectContaining({ conflictType: 'VALUE_DIFFERS', key: { elements: ['db', 't'] } })]);
      expect(await h.head('main')).toBe(before);
    });

    it('returns the conflict as a result with isReturnConflictAsResult', async () => {
      const before = await h.head('main');
      const r = await merge('main', { fromRefName: 'c1', isReturnConflictAsResult: true });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ wasApplied: false, wasSuccessful: false, resultantTargetHash: before });
      const detail = (r.body.details as JsonObject[]).find((d) => (d.key as JsonObject).elements!.toString() === 'db,t') as JsonObject;
      expect(detail).toMatchObject({ conflictType: 'UNRESOLVABLE', conflict: { conflictType: 'VALUE_DIFFERS', key: { elements: ['db', 't'] } } });
    });

    it('does not change the target on a dry run, also when it would succeed', async () => {
      const before = await h.head('main');
      const r = await merge('main', { fromRefName: 'c1', isDryRun: true, keyMergeModes: [{ key: { elements: ['db', 't'] }, mergeBehavior: 'FORCE' }] });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ wasApplied: false, wasSuccessful: true });
      const bean = await merge('main', { fromRefName: 'c1', dryRun: true, defaultKeyMergeMode: 'FORCE' });
      expect(bean.body).toMatchObject({ wasApplied: false, wasSuccessful: true });
      expect(await h.head('main')).toBe(before);
    });

    it('resolves by DROP (keep the target) or FORCE (take the source) per key', async () => {
      await branch('drop', 'main');
      const dropped = await merge('drop', { fromRefName: 'c1', keyMergeModes: [{ key: { elements: ['db', 't'] }, mergeBehavior: 'DROP' }] });
      expect(dropped.status).toBe(200);
      expect(((await h.call('GET', '/trees/drop/contents/db.t')).body.content as JsonObject).snapshotId).toBe(11);
      const forced = await merge('main', { fromRefName: 'c1', keyMergeModes: [{ key: { elements: ['db', 't'] }, mergeBehavior: 'FORCE' }] });
      expect(forced.status).toBe(200);
      expect(forced.body).toMatchObject({ wasApplied: true, wasSuccessful: true });
      expect(((await h.call('GET', '/trees/main/contents/db.t')).body.content as JsonObject).snapshotId).toBe(10);
    });
  });

  it('rejects a stale expected hash, unknown sources and bad bodies', async () => {
    await branch('m3');
    await h.commit('m3', [put(['db', 'w'], h.table('s3://w/db/w/0.json', 1n))]);
    const foreign = await h.head('m3');
    const stale = await h.call('POST', `/trees/main@${foreign}/history/merge`, { fromRefName: 'm3' });
    expect(stale.status).toBe(409);
    expect(stale.body.errorCode).toBe('REFERENCE_CONFLICT');
    expect((await merge('main', { fromRefName: 'nope' })).body.errorCode).toBe('REFERENCE_NOT_FOUND');
    expect((await merge('main', {})).status).toBe(400);
    expect((await merge('main', { fromRefName: 'm3', defaultKeyMergeMode: 'SOMETIMES' })).status).toBe(400);
    expect((await merge('main', { fromRefName: 'm3', fromHash: 'not-a-hash' })).status).toBe(400);
    const noHash = await h.call('POST', '/trees/main/history/merge', { fromRefName: 'm3' });
    expect(noHash.body.message).toBe('Expected hash must be provided.');
  });
});

describe('POST /trees/{branch@hash}/history/transplant', () => {
  it('re-applies selected commits onto the target, keeping their messages', async () => {
    await branch('tp');
    const first = await h.commit('tp', [put(['db', 'tp1'], h.table('s3://w/db/tp1.json', 1n))], 'tp one');
    await h.commit('tp', [put(['db', 'tp2'], h.table('s3://w/db/tp2.json', 1n))], 'tp two');
    await branch('tgt');
    const before = await h.head('tgt');
    const r = await h.call('POST', `/trees/tgt@${before}/history/transplant`, { fromRefName: 'tp', hashesToTransplant: [first] });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ targetBranch: 'tgt', wasApplied: true, wasSuccessful: true, effectiveTargetHash: before });
    expect(r.body.commonAncestor).toBeUndefined();
    expect((await h.call('GET', '/trees/tgt/contents/db.tp1')).status).toBe(200);
    expect((await h.call('GET', '/trees/tgt/contents/db.tp2')).status).toBe(404);
    const log = await h.call('GET', '/trees/tgt/history?max-records=1');
    expect(((log.body.logEntries as JsonObject[])[0].commitMeta as JsonObject).message).toBe('tp one');
  });

  it('reports conflicts like a merge, and rejects an empty list', async () => {
    await branch('tc');
    const change = await updateTable('tc', 's3://w/db/t/tc.json', 20n);
    await updateTable('main', 's3://w/db/t/main2.json', 21n);
    const r = await h.call('POST', `/trees/main@${await h.head('main')}/history/transplant`, { fromRefName: 'tc', hashesToTransplant: [change] });
    expect(r.status).toBe(409);
    expect(conflictsOf(r.body)[0]).toMatchObject({ key: { elements: ['db', 't'] } });
    const asResult = await h.call('POST', `/trees/main@${await h.head('main')}/history/transplant`, {
      fromRefName: 'tc',
      hashesToTransplant: [change],
      isReturnConflictAsResult: true,
    });
    expect(asResult.body).toMatchObject({ wasApplied: false, wasSuccessful: false });
    const empty = await h.call('POST', `/trees/main@${await h.head('main')}/history/transplant`, { fromRefName: 'tc', hashesToTransplant: [] });
    expect(empty.body.message).toBe('No hashes given to transplant.');
  });
});
