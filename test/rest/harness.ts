/**
 * Builds a lakecat app for in-process HTTP tests. By default: in-memory PGlite and an
 * in-memory object store. With LAKECAT_TEST_PG_URL set, a fresh database on that PostgreSQL
 * server; with LAKECAT_TEST_S3_ENDPOINT set, a fresh prefix in that S3 bucket (MinIO).
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Identity } from '../../src/catalog/access/identity.js';
import type { AuditRecord } from '../../src/catalog/access/records.js';
import type { CatalogDeps } from '../../src/catalog/deps.js';
import { createCatalog, type Authorizer, type Catalog, type CommitOperation } from '../../src/catalog/index.js';
import { createStore } from '../../src/catalog/store/index.js';
import type { VersionStore } from '../../src/catalog/store/port.js';
import { parseJson, stringifyJson, type JsonValue } from '../../src/iceberg/json.js';
import { createObjectStore } from '../../src/io/index.js';
import { MemoryObjectStore } from '../../src/io/memory.js';
import type { ObjectStore } from '../../src/io/port.js';
import { createApp, type App } from '../../src/rest/app.js';

export interface TestResponse {
  status: number;
  text: string;
  body: any;
  headers: Headers;
}

export interface Harness {
  app: App;
  catalog: Catalog;
  store: VersionStore;
  objects: ObjectStore;
  deps: CatalogDeps;
  backend: string;
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<TestResponse>;
  /** Test set-up: commits operations straight to the store (bypassing the verbs); returns the new head. */
  seed(branch: string, message: string, operations: CommitOperation[]): Promise<string>;
  close(): Promise<void>;
}

export async function createTestDatabase(adminUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `lakecat_test_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export interface HarnessOptions {
  storageConfig?: Record<string, string>;
  authorizer?: Authorizer | ((store: VersionStore, audit: (r: AuditRecord) => void) => Authorizer);
  /** Builds the audit sink (also given to an authorizer built by the function form). */
  audit?: (store: VersionStore) => (r: AuditRecord) => void;
  /** Authentication; built on the harness's store (e.g. service clients signing with its key). */
  identity?: (store: VersionStore) => Identity;
}

export async function createHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const pgUrl = process.env.LAKECAT_TEST_PG_URL;
  const s3Endpoint = process.env.LAKECAT_TEST_S3_ENDPOINT;
  let store: VersionStore;
  let dropDb: (() => Promise<void>) | undefined;
  if (pgUrl) {
    const db = await createTestDatabase(pgUrl);
    dropDb = db.drop;
    store = createStore({ kind: 'postgres', url: db.url, poolSize: 8 });
  } else {
    store = createStore({ kind: 'pglite' });
  }
  await store.init();
  let objects: ObjectStore;
  let warehouse: string;
  if (s3Endpoint) {
    const created = createObjectStore({
      warehouse: `s3://${process.env.LAKECAT_TEST_S3_BUCKET}/rest-${randomUUID()}`,
      s3: {
        endpoint: s3Endpoint,
        region: 'us-east-1',
        forcePathStyle: true,
        accessKeyId: process.env.LAKECAT_TEST_S3_ACCESS_KEY,
        secretAccessKey: process.env.LAKECAT_TEST_S3_SECRET_KEY,
      },
    });
    objects = created.store;
    warehouse = created.warehouse;
  } else {
    objects = new MemoryObjectStore();
    warehouse = 'memory://warehouse';
  }
  const audit = opts.audit?.(store);
  const deps: CatalogDeps = {
    store,
    objects,
    warehouse,
    now: Date.now,
    newUuid: randomUUID,
    commitRetries: 30,
    authorizer: typeof opts.authorizer === 'function' ? opts.authorizer(store, audit ?? (() => undefined)) : opts.authorizer,
    identity: opts.identity?.(store),
    audit,
  };
  const catalog = createCatalog(deps);
  const app = createApp({ catalog, storageConfig: opts.storageConfig });
  const backend = `${pgUrl ? 'postgresql' : 'pglite'}+${s3Endpoint ? 's3' : 'memory'}`;
  return {
    app,
    catalog,
    store,
    objects,
    deps,
    backend,
    async request(method, path, body, headers = {}) {
      const init: RequestInit = { method, headers: { ...headers } };
      if (body !== undefined) {
        init.body = typeof body === 'string' ? body : stringifyJson(body);
        (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
      }
      const res = await app.hono.request(path, init);
      const text = await res.text();
      let parsed: JsonValue | undefined;
      try {
        parsed = text ? parseJson(text) : undefined;
      } catch {
        parsed = undefined;
      }
      return { status: res.status, text, body: parsed, headers: res.headers };
    },
    async seed(branch, message, operations) {
      const head = await store.getReference(branch);
      return (await store.commit(branch, head.hash, { author: 'test', message }, operations)).hash;
    },
    async close() {
      await store.close();
      await dropDb?.();
    },
  };
}
