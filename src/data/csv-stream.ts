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
import { isAscii } from 'node:buffer';
import { csvParseRows } from 'd3-dsv';
import { parse as parseSync } from 'csv-parse/sync';
import { InputError, type CsvBlock, type Input } from './inputs.js';

export interface CsvStream {
  file: string;
  format: 'csv';
  /** The header's column names (read when the stream is opened). */
  columns: string[];
  /** The file's size in bytes, for progress. */
  size: number;
  /**
   * The records after the header, `chunkRows` at a time (by default 4,096 records parsed into
   * strings, or up to a whole block of a plain block's records: no string per field is kept, and
   * fewer, larger batches go to the encoder); `onBytes` hears how far the file was read.
   */
  chunks(chunkRows?: number, onBytes?: (bytesRead: number) => void): AsyncGenerator<Input>;
}

/** Bytes read at a time. */
const BLOCK = 1 << 18;
const QUOTE = 0x22;
const NEWLINE = 0x0a;
const CR = 0x0d;
const COMMA = 0x2c;

/** Opens `file` and reads its header row. */
export async function openCsvStream(file: string): Promise<CsvStream> {
  const { size } = await stat(file);
  let columns: string[] = [];
  for await (const block of blocks(file)) {
    const rows = 'rows' in block ? block.rows : splitLines(block.bytes);
    const first = rows.find((r) => !isBlank(r));
    if (first) {
      columns = first;
      break;
    }
  }
  return { file, format: 'csv', columns, size, chunks: (chunkRows, onBytes) => records(file, columns, chunkRows, onBytes) };
}

function isBlank(row: string[]): boolean {
  return row.length === 1 && row[0] === '';
}

/**
 * The file's rows, a block at a time: parsed into strings, or, for a block of plain ASCII with no
 * quote and no carriage return (most machine-written CSV), left as bytes whose fields are found
 * by their commas (`plainRecords`), without a string per field.
 */
async function* blocks(file: string, onBytes?: (n: number) => void): AsyncGenerator<{ rows: string[][] } | { bytes: Buffer }> {
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
      const block = data.subarray(0, cut);
      if (block.indexOf(QUOTE) < 0 && block.indexOf(CR) < 0 && isAscii(block)) {
        first = false;
        yield { bytes: block };
        if (eof) return;
        continue;
      }
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

async function* records(file: string, columns: string[], rows: number | undefined, onBytes?: (n: number) => void): AsyncGenerator<Input> {
  const chunkRows = rows ?? 4_096;
  const plainRows = rows ?? 16_384;
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
  for await (const block of blocks(file, onBytes)) {
    if ('bytes' in block) {
      if (header) {
        // The header is read as strings; the records after it in this block as bytes.
        const at = headerEnd(block.bytes);
        if (at < 0) continue; // only blank lines so far
        header = false;
        block.bytes = block.bytes.subarray(at);
      }
      if (batch.length > 0) {
        yield input(batch, first);
        first = count;
        batch = [];
      }
      const before = count;
      const plain = plainRecords(block.bytes, width, (k) => lineOf(before + k));
      for (let from = 0; from < plain.count; from += plainRows) {
        const offset = count;
        const part = plainInput(file, columns, plain, from, Math.min(plain.count, from + plainRows), (i) => lineOf(offset + i));
        count += part.block!.count;
        yield part;
      }
      first = count;
      continue;
    }
    const { rows } = block;
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

/** Rows of an ASCII block with no quotes, as strings (the header, blank-line checks). */
function splitLines(bytes: Buffer): string[][] {
  const text = bytes.toString('latin1');
  return (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n').map((line) => line.split(','));
}

/** The index after the first line that is not blank (the header), or -1 when there is none in `bytes`. */
function headerEnd(bytes: Buffer): number {
  for (let start = 0; start < bytes.length; ) {
    const nl = bytes.indexOf(NEWLINE, start);
    const end = nl < 0 ? bytes.length : nl;
    if (end > start) return nl < 0 ? bytes.length : nl + 1;
    start = end + 1;
  }
  return -1;
}

/**
 * The records of a plain block (ASCII, no quotes, no carriage returns): for record i, its fields
 * start at `bounds[i * (width + 1) + c]` and end one byte before the next start (the comma or the
 * newline). Blank lines are skipped; a record with another number of fields than the header is refused.
 */
function plainRecords(bytes: Buffer, width: number, lineOf: (k: number) => string): CsvBlock {
  const stride = width + 1;
  let bounds = new Int32Array(stride * 1024);
  let count = 0;
  const n = bytes.length;
  for (let start = 0; start < n; ) {
    let end = bytes.indexOf(NEWLINE, start);
    if (end < 0) end = n;
    if (end === start) {
      start = end + 1; // a blank line
      continue;
    }
    if ((count + 1) * stride > bounds.length) {
      const grown = new Int32Array(bounds.length * 2);
      grown.set(bounds);
      bounds = grown;
    }
    let at = count * stride;
    bounds[at++] = start;
    let fields = 1;
    for (let i = start; i < end; i++) {
      if (bytes[i] === COMMA) {
        if (fields < width) bounds[at] = i + 1;
        at++;
        fields++;
      }
    }
    if (fields !== width) throw new InputError(`${lineOf(count)}: expected ${width} fields as in the header, got ${fields}`);
    bounds[at] = end + 1;
    count++;
    start = end + 1;
  }
  return { bytes, width, bounds, count, from: 0 };
}

/** Records `from` to `to` of a plain block as an Input; `records` (strings) is made only if something asks for it. */
function plainInput(file: string, columns: string[], all: CsvBlock, from: number, to: number, where: (i: number) => string): Input {
  const block: CsvBlock = { ...all, from, count: to - from };
  let records: string[][] | undefined;
  return {
    file,
    format: 'csv',
    columns,
    text: true,
    where,
    block,
    get records() {
      return (records ??= blockRecords(block));
    },
  };
}

function blockRecords(block: CsvBlock): string[][] {
  const { bytes, width, bounds } = block;
  const stride = width + 1;
  const out: string[][] = new Array(block.count);
  for (let i = 0; i < block.count; i++) {
    const at = (block.from + i) * stride;
    const row: string[] = new Array(width);
    for (let c = 0; c < width; c++) row[c] = bytes.toString('latin1', bounds[at + c], bounds[at + c + 1] - 1);
    out[i] = row;
  }
  return out;
}
