/**
 * The commit log of a reference or commit, following first parents, newest first, down to an
 * optional oldest commit (inclusive), filtered and paged.
 */
import type { Actor } from '../context.js';
import type { CatalogDeps } from '../deps.js';
import { NO_ANCESTOR_HASH, type Commit, type Page } from '../model.js';
import { readFilter } from '../access/reads.js';
import { collectFiltered } from '../paging.js';
import { resolveHashSpec, resolveRef, type ResolvedRef } from '../refs/resolve.js';

export interface LogOptions {
  /** The oldest commit to list, as a hash spec; relative parts without a hash apply to the reference. */
  limitHash?: string;
  pageToken?: string;
  /** Undefined: every commit. */
  pageSize?: number;
  filter?: (commit: Commit) => boolean;
}

export async function commitLog(deps: CatalogDeps, actor: Actor, refText: string, opts: LogOptions = {}): Promise<Page<Commit> & { ref: ResolvedRef }> {
  const ref = await resolveRef(deps, actor, refText, { checkOnRef: true });
  const limitHash = opts.limitHash ? await resolveHashSpec(deps, opts.limitHash, 'Oldest hash', ref.hash) : undefined;
  if (ref.hash === NO_ANCESTOR_HASH) return { ref, items: [] };
  let reachedLimit = false;
  const accept = (commit: Commit): boolean | 'stop' => {
    if (reachedLimit) return 'stop';
    if (commit.hash === limitHash) reachedLimit = true;
    return opts.filter ? opts.filter(commit) : true;
  };
  // A commit's operations show only keys the caller may read (the commit itself is on a reference
  // it may read). A delete does not record its key's kind: it is checked as a table or view.
  const readable = await readFilter(deps, actor, ref);
  const visible = (c: Commit): Commit => {
    const operations = c.operations.filter((op) => readable.shows(op.key, op.kind === 'put' ? op.content.type : 'ICEBERG_TABLE'));
    return operations.length === c.operations.length ? c : { ...c, operations };
  };
  const page = await collectFiltered(
    async (pageToken, size) => {
      const p = await deps.store.log(ref.hash, { pageToken, pageSize: size });
      return { ...p, items: p.items.map(visible) };
    },
    accept,
    opts.pageSize,
    opts.pageToken,
  );
  return { ref, items: page.items, ...(!reachedLimit && page.nextPageToken !== undefined ? { nextPageToken: page.nextPageToken } : {}) };
}
