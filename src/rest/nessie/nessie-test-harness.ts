/**
 * Test support for the Nessie API tests: a real in-memory (PGlite) store behind the Nessie
 * sub-app, a fake object store for `metadata.json` files, and lossless request helpers.
 */
import type { Hono } from 'hono';
import { createStore } from '../../catalog/store/index.js';
import type { VersionStore } from '../../catalog/store/port.js';
import { parseJson, stringifyJson, type JsonObject, type JsonValue } from '../../iceberg/json.js';
import { createNessieApi } from './index.js';

export interface CallResult {
  status: number;
  body: JsonObject;
}

export interface NessieHarness {
  store: VersionStore;
  app: Hono;
  /** metadata.json files by location, as written by a Nessie client (text or raw bytes). */
  files: Map<string, string | Uint8Array>;
  /** Locations read through `readMetadata`, in order. */
  reads: string[];
  call(method: string, path: string, body?: unknown): Promise<CallResult>;
  head(ref: string): Promise<string>;
  /** Commits operations on `branch` at its current head; fails the test on a non-200. */
  commit(branch: string, operations: unknown[], message?: string): Promise<string>;
  /** Registers a table metadata file and returns the ICEBERG_TABLE content pointing at it. */
  table(location: string, snapshotId: bigint, id?: string): JsonObject;
  close(): Promise<void>;
}

export async function startNessie(): Promise<NessieHarness> {
  const store = createStore({ kind: 'pglite' });
  await store.init();
  const files = new Map<string, string | Uint8Array>();
  const reads: string[] = [];
  const app = createNessieApi({
    store,
    readMetadata: async (location) => {
      const text = files.get(location);
      if (text === undefined) throw new Error(`File not found: ${location}`);
      reads.push(location);
      return text;
    },
  });
  const h: NessieHarness = {
    store,
    app,
    files,
    reads,
    async call(method, path, body) {
      const init: RequestInit = { method, headers: { 'content-type': 'application/json' } };
      if (body !== undefined) init.body = typeof body === 'string' ? body : stringifyJson(body);
      const res = await app.request(path, init);
      const text = await res.text();
      return { status: res.status, body: text ? (parseJson(text) as JsonObject) : {} };
    },
    async head(ref) {
      return (await store.getReference(ref)).hash;
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
    close: () => store.close(),
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
