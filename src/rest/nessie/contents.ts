/**
 * Content reads: one key (`GET /trees/{ref}/contents/{key}`), several keys (`GET` with repeated
 * `key` parameters or `POST` with `requestedKeys`), and the diff between two references.
 */
import type { Context } from 'hono';
import { keyToString as storeKey, type ContentKey, type DiffEntry } from '../../catalog/store/port.js';
import { asObject, pageSize, readBody, respond } from './body.js';
import { compileFilter } from './cel.js';
import { compareKeys, keyFromPathString, keyStartsWith, keyToString } from './content-key.js';
import type { NessieDeps } from './context.js';
import { celKey } from './entries.js';
import { NessieBadRequest, NessieHttpError } from './errors.js';
import { collectFiltered, decodeToken, encodeToken } from './paging.js';
import { parseRefPath, resolveRef } from './ref-spec.js';
import { contentJson, effectiveReference, keyJson, parseKey } from './wire.js';

export async function getContent(deps: NessieDeps, c: Context, refText: string, keyText: string): Promise<Response> {
  const ref = await resolveRef(deps.store, parseRefPath(refText, deps.defaultBranch), { checkOnRef: true });
  const key = keyFromPathString(keyText);
  const content = await deps.store.getContent(ref.hash, key);
  if (content === null) {
    throw new NessieHttpError('CONTENT_NOT_FOUND', `Could not find content for key '${keyToString(key)}' in reference '${ref.name ?? ref.hash}'.`);
  }
  return respond(c, { content: contentJson(key, content), effectiveReference: effectiveReference(ref) });
}

async function multipleContents(deps: NessieDeps, c: Context, refText: string, keys: ContentKey[]): Promise<Response> {
  const ref = await resolveRef(deps.store, parseRefPath(refText, deps.defaultBranch), { checkOnRef: true });
  const found = keys.length > 0 ? await deps.store.getContents(ref.hash, keys) : new Map();
  const seen = new Set<string>();
  const contents = [];
  for (const key of keys) {
    const k = storeKey(key);
    const content = found.get(k);
    if (content === undefined || seen.has(k)) continue;
    seen.add(k);
    contents.push({ key: keyJson(key), content: contentJson(key, content) });
  }
  return respond(c, { contents, effectiveReference: effectiveReference(ref) });
}

export async function getSeveralContents(deps: NessieDeps, c: Context, refText: string): Promise<Response> {
  const keys = (c.req.queries('key') ?? []).map(keyFromPathString);
  return multipleContents(deps, c, refText, keys);
}

export async function postMultipleContents(deps: NessieDeps, c: Context, refText: string): Promise<Response> {
  const body = asObject(await readBody(c), 'GetMultipleContentsRequest');
  const requested = body.requestedKeys;
  if (!Array.isArray(requested)) throw new NessieBadRequest("Field 'requestedKeys' must be a list of content keys");
  return multipleContents(deps, c, refText, requested.map((k) => parseKey(k, 'requestedKeys')));
}

export async function getDiff(deps: NessieDeps, c: Context, fromText: string, toText: string): Promise<Response> {
  const { store } = deps;
  const from = await resolveRef(store, parseRefPath(fromText, deps.defaultBranch), { checkOnRef: true });
  const to = await resolveRef(store, parseRefPath(toText, deps.defaultBranch), { checkOnRef: true });
  const filterText = c.req.query('filter');
  const filter = filterText ? compileFilter(filterText, ['key']) : undefined;
  const requested = (c.req.queries('key') ?? []).map(keyFromPathString);
  const requestedSet = new Set(requested.map(storeKey));
  const param = (n: string): ContentKey | undefined => {
    const v = c.req.query(n);
    return v ? keyFromPathString(v) : undefined;
  };
  const minKey = param('min-key');
  const maxKey = param('max-key');
  const prefixKey = param('prefix-key');
  const token = c.req.query('page-token');

  const accept = (d: DiffEntry): boolean | 'stop' => {
    if (maxKey && compareKeys(d.key, maxKey) > 0) return 'stop';
    if (minKey && compareKeys(d.key, minKey) < 0) return false;
    if (prefixKey && !keyStartsWith(d.key, prefixKey)) return false;
    if (requestedSet.size > 0 && !requestedSet.has(storeKey(d.key))) return false;
    return filter ? filter.matches({ key: celKey(d.key) }) : true;
  };
  const page = await collectFiltered(
    // No prefix push-down: the store's prefix excludes the key itself, which prefix-key includes;
    // a diff costs what changed, so filtering here is cheap.
    (pageToken, size) => store.diff(from.hash, to.hash, { pageToken, pageSize: size }),
    accept,
    pageSize(c),
    token ? decodeToken(token) : undefined,
  );
  const diffs = page.items.map((d) => ({
    key: keyJson(d.key),
    ...(d.from ? { from: contentJson(d.key, d.from) } : {}),
    ...(d.to ? { to: contentJson(d.key, d.to) } : {}),
  }));
  return respond(c, {
    hasMore: page.nextToken !== undefined,
    ...(page.nextToken !== undefined ? { token: encodeToken(page.nextToken) } : {}),
    diffs,
    effectiveFromReference: effectiveReference(from),
    effectiveToReference: effectiveReference(to),
  });
}
