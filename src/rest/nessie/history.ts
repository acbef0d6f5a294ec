/**
 * `GET /trees/{ref}/history`: the commit log from a reference (or commit) following first
 * parents, newest first, down to `limit-hash` (inclusive) or the first commit.
 */
import type { Context } from 'hono';
import { NO_ANCESTOR_HASH, type CommitOperation } from '../../catalog/index.js';
import type { JsonObject } from '../../iceberg/json.js';
import { fetchOption, pageSize, respond } from './body.js';
import { compileFilter, type CelValue } from './cel.js';
import { MAX_LOG_PAGE, nessieActor, type NessieDeps } from './context.js';
import { celKey } from './entries.js';
import { decodeToken, encodeToken } from './paging.js';
import { celCommit } from './references.js';
import { commitMetaJson, contentJson, keyJson } from './wire.js';

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
  const fetchAll = fetchOption(c) === 'ALL';
  const filterText = c.req.query('filter');
  const filter = filterText ? compileFilter(filterText, ['commit', 'operations']) : undefined;
  const token = c.req.query('page-token');
  const page = await deps.catalog.history.log(nessieActor(c), refText, {
    limitHash: c.req.query('limit-hash') || undefined,
    pageSize: pageSize(c, MAX_LOG_PAGE),
    pageToken: token ? decodeToken(token) : undefined,
    filter: filter && ((commit) => filter.matches({ commit: celCommit(commitMetaJson(commit)), operations: commit.operations.map(celOperation) })),
  });
  const logEntries = page.items.map((commit) => ({
    commitMeta: commitMetaJson(commit),
    parentCommitHash: commit.parentHash ?? NO_ANCESTOR_HASH,
    ...(fetchAll ? { operations: commit.operations.map(operationJson) } : {}),
  }));
  return respond(c, {
    hasMore: page.nextPageToken !== undefined,
    ...(page.nextPageToken !== undefined ? { token: encodeToken(page.nextPageToken) } : {}),
    logEntries,
  });
}
