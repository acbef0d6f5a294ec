import { describe, expect, it } from 'vitest';
import { ListingCache } from './listing-cache.js';
import type { Entry } from './port.js';

const entries = (n: number, prefix = 'ns'): Entry[] =>
  Array.from({ length: n }, (_, i) => ({ key: [prefix, `table_${i}`], type: 'ICEBERG_TABLE', contentId: `id-${i}` }));

describe('ListingCache', () => {
  it('keys pages by index root and parameters, and hands out copies', () => {
    const c = new ListingCache(1 << 20);
    const k1 = ListingCache.key('root1', ['a', undefined, 2, 'ICEBERG_TABLE', 10]);
    const k2 = ListingCache.key('root2', ['a', undefined, 2, 'ICEBERG_TABLE', 10]);
    expect(k1).not.toBe(k2);
    expect(ListingCache.key('r', [undefined, 'x'])).not.toBe(ListingCache.key('r', ['x', undefined]));
    c.set(k1, { items: entries(3), nextPageToken: 'tok' });
    expect(c.get(k2)).toBeUndefined();
    const got = c.get(k1)!;
    expect(got.nextPageToken).toBe('tok');
    got.items.length = 0;
    expect(c.get(k1)!.items).toHaveLength(3);
    expect('nextPageToken' in (c.set(k2, { items: [] }), c.get(k2)!)).toBe(false);
  });

  it('stays within its byte budget', () => {
    const c = new ListingCache(200_000);
    for (let i = 0; i < 20; i++) c.set(ListingCache.key(`root${i}`, []), { items: entries(500) });
    // 500 entries weigh ~ 500 x 260 bytes: only a couple of such pages fit.
    expect(c.size).toBeGreaterThan(0);
    expect(c.size).toBeLessThan(3);
    expect(c.get(ListingCache.key('root19', []))?.items).toHaveLength(500);
    expect(c.get(ListingCache.key('root0', []))).toBeUndefined();
  });
});
