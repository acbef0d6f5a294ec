import { describe, expect, it } from 'vitest';
import { comparePositions, netChange, readDebeziumEvents } from './debezium.js';

const ev = (op: string, before: object | null, after: object | null, lsn?: number, seq?: string) =>
  JSON.stringify({ payload: { op, before, after, source: { connector: 'postgresql', lsn, ...(seq ? { sequence: seq } : {}) }, ts_ms: 1 }, schema: {} });

describe('Debezium change events', () => {
  it('reads NDJSON with or without the schema wrapper, skipping tombstones', () => {
    const text = [ev('c', null, { id: 1, name: 'a' }, 10), 'null', JSON.stringify({ op: 'd', before: { id: 1 }, after: null, source: { lsn: 11 } }), ''].join('\n');
    const events = readDebeziumEvents('s.ndjson', text);
    expect(events.map((e) => [e.op, e.position, e.where])).toEqual([
      ['c', [10n], 's.ndjson:1'],
      ['d', [11n], 's.ndjson:3'],
    ]);
  });

  it('refuses an unknown op, and events without the row they need, naming the place', () => {
    expect(() => readDebeziumEvents('x.ndjson', `${ev('c', null, { id: 1 })}\n${JSON.stringify({ op: 'x', after: {} })}\n`)).toThrow(
      'x.ndjson:2: unknown Debezium op "x" (expected c, u, d, r or t)',
    );
    expect(() => readDebeziumEvents('y.json', JSON.stringify([{ op: 'u', before: null, after: null }]))).toThrow("y.json:event 1: a 'u' event needs an 'after' row");
    expect(() => readDebeziumEvents('z.ndjson', '{"op": "c", "after": {"id": 1}, "source": {"sequence": "nope"}}\n')).toThrow(/^z\.ndjson:1: source\.sequence is not a JSON array/);
  });

  it('collapses a batch per key in source order: inserts, updates, deletes, a key change, a truncate', () => {
    const text = [
      ev('u', { id: 2, name: 'b' }, { id: 2, name: 'b2' }, 0, '["100","105"]'),
      ev('c', null, { id: 1, name: 'a' }, 0, '["100","101"]'),
      ev('c', null, { id: 2, name: 'b' }, 0, '["100","102"]'),
      ev('u', { id: 1, name: 'a' }, { id: 3, name: 'a' }, 0, '["100","106"]'),
      ev('c', null, { id: 4, name: 'd' }, 0, '["100","107"]'),
      ev('d', { id: 4 }, null, 0, '["100","108"]'),
    ].join('\n');
    const net = netChange(readDebeziumEvents('s.ndjson', text), ['id']);
    expect(net.truncated).toBe(false);
    expect([...net.upserts.values()].map((u) => u.row)).toEqual([{ id: 2, name: 'b2' }, { id: 3, name: 'a' }]);
    expect([...net.deletes.values()].sort()).toEqual([[1], [2], [3], [4]]);
    expect(net.lastPosition).toEqual([100n, 108n]);
    const truncated = netChange(readDebeziumEvents('t.ndjson', `${ev('c', null, { id: 9 }, 1)}\n${ev('t', null, null, 2)}\n${ev('c', null, { id: 10 }, 3)}\n`), ['id']);
    expect(truncated.truncated).toBe(true);
    expect([...truncated.upserts.keys()]).toEqual(['[10]']);
  });

  it('keeps 64-bit keys and positions exact', () => {
    const [e] = readDebeziumEvents('b.ndjson', '{"op": "c", "after": {"id": 9007199254740993}, "source": {"lsn": 18446744073709551615}}\n');
    expect(e.after).toEqual({ id: 9_007_199_254_740_993n });
    expect(e.position).toEqual([18_446_744_073_709_551_615n]);
    expect([...netChange([e], ['id']).upserts.keys()]).toEqual(['[9007199254740993]']);
  });

  it('needs every key column in every event', () => {
    expect(() => netChange(readDebeziumEvents('k.ndjson', `${ev('c', null, { name: 'no id' }, 1)}\n`), ['id'])).toThrow('k.ndjson:1: the event has no value for key column id');
  });

  it('orders positions element by element', () => {
    expect(comparePositions([1n, 5n], [1n, 6n])).toBe(-1);
    expect(comparePositions([2n], [1n, 9n])).toBe(1);
    expect(comparePositions([1n, 2n], [1n, 2n])).toBe(0);
  });
});
