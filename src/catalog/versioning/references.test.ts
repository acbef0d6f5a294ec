import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymousActor } from '../context.js';
import { AlreadyExistsError, BadRequestError, NotFoundError, ReferenceConflictError } from '../errors.js';
import { NO_ANCESTOR_HASH, type CommitOperation } from '../model.js';
import { createTestCatalog, type TestCatalog } from '../testing.js';

const actor = anonymousActor('tester');
const ns = (name: string): CommitOperation => ({ kind: 'put', key: [name], content: { type: 'NAMESPACE', id: '', properties: {} } });

describe('reference verbs', () => {
  let t: TestCatalog;
  let first: string;
  let second: string;

  beforeAll(async () => {
    t = await createTestCatalog();
    first = await t.seed('main', 'one', [ns('a')]);
    second = await t.seed('main', 'two', [ns('b')]);
  });
  afterAll(() => t.close());

  it('creates a branch at the default head, at a named reference with a hash and relative part, and at a detached hash', async () => {
    const refs = t.catalog.refs;
    expect(await refs.create(actor, 'r1', 'BRANCH', undefined)).toEqual({ name: 'r1', type: 'BRANCH', hash: second });
    expect((await refs.create(actor, 'r2', 'TAG', { type: 'BRANCH', name: 'main', hash: `${second.slice(0, 10)}~1` })).hash).toBe(first);
    expect((await refs.create(actor, 'r3', 'BRANCH', { type: 'DETACHED', hash: first })).hash).toBe(first);
    expect((await refs.get(actor, 'r2')).type).toBe('TAG');
  });

  it('refuses names Nessie refuses, a missing type, a duplicate and a hash that is not on the named reference', async () => {
    const refs = t.catalog.refs;
    for (const bad of ['HEAD', 'DETACHED', 'deadbeef', '1abc', 'a..b', undefined]) {
      await expect(refs.create(actor, bad, 'BRANCH', undefined), String(bad)).rejects.toThrow(BadRequestError);
    }
    await expect(refs.create(actor, 'typeless', undefined, undefined)).rejects.toThrow('Mandatory reference type missing');
    await expect(refs.create(actor, 'r1', 'BRANCH', undefined)).rejects.toThrow(AlreadyExistsError);
    await expect(refs.create(actor, 'x', 'BRANCH', { type: 'DETACHED' })).rejects.toThrow('Target hash must be provided.');
    const other = await t.seed('r3', 'off main', [ns('c')]);
    await expect(refs.create(actor, 'x', 'BRANCH', { type: 'BRANCH', name: 'main', hash: other })).rejects.toThrow(
      `Could not find commit '${other}' in reference 'main'.`,
    );
  });

  it('gets a reference by name only', async () => {
    expect(await t.catalog.refs.get(actor, '-')).toEqual({ name: 'main', type: 'BRANCH', hash: second });
    await expect(t.catalog.refs.get(actor, `main@${second}`)).rejects.toThrow('Hashes are not allowed');
    await expect(t.catalog.refs.get(actor, 'nope')).rejects.toThrow(NotFoundError);
  });

  it('assigns and deletes by compare-and-swap on the expected hash, with the type checked when given', async () => {
    const refs = t.catalog.refs;
    await refs.create(actor, 'mv', 'BRANCH', { type: 'DETACHED', hash: first });
    await expect(refs.assign(actor, 'mv', 'BRANCH', { type: 'BRANCH', name: 'main' })).rejects.toThrow('Expected hash must be provided.');
    await expect(refs.assign(actor, `mv@${second}`, 'BRANCH', { type: 'BRANCH', name: 'main' })).rejects.toThrow(ReferenceConflictError);
    await expect(refs.assign(actor, `mv@${first}`, 'TAG', { type: 'BRANCH', name: 'main' })).rejects.toThrow(
      'Expected reference type TAG does not match existing reference BRANCH mv',
    );
    await expect(refs.assign(actor, `mv@${first}`, undefined, undefined)).rejects.toThrow('must be given in the request body');
    expect(await refs.assign(actor, `mv@${first}`, undefined, { type: 'BRANCH', name: 'main' })).toEqual({ name: 'mv', type: 'BRANCH', hash: second });
    await expect(refs.delete(actor, `mv@${first}`, undefined)).rejects.toThrow(ReferenceConflictError);
    expect(await refs.delete(actor, `mv@${second}`, 'BRANCH')).toEqual({ name: 'mv', type: 'BRANCH', hash: second });
    await expect(refs.get(actor, 'mv')).rejects.toThrow(NotFoundError);
  });

  it('never deletes the default branch', async () => {
    await expect(t.catalog.refs.delete(actor, `main@${second}`, 'BRANCH')).rejects.toThrow("Default branch 'main' cannot be deleted");
    expect((await t.catalog.refs.get(actor, 'main')).hash).toBe(second);
  });

  it('lists references by name and describes a branch against the default branch', async () => {
    const names = (await t.catalog.refs.list(actor)).map((r) => r.name);
    expect(names).toEqual([...names].sort());
    expect(names).toEqual(expect.arrayContaining(['main', 'r1', 'r2', 'r3']));
    const main = await t.catalog.refs.get(actor, 'main');
    const r3 = await t.catalog.refs.get(actor, 'r3');
    const d = await t.catalog.refs.describe(actor, r3, main);
    expect(d).toMatchObject({ commonAncestor: first, ahead: 1, behind: 1 });
    expect(d.head?.message).toBe('off main');
    const empty = await t.catalog.refs.create(actor, 'empty', 'BRANCH', { type: 'DETACHED', hash: NO_ANCESTOR_HASH });
    expect(await t.catalog.refs.describe(actor, empty, main)).toEqual({});
  });
});
