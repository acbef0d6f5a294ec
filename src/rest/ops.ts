import { Hono } from 'hono';
import type { Catalog } from '../catalog/index.js';
import type { Metrics } from './metrics.js';

/** Liveness, readiness and Prometheus metrics. */
export function opsRoutes(catalog: Catalog, metrics: Metrics): Hono {
  const app = new Hono();
  app.get('/health', (c) => c.json({ status: 'UP' }));
  app.get('/ready', async (c) => {
    const checks: Record<string, string> = {};
    let ok = true;
    for (const [name, probe] of [
      ['database', catalog.probes.database],
      ['objectStore', catalog.probes.objectStore],
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
