import { describe, expect, it } from 'vitest';
import { MemoryObjectStore } from '../../src/io/memory.js';
import { describeObjectStoreContract, listAll } from './contract.js';

describeObjectStoreContract('memory', async () => ({
  store: new MemoryObjectStore(),
  root: 'memory://warehouse',
  unserved: 's3://bucket/key.json',
}));

describe('MemoryObjectStore', () => {
  it('serves extra roots so tests can use s3:// or file:// locations', async () => {
    const store = new MemoryObjectStore({ roots: ['s3://bucket/'], now: () => 1234 });
    expect(store.handles('s3://bucket/t/metadata/v1.json')).toBe(true);
    expect(store.handles('s3://other/t/metadata/v1.json')).toBe(false);
    expect(store.handles('memory://x')).toBe(false);
    await store.write('s3://bucket/t/metadata/v1.json', '{}');
    expect(store.locations()).toEqual(['s3://bucket/t/metadata/v1.json']);
    expect(await listAll(store, 's3://bucket/t')).toEqual([
      { location: 's3://bucket/t/metadata/v1.json', size: 2, lastModifiedMs: 1234 },
    ]);
  });
});
