/**
 * Iceberg values (as head.ts reads them) in the spec's JSON single-value forms, for people and
 * scripts: dates `2024-02-29`, times `13:14:15.123456`, timestamps `2024-02-29T13:14:15.123456`
 * (`+00:00` for timestamptz; nine fraction digits for the `_ns` types), decimals as text with
 * their scale, binary and fixed as hex, longs exact; structs as objects, lists as arrays, maps as
 * objects when their keys are strings, else as [key, value] pairs.
 */
import type { IcebergType } from '../iceberg/model.js';
import { formatDecimal } from '../iceberg/human-strings.js';
import { civilFromDays } from '../iceberg/transforms.js';
import { parsePrimitive } from '../iceberg/types.js';

export type JsonLike = null | boolean | number | bigint | string | JsonLike[] | { [k: string]: JsonLike };

export function valueToJson(type: IcebergType, value: unknown): JsonLike {
  if (value === null || value === undefined) return null;
  if (typeof type !== 'string') {
    if (type.type === 'struct') {
      const o = value as Record<string, unknown>;
      return Object.fromEntries(type.fields.map((f) => [f.name, valueToJson(f.type, o[f.name])]));
    }
    if (type.type === 'list') return (value as unknown[]).map((v) => valueToJson(type.element, v));
    const entries: [unknown, unknown][] =
      value instanceof Map ? [...value.entries()] : Array.isArray(value) ? (value as [unknown, unknown][]) : Object.entries(value as object);
    if (type.key === 'string') return Object.fromEntries(entries.map(([k, v]) => [String(k), valueToJson(type.value, v)]));
    return entries.map(([k, v]) => [valueToJson(type.key, k), valueToJson(type.value, v)]);
  }
  const p = parsePrimitive(type);
  switch (p.kind) {
    case 'float':
    case 'double':
      return Number.isFinite(value as number) ? (value as number) : String(value);
    case 'long':
      return BigInt(value as bigint);
    case 'decimal':
      return formatDecimal(BigInt(value as bigint), p.scale);
    case 'date':
      return dateText(Number(value));
    case 'time':
      return timeText(BigInt(value as bigint), 6);
    case 'timestamp':
    case 'timestamptz':
    case 'timestamp_ns':
    case 'timestamptz_ns': {
      const digits = p.kind.endsWith('_ns') ? 9 : 6;
      const unit = 86_400n * 10n ** BigInt(digits);
      const v = BigInt(value as bigint);
      const days = v >= 0n ? v / unit : -((-v + unit - 1n) / unit);
      const text = `${dateText(Number(days))}T${timeText(v - days * unit, digits)}`;
      return p.kind.startsWith('timestamptz') ? `${text}+00:00` : text;
    }
    case 'binary':
    case 'fixed':
      return Buffer.from(value as Uint8Array).toString('hex');
    default:
      return value as JsonLike;
  }
}

function dateText(days: number): string {
  const { year, month, day } = civilFromDays(days);
  const y = year < 0 ? `-${String(-year).padStart(4, '0')}` : String(year).padStart(4, '0');
  return `${y}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function timeText(units: bigint, digits: number): string {
  const scale = 10n ** BigInt(digits);
  const seconds = units / scale;
  const fraction = units % scale;
  const hh = seconds / 3600n;
  const mm = (seconds / 60n) % 60n;
  const ss = seconds % 60n;
  const pad = (n: bigint) => String(n).padStart(2, '0');
  return `${pad(hh)}:${pad(mm)}:${pad(ss)}.${String(fraction).padStart(digits, '0')}`;
}
