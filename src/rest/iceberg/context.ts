import type { Context } from 'hono';
import type { Actor, CatalogDeps } from '../../catalog/deps.js';
import { parseRefSelector, resolveRef, type ResolvedRef } from '../../catalog/refs.js';
import type { IdempotencyGuard } from '../idempotency.js';
import type { Metrics } from '../metrics.js';

export interface IcebergApiOptions {
  deps: CatalogDeps;
  metrics: Metrics;
  idempotency: IdempotencyGuard;
  /** Table-level client configuration returned with LoadTable and credentials (e.g. S3 endpoint and keys to vend). */
  storageConfig: Record<string, string>;
  maxBodyBytes?: number;
  /** Budget of the finished loadTable bodies kept per table version (bytes). */
  loadCacheBytes?: number;
}

export type IcebergEnv = { Variables: { requestId: string } };

/** The catalog state the request addresses: the `{prefix}` (a reference) or the default branch. */
export async function requestRef(c: Context, deps: CatalogDeps): Promise<ResolvedRef> {
  const prefix = c.req.param('prefix');
  return resolveRef(deps.store, parseRefSelector(prefix ?? '', deps.store.defaultBranch));
}

/** Who is changing the catalog; recorded as the commit author. */
export function requestActor(c: Context): Actor {
  const author = c.req.header('x-lakecat-author') ?? c.req.header('x-iceberg-access-delegation-user') ?? 'iceberg-rest';
  const message = c.req.header('x-lakecat-message');
  return { author: author.slice(0, 200), message: message?.slice(0, 2000) };
}
