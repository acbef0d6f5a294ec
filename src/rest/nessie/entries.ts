/**
 * `GET /trees/{ref}/entries`: the keys at a commit, optionally with their content, restricted by
 * requested keys, a key range, a key prefix and a CEL filter over `entry`.
 */
import type { Context } from 'hono';
import type { ContentKey, ContentType, Entry } from '../../catalog/index.js';
import type { JsonObject } from '../../iceberg/json.js';
import { pageSize, queryBool, respond } from './body.js';
import { compileFilter, type CelExpr, type CelValue } from './cel.js';
import { keyFromPathString, keyToPathString, keyToString } from './content-key.js';
import { nessieActor, type NessieDeps } from './context.js';
import { decodeToken, encodeToken } from './paging.js';
import { contentJson, effectiveReference, keyJson } from './wire.js';

const CONTENT_TYPES: readonly ContentType[] = ['NAMESPACE', 'ICEBERG_TABLE', 'ICEBERG_VIEW'];

/** The CEL view of a key, shared by entries (`entry`), diffs (`key`) and log operations (`op`). */
export function celKey(key: ContentKey): Record<string, CelValue> {
  const namespace = key.slice(0, -1);
  return {
    key: keyToString(key),
    encodedKey: keyToPathString(key),
    keyElements: key,
    name: key[key.length - 1],
    namespace: keyToPathString(namespace),
    namespaceElements: namespace,
  };
}

export interface EntryHints {
  prefix?: ContentKey;
  length?: number;
  types?: ContentType[];
}

/**
 * Restrictions implied by a filter's top-level `&&` terms, pushed down to the store so that
 * NessieCatalog's namespace listing does not scan the whole catalog. The filter itself is
 * still evaluated on every entry, so a hint may only narrow, never decide.
 */
export function entryFilterHints(expr: CelExpr): EntryHints {
  const hints: EntryHints = {};
  const terms: CelExpr[] = [];
  const flatten = (e: CelExpr): void => {
    if (e.kind === 'binary' && e.op === '&&') {
      flatten(e.left);
      flatten(e.right);
    } else {
      terms.push(e);
    }
  };
  flatten(expr);
  const isEntryField = (e: CelExpr, field: string): boolean =>
    e.kind === 'select' && e.field === field && e.target.kind === 'ident' && e.target.name === 'entry';
  const literal = (e: CelExpr): CelValue | undefined => (e.kind === 'lit' ? e.value : undefined);
  for (const t of terms) {
    if (t.kind === 'binary' && t.op === '==' && isEntryField(t.left, 'contentType')) {
      const v = literal(t.right);
      if (typeof v === 'string' && (CONTENT_TYPES as string[]).includes(v)) hints.types = [v as ContentType];
    } else if (t.kind === 'binary' && t.op === 'in' && isEntryField(t.left, 'contentType') && t.right.kind === 'list') {
      const vs = t.right.items.map(literal);
      if (vs.every((v) => typeof v === 'string')) hints.types = (vs as string[]).filter((v) => (CONTENT_TYPES as string[]).includes(v)) as ContentType[];
    } else if (t.kind === 'binary' && t.op === '==' && literal(t.right) !== undefined && typeof literal(t.right) === 'number') {
      const sized =
        (t.left.kind === 'call' && t.left.fn === 'size' && t.left.target === undefined && t.left.args.length === 1 && isEntryField(t.left.args[0], 'keyElements')) ||
        (t.left.kind === 'call' && t.left.fn === 'size' && t.left.target !== undefined && t.left.args.length === 0 && isEntryField(t.left.target, 'keyElements'));
      if (sized) hints.length = literal(t.right) as number;
    } else if (t.kind === 'call' && t.fn === 'startsWith' && t.target && isEntryField(t.target, 'encodedKey') && t.args.length === 1) {
      const v = literal(t.args[0]);
      if (typeof v === 'string' && v.length > 1 && v.endsWith('.') && !v.startsWith('.')) {
        try {
          hints.prefix = keyFromPathString(v.slice(0, -1));
        } catch {
          // Not a well-formed key prefix: leave the filter to do all the work.
        }
      }
    }
  }
  return hints;
}

function entryJson(e: Entry, content: JsonObject | undefined): JsonObject {
  return { type: e.type, name: keyJson(e.key), contentId: e.contentId, ...(content ? { content } : {}) };
}

/** An optional content key query parameter in Nessie's path form. */
export function keyParam(c: Context, name: string): ContentKey | undefined {
  const v = c.req.query(name);
  return v ? keyFromPathString(v) : undefined;
}

export async function getEntries(deps: NessieDeps, c: Context, refText: string): Promise<Response> {
  const filterText = c.req.query('filter');
  const filter = filterText ? compileFilter(filterText, ['entry']) : undefined;
  const pageToken = c.req.query('page-token');
  const result = await deps.catalog.contents.entries(nessieActor(c), refText, {
    keys: (c.req.queries('key') ?? []).map(keyFromPathString),
    minKey: keyParam(c, 'min-key'),
    maxKey: keyParam(c, 'max-key'),
    prefixKey: keyParam(c, 'prefix-key'),
    filter: filter && ((e) => filter.matches({ entry: { ...celKey(e.key), contentType: e.type } })),
    hints: filter ? entryFilterHints(filter.expr) : undefined,
    pageSize: pageSize(c),
    pageToken: pageToken ? decodeToken(pageToken) : undefined,
    withContent: queryBool(c, 'content'),
  });
  const { nextPageToken } = result;
  return respond(c, {
    hasMore: nextPageToken !== undefined,
    ...(nextPageToken !== undefined ? { token: encodeToken(nextPageToken) } : {}),
    entries: result.entries.map((e) => entryJson(e, e.content ? contentJson(e.key, e.content) : undefined)),
    effectiveReference: effectiveReference(result.ref),
  });
}
