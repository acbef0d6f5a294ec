/**
 * Test support: a catalog on an in-memory PGlite store and an in-memory object store, for the
 * tests of the HTTP adapters (which may not reach the store themselves) and of the verbs.
 * Not part of the public surface (index.ts): importing it loads PGlite.
 */
import { randomUUID } from 'node:crypto';
import { MemoryObjectStore } from '../io/memory.js';
import { createCatalog, type Catalog } from './catalog.js';
import type { Authorizer } from './context.js';
import type { CatalogDeps } from './deps.js';
import type { CommitOperation } from './model.js';
import { createStore } from './store/index.js';

/** An in-memory object store that also serves files put in `files` (raw bytes or text) and records every read. */
class TestObjects extends MemoryObjectStore {
  readonly files = new Map<string, string | Uint8Array>();
  readonly reads: string[] = [];

  override async read(location: string): Promise<Uint8Array> {
    const file = this.files.get(location);
    if (file === undefined) return super.read(location);
    this.reads.push(location);
    return typeof file === 'string' ? new TextEncoder().encode(file) : file;
  }
}

export interface TestCatalog {
  catalog: Catalog;
  deps: CatalogDeps;
  /** Files served by the object store by location, as a client that writes its own metadata files leaves them. */
  files: Map<string, string | Uint8Array>;
  /** Locations of `files` read, in order. */
  reads: string[];
  /**
   * Test set-up only: commits operations straight to the store, bypassing the verbs (e.g. to
   * place content exactly as another API writes it). Returns the new head.
   */
  seed(branch: string, message: string, operations: CommitOperation[], author?: string): Promise<string>;
  close(): Promise<void>;
}

export async function createTestCatalog(opts: { authorizer?: Authorizer; roots?: string[] } = {}): Promise<TestCatalog> {
  const store = createStore({ kind: 'pglite' });
  await store.init();
  const objects = new TestObjects({ roots: opts.roots ?? ['memory://', 's3://', 'file://'] });
  const deps: CatalogDeps = {
    store,
    objects,
    warehouse: 'memory://warehouse',
    now: Date.now,
    newUuid: randomUUID,
    commitRetries: 10,
    ...(opts.authorizer ? { authorizer: opts.authorizer } : {}),
  };
  return {
    catalog: createCatalog(deps),
    deps,
    files: objects.files,
    reads: objects.reads,
    async seed(branch, message, operations, author = 'test') {
      const head = await store.getReference(branch);
      return (await store.commit(branch, head.hash, { author, message }, operations)).hash;
    },
    close: () => store.close(),
  };
}
