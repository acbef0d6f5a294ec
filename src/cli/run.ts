/**
 * Runs one client command (everything except `serve` and `migrate`): parses its options, builds
 * the HTTP client from `--server` / `LAKECAT_URL`, and turns every failure into a message on
 * stderr and one of the documented exit codes.
 */
import { parseArgs } from './args.js';
import { branchCommand, tagCommand } from './refs.js';
import { nsCommand, tablesCommand } from './catalog.js';
import { DEFAULT_SERVER_URL, LakecatClient } from './client.js';
import type { Command, CommandContext } from './command.js';
import { ApiError, CliError, EXIT } from './errors.js';
import { conflictTable, mergeCommand, transplantCommand } from './merge.js';
import { diffCommand, logCommand } from './history.js';
import { showCommand } from './show.js';
import { whoamiCommand } from './whoami.js';
import { loadCommand } from './load.js';
import { cdcCommand } from './cdc.js';
import { headCommand } from './head.js';
import { auditCommand, checksCommand, grantCommand, protectCommand } from './access.js';
import { gcCommand } from './gc.js';
import type { Reference } from './wire.js';

export const CLIENT_COMMANDS: Command[] = [
  branchCommand,
  tagCommand,
  logCommand,
  diffCommand,
  mergeCommand,
  transplantCommand,
  showCommand,
  nsCommand,
  tablesCommand,
  whoamiCommand,
  grantCommand,
  protectCommand,
  checksCommand,
  auditCommand,
  gcCommand,
  loadCommand,
  headCommand,
  cdcCommand,
];

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

export function findCommand(name: string): Command | undefined {
  return CLIENT_COMMANDS.find((c) => c.name === name);
}

export async function runClientCommand(command: Command, argv: string[], env: Record<string, string | undefined>, io: Io): Promise<number> {
  let ctx: CommandContext | undefined;
  try {
    const args = parseArgs(argv, command.options);
    if (args.flags.has('help')) {
      io.out(`Usage: ${command.usage}\n\n${command.summary}.\n\nGlobal options: --server URL (or LAKECAT_URL, default ${DEFAULT_SERVER_URL}), --token TOKEN (or LAKECAT_TOKEN), --json\n`);
      return EXIT.OK;
    }
    const client = new LakecatClient(args.values.get('server') ?? (env.LAKECAT_URL || DEFAULT_SERVER_URL), {
      token: args.values.get('token') ?? (env.LAKECAT_TOKEN || undefined),
      clientId: env.LAKECAT_CLIENT_ID || undefined,
      clientSecret: env.LAKECAT_CLIENT_SECRET || undefined,
      tokenUrl: env.LAKECAT_TOKEN_URL || undefined,
      scope: env.LAKECAT_TOKEN_SCOPE || undefined,
    });
    ctx = { client, json: args.flags.has('json'), out: io.out, err: io.err };
    return await command.run(ctx, args);
  } catch (err) {
    if (!(err instanceof CliError)) throw err;
    let message = err.message;
    if (err instanceof ApiError) {
      if (err.isReferenceNotFound && ctx) message += await knownReferences(ctx);
      if (err.status === 409 && err.conflicts.some((c) => c.conflictType === 'UNEXPECTED_HASH')) {
        message += '\nThe reference moved since its head was read; look at it again (lakecat log) and retry.';
      }
    }
    io.err(`lakecat: ${message}\n`);
    if (err instanceof ApiError && err.conflicts.some((c) => c.conflictType !== 'UNEXPECTED_HASH')) {
      io.err(conflictTable(err.conflicts));
    }
    if (err.exitCode === EXIT.USAGE && !(err instanceof ApiError)) io.err(`Run 'lakecat ${command.name} --help' for usage.\n`);
    return err.exitCode;
  }
}

/** Appended to "reference not found" errors: which branches and tags do exist. */
async function knownReferences(ctx: CommandContext): Promise<string> {
  let refs: Reference[];
  try {
    refs = await ctx.client.listReferences();
  } catch {
    return '';
  }
  const names = (type: Reference['type']) =>
    refs
      .filter((r) => r.type === type)
      .map((r) => r.name)
      .sort()
      .join(', ') || '(none)';
  return `\nExisting branches: ${names('BRANCH')}\nExisting tags: ${names('TAG')}`;
}
