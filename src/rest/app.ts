import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import type { Catalog } from '../catalog/index.js';
import { IdempotencyGuard } from './idempotency.js';
import { createIcebergApi } from './iceberg/index.js';
import { Metrics } from './metrics.js';
import { createLakecatApi } from './lakecat/index.js';
import { createNessieApi } from './nessie/index.js';
import { oauthRoutes } from './oauth.js';
import { opsRoutes } from './ops.js';

export interface AppOptions {
  /** The catalog's verbs; the HTTP layer holds nothing else of the catalog. */
  catalog: Catalog;
  /** Client storage configuration handed out with tables (S3 endpoint, region, and keys when vending is on). */
  storageConfig?: Record<string, string>;
  maxBodyBytes?: number;
  /** Budget of the finished loadTable bodies kept per table version (bytes; default 64 MiB). */
  loadCacheBytes?: number;
  idempotencyLifetimeMs?: number;
  /** Receives one structured record per request; silent when absent. */
  log?: (record: Record<string, unknown>) => void;
}

export interface App {
  hono: Hono<{ Variables: { requestId: string } }>;
  metrics: Metrics;
}

/** Composes the HTTP surface: ops endpoints, the token endpoint, the Iceberg REST API under /v1, the Nessie API v2 under /api/v2, lakecat's own API under /api/lakecat/v1. */
export function createApp(opts: AppOptions): App {
  const metrics = new Metrics();
  const app = new Hono<{ Variables: { requestId: string } }>();

  app.use('*', async (c, next) => {
    const requestId = c.req.header('x-request-id') ?? randomUUID();
    c.set('requestId', requestId);
    const started = performance.now();
    await next();
    const seconds = (performance.now() - started) / 1000;
    const route = routeOf(c.req.matchedRoutes);
    const labels = { method: c.req.method, route, status: String(c.res.status) };
    metrics.inc('lakecat_http_requests_total', labels);
    metrics.observe('lakecat_http_request_duration_seconds', { method: c.req.method, route }, seconds);
    if (c.res.status === 409) metrics.inc('lakecat_conflicts_total', { route });
    // Set on the finished response directly: c.header() after next() makes Hono rebuild the
    // response from its body stream, which halved loadTable throughput in the benchmarks.
    c.res.headers.set('x-request-id', requestId);
    opts.log?.({ level: 'info', msg: 'request', requestId, method: c.req.method, path: c.req.path, route, status: c.res.status, ms: Math.round(seconds * 1000 * 10) / 10 });
  });

  app.route('/', opsRoutes(opts.catalog, metrics));
  // Before the Iceberg API: its middleware (authentication among them) must not run for the token endpoint.
  app.route('/', oauthRoutes(opts.catalog));
  app.route(
    '/v1',
    createIcebergApi({
      catalog: opts.catalog,
      metrics,
      idempotency: new IdempotencyGuard(opts.catalog.idempotency, {
        lifetimeMs: opts.idempotencyLifetimeMs ?? 30 * 60_000,
        // Vended keys appear in table responses; replayed responses are kept without them.
        secrets: Object.fromEntries(Object.entries(opts.storageConfig ?? {}).filter(([k]) => /secret|token|access-key/i.test(k))),
      }),
      storageConfig: opts.storageConfig ?? {},
      maxBodyBytes: opts.maxBodyBytes,
      loadCacheBytes: opts.loadCacheBytes,
    }),
  );
  app.route('/api/v2', createNessieApi({ catalog: opts.catalog }));
  app.route('/api/lakecat/v1', createLakecatApi(opts.catalog));
  return { hono: app, metrics };
}

function routeOf(matched: { path: string; method: string }[]): string {
  for (let i = matched.length - 1; i >= 0; i--) {
    if (matched[i].method !== 'ALL') return matched[i].path;
  }
  return 'unmatched';
}
