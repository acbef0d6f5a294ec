/**
 * Queries over the commit graph. Each is ONE recursive SQL statement, never a round trip per
 * commit; walks are bounded by generation numbers or by the page size where possible.
 */
import { sql } from 'drizzle-orm';
import { BadRequestError, NotFoundError } from '../errors.js';
import { COMMIT_COLUMNS, toCommitRow, toPgArray, type CommitRow, type Executor, type RawCommitRow, type StoreCore } from './core.js';
import { NO_ANCESTOR_HASH } from './port.js';

/** True if `ancestor` is `descendant` or on its first-parent chain. */
export async function isFirstParentAncestor(core: StoreCore, ancestor: string, descendant: string, ex?: Executor): Promise<boolean> {
  if (ancestor === descendant) return true;
  const [a, d] = await Promise.all([core.loadCommit(ancestor, ex), core.loadCommit(descendant, ex)]);
  if (a.gen >= d.gen) return false;
  const rows = await core.rows<{ hit: number }>(
    sql`WITH RECURSIVE w(hash, parent, gen) AS (
          SELECT hash, parent, gen FROM commits WHERE hash = ${descendant}
          UNION ALL
          SELECT c.hash, c.parent, c.gen FROM commits c JOIN w ON c.hash = w.parent WHERE w.gen > ${a.gen})
        SELECT 1 AS hit FROM w WHERE hash = ${ancestor} LIMIT 1`,
    ex,
  );
  return rows.length > 0;
}

/** Which of `candidates` are on the first-parent chain of `head` (one query for many candidates). */
export async function firstParentAncestorsAmong(core: StoreCore, head: CommitRow, candidates: CommitRow[], ex?: Executor): Promise<Set<string>> {
  const inRange = candidates.filter((c) => c.gen < head.gen);
  if (inRange.length === 0) return new Set();
  const minGen = Math.min(...inRange.map((c) => c.gen));
  const rows = await core.rows<{ hash: string }>(
    sql`WITH RECURSIVE w(h, p, g) AS (
          SELECT hash, parent, gen FROM commits WHERE hash = ${head.hash}
          UNION ALL
          SELECT c.hash, c.parent, c.gen FROM commits c JOIN w ON c.hash = w.p WHERE w.g > ${minGen})
        SELECT h AS hash FROM w WHERE h = ANY(${toPgArray(inRange.map((c) => c.hash))}::text[])`,
    ex,
  );
  return new Set(rows.map((r) => r.hash));
}

/**
 * The best common ancestor of two commits over first and merge parents: the common ancestor
 * with the highest generation. Each try is ONE statement walking both ancestries, but only down
 * to a generation floor: generations strictly decrease along parent edges, so every common
 * ancestor at or above the floor is found by the bounded walks, and the best one found is the
 * answer. Without a hit the window grows 8x. The cost follows the divergence of the two commits,
 * not the length of the shared history below their merge base.
 */
export async function mergeBase(core: StoreCore, a: string, b: string, ex?: Executor): Promise<string> {
  const [ca, cb] = await Promise.all([core.loadCommit(a, ex), core.loadCommit(b, ex)]);
  if (a === b) return a;
  const top = Math.min(ca.gen, cb.gen);
  for (let window = 512; ; window *= 8) {
    const floor = Math.max(0, top - window);
    const rows = await core.rows<{ hash: string }>(
      sql`WITH RECURSIVE
            pa(hash) AS (
              SELECT ${ca.hash}::text
              UNION
              SELECT v.p FROM commits c JOIN pa ON c.hash = pa.hash
                CROSS JOIN LATERAL (VALUES (c.parent), (c.merge_parent)) AS v(p)
              WHERE v.p IS NOT NULL AND c.gen > ${floor}),
            pb(hash) AS (
              SELECT ${cb.hash}::text
              UNION
              SELECT v.p FROM commits c JOIN pb ON c.hash = pb.hash
                CROSS JOIN LATERAL (VALUES (c.parent), (c.merge_parent)) AS v(p)
              WHERE v.p IS NOT NULL AND c.gen > ${floor})
          SELECT c.hash FROM commits c JOIN pa ON pa.hash = c.hash JOIN pb ON pb.hash = c.hash
          WHERE c.gen >= ${floor}
          ORDER BY c.gen DESC LIMIT 1`,
      ex,
    );
    if (rows.length > 0) return rows[0].hash;
    if (floor === 0) return NO_ANCESTOR_HASH;
  }
}

/** The n-th first-parent ancestor. */
export async function ancestor(core: StoreCore, hash: string, n: number): Promise<string> {
  await core.loadCommit(hash);
  if (n === 0) return hash;
  const rows = await core.rows<{ hash: string; depth: number }>(
    sql`WITH RECURSIVE w(hash, parent, depth) AS (
          SELECT hash, parent, 0 FROM commits WHERE hash = ${hash}
          UNION ALL
          SELECT c.hash, c.parent, w.depth + 1 FROM commits c JOIN w ON c.hash = w.parent WHERE w.depth < ${n})
        SELECT hash, depth FROM w WHERE depth = ${n}`,
  );
  if (rows.length === 0) throw new NotFoundError(`Commit '${hash}' has fewer than ${n} ancestors`, 'commit');
  return rows[0].hash;
}

/** The latest first-parent ancestor of `head` (or head itself) committed no later than `timeMs`. */
export async function hashAtTime(core: StoreCore, head: string, timeMs: number): Promise<string> {
  const rows = await core.rows<{ hash: string }>(
    sql`WITH RECURSIVE w(hash, parent, t) AS (
          SELECT hash, parent, commit_time FROM commits WHERE hash = ${head}
          UNION ALL
          SELECT c.hash, c.parent, c.commit_time FROM commits c JOIN w ON c.hash = w.parent WHERE w.t > ${timeMs})
        SELECT hash FROM w WHERE t <= ${timeMs} LIMIT 1`,
  );
  return rows[0]?.hash ?? NO_ANCESTOR_HASH;
}

/** Up to `limit` commits from `start` following first parents, stopping after `until`. */
export async function firstParentChain(core: StoreCore, start: string, limit: number, until?: string): Promise<CommitRow[]> {
  const rows = await core.rows<RawCommitRow>(
    sql`WITH RECURSIVE w(wh, wp, n) AS (
          SELECT hash, parent, 1 FROM commits WHERE hash = ${start}
          UNION ALL
          SELECT c.hash, c.parent, w.n + 1 FROM commits c JOIN w ON c.hash = w.wp
          WHERE w.n < ${limit} AND w.wh <> ${until ?? ''} AND c.hash <> ${NO_ANCESTOR_HASH})
        SELECT ${COMMIT_COLUMNS} FROM commits JOIN w ON commits.hash = w.wh ORDER BY w.n`,
  );
  return rows.map(toCommitRow);
}

const HEX = /^[0-9a-f]+$/;

/** Resolves a full hash or an unambiguous prefix of at least 8 hex characters. */
export async function resolveHash(core: StoreCore, hashOrPrefix: string): Promise<CommitRow> {
  const h = hashOrPrefix.toLowerCase();
  if (!HEX.test(h) || h.length > 64) throw new BadRequestError(`Invalid commit hash '${hashOrPrefix}'`);
  if (h.length === 64) return core.loadCommit(h);
  if (h.length < 8) throw new BadRequestError(`Commit hash prefix '${hashOrPrefix}' is shorter than 8 characters`);
  const rows = await core.rows<RawCommitRow>(
    sql`SELECT ${COMMIT_COLUMNS} FROM commits WHERE hash >= ${h} AND hash <= ${h.padEnd(64, 'f')} LIMIT 2`,
  );
  if (rows.length === 0) throw new NotFoundError(`Commit '${hashOrPrefix}' not found`, 'commit');
  if (rows.length > 1) throw new BadRequestError(`Commit hash prefix '${hashOrPrefix}' is ambiguous`);
  return toCommitRow(rows[0]);
}
