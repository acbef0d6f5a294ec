/**
 * Data-file column statistics (manifest fields 109, 110, 137, 125, 128) computed from the rows
 * a file is written from, exactly, instead of decoded from the Parquet footer (parquet-wasm does
 * not expose footer statistics).
 *
 * The rules are Iceberg's (Java `MetricsConfig`, PyIceberg `compute_statistics_plan`):
 * - the mode per column comes from `write.metadata.metrics.column.<name>`, else
 *   `write.metadata.metrics.default`, else `truncate(16)`: `none` (no statistics), `counts`
 *   (value, null and NaN counts), `truncate(N)` (counts, and bounds with strings and binary cut
 *   to N), `full` (counts and whole bounds);
 * - counts follow Parquet's per-leaf definition: a leaf inside a list or map has one value per
 *   element, and one null for each null or empty list or map above it; a leaf under a null struct
 *   is null;
 * - bounds only for primitive leaves outside lists and maps, never NaN (NaN is counted in
 *   `nan_value_counts`, for float and double), with -0.0 before +0.0.
 */
import type { IcebergType, Schema } from '../iceberg/model.js';
import {
  compareBytes,
  hasSingleValueForm,
  toSingleValueBytes,
  truncateBinaryLower,
  truncateBinaryUpper,
  truncateStringLower,
  truncateStringUpper,
  type SingleValue,
} from '../iceberg/single-value.js';
import { parsePrimitive, type ParsedPrimitive } from '../iceberg/types.js';
import type { Row } from './arrow-build.js';

export type MetricsMode = { kind: 'none' } | { kind: 'counts' } | { kind: 'truncate'; length: number } | { kind: 'full' };

export const DEFAULT_METRICS_MODE: MetricsMode = { kind: 'truncate', length: 16 };

export interface ColumnStats {
  valueCounts: Map<number, bigint>;
  nullValueCounts: Map<number, bigint>;
  nanValueCounts: Map<number, bigint>;
  lowerBounds: Map<number, Uint8Array>;
  upperBounds: Map<number, Uint8Array>;
}

/** Parses a metrics mode as the table properties write it (`none`, `counts`, `full`, `truncate(16)`). */
export function parseMetricsMode(text: string): MetricsMode {
  const t = text.trim().toLowerCase();
  if (t === 'none' || t === 'counts' || t === 'full') return { kind: t };
  const m = /^truncate\((\d+)\)$/.exec(t);
  if (m && Number(m[1]) > 0) return { kind: 'truncate', length: Number(m[1]) };
  throw new Error(`Invalid metrics mode: ${text} (expected none, counts, truncate(N) or full)`);
}

interface Leaf {
  id: number;
  /** Java's column name: dotted, with `element`, `key` and `value` for list and map children. */
  name: string;
  type: ParsedPrimitive;
  mode: MetricsMode;
  bounds: boolean;
  valueCount: number;
  nullCount: number;
  nanCount: number;
  min: SingleValue | undefined;
  max: SingleValue | undefined;
}

type Visit = (value: unknown) => void;

/** What a part of a top-level primitive column adds to its statistics (columnar.ts keeps it while parsing). */
export interface ColumnSummary {
  valueCount: number;
  nullCount: number;
  nanCount: number;
  /** Least and greatest value other than null and NaN, in the value conventions of arrow-build.ts. */
  min: SingleValue | undefined;
  max: SingleValue | undefined;
}

/** Statistics of `rows` written under `schema`, with the modes the table's properties ask for. */
export function columnStats(schema: Schema, rows: readonly Row[], properties: Record<string, string> = {}): ColumnStats {
  const stats = new StatsAccumulator(schema, properties);
  stats.add(rows);
  return stats.result();
}

/**
 * Statistics gathered over rows given in parts (a file written from chunks of rows): the same
 * figures as `columnStats` over all of them at once.
 */
export class StatsAccumulator {
  private readonly leaves: Leaf[] = [];
  private readonly visits: (readonly [string, Visit])[];
  /** The leaf of each top-level field that is a primitive, by field index. */
  private readonly topLeaves: (Leaf | undefined)[] = [];
  private readonly compares = new Map<Leaf, (a: SingleValue, b: SingleValue) => number>();

  constructor(schema: Schema, properties: Record<string, string> = {}) {
    const fallback = properties['write.metadata.metrics.default'];
    const defaultMode = fallback === undefined ? DEFAULT_METRICS_MODE : parseMetricsMode(fallback);
    const leaves = this.leaves;
    const plan = (type: IcebergType, id: number, name: string, repeated: boolean): Visit => {
      if (typeof type === 'string') {
        const explicit = properties[`write.metadata.metrics.column.${name}`];
        const leaf: Leaf = {
          id,
          name,
          type: parsePrimitive(type),
          mode: explicit === undefined ? defaultMode : parseMetricsMode(explicit),
          bounds: false,
          valueCount: 0,
          nullCount: 0,
          nanCount: 0,
          min: undefined,
          max: undefined,
        };
        leaf.bounds = !repeated && (leaf.mode.kind === 'truncate' || leaf.mode.kind === 'full') && hasSingleValueForm(leaf.type);
        leaves.push(leaf);
        const floating = leaf.type.kind === 'float' || leaf.type.kind === 'double';
        const compare = comparatorOf(leaf.type);
        this.compares.set(leaf, compare);
        return (value) => {
          leaf.valueCount++;
          if (value === null || value === undefined) {
            leaf.nullCount++;
            return;
          }
          if (floating && Number.isNaN(value)) {
            leaf.nanCount++;
            return;
          }
          if (!leaf.bounds) return;
          const v = value as SingleValue;
          if (leaf.min === undefined || compare(v, leaf.min) < 0) leaf.min = v;
          if (leaf.max === undefined || compare(v, leaf.max) > 0) leaf.max = v;
        };
      }
      if (type.type === 'struct') {
        const children = type.fields.map((f) => [f.name, plan(f.type, f.id, `${name}.${f.name}`, repeated)] as const);
        return (value) => {
          for (const [field, visit] of children) visit(value === null || value === undefined ? null : (value as Row)[field]);
        };
      }
      if (type.type === 'list') {
        const element = plan(type.element, type.elementId, `${name}.element`, true);
        return (value) => {
          const items = value as unknown[] | null | undefined;
          if (!items || items.length === 0) element(null);
          else for (const item of items) element(item);
        };
      }
      const key = plan(type.key, type.keyId, `${name}.key`, true);
      const val = plan(type.value, type.valueId, `${name}.value`, true);
      return (value) => {
        const entries = value instanceof Map ? [...value.entries()] : (value as [unknown, unknown][] | null | undefined);
        if (!entries || entries.length === 0) {
          key(null);
          val(null);
        } else {
          for (const [k, v] of entries) {
            key(k);
            val(v);
          }
        }
      };
    };
    this.visits = schema.fields.map((f) => {
      const visit = plan(f.type, f.id, f.name, false);
      this.topLeaves.push(typeof f.type === 'string' ? leaves[leaves.length - 1] : undefined);
      return [f.name, visit] as const;
    });
  }

  /**
   * Rows given column by column (columnar.ts): per top-level field, a summary of a primitive
   * column, or the column's values to visit as `add` does.
   */
  addColumns(columns: readonly ({ summary: ColumnSummary } | { values: readonly unknown[] })[]): void {
    columns.forEach((column, i) => {
      if ('values' in column) {
        const visit = this.visits[i][1];
        for (const v of column.values) visit(v);
        return;
      }
      const leaf = this.topLeaves[i];
      if (!leaf) throw new Error(`Field ${this.visits[i][0]} is not a primitive column: it has no summary`);
      const { summary } = column;
      leaf.valueCount += summary.valueCount;
      leaf.nullCount += summary.nullCount;
      leaf.nanCount += summary.nanCount;
      if (!leaf.bounds) return;
      const compare = this.compares.get(leaf)!;
      if (summary.min !== undefined && (leaf.min === undefined || compare(summary.min, leaf.min) < 0)) leaf.min = summary.min;
      if (summary.max !== undefined && (leaf.max === undefined || compare(summary.max, leaf.max) > 0)) leaf.max = summary.max;
    });
  }

  add(rows: readonly Row[]): void {
    const visits = this.visits;
    for (const row of rows) for (const [name, visit] of visits) visit(row[name]);
  }

  result(): ColumnStats {
    const stats: ColumnStats = {
      valueCounts: new Map(),
      nullValueCounts: new Map(),
      nanValueCounts: new Map(),
      lowerBounds: new Map(),
      upperBounds: new Map(),
    };
    for (const leaf of this.leaves) {
      if (leaf.mode.kind === 'none') continue;
      stats.valueCounts.set(leaf.id, BigInt(leaf.valueCount));
      stats.nullValueCounts.set(leaf.id, BigInt(leaf.nullCount));
      if (leaf.type.kind === 'float' || leaf.type.kind === 'double') stats.nanValueCounts.set(leaf.id, BigInt(leaf.nanCount));
      if (leaf.min === undefined || leaf.max === undefined) continue;
      const [lower, upper] = boundsOf(leaf);
      stats.lowerBounds.set(leaf.id, lower);
      if (upper !== undefined) stats.upperBounds.set(leaf.id, upper);
    }
    return stats;
  }
}

function boundsOf(leaf: Leaf): [Uint8Array, Uint8Array | undefined] {
  const { type, mode } = leaf;
  let min = leaf.min!;
  let max: SingleValue | undefined = leaf.max!;
  if (mode.kind === 'truncate') {
    if (type.kind === 'string') {
      min = truncateStringLower(min as string, mode.length);
      max = truncateStringUpper(max as string, mode.length);
    } else if (type.kind === 'binary') {
      min = truncateBinaryLower(min as Uint8Array, mode.length);
      max = truncateBinaryUpper(max as Uint8Array, mode.length);
    }
  }
  return [toSingleValueBytes(type, min), max === undefined ? undefined : toSingleValueBytes(type, max)];
}

/** Iceberg's order of a primitive type's values, as this module's value types hold them. */
function comparatorOf(type: ParsedPrimitive): (a: SingleValue, b: SingleValue) => number {
  switch (type.kind) {
    case 'float':
    case 'double':
      return (a, b) => {
        const x = a as number;
        const y = b as number;
        if (x !== y) return x < y ? -1 : 1;
        if (x === 0) return (Object.is(x, -0) ? 0 : 1) - (Object.is(y, -0) ? 0 : 1);
        return 0;
      };
    case 'string':
      return (a, b) => compareCodePoints(a as string, b as string);
    case 'uuid':
      return (a, b) => {
        const x = (a as string).toLowerCase();
        const y = (b as string).toLowerCase();
        return x < y ? -1 : x > y ? 1 : 0;
      };
    case 'fixed':
    case 'binary':
      return (a, b) => compareBytes(a as Uint8Array, b as Uint8Array);
    case 'boolean':
      return (a, b) => Number(a) - Number(b);
    default:
      // int, date (number); long, time, timestamps, decimal (bigint); mixed number/bigint compares right too.
      return (a, b) => ((a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0);
  }
}

/** Orders strings by code point (= by UTF-8 bytes), not by UTF-16 unit as `<` does. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return rank(x) - rank(y);
  }
  return a.length - b.length;
}

/** Surrogates (U+D800..DFFF, the halves of code points above U+FFFF) sort after U+E000..FFFF. */
function rank(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
  if (unit >= 0xe000) return unit - 0x800;
  return unit;
}
