/** Parsing the string values Iceberg writers put in the key-value metadata of Avro headers. */
import type { FormatVersion } from '../model.js';
import { InvalidAvroFileError } from './errors.js';
import type { FileMetadata } from './types.js';

/** `format-version` of the header, or `fallback` for writers that leave it out (old v1 files). */
export function formatVersionOf(metadata: FileMetadata, fallback: FormatVersion): FormatVersion {
  const text = metadata['format-version'];
  if (text === undefined) return fallback;
  if (text === '1' || text === '2' || text === '3') return Number(text) as FormatVersion;
  throw new InvalidAvroFileError(`unsupported format-version ${text}`);
}

/** An integer header value; Java writes an absent id as the string `null`. */
export function parseOptionalInt(text: string | undefined): number | undefined {
  const value = parseOptionalLong(text);
  return value === undefined ? undefined : Number(value);
}

export function parseOptionalLong(text: string | undefined): bigint | undefined {
  if (text === undefined || text === 'null' || text === '') return undefined;
  if (!/^-?\d+$/.test(text)) throw new InvalidAvroFileError(`expected an integer in the header, got ${text}`);
  return BigInt(text);
}
