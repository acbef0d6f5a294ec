import { monitorEventLoopDelay } from 'node:perf_hooks';

/** A small Prometheus registry: counters and a latency histogram, text exposition format. */
export class Metrics {
  private readonly counters = new Map<string, number>();
  private readonly histograms = new Map<string, { buckets: number[]; sum: number; count: number }>();
  static readonly BUCKETS_SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

  inc(name: string, labels: Record<string, string> = {}, by = 1): void {
    const k = seriesKey(name, labels);
    this.counters.set(k, (this.counters.get(k) ?? 0) + by);
  }

  observe(name: string, labels: Record<string, string>, seconds: number): void {
    const k = seriesKey(name, labels);
    let h = this.histograms.get(k);
    if (!h) {
      h = { buckets: Metrics.BUCKETS_SECONDS.map(() => 0), sum: 0, count: 0 };
      this.histograms.set(k, h);
    }
    for (let i = 0; i < Metrics.BUCKETS_SECONDS.length; i++) if (seconds <= Metrics.BUCKETS_SECONDS[i]) h.buckets[i]++;
    h.sum += seconds;
    h.count++;
  }

  counter(name: string, labels: Record<string, string> = {}): number {
    return this.counters.get(seriesKey(name, labels)) ?? 0;
  }

  render(): string {
    const lines: string[] = [];
    const typed = new Set<string>();
    for (const [k, v] of [...this.counters].sort()) {
      const name = k.split('{')[0];
      if (!typed.has(name)) lines.push(`# TYPE ${name} counter`), typed.add(name);
      lines.push(`${k} ${v}`);
    }
    for (const [k, h] of [...this.histograms].sort()) {
      const brace = k.indexOf('{');
      const name = brace < 0 ? k : k.slice(0, brace);
      const labels = brace < 0 ? '' : k.slice(brace + 1, -1);
      if (!typed.has(name)) lines.push(`# TYPE ${name} histogram`), typed.add(name);
      const sep = labels ? `${labels},` : '';
      Metrics.BUCKETS_SECONDS.forEach((b, i) => lines.push(`${name}_bucket{${sep}le="${b}"} ${h.buckets[i]}`));
      lines.push(`${name}_bucket{${sep}le="+Inf"} ${h.count}`);
      lines.push(`${name}_sum${labels ? `{${labels}}` : ''} ${h.sum}`);
      lines.push(`${name}_count${labels ? `{${labels}}` : ''} ${h.count}`);
    }
    lines.push(...processGauges());
    return lines.join('\n') + '\n';
  }
}

// Event-loop delay, sampled every 20 ms from the first scrape on; each scrape reports the
// delays since the previous one (as prom-client does), so a stall shows in the next sample.
let loopDelay: ReturnType<typeof monitorEventLoopDelay> | undefined;

function eventLoopGauges(): [string, number][] {
  if (!loopDelay) {
    loopDelay = monitorEventLoopDelay({ resolution: 20 });
    loopDelay.enable();
    return [];
  }
  const h = loopDelay;
  const seconds = (ns: number) => (Number.isFinite(ns) ? ns / 1e9 : 0);
  const gauges: [string, number][] = [
    ['nodejs_eventloop_lag_mean_seconds', seconds(h.mean)],
    ['nodejs_eventloop_lag_p99_seconds', seconds(h.percentile(99))],
    ['nodejs_eventloop_lag_max_seconds', seconds(h.max)],
  ];
  h.reset();
  return gauges;
}

/** Memory and event-loop delay of this process, under the names Prometheus' Node.js clients use. */
function processGauges(): string[] {
  const m = process.memoryUsage();
  const gauges: [string, number][] = [
    ['process_resident_memory_bytes', m.rss],
    ['nodejs_heap_size_total_bytes', m.heapTotal],
    ['nodejs_heap_size_used_bytes', m.heapUsed],
    ['nodejs_external_memory_bytes', m.external],
    ['nodejs_array_buffers_bytes', m.arrayBuffers],
    ...eventLoopGauges(),
  ];
  return gauges.flatMap(([name, value]) => [`# TYPE ${name} gauge`, `${name} ${value}`]);
}

function seriesKey(name: string, labels: Record<string, string>): string {
  const parts = Object.keys(labels)
    .sort()
    .map((l) => `${l}="${labels[l].replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
  return parts.length ? `${name}{${parts.join(',')}}` : name;
}
