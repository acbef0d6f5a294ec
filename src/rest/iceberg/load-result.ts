/**
 * LoadTableResult bodies and their ETags, built once per table version and served from memory.
 *
 * A loadTable hit costs one map lookup: no JSON building, no UTF-8 encoding and no hashing.
 * Entries are keyed by snapshots mode and metadata location, and an entry only answers for the
 * exact metadata text it was built from (compared by identity first, which the store's content
 * cache makes the common case), so a location re-registered with other content is rebuilt.
 * The storage config is fixed for the life of the app, so it is part of every body and ETag.
 */
import { createHash } from 'node:crypto';
import { Lru } from '../../catalog/index.js';

export type SnapshotsMode = 'all' | 'refs';

export interface LoadResultBody {
  body: Uint8Array<ArrayBuffer>;
  etag: string;
}

interface Entry extends LoadResultBody {
  /** The metadata text the body was built from. */
  source: string;
}

const MiB = 1024 * 1024;

export class LoadResultCache {
  private readonly entries: Lru<string, Entry>;
  private readonly configDigest: string;

  constructor(
    private readonly configJson: string,
    maxBytes = 64 * MiB,
  ) {
    // Source text and body are both held: count both.
    this.entries = new Lru<string, Entry>(maxBytes, (e) => 256 + e.body.length + e.source.length);
    this.configDigest = createHash('sha256').update(configJson).digest('hex');
  }

  /**
   * The body and ETag for one table version. `metadataText` is the stored text; `render` turns it
   * into the text to serve for `mode` (identity for `all`).
   */
  get(mode: SnapshotsMode, metadataLocation: string, metadataText: string, render: (text: string) => string): LoadResultBody {
    const key = `${mode}\u0000${metadataLocation}`;
    const hit = this.entries.get(key);
    if (hit && hit.source === metadataText) return hit;
    const entry: Entry = {
      source: metadataText,
      body: Buffer.from(loadResultText(metadataLocation, render(metadataText), this.configJson), 'utf8'),
      etag: this.etag(mode, metadataLocation),
    };
    this.entries.set(key, entry);
    return entry;
  }

  /**
   * The ETag of a table version as served in `mode`. Distinct per mode (the spec asks for that)
   * and per storage config (vended settings may change across restarts). Commit and create
   * responses carry the ETag a following load in `all` mode would answer with.
   */
  etag(mode: SnapshotsMode, metadataLocation: string): string {
    const digest = createHash('sha256').update(`${this.configDigest}\u0000${mode}\u0000${metadataLocation}`).digest('hex');
    return `W/"${digest.slice(0, 40)}"`;
  }

  get size(): number {
    return this.entries.size;
  }
}

/** LoadTableResult text around stored metadata text, so the metadata is served byte for byte. */
export function loadResultText(metadataLocation: string | undefined, metadataText: string, configJson: string): string {
  const location = metadataLocation === undefined ? '' : `"metadata-location":${JSON.stringify(metadataLocation)},`;
  return `{${location}"metadata":${metadataText},"config":${configJson}}`;
}

/**
 * True when an If-None-Match header names `etag`: `*`, or a list of entity tags compared weakly
 * (RFC 9110 section 13.1.2: `W/"x"` matches `"x"`).
 */
export function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const opaque = (t: string) => (t.startsWith('W/') ? t.slice(2) : t);
  const want = opaque(etag);
  for (const raw of header.split(',')) {
    const t = raw.trim();
    if (t === '*' || opaque(t) === want) return true;
  }
  return false;
}
