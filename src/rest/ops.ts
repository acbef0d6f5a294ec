import { Hono } from 'hono';
import type { CatalogDeps } from '../catalog/deps.js';
import type { Metrics } from './metrics.js';

/** Liveness, readiness and Prometheus metrics. */
export function opsRoutes(deps: CatalogDeps, metrics: Metrics): Hono {
  const app = new Hono();
  app.get('/health', (c) => c.json({ status: 'UP' }));
  app.get('/ready', async (c) => {
    const checks: Record<string, string> = {};
    let ok = true;
    for (const [name, probe] of [
      ['database', () => deps.store.ping()],
      ['objectStore', () => deps.objects.ping()],
    ] as const) {
      try {
        await probe();
        checks[name] = 'UP';
      } catch (err) {
        ok = false;
        checks[name] = `DOWN: ${err instanceof Error ? err.message : String(err)}`;
      }
    }
    return c.json({ status: ok ? 'UP' : 'DOWN', checks }, ok ? 200 : 503);
  });
  app.get('/metrics', (c) => c.text(metrics.render(), 200, { 'content-type': 'text/plain; version=0.0.4' }));
  return app;
}
