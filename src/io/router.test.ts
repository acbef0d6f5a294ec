import { describe, expect, it } from 'vitest';
import { MemoryObjectStore } from './memory.js';
import { ObjectNotFoundError, ObjectStoreError } from './port.js';
import { RoutingObjectStore } from './router.js';

async function listAll(store: RoutingObjectStore, prefix: string): Promise<string[]> {
  const out: string[] = [];
  for await (const { location } of store.list(prefix)) out.push(location);
  return out;
}

describe('RoutingObjectStore', () => {
  const s3 = new MemoryObjectStore({ roots: ['s3://bucket/'] });
  const local = new MemoryObjectStore({ roots: ['file:///wh/'] });
  const router = new RoutingObjectStore([s3, local]);

  it('sends each location to the store that serves it', async () => {
    await router.write('s3://bucket/t/v1.json', 'in s3');
    await router.write('file:///wh/t/v1.json', 'on disk');
    expect(s3.locations()).toEqual(['s3://bucket/t/v1.json']);
    expect(local.locations()).toEqual(['file:///wh/t/v1.json']);
    expect(await router.readText('s3://bucket/t/v1.json')).toBe('in s3');
    expect(await router.readText('file:///wh/t/v1.json')).toBe('on disk');
    expect(await router.exists('file:///wh/t/v1.json')).toBe(true);
    expect(await listAll(router, 's3://bucket/t')).toEqual(['s3://bucket/t/v1.json']);
    await router.delete('s3://bucket/t/v1.json');
    expect(s3.locations()).toEqual([]);
    await expect(router.read('s3://bucket/t/v1.json')).rejects.toBeInstanceOf(ObjectNotFoundError);
  });

  it('prefers the first store that handles a location', async () => {
    const first = new MemoryObjectStore({ roots: ['s3://'] });
    const second = new MemoryObjectStore({ roots: ['s3://'] });
    await new RoutingObjectStore([first, second]).write('s3://b/k', 'x');
    expect(first.locations()).toEqual(['s3://b/k']);
    expect(second.locations()).toEqual([]);
  });

  it('fails every method with an ObjectStoreError naming the location and what is configured', async () => {
    expect(router.handles('s3://other-bucket/k')).toBe(false);
    const calls = [
      () => router.write('s3://other-bucket/k', 'x'),
      () => router.read('s3://other-bucket/k'),
      () => router.readText('s3://other-bucket/k'),
      () => router.exists('s3://other-bucket/k'),
      () => router.delete('s3://other-bucket/k'),
      () => listAll(router, 's3://other-bucket/k'),
    ];
    for (const call of calls) {
      const err = await call().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ObjectStoreError);
      expect((err as Error).message).toBe(
        'No object store is configured for s3://other-bucket/k (configured: s3://bucket/..., file:///wh/...)',
      );
    }
  });

  it('pings every store and fails if any fails', async () => {
    await expect(router.ping()).resolves.toBeUndefined();
    const broken = new MemoryObjectStore();
    broken.ping = async () => {
      throw new ObjectStoreError('unreachable');
    };
    await expect(new RoutingObjectStore([s3, broken]).ping()).rejects.toThrow('unreachable');
  });
});
