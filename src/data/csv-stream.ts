/**
 * A CSV file read as it streams, for `lakecat load`: the file is read in blocks, each block cut
 * after its last row end that lies outside quotes (an even number of `"` before it: escaped
 * quotes come in pairs), and the rows of that text parsed by d3-dsv's RFC 4180 parser (quoted
 * fields, `""` escapes, newlines in quotes, CRLF). Records go on in chunks (an `Input` each, with
 * the header's columns), so memory holds one block and one chunk rather than the whole file.
 *
 * Checked here, as a strict reader should: every record has the header's number of fields (a
 * blank line is skipped), and the file does not end inside a quoted field. The line of a record
 * is worked out only when one is reported: csv-parse reads the file again up to it (errors are
 * rare, and its per-record line info costs more than the parse itself).
 */
import { open, stat } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { csvParseRows } from 'd3-dsv';
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

/** Bytes read at a time. */
const BLOCK = 1 << 18;
const QUOTE = 0x22;
const NEWLINE = 0x0a;

/** Opens `file` and reads its header row. */
export async function openCsvStream(file: string): Promise<CsvStream> {
  const { size } = await stat(file);
  let columns: string[] = [];
  for await (const { rows } of blocks(file)) {
    const first = rows.find((r) => !isBlank(r));
    if (first) {
      columns = first;
      break;
    }
  }
  return { file, format: 'csv', columns, size, chunks: (chunkRows = 4_096, onBytes) => records(file, columns, chunkRows, onBytes) };
}

function isBlank(row: string[]): boolean {
  return row.length === 1 && row[0] === '';
}

/** The file's rows, parsed a block at a time. */
async function* blocks(file: string, onBytes?: (n: number) => void): AsyncGenerator<{ rows: string[][] }> {
  const handle = await open(file, 'r');
  try {
    let carry: Buffer = Buffer.alloc(0);
    let read = 0;
    let first = true;
    for (;;) {
      const buffer = Buffer.allocUnsafe(BLOCK);
      const { bytesRead } = await handle.read(buffer, 0, BLOCK, null);
      read += bytesRead;
      onBytes?.(read);
      const eof = bytesRead === 0;
      const data = carry.length === 0 ? buffer.subarray(0, bytesRead) : Buffer.concat([carry, buffer.subarray(0, bytesRead)]);
      if (data.length === 0) return;
      const cut = eof ? data.length : lastRowEnd(data);
      if (eof && quotesOpen(data)) throw new InputError(`${file}: Quote Not Closed: the file ends inside a quoted field`);
      if (cut < 0) {
        carry = data; // no row ends in this block outside quotes: read on
        continue;
      }
      carry = Buffer.from(data.subarray(cut));
      let text = data.toString('utf8', 0, cut);
      if (first && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
      yield { rows: csvParseRows(text) };
      if (eof) return;
    }
  } finally {
    await handle.close();
  }
}

/** The index after the last `\n` outside quotes (the block starts outside quotes), or -1. */
function lastRowEnd(data: Buffer): number {
  // Most blocks hold no quote at all: the last newline ends a row.
  if (data.indexOf(QUOTE) < 0) return data.lastIndexOf(NEWLINE) + 1 || -1;
  let inQuotes = false;
  let last = -1;
  for (let i = 0; i < data.length; i++) {
    const c = data[i];
    if (c === QUOTE) inQuotes = !inQuotes;
    else if (c === NEWLINE && !inQuotes) last = i + 1;
  }
  return last;
}

function quotesOpen(data: Buffer): boolean {
  let open = false;
  for (let i = data.indexOf(QUOTE); i >= 0; i = data.indexOf(QUOTE, i + 1)) open = !open;
  return open;
}

async function* records(file: string, columns: string[], chunkRows: number, onBytes?: (n: number) => void): AsyncGenerator<Input> {
  let lines: number[] | undefined;
  const lineOf = (i: number): string => {
    try {
      lines ??= (parseSync(readFileSync(file), { bom: true, skip_empty_lines: true, relax_column_count: true, relax_quotes: true, info: true }) as unknown as { info: { lines: number } }[]).slice(1).map((r) => r.info.lines);
      return `${file}:${lines[i]}`;
    } catch {
      return `${file}:record ${i + 1}`;
    }
  };
  let header = true;
  let count = 0;
  let batch: string[][] = [];
  let first = 0;
  const width = columns.length;
  const input = (records: string[][], offset: number): Input => ({ file, format: 'csv', columns, records, text: true, where: (i) => lineOf(offset + i) });
  for await (const { rows } of blocks(file, onBytes)) {
    for (const row of rows) {
      if (isBlank(row)) continue;
      if (header) {
        header = false;
        continue;
      }
      if (row.length !== width) throw new InputError(`${lineOf(count)}: expected ${width} fields as in the header, got ${row.length}`);
      batch.push(row);
      count++;
      if (batch.length >= chunkRows) {
        yield input(batch, first);
        first = count;
        batch = [];
      }
    }
  }
  if (batch.length > 0) yield input(batch, first);
}
