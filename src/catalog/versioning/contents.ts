/**
 * Reading the catalog at a reference: one key, several keys, the entries (keys and types) with
 * range, prefix and filter restrictions, and the diff between two references.
 */
import type { Actor } from '../context.js';
import type { CatalogDeps } from '../deps.js';
import { NotFoundError } from '../errors.js';
import {
  compareKeys,
  keyStartsWith,
  keyToString,
  type Content,
  type ContentKey,
  type ContentType,
  type DiffEntry,
  type Entry,
} from '../model.js';
import { collectFiltered } from '../paging.js';
import { checkRead, readFilter } from '../access/reads.js';
import { resolveRef, type ResolvedRef } from '../refs/resolve.js';

export async function getContent(
  deps: CatalogDeps,
  actor: Actor,
  refText: string,
  key: ContentKey,
): Promise<{ ref: ResolvedRef; content: Content }> {
  const ref = await resolveRef(deps, actor, refText, { checkOnRef: true });
  await checkRead(deps, actor, ref, key, 'key');
  const content = await deps.store.getContent(ref.hash, key);
  if (content === null) {
    throw new NotFoundError(`Could not find content for key '${key.join('.')}' in reference '${ref.name ?? ref.hash}'.`, 'content');
  }
  return { ref, content };
}

/** The keys that exist, each once, in the order asked. */
export async function getContents(
  deps: CatalogDeps,
  actor: Actor,
  refText: string,
  keys: ContentKey[],
): Promise<{ ref: ResolvedRef; contents: { key: ContentKey; content: Content }[] }> {
  const ref = await resolveRef(deps, actor, refText, { checkOnRef: true });
  const found = keys.length > 0 ? await deps.store.getContents(ref.hash, keys) : new Map<string, Content>();
  const filter = await readFilter(deps, actor, ref);
  const seen = new Set<string>();
  const contents: { key: ContentKey; content: Content }[] = [];
  for (const key of keys) {
    const k = keyToString(key);
    const content = found.get(k);
    if (content === undefined || seen.has(k) || !filter.shows(key, content.type)) continue;
    seen.add(k);
    contents.push({ key, content });
  }
  return { ref, contents };
}

/** Key restrictions shared by entries and diffs. */
export interface KeyRange {
  minKey?: ContentKey;
  maxKey?: ContentKey;
  /** The key itself and everything under it. */
  prefixKey?: ContentKey;
}

function inRange(key: ContentKey, r: KeyRange): boolean | 'stop' {
  if (r.maxKey && compareKeys(key, r.maxKey) > 0) return 'stop';
  if (r.minKey && compareKeys(key, r.minKey) < 0) return false;
  if (r.prefixKey && !keyStartsWith(key, r.prefixKey)) return false;
  return true;
}

export interface EntriesOptions extends KeyRange {
  /** Only these keys (then no paging). */
  keys?: ContentKey[];
  filter?: (entry: Entry) => boolean;
  /**
   * Restrictions the filter implies, pushed down to the store so that a listing does not scan
   * the whole catalog. The filter still runs on every entry: a hint may only narrow, never decide.
   */
  hints?: { prefix?: ContentKey; length?: number; types?: ContentType[] };
  pageSize?: number;
  pageToken?: string;
  withContent?: boolean;
}

export interface EntryWithContent extends Entry {
  content?: Content;
}

export async function listEntries(
  deps: CatalogDeps,
  actor: Actor,
  refText: string,
  opts: EntriesOptions = {},
): Promise<{ ref: ResolvedRef; entries: EntryWithContent[]; nextPageToken?: string }> {
  const { store } = deps;
  const ref = await resolveRef(deps, actor, refText, { checkOnRef: true });
  const readable = await readFilter(deps, actor, ref);
  const accept = (e: Entry): boolean | 'stop' => {
    const r = inRange(e.key, opts);
    if (r !== true) return r;
    if (!readable.shows(e.key, e.type)) return false;
    return opts.filter ? opts.filter(e) : true;
  };
  let entries: Entry[];
  let nextPageToken: string | undefined;
  if (opts.keys !== undefined && opts.keys.length > 0) {
    const requested = opts.keys;
    const found = await store.getContents(ref.hash, requested);
    entries = requested
      .map((key) => ({ key, content: found.get(keyToString(key)) }))
      .filter((x): x is { key: ContentKey; content: Content } => x.content !== undefined)
      .map((x) => ({ key: x.key, type: x.content.type, contentId: x.content.id }))
      .sort((a, b) => compareKeys(a.key, b.key))
      .filter((e) => accept(e) === true);
  } else {
    const hints = opts.hints ?? {};
    const prefix = opts.prefixKey ?? hints.prefix;
    const under = prefix?.length ?? 0;
    const depth = hints.length !== undefined && hints.length > under ? hints.length - under : undefined;
    const page = await collectFiltered(
      (token, size) => store.listEntries(ref.hash, { pageToken: token, pageSize: size, prefix, depth, types: hints.types }),
      accept,
      opts.pageSize,
      opts.pageToken,
    );
    entries = page.items;
    nextPageToken = page.nextPageToken;
    // A key prefix also selects the key itself (a namespace and its children); the store lists only what is under it.
    const prefixKey = opts.prefixKey;
    if (prefixKey && !opts.pageToken && (entries.length === 0 || compareKeys(entries[0].key, prefixKey) !== 0)) {
      const self = await store.getContent(ref.hash, prefixKey);
      const e = self ? { key: prefixKey, type: self.type, contentId: self.id } : undefined;
      if (e && accept(e) === true) entries.unshift(e);
    }
  }
  if (!opts.withContent) return { ref, entries, ...(nextPageToken !== undefined ? { nextPageToken } : {}) };
  const contents = await store.getContents(ref.hash, entries.map((e) => e.key));
  const withContent = entries.map((e) => {
    const content = contents.get(keyToString(e.key));
    return content ? { ...e, content } : e;
  });
  return { ref, entries: withContent, ...(nextPageToken !== undefined ? { nextPageToken } : {}) };
}

export interface DiffOptions extends KeyRange {
  /** Only these keys. */
  keys?: ContentKey[];
  filter?: (key: ContentKey) => boolean;
  pageSize?: number;
  pageToken?: string;
}

/** What changed from one reference to another, per key, in key order. */
export async function diffRefs(
  deps: CatalogDeps,
  actor: Actor,
  fromText: string,
  toText: string,
  opts: DiffOptions = {},
): Promise<{ from: ResolvedRef; to: ResolvedRef; items: DiffEntry[]; nextPageToken?: string }> {
  const from = await resolveRef(deps, actor, fromText, { checkOnRef: true });
  const to = await resolveRef(deps, actor, toText, { checkOnRef: true });
  const requested = opts.keys && opts.keys.length > 0 ? new Set(opts.keys.map(keyToString)) : undefined;
  const [fromReadable, toReadable] = await Promise.all([readFilter(deps, actor, from), readFilter(deps, actor, to)]);
  const accept = (d: DiffEntry): boolean | 'stop' => {
    const r = inRange(d.key, opts);
    if (r !== true) return r;
    if (d.from && !fromReadable.shows(d.key, d.from.type)) return false;
    if (d.to && !toReadable.shows(d.key, d.to.type)) return false;
    if (requested && !requested.has(keyToString(d.key))) return false;
    return opts.filter ? opts.filter(d.key) : true;
  };
  const page = await collectFiltered(
    // No prefix push-down: the store's prefix excludes the key itself, which prefixKey includes;
    // a diff costs what changed, so filtering here is cheap.
    (pageToken, size) => deps.store.diff(from.hash, to.hash, { pageToken, pageSize: size }),
    accept,
    opts.pageSize,
    opts.pageToken,
  );
  return { from, to, items: page.items, ...(page.nextPageToken !== undefined ? { nextPageToken: page.nextPageToken } : {}) };
}
