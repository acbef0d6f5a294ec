/**
 * Avro object container files, in memory. avsc's own container encoder writes the schema of
 * the Type object it is given, and a Type keeps no unknown attributes: the `field-id`s that
 * Iceberg readers resolve columns by would be lost. So the header here carries the caller's
 * schema JSON text verbatim, and the records are encoded with an avsc type parsed from it.
 */
import avsc from 'avsc';
import { ValidationError } from '../errors.js';
import { parseJson } from '../json.js';
import { avroType } from './avro-long.js';
import { InvalidAvroFileError } from './errors.js';
import { inflateRaw } from './inflate.js';
import type { FileMetadata } from './types.js';

/** A block compression codec for writing, e.g. `deflate` backed by zlib in an outer layer. */
export interface AvroCodec {
  /** The `avro.codec` name: `deflate`, `snappy`, `zstandard`, ... */
  name: string;
  compress(data: Uint8Array): Uint8Array;
}

/** Decompressors by `avro.codec` name, added to the built-in `null` and `deflate`. */
export type AvroDecompressors = Record<string, (data: Uint8Array) => Uint8Array>;

export interface AvroWriteOptions {
  /** Defaults to no compression (`null`), which every Avro reader accepts. */
  codec?: AvroCodec;
  /** 16 bytes; random when absent. Fixed only to make output reproducible in tests. */
  syncMarker?: Uint8Array;
}

/**
 * The record blocks of a stored Avro file, as stored: a new file with a schema of the same
 * binary encoding may end with them unchanged (no decoding, no encoding) if it takes their
 * codec and sync marker.
 */
export interface StoredBlocks {
  schemaText: string;
  codec: string;
  sync: Uint8Array;
  /** Every block after the header, each ending with `sync`. */
  blocks: Uint8Array;
}

export interface AvroReadOptions {
  decompressors?: AvroDecompressors;
}

export interface AvroFile {
  /** The writer's schema exactly as the header stores it. */
  schemaText: string;
  /** User metadata: every header key except the reserved `avro.*` ones. */
  metadata: FileMetadata;
  codec: string;
  records: unknown[];
}

const MAGIC = Uint8Array.of(0x4f, 0x62, 0x6a, 0x01); // "Obj" 1
const SCHEMA_KEY = 'avro.schema';
const CODEC_KEY = 'avro.codec';
/** Records are cut into blocks of about this many bytes, so readers can stream them. */
const BLOCK_TARGET_BYTES = 1 << 20;

const headerType = avsc.Type.forSchema({
  type: 'record',
  name: 'Header',
  fields: [
    { name: 'magic', type: { type: 'fixed', name: 'Magic', size: 4 } },
    { name: 'meta', type: { type: 'map', values: 'bytes' } },
    { name: 'sync', type: { type: 'fixed', name: 'Sync', size: 16 } },
  ],
});

const blockType = avsc.Type.forSchema({
  type: 'record',
  name: 'Block',
  fields: [
    { name: 'count', type: 'long' },
    { name: 'data', type: 'bytes' },
    { name: 'sync', type: { type: 'fixed', name: 'Sync', size: 16 } },
  ],
});

interface Header {
  magic: Buffer;
  meta: Record<string, Buffer>;
  sync: Buffer;
}

interface Block {
  count: number;
  data: Buffer;
  sync: Buffer;
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Writes records as an Avro object container file whose header holds `schemaText` verbatim. */
/**
 * Compiled avsc types by schema text. Compiling a manifest schema costs about a millisecond,
 * more than reading or writing a small manifest; a catalog sees few distinct schemas (one per
 * table schema and partition type), and types are immutable, so they are shared. Bounded: the
 * map is emptied when it reaches 512 schemas.
 */
const compiledTypes = new Map<string, avsc.Type>();

function typeOf(schemaText: string): avsc.Type {
  let type = compiledTypes.get(schemaText);
  if (!type) {
    type = avroType(parseJson(schemaText));
    if (compiledTypes.size >= 512) compiledTypes.clear();
    compiledTypes.set(schemaText, type);
  }
  return type;
}

/**
 * Random sync markers, cut from a pooled buffer (one getRandomValues call per 256 files: the
 * call itself costs more than encoding a small manifest). Markers need not be secret, only
 * unlikely to occur in a file's data.
 */
let syncPool = new Uint8Array(0);
let syncPoolOffset = 0;

function newSyncMarker(): Uint8Array {
  if (syncPoolOffset + 16 > syncPool.length) {
    syncPool = globalThis.crypto.getRandomValues(new Uint8Array(16 * 256));
    syncPoolOffset = 0;
  }
  syncPoolOffset += 16;
  return syncPool.subarray(syncPoolOffset - 16, syncPoolOffset);
}

/** Avro's `deflate` codec in stored (uncompressed) DEFLATE blocks: valid for every inflater, and needs no zlib. */
const storedDeflate: AvroCodec = {
  name: 'deflate',
  compress(data: Uint8Array): Uint8Array {
    const MAX = 0xffff;
    const chunks = Math.max(1, Math.ceil(data.length / MAX));
    const out = new Uint8Array(data.length + 5 * chunks);
    let o = 0;
    for (let i = 0; i < chunks; i++) {
      const part = data.subarray(i * MAX, Math.min(data.length, (i + 1) * MAX));
      out[o++] = i === chunks - 1 ? 1 : 0; // BFINAL on the last block, BTYPE 00 (stored)
      out[o++] = part.length & 0xff;
      out[o++] = part.length >>> 8;
      out[o++] = ~part.length & 0xff;
      out[o++] = (~part.length >>> 8) & 0xff;
      out.set(part, o);
      o += part.length;
    }
    return out;
  },
};

/** Codecs a file may be written with when it ends with blocks stored under them. */
const APPENDABLE_CODECS: Record<string, AvroCodec | undefined> = { null: undefined, deflate: storedDeflate };

/** Whether blocks stored under `codec` can end a file this module writes. */
export function canAppendBlocks(codec: string): boolean {
  return codec in APPENDABLE_CODECS;
}

/**
 * The blocks of a stored Avro file, checked block by block (count, size, sync marker) without
 * decoding a record. Throws InvalidAvroFileError on a file that does not frame.
 */
export function storedBlocksOf(bytes: Uint8Array): StoredBlocks {
  const buf = asBuffer(bytes);
  const { header, offset: start } = decodeHeader(buf);
  const { schemaText, codec } = splitMeta(header);
  // Every block must frame and end with the sync marker; their records are not decoded.
  Array.from(blocksOf(buf, start, header.sync));
  return { schemaText, codec, sync: header.sync, blocks: buf.subarray(start) };
}

/**
 * Writes `records` as an Avro file; with `appended`, the file takes their codec and sync marker
 * and ends with those blocks as stored (the caller checks that their schema encodes as
 * `schemaText` does, and canAppendBlocks).
 */
export function writeAvroFile(
  schemaText: string,
  metadata: FileMetadata,
  records: readonly unknown[],
  options: AvroWriteOptions = {},
  appended?: StoredBlocks,
): Uint8Array {
  const type = typeOf(schemaText);
  if (appended && !canAppendBlocks(appended.codec)) throw new RangeError(`cannot append blocks compressed with ${appended.codec}`);
  const codec = appended ? APPENDABLE_CODECS[appended.codec] : options.codec;
  const sync = appended?.sync ?? options.syncMarker ?? newSyncMarker();
  if (sync.length !== 16) throw new RangeError('an Avro sync marker has 16 bytes');

  const meta: Record<string, Buffer> = {};
  for (const [key, value] of Object.entries(metadata)) {
    if (key.startsWith('avro.')) throw new RangeError(`metadata key ${key} is reserved for Avro`);
    meta[key] = Buffer.from(value, 'utf8');
  }
  meta[SCHEMA_KEY] = Buffer.from(schemaText, 'utf8');
  meta[CODEC_KEY] = Buffer.from(codec?.name ?? 'null', 'utf8');

  const parts: Buffer[] = [encodeHeader(meta, sync)];
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const flush = (): void => {
    if (pending.length === 0) return;
    const raw = Buffer.concat(pending);
    const data = codec ? asBuffer(codec.compress(raw)) : raw;
    parts.push(blockType.toBuffer({ count: pending.length, data, sync: asBuffer(sync) }));
    pending = [];
    pendingBytes = 0;
  };
  for (const record of records) {
    const encoded = encode(type, record);
    pending.push(encoded);
    pendingBytes += encoded.length;
    if (pendingBytes >= BLOCK_TARGET_BYTES) flush();
  }
  flush();
  if (appended) parts.push(asBuffer(appended.blocks));
  const out = Buffer.concat(parts);
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** Whether two schema texts encode records the same way (the same canonical form), cached. */
const sameEncoding = new Map<string, boolean>();

export function encodesAlike(schemaText: string, other: string): boolean {
  if (schemaText === other) return true;
  const key = `${schemaText}\u0000${other}`;
  let same = sameEncoding.get(key);
  if (same === undefined) {
    try {
      same = typeOf(schemaText).equals(typeOf(other));
    } catch {
      same = false;
    }
    if (sameEncoding.size >= 64) sameEncoding.clear();
    sameEncoding.set(key, same);
  }
  return same;
}

/** Bytes of Avro's zigzag varint for a small non-negative long (lengths and counts). */
function varintLength(n: number): number {
  let z = n * 2;
  let bytes = 1;
  while (z >= 128) {
    z = Math.floor(z / 128);
    bytes++;
  }
  return bytes;
}

function putVarint(buf: Buffer, at: number, n: number): number {
  let z = n * 2;
  while (z >= 128) {
    buf[at++] = (z % 128) | 0x80;
    z = Math.floor(z / 128);
  }
  buf[at++] = z;
  return at;
}

/**
 * The file header (magic, metadata map, sync marker), encoded here into one buffer of the exact
 * size: avsc would grow its scratch buffer several times for a header that holds schemas.
 */
function encodeHeader(meta: Record<string, Buffer>, sync: Uint8Array): Buffer {
  const entries = Object.entries(meta).map(([k, v]) => [Buffer.from(k, 'utf8'), v] as const);
  let size = MAGIC.length + (entries.length > 0 ? varintLength(entries.length) : 0) + 1 + sync.length;
  for (const [k, v] of entries) size += varintLength(k.length) + k.length + varintLength(v.length) + v.length;
  const buf = Buffer.allocUnsafe(size);
  buf.set(MAGIC, 0);
  // One block of `entries.length` pairs, then the empty block that ends the map.
  let at = entries.length > 0 ? putVarint(buf, MAGIC.length, entries.length) : MAGIC.length;
  for (const [k, v] of entries) {
    at = putVarint(buf, at, k.length);
    buf.set(k, at);
    at = putVarint(buf, at + k.length, v.length);
    buf.set(v, at);
    at += v.length;
  }
  buf[at++] = 0; // end of the map
  buf.set(sync, at);
  return buf;
}

function encode(type: avsc.Type, record: unknown): Buffer {
  try {
    return type.toBuffer(record);
  } catch (err) {
    // Only on failure: ask avsc where the record departs from the schema, for a useful message.
    const problems: string[] = [];
    type.isValid(record, { errorHook: (path: string[]) => problems.push(path.join('.')) });
    const where = problems.length > 0 ? ` at ${problems.join(', ')}` : '';
    throw new ValidationError(`Cannot encode record${where}: ${(err as Error).message}`);
  }
}

function decompress(codec: string, data: Buffer, decompressors: AvroDecompressors | undefined): Buffer {
  const custom = decompressors?.[codec];
  if (custom) return asBuffer(custom(data));
  switch (codec) {
    case 'null':
      return data;
    case 'deflate':
      return asBuffer(inflateRaw(data));
    default:
      throw new InvalidAvroFileError(`unsupported Avro codec: ${codec}`);
  }
}

/** The blocks of a file from `start`, each checked to frame and to end with the file's sync marker. */
function* blocksOf(buf: Buffer, start: number, sync: Buffer): Generator<Block> {
  let offset = start;
  while (offset < buf.length) {
    let decoded: { value: unknown; offset: number };
    try {
      decoded = blockType.decode(buf, offset);
    } catch (err) {
      throw new InvalidAvroFileError(`corrupt Avro block: ${(err as Error).message}`);
    }
    if (decoded.offset < 0) throw new InvalidAvroFileError('Avro block is truncated');
    const block = decoded.value as Block;
    if (!block.sync.equals(sync)) throw new InvalidAvroFileError('Avro block sync marker does not match');
    offset = decoded.offset;
    yield block;
  }
}

/** Reads only the header of an Avro object container file. */
export function readAvroHeader(bytes: Uint8Array): { schemaText: string; metadata: FileMetadata; codec: string } {
  const { header } = decodeHeader(asBuffer(bytes));
  return splitMeta(header);
}

function decodeHeader(buf: Buffer): { header: Header; offset: number } {
  if (buf.length < 4 || !buf.subarray(0, 4).equals(MAGIC)) {
    throw new InvalidAvroFileError('not an Avro object container file (bad magic)');
  }
  let decoded: { value: unknown; offset: number };
  try {
    decoded = headerType.decode(buf, 0);
  } catch (err) {
    throw new InvalidAvroFileError(`corrupt Avro header: ${(err as Error).message}`);
  }
  if (decoded.offset < 0) throw new InvalidAvroFileError('Avro header is truncated');
  return { header: decoded.value as Header, offset: decoded.offset };
}

function splitMeta(header: Header): { schemaText: string; metadata: FileMetadata; codec: string } {
  const metadata: FileMetadata = {};
  for (const [key, value] of Object.entries(header.meta)) {
    if (!key.startsWith('avro.')) metadata[key] = value.toString('utf8');
  }
  const schema = header.meta[SCHEMA_KEY];
  if (!schema) throw new InvalidAvroFileError('Avro header has no avro.schema');
  return { schemaText: schema.toString('utf8'), metadata, codec: header.meta[CODEC_KEY]?.toString('utf8') ?? 'null' };
}

/** Reads an Avro object container file, decoding records with the writer's schema. */
export function readAvroFile(bytes: Uint8Array, options: AvroReadOptions = {}): AvroFile {
  const buf = asBuffer(bytes);
  const { header, offset: start } = decodeHeader(buf);
  const { schemaText, metadata, codec } = splitMeta(header);
  let type: avsc.Type;
  try {
    type = typeOf(schemaText);
  } catch (err) {
    throw new InvalidAvroFileError(`invalid Avro schema in header: ${(err as Error).message}`);
  }

  const records: unknown[] = [];
  for (const block of blocksOf(buf, start, header.sync)) {
    const data = decompress(codec, block.data, options.decompressors);
    let pos = 0;
    for (let i = 0; i < block.count; i++) {
      let record: { value: unknown; offset: number };
      try {
        record = type.decode(data, pos);
      } catch (err) {
        throw new InvalidAvroFileError(`corrupt Avro record: ${(err as Error).message}`);
      }
      if (record.offset < 0) throw new InvalidAvroFileError('Avro block holds fewer records than it declares');
      records.push(record.value);
      pos = record.offset;
    }
  }
  return { schemaText, metadata, codec, records };
}
