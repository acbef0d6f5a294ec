/**
 * The files a table version needs: its metadata.json, and for every snapshot it lists the
 * manifest list, every manifest, every data and delete file the manifests hold as added or
 * existing (deletion-vector Puffin files included), and the statistics and partition-statistics
 * files. Manifest lists and manifests are immutable, so each is read once per run.
 *
 * Fail closed: a manifest list or manifest that cannot be read makes the whole version
 * unreadable (`UnreadableVersionError`); the caller then keeps everything under that table's
 * location instead of reading the version as if it needed less.
 */
import type { ObjectStore } from '../../io/port.js';
import { readManifest, readManifestList } from '../../iceberg/manifest/index.js';
import { parseTableMetadata } from '../../iceberg/table-metadata-json.js';
import type { TableMetadata } from '../../iceberg/model.js';
import { normalizeLocation } from '../locations.js';

export class UnreadableVersionError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`cannot read ${file}: ${reason}`);
    this.name = 'UnreadableVersionError';
  }
}

/** One spelling per file, the one a listing of the object store gives. */
export const canonicalPath = normalizeLocation;

function reasonOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class FileExpander {
  /** Manifest path -> the files it holds (added or existing). */
  private readonly manifests = new Map<string, string[]>();
  /** Manifest list path -> its manifests. */
  private readonly lists = new Map<string, string[]>();
  readonly counters = { manifestListsRead: 0, manifestsRead: 0, bytesRead: 0 };

  constructor(private readonly objects: ObjectStore) {}

  private async read(path: string): Promise<Uint8Array> {
    try {
      const bytes = await this.objects.read(path);
      this.counters.bytesRead += bytes.byteLength;
      return bytes;
    } catch (err) {
      throw new UnreadableVersionError(path, reasonOf(err));
    }
  }

  /** Reads and parses an immutable file once per run; a failure makes the version unreadable. */
  private async once(cache: Map<string, string[]>, path: string, parse: (bytes: Uint8Array) => string[], counter: 'manifestListsRead' | 'manifestsRead'): Promise<string[]> {
    const known = cache.get(path);
    if (known) return known;
    const bytes = await this.read(path);
    let paths: string[];
    try {
      paths = parse(bytes);
    } catch (err) {
      throw new UnreadableVersionError(path, reasonOf(err));
    }
    this.counters[counter]++;
    cache.set(path, paths);
    return paths;
  }

  private manifestList(path: string): Promise<string[]> {
    return this.once(this.lists, path, (b) => readManifestList(b).manifests.map((m) => m.manifestPath), 'manifestListsRead');
  }

  /** The files a manifest holds as added or existing. */
  private manifest(path: string): Promise<string[]> {
    return this.once(this.manifests, path, (b) => readManifest(b).entries.filter((e) => e.status !== 'deleted').map((e) => e.dataFile.filePath), 'manifestsRead');
  }

  /** Parses a table version's metadata (as stored with the version). */
  static parse(metadataLocation: string, metadataText: string): TableMetadata {
    try {
      return parseTableMetadata(metadataText);
    } catch (err) {
      throw new UnreadableVersionError(metadataLocation, reasonOf(err));
    }
  }

  /**
   * Adds the files of a table version to `out`. `snapshotIds` limits the snapshots taken
   * (default: every snapshot the version lists).
   */
  async tableFiles(metadataLocation: string, metadata: TableMetadata, out: Set<string>, snapshotIds?: ReadonlySet<bigint>): Promise<void> {
    out.add(canonicalPath(metadataLocation));
    for (const s of metadata.statistics) if (!snapshotIds || snapshotIds.has(s.snapshotId)) out.add(canonicalPath(s.statisticsPath));
    for (const s of metadata.partitionStatistics) if (!snapshotIds || snapshotIds.has(s.snapshotId)) out.add(canonicalPath(s.statisticsPath));
    const manifests = new Set<string>();
    for (const snap of metadata.snapshots) {
      if (snapshotIds && !snapshotIds.has(snap.snapshotId)) continue;
      if (snap.manifestList !== undefined) {
        out.add(canonicalPath(snap.manifestList));
        for (const m of await this.manifestList(snap.manifestList)) manifests.add(m);
      } else {
        for (const m of snap.manifests ?? []) manifests.add(m);
      }
    }
    for (const m of manifests) {
      out.add(canonicalPath(m));
      for (const f of await this.manifest(m)) out.add(canonicalPath(f));
    }
  }
}
