import { describe, expect, it } from 'vitest';
import { markdownTable, ratio, rows, type Outcome } from './report.js';
import type { SystemId } from './systems.js';

const higher = { key: 'load-16', label: 'load', better: 'higher' as const };
const lower = { key: 'merge', label: 'merge', better: 'lower' as const };
const cell = (value: number): Outcome => ({ value, text: String(value) });

describe('ratio', () => {
  it('divides by the best peer for throughput', () => {
    expect(ratio(higher, cell(300), [cell(100), cell(50)])).toBe(3);
  });

  it('inverts for times so that above 1 means lakecat is faster', () => {
    expect(ratio(lower, cell(20), [cell(100), cell(40)])).toBe(2);
    expect(ratio(lower, cell(80), [cell(40)])).toBe(0.5);
  });

  it('ignores peers that failed or were skipped, and has no ratio without any', () => {
    expect(ratio(higher, cell(10), [{ error: 'x' }, cell(5), { skipped: 'y' }])).toBe(2);
    expect(ratio(higher, cell(10), [{ error: 'x' }, undefined])).toBeUndefined();
    expect(ratio(higher, { error: 'down' }, [cell(5)])).toBeUndefined();
  });
});

describe('markdownTable', () => {
  it('puts one column per system, ratio columns for lakecat, and leaves out empty rows', () => {
    const systems: SystemId[] = ['lakecat-pg', 'nessie-inmem', 'reference'];
    const results = new Map<SystemId, Map<string, Outcome>>([
      ['lakecat-pg', new Map([['load-16', cell(400)], ['merge', cell(10)]])],
      ['nessie-inmem', new Map([['load-16', cell(100)], ['merge', cell(50)]])],
      ['reference', new Map<string, Outcome>([['load-16', { error: 'a | b' }]])],
    ]);
    const md = markdownTable(rows(10_000, 1_000), systems, results).split('\n');
    expect(md[0]).toBe('| operation | lakecat-pg | nessie-inmem | reference | lakecat-pg / best peer |');
    const load = md.find((l) => l.startsWith('| loadTable, 100 snapshots, 16 clients'))!;
    expect(load).toContain('| 4.00× |');
    expect(load).toContain('error: a \\| b');
    expect(md.find((l) => l.startsWith('| merge a branch that changed 1,000 tables'))).toContain('| 5.00× |');
    expect(md.some((l) => l.startsWith('| start-up'))).toBe(false);
  });
});
