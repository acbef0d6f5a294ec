/**
 * `lakecat load TABLE FILE...`: rows from CSV / JSON / NDJSON files appended to a table on a
 * branch as one snapshot, written by this client (Parquet data files, manifest, manifest list)
 * and committed through the Iceberg REST API like any engine (src/data).
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { loadInputs } from '../data/load.js';
import { formatOf, InputError, readInput, type Input } from '../data/inputs.js';
import { openCsvStream, type CsvStream } from '../data/csv-stream.js';
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
    const inputs: (Input | CsvStream)[] = [];
    for (const file of files) {
      let format: ReturnType<typeof formatOf>;
      try {
        format = formatOf(file, args.values.get('format'));
      } catch (err) {
        if (err instanceof InputError) throw new OperationFailedError(`${err.message}\nnothing was committed`);
        throw err;
      }
      if (format === 'csv') {
        // Streamed: read in chunks while the data files are written.
        try {
          inputs.push(await openCsvStream(file));
        } catch (err) {
          if (err instanceof InputError) throw new OperationFailedError(`${err.message}\nnothing was committed`);
          throw new UsageError(`cannot read ${file}: ${(err as Error).message}`);
        }
        continue;
      }
      let bytes: Buffer;
      try {
        bytes = await readFile(file);
      } catch (err) {
        throw new UsageError(`cannot read ${file}: ${(err as Error).message}`);
      }
      inputs.push(readInputOrFail(file, bytes, format));
    }
    const progress = !ctx.json && process.stderr.isTTY ? progressBar(ctx) : undefined;
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
        onProgress: progress?.update,
      });
      progress?.done();
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
      progress?.done();
      if (err instanceof InputError || err instanceof ValueError) throw new OperationFailedError(`${err.message}\nnothing was committed`);
      if (err instanceof CommitStateUnknownError) throw new OperationFailedError(err.message);
      if (err instanceof RestError) throw new ApiError(err.status, err.type, err.message);
      if (err instanceof ObjectStoreError) throw new OperationFailedError(`${err.message}\nnothing was committed`);
      throw err;
    }
  },
};

/** A one-line progress bar on stderr (a terminal only), redrawn at most ten times a second. */
function progressBar(ctx: { err(text: string): void }): { update: (done: number, total: number) => void; done: () => void } {
  let last = 0;
  let shown = false;
  return {
    update(done, total) {
      const now = Date.now();
      if (total <= 0 || now - last < 100) return;
      last = now;
      shown = true;
      const share = Math.min(1, done / total);
      const width = 30;
      const filled = Math.round(share * width);
      const mb = (n: number) => (n / 1_048_576).toFixed(1);
      ctx.err(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.floor(share * 100)).padStart(3)}% ${mb(done)} of ${mb(total)} MiB read`);
    },
    done() {
      if (shown) ctx.err('\r\x1b[K');
      shown = false;
    },
  };
}

function readInputOrFail(file: string, bytes: Buffer, f: ReturnType<typeof formatOf>): Input {
  try {
    if (f === 'parquet') return readParquetInput(file, new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length));
    if (f === 'arrow') return readArrowInput(file, new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length));
    return readInput(file, bytes.toString('utf8'), f);
  } catch (err) {
    if (err instanceof InputError) throw new OperationFailedError(`${err.message}\nnothing was committed`);
    throw err;
  }
}
