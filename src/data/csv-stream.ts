/**
 * A CSV file read as it streams, for `lakecat load` into an existing table: csv-parse's
 * streaming parser over the file, records handed on in chunks (an `Input` each, with the
 * header's columns), so that memory holds one chunk of text records at a time rather than the
 * whole file. The line of a record is worked out only when one is reported: the file is read
 * again up to it (errors are rare; per-record line info costs more than the parse itself).
 */
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { parse } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';
import { InputError, type Input } from './inputs.js';

export interface CsvStream {
  file: string;
  format: 'csv';
  /** The header's column names (read when the stream is opened). */
  columns: string[];
  /** The file's size in bytes, for progress. */
  size: number;
  /** The records after the header, `chunkRows` at a time; `onBytes` hears how far the file was read. */
  chunks(chunkRows?: number, onBytes?: (bytesRead: number) => void): AsyncGenerator<Input>;
}

const OPTIONS = { bom: true, skip_empty_lines: true } as const;

/** Opens `file` and reads its header row. */
export async function openCsvStream(file: string): Promise<CsvStream> {
  const size = statSync(file).size;
  let columns: string[] | undefined;
  for await (const chunk of records(file, 1, false)) {
    columns = chunk[0];
    break;
  }
  return {
    file,
    format: 'csv',
    columns: columns ?? [],
    size,
    chunks: (chunkRows = 65_536, onBytes) => inputs(file, columns ?? [], chunkRows, onBytes),
  };
}

async function* inputs(file: string, columns: string[], chunkRows: number, onBytes?: (n: number) => void): AsyncGenerator<Input> {
  let first = 0;
  let lines: number[] | undefined;
  const where = (i: number) => {
    lines ??= (parseSync(readFileSync(file), { ...OPTIONS, info: true }) as unknown as { info: { lines: number } }[]).slice(1).map((r) => r.info.lines);
    return `${file}:${lines[i]}`;
  };
  for await (const batch of records(file, chunkRows, true, onBytes)) {
    const offset = first;
    first += batch.length;
    yield { file, format: 'csv', columns, records: batch, text: true, where: (i) => where(offset + i) };
  }
}

/** The file's records (after the header when `skipHeader`) in arrays of at most `size`. */
async function* records(file: string, size: number, skipHeader: boolean, onBytes?: (n: number) => void): AsyncGenerator<string[][]> {
  const source = createReadStream(file, { highWaterMark: 1 << 20 });
  if (onBytes) source.on('data', () => onBytes(source.bytesRead));
  const parser = source.pipe(parse(OPTIONS));
  source.on('error', (err) => parser.destroy(err));
  let batch: string[][] = [];
  let skip = skipHeader;
  try {
    for await (const record of parser) {
      if (skip) {
        skip = false;
        continue;
      }
      batch.push(record as string[]);
      if (batch.length >= size) {
        yield batch;
        batch = [];
      }
    }
  } catch (err) {
    throw new InputError(`${file}: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    source.destroy();
  }
  if (batch.length > 0) yield batch;
}
