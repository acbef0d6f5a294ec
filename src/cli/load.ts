/**
 * `lakecat load TABLE FILE...`: rows from CSV / JSON / NDJSON files appended to a table on a
 * branch as one snapshot, written by this client (Parquet data files, manifest, manifest list)
 * and committed through the Iceberg REST API like any engine (src/data).
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { loadInputs } from '../data/load.js';
import { formatOf, InputError, readInput, type Input } from '../data/inputs.js';
import { readArrowInput, readParquetInput } from '../data/arrow-input.js';
import { ValueError } from '../data/arrow-build.js';
import { CommitStateUnknownError } from '../data/append.js';
import { IcebergRestClient, RestError } from '../data/rest-client.js';
import { ObjectStoreError } from '../io/port.js';
import type { Command } from './command.js';
import { ApiError, EXIT, OperationFailedError, UsageError } from './errors.js';
import { formatKey, jsonOutput, plural } from './format.js';
import { tableArg } from './catalog.js';

const USAGE = 'lakecat load TABLE FILE... [--ref BRANCH] [--mode append|overwrite] [--create] [--evolve] [--format csv|json|ndjson|parquet|arrow] [--json]';

export const loadCommand: Command = {
  name: 'load',
  summary: 'Append rows from CSV, JSON, NDJSON, Parquet or Arrow IPC files to a table on a branch, as one snapshot',
  usage: USAGE,
  options: [
    { name: 'ref', kind: 'value' },
    { name: 'create', kind: 'flag' },
    { name: 'evolve', kind: 'flag' },
    { name: 'format', kind: 'value' },
    { name: 'mode', kind: 'value' },
  ],
  async run(ctx, args) {
    const [tableText, ...files] = args.positionals;
    if (!tableText || files.length === 0) throw new UsageError(`expected a table and at least one file\nUsage: ${USAGE}`);
    const { key, namespace, name } = tableArg(tableText);
    const mode = args.values.get('mode') ?? 'append';
    if (mode !== 'append' && mode !== 'overwrite') throw new UsageError(`--mode takes append or overwrite, not '${mode}'`);
    const inputs: Input[] = [];
    for (const file of files) {
      let bytes: Buffer;
      try {
        bytes = await readFile(file);
      } catch (err) {
        throw new UsageError(`cannot read ${file}: ${(err as Error).message}`);
      }
      inputs.push(readInputOrFail(file, bytes, args.values.get('format')));
      if (!ctx.json && process.stderr.isTTY) ctx.err(`read ${file}: ${plural(inputs.at(-1)!.records.length, 'record')}\n`);
    }
    // Asked after the files are read: reading a big file keeps the event loop busy for seconds.
    const branch = args.values.get('ref') ?? (await ctx.client.config()).defaultBranch;
    const client = new IcebergRestClient({ url: ctx.client.baseUrl, warehouse: branch, fetch: (url, init) => ctx.client.fetchAuthorized(url, init) });
    try {
      const result = await loadInputs({
        client,
        namespace,
        table: name,
        inputs,
        create: args.flags.has('create'),
        evolve: args.flags.has('evolve'),
        mode,
        newId: randomUUID,
      });
      if (ctx.json) {
        ctx.out(
          jsonOutput({
            table: formatKey(key),
            branch,
            snapshotId: String(result.snapshotId),
            addedRecords: String(result.addedRecords),
            dataFiles: result.dataFiles.map((f) => f.filePath),
            created: result.created,
            addedColumns: result.addedColumns,
            attempts: result.attempts,
          }),
        );
      } else {
        const notes = [result.created ? 'created the table' : '', result.addedColumns.length ? `added ${result.addedColumns.join(', ')}` : ''].filter(Boolean);
        const what =
          mode === 'overwrite'
            ? `replaced the rows of ${formatKey(key)} on ${branch} with ${plural(Number(result.addedRecords), 'row')}`
            : `loaded ${plural(Number(result.addedRecords), 'row')} into ${formatKey(key)} on ${branch}`;
        ctx.out(`${what} in ${plural(result.dataFiles.length, 'data file')} (snapshot ${result.snapshotId})${notes.length ? `; ${notes.join(', ')}` : ''}\n`);
      }
      return EXIT.OK;
    } catch (err) {
      if (err instanceof InputError || err instanceof ValueError) throw new OperationFailedError(`${err.message}\nnothing was committed`);
      if (err instanceof CommitStateUnknownError) throw new OperationFailedError(err.message);
      if (err instanceof RestError) throw new ApiError(err.status, err.type, err.message);
      if (err instanceof ObjectStoreError) throw new OperationFailedError(`${err.message}\nnothing was committed`);
      throw err;
    }
  },
};

function readInputOrFail(file: string, bytes: Buffer, format: string | undefined): Input {
  try {
    const f = formatOf(file, format);
    if (f === 'parquet') return readParquetInput(file, new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length));
    if (f === 'arrow') return readArrowInput(file, new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length));
    return readInput(file, bytes.toString('utf8'), f);
  } catch (err) {
    if (err instanceof InputError) throw new OperationFailedError(`${err.message}\nnothing was committed`);
    throw err;
  }
}
