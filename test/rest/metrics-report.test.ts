/**
 * `POST .../tables/{table}/metrics` as Iceberg's Java client sends it. For a staged create
 * (Spark's CTAS), the client posts the commit report before it commits the create, so the
 * report names a table that does not exist yet; seen in the promotion workflow suite.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './harness.js';

const SCHEMA = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', required: true, type: 'long' }] };

describe('metrics reports', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
    expect((await h.request('POST', '/v1/namespaces', { namespace: ['staging'] })).status).toBe(200);
  });
  afterAll(async () => {
    await h?.close();
  });

  const report = (path: string) =>
    h.request('POST', path, { 'report-type': 'commit-report', 'table-name': 'staging.ctas', 'snapshot-id': 1, 'sequence-number': 1, operation: 'append', metadata: {} });

  it('accepts a commit report for a table whose create is staged but not committed yet', async () => {
    const before = h.app.metrics.counter('lakecat_metrics_reports_total', { type: 'commit-report' });
    const staged = await h.request('POST', '/v1/namespaces/staging/tables', { name: 'ctas', schema: SCHEMA, 'stage-create': true });
    expect(staged.status).toBe(200);
    expect((await h.request('HEAD', '/v1/namespaces/staging/tables/ctas')).status).toBe(404);

    const r = await report('/v1/namespaces/staging/tables/ctas/metrics');
    expect(r.status).toBe(204);
    expect(h.app.metrics.counter('lakecat_metrics_reports_total', { type: 'commit-report' })).toBe(before + 1);
    // Reporting creates nothing.
    expect((await h.request('HEAD', '/v1/namespaces/staging/tables/ctas')).status).toBe(404);
  });

  it('still answers 404 NoSuchNamespaceException when the namespace does not exist', async () => {
    const r = await report('/v1/namespaces/ghost/tables/ctas/metrics');
    expect(r.status).toBe(404);
    expect(r.body.error.type).toBe('NoSuchNamespaceException');
  });
});
