/**
 * `GET /trees/{ref}/history`: the commit log from a reference (or commit) following first
 * parents, newest first, down to `limit-hash` (inclusive) or the first commit.
 */
import type { Context } from 'hono';
import type { Commit, CommitOperation } from '../../catalog/store/port.js';
import type { JsonObject } from '../../iceberg/json.js';
import { fetchOption, pageSize, respond } from './body.js';
import { compileFilter, type CelValue } from './cel.js';
import { MAX_LOG_PAGE, type NessieDeps } from './context.js';
import { celKey } from './entries.js';
import { collectFiltered, decodeToken, encodeToken } from './paging.js';
import { celCommit } from './references.js';
import { applyRelative, fullHash, parseHashSpec, parseRefPath, resolveRef } from './ref-spec.js';
import { commitMetaJson, contentJson, keyJson } from './wire.js';
import { NO_ANCESTOR_HASH } from '../../catalog/store/port.js';

function operationJson(op: CommitOperation): JsonObject {
  switch (op.kind) {
    case 'put':
      return { type: 'PUT', key: keyJson(op.key), content: contentJson(op.key, op.content) };
    case 'delete':
      return { type: 'DELETE', key: keyJson(op.key) };
    default: {
      const never: never = op;
      throw new Error(`unknown operation ${String(never)}`);
    }
  }
}

function celOperation(op: CommitOperation): Record<string, CelValue> {
  return {
    ...celKey(op.key),
    type: op.kind === 'put' ? 'PUT' : 'DELETE',
    content: op.kind === 'put' ? { type: op.content.type, id: op.content.id } : null,
  };
}

export async function getCommitLog(deps: NessieDeps, c: Context, refText: string): Promise<Response> {
  const { store } = deps;
  const ref = await resolveRef(store, parseRefPath(refText, deps.defaultBranch), { checkOnRef: true });
  const fetchAll = fetchOption(c) === 'ALL';
  const filterText = c.req.query('filter');
  const filter = filterText ? compileFilter(filterText, ['commit', 'operations']) : undefined;
  const limitText = c.req.query('limit-hash');
  let limitHash: string | undefined;
  if (limitText) {
    const spec = parseHashSpec(limitText, 'Oldest hash');
    const start = spec.hash !== undefined ? await fullHash(store, spec.hash) : ref.hash;
    limitHash = await applyRelative(store, start, spec.relative);
  }
  const token = c.req.query('page-token');

  let reachedLimit = false;
  const accept = (commit: Commit): boolean | 'stop' => {
    if (reachedLimit) return 'stop';
    if (commit.hash === limitHash) reachedLimit = true;
    if (!filter) return true;
    return filter.matches({ commit: celCommit(commitMetaJson(commit)), operations: commit.operations.map(celOperation) });
  };
  const page =
    ref.hash === NO_ANCESTOR_HASH
      ? { items: [] as Commit[], nextToken: undefined }
      : await collectFiltered(
          (pageToken, size) => store.log(ref.hash, { pageToken, pageSize: size }),
          accept,
          pageSize(c, MAX_LOG_PAGE),
          token ? decodeToken(token) : undefined,
        );
  const nextToken = reachedLimit ? undefined : page.nextToken;
  const logEntries = page.items.map((commit) => ({
    commitMeta: commitMetaJson(commit),
    parentCommitHash: commit.parentHash ?? NO_ANCESTOR_HASH,
    ...(fetchAll ? { operations: commit.operations.map(operationJson) } : {}),
  }));
  return respond(c, {
    hasMore: nextToken !== undefined,
    ...(nextToken !== undefined ? { token: encodeToken(nextToken) } : {}),
    logEntries,
  });
}
