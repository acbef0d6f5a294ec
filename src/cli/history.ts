/** `lakecat log` (the commit log of a reference) and `lakecat diff` (changed keys between two references). */
import { expectPositionals, positiveInt } from './args.js';
import type { Command } from './command.js';
import { EXIT } from './errors.js';
import { firstLine, formatKey, formatTime, jsonOutput, plural, shortHash, table } from './format.js';
import type { DiffEntry } from './wire.js';

export const DEFAULT_LOG_LIMIT = 50;

export const logCommand: Command = {
  name: 'log',
  summary: 'Show the commit log of a branch, tag or commit (newest first)',
  usage: `lakecat log [REF] [-n N]      REF defaults to the default branch; N to ${DEFAULT_LOG_LIMIT}`,
  options: [{ name: 'max', kind: 'value', short: 'n' }],
  async run(ctx, args) {
    const [ref = '-'] = expectPositionals(args, 0, 1, this.usage);
    const limit = positiveInt(args, 'max', '-n') ?? DEFAULT_LOG_LIMIT;
    const entries = await ctx.client.history(ref, limit);
    if (ctx.json) {
      ctx.out(jsonOutput(entries.map((e) => e.raw)));
      return EXIT.OK;
    }
    if (entries.length === 0) {
      ctx.out('No commits.\n');
      return EXIT.OK;
    }
    const rows = entries.map(({ commitMeta: c }) => [
      shortHash(c.hash),
      formatTime(c.commitTime),
      c.authors.join(', ') || '-',
      (c.parentCommitHashes.length > 1 && !/^merge/i.test(c.message) ? 'Merge: ' : '') + firstLine(c.message),
    ]);
    ctx.out(table(['HASH', 'COMMITTED', 'AUTHOR', 'MESSAGE'], rows));
    return EXIT.OK;
  },
};

export const diffCommand: Command = {
  name: 'diff',
  summary: 'List the tables, views and namespaces that differ between two references',
  usage: 'lakecat diff FROM TO          FROM and TO: a branch, tag, NAME@HASH or @HASH',
  options: [],
  async run(ctx, args) {
    const [from, to] = expectPositionals(args, 2, 2, this.usage);
    const { entries, raw } = await ctx.client.diff(from, to);
    if (ctx.json) {
      ctx.out(jsonOutput(raw));
      return EXIT.OK;
    }
    if (entries.length === 0) {
      ctx.out(`No differences between ${from} and ${to}.\n`);
      return EXIT.OK;
    }
    ctx.out(table(['CHANGE', 'TYPE', 'KEY', 'DETAIL'], entries.map((e) => [changeKind(e), contentType(e), formatKey(e.key), detail(e)])));
    ctx.out(`${plural(entries.length, 'key')} ${entries.length === 1 ? 'differs' : 'differ'} between ${from} and ${to}.\n`);
    return EXIT.OK;
  },
};

export function changeKind(e: DiffEntry): string {
  if (e.from === null) return 'added';
  if (e.to === null) return 'removed';
  return 'modified';
}

function contentType(e: DiffEntry): string {
  const t = (e.to ?? e.from)?.type;
  switch (t) {
    case 'ICEBERG_TABLE':
      return 'table';
    case 'ICEBERG_VIEW':
      return 'view';
    case 'NAMESPACE':
      return 'namespace';
    default:
      return typeof t === 'string' ? t.toLowerCase() : '?';
  }
}

/** What changed, in the terms of the content: a table's current snapshot, a view's version. */
function detail(e: DiffEntry): string {
  const side = (c: DiffEntry['from'], field: string) => {
    const v = c?.[field];
    if (v === undefined || v === null) return '-';
    // Nessie writes -1 for a table without a current snapshot.
    return field === 'snapshotId' && String(v) === '-1' ? 'none' : String(v);
  };
  const t = (e.to ?? e.from)?.type;
  if (t === 'ICEBERG_TABLE') {
    if (e.from === null) return `snapshot ${side(e.to, 'snapshotId')}`;
    if (e.to === null) return `was snapshot ${side(e.from, 'snapshotId')}`;
    const a = side(e.from, 'snapshotId');
    const b = side(e.to, 'snapshotId');
    return a === b ? 'metadata changed' : `snapshot ${a} -> ${b}`;
  }
  if (t === 'ICEBERG_VIEW' && e.from !== null && e.to !== null) return `version ${side(e.from, 'versionId')} -> ${side(e.to, 'versionId')}`;
  return '';
}
