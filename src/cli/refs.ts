/**
 * `lakecat branch` and `lakecat tag`: list, create, delete, and (branches) assign. Every move is a
 * compare-and-swap on the server: the expected head is either given (`--expect HASH`, or
 * `NAME@HASH`) or read just before the change.
 */
import type { OptionSpec, ParsedArgs } from './args.js';
import { expectPositionals } from './args.js';
import type { Command, CommandContext } from './command.js';
import { parseRefSpec, resolveTarget } from './command.js';
import { EXIT, UsageError } from './errors.js';
import { firstLine, formatTime, jsonOutput, shortHash, table } from './format.js';
import { asObject, decodeCommitMeta, type RefType, type Reference } from './wire.js';

const OPTIONS: OptionSpec[] = [
  { name: 'from', kind: 'value' },
  { name: 'expect', kind: 'value' },
];

function refCommand(type: RefType): Command {
  const word = type === 'BRANCH' ? 'branch' : 'tag';
  const usage =
    type === 'BRANCH'
      ? `lakecat branch [list]
  lakecat branch create NAME [--from REF]
  lakecat branch delete NAME [--expect HASH]
  lakecat branch assign NAME REF [--expect HASH]`
      : `lakecat tag [list]
  lakecat tag create NAME [--from REF]
  lakecat tag delete NAME [--expect HASH]`;
  return {
    name: word,
    summary: type === 'BRANCH' ? 'List, create, delete or move branches' : 'List, create or delete tags',
    usage,
    options: OPTIONS,
    async run(ctx, args) {
      const [sub = 'list', ...rest] = args.positionals;
      const subArgs: ParsedArgs = { ...args, positionals: rest };
      switch (sub) {
        case 'list':
          expectPositionals(subArgs, 0, 0, `lakecat ${word} list`);
          return list(ctx, type);
        case 'create':
          return create(ctx, type, subArgs);
        case 'delete':
          return remove(ctx, type, subArgs);
        case 'assign':
          if (type === 'TAG') throw new UsageError(`unknown tag command 'assign': usage: ${usage}`);
          return assign(ctx, subArgs);
        default:
          throw new UsageError(`unknown ${word} command '${sub}': usage: ${usage}`);
      }
    },
  };
}

export const branchCommand = refCommand('BRANCH');
export const tagCommand = refCommand('TAG');

async function list(ctx: CommandContext, type: RefType): Promise<number> {
  const [refs, config] = await Promise.all([ctx.client.listReferences(true), ctx.client.config()]);
  const mine = refs.filter((r) => r.type === type);
  if (ctx.json) {
    ctx.out(jsonOutput(mine.map((r) => ({ type: r.type, name: r.name, hash: r.hash, ...(r.metadata ? { metadata: r.metadata } : {}) }))));
    return EXIT.OK;
  }
  if (mine.length === 0) {
    ctx.out(`No ${type === 'BRANCH' ? 'branches' : 'tags'}.\n`);
    return EXIT.OK;
  }
  const defaultRef = refs.find((r) => r.type === 'BRANCH' && r.name === config.defaultBranch);
  const rows = mine.map((r) => {
    const head = headCommit(r);
    const name = type === 'BRANCH' && r.name === config.defaultBranch ? `${r.name} *` : r.name;
    const row = [name, shortHash(r.hash)];
    if (type === 'BRANCH') row.push(aheadBehind(r, defaultRef));
    row.push(formatTime(head?.commitTime), firstLine(head?.message ?? '', 60));
    return row;
  });
  const headers = type === 'BRANCH' ? ['NAME', 'HASH', 'AHEAD/BEHIND', 'COMMITTED', 'MESSAGE'] : ['NAME', 'HASH', 'COMMITTED', 'MESSAGE'];
  ctx.out(table(headers, rows));
  return EXIT.OK;
}

function headCommit(r: Reference) {
  const meta = r.metadata?.commitMetaOfHEAD;
  return meta === undefined || meta === null ? undefined : decodeCommitMeta(asObject(meta, 'commitMetaOfHEAD'));
}

/** Commits ahead/behind the default branch, as `+2/-1`; `-` for the default branch itself, `?` when unknown. */
function aheadBehind(r: Reference, defaultRef: Reference | undefined): string {
  if (defaultRef === undefined) return '?';
  if (r.name === defaultRef.name) return '-';
  // The server sends no metadata for a reference at the empty catalog's hash.
  if (r.hash === defaultRef.hash) return '+0/-0';
  const ahead = r.metadata?.numCommitsAhead;
  const behind = r.metadata?.numCommitsBehind;
  if (typeof ahead !== 'number' || typeof behind !== 'number') return '?';
  return `+${ahead}/-${behind}`;
}

async function create(ctx: CommandContext, type: RefType, args: ParsedArgs): Promise<number> {
  const word = type === 'BRANCH' ? 'branch' : 'tag';
  const [name] = expectPositionals(args, 1, 1, `lakecat ${word} create NAME [--from REF]`);
  if (args.values.has('expect')) throw new UsageError(`'--expect' applies to delete and assign, not create`);
  const from = args.values.get('from') ?? (await ctx.client.config()).defaultBranch;
  const { target } = await resolveTarget(ctx, from);
  const created = await ctx.client.createReference(name, type, target);
  if (ctx.json) ctx.out(jsonOutput(created));
  else ctx.out(`Created ${word} '${created.name}' at ${shortHash(created.hash)} (from ${from}).\n`);
  return EXIT.OK;
}

/** The reference to change and the head it must still have: `NAME@HASH`, `--expect HASH`, or the current head. */
async function expected(ctx: CommandContext, type: RefType, text: string, args: ParsedArgs): Promise<{ name: string; hash: string }> {
  const spec = parseRefSpec(text);
  const word = type === 'BRANCH' ? 'branch' : 'tag';
  if (spec.name === undefined || spec.relative !== '') throw new UsageError(`'${text}' is a commit, not a ${word} name (NAME or NAME@HASH)`);
  const given = args.values.get('expect');
  if (given !== undefined && spec.hash !== undefined) throw new UsageError(`give the expected hash once: either ${text} or --expect`);
  if (given !== undefined && !/^[0-9a-fA-F]{8,64}$/.test(given)) throw new UsageError(`'--expect ${given}' is not a commit hash`);
  const current = await ctx.client.getReference(spec.name);
  if (current.type !== type) {
    const other = current.type === 'BRANCH' ? 'branch' : 'tag';
    throw new UsageError(`'${spec.name}' is a ${other}, not a ${word}; use 'lakecat ${other} ...'`);
  }
  return { name: current.name, hash: spec.hash ?? given ?? current.hash };
}

async function remove(ctx: CommandContext, type: RefType, args: ParsedArgs): Promise<number> {
  const word = type === 'BRANCH' ? 'branch' : 'tag';
  const [text] = expectPositionals(args, 1, 1, `lakecat ${word} delete NAME [--expect HASH]`);
  if (args.values.has('from')) throw new UsageError(`'--from' applies to create, not delete`);
  const { name, hash } = await expected(ctx, type, text, args);
  const deleted = await ctx.client.deleteReference(name, type, hash);
  if (ctx.json) ctx.out(jsonOutput(deleted));
  else ctx.out(`Deleted ${word} '${name}' (was ${shortHash(deleted.hash)}).\n`);
  return EXIT.OK;
}

async function assign(ctx: CommandContext, args: ParsedArgs): Promise<number> {
  const [text, to] = expectPositionals(args, 2, 2, 'lakecat branch assign NAME REF [--expect HASH]');
  if (args.values.has('from')) throw new UsageError(`'--from' applies to create; assign takes the target as REF`);
  const { name, hash } = await expected(ctx, 'BRANCH', text, args);
  const { target } = await resolveTarget(ctx, to);
  const moved = await ctx.client.assignReference(name, 'BRANCH', hash, target);
  if (ctx.json) ctx.out(jsonOutput(moved));
  else ctx.out(`Moved branch '${name}': ${shortHash(hash)} -> ${shortHash(moved.hash)} (${to}).\n`);
  return EXIT.OK;
}
