/**
 * `lakecat merge` and `lakecat transplant`. The server is asked to return conflicts as a result,
 * so they can be listed per table; any conflict makes the command exit with status 1.
 */
import type { ParsedArgs } from './args.js';
import { expectPositionals } from './args.js';
import type { MergeOptions } from './client.js';
import type { Command, CommandContext } from './command.js';
import { parseRefSpec, resolveCommit } from './command.js';
import { ApiError, EXIT, UsageError, type KeyConflict } from './errors.js';
import { formatKey, jsonOutput, KeyFormatError, parseKey, plural, shortHash, table } from './format.js';
import type { MergeKeyDetail, MergeResult, Reference } from './wire.js';

/** Nessie's name for a source that is a bare commit rather than a branch or tag. */
const DETACHED = 'DETACHED';

const MERGE_OPTIONS = [
  { name: 'into', kind: 'value' as const },
  { name: 'dry-run', kind: 'flag' as const },
  { name: 'force-key', kind: 'list' as const },
  { name: 'drop-key', kind: 'list' as const },
  { name: 'snapshot-isolation-key', kind: 'list' as const },
  { name: 'message', kind: 'value' as const, short: 'm' },
];

export const mergeCommand: Command = {
  name: 'merge',
  summary: 'Merge a branch (or commit) into a branch, atomically for all tables',
  usage: `lakecat merge FROM [--into BRANCH] [--dry-run] [--force-key KEY]... [--drop-key KEY]... [--snapshot-isolation-key KEY]... [-m/--message MESSAGE]
  FROM: a branch, tag, NAME@HASH or @HASH, optionally followed by ~N, ^N or *TIME.
  BRANCH defaults to the default branch; BRANCH@HASH merges only if BRANCH is still at HASH.
  A table changed on both sides is merged at the Iceberg level when that is safe: the source's
  snapshots are replayed onto the target's, validated as an Iceberg commit retry would be.
  --force-key KEY  take the source's value of KEY (e.g. db.orders) even if the target changed it
  --drop-key KEY   leave KEY as it is on the target
  --snapshot-isolation-key KEY  validate KEY's Iceberg-level merge under snapshot isolation: rows
                   the target added where the source deleted or overwrote rows are no conflict`,
  options: MERGE_OPTIONS,
  async run(ctx, args) {
    const [fromText] = expectPositionals(args, 1, 1, 'lakecat merge FROM [--into BRANCH] [--dry-run]');
    const from = parseRefSpec(fromText);
    const target = await targetBranch(ctx, args);
    let fromRefName = DETACHED;
    let fromHash = from.hash as string;
    if (from.name !== undefined) {
      const source = await ctx.client.getReference(from.name);
      fromRefName = source.name;
      fromHash = from.hash ?? source.hash;
    }
    // Nessie takes only a plain hash as the merge source; relative parts are resolved first.
    if (from.relative !== '') fromHash = await resolveCommit(ctx, fromText);
    const opts = mergeOptions(args);
    const result = await withConflicts(() => ctx.client.merge(target.name, target.hash, fromRefName, fromHash, opts), target);
    return report(ctx, 'merge', `${fromText} into ${target.name}`, target, result, opts.dryRun);
  },
};

export const transplantCommand: Command = {
  name: 'transplant',
  summary: 'Copy individual commits onto a branch',
  usage: `lakecat transplant HASH... --into BRANCH [--from REF] [--dry-run] [--force-key KEY]... [--drop-key KEY]...
  Commits are applied in the order given. REF names the reference the commits come from;
  without it they are sent as detached commits.`,
  options: [...MERGE_OPTIONS, { name: 'from', kind: 'value' as const }],
  async run(ctx, args) {
    const hashes = expectPositionals(args, 1, Number.MAX_SAFE_INTEGER, 'lakecat transplant HASH... --into BRANCH');
    for (const h of hashes) {
      if (!/^[0-9a-fA-F]{8,64}$/.test(h)) throw new UsageError(`'${h}' is not a commit hash (8 to 64 hex digits)`);
    }
    if (!args.values.has('into')) throw new UsageError('transplant needs the target branch: --into BRANCH');
    if (args.lists.has('snapshot-isolation-key')) throw new UsageError('--snapshot-isolation-key applies to merges, not to transplants');
    const target = await targetBranch(ctx, args);
    const opts = mergeOptions(args);
    const fromRefName = args.values.get('from') ?? DETACHED;
    const result = await withConflicts(() => ctx.client.transplant(target.name, target.hash, fromRefName, hashes, opts), target);
    return report(ctx, 'transplant', `${plural(hashes.length, 'commit')} onto ${target.name}`, target, result, opts.dryRun);
  },
};

async function targetBranch(ctx: CommandContext, args: ParsedArgs): Promise<Reference> {
  const into = args.values.get('into') ?? '-';
  const spec = parseRefSpec(into);
  if (spec.name === undefined || spec.relative !== '') throw new UsageError(`--into needs a branch name (optionally NAME@HASH), not '${into}'`);
  const ref = await ctx.client.getReference(spec.name);
  if (ref.type !== 'BRANCH') throw new UsageError(`cannot change '${ref.name}': it is a tag; merge into a branch`);
  return spec.hash ? { ...ref, hash: spec.hash } : ref;
}

function mergeOptions(args: ParsedArgs): MergeOptions {
  const modes: MergeOptions['keyMergeModes'] = [];
  const seen = new Map<string, string>();
  for (const [option, behavior] of [
    ['force-key', 'FORCE'],
    ['drop-key', 'DROP'],
    ['snapshot-isolation-key', 'NORMAL'],
  ] as const) {
    for (const text of args.lists.get(option) ?? []) {
      let key: string[];
      try {
        key = parseKey(text);
      } catch (err) {
        if (err instanceof KeyFormatError) throw new UsageError(`--${option} ${text}: ${err.message}`);
        throw err;
      }
      const id = formatKey(key);
      const previous = seen.get(id);
      if (previous !== undefined && previous !== option) throw new UsageError(`key '${id}' is given both to --${previous} and --${option}`);
      if (previous !== undefined) continue;
      seen.set(id, option);
      modes.push(behavior === 'NORMAL' ? { key, mergeBehavior: behavior, isolation: 'SNAPSHOT' } : { key, mergeBehavior: behavior });
    }
  }
  return { dryRun: args.flags.has('dry-run'), keyMergeModes: modes, message: args.values.get('message') };
}

/**
 * A server that does not honour `isReturnConflictAsResult` answers a conflict with HTTP 409 and
 * the conflicts in `errorDetails`; both forms are reported the same way.
 */
async function withConflicts(call: () => Promise<MergeResult>, target: Reference): Promise<MergeResult> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof ApiError && err.status === 409 && err.conflicts.some((c) => c.conflictType !== 'UNEXPECTED_HASH')) {
      return {
        wasApplied: false,
        wasSuccessful: false,
        targetBranch: target.name,
        effectiveTargetHash: target.hash,
        details: err.conflicts.map((c) => ({ key: c.key ?? [], mergeBehavior: 'NORMAL', conflict: c })),
        raw: { errorCode: err.code, message: err.message, conflicts: err.conflicts.map((c) => ({ ...c })) },
      };
    }
    throw err;
  }
}

function report(ctx: CommandContext, verb: 'merge' | 'transplant', what: string, target: Reference, result: MergeResult, dryRun: boolean): number {
  const conflicts = result.details.filter((d) => d.conflict !== undefined);
  const failed = !result.wasSuccessful || conflicts.length > 0;
  if (ctx.json) {
    ctx.out(jsonOutput(result.raw));
    return failed ? EXIT.FAILED : EXIT.OK;
  }
  if (failed) {
    ctx.err(`Cannot ${verb} ${what}: ${plural(conflicts.length, 'conflict')}.\n`);
    // A table refused at the Iceberg level shows the Iceberg conflict type (the message says the rest).
    if (conflicts.length > 0) ctx.out(conflictTable(conflicts.map((d) => ({ ...(d.conflict as KeyConflict), ...(d.icebergMerge?.conflictType ? { conflictType: d.icebergMerge.conflictType } : {}), key: d.key }))));
    ctx.err(`Nothing was changed. Resolve the conflicts, or choose a side per key with --force-key KEY (take ${verb === 'merge' ? 'the source' : 'the commits'}) or --drop-key KEY (keep ${target.name}).\n`);
    return EXIT.FAILED;
  }
  const keys = result.details;
  const unchanged = result.resultantTargetHash === undefined || result.resultantTargetHash === result.effectiveTargetHash;
  if (dryRun) {
    ctx.out(`Dry run: ${verb} of ${what} would succeed without conflicts (${plural(keys.length, 'key')}). Nothing was changed.\n`);
  } else if (unchanged && keys.length === 0) {
    ctx.out(`Nothing to ${verb}: ${target.name} already contains these changes (${shortHash(result.effectiveTargetHash)}).\n`);
    return EXIT.OK;
  } else {
    ctx.out(`${verb === 'merge' ? 'Merged' : 'Transplanted'} ${what}: ${shortHash(result.effectiveTargetHash)} -> ${shortHash(result.resultantTargetHash)}.\n`);
  }
  if (keys.length > 0) ctx.out(table(['KEY', 'ACTION'], keys.map((d) => [formatKey(d.key), action(d, dryRun)])));
  return EXIT.OK;
}

/** What happened (or, dry run, would happen) to a key: its behaviour, and for tables merged at the Iceberg level, how. */
function action(d: MergeKeyDetail, dryRun: boolean): string {
  const i = d.icebergMerge;
  if (!i || i.outcome === 'CONFLICT') return d.mergeBehavior;
  const isolation = i.isolation === 'SNAPSHOT' ? ', snapshot isolation' : '';
  if (i.outcome === 'UNCHANGED') return `${d.mergeBehavior} (kept the target: it already holds the source's snapshots)`;
  const n = i.replayedSnapshots.length;
  return `${d.mergeBehavior} (Iceberg merge: ${plural(n, 'source snapshot')} ${dryRun ? 'would be ' : ''}replayed onto the target${isolation})`;
}

export function conflictTable(conflicts: KeyConflict[]): string {
  return table(
    ['KEY', 'CONFLICT', 'MESSAGE'],
    conflicts.map((c) => [c.key && c.key.length > 0 ? formatKey(c.key) : '-', c.conflictType, c.message]),
  );
}
