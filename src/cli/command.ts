/**
 * What every CLI command gets: the server client, the output mode, and where to write. Commands
 * write to `out` (results) and `err` (diagnostics), and return the exit code.
 */
import type { OptionSpec, ParsedArgs } from './args.js';
import type { LakecatClient, RefTarget } from './client.js';
import { NotFoundError, UsageError } from './errors.js';
import type { Reference } from './wire.js';
import { parseRefExpression, RefSyntaxError, type RefExpression } from '../catalog/refs/expression.js';

export interface CommandContext {
  client: LakecatClient;
  json: boolean;
  out(text: string): void;
  err(text: string): void;
}

export interface Command {
  name: string;
  summary: string;
  /** Usage lines shown by `lakecat <command> --help` and in usage errors. */
  usage: string;
  options: OptionSpec[];
  run(ctx: CommandContext, args: ParsedArgs): Promise<number>;
}

/**
 * A reference as users write it, in the catalog's one reference grammar (after Nessie's syntax):
 * `name`, `name@hash` or `@hash`, followed by optional relative parts (`~N`: N-th first-parent
 * ancestor, `^N`: N-th parent, `*time`: the newest commit at or before a time). Hashes may be
 * abbreviated.
 */
export interface RefSpec {
  name?: string;
  hash?: string;
  /** The relative parts as written, e.g. `~2`; empty when absent. */
  relative: string;
}

export function parseRefSpec(text: string): RefSpec {
  let e: RefExpression;
  try {
    e = parseRefExpression(text);
  } catch (err) {
    if (!(err instanceof RefSyntaxError)) throw err;
    switch (err.problem) {
      case 'hash':
        throw new UsageError(`'${err.part}' in '${text}' is not a commit hash (8 to 64 hex digits)`);
      case 'relative':
        throw new UsageError(`'${err.part}' in '${text}' is not a relative commit (~N, ^N or *TIMESTAMP): ${err.message}`);
      case 'name':
        throw new UsageError(`'${err.part}' in '${text}' is not a reference name: ${err.message}`);
      case 'empty':
        throw new UsageError('a reference or commit is required');
      default: {
        const never: never = err.problem;
        throw new UsageError(`'${text}': ${String(never)}`);
      }
    }
  }
  if (e.name === undefined && e.hash === undefined) throw new UsageError(`'${text}' names neither a reference nor a commit`);
  return { name: e.name, hash: e.hash, relative: e.relativeText };
}

/**
 * Resolves a reference spec to the body Nessie expects for a reference target. A named
 * reference is looked up so that the body carries its real type, and relative parts are applied
 * by the server to the head just read (or to the given hash).
 */
export async function resolveTarget(ctx: CommandContext, text: string): Promise<{ target: RefTarget; ref?: Reference }> {
  const spec = parseRefSpec(text);
  if (spec.name === undefined) return { target: { type: 'DETACHED', hash: `${spec.hash}${spec.relative}` } };
  const ref = await ctx.client.getReference(spec.name);
  return { target: { type: ref.type, name: ref.name, hash: `${spec.hash ?? ref.hash}${spec.relative}` }, ref };
}

/** The full hash of the commit a spec with relative parts points at, as the server resolves it. */
export async function resolveCommit(ctx: CommandContext, text: string): Promise<string> {
  const [entry] = await ctx.client.history(text, 1);
  if (entry === undefined) throw new NotFoundError(`'${text}' points at the empty catalog, before the first commit`);
  return entry.commitMeta.hash;
}
