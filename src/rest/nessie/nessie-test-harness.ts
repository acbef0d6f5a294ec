/**
 * Test support for the Nessie API tests: a catalog on a real in-memory (PGlite) store behind the
 * Nessie sub-app, `metadata.json` files served from memory, and lossless request helpers.
 */
import type { Hono } from 'hono';
import { anonymousActor, type Catalog, type CommitOperation, type Content } from '../../catalog/index.js';
import { createTestCatalog } from '../../catalog/testing.js';
import { parseJson, stringifyJson, type JsonObject, type JsonValue } from '../../iceberg/json.js';
import { createNessieApi } from './index.js';

export interface CallResult {
  status: number;
  body: JsonObject;
}

export interface NessieHarness {
  catalog: Catalog;
  app: Hono;
  /** metadata.json files by location, as written by a Nessie client (text or raw bytes). */
  files: Map<string, string | Uint8Array>;
  /** Locations read through `readMetadata`, in order. */
  reads: string[];
  call(method: string, path: string, body?: unknown): Promise<CallResult>;
  head(ref: string): Promise<string>;
  /** Commits operations on `branch` at its current head; fails the test on a non-200. */
  commit(branch: string, operations: unknown[], message?: string): Promise<string>;
  /** The stored content at a reference (the catalog's view, with the full metadata text), or null. */
  stored(ref: string, key: string[]): Promise<Content | null>;
  /** The commit time of a commit. */
  commitTime(hash: string): Promise<number>;
  /** Test set-up: commits straight to the store, as another API would (see catalog/testing.ts). */
  seed(branch: string, message: string, operations: CommitOperation[], author?: string): Promise<string>;
  /** Registers a table metadata file and returns the ICEBERG_TABLE content pointing at it. */
  table(location: string, snapshotId: bigint, id?: string): JsonObject;
  close(): Promise<void>;
}

export async function startNessie(): Promise<NessieHarness> {
  const t = await createTestCatalog();
  const { catalog, files, reads } = t;
  const app = createNessieApi({ catalog });
  const h: NessieHarness = {
    catalog,
    app,
    files,
    reads,
    seed: t.seed,
    async stored(ref, key) {
      const { contents } = await catalog.contents.getMany(anonymousActor(), ref, [key]);
      return contents[0]?.content ?? null;
    },
    async commitTime(hash) {
      return (await catalog.history.log(anonymousActor(), `@${hash}`, { pageSize: 1 })).items[0].commitTimeMs;
    },
    async call(method, path, body) {
      const init: RequestInit = { method, headers: { 'content-type': 'application/json' } };
      if (body !== undefined) init.body = typeof body === 'string' ? body : stringifyJson(body);
      const res = await app.request(path, init);
      const text = await res.text();
      return { status: res.status, body: text ? (parseJson(text) as JsonObject) : {} };
    },
    async head(ref) {
      return (await catalog.refs.get(anonymousActor(), ref)).hash;
    },
    async commit(branch, operations, message = 'test commit') {
      const r = await h.call('POST', `/trees/${branch}@${await h.head(branch)}/history/commit`, { commitMeta: { message }, operations });
      if (r.status !== 200) throw new Error(`commit failed: ${r.status} ${stringifyJson(r.body)}`);
      return ((r.body.targetBranch as JsonObject).hash as string) ?? '';
    },
    table(location, snapshotId, id) {
      files.set(location, stringifyJson({ 'format-version': 2, location, 'current-snapshot-id': snapshotId }));
      return {
        type: 'ICEBERG_TABLE',
        ...(id ? { id } : {}),
        metadataLocation: location,
        snapshotId,
        schemaId: 0,
        specId: 0,
        sortOrderId: 0,
      };
    },
    close: t.close,
  };
  return h;
}

export function put(key: string[], content: JsonValue): JsonObject {
  return { type: 'PUT', key: { elements: key }, content };
}

export function del(key: string[]): JsonObject {
  return { type: 'DELETE', key: { elements: key } };
}

export function namespace(key: string[], properties: Record<string, string> = {}): JsonObject {
  return { type: 'NAMESPACE', elements: key, properties };
}

/** The conflicts inside a Nessie REFERENCE_CONFLICT error body. */
export function conflictsOf(body: JsonObject): { conflictType: string; key?: { elements: string[] }; message: string }[] {
  const details = body.errorDetails as JsonObject | undefined;
  return ((details?.conflicts as JsonObject[] | undefined) ?? []) as never;
}
