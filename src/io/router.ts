import { ObjectStoreError, type ObjectStore } from './port.js';

/**
 * One ObjectStore over several: each call goes to the first store that `handles` the location,
 * so tables in the S3 warehouse and on the local filesystem can sit in one catalog.
 */
export class RoutingObjectStore implements ObjectStore {
  constructor(private readonly stores: readonly ObjectStore[]) {}

  handles(location: string): boolean {
    return this.stores.some((store) => store.handles(location));
  }

  async write(location: string, body: Uint8Array | string, opts?: { ifAbsent?: boolean; contentType?: string }): Promise<void> {
    return this.storeFor(location).write(location, body, opts);
  }

  async read(location: string): Promise<Uint8Array> {
    return this.storeFor(location).read(location);
  }

  async readText(location: string): Promise<string> {
    return this.storeFor(location).readText(location);
  }

  async exists(location: string): Promise<boolean> {
    return this.storeFor(location).exists(location);
  }

  knownMissing(location: string): boolean {
    const store = this.stores.find((candidate) => candidate.handles(location));
    return store?.knownMissing?.(location) ?? false;
  }

  async delete(location: string): Promise<void> {
    return this.storeFor(location).delete(location);
  }

  async deleteMany(locations: string[]): Promise<Map<string, string>> {
    const failed = new Map<string, string>();
    const byStore = new Map<ObjectStore, string[]>();
    for (const location of locations) {
      const store = this.storeFor(location);
      let list = byStore.get(store);
      if (!list) byStore.set(store, (list = []));
      list.push(location);
    }
    for (const [store, list] of byStore) {
      if (store.deleteMany) {
        for (const [location, why] of await store.deleteMany(list)) failed.set(location, why);
        continue;
      }
      for (const location of list) {
        try {
          await store.delete(location);
        } catch (err) {
          failed.set(location, err instanceof Error ? err.message : String(err));
        }
      }
    }
    return failed;
  }

  async *list(prefix: string): AsyncIterable<{ location: string; size: number; lastModifiedMs: number }> {
    yield* this.storeFor(prefix).list(prefix);
  }

  async ping(): Promise<void> {
    await Promise.all(this.stores.map((store) => store.ping()));
  }

  private storeFor(location: string): ObjectStore {
    const store = this.stores.find((candidate) => candidate.handles(location));
    if (!store) {
      const served = this.stores.length === 0 ? 'nothing' : this.stores.map((s) => String(s)).join(', ');
      throw new ObjectStoreError(`No object store is configured for ${location} (configured: ${served})`);
    }
    return store;
  }
}
