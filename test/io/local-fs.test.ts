import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalFsObjectStore } from '../../src/io/local-fs.js';
import { ObjectExistsError, ObjectNotFoundError, ObjectStoreError } from '../../src/io/port.js';
import { describeObjectStoreContract, listAll } from './contract.js';

describeObjectStoreContract('local filesystem', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lakecat-io-contract-'));
  return {
    store: new LocalFsObjectStore(dir),
    root: `file://${dir}/warehouse`,
    unserved: `file://${dir}-elsewhere/x.json`,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});

describe('LocalFsObjectStore', () => {
  let dir: string;
  let store: LocalFsObjectStore;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lakecat-io-local-'));
    store = new LocalFsObjectStore(join(dir, 'wh'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('stores an object as the file at the location path, creating folders', async () => {
    await store.write(`file://${dir}/wh/ns/t/metadata/00000-x.metadata.json`, '{"a":1}');
    expect(await readFile(join(dir, 'wh/ns/t/metadata/00000-x.metadata.json'), 'utf8')).toBe('{"a":1}');
  });

  it("accepts Hadoop's file:/path and file://localhost/path for the same object", async () => {
    await store.write(`file://${dir}/wh/forms/o.json`, 'same');
    expect(await store.readText(`file:${dir}/wh/forms/o.json`)).toBe('same');
    expect(await store.readText(`file://localhost${dir}/wh/forms/o.json`)).toBe('same');
    expect((await listAll(store, `file:${dir}/wh/forms`)).map((e) => e.location)).toEqual([`file:${dir}/wh/forms/o.json`]);
  });

  it('refuses locations outside its folder, including through ..', async () => {
    expect(store.handles(`file://${dir}/wh/a`)).toBe(true);
    expect(store.handles(`file://${dir}/wh`)).toBe(true);
    for (const outside of [
      `file://${dir}/other/a.json`,
      `file://${dir}/wh-sibling/a.json`,
      `file://${dir}/wh/../escape.json`,
      'file://otherhost/etc/passwd',
      's3://bucket/a.json',
      `${dir}/wh/plain-path.json`,
    ]) {
      expect(store.handles(outside)).toBe(false);
      await expect(store.write(outside, 'x')).rejects.toBeInstanceOf(ObjectStoreError);
    }
    expect(existsSync(join(dir, 'escape.json'))).toBe(false);
    expect(existsSync(join(dir, 'other'))).toBe(false);
  });

  it('leaves no temporary files behind, even when ifAbsent loses', async () => {
    const loc = `file://${dir}/wh/tmpcheck/v1.json`;
    await store.write(loc, 'one', { ifAbsent: true });
    await expect(store.write(loc, 'two', { ifAbsent: true })).rejects.toBeInstanceOf(ObjectExistsError);
    await store.write(loc, 'three');
    expect(await readdir(join(dir, 'wh/tmpcheck'))).toEqual(['v1.json']);
    expect(await store.readText(loc)).toBe('three');
  });

  it('does not list a temporary file left by a crashed write, nor let it be addressed', async () => {
    await mkdir(join(dir, 'wh/crash'), { recursive: true });
    await writeFile(join(dir, 'wh/crash/.0123abcd.lakecat-tmp'), 'half');
    await store.write(`file://${dir}/wh/crash/done.json`, 'ok');
    expect((await listAll(store, `file://${dir}/wh/crash`)).map((e) => e.location)).toEqual([`file://${dir}/wh/crash/done.json`]);
    await expect(store.read(`file://${dir}/wh/crash/.0123abcd.lakecat-tmp`)).rejects.toBeInstanceOf(ObjectStoreError);
  });

  it('reports a path whose parent is a file as missing, and refuses to write there', async () => {
    await store.write(`file://${dir}/wh/blocker`, 'file');
    expect(await store.exists(`file://${dir}/wh/blocker/child.json`)).toBe(false);
    await expect(store.read(`file://${dir}/wh/blocker/child.json`)).rejects.toBeInstanceOf(ObjectNotFoundError);
    const err = await store.write(`file://${dir}/wh/blocker/child.json`, 'x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ObjectStoreError);
    expect((err as ObjectStoreError).cause).toBeDefined();
  });

  it('ping creates the warehouse folder', async () => {
    const fresh = new LocalFsObjectStore(join(dir, 'fresh/wh'));
    await fresh.ping();
    expect(existsSync(join(dir, 'fresh/wh'))).toBe(true);
  });

  it('ping fails with ObjectStoreError when the folder cannot be created', async () => {
    await writeFile(join(dir, 'a-file'), 'x');
    await expect(new LocalFsObjectStore(join(dir, 'a-file/wh')).ping()).rejects.toBeInstanceOf(ObjectStoreError);
  });
});
