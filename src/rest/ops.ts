import { Hono } from 'hono';
import type { Catalog } from '../catalog/index.js';
import type { Metrics } from './metrics.js';

/** How long `/ready` waits for each dependency: one that hangs is as unready as one that is down. */
export const READY_PROBE_TIMEOUT_MS = 2_000;

function withTimeout(probe: () => Promise<unknown>, ms: number): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([probe(), late]).finally(() => clearTimeout(timer));
}

/** Liveness, readiness and Prometheus metrics. */
export function opsRoutes(catalog: Catalog, metrics: Metrics, probeTimeoutMs = READY_PROBE_TIMEOUT_MS): Hono {
  const app = new Hono();
  app.get('/health', (c) => c.json({ status: 'UP' }));
  app.get('/ready', async (c) => {
    const checks: Record<string, string> = {};
    let ok = true;
    const probes = [
      ['database', catalog.probes.database],
      ['objectStore', catalog.probes.objectStore],
    ] as const;
    // Both at once, each bounded: the answer comes within the timeout whatever hangs.
    const outcomes = await Promise.allSettled(probes.map(([, probe]) => withTimeout(probe, probeTimeoutMs)));
    outcomes.forEach((o, i) => {
      const name = probes[i][0];
      if (o.status === 'fulfilled') {
        checks[name] = 'UP';
      } else {
        ok = false;
        checks[name] = `DOWN: ${o.reason instanceof Error ? o.reason.message : String(o.reason)}`;
      }
    });
    return c.json({ status: ok ? 'UP' : 'DOWN', checks }, ok ? 200 : 503);
  });
  app.get('/metrics', (c) => c.text(metrics.render(), 200, { 'content-type': 'text/plain; version=0.0.4' }));
  return app;
}
