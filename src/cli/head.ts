/**
 * `lakecat head TABLE`: the first rows of a table on a reference (or at a snapshot), read by this
 * client from the table's files (src/data/head.ts), with deletes applied or refused.
 */
import { headRows, UnsupportedDeletesError } from '../data/head.js';
import { IcebergRestClient, RestError } from '../data/rest-client.js';
import { tableStore } from '../data/table-store.js';
import { valueToJson } from '../data/value-text.js';
import { stringifyJson } from '../iceberg/json.js';
import { ObjectStoreError } from '../io/port.js';
import type { Command } from './command.js';
import { ApiError, EXIT, OperationFailedError, UsageError } from './errors.js';
import { formatKey, jsonOutput, plural, table } from './format.js';
import { refFor, tableArg } from './catalog.js';

const USAGE = 'lakecat head TABLE [-n N] [--ref REF] [--snapshot ID] [--columns a,b] [--json]';

export const headCommand: Command = {
  name: 'head',
  summary: 'Show the first rows of a table, read from its data files (deletes applied)',
  usage: USAGE,
  options: [
    { name: 'n', kind: 'value', short: 'n' },
    { name: 'ref', kind: 'value' },
    { name: 'snapshot', kind: 'value' },
    { name: 'columns', kind: 'value' },
  ],
  async run(ctx, args) {
    const [tableText, ...extra] = args.positionals;
    if (!tableText || extra.length > 0) throw new UsageError(`expected one table\nUsage: ${USAGE}`);
    const { key, namespace, name } = tableArg(tableText);
    const limitText = args.values.get('n') ?? '20';
    if (!/^\d+$/.test(limitText) || Number(limitText) < 1) throw new UsageError(`-n takes a positive number of rows, not '${limitText}'`);
    const snapshotText = args.values.get('snapshot');
    if (snapshotText !== undefined && !/^\d+$/.test(snapshotText)) throw new UsageError(`--snapshot takes a snapshot id, not '${snapshotText}'`);
    const ref = await refFor(ctx, args.values.get('ref'));
    const client = new IcebergRestClient({ url: ctx.client.baseUrl, warehouse: ref, fetch: (url, init) => ctx.client.fetchAuthorized(url, init) });
    try {
      const loaded = await client.loadTable(namespace, name);
      const storage = await tableStore(loaded.metadata.location, loaded.config);
      try {
        const result = await headRows(loaded.metadata, storage.store, {
          limit: Number(limitText),
          snapshotId: snapshotText === undefined ? undefined : BigInt(snapshotText),
          columns: args.values.get('columns')?.split(',').map((c) => c.trim()).filter(Boolean),
        });
        const rows = result.rows.map((r) => Object.fromEntries(result.schema.map((f) => [f.name, valueToJson(f.type, r[f.name])])));
        if (ctx.json) {
          ctx.out(jsonOutput({ table: formatKey(key), ref, snapshotId: result.snapshotId === undefined ? null : String(result.snapshotId), rows }));
          return EXIT.OK;
        }
        const cell = (v: unknown) => (v === null ? 'null' : typeof v === 'string' ? v : stringifyJson(v));
        ctx.out(table(result.schema.map((f) => f.name), rows.map((r) => result.schema.map((f) => cell(r[f.name])))));
        const snapshot = result.snapshotId === undefined ? 'no snapshot yet' : `snapshot ${result.snapshotId}`;
        ctx.err(`${plural(rows.length, 'row')} of ${formatKey(key)} on ${ref} (${snapshot}; ${result.filesRead} of ${plural(result.filesTotal, 'data file')} read)\n`);
        return EXIT.OK;
      } finally {
        storage.close();
      }
    } catch (err) {
      if (err instanceof RestError) throw new ApiError(err.status, err.type, err.message);
      if (err instanceof UnsupportedDeletesError || err instanceof ObjectStoreError) throw new OperationFailedError(err.message);
      if (err instanceof Error && /^No (column|snapshot)/.test(err.message)) throw new UsageError(err.message);
      throw err;
    }
  },
};
