import { describe, expect, it } from 'vitest';
import { drive, percentile, summarize } from './stats.js';

describe('percentile', () => {
  it('uses the nearest rank', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile(sorted, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([1, 2, 3], 0)).toBe(1);
  });

  it('is NaN without samples', () => {
    expect(percentile([], 50)).toBeNaN();
  });
});

describe('summarize', () => {
  it('sorts latencies and derives the rate from successes only', () => {
    const r = summarize([30, 10, 20, 40], 2, 2, 'boom');
    expect(r).toMatchObject({ ok: 4, errors: 2, rate: 2, p50Ms: 20, p99Ms: 40, firstError: 'boom' });
  });
});

describe('drive', () => {
  it('runs the requested number of workers and stops at maxOps', async () => {
    const seen = new Set<number>();
    let calls = 0;
    const r = await drive({ concurrency: 3, seconds: 10, maxOps: 30 }, async (w) => {
      seen.add(w);
      calls++;
      await new Promise((res) => setTimeout(res, 1));
    });
    expect(calls).toBe(30);
    expect(r.ok).toBe(30);
    expect([...seen].sort()).toEqual([0, 1, 2]);
  });

  it('counts failures apart from successes and keeps the first message', async () => {
    const r = await drive({ concurrency: 1, seconds: 10, maxOps: 4 }, async (_w, n) => {
      if (n % 2 === 1) throw new Error(`fail ${n}`);
    });
    expect(r.ok).toBe(2);
    expect(r.errors).toBe(2);
    expect(r.firstError).toBe('fail 1');
  });

  it('stops starting operations when the time is up', async () => {
    const t0 = performance.now();
    const r = await drive({ concurrency: 2, seconds: 0.1 }, () => new Promise((res) => setTimeout(res, 10)));
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(r.ok).toBeGreaterThan(2);
    expect(r.seconds).toBeGreaterThanOrEqual(0.1);
  });
});
