/**
 * A small LRU map for immutable, content-addressed rows (index nodes, contents, commits).
 * Bounded by total weight, so that a few large values (table metadata of tens of KB) cannot
 * hold the process's memory: `weigh` gives each value's weight (approximate bytes), 1 by default.
 */
export class Lru<K, V> {
  private readonly map = new Map<K, { value: V; weight: number }>();
  private total = 0;

  constructor(
    private readonly capacity: number,
    private readonly weigh: (value: V) => number = () => 1,
  ) {}

  get(key: K): V | undefined {
    const e = this.map.get(key);
    if (e !== undefined) {
      this.map.delete(key);
      this.map.set(key, e);
    }
    return e?.value;
  }

  set(key: K, value: V): void {
    const old = this.map.get(key);
    if (old) {
      this.map.delete(key);
      this.total -= old.weight;
    }
    const weight = this.weigh(value);
    // A value heavier than the whole cache is not kept: it would only evict everything else.
    if (weight > this.capacity) return;
    this.map.set(key, { value, weight });
    this.total += weight;
    while (this.total > this.capacity) {
      const oldest = this.map.entries().next();
      if (oldest.done) break;
      this.map.delete(oldest.value[0]);
      this.total -= oldest.value[1].weight;
    }
  }

  get size(): number {
    return this.map.size;
  }

  /** Total weight held. */
  get weight(): number {
    return this.total;
  }
}
