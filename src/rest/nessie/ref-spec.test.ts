import { describe, expect, it } from 'vitest';
import { checkKey, compareKeys, keyFromPathString, keyToPathString } from './content-key.js';
import { NessieHttpError } from './errors.js';
import { checkNewRefName, parseHashSpec, parseRefPath } from './ref-spec.js';
import { matchTreePath } from './tree-path.js';

const H = '1122334455667788112233445566778811223344556677881122334455667788';

describe('reference syntax in paths', () => {
  it('parses names, hashes, detached commits and the default branch', () => {
    expect(parseRefPath('main', 'main')).toEqual({ name: 'main', hash: undefined, relative: [] });
    expect(parseRefPath(`dev@${H}`, 'main')).toEqual({ name: 'dev', hash: H, relative: [] });
    expect(parseRefPath(`@${H}`, 'main')).toEqual({ name: undefined, hash: H, relative: [] });
    expect(parseRefPath('-', 'trunk')).toEqual({ name: 'trunk', hash: undefined, relative: [] });
    expect(parseRefPath('feature/x@', 'main')).toEqual({ name: 'feature/x', hash: undefined, relative: [] });
    expect(parseRefPath('ABCDEF12@ABCDEF12', 'main').hash).toBe('abcdef12');
  });

  it('parses relative parts: ~N, ^N and *timestamp in millis or ISO-8601', () => {
    expect(parseRefPath('main~10', 'main').relative).toEqual([{ kind: 'ancestor', n: 10 }]);
    expect(parseRefPath(`main@${H}^2`, 'main').relative).toEqual([{ kind: 'parent', n: 2 }]);
    expect(parseRefPath('main*1685185847230', 'main').relative).toEqual([{ kind: 'time', ms: 1685185847230 }]);
    expect(parseRefPath('*2021-04-07T14:42:25.534Z', 'main')).toEqual({
      name: 'main',
      hash: undefined,
      relative: [{ kind: 'time', ms: Date.parse('2021-04-07T14:42:25.534Z') }],
    });
    expect(parseRefPath(`@${H}~1^1`, 'main').relative).toEqual([
      { kind: 'ancestor', n: 1 },
      { kind: 'parent', n: 1 },
    ]);
  });

  it('rejects malformed references as bad requests', () => {
    for (const bad of ['', 'a..b', 'main@xyz', 'main@1234', 'main/', '1abc', 'main~', 'main*yesterday']) {
      expect(() => parseRefPath(bad, 'main'), bad).toThrow(NessieHttpError);
    }
  });

  it('parses hash specs of merge and transplant bodies', () => {
    expect(parseHashSpec(`${H}~2`, 'Source hash')).toEqual({ hash: H, relative: [{ kind: 'ancestor', n: 2 }] });
    expect(() => parseHashSpec('main', 'Source hash')).toThrow(/Source hash must consist/);
  });

  it('forbids new reference names that Nessie forbids', () => {
    expect(checkNewRefName('release/2024.1')).toBe('release/2024.1');
    expect(() => checkNewRefName('HEAD')).toThrow(/must not be HEAD/);
    expect(() => checkNewRefName('deadbeef')).toThrow(/commit ID/);
    expect(() => checkNewRefName('-')).toThrow(/Reference name must/);
    expect(() => checkNewRefName(undefined)).toThrow(/Reference name must/);
  });
});

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
