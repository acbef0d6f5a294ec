/**
 * `lakecat grant`, `lakecat protect`, `lakecat checks` and `lakecat audit`: access rules, check
 * results and the audit log, through the server's `/api/lakecat/v1` endpoints.
 */
import type { ParsedArgs } from './args.js';
import { expectPositionals, positiveInt } from './args.js';
import type { Command, CommandContext } from './command.js';
import { EXIT, UsageError } from './errors.js';
import { formatTime, jsonOutput, shortHash, table } from './format.js';
import type { JsonObject } from '../iceberg/json.js';

const str = (v: unknown) => (v === undefined || v === null ? '' : String(v));

/** A listing: JSON as is, a sentence when empty, else a table. */
function printList(ctx: CommandContext, items: JsonObject[], empty: string, headers: string[], row: (item: JsonObject) => string[]): void {
  if (ctx.json) ctx.out(jsonOutput(items));
  else if (items.length === 0) ctx.out(`${empty}\n`);
  else ctx.out(table(headers, items.map(row)));
}

function sub(args: ParsedArgs, dflt: string): [string, ParsedArgs] {
  const [first = dflt, ...rest] = args.positionals;
  return [first, { ...args, positionals: rest }];
}

const GRANT_USAGE = `lakecat grant [list]
  lakecat grant add SUBJECT PRIVILEGE [--on PATTERN] [--ns PATTERN]
  lakecat grant rm SUBJECT PRIVILEGE [--on PATTERN] [--ns PATTERN]
  SUBJECT: role:NAME, user:NAME or client:ID. PRIVILEGE: ref.read, ref.create, ref.assign, ref.delete,
  ref.merge, content.read, content.write, checks.report or admin. --on: reference pattern (check-name
  pattern for checks.report; default *). --ns: namespace pattern for content.* (default **).`;

export const grantCommand: Command = {
  name: 'grant',
  summary: 'List, add or remove grants of access (admins)',
  usage: GRANT_USAGE,
  options: [
    { name: 'on', kind: 'value' },
    { name: 'ns', kind: 'value' },
  ],
  async run(ctx, args) {
    const [verb, rest] = sub(args, 'list');
    if (verb === 'list') {
      expectPositionals(rest, 0, 0, 'lakecat grant list');
      printList(ctx, await ctx.client.grants(), 'No grants.', ['SUBJECT', 'PRIVILEGE', 'ON', 'NAMESPACE'], (g) => [str(g.subject), str(g.privilege), str(g.on), str(g.namespace)]);
      return EXIT.OK;
    }
    if (verb !== 'add' && verb !== 'rm') throw new UsageError(`unknown grant command '${verb}': usage: ${GRANT_USAGE}`);
    const [subject, privilege] = expectPositionals(rest, 2, 2, `lakecat grant ${verb} SUBJECT PRIVILEGE`);
    const g = { subject, privilege, on: args.values.get('on') ?? '*', namespace: args.values.get('ns') ?? '**' };
    if (verb === 'add') {
      const added = await ctx.client.grant(g);
      ctx.out(added ? `Granted ${privilege} on ${g.on}${privilege.startsWith('content.') ? ` (namespaces ${g.namespace})` : ''} to ${subject}.\n` : 'That grant exists already.\n');
    } else {
      await ctx.client.revoke(g);
      ctx.out(`Revoked ${privilege} on ${g.on} from ${subject}.\n`);
    }
    return EXIT.OK;
  },
};

const PROTECT_USAGE = `lakecat protect [list]
  lakecat protect set PATTERN [--allow-direct-writes] [--allow-assign] [--allow-delete] [--allow-transplant]
      [--merge-from PATTERN]... [--require-check NAME[=SUBJECT,...]]... [--strict] [--bypass SUBJECT]...
  lakecat protect rm PATTERN
  A protected reference refuses direct writes, assign, delete and transplant unless allowed; merges into
  it need the required checks to report success on the exact commit merged (from the given reporters).`;

export const protectCommand: Command = {
  name: 'protect',
  summary: 'List, set or remove protections of branches and tags (admins)',
  usage: PROTECT_USAGE,
  options: [
    { name: 'allow-direct-writes', kind: 'flag' },
    { name: 'allow-assign', kind: 'flag' },
    { name: 'allow-delete', kind: 'flag' },
    { name: 'allow-transplant', kind: 'flag' },
    { name: 'merge-from', kind: 'list' },
    { name: 'require-check', kind: 'list' },
    { name: 'strict', kind: 'flag' },
    { name: 'bypass', kind: 'list' },
  ],
  async run(ctx, args) {
    const [verb, rest] = sub(args, 'list');
    if (verb === 'list') {
      expectPositionals(rest, 0, 0, 'lakecat protect list');
      printList(ctx, await ctx.client.protections(), 'No protections.', PROTECTION_HEADERS, protectionRow);
      return EXIT.OK;
    }
    if (verb === 'rm') {
      const [pattern] = expectPositionals(rest, 1, 1, 'lakecat protect rm PATTERN');
      await ctx.client.unprotect(pattern);
      ctx.out(`Removed the protection of ${pattern}.\n`);
      return EXIT.OK;
    }
    if (verb !== 'set') throw new UsageError(`unknown protect command '${verb}': usage: ${PROTECT_USAGE}`);
    const [pattern] = expectPositionals(rest, 1, 1, 'lakecat protect set PATTERN');
    const requiredChecks = (args.lists.get('require-check') ?? []).map((spec) => {
      const eq = spec.indexOf('=');
      return eq < 0 ? { name: spec, reporters: [] } : { name: spec.slice(0, eq), reporters: spec.slice(eq + 1).split(',').filter((s) => s !== '') };
    });
    const rule = await ctx.client.protect(pattern, {
      blockDirectWrites: !args.flags.has('allow-direct-writes'),
      blockAssign: !args.flags.has('allow-assign'),
      blockDelete: !args.flags.has('allow-delete'),
      blockTransplant: !args.flags.has('allow-transplant'),
      mergeFrom: args.lists.get('merge-from') ?? [],
      requiredChecks,
      strict: args.flags.has('strict'),
      bypass: args.lists.get('bypass') ?? [],
    });
    if (ctx.json) ctx.out(jsonOutput(rule));
    else ctx.out(`Protected ${pattern}.\n${table(PROTECTION_HEADERS, [protectionRow(rule)])}`);
    return EXIT.OK;
  },
};

const PROTECTION_HEADERS = ['PATTERN', 'REFUSES', 'MERGE FROM', 'REQUIRED CHECKS', 'STRICT', 'BYPASS'];

function protectionRow(r: JsonObject): string[] {
  const refuses = [
    r.blockDirectWrites ? 'writes' : '',
    r.blockAssign ? 'assign' : '',
    r.blockDelete ? 'delete' : '',
    r.blockTransplant ? 'transplant' : '',
  ].filter((x) => x !== '');
  const checks = ((r.requiredChecks ?? []) as JsonObject[]).map((c) => {
    const reporters = (c.reporters ?? []) as string[];
    return reporters.length > 0 ? `${str(c.name)} (by ${reporters.join(', ')})` : str(c.name);
  });
  return [
    str(r.pattern),
    refuses.join(', ') || '-',
    ((r.mergeFrom ?? []) as string[]).join(', ') || 'any',
    checks.join(', ') || '-',
    r.strict ? 'yes' : 'no',
    ((r.bypass ?? []) as string[]).join(', ') || '-',
  ];
}

const CHECKS_USAGE = `lakecat checks [list] REF
  lakecat checks report REF NAME STATE [--description TEXT] [--url URL]
  REF: a commit (HASH or @HASH) or a reference (its head). STATE: pending, success, failure or error.`;

export const checksCommand: Command = {
  name: 'checks',
  summary: 'Report a check result for a commit, or list the checks of a commit',
  usage: CHECKS_USAGE,
  options: [
    { name: 'description', kind: 'value' },
    { name: 'url', kind: 'value' },
  ],
  async run(ctx, args) {
    const first = args.positionals[0];
    const [verb, rest] = first === 'report' || first === 'list' ? sub(args, 'list') : ['list', args];
    if (verb === 'report') {
      const [ref, name, state] = expectPositionals(rest, 3, 3, 'lakecat checks report REF NAME STATE');
      const report = await ctx.client.reportCheck(ref, { name, state, description: args.values.get('description'), detailsUrl: args.values.get('url') });
      if (ctx.json) ctx.out(jsonOutput(report));
      else ctx.out(`Reported ${name}=${state} on ${shortHash(str(report.hash))}.\n`);
      return EXIT.OK;
    }
    const [ref] = expectPositionals(rest, 1, 1, 'lakecat checks list REF');
    const checks = await ctx.client.checks(ref);
    if (ctx.json) {
      ctx.out(jsonOutput(checks));
      return EXIT.OK;
    }
    const latest = (checks.latest ?? []) as JsonObject[];
    if (latest.length === 0) {
      ctx.out(`No checks on ${shortHash(str(checks.hash))}.\n`);
      return EXIT.OK;
    }
    ctx.out(`Checks on ${shortHash(str(checks.hash))}:\n`);
    ctx.out(
      table(
        ['NAME', 'STATE', 'REPORTER', 'REPORTED', 'DESCRIPTION'],
        latest.map((c) => [str(c.name), str(c.state), str(c.reporter), formatTime(Number(c.reportedAtMs)), str(c.description)]),
      ),
    );
    return EXIT.OK;
  },
};

export const auditCommand: Command = {
  name: 'audit',
  summary: 'Show the audit log, newest first (admins)',
  usage: 'lakecat audit [-n/--max N]',
  options: [{ name: 'max', kind: 'value', short: 'n' }],
  async run(ctx, args) {
    expectPositionals(args, 0, 0, 'lakecat audit [-n N]');
    const n = positiveInt(args, 'max', '-n') ?? 50;
    const records = await ctx.client.audit(Math.min(n, 1000));
    if (ctx.json) {
      ctx.out(jsonOutput(records));
      return EXIT.OK;
    }
    if (records.length === 0) {
      ctx.out('The audit log is empty.\n');
      return EXIT.OK;
    }
    ctx.out(
      table(
        ['TIME', 'PRINCIPAL', 'OPERATION', 'REF', 'DECISION', 'DETAIL'],
        records.map((r) => [formatTime(Number(r.atMs)), str(r.principal), str(r.operation), str(r.ref), str(r.decision), str(r.detail)]),
      ),
    );
    return EXIT.OK;
  },
};
