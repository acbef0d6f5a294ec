/** `loadInputs` (what `lakecat load` runs) against lakecat's HTTP API in-process. */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { headRows } from '../../src/data/head.js';
import { readInput } from '../../src/data/inputs.js';
import { loadInputs } from '../../src/data/load.js';
import { IcebergRestClient } from '../../src/data/rest-client.js';
import { createHarness, type Harness } from '../rest/harness.js';

describe('loading files into a table', () => {
  let h: Harness;
  let client: IcebergRestClient;
  const configs: Record<string, string>[] = [];
  beforeAll(async () => {
    // Vended storage settings, as an S3 deployment answers them with every table.
    h = await createHarness({ storageConfig: { 's3.endpoint': 'http://minio.example:9000', 'client.region': 'eu-west-1' } });
    await h.request('POST', '/v1/namespaces', { namespace: ['raw'] });
    client = new IcebergRestClient({ url: 'http://lakecat', fetch: async (url, init) => h.app.hono.request(url.replace('http://lakecat', ''), init) });
  });
  afterAll(async () => {
    await h?.close();
  });

  const load = (table: string, files: [string, string][], flags: { create?: boolean; evolve?: boolean } = {}) =>
    loadInputs({
      client,
      namespace: ['raw'],
      table,
      inputs: files.map(([name, text]) => readInput(name, text, 'csv')),
      newId: randomUUID,
      storeFor: (_location, config) => {
        configs.push(config);
        return { store: h.objects, warehouse: 'memory://warehouse', close: () => undefined };
      },
      ...flags,
    });

  it('refuses a missing table without --create, and creates it with an inferred schema with it', async () => {
    await expect(load('readings', [['a.csv', 'device,glucose\ncgm-1,95\n']])).rejects.toThrow('Table raw.readings does not exist; --create creates it with a schema inferred from the files');
    const created = await load('readings', [['a.csv', 'device,glucose\ncgm-1,95\ncgm-2,\n']], { create: true });
    expect(created).toMatchObject({ created: true, addedRecords: 2n, addedColumns: [] });
    const { metadata } = await client.loadTable(['raw'], 'readings');
    expect(metadata.schemas[0].fields.map((f) => [f.name, f.type])).toEqual([['device', 'string'], ['glucose', 'long']]);
    expect((await headRows(metadata, h.objects, { limit: 5 })).rows).toEqual([{ device: 'cgm-1', glucose: 95n }, { device: 'cgm-2', glucose: null }]);
  });

  it('adds missing columns with --evolve and writes with the storage settings the table came with', async () => {
    configs.length = 0;
    await expect(load('readings', [['b.csv', 'device,glucose,unit\ncgm-3,70,mg/dL\n']])).rejects.toThrow('b.csv: column unit not in the table (device, glucose); --evolve adds it');
    const evolved = await load('readings', [['b.csv', 'device,glucose,unit\ncgm-3,70,mg/dL\n']], { evolve: true });
    expect(evolved.addedColumns).toEqual(['unit']);
    // The schema change's commit answers no table config; the vended settings must survive it.
    expect(configs.at(-1)).toMatchObject({ 's3.endpoint': 'http://minio.example:9000', 'client.region': 'eu-west-1' });
    const { metadata } = await client.loadTable(['raw'], 'readings');
    expect(metadata.currentSchemaId).toBe(1);
    const rows = (await headRows(metadata, h.objects, { limit: 5 })).rows;
    expect(rows.find((r) => r.device === 'cgm-3')).toEqual({ device: 'cgm-3', glucose: 70n, unit: 'mg/dL' });
    expect(rows.find((r) => r.device === 'cgm-1')).toEqual({ device: 'cgm-1', glucose: 95n, unit: null });
  });

  it('commits nothing when one value of one file is bad', async () => {
    const before = (await client.loadTable(['raw'], 'readings')).metadata.currentSnapshotId;
    await expect(load('readings', [['ok.csv', 'device,glucose\nx,1\n'], ['bad.csv', 'device,glucose\ny,2\nz,lots\n']])).rejects.toThrow(
      'bad.csv:3: column glucose: expected a 64-bit integer, got "lots"',
    );
    expect((await client.loadTable(['raw'], 'readings')).metadata.currentSnapshotId).toBe(before);
  });
});
