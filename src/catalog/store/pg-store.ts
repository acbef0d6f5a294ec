/**
 * The VersionStore on PostgreSQL and PGlite (same drizzle code, same migrations). Verbs with
 * real logic live in their own files (commit.ts, merge.ts, history.ts, key-index.ts); this class
 * wires them up and holds references, reads and paging.
 */
import { sql } from 'drizzle-orm';
import { AlreadyExistsError, BadRequestError, NotFoundError, ReferenceConflictError } from '../errors.js';
import { checkRefName } from '../refs/names.js';
import { commitOnBranch } from './group-commit.js';
import { DEFAULT_STORE_CACHE_BYTES, sqlState, StoreCore, type CommitRow, type Transactional } from './core.js';
import { ancestor, firstParentChain, hashAtTime, mergeBase, resolveHash } from './history.js';
import { diffIndex, EMPTY_NODE_DATA, EMPTY_ROOT, lookupMany, walkIndex, type IndexEntry } from './key-index.js';
import { ListingCache } from './listing-cache.js';
import { mergeInto, transplantOnto } from './merge.js';
import { PgGcRecords } from './gc-store.js';
import type { GcRecords } from '../gc/records.js';
import type { RefCache, RefCacheMode } from './ref-cache.js';
import {
  keyFromString,
  keyToString,
  NO_ANCESTOR_HASH,
  type Commit,
  type CommitMeta,
  type CommitOperation,
  type CommitResult,
  type Content,
  type ContentKey,
  type ContentType,
  type DiffEntry,
  type Entry,
  type MergeRequest,
  type MergeResult,
  type Page,
  type PageRequest,
  type Reference,
  type ReferenceType,
  type TransplantRequest,
  type VersionStore,
} from './port.js';

const DEFAULT_LOG_PAGE = 250;
const MiB = 1024 * 1024;

export interface PgStoreOptions {
  db: Transactional;
  migrate: () => Promise<void>;
  close: () => Promise<void>;
  defaultBranch?: string;
  /**
   * The reference head cache (ref-cache.ts): 'exclusive' when this process is the only writer
   * (PGlite), 'watched' with `watchRefs`, 'off' (the default) to read every head from the database.
   */
  refCache?: RefCacheMode;
  /** Starts keeping a 'watched' cache in step with other processes (ref-listener.ts). */
  watchRefs?: (cache: RefCache, origin: string) => { start(): Promise<void>; close(): Promise<void> };
  /** Budget of the in-process caches of index nodes, contents and commits (bytes). */
  cacheBytes?: number;
}

/**
 * Page tokens name the listing they belong to (`scope`) and where it stopped, so a token that
 * was forged, altered or taken from another listing is refused (400) instead of silently
 * starting somewhere else.
 */
function encodeToken(scope: string, position: string): string {
  return Buffer.from(`${scope}\u0001${position}`, 'utf8').toString('base64url');
}

function decodeToken(t: string, scope: string): string {
  const s = Buffer.from(t, 'base64url').toString('utf8');
  const cut = s.indexOf('\u0001');
  if (Buffer.from(s, 'utf8').toString('base64url') !== t || cut < 0) throw new BadRequestError(`Invalid page token '${t}'`);
  if (s.slice(0, cut) !== scope) throw new BadRequestError(`Invalid page token '${t}': it belongs to another listing`);
  return s.slice(cut + 1);
}

/** The scope of a key listing: its prefix, depth and types. */
function entriesScope(prefix: ContentKey | undefined, depth: number | undefined, types: ContentType[] | undefined): string {
  return `entries\u0002${depth ?? ''}\u0002${types ? [...types].sort().join(',') : ''}\u0002${keyToString(prefix ?? [])}`;
}

function pageSize(p: PageRequest | undefined, dflt: number): number {
  const n = p?.pageSize ?? dflt;
  if (!Number.isInteger(n) || n <= 0) throw new BadRequestError(`Invalid page size ${String(p?.pageSize)}`);
  return n;
}

/** Range of keys strictly under a namespace path: its key string plus the separator. */
function prefixRange(prefix: ContentKey | undefined): { from?: string; to?: string } {
  if (!prefix || prefix.length === 0) return {};
  const p = keyToString(prefix);
  return { from: `${p}\u0000`, to: `${p}\u0001` };
}

export class PgVersionStore implements VersionStore {
  readonly defaultBranch: string;
  private readonly core: StoreCore;
  /** Listing pages by index root (listing-cache.ts); kept beside, not within, `cacheBytes`. */
  private readonly listings: ListingCache;
  private watcher: { start(): Promise<void>; close(): Promise<void> } | undefined;

  constructor(private readonly opts: PgStoreOptions) {
    const mode = opts.refCache ?? 'off';
    if (mode === 'watched' && !opts.watchRefs) throw new Error("refCache 'watched' needs watchRefs");
    this.core = new StoreCore(opts.db, mode, opts.cacheBytes);
    this.listings = new ListingCache(Math.max(MiB, (opts.cacheBytes ?? DEFAULT_STORE_CACHE_BYTES) / 8));
    this.defaultBranch = opts.defaultBranch ?? 'main';
  }

  /** Garbage collection's records (gc-store.ts), reading the commit graph through this store's caches. */
  gcRecords(db: Transactional): GcRecords {
    return new PgGcRecords(db, this.core);
  }

  /** The reference head cache, for tests and metrics. */
  get refCache(): RefCache {
    return this.core.refs;
  }

  async init(): Promise<void> {
    await this.opts.migrate();
    await this.core.rows(
      sql`WITH n AS (INSERT INTO index_nodes (hash, level, data) VALUES (${EMPTY_ROOT}, 0, ${EMPTY_NODE_DATA}) ON CONFLICT DO NOTHING),
          c AS (INSERT INTO commits (hash, parent, merge_parent, gen, commit_time, author, message, properties, operations, index_root)
                VALUES (${NO_ANCESTOR_HASH}, NULL, NULL, 0, 0, '', '', '{}'::jsonb, '[]'::jsonb, ${EMPTY_ROOT})
                ON CONFLICT DO NOTHING)
          INSERT INTO refs (name, type, hash) VALUES (${this.defaultBranch}, 'BRANCH', ${NO_ANCESTOR_HASH}) ON CONFLICT DO NOTHING`,
    );
    if (this.opts.watchRefs && !this.watcher) {
      this.watcher = this.opts.watchRefs(this.core.refs, this.core.origin);
      await this.watcher.start();
    }
  }

  async close(): Promise<void> {
    await this.watcher?.close();
    return this.opts.close();
  }

  async ping(): Promise<void> {
    await this.core.rows(sql`SELECT 1`);
  }

  // -- references

  async listReferences(): Promise<Reference[]> {
    return this.core.rows<Reference>(sql`SELECT name, type, hash FROM refs ORDER BY name`);
  }

  async getReference(name: string): Promise<Reference> {
    const cached = this.core.refs.get(name);
    if (cached) return { name: cached.name, type: cached.type, hash: cached.hash };
    const token = this.core.refs.begin();
    const rows = await this.core.rows<Reference>(sql`SELECT name, type, hash FROM refs WHERE name = ${name}`);
    if (rows.length === 0) throw new NotFoundError(`Named reference '${name}' not found`, 'reference');
    this.core.refs.fill(rows[0], token);
    return rows[0];
  }

  async createReference(name: string, type: ReferenceType, hash: string): Promise<Reference> {
    checkRefName(name);
    const target = await resolveHash(this.core, hash);
    try {
      await this.core.rows(
        sql`WITH i AS (INSERT INTO refs (name, type, hash) VALUES (${name}, ${type}, ${target.hash}) RETURNING name)
            SELECT name, ${this.core.notifyRef(name)} AS notified FROM i`,
      );
    } catch (err) {
      this.core.refs.invalidate(name);
      if (sqlState(err) === '23505') throw new AlreadyExistsError(`Named reference '${name}' already exists`, 'reference');
      throw err;
    }
    return { name, type, hash: target.hash };
  }

  /** Explains a failed reference CAS: missing, of another type, or moved. */
  private async casFailure(name: string, type: ReferenceType | undefined, expectedHash: string): Promise<never> {
    const ref = await this.getReference(name);
    if (type !== undefined && ref.type !== type) {
      throw new NotFoundError(`Named reference '${name}' is not a ${type.toLowerCase()}`, 'reference');
    }
    throw new ReferenceConflictError(
      `Named reference '${name}' is not at expected hash '${expectedHash}', but at '${ref.hash}'`,
      name,
      expectedHash,
      ref.hash,
    );
  }

  async assignReference(name: string, type: ReferenceType | undefined, expectedHash: string, newHash: string): Promise<Reference> {
    const target = await resolveHash(this.core, newHash);
    const rows = await this.core
      .rows<Reference>(
        sql`WITH u AS (
              UPDATE refs SET hash = ${target.hash}
              WHERE name = ${name} AND hash = ${expectedHash} AND (${type ?? null}::text IS NULL OR type = ${type ?? null})
              RETURNING name, type, hash),
            -- The head it leaves stays live for GC's grace (catalog/gc): a reset is not a loss.
            d AS (
              INSERT INTO gc_dropped_heads (name, type, hash, dropped_at, reason)
              SELECT name, type, ${expectedHash}, ${Date.now()}, 'reassigned' FROM u WHERE hash <> ${expectedHash})
            SELECT name, type, hash, ${this.core.notifyRef(name)} AS notified FROM u`,
      )
      .finally(() => this.core.refs.invalidate(name));
    if (rows.length === 0) return this.casFailure(name, type, expectedHash);
    return { name: rows[0].name, type: rows[0].type, hash: rows[0].hash };
  }

  async deleteReference(name: string, type: ReferenceType | undefined, expectedHash: string): Promise<void> {
    if (name === this.defaultBranch) throw new BadRequestError(`Default branch '${name}' cannot be deleted`);
    const rows = await this.core
      .rows<{ name: string }>(
        sql`WITH d AS (
              DELETE FROM refs
              WHERE name = ${name} AND hash = ${expectedHash} AND (${type ?? null}::text IS NULL OR type = ${type ?? null})
              RETURNING name, type, hash),
            -- The deleted head stays live for GC's grace (catalog/gc).
            g AS (
              INSERT INTO gc_dropped_heads (name, type, hash, dropped_at, reason)
              SELECT name, type, hash, ${Date.now()}, 'deleted' FROM d)
            SELECT name, ${this.core.notifyRef(name)} AS notified FROM d`,
      )
      .finally(() => this.core.refs.invalidate(name));
    if (rows.length === 0) await this.casFailure(name, type, expectedHash);
  }

  // -- commits and lookups

  private async toCommits(rows: CommitRow[]): Promise<Commit[]> {
    const hashes = rows.flatMap((r) => r.operations.map((op) => op[2]).filter((h): h is string => h !== null));
    const values = await this.core.loadContents([...new Set(hashes)]);
    return rows.map((r) => ({
      hash: r.hash,
      parentHash: r.parent,
      mergeParentHash: r.mergeParent,
      author: r.author,
      message: r.message,
      commitTimeMs: r.commitTime,
      properties: r.properties,
      // A put whose version garbage collection removed (the commit is outside every retention)
      // is left out: the commit's message, author and time stay readable in the log.
      operations: r.operations.flatMap(([kind, key, hash]): CommitOperation[] => {
        if (kind !== 'put') return [{ kind, key }];
        const content = values.get(hash!);
        return content ? [{ kind, key, content }] : [];
      }),
    }));
  }

  async getCommit(hash: string): Promise<Commit> {
    return (await this.toCommits([await resolveHash(this.core, hash)]))[0];
  }

  async commitAtTime(hash: string, timeMs: number): Promise<string> {
    return hashAtTime(this.core, (await resolveHash(this.core, hash)).hash, timeMs);
  }

  async ancestor(hash: string, n: number): Promise<string> {
    if (!Number.isInteger(n) || n < 0) throw new BadRequestError(`Invalid ancestor distance ${n}`);
    return ancestor(this.core, (await resolveHash(this.core, hash)).hash, n);
  }

  async getContent(hash: string, key: ContentKey): Promise<Content | null> {
    return (await this.getContents(hash, [key])).get(keyToString(key)) ?? null;
  }

  async getContents(hash: string, keys: ContentKey[]): Promise<Map<string, Content>> {
    const commit = await resolveHash(this.core, hash);
    const found = await lookupMany(this.core, commit.indexRoot, keys.map(keyToString));
    return this.withValues(found);
  }

  private async withValues(entries: Map<string, IndexEntry>): Promise<Map<string, Content>> {
    const values = await this.core.loadContents([...new Set([...entries.values()].map((e) => e.hash))]);
    const out = new Map<string, Content>();
    for (const [k, e] of entries) {
      const v = values.get(e.hash);
      if (v) out.set(k, v);
    }
    return out;
  }

  async listEntries(
    hash: string,
    opts?: PageRequest & { prefix?: ContentKey; depth?: number; types?: ContentType[] },
  ): Promise<Page<Entry>> {
    const commit = await resolveHash(this.core, hash);
    const range = prefixRange(opts?.prefix);
    if (opts?.pageToken) {
      // A token is the last key of the previous page: resume right after it (key order is the
      // same at every commit, so a token stays meaningful after concurrent changes).
      const after = decodeToken(opts.pageToken, entriesScope(opts.prefix, opts.depth, opts.types));
      if ((range.from !== undefined && after < range.from) || (range.to !== undefined && after >= range.to)) {
        throw new BadRequestError(`Invalid page token '${opts.pageToken}': not a key of this listing`);
      }
      range.from = `${after}\u0000`;
    }
    const size = opts?.pageSize === undefined ? Number.POSITIVE_INFINITY : pageSize(opts, 0);
    const wantLength = opts?.depth === undefined ? undefined : (opts.prefix?.length ?? 0) + opts.depth;
    const types = opts?.types && opts.types.length > 0 ? new Set(opts.types) : undefined;
    const cacheKey = ListingCache.key(commit.indexRoot, [range.from, range.to, wantLength, types && [...types].sort().join(','), size]);
    const cached = this.listings.get(cacheKey);
    if (cached) return cached;
    // Separators in the prefix; deeper keys are found without splitting every key.
    const skip = opts?.prefix && opts.prefix.length > 0 ? keyToString(opts.prefix).length + 1 : 0;
    const items: Entry[] = [];
    let more = false;
    await walkIndex(this.core, commit.indexRoot, range, (e) => {
      if (wantLength !== undefined) {
        // Position of the wantLength-th separator: present means the key is deeper than wanted,
        // and everything under that ancestor is too, so seek past its subtree.
        let pos = skip - 1;
        let seen = opts!.prefix?.length ?? 0;
        for (;;) {
          pos = e.key.indexOf('\u0000', pos + 1);
          if (pos < 0) break;
          if (++seen === wantLength) return `${e.key.slice(0, pos)}\u0001`;
        }
        if (seen + 1 !== wantLength) return;
      }
      if (types && !types.has(e.type)) return;
      if (items.length === size) {
        more = true;
        return false;
      }
      items.push({ key: keyFromString(e.key), type: e.type, contentId: e.id });
    });
    const page = more ? { items, nextPageToken: encodeToken(entriesScope(opts?.prefix, opts?.depth, opts?.types), keyToString(items[items.length - 1].key)) } : { items };
    this.listings.set(cacheKey, page);
    return page;
  }

  async log(hash: string, opts?: PageRequest & { untilHash?: string }): Promise<Page<Commit>> {
    const start = opts?.pageToken ? await this.logPosition(opts.pageToken) : (await resolveHash(this.core, hash)).hash;
    const size = pageSize(opts, DEFAULT_LOG_PAGE);
    const until = opts?.untilHash ? (await resolveHash(this.core, opts.untilHash)).hash : undefined;
    const rows = (await firstParentChain(this.core, start, size + 1, until)).filter((r) => r.hash !== NO_ANCESTOR_HASH);
    const reachedUntil = until !== undefined && rows.slice(0, size).some((r) => r.hash === until);
    const page = rows.slice(0, size);
    const items = await this.toCommits(page);
    if (rows.length > size && !reachedUntil) return { items, nextPageToken: encodeToken('log', rows[size].hash) };
    return { items };
  }

  /** Where a log page token continues: a commit that exists, or the token is refused. */
  private async logPosition(token: string): Promise<string> {
    const hash = decodeToken(token, 'log');
    try {
      return (await resolveHash(this.core, hash)).hash;
    } catch (err) {
      if (err instanceof NotFoundError) throw new BadRequestError(`Invalid page token '${token}': no such commit`);
      throw err;
    }
  }

  async commit(branch: string, expectedHash: string, meta: CommitMeta, operations: CommitOperation[]): Promise<CommitResult> {
    const expected = (await resolveHash(this.core, expectedHash)).hash;
    const c = await this.forgetOnFailure(branch, commitOnBranch(this.core, branch, expected, meta, operations));
    return { hash: c.hash, parentHash: c.parent!, commitTimeMs: c.commitTime };
  }

  /**
   * A failed write to `branch` (conflict, lost race, unknown outcome) may mean the cached head is
   * behind: callers re-read the head to retry, and must not be handed the same stale head until
   * a notification happens to arrive.
   */
  private async forgetOnFailure<T>(branch: string, write: Promise<T>): Promise<T> {
    try {
      return await write;
    } catch (err) {
      this.core.refs.invalidate(branch);
      throw err;
    }
  }

  // -- history operations

  async diff(fromHash: string, toHash: string, opts?: PageRequest & { prefix?: ContentKey }): Promise<Page<DiffEntry>> {
    const [from, to] = await Promise.all([resolveHash(this.core, fromHash), resolveHash(this.core, toHash)]);
    const range = prefixRange(opts?.prefix);
    if (opts?.pageToken) range.from = `${decodeToken(opts.pageToken, `diff\u0002${keyToString(opts.prefix ?? [])}`)}\u0000`;
    const size = opts?.pageSize === undefined ? Number.POSITIVE_INFINITY : pageSize(opts, 0);
    const changes: { key: string; from: IndexEntry | null; to: IndexEntry | null }[] = [];
    let more = false;
    for await (const c of diffIndex(this.core, from.indexRoot, to.indexRoot, range)) {
      if (changes.length === size) {
        more = true;
        break;
      }
      changes.push(c);
    }
    const hashes = changes.flatMap((c) => [c.from?.hash, c.to?.hash]).filter((h): h is string => !!h);
    const values = await this.core.loadContents([...new Set(hashes)]);
    const items = changes.map((c) => ({
      key: keyFromString(c.key),
      from: c.from ? (values.get(c.from.hash) ?? null) : null,
      to: c.to ? (values.get(c.to.hash) ?? null) : null,
    }));
    return more ? { items, nextPageToken: encodeToken(`diff\u0002${keyToString(opts?.prefix ?? [])}`, changes[changes.length - 1].key) } : { items };
  }

  async mergeBase(a: string, b: string): Promise<string> {
    const [ca, cb] = await Promise.all([resolveHash(this.core, a), resolveHash(this.core, b)]);
    return mergeBase(this.core, ca.hash, cb.hash);
  }

  merge(req: MergeRequest): Promise<MergeResult> {
    return this.forgetOnFailure(req.toBranch, mergeInto(this.core, req));
  }

  transplant(req: TransplantRequest): Promise<MergeResult> {
    return this.forgetOnFailure(req.toBranch, transplantOnto(this.core, req));
  }
}
