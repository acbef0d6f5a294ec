import type { Context } from 'hono';
import { anonymousActor, type Actor, type Catalog, type ResolvedRef } from '../../catalog/index.js';
import type { IdempotencyGuard } from '../idempotency.js';
import type { Metrics } from '../metrics.js';

export interface IcebergApiOptions {
  catalog: Catalog;
  metrics: Metrics;
  idempotency: IdempotencyGuard;
  /** Table-level client configuration returned with LoadTable and credentials (e.g. S3 endpoint and keys to vend). */
  storageConfig: Record<string, string>;
  maxBodyBytes?: number;
  /** Budget of the finished loadTable bodies kept per table version (bytes). */
  loadCacheBytes?: number;
}

export type IcebergEnv = { Variables: { requestId: string } };

/** The catalog state the request addresses: the `{prefix}` (a reference expression) or the default branch. */
export async function requestRef(c: Context, catalog: Catalog, actor: Actor): Promise<ResolvedRef> {
  return catalog.refs.resolve(actor, c.req.param('prefix') ?? '-');
}

/**
 * Who is acting. Without authentication every request is anonymous; the commit author is taken
 * from `X-Lakecat-Author` (or the Iceberg delegation user header), the message from `X-Lakecat-Message`.
 */
export function requestActor(c: Context): Actor {
  const author = c.req.header('x-lakecat-author') ?? c.req.header('x-iceberg-access-delegation-user') ?? 'iceberg-rest';
  const message = c.req.header('x-lakecat-message');
  return anonymousActor(author.slice(0, 200), message?.slice(0, 2000));
}
