/** Latency statistics and the closed-loop driver every timed workload uses. */

/** Nearest-rank percentile of a sorted array (p in 0..100); NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export interface PhaseResult {
  /** Operations that succeeded. */
  ok: number;
  /** Operations that threw (not counted in latencies). */
  errors: number;
  seconds: number;
  /** Successful operations per second. */
  rate: number;
  p50Ms: number;
  p99Ms: number;
  firstError?: string;
}

export function summarize(latenciesMs: number[], errors: number, seconds: number, firstError?: string): PhaseResult {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  return {
    ok: sorted.length,
    errors,
    seconds,
    rate: seconds > 0 ? sorted.length / seconds : 0,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    firstError,
  };
}

export interface DriveOptions {
  concurrency: number;
  /** Stop starting new operations after this long. */
  seconds: number;
  /** Stop after this many started operations in total (optional). */
  maxOps?: number;
}

/**
 * Closed loop: `concurrency` workers each run `op(worker, n)` back to back until the time or
 * operation budget is spent. `n` counts the worker's own operations.
 */
export async function drive(opts: DriveOptions, op: (worker: number, n: number) => Promise<unknown>): Promise<PhaseResult> {
  const latencies: number[] = [];
  let errors = 0;
  let started = 0;
  let firstError: string | undefined;
  const t0 = performance.now();
  const deadline = t0 + opts.seconds * 1000;
  const worker = async (w: number) => {
    for (let n = 0; performance.now() < deadline && (opts.maxOps === undefined || started < opts.maxOps); n++) {
      started++;
      const s = performance.now();
      try {
        await op(w, n);
        latencies.push(performance.now() - s);
      } catch (e) {
        errors++;
        firstError ??= e instanceof Error ? e.message : String(e);
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, (_, w) => worker(w)));
  return summarize(latencies, errors, (performance.now() - t0) / 1000, firstError);
}

/** Wall-clock milliseconds of one async call. */
export async function timeMs(f: () => Promise<unknown>): Promise<number> {
  const s = performance.now();
  await f();
  return performance.now() - s;
}
