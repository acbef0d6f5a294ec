/**
 * Recent listing pages by (index root, listing parameters). A commit's key index never changes,
 * so a page computed at one index root is exact for as long as it is kept: nothing has to be
 * invalidated, a commit just makes a new root that misses. It serves the common pattern of
 * engines listing the same namespace again and again between writes (SHOW TABLES, metadata
 * refreshes) without walking thousands of keys each time.
 */
import { Lru } from '../lru.js';
import type { Entry, Page } from './port.js';

/** Rough bytes of one cached entry: the objects, the key elements and the content id. */
function entryWeight(e: Entry): number {
  let w = 96 + e.contentId.length * 2;
  for (const k of e.key) w += 32 + k.length * 2;
  return w;
}

export class ListingCache {
  private readonly pages: Lru<string, Page<Entry>>;

  constructor(capacityBytes: number) {
    this.pages = new Lru<string, Page<Entry>>(capacityBytes, (p) => 128 + p.items.reduce((w, e) => w + entryWeight(e), 0));
  }

  /** The listing key: everything that decides the page besides the index root. */
  static key(indexRoot: string, parts: (string | number | undefined)[]): string {
    return `${indexRoot}\u0000${parts.map((p) => (p === undefined ? '' : String(p))).join('\u0000')}`;
  }

  /** A copy of the cached page (callers own the array they get). */
  get(key: string): Page<Entry> | undefined {
    const p = this.pages.get(key);
    if (!p) return undefined;
    return p.nextPageToken === undefined ? { items: [...p.items] } : { items: [...p.items], nextPageToken: p.nextPageToken };
  }

  set(key: string, page: Page<Entry>): void {
    this.pages.set(key, { items: [...page.items], nextPageToken: page.nextPageToken });
  }

  /** Pages held, for tests. */
  get size(): number {
    return this.pages.size;
  }
}
