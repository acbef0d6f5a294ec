/**
 * Behaviour the Iceberg REST Compatibility Kit (conformance-tests/rck) expects, pinned here so
 * it holds without the Java suite.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './harness.js';

const schema = (schemaId: number) => ({
  type: 'struct',
  'schema-id': schemaId,
  fields: [{ id: 1, name: 'id', required: true, type: 'long' }],
});

describe('Iceberg REST API as the RCK uses it', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
    await h.request('POST', '/v1/namespaces', { namespace: ['rck'] });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('creates a view whose request schema has a non-zero id: the view numbers it 0', async () => {
    const r = await h.request('POST', '/v1/namespaces/rck/views', {
      name: 'v_schema5',
      schema: schema(5),
      'view-version': {
        'version-id': 1,
        'timestamp-ms': 1_700_000_000_000,
        'schema-id': 5,
        summary: {},
        representations: [{ type: 'sql', sql: 'select 1', dialect: 'spark' }],
        'default-namespace': ['rck'],
      },
      properties: {},
    });
    expect(r.status).toBe(200);
    expect(r.body.metadata.schemas.map((s: { 'schema-id': number }) => s['schema-id'])).toEqual([0]);
    expect(r.body.metadata.versions[0]['schema-id']).toBe(0);
  });
});
