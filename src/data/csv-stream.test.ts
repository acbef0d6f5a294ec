import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCsvStream } from './csv-stream.js';
import { readInput, rowsFor } from './inputs.js';
import type { Schema } from '../iceberg/model.js';

const dir = mkdtempSync(join(tmpdir(), 'lakecat-csv-'));
const file = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};
const all = async (path: string, chunkRows: number) => {
  const stream = await openCsvStream(path);
  const chunks = [];
  for await (const c of stream.chunks(chunkRows)) chunks.push(c);
  return { stream, chunks };
};

describe('CSV read as a stream', () => {
  it('cuts blocks only outside quotes: a quoted field with newlines across a 4 MiB block boundary', async () => {
    const long = 'x'.repeat(3 * 1024 * 1024);
    const text = `id,note\n${Array.from({ length: 3 }, (_, i) => `${i},"${long}\n""${i}"" ${long}"`).join('\n')}\r\n`;
    const { chunks } = await all(file('big.csv', text), 2);
    expect((chunks.flatMap((c) => c.records) as string[][]).map((r) => [r[0], r[1].length, r[1].slice(long.length, long.length + 6)])).toEqual([
      ['0', 2 * long.length + 5, '\n"0" x'],
      ['1', 2 * long.length + 5, '\n"1" x'],
      ['2', 2 * long.length + 5, '\n"2" x'],
    ]);
  });


  it('gives the same records as the whole-file reader, in chunks, quoted newlines and a BOM included', async () => {
    const text = '\ufeffid,note\n1,"two\nlines"\n\n2,"say ""hi"""\n3,\n4,last\n';
    const path = file('a.csv', text);
    const { stream, chunks } = await all(path, 2);
    expect(stream.columns).toEqual(['id', 'note']);
    expect(stream.size).toBe(Buffer.byteLength(text));
    expect(chunks.map((c) => c.records.length)).toEqual([2, 2]);
    expect(chunks[0].columns).toEqual(['id', 'note']);
    expect(chunks.flatMap((c) => c.records)).toEqual(readInput('a.csv', text, 'csv').records);
  });

  it('names the line of a bad value in a later chunk, counting quoted newlines and blank lines', async () => {
    const path = file('b.csv', 'id,note,n\n1,"x\ny",1\n\n2,,5\n3,,7\n4,,oops\n');
    const { chunks } = await all(path, 2);
    const schema: Schema = { type: 'struct', schemaId: 0, fields: [{ id: 1, name: 'id', required: true, type: 'long' }, { id: 2, name: 'note', required: false, type: 'string' }, { id: 3, name: 'n', required: false, type: 'long' }] };
    expect(rowsFor(schema, chunks[0])).toHaveLength(2);
    expect(() => rowsFor(schema, chunks[1])).toThrow(`${path}:7: column n: expected a 64-bit integer, got "oops"`);
  });

  it('refuses a record of the wrong length with its line, and reads a header-only file as no records', async () => {
    await expect(all(file('c.csv', 'a,b\n1,2\n3\n'), 10)).rejects.toThrow(/c\.csv:3: expected 2 fields as in the header, got 1$/);
    await expect(all(file('q.csv', 'a,b\n1,"open\n2,3\n'), 10)).rejects.toThrow(/q\.csv: Quote Not Closed/);
    const { stream, chunks } = await all(file('d.csv', 'a,b\n'), 10);
    expect(stream.columns).toEqual(['a', 'b']);
    expect(chunks).toEqual([]);
  });

  it('reads plain blocks (ASCII, no quotes, no CR) as bytes: the same records, blank lines skipped, a last line without newline', async () => {
    const text = '\n\nid,note,n\n1,a,10\n\n2,,\n3,ccc,30\n4,d,-4';
    const path = file('plain.csv', text);
    const { stream, chunks } = await all(path, 2);
    expect(stream.columns).toEqual(['id', 'note', 'n']);
    expect(chunks.every((c) => c.block !== undefined)).toBe(true);
    // The first block ends at the last newline read; the last line comes with the end of the file.
    expect(chunks.map((c) => c.block!.count)).toEqual([2, 1, 1]);
    expect(chunks.flatMap((c) => c.records)).toEqual(readInput('plain.csv', text, 'csv').records);
    const schema: Schema = { type: 'struct', schemaId: 0, fields: [{ id: 1, name: 'id', required: true, type: 'long' }, { id: 2, name: 'note', required: false, type: 'string' }, { id: 3, name: 'n', required: false, type: 'long' }] };
    expect(chunks[1].where(0)).toBe(`${path}:7`);
    expect(() => rowsFor(schema, { ...chunks[2], records: [['4', 'd', 'x']] })).toThrow(`${path}:8: column n: expected a 64-bit integer, got "x"`);
    await expect(all(file('plain-bad.csv', 'a,b\n1,2\n\n3,4,5\n'), 10)).rejects.toThrow(/plain-bad\.csv:4: expected 2 fields as in the header, got 3$/);
  });

  it('switches between plain blocks and parsed ones within a file (a quote, a non-ASCII letter later on)', async () => {
    const plain = Array.from({ length: 20_000 }, (_, i) => `${i},n${i}`).join('\n');
    const text = `id,note\n${plain}\n1,"quoted, with a comma"\n${plain}\n2,grüße\n${plain}\n`;
    const path = file('mixed.csv', text);
    const { chunks } = await all(path, 4_096);
    expect(chunks.some((c) => c.block) && chunks.some((c) => !c.block)).toBe(true);
    expect(chunks.flatMap((c) => c.records)).toEqual(readInput('mixed.csv', text, 'csv').records);
  });
});
