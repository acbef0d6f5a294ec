import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymousActor } from '../context.js';
import { BadRequestError, ConflictError } from '../errors.js';
import { createTestCatalog, type TestCatalog } from '../testing.js';
import type { ContentInput, OperationInput } from './commit-operations.js';

const actor = anonymousActor();

describe('commitOperations (Put/Delete planned by the client)', () => {
  let t: TestCatalog;
  const head = async (b: string) => (await t.catalog.refs.get(actor, b)).hash;
  const commit = async (b: string, operations: OperationInput[], message = 'm') =>
    t.catalog.contents.commit(actor, `${b}@${await head(b)}`, { message, author: 'alice' }, operations);
  const table = (location: string, id?: string): ContentInput => {
    t.files.set(location, JSON.stringify({ 'format-version': 2, location }));
    return { type: 'ICEBERG_TABLE', ...(id ? { id } : {}), metadataLocation: location, snapshotId: 5n, schemaId: 0, specId: 0, sortOrderId: 0 };
  };
  const ns: ContentInput = { type: 'NAMESPACE', properties: {} };

  beforeAll(async () => {
    t = await createTestCatalog();
  });
  afterAll(() => t.close());

  it('assigns content ids to new keys, stores the metadata text it reads, and records the client author', async () => {
    const r = await commit('main', [
      { kind: 'put', key: ['db'], content: ns },
      { kind: 'put', key: ['db', 't'], content: table('s3://w/db/t/0.json') },
    ]);
    expect(r.target.name).toBe('main');
    expect(r.target.hash).toBe(await head('main'));
    expect(r.addedContents.map((a) => a.key)).toEqual([['db'], ['db', 't']]);
    const { content } = await t.catalog.contents.get(actor, 'main', ['db', 't']);
    expect(content.type === 'ICEBERG_TABLE' && content.metadata).toBe(t.files.get('s3://w/db/t/0.json'));
    expect(content.id).toBe(r.addedContents[1].contentId);
    const log = await t.catalog.history.log(actor, 'main', { pageSize: 1 });
    expect(log.items[0]).toMatchObject({ author: 'alice', message: 'm' });
  });

  it("applies Nessie's content-id rules: updates carry the existing id, new keys none, renames move it", async () => {
    const { content } = await t.catalog.contents.get(actor, 'main', ['db', 't']);
    await expect(commit('main', [{ kind: 'put', key: ['db', 't'], content: table('s3://w/db/t/1.json') }])).rejects.toThrow(
      "New value to update existing key 'db.t' has no content ID",
    );
    await expect(commit('main', [{ kind: 'put', key: ['db', 't'], content: table('s3://w/db/t/1.json', 'other') }])).rejects.toThrow(
      'which is different from the content ID other',
    );
    await expect(commit('main', [{ kind: 'put', key: ['db', 'u'], content: table('s3://w/db/u.json', content.id) }])).rejects.toThrow(
      "New value for key 'db.u' must not have a content ID",
    );
    const reads = t.reads.length;
    const renamed = await commit('main', [
      { kind: 'delete', key: ['db', 't'] },
      { kind: 'put', key: ['db', 'renamed'], content: table('s3://w/db/t/0.json', content.id) },
    ]);
    expect(renamed.addedContents).toEqual([]);
    expect((await t.catalog.contents.get(actor, 'main', ['db', 'renamed'])).content.id).toBe(content.id);
    // The same metadata file under the same content id is not read again.
    expect(t.reads.length).toBe(reads);
  });

  it('refuses a type change, duplicate keys, unreadable metadata and server-owned commit fields', async () => {
    const { content } = await t.catalog.contents.get(actor, 'main', ['db']);
    await expect(commit('main', [{ kind: 'put', key: ['db'], content: { ...table('s3://w/db.json'), id: content.id } }])).rejects.toThrow(
      'Cannot change the content type',
    );
    await expect(commit('main', [{ kind: 'delete', key: ['db', 'x'] }, { kind: 'delete', key: ['db', 'x'] }])).rejects.toThrow(
      'Duplicate key in operations: db.x',
    );
    await expect(
      commit('main', [{ kind: 'put', key: ['db', 'gone'], content: { type: 'ICEBERG_TABLE', metadataLocation: 's3://w/missing.json', snapshotId: 1n, schemaId: 0, specId: 0, sortOrderId: 0 } }]),
    ).rejects.toThrow("Cannot read metadata 's3://w/missing.json' of 'db.gone'");
    t.files.set('s3://w/gz.json', Buffer.from(gzipSync('{"a":1}')).toString('utf8'));
    await expect(
      commit('main', [{ kind: 'put', key: ['db', 'gz'], content: { type: 'ICEBERG_VIEW', metadataLocation: 's3://w/gz.json', versionId: 1 } }]),
    ).rejects.toThrow('gzip-compressed but was read as text');
    for (const field of ['committer', 'commitTime', 'hash'] as const) {
      await expect(t.catalog.contents.commit(actor, `main@${await head('main')}`, { [field]: 'x' }, [])).rejects.toThrow(BadRequestError);
    }
    await expect(t.catalog.contents.commit(actor, `main@${await head('main')}`, { parentCommitHashes: ['ab'] }, [])).rejects.toThrow(
      'Cannot set the parent commit hashes',
    );
  });

  it("applies Nessie's namespace rules as typed conflicts", async () => {
    const conflicts = async (operations: OperationInput[]) => {
      try {
        await commit('main', operations);
      } catch (err) {
        if (err instanceof ConflictError) return err.conflicts.map((c) => [c.conflictType, c.key.join('.')]);
        throw err;
      }
      return [];
    };
    expect(await conflicts([{ kind: 'put', key: ['nope', 't'], content: table('s3://w/nope.json') }])).toEqual([['NAMESPACE_ABSENT', 'nope']]);
    expect(await conflicts([{ kind: 'put', key: ['db', 'renamed', 'x'], content: ns }])).toEqual([['NOT_A_NAMESPACE', 'db.renamed']]);
    expect(await conflicts([{ kind: 'delete', key: ['db'] }])).toEqual([['NAMESPACE_NOT_EMPTY', 'db']]);
    // A namespace created in the same commit counts, and so do children deleted with their namespace.
    expect(await conflicts([{ kind: 'put', key: ['n2'], content: ns }, { kind: 'put', key: ['n2', 't'], content: table('s3://w/n2.json') }])).toEqual([]);
    expect(await conflicts([{ kind: 'delete', key: ['n2', 't'] }, { kind: 'delete', key: ['n2'] }])).toEqual([]);
  });

  it('writes only to a branch named with the hash the client read', async () => {
    const main = await head('main');
    await t.catalog.refs.create(actor, 'tag1', 'TAG', undefined);
    await expect(t.catalog.contents.commit(actor, 'main', undefined, [])).rejects.toThrow('Expected hash must be provided.');
    await expect(t.catalog.contents.commit(actor, `tag1@${main}`, undefined, [])).rejects.toThrow('Reference to commit into must be a branch.');
    await expect(t.catalog.contents.commit(actor, `@${main}`, undefined, [])).rejects.toThrow('Reference to commit into must be a branch.');
  });
});
