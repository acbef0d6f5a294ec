/** Garbage collection's records in the store's database (tables `gc_*`; rules in catalog/gc). */
import { sql } from 'drizzle-orm';
import type {
  DeletionState,
  DroppedHead,
  GcCommit,
  GcDeletion,
  GcPolicy,
  GcRecords,
  GcRunRecord,
  PolicyRefType,
  RunState,
} from '../gc/records.js';
import { fromContentRow, type ContentRow, type StoredOperation } from './content-codec.js';
import { queryRows, toPgArray, type Executor, type StoreCore, type Transactional } from './core.js';
import { resolveHash } from './history.js';
import { decodeNode, walkIndex } from './key-index.js';

interface RunRow {
  id: string;
  state: RunState;
  dry_run: number;
  started_at: string | number;
  finished_at: string | number | null;
  lease_until: string | number;
  started_by: string;
  options: Record<string, unknown>;
  report: unknown;
  error: string | null;
}

function toRun(r: RunRow): GcRunRecord {
  return {
    id: r.id,
    state: r.state,
    dryRun: r.dry_run === 1,
    startedAtMs: Number(r.started_at),
    ...(r.finished_at !== null ? { finishedAtMs: Number(r.finished_at) } : {}),
    leaseUntilMs: Number(r.lease_until),
    startedBy: r.started_by,
    options: r.options,
    ...(r.report !== null && r.report !== undefined ? { report: r.report } : {}),
    ...(r.error !== null ? { error: r.error } : {}),
  };
}

const RUN_COLUMNS = sql.raw('id, state, dry_run, started_at, finished_at, lease_until, started_by, options, report, error');

export class PgGcRecords implements GcRecords {
  constructor(
    private readonly db: Transactional,
    private readonly core: StoreCore,
  ) {}

  async firstParents(head: string, limit: number): Promise<GcCommit[]> {
    const rows = await queryRows<{ hash: string; parent: string | null; commit_time: string | number; operations: StoredOperation[] }>(
      this.db,
      sql`WITH RECURSIVE chain(hash, n) AS (
            SELECT ${head}::text, 1
            UNION ALL
            SELECT c.parent, chain.n + 1 FROM chain JOIN commits c ON c.hash = chain.hash
            WHERE chain.n < ${limit} AND c.parent IS NOT NULL)
          SELECT c.hash, c.parent, c.commit_time, c.operations FROM chain JOIN commits c ON c.hash = chain.hash
          ORDER BY chain.n`,
    );
    return rows.map((r) => ({
      hash: r.hash,
      parent: r.parent,
      commitTimeMs: Number(r.commit_time),
      puts: (r.operations ?? []).filter((op) => op[0] === 'put' && op[2] !== null).map((op) => op[2] as string),
    }));
  }

  async tablesAt(commitHash: string): Promise<string[]> {
    const commit = await resolveHash(this.core, commitHash);
    const out: string[] = [];
    await walkIndex(this.core, commit.indexRoot, {}, (e) => {
      if (e.type !== 'NAMESPACE') out.push(e.hash);
    });
    return out;
  }

  async versions(hashes: string[]) {
    if (hashes.length === 0) return [];
    // Read directly, not through the store's content cache: a GC pass would only evict what
    // the serving path keeps there.
    const rows = await queryRows<ContentRow>(
      this.db,
      sql`SELECT hash, type, content_id, metadata_location, metadata, snapshot_id::text AS snapshot_id, schema_id,
                 spec_id, sort_order_id, version_id, properties
          FROM contents WHERE hash = ANY(${toPgArray(hashes)}::text[]) AND type <> 'NAMESPACE'`,
    );
    return rows.map((r) => {
      const c = fromContentRow(r);
      return {
        hash: r.hash,
        contentId: c.id,
        type: c.type,
        metadataLocation: c.type === 'NAMESPACE' ? null : c.metadataLocation,
        metadata: c.type === 'NAMESPACE' ? null : c.metadata,
      };
    });
  }

  async policies(): Promise<GcPolicy[]> {
    const rows = await queryRows<{
      ref_type: PolicyRefType;
      pattern: string;
      retain_ms: string | number;
      retain_commits: number;
      deleted_grace_ms: string | number;
      updated_at: string | number;
      updated_by: string;
    }>(this.db, sql`SELECT ref_type, pattern, retain_ms, retain_commits, deleted_grace_ms, updated_at, updated_by FROM gc_policies ORDER BY ref_type, pattern`);
    return rows.map((r) => ({
      refType: r.ref_type,
      pattern: r.pattern,
      retainMs: Number(r.retain_ms),
      retainCommits: r.retain_commits,
      deletedGraceMs: Number(r.deleted_grace_ms),
      updatedAtMs: Number(r.updated_at),
      updatedBy: r.updated_by,
    }));
  }

  async putPolicy(p: GcPolicy): Promise<void> {
    await queryRows(
      this.db,
      sql`INSERT INTO gc_policies (ref_type, pattern, retain_ms, retain_commits, deleted_grace_ms, updated_at, updated_by)
          VALUES (${p.refType}, ${p.pattern}, ${p.retainMs}, ${p.retainCommits}, ${p.deletedGraceMs}, ${p.updatedAtMs ?? 0}, ${p.updatedBy ?? ''})
          ON CONFLICT (ref_type, pattern) DO UPDATE SET retain_ms = EXCLUDED.retain_ms, retain_commits = EXCLUDED.retain_commits,
            deleted_grace_ms = EXCLUDED.deleted_grace_ms, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by`,
    );
  }

  async removePolicy(refType: PolicyRefType, pattern: string): Promise<boolean> {
    const rows = await queryRows(this.db, sql`DELETE FROM gc_policies WHERE ref_type = ${refType} AND pattern = ${pattern} RETURNING pattern`);
    return rows.length > 0;
  }

  async droppedHeads(sinceMs: number): Promise<DroppedHead[]> {
    const rows = await queryRows<{ name: string; type: string; hash: string; dropped_at: string | number; reason: DroppedHead['reason'] }>(
      this.db,
      sql`SELECT name, type, hash, dropped_at, reason FROM gc_dropped_heads WHERE dropped_at >= ${sinceMs} ORDER BY id`,
    );
    return rows.map((r) => ({ name: r.name, type: r.type, hash: r.hash, droppedAtMs: Number(r.dropped_at), reason: r.reason }));
  }

  async startRun(run: GcRunRecord): Promise<{ holder?: GcRunRecord; taken: GcRunRecord[] }> {
    return this.db.transaction(async (tx) => {
      // One run at a time across every process: serialise the check-and-insert on a
      // transaction-scoped advisory lock (the key is arbitrary but fixed: "lakecat-gc").
      await queryRows(tx, sql`SELECT pg_advisory_xact_lock(7716353431239901)`);
      const running = (await queryRows<RunRow>(tx, sql`SELECT ${RUN_COLUMNS} FROM gc_runs WHERE state = 'running'`)).map(toRun);
      const holder = running.find((r) => r.leaseUntilMs > run.startedAtMs);
      if (holder) return { holder, taken: [] };
      if (running.length > 0) {
        await queryRows(
          tx,
          sql`UPDATE gc_runs SET state = 'interrupted', finished_at = ${run.startedAtMs},
                error = 'its process stopped before it finished (the lease ran out); a later run took over'
              WHERE id = ANY(${toPgArray(running.map((r) => r.id))}::text[])`,
        );
      }
      await queryRows(
        tx,
        sql`INSERT INTO gc_runs (id, state, dry_run, started_at, lease_until, started_by, options)
            VALUES (${run.id}, ${run.state}, ${run.dryRun ? 1 : 0}, ${run.startedAtMs}, ${run.leaseUntilMs}, ${run.startedBy},
                    ${JSON.stringify(run.options)}::jsonb)`,
      );
      return { taken: running };
    });
  }

  async renewLease(id: string, untilMs: number): Promise<boolean> {
    const rows = await queryRows(this.db, sql`UPDATE gc_runs SET lease_until = ${untilMs} WHERE id = ${id} AND state = 'running' RETURNING id`);
    return rows.length > 0;
  }

  async finishRun(id: string, state: RunState, finishedAtMs: number, report: unknown, error?: string): Promise<void> {
    await queryRows(
      this.db,
      sql`UPDATE gc_runs SET state = ${state}, finished_at = ${finishedAtMs}, report = ${JSON.stringify(report ?? null)}::jsonb,
            error = ${error ?? null}
          WHERE id = ${id} AND state = 'running'`,
    );
  }

  async runs(limit: number): Promise<GcRunRecord[]> {
    return (await queryRows<RunRow>(this.db, sql`SELECT ${RUN_COLUMNS} FROM gc_runs ORDER BY started_at DESC, id LIMIT ${limit}`)).map(toRun);
  }

  async run(id: string): Promise<GcRunRecord | undefined> {
    const rows = await queryRows<RunRow>(this.db, sql`SELECT ${RUN_COLUMNS} FROM gc_runs WHERE id = ${id}`);
    return rows.length > 0 ? toRun(rows[0]) : undefined;
  }

  async expireCommits(runId: string, retained: Iterable<string>, beforeMs: number, atMs: number, root: string): Promise<number> {
    const all = [...retained];
    for (let i = 0; i < all.length; i += 10_000) {
      await queryRows(
        this.db,
        sql`INSERT INTO gc_retained (run_id, hash) SELECT ${runId}, h FROM unnest(${toPgArray(all.slice(i, i + 10_000))}::text[]) AS x(h)
            ON CONFLICT DO NOTHING`,
      );
    }
    try {
      const rows = await queryRows<{ hash: string }>(
        this.db,
        sql`INSERT INTO gc_expired (hash, run_id, expired_at)
            SELECT c.hash, ${runId}, ${atMs} FROM commits c
            WHERE c.commit_time < ${beforeMs} AND c.hash <> ${root}
              AND NOT EXISTS (SELECT 1 FROM gc_retained r WHERE r.run_id = ${runId} AND r.hash = c.hash)
            ON CONFLICT (hash) DO NOTHING
            RETURNING hash`,
      );
      return rows.length;
    } finally {
      await queryRows(this.db, sql`DELETE FROM gc_retained WHERE run_id = ${runId}`);
    }
  }

  async isExpired(hash: string): Promise<{ runId: string; expiredAtMs: number } | undefined> {
    const rows = await queryRows<{ run_id: string; expired_at: string | number }>(this.db, sql`SELECT run_id, expired_at FROM gc_expired WHERE hash = ${hash}`);
    return rows.length > 0 ? { runId: rows[0].run_id, expiredAtMs: Number(rows[0].expired_at) } : undefined;
  }

  async sweepRows(runId: string, sinceMs: number, batch: number): Promise<{ indexNodes: number; contents: number; contentBytes: number }> {
    const live = `${runId}/live`;
    const deadNodes = `${runId}/dead-nodes`;
    const deadContents = `${runId}/dead-contents`;
    const liveSet = new Set<string>();
    // Walks the key index from `roots`, skipping what is known live; records what it reaches.
    const walk = async (ex: Executor, roots: string[]): Promise<string[]> => {
      const reached: string[] = [];
      let frontier = [...new Set(roots)].filter((h) => !liveSet.has(h));
      while (frontier.length > 0) {
        const next: string[] = [];
        for (let i = 0; i < frontier.length; i += 500) {
          const part = frontier.slice(i, i + 500);
          for (const h of part) {
            liveSet.add(h);
            reached.push(h);
          }
          const rows = await queryRows<{ hash: string; data: string }>(ex, sql`SELECT hash, data FROM index_nodes WHERE hash = ANY(${toPgArray(part)}::text[])`);
          if (rows.length !== part.length) {
            throw new Error(`GC: ${part.length - rows.length} key index nodes reachable from live commits are missing`);
          }
          for (const r of rows) {
            const node = decodeNode(r.data);
            if ('entries' in node) {
              for (const e of node.entries) {
                if (liveSet.has(e.hash)) continue;
                liveSet.add(e.hash);
                reached.push(e.hash);
              }
            } else for (const c of node.children) if (!liveSet.has(c.hash)) next.push(c.hash);
          }
        }
        frontier = [...new Set(next)];
      }
      return reached;
    };
    const record = async (ex: Executor, run: string, hashes: string[]) => {
      for (let i = 0; i < hashes.length; i += 10_000) {
        await queryRows(ex, sql`INSERT INTO gc_retained (run_id, hash) SELECT ${run}, h FROM unnest(${toPgArray(hashes.slice(i, i + 10_000))}::text[]) AS x(h) ON CONFLICT DO NOTHING`);
      }
    };

    // Mark, and take the dead rows, in one snapshot: a row written after it is never a candidate.
    await this.db.transaction(async (tx) => {
      await queryRows(tx, sql`SET TRANSACTION ISOLATION LEVEL REPEATABLE READ`);
      const roots = await queryRows<{ index_root: string }>(
        tx,
        sql`SELECT DISTINCT index_root FROM commits c WHERE NOT EXISTS (SELECT 1 FROM gc_expired e WHERE e.hash = c.hash)`,
      );
      await record(tx, live, await walk(tx, roots.map((r) => r.index_root)));
      await queryRows(tx, sql`INSERT INTO gc_retained (run_id, hash) SELECT ${deadNodes}, n.hash FROM index_nodes n
                              WHERE NOT EXISTS (SELECT 1 FROM gc_retained l WHERE l.run_id = ${live} AND l.hash = n.hash)`);
      await queryRows(tx, sql`INSERT INTO gc_retained (run_id, hash) SELECT ${deadContents}, c.hash FROM contents c
                              WHERE NOT EXISTS (SELECT 1 FROM gc_retained l WHERE l.run_id = ${live} AND l.hash = c.hash)`);
    });

    const out = { indexNodes: 0, contents: 0, contentBytes: 0 };
    const walked = new Set<string>();
    try {
      for (;;) {
        const done = await this.db.transaction(async (tx) => {
          // Writers wait while a batch goes; one that re-used a dead row (content-addressed rows
          // are shared) has committed before the lock is granted, and is read below.
          await queryRows(tx, sql`LOCK TABLE index_nodes, contents IN SHARE ROW EXCLUSIVE MODE`);
          const fresh = (await queryRows<{ hash: string; index_root: string }>(
            tx,
            sql`SELECT c.hash, c.index_root FROM commits c
                WHERE c.commit_time >= ${sinceMs} AND NOT EXISTS (SELECT 1 FROM gc_expired e WHERE e.hash = c.hash)`,
          )).filter((c) => !walked.has(c.hash));
          for (const c of fresh) walked.add(c.hash);
          const revived = await walk(tx, fresh.map((c) => c.index_root));
          if (revived.length > 0) {
            await queryRows(tx, sql`DELETE FROM gc_retained WHERE run_id IN (${deadNodes}, ${deadContents}) AND hash = ANY(${toPgArray(revived)}::text[])`);
          }
          const nodes = await queryRows<{ hash: string }>(
            tx,
            sql`WITH d AS (SELECT hash FROM gc_retained WHERE run_id = ${deadNodes} ORDER BY hash LIMIT ${batch}),
                     x AS (DELETE FROM gc_retained r USING d WHERE r.run_id = ${deadNodes} AND r.hash = d.hash)
                DELETE FROM index_nodes n USING d WHERE n.hash = d.hash RETURNING n.hash`,
          );
          const contents = await queryRows<{ hash: string; bytes: string | number | null }>(
            tx,
            sql`WITH d AS (SELECT hash FROM gc_retained WHERE run_id = ${deadContents} ORDER BY hash LIMIT ${batch}),
                     x AS (DELETE FROM gc_retained r USING d WHERE r.run_id = ${deadContents} AND r.hash = d.hash)
                DELETE FROM contents c USING d WHERE c.hash = d.hash RETURNING c.hash, pg_column_size(c.metadata) AS bytes`,
          );
          out.indexNodes += nodes.length;
          out.contents += contents.length;
          out.contentBytes += contents.reduce((n, r) => n + Number(r.bytes ?? 0), 0);
          const left = await queryRows<{ n: string | number }>(tx, sql`SELECT count(*) AS n FROM gc_retained WHERE run_id IN (${deadNodes}, ${deadContents})`);
          return Number(left[0].n) === 0;
        });
        if (done) break;
      }
    } finally {
      await queryRows(this.db, sql`DELETE FROM gc_retained WHERE run_id IN (${live}, ${deadNodes}, ${deadContents})`);
    }
    return out;
  }

  async sweepCommits(): Promise<number> {
    // Expired commits no reference reaches through parents (a deleted branch past its grace, a
    // reset branch's lost work). Expired commits behind a live head stay: logs and merge bases
    // walk them. Nothing new can attach to an expired commit (refs/resolve.ts refuses it).
    const rows = await queryRows<{ hash: string }>(
      this.db,
      sql`WITH RECURSIVE reach(hash) AS (
            SELECT hash FROM refs
            UNION
            SELECT p.hash FROM reach r JOIN commits c ON c.hash = r.hash
              CROSS JOIN LATERAL (VALUES (c.parent), (c.merge_parent)) AS p(hash)
            WHERE p.hash IS NOT NULL),
          gone AS (
            DELETE FROM commits c
            WHERE EXISTS (SELECT 1 FROM gc_expired e WHERE e.hash = c.hash)
              AND NOT EXISTS (SELECT 1 FROM reach WHERE reach.hash = c.hash)
            RETURNING c.hash)
          -- Their gc_expired rows stay: a process may still hold the commit in its cache, and the
          -- expiry check (by hash, in the database) is what refuses it.
          SELECT hash FROM gone`,
    );
    return rows.length;
  }

  async addDeletions(runId: string, rows: GcDeletion[]): Promise<void> {
    for (let i = 0; i < rows.length; i += 1000) {
      const part = rows.slice(i, i + 1000);
      await queryRows(
        this.db,
        sql`INSERT INTO gc_deletions (run_id, path, bytes, table_location, state, attempts)
            SELECT ${runId}, p, b, t, s, 0
            FROM unnest(${toPgArray(part.map((r) => r.path))}::text[], ${toPgArray(part.map((r) => String(r.bytes)))}::bigint[],
                        ${toPgArray(part.map((r) => r.tableLocation))}::text[], ${toPgArray(part.map((r) => r.state))}::text[]) AS x(p, b, t, s)
            ON CONFLICT (run_id, path) DO NOTHING`,
      );
    }
  }

  async setDeletions(runId: string, paths: string[], state: DeletionState, error?: string): Promise<void> {
    if (paths.length === 0) return;
    await queryRows(
      this.db,
      sql`UPDATE gc_deletions SET state = ${state}, last_error = ${error ?? null},
            attempts = attempts + ${state === 'deleting' ? 1 : 0}
          WHERE run_id = ${runId} AND path = ANY(${toPgArray(paths)}::text[])`,
    );
  }

  async deletions(runId: string, opts: { states?: DeletionState[]; afterPath?: string; limit: number }): Promise<GcDeletion[]> {
    const rows = await queryRows<{ path: string; bytes: string | number; table_location: string; state: DeletionState; attempts: number; last_error: string | null }>(
      this.db,
      sql`SELECT path, bytes, table_location, state, attempts, last_error FROM gc_deletions
          WHERE run_id = ${runId}
            AND (${opts.states ? toPgArray(opts.states) : null}::text[] IS NULL OR state = ANY(${opts.states ? toPgArray(opts.states) : null}::text[]))
            AND path > ${opts.afterPath ?? ''}
          ORDER BY path LIMIT ${opts.limit}`,
    );
    return rows.map((r) => ({
      path: r.path,
      bytes: Number(r.bytes),
      tableLocation: r.table_location,
      state: r.state,
      attempts: r.attempts,
      ...(r.last_error !== null ? { lastError: r.last_error } : {}),
    }));
  }
}
