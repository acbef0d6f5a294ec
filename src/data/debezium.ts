/**
 * Debezium change events (the JSON envelope of the PostgreSQL connector and its kin) for
 * `lakecat cdc apply` (cdc.ts): reading them from NDJSON or a JSON array, with or without the
 * `{schema, payload}` wrapper, and collapsing a batch into its net effect per primary key, in
 * source order.
 *
 * Envelope: `op` is `c` (insert), `u` (update), `d` (delete), `r` (snapshot read) or `t`
 * (truncate); `before` / `after` hold the row (`before` needs REPLICA IDENTITY FULL for more than
 * the key); `source` says where the change was read (`lsn`, and `sequence`, a JSON array text
 * `["<last commit lsn>", "<lsn>"]`). Kafka tombstones (a `null` value after a delete) are skipped.
 * Numbers are read losslessly: 64-bit keys and LSNs keep every digit.
 */
import { parseJson, stringifyJson } from '../iceberg/json.js';
import { InputError } from './inputs.js';

export type Op = 'c' | 'u' | 'd' | 'r' | 't';

export interface ChangeEvent {
  op: Op;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  /** The event's place in the source's order (compared element by element), when the source gives one. */
  position: bigint[] | undefined;
  /** `file:line` of the event. */
  where: string;
  /** The source table as `name/db.schema.table` from `source` (connector name, database, schema, table), when given. */
  source?: string;
}

export interface NetChange {
  /** A truncate came first in the batch's effect: every row that was there before is gone. */
  truncated: boolean;
  /** Keys whose rows are removed (and not written again). */
  deletes: Map<string, unknown[]>;
  /** Keys whose rows end as these values (inserts and updates). */
  upserts: Map<string, { key: unknown[]; row: Record<string, unknown> }>;
  /** The greatest source position applied (for exactly-once bookkeeping). */
  lastPosition: bigint[] | undefined;
}

const OPS = new Set(['c', 'u', 'd', 'r', 't']);

/** Events of one file, NDJSON (one envelope per line) or a JSON array of envelopes. */
export function readDebeziumEvents(file: string, text: string): ChangeEvent[] {
  const trimmed = text.trimStart();
  const values: [unknown, string][] = [];
  if (trimmed.startsWith('[')) {
    let all: unknown;
    try {
      all = parseJson(text);
    } catch (err) {
      throw new InputError(`${file}: invalid JSON: ${(err as Error).message}`);
    }
    (all as unknown[]).forEach((v, i) => values.push([v, `${file}:event ${i + 1}`]));
  } else {
    text.split('\n').forEach((line, i) => {
      if (line.trim() === '') return;
      try {
        values.push([parseJson(line), `${file}:${i + 1}`]);
      } catch (err) {
        throw new InputError(`${file}:${i + 1}: invalid JSON: ${(err as Error).message}`);
      }
    });
  }
  const events: ChangeEvent[] = [];
  for (const [value, where] of values) {
    if (value === null) continue; // a Kafka tombstone
    const envelope = unwrap(value, where);
    const op = envelope.op;
    if (typeof op !== 'string' || !OPS.has(op)) {
      throw new InputError(`${where}: unknown Debezium op ${JSON.stringify(op)} (expected c, u, d, r or t)`);
    }
    const before = rowOrNull(envelope.before, 'before', where);
    const after = rowOrNull(envelope.after, 'after', where);
    if ((op === 'c' || op === 'r' || op === 'u') && !after) throw new InputError(`${where}: a '${op}' event needs an 'after' row`);
    if (op === 'd' && !before) throw new InputError(`${where}: a 'd' event needs a 'before' row (at least its key)`);
    events.push({ op: op as Op, before, after, position: positionOf(envelope.source, where), where, source: sourceOf(envelope.source) });
  }
  return events;
}

function unwrap(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InputError(`${where}: expected a Debezium change event (a JSON object)`);
  const o = value as Record<string, unknown>;
  // The JSON converter with schemas enabled wraps the envelope: {schema, payload}.
  if ('payload' in o && typeof o.payload === 'object' && o.payload !== null && !('op' in o)) return o.payload as Record<string, unknown>;
  return o;
}

function rowOrNull(v: unknown, what: string, where: string): Record<string, unknown> | null {
  if (v === null || v === undefined) return null;
  if (typeof v !== 'object' || Array.isArray(v)) throw new InputError(`${where}: '${what}' must be an object or null`);
  return v as Record<string, unknown>;
}

/** `source.sequence` (`["<commit lsn>", "<lsn>"]`) when present, else `source.lsn`; undefined when neither. */
function positionOf(source: unknown, where: string): bigint[] | undefined {
  if (typeof source !== 'object' || source === null) return undefined;
  const s = source as Record<string, unknown>;
  const toBig = (v: unknown): bigint | undefined => {
    if (typeof v === 'bigint') return v;
    if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
    if (typeof v === 'string' && /^\d+$/.test(v)) return BigInt(v);
    return undefined;
  };
  if (typeof s.sequence === 'string') {
    let parts: unknown;
    try {
      parts = JSON.parse(s.sequence);
    } catch {
      throw new InputError(`${where}: source.sequence is not a JSON array: ${s.sequence}`);
    }
    if (Array.isArray(parts)) {
      const nums = parts.map((p) => (p === null ? 0n : toBig(p)));
      if (nums.every((n): n is bigint => n !== undefined)) return nums;
    }
    throw new InputError(`${where}: source.sequence holds no positions: ${s.sequence}`);
  }
  const lsn = toBig(s.lsn);
  return lsn === undefined ? undefined : [lsn];
}

function sourceOf(source: unknown): string | undefined {
  if (typeof source !== 'object' || source === null) return undefined;
  const s = source as Record<string, unknown>;
  const parts = [s.db, s.schema, s.table].filter((p): p is string => typeof p === 'string' && p !== '');
  if (parts.length === 0) return undefined;
  return `${typeof s.name === 'string' && s.name !== '' ? `${s.name}/` : ''}${parts.join('.')}`;
}

export function comparePositions(a: bigint[], b: bigint[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? -1n;
    const y = b[i] ?? -1n;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/**
 * The net effect of `events` on rows keyed by `keyColumns`: events sorted by source position
 * (stable, so events without one keep file order), then applied in turn. An update that changes
 * the key removes the old key and writes the new one; a truncate forgets what came before it in
 * the batch and removes every earlier row.
 */
export function netChange(events: ChangeEvent[], keyColumns: string[], keyTextOf: (key: unknown[]) => string = stringifyJson): NetChange {
  const ordered = events
    .map((e, i) => ({ e, i }))
    .sort((a, b) => (a.e.position && b.e.position ? comparePositions(a.e.position, b.e.position) || a.i - b.i : a.i - b.i))
    .map(({ e }) => e);
  const out: NetChange = { truncated: false, deletes: new Map(), upserts: new Map(), lastPosition: undefined };
  const keyOf = (row: Record<string, unknown>, e: ChangeEvent): unknown[] =>
    keyColumns.map((c) => {
      const v = row[c];
      if (v === undefined || v === null) throw new InputError(`${e.where}: the event has no value for key column ${c}`);
      return v;
    });
  const text = keyTextOf;
  for (const e of ordered) {
    if (e.position && (!out.lastPosition || comparePositions(e.position, out.lastPosition) > 0)) out.lastPosition = e.position;
    if (e.op === 't') {
      out.truncated = true;
      out.deletes.clear();
      out.upserts.clear();
      continue;
    }
    if (e.op === 'd') {
      const key = keyOf(e.before!, e);
      out.upserts.delete(text(key));
      out.deletes.set(text(key), key);
      continue;
    }
    const key = keyOf(e.after!, e);
    if (e.op === 'u' && e.before) {
      const old = keyOf(e.before, e);
      if (text(old) !== text(key)) {
        out.upserts.delete(text(old));
        out.deletes.set(text(old), old);
      }
    }
    // An insert or update replaces whatever the key held, in the table or earlier in the batch.
    out.deletes.set(text(key), key);
    out.upserts.set(text(key), { key, row: e.after! });
  }
  return out;
}
