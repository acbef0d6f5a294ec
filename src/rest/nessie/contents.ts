/**
 * Content reads: one key (`GET /trees/{ref}/contents/{key}`), several keys (`GET` with repeated
 * `key` parameters or `POST` with `requestedKeys`), and the diff between two references.
 */
import type { Context } from 'hono';
import type { ContentKey } from '../../catalog/index.js';
import { asObject, pageSize, readBody, respond } from './body.js';
import { compileFilter } from './cel.js';
import { keyFromPathString } from './content-key.js';
import { nessieActor, type NessieDeps } from './context.js';
import { celKey, keyParam } from './entries.js';
import { NessieBadRequest } from './errors.js';
import { decodeToken, encodeToken } from './paging.js';
import { contentJson, effectiveReference, keyJson, parseKey } from './wire.js';

export async function getContent(deps: NessieDeps, c: Context, refText: string, keyText: string): Promise<Response> {
  const key = keyFromPathString(keyText);
  const { ref, content } = await deps.catalog.contents.get(nessieActor(c), refText, key);
  return respond(c, { content: contentJson(key, content), effectiveReference: effectiveReference(ref) });
}

async function multipleContents(deps: NessieDeps, c: Context, refText: string, keys: ContentKey[]): Promise<Response> {
  const { ref, contents } = await deps.catalog.contents.getMany(nessieActor(c), refText, keys);
  return respond(c, {
    contents: contents.map(({ key, content }) => ({ key: keyJson(key), content: contentJson(key, content) })),
    effectiveReference: effectiveReference(ref),
  });
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
  const filterText = c.req.query('filter');
  const filter = filterText ? compileFilter(filterText, ['key']) : undefined;
  const token = c.req.query('page-token');
  const diff = await deps.catalog.contents.diff(nessieActor(c), fromText, toText, {
    keys: (c.req.queries('key') ?? []).map(keyFromPathString),
    minKey: keyParam(c, 'min-key'),
    maxKey: keyParam(c, 'max-key'),
    prefixKey: keyParam(c, 'prefix-key'),
    filter: filter && ((key) => filter.matches({ key: celKey(key) })),
    pageSize: pageSize(c),
    pageToken: token ? decodeToken(token) : undefined,
  });
  const diffs = diff.items.map((d) => ({
    key: keyJson(d.key),
    ...(d.from ? { from: contentJson(d.key, d.from) } : {}),
    ...(d.to ? { to: contentJson(d.key, d.to) } : {}),
  }));
  return respond(c, {
    hasMore: diff.nextPageToken !== undefined,
    ...(diff.nextPageToken !== undefined ? { token: encodeToken(diff.nextPageToken) } : {}),
    diffs,
    effectiveFromReference: effectiveReference(diff.from),
    effectiveToReference: effectiveReference(diff.to),
  });
}
