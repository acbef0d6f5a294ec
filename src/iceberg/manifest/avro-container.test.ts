import { deflateRawSync, inflateRawSync } from 'node:zlib';
import avsc from 'avsc';
import { describe, expect, it } from 'vitest';
import { readAvroFile, readAvroHeader, writeAvroFile } from './avro-container.js';
import { bigintLongType } from './avro-long.js';
import { InvalidAvroFileError } from './errors.js';

const schema = {
  type: 'record',
  name: 'thing',
  fields: [
    { name: 'id', type: 'long', 'field-id': 1 },
    { name: 'name', type: ['null', 'string'], default: null, 'field-id': 2 },
    { name: 'tags', type: ['null', { type: 'array', items: 'int', 'element-id': 4 }], default: null, 'field-id': 3 },
  ],
};
const schemaText = JSON.stringify(schema);
const sync = Uint8Array.from({ length: 16 }, (_, i) => i * 7);

describe('Avro object container files', () => {
  it('keeps the field ids of the schema in the header, which an avsc Type would drop', () => {
    // The trap this module exists for: a parsed type forgets unknown attributes.
    expect(JSON.stringify(avsc.Type.forSchema(schema as avsc.Schema).schema())).not.toContain('field-id');

    const bytes = writeAvroFile(schemaText, {}, [{ id: 1n, name: null, tags: null }]);
    const header = readAvroHeader(bytes);
    expect(header.schemaText).toBe(schemaText);
    const parsed = JSON.parse(header.schemaText);
    expect(parsed.fields.map((f: { 'field-id': number }) => f['field-id'])).toEqual([1, 2, 3]);
    expect(parsed.fields[2].type[1]['element-id']).toBe(4);
  });

  it('round-trips records, metadata and 64-bit longs exactly', () => {
    const records = [
      { id: 9223372036854775807n, name: 'max', tags: [1, 2] },
      { id: -9223372036854775808n, name: null, tags: null },
      { id: 9007199254740993n, name: 'above 2^53', tags: [] },
    ];
    const bytes = writeAvroFile(schemaText, { 'snapshot-id': '1', empty: '' }, records, { syncMarker: sync });
    const file = readAvroFile(bytes);
    expect(file.codec).toBe('null');
    expect(file.metadata).toEqual({ 'snapshot-id': '1', empty: '' });
    expect(file.records.map((r) => ({ ...(r as object) }))).toEqual(records);
  });

  it('is readable by avsc itself (an independent decoder of the container format)', async () => {
    const bytes = writeAvroFile(schemaText, { k: 'v' }, [{ id: 5n, name: 'x', tags: [3] }]);
    const decoded: unknown[] = [];
    await new Promise<void>((resolve, reject) => {
      const decoder = new avsc.streams.BlockDecoder({
        parseHook: (s: unknown) =>
          avsc.Type.forSchema(s as avsc.Schema, { typeHook: (t) => (t === 'long' ? bigintLongType : undefined) }),
      } as never);
      decoder.on('data', (r: unknown) => decoded.push(r));
      decoder.on('end', () => resolve());
      decoder.on('error', reject);
      decoder.end(Buffer.from(bytes));
    });
    expect(decoded).toHaveLength(1);
    expect({ ...(decoded[0] as object) }).toEqual({ id: 5n, name: 'x', tags: [3] });
  });

  it('writes the header as avsc encodes one: long and unicode metadata, lengths of several varint bytes', () => {
    const metadata = { 'ключ-é': 'v', long: 'x'.repeat(20_000), mid: 'y'.repeat(200) };
    const bytes = writeAvroFile(schemaText, metadata, [], { syncMarker: sync });
    const header = avsc.Type.forSchema({
      type: 'record',
      name: 'Header',
      fields: [
        { name: 'magic', type: { type: 'fixed', name: 'Magic', size: 4 } },
        { name: 'meta', type: { type: 'map', values: 'bytes' } },
        { name: 'sync', type: { type: 'fixed', name: 'Sync', size: 16 } },
      ],
    });
    const meta = { ...Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k, Buffer.from(v)])), 'avro.schema': Buffer.from(schemaText), 'avro.codec': Buffer.from('null') };
    expect(Buffer.from(bytes).equals(header.toBuffer({ magic: Buffer.from('Obj\x01', 'latin1'), meta, sync: Buffer.from(sync) }))).toBe(true);
    expect(readAvroHeader(bytes).metadata).toEqual(metadata);
  });

  it('writes with a caller-supplied codec and reads deflate without one', () => {
    const records = Array.from({ length: 500 }, (_, i) => ({ id: BigInt(i), name: `file-${i % 7}`, tags: [i % 3] }));
    const bytes = writeAvroFile(schemaText, {}, records, {
      codec: { name: 'deflate', compress: (d) => deflateRawSync(d) },
    });
    const plain = writeAvroFile(schemaText, {}, records);
    expect(bytes.length).toBeLessThan(plain.length / 2);
    const file = readAvroFile(bytes);
    expect(file.codec).toBe('deflate');
    expect(file.records).toHaveLength(500);
    expect({ ...(file.records[499] as object) }).toEqual(records[499]);
    // A caller may also bring its own decompressor for any codec name.
    const viaZlib = readAvroFile(bytes, { decompressors: { deflate: (d) => inflateRawSync(d) } });
    expect(viaZlib.records).toHaveLength(500);
  });

  it('splits many records into several blocks', () => {
    const records = Array.from({ length: 40_000 }, (_, i) => ({ id: BigInt(i), name: 'x'.repeat(40), tags: null }));
    const bytes = writeAvroFile(schemaText, {}, records, { syncMarker: sync });
    let markers = 0;
    const buf = Buffer.from(bytes);
    for (let at = buf.indexOf(Buffer.from(sync)); at >= 0; at = buf.indexOf(Buffer.from(sync), at + 1)) markers++;
    expect(markers).toBeGreaterThan(2); // the header's marker plus one per block
    expect(readAvroFile(bytes).records).toHaveLength(40_000);
  });

  it('rejects files that are not Avro, are cut short, or mix sync markers', () => {
    expect(() => readAvroFile(new TextEncoder().encode('{"not":"avro"}'))).toThrow(InvalidAvroFileError);
    const bytes = writeAvroFile(schemaText, {}, [{ id: 1n, name: 'a', tags: null }], { syncMarker: sync });
    expect(() => readAvroFile(bytes.subarray(0, bytes.length - 3))).toThrow(InvalidAvroFileError);
    const tampered = Uint8Array.from(bytes);
    tampered[tampered.length - 1] ^= 0xff;
    expect(() => readAvroFile(tampered)).toThrow(/sync marker/);
  });

  it('refuses an unknown codec unless a decompressor is supplied', () => {
    const bytes = writeAvroFile(schemaText, {}, [{ id: 1n, name: 'a', tags: null }], {
      codec: { name: 'snappy', compress: (d) => d },
    });
    expect(() => readAvroFile(bytes)).toThrow(/unsupported Avro codec: snappy/);
    expect(readAvroFile(bytes, { decompressors: { snappy: (d) => d } }).records).toHaveLength(1);
  });

  it('says where a record does not fit the schema', () => {
    expect(() => writeAvroFile(schemaText, {}, [{ id: 5, name: 'a', tags: null }])).toThrow(
      /Cannot encode record at id/,
    );
  });

  it('does not let metadata overwrite the reserved avro.* keys', () => {
    expect(() => writeAvroFile(schemaText, { 'avro.codec': 'null' }, [])).toThrow(/reserved/);
  });
});
