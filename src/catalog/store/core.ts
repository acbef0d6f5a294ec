/**
 * Shared plumbing of the store: SQL execution on either driver, caches of immutable rows,
 * SQLSTATE mapping, and the single-statement write of a commit with its reference CAS.
 */
import { randomUUID } from 'node:crypto';
import { sql, type SQL } from 'drizzle-orm';
import { CatalogError, NotFoundError, StoreUnavailableError, UnprocessableError } from '../errors.js';
import { fromContentRow, rememberStoredHash, toContentRow, type ContentRow, type StoredOperation } from './content-codec.js';
import { decodeNode, type IndexNode, type NodeSink, type NodeSource } from './key-index.js';
import { Lru } from '../lru.js';
import type { Content } from './port.js';
import { RefCache, type RefCacheMode } from './ref-cache.js';
import { REF_CHANNEL } from './ref-listener.js';

/** The part of a drizzle database (or transaction) the store uses, on node-postgres and PGlite alike. */
export interface Executor {
  execute(query: SQL): Promise<{ rows: unknown[] }>;
}

export interface Transactional extends Executor {
  transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T>;
}

export interface CommitRow {
  hash: string;
  parent: string | null;
  mergeParent: string | null;
  gen: number;
  commitTime: number;
  author: string;
  message: string;
  properties: Record<string, string>;
  operations: StoredOperation[];
  indexRoot: string;
}

const MiB = 1024 * 1024;

/** Default budget of the store's caches (index nodes, contents, commits). */
export const DEFAULT_STORE_CACHE_BYTES = 72 * MiB;

function nodeWeight(node: IndexNode): number {
  return 64 + ('entries' in node ? node.entries.length : node.children.length) * 160;
}

function contentWeight(c: Content): number {
  return 256 + (c.type === 'NAMESPACE' ? 64 * Object.keys(c.properties).length : c.metadata.length + c.metadataLocation.length);
}

const CONNECTION_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH']);

/** SQLSTATE of a driver error; drizzle wraps the driver's error in `cause`. */
export function sqlState(err: unknown): string | undefined {
  for (let e: unknown = err, i = 0; e && i < 4; e = (e as { cause?: unknown }).cause, i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/** Serialization failures and deadlocks: safe to retry the whole attempt. */
export function isRetryable(err: unknown): boolean {
  const code = sqlState(err);
  return code === '40001' || code === '40P01';
}

/** Runs one statement on `db`; a lost database becomes StoreUnavailableError (503), like every other store call. */
export async function queryRows<T>(db: Executor, q: SQL): Promise<T[]> {
  try {
    return (await db.execute(q)).rows as T[];
  } catch (err) {
    throw mapDbError(err);
  }
}

/** Connection-level failures become StoreUnavailableError: the outcome of a write is unknown. */
export function mapDbError(err: unknown): unknown {
  if (err instanceof CatalogError) return err;
  const code = sqlState(err);
  // drizzle wraps the driver's error ("Failed query: ..."); a lost connection says so in the
  // wrapped error's message only, so every message of the chain is read.
  const messages: string[] = [];
  for (let e: unknown = err, i = 0; e && i < 4; e = (e as { cause?: unknown }).cause, i++) messages.push(e instanceof Error ? e.message : String(e));
  const msg = messages[0];
  if (
    (code && (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || CONNECTION_ERRNOS.has(code))) ||
    messages.some((m) => /Connection terminated|connection.*closed|Client has encountered a connection error/i.test(m))
  ) {
    return new StoreUnavailableError(`database unavailable: ${msg}`);
  }
  return err;
}

/** Metadata bytes in one write above which its content rows are inserted apart (see insertLargeContents). */
const LARGE_CONTENT_BYTES = 1 << 20;

export class StoreCore implements NodeSource {
  // Sized for memory, not correctness: ~20k nodes hold every node of a 500k-key index.
  // Bounded by approximate bytes: table metadata runs to tens of KB per version.
  readonly nodes: Lru<string, IndexNode>;
  readonly contents: Lru<string, Content>;
  readonly commits: Lru<string, CommitRow>;
  /** Reference heads; see ref-cache.ts for when hits are served. */
  readonly refs: RefCache;
  /** Tags this store's notifications, so that its own listener skips them. */
  readonly origin = randomUUID();
  /** Every transaction goes through this wrapper, so that cache updates wait for COMMIT. */
  readonly db: Transactional;
  /** Cache updates of reference moves made inside each open transaction. */
  private readonly afterCommit = new WeakMap<Executor, { name: string; apply: () => void }[]>();

  /** `cacheBytes`: the budget of the three caches together, split 2:4:1 (nodes, contents, commits). */
  constructor(db: Transactional, refCacheMode: RefCacheMode = 'off', cacheBytes = DEFAULT_STORE_CACHE_BYTES) {
    const share = cacheBytes / 7;
    this.nodes = new Lru<string, IndexNode>(2 * share, nodeWeight);
    this.contents = new Lru<string, Content>(4 * share, contentWeight);
    this.commits = new Lru<string, CommitRow>(share, (c) => 512 + c.operations.length * 160);
    this.refs = new RefCache(refCacheMode);
    this.db = {
      execute: (q) => db.execute(q),
      transaction: async <T>(fn: (tx: Executor) => Promise<T>): Promise<T> => {
        const pending: { name: string; apply: () => void }[] = [];
        try {
          const result = await db.transaction((tx) => {
            const tracked: Executor = { execute: (q) => tx.execute(q) };
            this.afterCommit.set(tracked, pending);
            return fn(tracked);
          });
          for (const p of pending) p.apply();
          return result;
        } catch (err) {
          // Rolled back, or COMMIT's outcome is unknown: forget what the transaction touched.
          for (const p of pending) this.refs.invalidate(p.name);
          throw err;
        }
      },
    };
  }

  /**
   * SQL that notifies other processes that reference `name` moved; delivered by PostgreSQL when
   * the surrounding transaction commits, and never if it rolls back. Not needed when this
   * process is the only writer.
   */
  notifyRef(name: string): SQL {
    return this.refs.mode === 'exclusive' ? sql`NULL` : sql`pg_notify(${REF_CHANNEL}, ${`${this.origin} ${name}`})`;
  }

  /**
   * Records that this process moved `name` from `expected` to `next` on `ex`: at once outside a
   * transaction (the statement has committed), at COMMIT inside one.
   */
  refMoved(ex: Executor, name: string, expected: string, next: { name: string; type: 'BRANCH' | 'TAG'; hash: string } | null): void {
    const pending = this.afterCommit.get(ex);
    if (pending) pending.push({ name, apply: () => this.refs.moved(name, expected, next) });
    else if (ex === this.db) this.refs.moved(name, expected, next);
    // An executor this core did not open: its commit cannot be observed, so only drop the entry.
    else this.refs.invalidate(name);
  }

  async rows<T>(q: SQL, ex: Executor = this.db): Promise<T[]> {
    try {
      return (await ex.execute(q)).rows as T[];
    } catch (err) {
      throw mapDbError(err);
    }
  }

  /** NodeSource over the default executor; `nodeSource(tx)` reads inside a transaction. */
  getNodes(hashes: string[]): Promise<Map<string, IndexNode>> {
    return this.loadNodes(hashes, this.db);
  }

  nodeSource(ex: Executor): NodeSource {
    return { getNodes: (h) => this.loadNodes(h, ex) };
  }

  private async loadNodes(hashes: string[], ex: Executor): Promise<Map<string, IndexNode>> {
    const out = new Map<string, IndexNode>();
    const missing: string[] = [];
    for (const h of hashes) {
      const n = this.nodes.get(h);
      if (n) out.set(h, n);
      else if (!missing.includes(h)) missing.push(h);
    }
    if (missing.length > 0) {
      const rows = await this.rows<{ hash: string; data: string }>(
        sql`SELECT hash, data FROM index_nodes WHERE hash = ANY(${toPgArray(missing)}::text[])`,
        ex,
      );
      for (const r of rows) {
        const n = decodeNode(r.data);
        this.nodes.set(r.hash, n);
        out.set(r.hash, n);
      }
      for (const h of missing) {
        if (!out.has(h)) {
          // Garbage collection removes the state of commits outside every retention (catalog/gc).
          throw new UnprocessableError(`The catalog state at this commit is no longer available (key index node ${h} is missing): garbage collection removes the state of commits outside every reference's retention`);
        }
      }
    }
    return out;
  }

  async loadContents(hashes: string[], ex: Executor = this.db): Promise<Map<string, Content>> {
    const out = new Map<string, Content>();
    const missing = new Set<string>();
    for (const h of hashes) {
      const c = this.contents.get(h);
      if (c) out.set(h, c);
      else missing.add(h);
    }
    if (missing.size > 0) {
      const rows = await this.rows<ContentRow>(
        sql`SELECT hash, type, content_id, metadata_location, metadata, snapshot_id::text AS snapshot_id, schema_id,
                   spec_id, sort_order_id, version_id, properties
            FROM contents WHERE hash = ANY(${toPgArray([...missing])}::text[])`,
        ex,
      );
      for (const r of rows) {
        const c = fromContentRow(r);
        rememberStoredHash(c, r.hash);
        this.contents.set(r.hash, c);
        out.set(r.hash, c);
      }
    }
    return out;
  }

  /** Commit rows by full hash; throws NotFoundError for unknown hashes. */
  async loadCommits(hashes: string[], ex: Executor = this.db): Promise<Map<string, CommitRow>> {
    const out = new Map<string, CommitRow>();
    const missing = new Set<string>();
    for (const h of hashes) {
      const c = this.commits.get(h);
      if (c) out.set(h, c);
      else missing.add(h);
    }
    if (missing.size > 0) {
      // The root node of each commit's key index comes along: every reader needs it next, and
      // on a busy branch this saves a round trip inside the commit critical section.
      const rows = await this.rows<RawCommitRow & { root_data: string | null }>(
        sql`SELECT c.hash, c.parent, c.merge_parent, c.gen, c.commit_time, c.author, c.message, c.properties,
                   c.operations, c.index_root, n.data AS root_data
            FROM commits c LEFT JOIN index_nodes n ON n.hash = c.index_root
            WHERE c.hash = ANY(${toPgArray([...missing])}::text[])`,
        ex,
      );
      for (const r of rows) {
        const c = toCommitRow(r);
        this.commits.set(c.hash, c);
        if (r.root_data !== null && !this.nodes.get(c.indexRoot)) this.nodes.set(c.indexRoot, decodeNode(r.root_data));
        out.set(c.hash, c);
      }
      for (const h of missing) if (!out.has(h)) throw new NotFoundError(`Commit '${h}' not found`, 'commit');
    }
    return out;
  }

  async loadCommit(hash: string, ex: Executor = this.db): Promise<CommitRow> {
    return (await this.loadCommits([hash], ex)).get(hash)!;
  }

  /**
   * Inserts new rows and moves `branch` from `expected` to the last of `commits` (a chain) in
   * ONE statement: one round trip, atomic. Returns false when the CAS lost; the inserted rows
   * are then unreferenced but harmless, being content-addressed.
   */
  async writeCommits(
    ex: Executor,
    branch: string,
    expected: string,
    commits: CommitRow[],
    nodes: NodeSink,
    contents: Map<string, Content>,
  ): Promise<boolean> {
    // Every new node is sent (not only those missing from the cache): a cached node may come
    // from a transaction that did not commit, and ON CONFLICT makes re-sending harmless.
    const nodeRows = [...nodes].map(([hash, n]) => ({ hash, level: n.level, data: n.data }));
    const contentRows = [...contents].map(([h, c]) => toContentRow(h, c));
    const next = commits[commits.length - 1].hash;
    const commitRows = commits.map((c) => ({
      hash: c.hash,
      parent: c.parent,
      merge_parent: c.mergeParent,
      gen: c.gen,
      commit_time: c.commitTime,
      author: c.author,
      message: c.message,
      properties: c.properties,
      operations: c.operations,
      index_root: c.indexRoot,
    }));
    // Large metadata documents go first, as plain parameters: inside the JSON document below,
    // PostgreSQL would parse and unescape every byte of them (a merge of 1,000 tables sends ~10 MB).
    const inline = await this.insertLargeContents(ex, contentRows);
    const rows = await this.rows<{ hash: string }>(
      sql`WITH n AS (
            INSERT INTO index_nodes (hash, level, data)
            SELECT x.hash, x.level, x.data FROM json_to_recordset(${JSON.stringify(nodeRows)}::json)
              AS x(hash text, level smallint, data text)
            ON CONFLICT DO NOTHING),
          c AS (
            INSERT INTO contents (hash, type, content_id, metadata_location, metadata, snapshot_id, schema_id, spec_id,
                                  sort_order_id, version_id, properties)
            SELECT x.hash, x.type, x.content_id, x.metadata_location, x.metadata, x.snapshot_id::bigint, x.schema_id,
                   x.spec_id, x.sort_order_id, x.version_id, x.properties::jsonb
            FROM json_to_recordset(${JSON.stringify(inline)}::json)
              AS x(hash text, type text, content_id text, metadata_location text, metadata text, snapshot_id text,
                   schema_id int, spec_id int, sort_order_id int, version_id int, properties json)
            ON CONFLICT DO NOTHING),
          k AS (
            INSERT INTO commits (hash, parent, merge_parent, gen, commit_time, author, message, properties, operations,
                                 index_root)
            SELECT x.hash, x.parent, x.merge_parent, x.gen, x.commit_time, x.author, x.message, x.properties::jsonb,
                   x.operations::jsonb, x.index_root
            FROM json_to_recordset(${JSON.stringify(commitRows)}::json)
              AS x(hash text, parent text, merge_parent text, gen bigint, commit_time bigint, author text, message text,
                   properties json, operations json, index_root text)
            ON CONFLICT DO NOTHING),
          u AS (
            UPDATE refs SET hash = ${next}
            WHERE name = ${branch} AND type = 'BRANCH' AND hash = ${expected}
            RETURNING hash)
          SELECT hash, ${this.notifyRef(branch)} AS notified FROM u`,
      ex,
    ).catch((err: unknown) => {
      // The statement may have committed before the error: the head is unknown.
      this.refs.invalidate(branch);
      throw err;
    });
    if (rows.length !== 1) {
      // Lost the race: whatever is cached for the branch is probably behind.
      this.refs.invalidate(branch);
      return false;
    }
    this.refMoved(ex, branch, expected, { name: branch, type: 'BRANCH', hash: next });
    return true;
  }

  /**
   * Inserts the content rows of a write whose metadata adds up to more than LARGE_CONTENT_BYTES,
   * in statements of plain parameters, and returns the rows left for the commit's own statement
   * (all of them for an ordinary commit: one statement, one round trip). Rows inserted here for a
   * commit that then loses its race are unreferenced but harmless, being content-addressed.
   */
  private async insertLargeContents(ex: Executor, contentRows: ContentRow[]): Promise<ContentRow[]> {
    const bytes = contentRows.reduce((n, r) => n + (r.metadata?.length ?? 0), 0);
    if (bytes <= LARGE_CONTENT_BYTES) return contentRows;
    let chunk: ContentRow[] = [];
    let chunkBytes = 0;
    const flush = async () => {
      if (chunk.length === 0) return;
      const values = sql.join(
        chunk.map(
          (r) =>
            sql`(${r.hash}, ${r.type}, ${r.content_id}, ${r.metadata_location}, ${r.metadata}, ${r.snapshot_id}::bigint, ${r.schema_id}::int,
                 ${r.spec_id}::int, ${r.sort_order_id}::int, ${r.version_id}::int, ${r.properties === null ? null : JSON.stringify(r.properties)}::jsonb)`,
        ),
        sql`, `,
      );
      await this.rows(
        sql`INSERT INTO contents (hash, type, content_id, metadata_location, metadata, snapshot_id, schema_id, spec_id, sort_order_id,
                                  version_id, properties)
            VALUES ${values} ON CONFLICT DO NOTHING`,
        ex,
      );
      chunk = [];
      chunkBytes = 0;
    };
    for (const r of contentRows) {
      chunk.push(r);
      chunkBytes += r.metadata?.length ?? 0;
      if (chunk.length >= 500 || chunkBytes >= LARGE_CONTENT_BYTES * 8) await flush();
    }
    await flush();
    return [];
  }

  /** Caches the rows of a written commit (never used to skip an insert, see writeCommit). */
  remember(commits: CommitRow[], nodes: NodeSink, contents: Map<string, Content>): void {
    for (const c of commits) this.commits.set(c.hash, c);
    for (const [h, n] of nodes) this.nodes.set(h, decodeNode(n.data));
    for (const [h, c] of contents) {
      rememberStoredHash(c, h);
      this.contents.set(h, c);
    }
  }
}

/** A text[] literal; passed as one parameter so the statement text does not grow with the list. */
export function toPgArray(values: string[]): string {
  return `{${values.map((v) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}`;
}

export interface RawCommitRow {
  hash: string;
  parent: string | null;
  merge_parent: string | null;
  gen: string | number;
  commit_time: string | number;
  author: string;
  message: string;
  properties: Record<string, string>;
  operations: StoredOperation[];
  index_root: string;
}

export const COMMIT_COLUMNS = sql.raw(
  'hash, parent, merge_parent, gen, commit_time, author, message, properties, operations, index_root',
);

export function toCommitRow(r: RawCommitRow): CommitRow {
  return {
    hash: r.hash,
    parent: r.parent,
    mergeParent: r.merge_parent,
    gen: Number(r.gen),
    commitTime: Number(r.commit_time),
    author: r.author,
    message: r.message,
    properties: r.properties ?? {},
    operations: r.operations ?? [],
    indexRoot: r.index_root,
  };
}
