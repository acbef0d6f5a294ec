/** The results table: one row per measurement, one column per catalog, and lakecat's ratios. */
import type { SystemId } from './systems.js';
import type { Cell } from './workloads.js';

export type Outcome = Cell | { error: string } | { skipped: string };

export interface Row {
  key: string;
  label: string;
  better: 'higher' | 'lower';
}

export function rows(bigTables: number, mergeTables: number): Row[] {
  const n = (x: number) => x.toLocaleString('en-US');
  return [
    { key: 'startup', label: 'start-up to first GET /v1/config (ms)', better: 'lower' },
    { key: 'rss', label: 'RSS, max during the run (MiB)', better: 'lower' },
    { key: 'load-1', label: 'loadTable, 100 snapshots, 1 client', better: 'higher' },
    { key: 'load-16', label: 'loadTable, 100 snapshots, 16 clients', better: 'higher' },
    { key: 'load-64', label: 'loadTable, 100 snapshots, 64 clients', better: 'higher' },
    { key: 'commit-100', label: 'commitTable, 100 tables, 16 writers', better: 'higher' },
    { key: 'commit-hot', label: 'commitTable, ONE table, 16 writers (load + commit, retry on 409)', better: 'higher' },
    { key: 'tx-10', label: 'multi-table transaction, 10 tables, 1 client', better: 'higher' },
    { key: 'create-ns', label: 'create namespace, 4 clients', better: 'higher' },
    { key: 'create-table', label: 'create table, 4 clients', better: 'higher' },
    { key: 'list', label: `list ${n(bigTables)} tables (median of 3)`, better: 'lower' },
    { key: 'branch-small', label: 'create branch, few tables (median of 5)', better: 'lower' },
    { key: 'branch-big', label: `create branch, ${n(bigTables)} tables (median of 5)`, better: 'lower' },
    { key: 'merge', label: `merge a branch that changed ${n(mergeTables)} tables`, better: 'lower' },
  ];
}

const LAKECAT: SystemId[] = ['lakecat-embedded', 'lakecat-pg', 'lakecat-pg-2w', 'lakecat-pg-auth'];
const PEERS: SystemId[] = ['nessie-inmem', 'nessie-jdbc', 'reference'];

function valueOf(o: Outcome | undefined): number | undefined {
  return o && 'value' in o && Number.isFinite(o.value) && o.value > 0 ? o.value : undefined;
}

/**
 * How many times better one lakecat column is than the best peer: value / best for
 * higher-is-better rows, best / value for lower-is-better ones; above 1 means lakecat wins.
 */
export function ratio(row: Row, lakecat: Outcome | undefined, peers: (Outcome | undefined)[]): number | undefined {
  const mine = valueOf(lakecat);
  const theirs = peers.map(valueOf).filter((v): v is number => v !== undefined);
  if (mine === undefined || theirs.length === 0) return undefined;
  const best = row.better === 'higher' ? Math.max(...theirs) : Math.min(...theirs);
  return row.better === 'higher' ? mine / best : best / mine;
}

function cellText(o: Outcome | undefined): string {
  if (!o) return '–';
  if ('error' in o) return `error: ${o.error.replace(/\s+/g, ' ').replace(/\|/g, '\\|').slice(0, 120)}`;
  if ('skipped' in o) return `n/a (${o.skipped})`;
  return o.text.replace(/\|/g, '\\|');
}

export function markdownTable(allRows: Row[], systems: SystemId[], results: Map<SystemId, Map<string, Outcome>>): string {
  const lakecats = LAKECAT.filter((s) => systems.includes(s));
  const peers = PEERS.filter((s) => systems.includes(s));
  const header = ['operation', ...systems, ...lakecats.map((s) => `${s} / best peer`)];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const row of allRows) {
    const cells = systems.map((s) => cellText(results.get(s)?.get(row.key)));
    if (cells.every((c) => c === '–')) continue;
    const ratios = lakecats.map((s) => {
      const r = ratio(row, results.get(s)?.get(row.key), peers.map((p) => results.get(p)?.get(row.key)));
      return r === undefined ? '–' : `${r >= 10 ? Math.round(r) : r.toFixed(2)}×`;
    });
    lines.push(`| ${[row.label, ...cells, ...ratios].join(' | ')} |`);
  }
  return lines.join('\n');
}
