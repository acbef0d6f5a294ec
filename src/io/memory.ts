import { folderPrefix, requireObjectLocation } from './location.js';
import { ObjectExistsError, ObjectNotFoundError, ObjectStoreError, type ObjectStore } from './port.js';

interface StoredObject {
  body: Uint8Array;
  lastModifiedMs: number;
}

export interface MemoryObjectStoreOptions {
  /** Location prefixes this store serves; `memory://` by default. Tests may add e.g. `s3://bucket/`. */
  roots?: string[];
  now?: () => number;
}

/** An ObjectStore held in a Map, for unit tests of the layers above. */
export class MemoryObjectStore implements ObjectStore {
  private readonly objects = new Map<string, StoredObject>();
  private readonly roots: string[];
  private readonly now: () => number;

  constructor(options: MemoryObjectStoreOptions = {}) {
    this.roots = options.roots ?? ['memory://'];
    this.now = options.now ?? Date.now;
  }

  handles(location: string): boolean {
    return this.roots.some((root) => location.startsWith(root));
  }

  /** What this store serves, for error messages. */
  toString(): string {
    return this.roots.map((root) => `${root}...`).join(', ');
  }

  async write(location: string, body: Uint8Array | string, opts: { ifAbsent?: boolean } = {}): Promise<void> {
    this.check(location);
    requireObjectLocation(location);
    if (opts.ifAbsent && this.objects.has(location)) throw new ObjectExistsError(location);
    // Copied so later changes to the caller's buffer cannot alter what was "written".
    const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : new Uint8Array(body);
    this.objects.set(location, { body: bytes, lastModifiedMs: this.now() });
  }

  async read(location: string): Promise<Uint8Array> {
    this.check(location);
    requireObjectLocation(location);
    const found = this.objects.get(location);
    if (!found) throw new ObjectNotFoundError(location);
    return new Uint8Array(found.body);
  }

  async readText(location: string): Promise<string> {
    return new TextDecoder().decode(await this.read(location));
  }

  async exists(location: string): Promise<boolean> {
    this.check(location);
    requireObjectLocation(location);
    return this.objects.has(location);
  }

  knownMissing(location: string): boolean {
    return this.handles(location) && !this.objects.has(location);
  }

  async delete(location: string): Promise<void> {
    this.check(location);
    requireObjectLocation(location);
    this.objects.delete(location);
  }

  async *list(prefix: string): AsyncIterable<{ location: string; size: number; lastModifiedMs: number }> {
    this.check(prefix);
    const folder = folderPrefix(prefix);
    const matching = [...this.objects.entries()].filter(([location]) => location.startsWith(folder));
    matching.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [location, object] of matching) {
      yield { location, size: object.body.byteLength, lastModifiedMs: object.lastModifiedMs };
    }
  }

  async ping(): Promise<void> {}

  /** Every location currently stored, for assertions in tests. */
  locations(): string[] {
    return [...this.objects.keys()].sort();
  }

  private check(location: string): void {
    if (!this.handles(location)) {
      throw new ObjectStoreError(`The in-memory object store does not serve ${location} (roots: ${this.roots.join(', ')})`);
    }
  }
}
