/** `loadInputs` (what `lakecat load` runs) against lakecat's HTTP API in-process. */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { headRows } from '../../src/data/head.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openCsvStream } from '../../src/data/csv-stream.js';
import { readInput } from '../../src/data/inputs.js';
import { loadInputs } from '../../src/data/load.js';
import { IcebergRestClient } from '../../src/data/rest-client.js';
import { inProcessClient } from './in-process.js';
import { createHarness, type Harness } from '../rest/harness.js';

describe('loading files into a table', () => {
  let h: Harness;
  let client: IcebergRestClient;
  const configs: Record<string, string>[] = [];
  beforeAll(async () => {
    // Vended storage settings, as an S3 deployment answers them with every table.
    h = await createHarness({ storageConfig: { 's3.endpoint': 'http://minio.example:9000', 'client.region': 'eu-west-1' } });
    await h.request('POST', '/v1/namespaces', { namespace: ['raw'] });
    client = inProcessClient(h);
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

  it('streams a CSV in chunks into files of at most maxRowsPerFile rows, and cleans up after a bad value late in the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lakecat-load-'));
    const lines = Array.from({ length: 50 }, (_, i) => `cgm-${i},${i}`);
    writeFileSync(join(dir, 'many.csv'), `device,glucose\n${lines.join('\n')}\n`);
    const progress: number[] = [];
    const stream = (name: string) => openCsvStream(join(dir, name));
    const streamed = (inputs: Awaited<ReturnType<typeof stream>>[]) =>
      loadInputs({ client, namespace: ['raw'], table: 'readings', inputs, newId: randomUUID, storeFor: () => ({ store: h.objects, warehouse: 'memory://warehouse', close: () => undefined }), chunkRows: 7, maxRowsPerFile: 20, onProgress: (done) => progress.push(done) });
    const before = (await client.loadTable(['raw'], 'readings')).metadata;
    const result = await streamed([await stream('many.csv')]);
    expect(result.addedRecords).toBe(50n);
    expect(result.dataFiles.map((f) => f.recordCount)).toEqual([20n, 20n, 10n]);
    expect(progress.at(-1)).toBe((await stream('many.csv')).size);
    const rows = (await headRows((await client.loadTable(['raw'], 'readings')).metadata, h.objects, { limit: 1000 })).rows;
    for (let i = 0; i < 50; i++) expect(rows.filter((r) => r.device === `cgm-${i}` && r.glucose === BigInt(i))).toHaveLength(1);
    // A bad value after two files were written: nothing committed, the files removed.
    writeFileSync(join(dir, 'late.csv'), `device,glucose\n${lines.join('\n')}\nlast,nope\n`);
    const location = (await client.loadTable(['raw'], 'readings')).metadata.location;
    const objects = async () => {
      const out: string[] = [];
      for await (const o of h.objects.list(location)) out.push(o.location);
      return out.sort();
    };
    const stored = await objects();
    const committed = (await client.loadTable(['raw'], 'readings')).metadata.currentSnapshotId;
    await expect(streamed([await stream('late.csv')])).rejects.toThrow(`${join(dir, 'late.csv')}:52: column glucose: expected a 64-bit integer, got "nope"`);
    expect((await client.loadTable(['raw'], 'readings')).metadata.currentSnapshotId).toBe(committed);
    expect(await objects()).toEqual(stored);
    expect(before.currentSnapshotId).not.toBe(committed);
  });
});
