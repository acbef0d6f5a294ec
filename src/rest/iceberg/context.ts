import type { Context } from 'hono';
import { anonymousActor, type Actor, type Catalog, type ResolvedRef } from '../../catalog/index.js';
import { principalOf } from '../auth.js';
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
 * Who is acting. With authentication, the principal, who is also the commit author. Without it,
 * every request is anonymous and the commit author is taken from `X-Lakecat-Author` (or the
 * Iceberg delegation user header). The message comes from `X-Lakecat-Message` either way.
 */
export function requestActor(c: Context): Actor {
  const message = c.req.header('x-lakecat-message')?.slice(0, 2000);
  const principal = principalOf(c);
  if (principal.kind !== 'anonymous') return { principal, ...(message !== undefined ? { message } : {}) };
  const author = c.req.header('x-lakecat-author') ?? c.req.header('x-iceberg-access-delegation-user') ?? 'iceberg-rest';
  return anonymousActor(author.slice(0, 200), message);
}
