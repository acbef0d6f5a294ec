import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { createObjectStore } from '../../src/io/index.js';
import { ObjectNotFoundError, ObjectStoreError } from '../../src/io/port.js';
import { S3ObjectStore, type S3ObjectStoreConfig } from '../../src/io/s3.js';
import { describeObjectStoreContract, listAll } from './contract.js';

const env = process.env;
const endpoint = env.LAKECAT_TEST_S3_ENDPOINT;
const bucket = env.LAKECAT_TEST_S3_BUCKET ?? 'lakecat-test';
const title = endpoint
  ? `S3ObjectStore on ${endpoint}`
  : 'S3ObjectStore: skipped because LAKECAT_TEST_S3_ENDPOINT is not set (`npm run test:s3` starts MinIO and sets it)';

function config(overrides: Partial<S3ObjectStoreConfig> = {}): S3ObjectStoreConfig {
  return {
    endpoint,
    region: env.LAKECAT_TEST_S3_REGION ?? 'us-east-1',
    forcePathStyle: true,
    accessKeyId: env.LAKECAT_TEST_S3_ACCESS_KEY,
    secretAccessKey: env.LAKECAT_TEST_S3_SECRET_KEY,
    ...overrides,
  };
}

/** Every store made here, so the run closes their connections. */
const opened: S3ObjectStore[] = [];
function s3Store(overrides: Partial<S3ObjectStoreConfig> = {}): S3ObjectStore {
  const store = new S3ObjectStore(config(overrides));
  opened.push(store);
  return store;
}

async function removeAll(store: S3ObjectStore, prefix: string): Promise<void> {
  for (const { location } of await listAll(store, prefix)) await store.delete(location);
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

describe.skipIf(!endpoint)(title, () => {
  const run = randomBytes(4).toString('hex');
  afterAll(() => opened.forEach((store) => store.destroy()));

  describeObjectStoreContract('S3 (MinIO)', async () => {
    const store = s3Store({ bucket });
    const root = `s3://${bucket}/contract-${run}`;
    return { store, root, unserved: `s3://another-bucket-${run}/x.json`, cleanup: () => removeAll(store, root) };
  });

  describe('S3-specific behaviour', () => {
    const root = `s3://${bucket}/specific-${run}`;
    afterAll(() => removeAll(s3Store(), root));

    it("addresses the same objects through Spark's s3a:// and s3n:// schemes, listing in the scheme asked", async () => {
      const store = s3Store({ bucket });
      await store.write(`${root}/schemes/t/v1.json`, 'via s3');
      expect(await store.readText(`s3a://${bucket}/specific-${run}/schemes/t/v1.json`)).toBe('via s3');
      expect(await store.readText(`s3n://${bucket}/specific-${run}/schemes/t/v1.json`)).toBe('via s3');
      const listed = await listAll(store, `s3a://${bucket}/specific-${run}/schemes`);
      expect(listed.map((e) => e.location)).toEqual([`s3a://${bucket}/specific-${run}/schemes/t/v1.json`]);
    });

    it('deletes many objects in one DeleteObjects request; missing ones are not failures', async () => {
      const store = s3Store();
      const locs = Array.from({ length: 7 }, (_, i) => `${root}/many/f${i}`);
      await Promise.all(locs.map((loc) => store.write(loc, 'x')));
      const failed = await store.deleteMany([...locs, `${root}/many/never-written`]);
      expect([...failed]).toEqual([]);
      expect(await listAll(store, `${root}/many`)).toEqual([]);
    });

    it('pages through listings larger than one page', async () => {
      const store = s3Store({ listPageSize: 5 });
      const expected = Array.from({ length: 13 }, (_, i) => `${root}/paged/f${String(i).padStart(2, '0')}`);
      await Promise.all(expected.map((loc) => store.write(loc, 'p')));
      expect((await listAll(store, `${root}/paged`)).map((e) => e.location)).toEqual(expected);
    });

    it('stores the content type given on write', async () => {
      const store = s3Store();
      await store.write(`${root}/typed.json`, '{}', { contentType: 'application/json' });
      const raw = new S3Client({ ...config(), credentials: { accessKeyId: config().accessKeyId!, secretAccessKey: config().secretAccessKey! } });
      try {
        const head = await raw.send(new HeadObjectCommand({ Bucket: bucket, Key: `specific-${run}/typed.json` }));
        expect(head.ContentType).toBe('application/json');
        expect(head.ContentLength).toBe(2);
      } finally {
        raw.destroy();
      }
    });

    it('serves only its bucket when one is configured, and any bucket otherwise', () => {
      expect(s3Store({ bucket }).handles(`s3://${bucket}/a`)).toBe(true);
      expect(s3Store({ bucket }).handles('s3://elsewhere/a')).toBe(false);
      expect(s3Store().handles('s3://elsewhere/a')).toBe(true);
      expect(s3Store().handles('file:///tmp/a')).toBe(false);
    });

    it('refuses a bucket root or a folder-like key as an object location', async () => {
      const store = s3Store();
      await expect(store.write(`s3://${bucket}`, 'x')).rejects.toBeInstanceOf(ObjectStoreError);
      await expect(store.write(`s3://${bucket}/`, 'x')).rejects.toBeInstanceOf(ObjectStoreError);
      await expect(store.read(`${root}/folder/`)).rejects.toBeInstanceOf(ObjectStoreError);
    });

    it('reports a missing bucket as a store error, not as a missing object', async () => {
      const store = s3Store({ maxAttempts: 1 });
      const missing = `s3://no-such-bucket-${run}/t/v1.json`;
      const err = await store.read(missing).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ObjectStoreError);
      expect(err).not.toBeInstanceOf(ObjectNotFoundError);
      expect((err as Error).message).toContain('does not exist');
      await expect(store.write(missing, 'x')).rejects.toBeInstanceOf(ObjectStoreError);
      await expect(s3Store({ bucket: `no-such-bucket-${run}`, maxAttempts: 1 }).ping()).rejects.toBeInstanceOf(ObjectStoreError);
    });

    it('reports refused credentials as a store error carrying the cause', async () => {
      const store = s3Store({ secretAccessKey: 'wrong-secret-key-000000', maxAttempts: 1 });
      const err = await store.read(`${root}/typed.json`).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ObjectStoreError);
      expect(err).not.toBeInstanceOf(ObjectNotFoundError);
      expect((err as ObjectStoreError).cause).toBeInstanceOf(Error);
      expect((err as Error).message).toMatch(/403|SignatureDoesNotMatch/);
      await expect(store.write(`${root}/denied.json`, 'x')).rejects.toBeInstanceOf(ObjectStoreError);
      await expect(store.ping()).rejects.toBeInstanceOf(ObjectStoreError);
      expect(await s3Store().exists(`${root}/denied.json`)).toBe(false);
    });

    it('fails promptly with a store error when nothing listens at the endpoint', async () => {
      const store = s3Store({ endpoint: `http://127.0.0.1:${await closedPort()}`, maxAttempts: 1, requestTimeoutMs: 2_000 });
      const started = Date.now();
      await expect(store.read(`${root}/x.json`)).rejects.toBeInstanceOf(ObjectStoreError);
      await expect(store.ping()).rejects.toBeInstanceOf(ObjectStoreError);
      expect(Date.now() - started).toBeLessThan(10_000);
    });
  });

  describe('createObjectStore with an S3 warehouse', () => {
    const warehouse = `s3://${bucket}/wh-${run}/`;
    const configured = createObjectStore({ warehouse, s3: { ...config() } });
    afterAll(async () => {
      for await (const { location } of configured.store.list(configured.warehouse)) await configured.store.delete(location);
      configured.close();
    });

    it('normalises the warehouse and writes through to MinIO', async () => {
      expect(configured.warehouse).toBe(`s3://${bucket}/wh-${run}`);
      await configured.store.ping();
      const loc = `${configured.warehouse}/db/t/metadata/00000-x.metadata.json`;
      await configured.store.write(loc, '{"format-version":2}', { ifAbsent: true });
      expect(await s3Store().readText(loc)).toBe('{"format-version":2}');
    });

    it('serves only the warehouse bucket and no local files', async () => {
      expect(configured.store.handles(`s3://${bucket}/other/prefix`)).toBe(true);
      expect(configured.store.handles('s3://some-other-bucket/x')).toBe(false);
      await expect(configured.store.read('file:///etc/hostname')).rejects.toThrow(/No object store is configured/);
    });
  });
});
