import { describe, expect, it } from 'vitest';
import { RefCache } from './ref-cache.js';

const ref = (name: string, hash: string) => ({ name, type: 'BRANCH' as const, hash });

describe('reference head cache', () => {
  it('serves what a database read filled, and nothing when off', () => {
    const on = new RefCache('exclusive');
    on.fill(ref('main', 'a'), on.begin());
    expect(on.get('main')?.hash).toBe('a');
    const off = new RefCache('off');
    off.fill(ref('main', 'a'), off.begin());
    expect(off.get('main')).toBeUndefined();
    off.reset(true);
    expect(off.live).toBe(false);
  });

  it('a watched cache is off until its listener says it listens, and empties when it is lost', () => {
    const c = new RefCache('watched');
    c.fill(ref('main', 'a'), c.begin());
    expect(c.get('main')).toBeUndefined();
    c.reset(true);
    c.fill(ref('main', 'a'), c.begin());
    expect(c.get('main')?.hash).toBe('a');
    c.reset(false);
    expect(c.live).toBe(false);
    expect(c.get('main')).toBeUndefined();
    c.fill(ref('main', 'b'), c.begin());
    expect(c.get('main')).toBeUndefined();
    c.reset(true);
    // Back on: starts empty, since notifications sent while not listening were lost.
    expect(c.get('main')).toBeUndefined();
  });

  it('drops a read that started before a move or an invalidation', () => {
    const c = new RefCache('exclusive');
    const slow = c.begin();
    c.invalidate('other');
    c.fill(ref('main', 'old'), slow);
    expect(c.get('main')).toBeUndefined();
    const slow2 = c.begin();
    c.moved('main', 'x', ref('main', 'y'));
    c.fill(ref('main', 'x'), slow2);
    expect(c.get('main')).toBeUndefined();
  });

  it('follows a move only from the head it holds; otherwise forgets the reference', () => {
    const c = new RefCache('exclusive');
    c.fill(ref('main', 'h0'), c.begin());
    c.moved('main', 'h0', ref('main', 'h1'));
    expect(c.get('main')?.hash).toBe('h1');
    // Two confirmations handled out of order: h1->h2 seen first, then h0->h1 (already past).
    c.moved('main', 'h1', ref('main', 'h2'));
    c.moved('main', 'h0', ref('main', 'h1'));
    expect(c.get('main')).toBeUndefined();
    // With nothing cached a move caches nothing: the next read asks the database.
    c.moved('main', 'h2', ref('main', 'h3'));
    expect(c.get('main')).toBeUndefined();
  });

  it('forgets deleted and invalidated references', () => {
    const c = new RefCache('exclusive');
    c.fill(ref('dev', 'a'), c.begin());
    c.moved('dev', 'a', null);
    expect(c.get('dev')).toBeUndefined();
    c.fill(ref('dev', 'b'), c.begin());
    c.fill(ref('main', 'm'), c.begin());
    c.invalidate('dev');
    expect(c.get('dev')).toBeUndefined();
    expect(c.get('main')?.hash).toBe('m');
  });

  it('hands out frozen copies, so callers cannot change the cached head', () => {
    const c = new RefCache('exclusive');
    const r = ref('main', 'a');
    c.fill(r, c.begin());
    r.hash = 'changed';
    expect(c.get('main')?.hash).toBe('a');
    expect(Object.isFrozen(c.get('main'))).toBe(true);
  });
});
