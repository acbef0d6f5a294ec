/**
 * The per-commit key index: a persistent, content-addressed search tree mapping key strings
 * (see `keyToString`) to (content hash, type, content id).
 *
 * Shape: node boundaries are chosen by the keys alone (a key of rank r ends a node on every level
 * below r, see `rank`), so the tree is a pure function of the key set. That makes it
 * history-independent: two commits holding the same entries have the same root hash, and two
 * trees that differ in k keys share every node off the paths to those keys, which is what lets
 * `diffIndex` skip equal subtrees and `applyMutations` rewrite only about height x k nodes.
 * Boundaries nest (a node boundary on level L is one on every level below), so a mutation never
 * has to look outside the parent it falls in, except to merge with the next sibling when the
 * key ending a node is deleted.
 *
 * Nodes are immutable; the store keeps them in an LRU by hash. Expected fanout is 32, so
 * 100,000 keys make a tree of height 4.
 */
import { createHash } from 'node:crypto';
import type { ContentType } from './port.js';

export interface IndexEntry {
  key: string;
  /** Hash of the content row. */
  hash: string;
  type: ContentType;
  id: string;
}

export interface ChildRef {
  /** The greatest key in the child subtree. */
  last: string;
  hash: string;
}

export type IndexNode = { level: 0; entries: IndexEntry[] } | { level: number; children: ChildRef[] };

/** Where nodes come from; `getNodes` must return every requested node or throw. */
export interface NodeSource {
  getNodes(hashes: string[]): Promise<Map<string, IndexNode>>;
}

/** New nodes produced by a mutation, to be inserted by the caller. */
export type NodeSink = Map<string, { level: number; data: string }>;

export type Mutation = { key: string; entry: IndexEntry | null };

const RANK_BITS = 5; // expected fanout 2^5

const TYPE_CODE: Record<ContentType, string> = { NAMESPACE: 'N', ICEBERG_TABLE: 'T', ICEBERG_VIEW: 'V' };
const CODE_TYPE: Record<string, ContentType> = { N: 'NAMESPACE', T: 'ICEBERG_TABLE', V: 'ICEBERG_VIEW' };

export function encodeNode(node: IndexNode): string {
  if (node.level === 0 && 'entries' in node) {
    return JSON.stringify([0, node.entries.map((e) => [e.key, e.hash, TYPE_CODE[e.type], e.id])]);
  }
  if ('children' in node) return JSON.stringify([node.level, node.children.map((c) => [c.last, c.hash])]);
  throw new Error('malformed index node');
}

export function decodeNode(data: string): IndexNode {
  const [level, items] = JSON.parse(data) as [number, string[][]];
  if (level === 0) {
    return { level: 0, entries: items.map(([key, hash, t, id]) => ({ key, hash, type: CODE_TYPE[t], id })) };
  }
  return { level, children: items.map(([last, hash]) => ({ last, hash })) };
}

/**
 * Nodes and values are addressed by the first 128 bits of SHA-256: collisions stay out of reach
 * (birthday bound ~2^64 objects) and every child reference and leaf entry is 32 bytes shorter,
 * which is a third of the key-index bytes a commit writes. Commit hashes keep all 256 bits.
 */
export function nodeHash(data: string): string {
  return createHash('sha256').update(data).digest('hex').slice(0, 32);
}

export const EMPTY_NODE_DATA = encodeNode({ level: 0, entries: [] });
export const EMPTY_ROOT = nodeHash(EMPTY_NODE_DATA);

const rankCache = new Map<string, number>();

/** Leading zero bits of sha256(key) in groups of RANK_BITS: rank >= r with probability 2^(-5r). */
export function rank(key: string): number {
  let r = rankCache.get(key);
  if (r !== undefined) return r;
  const d = createHash('sha256').update(key).digest();
  r = Math.floor(Math.clz32(d.readUInt32BE(0)) / RANK_BITS);
  if (rankCache.size > 200_000) rankCache.clear();
  rankCache.set(key, r);
  return r;
}

function emit(sink: NodeSink, node: IndexNode): string {
  const data = encodeNode(node);
  const hash = nodeHash(data);
  sink.set(hash, { level: node.level, data });
  return hash;
}

function chunkLeaves(entries: IndexEntry[], sink: NodeSink): ChildRef[] {
  const out: ChildRef[] = [];
  let cur: IndexEntry[] = [];
  for (const e of entries) {
    cur.push(e);
    if (rank(e.key) >= 1) {
      out.push({ last: e.key, hash: emit(sink, { level: 0, entries: cur }) });
      cur = [];
    }
  }
  if (cur.length > 0) out.push({ last: cur[cur.length - 1].key, hash: emit(sink, { level: 0, entries: cur }) });
  return out;
}

/** Groups level-(level-1) nodes into level-`level` nodes. */
function chunkInner(level: number, children: ChildRef[], sink: NodeSink): ChildRef[] {
  const out: ChildRef[] = [];
  let cur: ChildRef[] = [];
  for (const c of children) {
    cur.push(c);
    if (rank(c.last) >= level + 1) {
      out.push({ last: c.last, hash: emit(sink, { level, children: cur }) });
      cur = [];
    }
  }
  if (cur.length > 0) out.push({ last: cur[cur.length - 1].last, hash: emit(sink, { level, children: cur }) });
  return out;
}

function mergeSorted(entries: IndexEntry[], muts: Mutation[]): IndexEntry[] {
  const out: IndexEntry[] = [];
  let i = 0;
  let j = 0;
  while (i < entries.length || j < muts.length) {
    if (j >= muts.length || (i < entries.length && entries[i].key < muts[j].key)) {
      out.push(entries[i++]);
    } else {
      const m = muts[j++];
      if (i < entries.length && entries[i].key === m.key) i++;
      if (m.entry) out.push(m.entry);
    }
  }
  return out;
}

async function loadAll(src: NodeSource, hashes: string[]): Promise<IndexNode[]> {
  const m = await src.getNodes(hashes);
  return hashes.map((h) => m.get(h)!);
}

/** Rewrites a run of consecutive nodes of one level; returns the replacement nodes of that level. */
async function rebuild(src: NodeSource, sink: NodeSink, level: number, run: ChildRef[], muts: Mutation[]): Promise<ChildRef[]> {
  const nodes = await loadAll(src, run.map((r) => r.hash));
  if (level === 0) {
    const entries = nodes.flatMap((n) => ('entries' in n ? n.entries : []));
    return chunkLeaves(mergeSorted(entries, muts), sink);
  }
  const children = nodes.flatMap((n) => ('children' in n ? n.children : []));
  const result: ChildRef[] = [];
  let mi = 0;
  let i = 0;
  while (i < children.length) {
    let j = i;
    const groupStart = mi;
    for (;;) {
      const isLast = j === children.length - 1;
      let deletesBoundary = false;
      while (mi < muts.length && (isLast || muts[mi].key <= children[j].last)) {
        if (muts[mi].key === children[j].last && muts[mi].entry === null) deletesBoundary = true;
        mi++;
      }
      // Deleting the key that ends a child leaves it without its boundary: merge with the next.
      if (deletesBoundary && !isLast) {
        j++;
        continue;
      }
      break;
    }
    if (mi === groupStart) {
      result.push(children[i]);
    } else {
      result.push(...(await rebuild(src, sink, level - 1, children.slice(i, j + 1), muts.slice(groupStart, mi))));
    }
    i = j + 1;
  }
  return chunkInner(level, result, sink);
}

/** Loads every node on the root-to-leaf paths of `keys`, one query per level. */
async function prefetchPaths(src: NodeSource, root: string, keys: string[]): Promise<void> {
  let frontier = new Map<string, string[]>([[root, keys]]);
  while (frontier.size > 0) {
    const nodes = await src.getNodes([...frontier.keys()]);
    const next = new Map<string, string[]>();
    for (const [hash, ks] of frontier) {
      const node = nodes.get(hash)!;
      if (!('children' in node) || node.level === 0) continue;
      for (const k of ks) {
        const c = childFor(node.children, k);
        const list = next.get(c.hash);
        if (list) list.push(k);
        else next.set(c.hash, [k]);
      }
    }
    frontier = next;
  }
}

function childFor(children: ChildRef[], key: string): ChildRef {
  let lo = 0;
  let hi = children.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (children[mid].last < key) lo = mid + 1;
    else hi = mid;
  }
  return children[lo];
}

/**
 * Applies put/delete mutations (any order, unique keys) to the tree at `root`; returns the new
 * root hash. New nodes are added to `sink`. Deleting an absent key is a no-op.
 */
export async function applyMutations(src: NodeSource, sink: NodeSink, root: string, mutations: Mutation[]): Promise<string> {
  if (mutations.length === 0) return root;
  const muts = [...mutations].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  await prefetchPaths(src, root, muts.map((m) => m.key));
  const rootNode = (await loadAll(src, [root]))[0];
  let level = rootNode.level;
  let refs = await rebuild(src, sink, level, [{ last: '', hash: root }], muts);
  while (refs.length > 1) refs = chunkInner(++level, refs, sink);
  if (refs.length === 0) {
    sink.set(EMPTY_ROOT, { level: 0, data: EMPTY_NODE_DATA });
    return EMPTY_ROOT;
  }
  let top = refs[0].hash;
  for (;;) {
    const n = sink.get(top);
    const node = n ? decodeNode(n.data) : (await loadAll(src, [top]))[0];
    if (!('children' in node) || node.children.length !== 1) return top;
    top = node.children[0].hash;
  }
}

/** Looks up many keys with one node query per tree level. */
export async function lookupMany(src: NodeSource, root: string, keys: string[]): Promise<Map<string, IndexEntry>> {
  const found = new Map<string, IndexEntry>();
  let frontier = new Map<string, string[]>([[root, keys]]);
  while (frontier.size > 0) {
    const nodes = await src.getNodes([...frontier.keys()]);
    const next = new Map<string, string[]>();
    for (const [hash, ks] of frontier) {
      const node = nodes.get(hash)!;
      if ('entries' in node) {
        for (const k of ks) {
          const e = findEntry(node.entries, k);
          if (e) found.set(k, e);
        }
        continue;
      }
      for (const k of ks) {
        const c = childFor(node.children, k);
        const list = next.get(c.hash);
        if (list) list.push(k);
        else next.set(c.hash, [k]);
      }
    }
    frontier = next;
  }
  return found;
}

function findEntry(entries: IndexEntry[], key: string): IndexEntry | undefined {
  let lo = 0;
  let hi = entries.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const k = entries[mid].key;
    if (k === key) return entries[mid];
    if (k < key) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}

/** Key range [from, to); undefined bounds are open. */
export interface KeyRange {
  from?: string;
  to?: string;
}

function overlaps(lo: string | undefined, last: string, r: KeyRange): boolean {
  if (r.from !== undefined && last < r.from) return false;
  if (r.to !== undefined && lo !== undefined && lo >= r.to) return false;
  return true;
}

function inRange(key: string, r: KeyRange): boolean {
  return (r.from === undefined || key >= r.from) && (r.to === undefined || key < r.to);
}

/** Entries in key order within `range`, loading children a few at a time. */
export async function* scanIndex(src: NodeSource, root: string, range: KeyRange): AsyncGenerator<IndexEntry> {
  const rootNode = (await loadAll(src, [root]))[0];
  yield* scanNode(src, rootNode, undefined, range);
}

async function* scanNode(src: NodeSource, node: IndexNode, lo: string | undefined, range: KeyRange): AsyncGenerator<IndexEntry> {
  if ('entries' in node) {
    for (const e of node.entries) {
      if (range.to !== undefined && e.key >= range.to) return;
      if (inRange(e.key, range)) yield e;
    }
    return;
  }
  const picked: { lo: string | undefined; ref: ChildRef }[] = [];
  let prev = lo;
  for (const c of node.children) {
    if (overlaps(prev, c.last, range)) picked.push({ lo: prev, ref: c });
    prev = c.last;
  }
  const BATCH = 4;
  for (let i = 0; i < picked.length; i += BATCH) {
    const batch = picked.slice(i, i + BATCH);
    const nodes = await loadAll(src, batch.map((p) => p.ref.hash));
    for (let k = 0; k < batch.length; k++) yield* scanNode(src, nodes[k], batch[k].lo, range);
  }
}

/**
 * What a `walkIndex` visitor answers for an entry: `false` stops the walk, a key string skips
 * ahead to the first key at or after it (a seek: the skipped subtrees are never loaded), anything
 * else goes on with the next entry.
 */
export type WalkStep = boolean | string | void;

/**
 * Visits the entries within `range` in key order. Unlike `scanIndex` it runs the visitor
 * synchronously over each leaf (no promise per entry) and lets the visitor seek forward, so a
 * listing of direct children can jump over a child namespace's whole subtree in O(height) node
 * reads. Children are loaded a few at a time, more as the walk goes on: a short page reads few
 * nodes, a full listing few round trips.
 */
export async function walkIndex(src: NodeSource, root: string, range: KeyRange, visit: (e: IndexEntry) => WalkStep): Promise<void> {
  const state: WalkState = { from: range.from, to: range.to, stopped: false, visit };
  const rootNode = (await loadAll(src, [root]))[0];
  await walkNode(src, rootNode, undefined, state);
}

interface WalkState {
  /** Lower bound (inclusive) of the keys still wanted; moves forward on seeks. */
  from: string | undefined;
  to: string | undefined;
  stopped: boolean;
  visit: (e: IndexEntry) => WalkStep;
}

const WALK_FIRST_BATCH = 4;
const WALK_MAX_BATCH = 64;

/** Index of the first entry with key >= `key`. */
function entryLowerBound(entries: IndexEntry[], key: string): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (entries[mid].key < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first child whose subtree may hold `key` or later keys (its last key >= `key`). */
function childLowerBound(children: ChildRef[], key: string): number {
  let lo = 0;
  let hi = children.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (children[mid].last < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

async function walkNode(src: NodeSource, node: IndexNode, lo: string | undefined, st: WalkState): Promise<void> {
  if ('entries' in node) {
    const es = node.entries;
    for (let i = st.from === undefined ? 0 : entryLowerBound(es, st.from); i < es.length; i++) {
      const e = es[i];
      if (st.to !== undefined && e.key >= st.to) {
        st.stopped = true;
        return;
      }
      const step = st.visit(e);
      if (step === false) {
        st.stopped = true;
        return;
      }
      if (typeof step === 'string' && step > e.key) {
        st.from = step;
        i = entryLowerBound(es, step) - 1;
      }
    }
    return;
  }
  const cs = node.children;
  let batch = WALK_FIRST_BATCH;
  let i = st.from === undefined ? 0 : childLowerBound(cs, st.from);
  while (i < cs.length && !st.stopped) {
    // Child i holds keys in (cs[i-1].last, cs[i].last]: none of them is below `to` once that bound is.
    let end = i;
    while (end < cs.length && end - i < batch) {
      const childLo = end === 0 ? lo : cs[end - 1].last;
      if (st.to !== undefined && childLo !== undefined && childLo >= st.to) break;
      end++;
    }
    if (end === i) return;
    const nodes = await loadAll(src, cs.slice(i, end).map((c) => c.hash));
    const fromBefore = st.from;
    for (let k = i; k < end && !st.stopped; k++) {
      if (st.from !== undefined && cs[k].last < st.from) continue; // skipped by a seek
      await walkNode(src, nodes[k - i], k === 0 ? lo : cs[k - 1].last, st);
    }
    i = st.from === undefined ? end : Math.max(end, childLowerBound(cs, st.from));
    // A visitor that seeks skips most of what a large batch would read ahead: read one at a time.
    batch = st.from !== fromBefore ? 1 : Math.min(batch * 2, WALK_MAX_BATCH);
  }
}

export interface IndexChange {
  key: string;
  from: IndexEntry | null;
  to: IndexEntry | null;
}

type Item = { node: true; hash: string; level: number; lo: string | undefined; last: string } | { node: false; entry: IndexEntry };

/**
 * Changed keys between two trees, in key order. Subtrees with equal hashes at the same position
 * are skipped without being read, so the cost follows the number of changed keys.
 */
export async function* diffIndex(src: NodeSource, fromRoot: string, toRoot: string, range: KeyRange): AsyncGenerator<IndexChange> {
  if (fromRoot === toRoot) return;
  const [a, b] = await loadAll(src, [fromRoot, toRoot]);
  // Stacks with the next item on top.
  const sa: Item[] = [{ node: true, hash: fromRoot, level: a.level, lo: undefined, last: '' }];
  const sb: Item[] = [{ node: true, hash: toRoot, level: b.level, lo: undefined, last: '' }];
  const expand = async (s: Item[]) => {
    const top = s.pop() as Extract<Item, { node: true }>;
    const n = (await loadAll(src, [top.hash]))[0];
    const items: Item[] = [];
    if ('entries' in n) {
      for (const e of n.entries) if (inRange(e.key, range)) items.push({ node: false, entry: e });
    } else {
      let prev = top.lo;
      for (const c of n.children) {
        if (overlaps(prev, c.last, range)) items.push({ node: true, hash: c.hash, level: n.level - 1, lo: prev, last: c.last });
        prev = c.last;
      }
    }
    for (let i = items.length - 1; i >= 0; i--) s.push(items[i]);
  };
  for (;;) {
    const x = sa[sa.length - 1];
    const y = sb[sb.length - 1];
    if (!x && !y) return;
    if (x?.node && y?.node && x.hash === y.hash) {
      sa.pop();
      sb.pop();
      continue;
    }
    if (x?.node && (!y || !y.node || x.level >= y.level)) {
      await expand(sa);
      continue;
    }
    if (y?.node) {
      await expand(sb);
      continue;
    }
    const ex = x && !x.node ? x.entry : undefined;
    const ey = y && !y.node ? y.entry : undefined;
    if (ex && (!ey || ex.key < ey.key)) {
      sa.pop();
      yield { key: ex.key, from: ex, to: null };
    } else if (ey && (!ex || ey.key < ex.key)) {
      sb.pop();
      yield { key: ey.key, from: null, to: ey };
    } else if (ex && ey) {
      sa.pop();
      sb.pop();
      if (ex.hash !== ey.hash) yield { key: ex.key, from: ex, to: ey };
    }
  }
}
