import { describe, expect, it } from 'vitest';
import { compareKeys } from '../../catalog/index.js';
import { checkKey, keyFromPathString, keyToPathString } from './content-key.js';
import { matchTreePath } from './tree-path.js';

const H = '1122334455667788112233445566778811223344556677881122334455667788';

describe('content keys in paths', () => {
  it('decodes the plain form with U+001D for dots inside elements', () => {
    expect(keyFromPathString('a.b.c')).toEqual(['a', 'b', 'c']);
    expect(keyFromPathString('a\u001db.c')).toEqual(['a.b', 'c']);
    expect(keyToPathString(['a.b', 'c'])).toBe('a\u001db.c');
  });

  it('decodes the escaped form of Nessie spec 2.2 clients', () => {
    expect(keyFromPathString('.a*.b.c*{d*}e*[f**')).toEqual(['a.b', 'c/d\\e%f*']);
    expect(() => keyFromPathString('.a*x')).toThrow(/Illegal escape/);
  });

  it('validates and orders keys like Nessie', () => {
    expect(() => checkKey([])).toThrow(/at least one element/);
    expect(() => checkKey(['a', ''])).toThrow(/empty element/);
    expect(() => checkKey(['a\u0001'])).toThrow(/control characters/);
    expect(() => checkKey(Array.from({ length: 21 }, () => 'x'))).toThrow(/max allowed number of elements/);
    expect(compareKeys(['a'], ['a', 'b'])).toBeLessThan(0);
    expect(compareKeys(['a', 'c'], ['a', 'b'])).toBeGreaterThan(0);
    expect(compareKeys(['a', 'b'], ['a', 'b'])).toBe(0);
  });
});

describe('tree paths', () => {
  it('matches references with slashes the way JAX-RS matches Nessie paths', () => {
    expect(matchTreePath('main')).toEqual({ kind: 'ref', ref: 'main' });
    expect(matchTreePath('feature/x@')).toEqual({ kind: 'ref', ref: 'feature/x@' });
    expect(matchTreePath(`feature/x@${H}/history/commit`)).toEqual({ kind: 'commit', ref: `feature/x@${H}` });
    expect(matchTreePath('feature%2Fx/entries')).toEqual({ kind: 'entries', ref: 'feature/x' });
    expect(matchTreePath('main/contents/a.b%1Dc')).toEqual({ kind: 'content', ref: 'main', key: 'a.b\u001dc' });
    expect(matchTreePath('main/diff/feature/x@')).toEqual({ kind: 'diff', from: 'main', to: 'feature/x@' });
    expect(matchTreePath(`main%40${H}/history`)).toEqual({ kind: 'history', ref: `main@${H}` });
    expect(matchTreePath('main/unknown')).toBeUndefined();
  });
});
