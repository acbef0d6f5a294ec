/**
 * `lakecat cdc apply TABLE FILE...|-`: Debezium change events (NDJSON or a JSON array, from files
 * or standard input) applied to a table on a branch as one snapshot, exactly once per source
 * position (src/data/cdc.ts).
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { applyChanges, type CdcMode } from '../data/cdc.js';
import { readDebeziumEvents, type ChangeEvent } from '../data/debezium.js';
import { InputError } from '../data/inputs.js';
import { ValueError } from '../data/arrow-build.js';
import { CommitStateUnknownError } from '../data/append.js';
import { UnsupportedDeletesError } from '../data/read-rows.js';
import { IcebergRestClient, RestError } from '../data/rest-client.js';
import { ObjectStoreError } from '../io/port.js';
import type { Command } from './command.js';
import { ApiError, EXIT, OperationFailedError, UsageError } from './errors.js';
import { formatKey, jsonOutput, plural } from './format.js';
import { tableArg } from './catalog.js';

const USAGE = 'lakecat cdc apply TABLE FILE...|- [--key COL[,COL]] [--ref BRANCH] [--mode cow|equality] [--source-id ID] [--json]';

export const cdcCommand: Command = {
  name: 'cdc',
  summary: 'Apply Debezium change events to a table on a branch as one snapshot, exactly once per source position',
  usage: USAGE,
  options: [
    { name: 'key', kind: 'value' },
    { name: 'ref', kind: 'value' },
    { name: 'mode', kind: 'value' },
    { name: 'source-id', kind: 'value' },
  ],
  async run(ctx, args) {
    const [verb, tableText, ...files] = args.positionals;
    if (verb !== 'apply') throw new UsageError(`${verb === undefined ? 'a subcommand is needed' : `unknown subcommand '${verb}'`}\nUsage: ${USAGE}`);
    if (!tableText || files.length === 0) throw new UsageError(`expected a table and at least one file (- for standard input)\nUsage: ${USAGE}`);
    const { key, namespace, name } = tableArg(tableText);
    const mode = args.values.get('mode') ?? 'cow';
    if (mode !== 'cow' && mode !== 'equality') throw new UsageError(`--mode takes cow or equality, not '${mode}'`);
    const keyColumns = args.values.get('key')?.split(',').map((c) => c.trim()).filter(Boolean);
    const sourceId = args.values.get('source-id');
    if (sourceId !== undefined && sourceId.trim() === '') throw new UsageError('--source-id takes a non-empty name');
    const events: ChangeEvent[] = [];
    for (const file of files) {
      let text: string;
      try {
        text = file === '-' ? await readStdin() : await readFile(file, 'utf8');
      } catch (err) {
        throw new UsageError(`cannot read ${file}: ${(err as Error).message}`);
      }
      try {
        events.push(...readDebeziumEvents(file === '-' ? 'stdin' : file, text));
      } catch (err) {
        if (err instanceof InputError) throw new OperationFailedError(`${err.message}\nnothing was committed`);
        throw err;
      }
    }
    if (events.length === 0) throw new OperationFailedError('Nothing to apply: the input holds no change events\nnothing was committed');
    const branch = args.values.get('ref') ?? (await ctx.client.config()).defaultBranch;
    const client = new IcebergRestClient({ url: ctx.client.baseUrl, warehouse: branch, fetch: (url, init) => ctx.client.fetchAuthorized(url, init) });
    try {
      const result = await applyChanges({ client, namespace, table: name, events, key: keyColumns, mode: mode as CdcMode, sourceId, newId: randomUUID });
      if (ctx.json) {
        ctx.out(
          jsonOutput({
            table: formatKey(key),
            branch,
            snapshotId: result.snapshotId === undefined ? null : String(result.snapshotId),
            source: result.sourceId,
            position: result.position ?? null,
            applied: result.applied,
            skipped: result.skipped,
            upserted: result.upserted,
            deleted: result.deleted,
            truncated: result.truncated,
            rewrittenFiles: result.rewrittenFiles,
            dataFiles: result.dataFiles.map((f) => f.filePath),
            deleteFiles: result.deleteFiles.map((f) => f.filePath),
            attempts: result.attempts,
          }),
        );
      } else if (result.snapshotId === undefined) {
        ctx.out(`nothing to apply to ${formatKey(key)} on ${branch}: all ${plural(result.skipped, 'event')} of ${result.sourceId} are applied already (up to ${result.position})\n`);
      } else {
        const parts = [
          `${plural(result.upserted, 'row')} written`,
          `${plural(result.deleted, 'key')} deleted`,
          result.truncated ? 'truncated first' : '',
          mode === 'cow' ? `${plural(result.rewrittenFiles, 'file')} rewritten` : `${plural(result.deleteFiles.length, 'equality-delete file')}`,
          result.skipped > 0 ? `${plural(result.skipped, 'event')} skipped as applied before` : '',
        ].filter(Boolean);
        ctx.out(
          `applied ${plural(result.applied, 'change event')} of ${result.sourceId} to ${formatKey(key)} on ${branch}: ${parts.join(', ')} (snapshot ${result.snapshotId}${result.position ? `, position ${result.position}` : ''})\n`,
        );
      }
      return EXIT.OK;
    } catch (err) {
      if (err instanceof InputError || err instanceof ValueError) throw new OperationFailedError(`${err.message}\nnothing was committed`);
      if (err instanceof CommitStateUnknownError) throw new OperationFailedError(err.message);
      if (err instanceof UnsupportedDeletesError || err instanceof ObjectStoreError) throw new OperationFailedError(`${err.message}\nnothing was committed`);
      if (err instanceof RestError) throw new ApiError(err.status, err.type, err.message);
      throw err;
    }
  },
};

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
