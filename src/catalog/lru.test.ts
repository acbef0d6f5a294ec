import { describe, expect, it } from 'vitest';
import { Lru } from './lru.js';

describe('Lru', () => {
  it('evicts the least recently used entries once the count capacity is exceeded', () => {
    const lru = new Lru<string, number>(2);
    lru.set('a', 1);
    lru.set('b', 2);
    expect(lru.get('a')).toBe(1);
    lru.set('c', 3);
    expect(lru.get('b')).toBeUndefined();
    expect(lru.get('a')).toBe(1);
    expect(lru.get('c')).toBe(3);
  });

  it('bounds the total weight, evicting as many old entries as needed', () => {
    const lru = new Lru<string, string>(10, (s) => s.length);
    lru.set('a', 'xxxx');
    lru.set('b', 'xxxx');
    lru.set('c', 'xxxxxx');
    expect(lru.get('a')).toBeUndefined();
    expect(lru.get('b')).toBe('xxxx');
    expect(lru.weight).toBe(10);
    lru.set('b', 'x');
    expect(lru.weight).toBe(7);
  });

  it('does not keep a value heavier than the whole cache', () => {
    const lru = new Lru<string, string>(5, (s) => s.length);
    lru.set('small', 'xx');
    lru.set('huge', 'xxxxxxxx');
    expect(lru.get('huge')).toBeUndefined();
    expect(lru.get('small')).toBe('xx');
  });
});
