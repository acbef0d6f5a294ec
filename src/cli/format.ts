/**
 * Human-readable output: aligned text tables, short hashes, content keys and times. `--json`
 * output goes through `jsonOutput` so 63-bit ids print digit for digit.
 */
import { stringifyJson } from '../iceberg/json.js';

/** Hash digits shown in tables; like Git's short hashes, long enough to be unambiguous in practice. */
export const SHORT_HASH_LENGTH = 12;

export function shortHash(hash: string | undefined | null): string {
  if (!hash) return '-';
  return hash.slice(0, SHORT_HASH_LENGTH);
}

/**
 * Columns padded to their widest cell, separated by two spaces; the last column is not padded so
 * lines carry no trailing blanks. Headers are printed as given.
 */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i] ?? ''))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat(widths[i] - displayWidth(c))))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map((r) => line(headers.map((_, i) => r[i] ?? '')))].join('\n') + '\n';
}

/** Key/value lines with the keys aligned, e.g. the header block of `show`. */
export function fields(pairs: [string, string][]): string {
  const width = Math.max(0, ...pairs.map(([k]) => k.length)) + 1;
  return pairs.map(([k, v]) => `${`${k}:`.padEnd(width)}  ${v}`.trimEnd()).join('\n') + '\n';
}

function displayWidth(s: string): number {
  return [...s].length;
}

/**
 * A content key as users type it: elements joined by '.'. Elements that themselves contain a '.'
 * are quoted, so the text stays unambiguous.
 */
export function formatKey(elements: string[]): string {
  return elements.map((e) => (e.includes('.') || e === '' ? JSON.stringify(e) : e)).join('.');
}

/** Parses `db.orders` or `db."a.b".orders` into key elements; the inverse of `formatKey`. */
export function parseKey(text: string): string[] {
  const elements: string[] = [];
  let i = 0;
  while (i <= text.length) {
    if (text[i] === '"') {
      const end = text.indexOf('"', i + 1);
      if (end < 0) throw new KeyFormatError(`unterminated quote in '${text}'`);
      elements.push(text.slice(i + 1, end));
      i = end + 1;
      if (i < text.length && text[i] !== '.') throw new KeyFormatError(`expected '.' after a quoted element in '${text}'`);
      i++;
    } else {
      const dot = text.indexOf('.', i);
      const end = dot < 0 ? text.length : dot;
      const element = text.slice(i, end);
      if (element === '') throw new KeyFormatError(`empty element in '${text}'`);
      elements.push(element);
      i = end + 1;
    }
  }
  return elements;
}

export class KeyFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A timestamp as `2026-01-31 12:00:00Z` (UTC, seconds); input is ISO-8601 text or epoch millis. */
export function formatTime(value: string | number | bigint | undefined | null): string {
  if (value === undefined || value === null || value === '') return '-';
  const ms = typeof value === 'string' ? Date.parse(value) : Number(value);
  if (!Number.isFinite(ms)) return String(value);
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, 'Z');
}

/** The first line of a commit message, cut to `max` characters. */
export function firstLine(message: string, max = 72): string {
  const line = message.split('\n', 1)[0] ?? '';
  return line.length > max ? `${line.slice(0, max - 3)}...` : line;
}

export function jsonOutput(value: unknown): string {
  return `${stringifyJson(value, 2)}\n`;
}

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}
