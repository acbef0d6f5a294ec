/**
 * `lakecat show NAME`: a table (or, failing that, a view) as of a reference, read through the
 * Iceberg REST API.
 */
import type { JsonObject, JsonValue } from '../iceberg/json.js';
import { expectPositionals } from './args.js';
import { REF_OPTION, refFor, tableArg } from './catalog.js';
import type { Command } from './command.js';
import { ApiError, EXIT } from './errors.js';
import { formatKey, jsonOutput } from './format.js';
import { objectOr } from './metadata-text.js';
import { renderTable } from './show-table.js';
import { renderView } from './show-view.js';

export const showCommand: Command = {
  name: 'show',
  summary: 'Show a table (schema, partition spec, snapshots, refs, metadata history) or a view',
  usage: 'lakecat show NAME [--ref REF]     NAME like db.orders or db.sales.orders',
  options: [REF_OPTION],
  async run(ctx, args) {
    const [nameText] = expectPositionals(args, 1, 1, this.usage);
    const { key, namespace, name } = tableArg(nameText);
    const ref = await refFor(ctx, args.values.get('ref'));

    let kind: 'table' | 'view' = 'table';
    let loaded: JsonObject;
    try {
      loaded = await ctx.client.loadTable(ref, namespace, name);
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 'NoSuchTableException')) throw err;
      try {
        loaded = await ctx.client.loadView(ref, namespace, name);
        kind = 'view';
      } catch (viewErr) {
        // Neither a table nor a view: the table error is the one the user asked about.
        if (viewErr instanceof ApiError && viewErr.code === 'NoSuchViewException') throw err;
        throw viewErr;
      }
    }
    // A load result's `config` can carry storage credentials; it is never printed.
    const metadata = objectOr(loaded.metadata);
    const location: JsonValue = loaded['metadata-location'] ?? null;
    if (ctx.json) {
      ctx.out(jsonOutput({ identifier: { namespace, name }, type: kind, ref, 'metadata-location': location, metadata }));
      return EXIT.OK;
    }
    const render = kind === 'table' ? renderTable : renderView;
    ctx.out(render(formatKey(key), ref, typeof location === 'string' ? location : undefined, metadata));
    return EXIT.OK;
  },
};
