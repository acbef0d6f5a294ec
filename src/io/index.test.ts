import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createObjectStore, ObjectStoreError } from './index.js';

describe('createObjectStore', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lakecat-io-index-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('serves a folder warehouse from the local filesystem, as file:// locations', async () => {
    const { store, warehouse, close } = createObjectStore({ warehouse: `${dir}/wh/` });
    expect(warehouse).toBe(`file://${dir}/wh`);
    await store.ping();
    await store.write(`${warehouse}/db/t/metadata/v1.metadata.json`, '{}', { ifAbsent: true });
    expect(await readFile(join(dir, 'wh/db/t/metadata/v1.metadata.json'), 'utf8')).toBe('{}');
    expect(store.handles('s3://bucket/x')).toBe(false);
    expect(store.handles(`file://${dir}/elsewhere`)).toBe(false);
    await expect(store.read('s3://bucket/x')).rejects.toBeInstanceOf(ObjectStoreError);
    close();
  });

  it('also serves the extra folders it is given, and nothing beside them', async () => {
    const { store, close } = createObjectStore({ warehouse: `${dir}/wh3`, extraFolders: [`${dir}/extra`, `file:${dir}/extra2`] });
    await store.write(`file:${dir}/extra/ns/t/metadata/v1.metadata.json`, '{"a":1}', { ifAbsent: true });
    expect(await readFile(join(dir, 'extra/ns/t/metadata/v1.metadata.json'), 'utf8')).toBe('{"a":1}');
    expect(store.handles(`file://${dir}/extra2/x`)).toBe(true);
    expect(store.handles(`file://${dir}/extra3/x`)).toBe(false);
    close();
    expect(() => createObjectStore({ warehouse: `${dir}/wh3`, extraFolders: ['s3://b/x'] })).toThrow(ObjectStoreError);
  });

  it('accepts a file: URI warehouse', () => {
    const { warehouse, close } = createObjectStore({ warehouse: `file:${dir}/wh2` });
    expect(warehouse).toBe(`file://${dir}/wh2`);
    close();
  });

  it('serves an S3 warehouse only in its bucket, and no local files', () => {
    const { store, warehouse, close } = createObjectStore({
      warehouse: 's3://lake/prefix/',
      s3: { endpoint: 'http://127.0.0.1:9', region: 'eu-west-1', forcePathStyle: true },
    });
    expect(warehouse).toBe('s3://lake/prefix');
    expect(store.handles('s3://lake/other/x')).toBe(true);
    expect(store.handles('s3a://lake/prefix/x')).toBe(true);
    expect(store.handles('s3://another/x')).toBe(false);
    expect(store.handles(`file://${dir}/x`)).toBe(false);
    close();
  });

  it('adds S3 beside a folder warehouse when S3 settings are given', () => {
    const { store, close } = createObjectStore({
      warehouse: `${dir}/wh3`,
      s3: { region: 'us-east-1', forcePathStyle: true, bucket: 'shared' },
    });
    expect(store.handles(`file://${dir}/wh3/t`)).toBe(true);
    expect(store.handles('s3://shared/t')).toBe(true);
    expect(store.handles('s3://private/t')).toBe(false);
    close();
  });

  it('refuses an S3 bucket setting that contradicts the warehouse, and unknown schemes', () => {
    expect(() => createObjectStore({ warehouse: 's3://lake/wh', s3: { bucket: 'other' } })).toThrow(ObjectStoreError);
    expect(() => createObjectStore({ warehouse: 'gs://lake/wh' })).toThrow(ObjectStoreError);
    expect(() => createObjectStore({ warehouse: 's3://lake/wh', s3: { accessKeyId: 'only-the-id' } })).toThrow(
      /both an access key id and a secret access key/,
    );
  });
});
