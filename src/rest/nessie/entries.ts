/**
 * `GET /trees/{ref}/entries`: the keys at a commit, optionally with their content, restricted by
 * requested keys, a key range, a key prefix and a CEL filter over `entry`.
 */
import type { Context } from 'hono';
import { keyToString as storeKey, type ContentKey, type ContentType, type Entry } from '../../catalog/store/port.js';
import type { JsonObject } from '../../iceberg/json.js';
import { pageSize, queryBool, respond } from './body.js';
import { compileFilter, type CelExpr, type CelValue } from './cel.js';
import { compareKeys, keyFromPathString, keyStartsWith, keyToPathString, keyToString } from './content-key.js';
import type { NessieDeps } from './context.js';
import { collectFiltered, decodeToken, encodeToken } from './paging.js';
import { parseRefPath, resolveRef } from './ref-spec.js';
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

export async function getEntries(deps: NessieDeps, c: Context, refText: string): Promise<Response> {
  const { store } = deps;
  const ref = await resolveRef(store, parseRefPath(refText, deps.defaultBranch), { checkOnRef: true });
  const withContent = queryBool(c, 'content');
  const filterText = c.req.query('filter');
  const filter = filterText ? compileFilter(filterText, ['entry']) : undefined;
  const requested = (c.req.queries('key') ?? []).map(keyFromPathString);
  const param = (n: string): ContentKey | undefined => {
    const v = c.req.query(n);
    return v ? keyFromPathString(v) : undefined;
  };
  const minKey = param('min-key');
  const maxKey = param('max-key');
  const prefixKey = param('prefix-key');
  const limit = pageSize(c);
  const pageToken = c.req.query('page-token');

  const accept = (e: Entry): boolean | 'stop' => {
    if (maxKey && compareKeys(e.key, maxKey) > 0) return 'stop';
    if (minKey && compareKeys(e.key, minKey) < 0) return false;
    if (prefixKey && !keyStartsWith(e.key, prefixKey)) return false;
    return filter ? filter.matches({ entry: { ...celKey(e.key), contentType: e.type } }) : true;
  };

  let entries: Entry[];
  let nextToken: string | undefined;
  if (requested.length > 0) {
    const found = await store.getContents(ref.hash, requested);
    entries = requested
      .map((key) => ({ key, content: found.get(storeKey(key)) }))
      .filter((x) => x.content !== undefined)
      .map((x) => ({ key: x.key, type: x.content!.type, contentId: x.content!.id }))
      .sort((a, b) => compareKeys(a.key, b.key))
      .filter((e) => accept(e) === true);
  } else {
    const hints = filter ? entryFilterHints(filter.expr) : {};
    const prefix = prefixKey ?? hints.prefix;
    const under = prefix?.length ?? 0;
    const depth = hints.length !== undefined && hints.length > under ? hints.length - under : undefined;
    const page = await collectFiltered(
      (token, size) => store.listEntries(ref.hash, { pageToken: token, pageSize: size, prefix, depth, types: hints.types }),
      accept,
      limit,
      pageToken ? decodeToken(pageToken) : undefined,
    );
    entries = page.items;
    nextToken = page.nextToken;
    // A key prefix also selects the key itself (a namespace and its children); the store lists only what is under it.
    if (prefixKey && !pageToken && (entries.length === 0 || compareKeys(entries[0].key, prefixKey) !== 0)) {
      const self = await store.getContent(ref.hash, prefixKey);
      const e = self ? { key: prefixKey, type: self.type, contentId: self.id } : undefined;
      if (e && accept(e) === true) entries.unshift(e);
    }
  }

  const contents = withContent ? await store.getContents(ref.hash, entries.map((e) => e.key)) : undefined;
  const out = entries.map((e) => {
    const content = contents?.get(storeKey(e.key));
    return entryJson(e, content ? contentJson(e.key, content) : undefined);
  });
  return respond(c, {
    hasMore: nextToken !== undefined,
    ...(nextToken !== undefined ? { token: encodeToken(nextToken) } : {}),
    entries: out,
    effectiveReference: effectiveReference(ref),
  });
}
