import { describe, expect, it } from 'vitest';
import { MemoryObjectStore } from '../io/memory.js';
import type { PartitionSpec, Schema } from '../iceberg/model.js';
import type { Row } from './arrow-build.js';
import { writeDataFiles } from './data-files.js';

const schema: Schema = {
  type: 'struct',
  schemaId: 0,
  fields: [
    { id: 1, name: 'device', required: true, type: 'string' },
    { id: 2, name: 'day', required: true, type: 'date' },
    { id: 3, name: 'glucose', required: false, type: 'long' },
  ],
};
const bySpec = (fields: PartitionSpec['fields']): PartitionSpec => ({ specId: 0, fields });
const rows: Row[] = Array.from({ length: 25 }, (_, i) => ({ device: `cgm-${i % 3}`, day: 19_800 + (i % 2), glucose: i % 5 === 0 ? null : BigInt(60 + i) }));

async function* chunked(all: Row[], size: number): AsyncGenerator<Row[]> {
  for (let i = 0; i < all.length; i += size) yield all.slice(i, i + size);
}

describe('data files from rows given at once or in chunks', () => {
  for (const spec of [bySpec([]), bySpec([{ sourceId: 2, fieldId: 1000, name: 'day', transform: 'identity' }])]) {
    it(`writes the same files and statistics either way (${spec.fields.length ? 'partitioned' : 'unpartitioned'}), rolled at maxRowsPerFile`, async () => {
      let n = 0;
      const write = (input: Row[] | AsyncIterable<Row[]>) =>
        writeDataFiles({ schema, spec, location: 'memory://t', properties: {} }, input, new MemoryObjectStore(), { newId: () => `f${n++}`, maxRowsPerFile: 5 });
      const whole = await write(rows);
      n = 0;
      const streamed = await write(chunked(rows, 4));
      const describe = (files: typeof whole) => files.map((f) => ({ ...f, filePath: '', fileSizeInBytes: 0n, columnSizes: undefined })).sort((a, b) => JSON.stringify(a, big).localeCompare(JSON.stringify(b, big)));
      expect(describe(streamed)).toEqual(describe(whole));
      expect(streamed.every((f) => f.recordCount <= 5n)).toBe(true);
      expect(streamed.reduce((s, f) => s + f.recordCount, 0n)).toBe(25n);
      expect(streamed.length).toBe(spec.fields.length ? 6 : 5); // 13 and 12 rows per day: 3 + 3 files
    });
  }
});

function big(_k: string, v: unknown) {
  return typeof v === 'bigint' ? String(v) : v instanceof Uint8Array ? [...v] : v instanceof Map ? [...v.entries()] : v;
}
