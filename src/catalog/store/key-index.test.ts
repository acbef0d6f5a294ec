import { describe, expect, it } from 'vitest';
import {
  EMPTY_NODE_DATA,
  EMPTY_ROOT,
  applyMutations,
  decodeNode,
  diffIndex,
  lookupMany,
  scanIndex,
  walkIndex,
  type IndexEntry,
  type KeyRange,
  type WalkStep,
  type IndexNode,
  type Mutation,
  type NodeSink,
  type NodeSource,
} from './key-index.js';

class MemorySource implements NodeSource {
  readonly nodes: NodeSink = new Map([[EMPTY_ROOT, { level: 0, data: EMPTY_NODE_DATA }]]);
  reads = 0;
  async getNodes(hashes: string[]): Promise<Map<string, IndexNode>> {
    this.reads += hashes.length;
    const m = new Map<string, IndexNode>();
    for (const h of hashes) {
      const n = this.nodes.get(h);
      if (!n) throw new Error(`missing node ${h}`);
      m.set(h, decodeNode(n.data));
    }
    return m;
  }
  async apply(root: string, muts: Mutation[]): Promise<string> {
    const sink: NodeSink = new Map();
    const r = await applyMutations(this, sink, root, muts);
    for (const [h, n] of sink) this.nodes.set(h, n);
    return r;
  }
}

// Deterministic pseudo-random numbers so failures reproduce.
function rng(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
}

const entry = (key: string, v: number): IndexEntry => ({ key, hash: `h${v}`, type: 'ICEBERG_TABLE', id: `id-${key}` });

async function collect<T>(g: AsyncGenerator<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of g) out.push(x);
  return out;
}

describe('key index', () => {
  it('is a pure function of its entries, whatever the order of mutations', async () => {
    const src = new MemorySource();
    const rand = rng(7);
    const model = new Map<string, IndexEntry>();
    let root = EMPTY_ROOT;
    for (let round = 0; round < 60; round++) {
      const muts = new Map<string, Mutation>();
      const n = 1 + Math.floor(rand() * 200);
      for (let i = 0; i < n; i++) {
        const key = `ns${Math.floor(rand() * 5)}\u0000t${Math.floor(rand() * 2000)}`;
        const del = rand() < 0.3;
        muts.set(key, { key, entry: del ? null : entry(key, round) });
      }
      root = await src.apply(root, [...muts.values()]);
      for (const m of muts.values()) {
        if (m.entry) model.set(m.key, m.entry);
        else model.delete(m.key);
      }
      const sorted = [...model.keys()].sort();
      const fresh = await src.apply(EMPTY_ROOT, sorted.map((k) => ({ key: k, entry: model.get(k)! })));
      expect(root).toBe(fresh);
      expect((await collect(scanIndex(src, root, {}))).map((e) => e.key)).toEqual(sorted);
    }
    const probe = ['ns1\u0000t5', 'ns4\u0000t1999', 'zz', 'ns0'];
    const found = await lookupMany(src, root, probe);
    for (const k of probe) expect(found.get(k)).toEqual(model.get(k));
    expect(model.size).toBeGreaterThan(2000);
  });

  it('returns to the empty root when every key is deleted', async () => {
    const src = new MemorySource();
    const keys = Array.from({ length: 500 }, (_, i) => `k${i}`);
    const root = await src.apply(EMPTY_ROOT, keys.map((k) => ({ key: k, entry: entry(k, 1) })));
    expect(root).not.toBe(EMPTY_ROOT);
    expect(await src.apply(root, keys.map((k) => ({ key: k, entry: null })))).toBe(EMPTY_ROOT);
  });

  it('scans a key range and diffs by changed keys only', async () => {
    const src = new MemorySource();
    const keys = Array.from({ length: 20_000 }, (_, i) => `db\u0000t${String(i).padStart(6, '0')}`);
    const base = await src.apply(EMPTY_ROOT, keys.map((k) => ({ key: k, entry: entry(k, 1) })));
    const range = await collect(scanIndex(src, base, { from: keys[100], to: keys[150] }));
    expect(range.map((e) => e.key)).toEqual(keys.slice(100, 150));

    const changed = [keys[3], keys[9000], keys[19_999]];
    const next = await src.apply(base, [
      { key: changed[0], entry: null },
      { key: changed[1], entry: entry(changed[1], 2) },
      { key: 'db\u0000zzz', entry: entry('db\u0000zzz', 2) },
    ]);
    src.reads = 0;
    const d = await collect(diffIndex(src, base, next, {}));
    expect(d.map((c) => [c.key, c.from?.hash ?? null, c.to?.hash ?? null])).toEqual([
      [changed[0], 'h1', null],
      [changed[1], 'h1', 'h2'],
      ['db\u0000zzz', null, 'h2'],
    ]);
    expect(src.reads).toBeLessThan(60);
    const limited = await collect(diffIndex(src, base, next, { from: keys[5000], to: 'db\u0000zz' }));
    expect(limited.map((c) => c.key)).toEqual([changed[1]]);
  });
});

describe('walkIndex', () => {
  async function tree(keys: string[]) {
    const src = new MemorySource();
    const root = await src.apply(EMPTY_ROOT, keys.map((k, i) => ({ key: k, entry: entry(k, i) })));
    return { src, root };
  }
  async function walked(src: NodeSource, root: string, range: KeyRange, visit: (e: IndexEntry) => WalkStep = () => undefined) {
    const out: string[] = [];
    await walkIndex(src, root, range, (e) => {
      out.push(e.key);
      return visit(e);
    });
    return out;
  }

  it('visits the same entries as scanIndex, in key order, for any range', async () => {
    const rand = rng(11);
    const keys = Array.from({ length: 3000 }, (_, i) => `k${String(Math.floor(rand() * 1e6)).padStart(6, '0')}-${i}`);
    const { src, root } = await tree(keys);
    const sorted = [...keys].sort();
    expect(await walked(src, root, {})).toEqual(sorted);
    for (let i = 0; i < 20; i++) {
      const a = sorted[Math.floor(rand() * sorted.length)];
      const b = sorted[Math.floor(rand() * sorted.length)];
      const range = a < b ? { from: a, to: b } : { from: b };
      const expected = (await collect(scanIndex(src, root, range))).map((e) => e.key);
      expect(await walked(src, root, range)).toEqual(expected);
      expect(expected.length).toBeGreaterThan(0);
    }
  });

  it('seeks over subtrees without reading them, and stops when asked', async () => {
    // 40 groups of 200 keys: "g00\u0000000" ... ; visiting one key per group and seeking past it.
    const keys: string[] = [];
    for (let g = 0; g < 40; g++) for (let i = 0; i < 200; i++) keys.push(`g${String(g).padStart(2, '0')}\u0000${String(i).padStart(3, '0')}`);
    const { src, root } = await tree(keys);
    src.reads = 0;
    const all = await walked(src, root, {});
    const fullReads = src.reads;
    src.reads = 0;
    const firsts = await walked(src, root, {}, (e) => `${e.key.slice(0, e.key.indexOf('\u0000'))}\u0001`);
    expect(firsts).toEqual(Array.from({ length: 40 }, (_, g) => `g${String(g).padStart(2, '0')}\u0000000`));
    expect(all).toHaveLength(8000);
    expect(src.reads).toBeLessThan(fullReads / 2);

    src.reads = 0;
    const head = await walked(src, root, {}, (e) => e.key !== keys[9]);
    expect(head).toEqual(keys.slice(0, 10));
    expect(src.reads).toBeLessThan(10);

    // A seek backwards (or to the current key) is ignored rather than looping.
    expect(await walked(src, root, { from: keys[5], to: keys[8] }, (e) => e.key)).toEqual(keys.slice(5, 8));
  });
});
