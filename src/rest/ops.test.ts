import { describe, expect, it } from 'vitest';
import type { Catalog } from '../catalog/index.js';
import { Metrics } from './metrics.js';
import { opsRoutes } from './ops.js';

function catalogWith(database: () => Promise<void>, objectStore: () => Promise<void>): Catalog {
  return { probes: { database, objectStore } } as unknown as Catalog;
}

describe('/ready', () => {
  it('answers 200 when both dependencies answer', async () => {
    const app = opsRoutes(catalogWith(async () => {}, async () => {}), new Metrics());
    const r = await app.request('/ready');
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ status: 'UP', checks: { database: 'UP', objectStore: 'UP' } });
  });

  it('answers 503 within the probe timeout when a dependency hangs, naming it', async () => {
    const hang = () => new Promise<void>(() => {});
    const app = opsRoutes(catalogWith(async () => {}, hang), new Metrics(), 100);
    const started = Date.now();
    const r = await app.request('/ready');
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(r.status).toBe(503);
    expect(await r.json()).toEqual({ status: 'DOWN', checks: { database: 'UP', objectStore: 'DOWN: no answer within 0.1 s' } });
  });

  it('answers 503 with the error of a dependency that is down', async () => {
    const app = opsRoutes(catalogWith(async () => Promise.reject(new Error('connection refused')), async () => {}), new Metrics());
    const r = await app.request('/ready');
    expect(r.status).toBe(503);
    expect(((await r.json()) as { checks: Record<string, string> }).checks.database).toBe('DOWN: connection refused');
  });
});
