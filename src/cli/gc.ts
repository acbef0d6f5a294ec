/**
 * `lakecat gc`: garbage collection through the server's `/api/lakecat/v1/gc` endpoints: a run
 * (or a dry run) with its report, retention policies, and past runs.
 */
import type { ParsedArgs } from './args.js';
import { expectPositionals, positiveInt } from './args.js';
import type { Command, CommandContext } from './command.js';
import { EXIT, UsageError } from './errors.js';
import { fields, formatTime, jsonOutput, shortHash, table } from './format.js';
import { formatDuration, parseDuration } from '../catalog/gc/policy.js';
import type { JsonObject, JsonValue } from '../iceberg/json.js';

const USAGE = `lakecat gc [--dry-run] [--writer-grace DURATION] [--unsafe-short-grace] [--batch-size N]
  lakecat gc policy [list]
  lakecat gc policy set PATTERN --retain DURATION [--min-commits N] [--deleted-grace DURATION] [--tags|--branches]
  lakecat gc policy rm PATTERN [--tags|--branches]
  lakecat gc runs [--limit N]
  lakecat gc show RUN_ID
  A run deletes the files no retained table version needs (a dry run only reports them). Each reference
  keeps its head, the commits younger than its policy's --retain, at least --min-commits commits, and the
  state at the cutoff; a deleted or reset reference's head stays for --deleted-grace. Files younger than the
  writer grace (default 7d, at least 24h unless --unsafe-short-grace) are never deleted.
  DURATION: a number with ms, s, m, h or d (for example 30d).`;

const num = (v: unknown) => (typeof v === 'number' || typeof v === 'bigint' ? Number(v) : 0);
const str = (v: unknown) => (v === undefined || v === null ? '' : String(v));

/** Bytes as a person reads them (1024-based). */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[u]}`;
}

function duration(args: ParsedArgs, name: string): number | undefined {
  const v = args.values.get(name);
  if (v === undefined) return undefined;
  try {
    return parseDuration(v, `--${name}`);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function refTypeOf(args: ParsedArgs): string {
  if (args.flags.has('tags') && args.flags.has('branches')) throw new UsageError('give --tags or --branches, not both');
  return args.flags.has('tags') ? 'TAG' : args.flags.has('branches') ? 'BRANCH' : 'ANY';
}

/** The report of a run as a person reads it. */
export function formatReport(r: JsonObject): string {
  const totals = (r.totals ?? {}) as JsonObject;
  const safety = (r.safety ?? {}) as JsonObject;
  const reads = (r.reads ?? {}) as JsonObject;
  let out = fields([
    ['Run', `${str(r.runId)}${r.dryRun ? ' (dry run: nothing deleted)' : ''}`],
    ['Started', formatTime(num(r.startedAtMs))],
    ['Writer grace', formatDuration(num(r.writerGraceMs))],
    ['Live', `${num(totals.liveVersions)} table and view versions, ${num(totals.liveFiles)} files`],
    ['Listed', `${num(totals.listedFiles)} files, ${formatBytes(num(totals.listedBytes))}`],
    ['Reclaimable', `${num(totals.reclaimableFiles)} files, ${formatBytes(num(totals.reclaimableBytes))}`],
    ...(r.dryRun
      ? []
      : ([
          ['Deleted', `${num(totals.deletedFiles)} files, ${formatBytes(num(totals.deletedBytes))}`],
          ['Rescued', `${num(totals.rescuedFiles)} (referenced by commits that landed during the run)`],
          ['Failed deletes', String(num(totals.failedDeletes))],
          ['Expired commits', `${num(totals.commitsExpired)} (outside every retention: no longer read or referenced by hash)`],
          ['Database rows', `${num(totals.versionsDeleted)} table and view versions (${formatBytes(num(totals.versionBytesDeleted))}), ${num(totals.indexNodesDeleted)} key-index nodes and ${num(totals.commitsDeleted)} unreachable commits removed`],
        ] as [string, string][])),
    ['Kept by grace', `${num(totals.keptByWriterGrace)} unreferenced files younger than the writer grace`],
    ['Read', `${num(reads.manifestListsRead)} manifest lists, ${num(reads.manifestsRead)} manifests, ${formatBytes(num(reads.bytesRead))}`],
    ...(r.phasesMs && typeof r.phasesMs === 'object'
      ? ([['Time', (['plan', 'mark', 'list', 'sweep', 'rows'] as const).map((k) => `${k} ${(num((r.phasesMs as JsonObject)[k]) / 1000).toFixed(1)} s`).join(', ')]] as [string, string][])
      : []),
    ['Safety', `${num(safety.candidatesReferencedByAHead)} candidates referenced by a reference head (must be 0)`],
    ...(Array.isArray(r.tookOver) && r.tookOver.length > 0 ? ([['Took over', r.tookOver.map(str).join(', ')]] as [string, string][]) : []),
  ]);
  const refs = (Array.isArray(r.references) ? r.references : []) as JsonObject[];
  if (refs.length > 0) {
    out += `\nReferences\n${table(
      ['REFERENCE', 'TYPE', 'POLICY', 'KEPT COMMITS', 'OLDEST KEPT'],
      refs.map((ref) => {
        const p = (ref.policy ?? {}) as JsonObject;
        const oldest = (ref.oldestRetained ?? {}) as JsonObject;
        const dropped = ref.dropped as JsonObject | undefined;
        return [
          `${str(ref.name)}${dropped ? ` (${str(dropped.reason)}, kept until ${formatTime(num(dropped.keptUntilMs))})` : ''}`,
          str(ref.type).toLowerCase(),
          `${str(p.pattern)}: ${str(p.retain)}, >= ${str(p.retainCommits)} commits`,
          str(num(ref.retainedCommits)),
          `${shortHash(str(oldest.hash))} ${formatTime(num(oldest.commitTimeMs))}`,
        ];
      }),
    )}`;
  }
  const tables = ((Array.isArray(r.tables) ? r.tables : []) as JsonObject[]).filter((t) => num(t.reclaimableFiles) > 0 || num(t.liveFiles) > 0);
  if (tables.length > 0) {
    tables.sort((a, b) => num(b.reclaimableBytes) - num(a.reclaimableBytes) || str(a.location).localeCompare(str(b.location)));
    out += `\nTables\n${table(
      ['LOCATION', 'LIVE FILES', 'LIVE BYTES', 'RECLAIMABLE FILES', 'RECLAIMABLE BYTES'],
      tables.map((t) => [str(t.location) || '(outside any table)', str(num(t.liveFiles)), formatBytes(num(t.liveBytes)), str(num(t.reclaimableFiles)), formatBytes(num(t.reclaimableBytes))]),
    )}`;
  }
  const skipped = (Array.isArray(r.skipped) ? r.skipped : []) as JsonObject[];
  if (skipped.length > 0) {
    out += `\nSkipped (nothing under these locations is deleted)\n${table(['LOCATION', 'REASON'], skipped.map((s) => [str(s.location), str(s.reason)]))}`;
  }
  return out;
}

export const gcCommand: Command = {
  name: 'gc',
  summary: 'Delete files no retained table version needs, with a report; retention policies (admins)',
  usage: USAGE,
  options: [
    { name: 'dry-run', kind: 'flag', short: 'n' },
    { name: 'writer-grace', kind: 'value' },
    { name: 'unsafe-short-grace', kind: 'flag' },
    { name: 'batch-size', kind: 'value' },
    { name: 'retain', kind: 'value' },
    { name: 'min-commits', kind: 'value' },
    { name: 'deleted-grace', kind: 'value' },
    { name: 'tags', kind: 'flag' },
    { name: 'branches', kind: 'flag' },
    { name: 'limit', kind: 'value' },
  ],
  async run(ctx, args) {
    const [verb = 'run', ...rest] = args.positionals;
    const more = { ...args, positionals: rest };
    if (verb === 'policy' || verb === 'policies') return policy(ctx, more);
    if (verb === 'runs') {
      expectPositionals(more, 0, 0, 'lakecat gc runs');
      const limit = positiveInt(args, 'limit') ?? 20;
      const runs = asObjects((await ctx.client.request('GET', '/api/lakecat/v1/gc/runs', { limit: String(limit) }) as JsonObject).runs);
      if (ctx.json) ctx.out(jsonOutput(runs));
      else if (runs.length === 0) ctx.out('No GC runs yet.\n');
      else {
        ctx.out(
          table(
            ['RUN', 'STATE', 'STARTED', 'FINISHED', 'BY'],
            runs.map((x) => [str(x.id), `${str(x.state)}${x.dryRun ? ' (dry run)' : ''}`, formatTime(num(x.startedAtMs)), x.finishedAtMs === undefined ? '-' : formatTime(num(x.finishedAtMs)), str(x.startedBy)]),
          ),
        );
      }
      return EXIT.OK;
    }
    if (verb === 'show') {
      const [id] = expectPositionals(more, 1, 1, 'lakecat gc show RUN_ID');
      const run = (await ctx.client.request('GET', `/api/lakecat/v1/gc/runs/${encodeURIComponent(id)}`)) as JsonObject;
      if (ctx.json) ctx.out(jsonOutput(run));
      else {
        ctx.out(fields([['State', str(run.state)], ...(run.error ? ([['Error', str(run.error)]] as [string, string][]) : [])]));
        if (run.report && typeof run.report === 'object') ctx.out(formatReport(run.report as JsonObject));
      }
      return EXIT.OK;
    }
    if (verb !== 'run') throw new UsageError(`unknown gc command '${verb}': usage: ${USAGE}`);
    expectPositionals(more, 0, 0, 'lakecat gc');
    const body: JsonObject = { dryRun: args.flags.has('dry-run') };
    const grace = duration(args, 'writer-grace');
    if (grace !== undefined) body.writerGraceMs = grace;
    if (args.flags.has('unsafe-short-grace')) body.allowShortGrace = true;
    const batch = positiveInt(args, 'batch-size');
    if (batch !== undefined) body.batchSize = batch;
    const report = (await ctx.client.request('POST', '/api/lakecat/v1/gc/runs', {}, body)) as JsonObject;
    ctx.out(ctx.json ? jsonOutput(report) : formatReport(report));
    return num((report.totals as JsonObject | undefined)?.failedDeletes) > 0 ? EXIT.FAILED : EXIT.OK;
  },
};

function asObjects(v: JsonValue | undefined): JsonObject[] {
  return Array.isArray(v) ? (v.filter((x) => x !== null && typeof x === 'object' && !Array.isArray(x)) as JsonObject[]) : [];
}

async function policy(ctx: CommandContext, args: ParsedArgs): Promise<number> {
  const [verb = 'list', ...rest] = args.positionals;
  const more = { ...args, positionals: rest };
  if (verb === 'list') {
    expectPositionals(more, 0, 0, 'lakecat gc policy list');
    const policies = asObjects((await ctx.client.request('GET', '/api/lakecat/v1/gc/policies') as JsonObject).policies);
    if (ctx.json) ctx.out(jsonOutput(policies));
    else {
      ctx.out(
        table(
          ['REFERENCES', 'PATTERN', 'RETAIN', 'MIN COMMITS', 'DELETED GRACE', 'SET BY'],
          policies.map((p) => [
            str(p.refType).toLowerCase(),
            str(p.pattern),
            formatDuration(num(p.retainMs)),
            str(num(p.retainCommits)),
            formatDuration(num(p.deletedGraceMs)),
            p.builtIn ? '(built in)' : str(p.updatedBy),
          ]),
        ),
      );
    }
    return EXIT.OK;
  }
  if (verb === 'set') {
    const [pattern] = expectPositionals(more, 1, 1, 'lakecat gc policy set PATTERN --retain DURATION');
    const retainMs = duration(args, 'retain');
    if (retainMs === undefined) throw new UsageError('lakecat gc policy set needs --retain DURATION (for example 30d)');
    const body: JsonObject = { refType: refTypeOf(args), pattern, retainMs };
    const min = positiveInt(args, 'min-commits');
    if (min !== undefined) body.retainCommits = min;
    const grace = duration(args, 'deleted-grace');
    if (grace !== undefined) body.deletedGraceMs = grace;
    const p = (await ctx.client.request('PUT', '/api/lakecat/v1/gc/policies', {}, body)) as JsonObject;
    ctx.out(
      ctx.json
        ? jsonOutput(p)
        : `${str(p.refType).toLowerCase()} ${str(p.pattern)}: keep ${formatDuration(num(p.retainMs))} and at least ${num(p.retainCommits)} commits; deleted or reset heads kept ${formatDuration(num(p.deletedGraceMs))}.\n`,
    );
    return EXIT.OK;
  }
  if (verb === 'rm') {
    const [pattern] = expectPositionals(more, 1, 1, 'lakecat gc policy rm PATTERN');
    await ctx.client.request('DELETE', `/api/lakecat/v1/gc/policies/${refTypeOf(args)}/${encodeURIComponent(pattern)}`);
    ctx.out(`Removed the policy of ${pattern}.\n`);
    return EXIT.OK;
  }
  throw new UsageError(`unknown gc policy command '${verb}': usage: ${USAGE}`);
}
