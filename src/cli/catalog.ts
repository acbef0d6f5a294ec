/** `lakecat ns` and `lakecat tables`: listings through the Iceberg REST API on a chosen reference. */
import { expectPositionals } from './args.js';
import { parseRefSpec, resolveCommit, type Command, type CommandContext } from './command.js';
import { EXIT, UsageError } from './errors.js';
import { formatKey, jsonOutput, KeyFormatError, parseKey, table } from './format.js';

export const REF_OPTION = { name: 'ref', kind: 'value' as const, short: 'r' };

/**
 * The reference for Iceberg REST calls: `--ref`, or the server's default branch. The Iceberg
 * prefix takes `name`, `name@hash`, `@hash` and `name*time`, but not ancestry (`~N`, `^N`), so
 * such a spec is first resolved to its commit through the Nessie API.
 */
export async function refFor(ctx: CommandContext, ref: string | undefined): Promise<string> {
  if (ref === undefined) return (await ctx.client.config()).defaultBranch;
  const spec = parseRefSpec(ref);
  if (!/[~^]/.test(spec.relative)) return ref;
  const hash = await resolveCommit(ctx, ref);
  return spec.name === undefined ? `@${hash}` : `${spec.name}@${hash}`;
}

export function namespaceArg(text: string, what: string): string[] {
  try {
    return parseKey(text);
  } catch (err) {
    if (err instanceof KeyFormatError) throw new UsageError(`${what} '${text}': ${err.message}`);
    throw err;
  }
}

/** A `NAMESPACE.TABLE` argument (a table or view name), split; a name without a namespace is a usage error. */
export function tableArg(text: string): { key: string[]; namespace: string[]; name: string } {
  const key = namespaceArg(text, 'table');
  if (key.length < 2) throw new UsageError(`'${text}' needs a namespace: write NAMESPACE.TABLE, e.g. db.${text}`);
  return { key, namespace: key.slice(0, -1), name: key[key.length - 1] };
}

export const nsCommand: Command = {
  name: 'ns',
  summary: 'List namespaces (top-level, or the children of PARENT)',
  usage: 'lakecat ns [PARENT] [--ref REF]     PARENT like db or db.sales',
  options: [REF_OPTION],
  async run(ctx, args) {
    const [parentText] = expectPositionals(args, 0, 1, this.usage);
    const parent = parentText === undefined ? undefined : namespaceArg(parentText, 'namespace');
    const ref = await refFor(ctx, args.values.get('ref'));
    const namespaces = await ctx.client.listNamespaces(ref, parent);
    if (ctx.json) {
      ctx.out(jsonOutput(namespaces));
      return EXIT.OK;
    }
    if (namespaces.length === 0) {
      ctx.out(parent ? `No namespaces in ${formatKey(parent)} on ${ref}.\n` : `No namespaces on ${ref}.\n`);
      return EXIT.OK;
    }
    ctx.out(table(['NAMESPACE'], namespaces.map((ns) => [formatKey(ns)])));
    return EXIT.OK;
  },
};

export const tablesCommand: Command = {
  name: 'tables',
  summary: 'List the tables and views of a namespace',
  usage: 'lakecat tables NAMESPACE [--ref REF]',
  options: [REF_OPTION],
  async run(ctx, args) {
    const [nsText] = expectPositionals(args, 1, 1, this.usage);
    const namespace = namespaceArg(nsText, 'namespace');
    const ref = await refFor(ctx, args.values.get('ref'));
    const [tables, views] = await Promise.all([ctx.client.listTables(ref, namespace), ctx.client.listViews(ref, namespace)]);
    const rows = [
      ...tables.map((t) => ({ type: 'table', namespace: t.namespace, name: t.name })),
      ...views.map((v) => ({ type: 'view', namespace: v.namespace, name: v.name })),
    ].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    if (ctx.json) {
      ctx.out(jsonOutput(rows));
      return EXIT.OK;
    }
    if (rows.length === 0) {
      ctx.out(`No tables or views in ${formatKey(namespace)} on ${ref}.\n`);
      return EXIT.OK;
    }
    ctx.out(table(['NAME', 'TYPE'], rows.map((r) => [formatKey([...r.namespace, r.name]), r.type])));
    return EXIT.OK;
  },
};
