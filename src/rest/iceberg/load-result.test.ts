import { describe, expect, it } from 'vitest';
import { ifNoneMatchHits, LoadResultCache } from './load-result.js';

const decode = (b: Uint8Array) => Buffer.from(b).toString('utf8');

describe('LoadTableResult cache', () => {
  it('builds a body once per version and mode and serves the same bytes after', () => {
    const cache = new LoadResultCache('{"k":"v"}');
    let renders = 0;
    const render = (t: string) => (renders++, t);
    const a = cache.get('all', 's3://b/t/00001-x.metadata.json', '{"format-version":2}', render);
    const b = cache.get('all', 's3://b/t/00001-x.metadata.json', '{"format-version":2}', render);
    expect(renders).toBe(1);
    expect(b).toBe(a);
    expect(decode(a.body)).toBe('{"metadata-location":"s3://b/t/00001-x.metadata.json","metadata":{"format-version":2},"config":{"k":"v"}}');
    const refs = cache.get('refs', 's3://b/t/00001-x.metadata.json', '{"format-version":2}', () => '{"refs":1}');
    expect(refs.etag).not.toBe(a.etag);
    expect(decode(refs.body)).toContain('"metadata":{"refs":1}');
  });

  it('rebuilds when the same location comes with other metadata text', () => {
    const cache = new LoadResultCache('{}');
    const a = cache.get('all', 'loc', '{"v":1}', (t) => t);
    const b = cache.get('all', 'loc', '{"v":2}', (t) => t);
    expect(decode(b.body)).toContain('{"v":2}');
    expect(b.etag).toBe(a.etag); // same location, same version as far as clients can tell
  });

  it('stays within its byte budget', () => {
    const cache = new LoadResultCache('{}', 10_000);
    const text = `{"x":"${'y'.repeat(2000)}"}`;
    for (let i = 0; i < 20; i++) cache.get('all', `loc${i}`, text, (t) => t);
    expect(cache.size).toBeGreaterThan(0);
    expect(cache.size).toBeLessThanOrEqual(2);
  });

  it('gives different ETags for different storage configs', () => {
    expect(new LoadResultCache('{"a":"1"}').etag('all', 'loc')).not.toBe(new LoadResultCache('{"a":"2"}').etag('all', 'loc'));
  });

  it('reads If-None-Match as RFC 9110 does for GET: lists, weak comparison, *', () => {
    expect(ifNoneMatchHits(undefined, 'W/"a"')).toBe(false);
    expect(ifNoneMatchHits('W/"a"', 'W/"a"')).toBe(true);
    expect(ifNoneMatchHits('"a"', 'W/"a"')).toBe(true);
    expect(ifNoneMatchHits('"b" , W/"a"', 'W/"a"')).toBe(true);
    expect(ifNoneMatchHits('*', 'W/"a"')).toBe(true);
    expect(ifNoneMatchHits('"b"', 'W/"a"')).toBe(false);
  });
});
