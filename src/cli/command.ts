/**
 * What every CLI command gets: the server client, the output mode, and where to write. Commands
 * write to `out` (results) and `err` (diagnostics), and return the exit code.
 */
import type { OptionSpec, ParsedArgs } from './args.js';
import type { LakecatClient, RefTarget } from './client.js';
import { UsageError } from './errors.js';
import type { Reference } from './wire.js';

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

/** `name`, `name@hash` or `@hash`, split; the hash may be abbreviated. */
export interface RefSpec {
  name?: string;
  hash?: string;
}

export function parseRefSpec(text: string): RefSpec {
  const at = text.lastIndexOf('@');
  if (at < 0) return { name: text };
  const name = text.slice(0, at);
  const hash = text.slice(at + 1);
  if (hash !== '' && !/^[0-9a-fA-F]{8,64}$/.test(hash)) {
    throw new UsageError(`'${hash}' in '${text}' is not a commit hash (8 to 64 hex digits)`);
  }
  if (name === '' && hash === '') throw new UsageError(`'${text}' names neither a reference nor a commit`);
  return { name: name === '' ? undefined : name, hash: hash === '' ? undefined : hash };
}

/**
 * Resolves `name`, `name@hash` or `@hash` to the body Nessie expects for a reference target.
 * A named reference is looked up so that the body carries its real type and head.
 */
export async function resolveTarget(ctx: CommandContext, text: string): Promise<{ target: RefTarget; ref?: Reference }> {
  const spec = parseRefSpec(text);
  if (spec.name === undefined) return { target: { type: 'DETACHED', hash: spec.hash as string } };
  const ref = await ctx.client.getReference(spec.name);
  return { target: { type: ref.type, name: ref.name, hash: spec.hash ?? ref.hash }, ref };
}
