import { isAbsolute, resolve } from 'node:path';
import { ObjectStoreError } from './port.js';

/*
 * Locations are taken literally, never percent-decoded: Iceberg's own FileIOs (S3FileIO,
 * PyIceberg's) use the text after `s3://bucket/` as the key and the text after `file://` as the
 * path, so a table location holding `%20` or a space means exactly those characters here too.
 */

/** Schemes Spark and Hadoop use for S3; all address the same objects. */
const S3_SCHEMES = ['s3', 's3a', 's3n'] as const;
export type S3Scheme = (typeof S3_SCHEMES)[number];

export interface S3Location {
  scheme: S3Scheme;
  bucket: string;
  /** The object key (or key prefix); may be empty for a bucket root. */
  key: string;
}

/** Parses `s3://bucket/key` (also `s3a://`, `s3n://`), or returns undefined when it is not one. */
export function parseS3Location(location: string): S3Location | undefined {
  const m = /^(s3|s3a|s3n):\/\/([^/]+)(?:\/(.*))?$/s.exec(location);
  if (!m) return undefined;
  return { scheme: m[1] as S3Scheme, bucket: m[2], key: m[3] ?? '' };
}

/**
 * The absolute filesystem path of a `file:` location, or undefined when it is not one.
 * Accepts `file:///abs`, Hadoop's `file:/abs` and `file://localhost/abs`.
 */
export function fileLocationPath(location: string): string | undefined {
  const m = /^file:(?:\/\/(?:localhost)?)?(\/.*)$/s.exec(location);
  if (!m) return undefined;
  // `file://host/path` names another machine; only an empty host or localhost is local.
  if (/^file:\/\/[^/]/.test(location) && !location.startsWith('file://localhost/')) return undefined;
  return m[1];
}

/** `file:///abs/path` for a filesystem path (made absolute against the working directory). */
export function fileLocation(path: string): string {
  return `file://${resolve(path)}`;
}

/**
 * Turns a warehouse given as `s3://bucket/prefix`, a `file:` URI or a folder path into the root
 * location new tables are placed under: `file:///abs` for folders, never a trailing slash.
 */
export function normaliseWarehouse(warehouse: string): string {
  const trimmed = warehouse.trim();
  if (trimmed === '') throw new ObjectStoreError('The warehouse location is empty');
  const s3 = parseS3Location(trimmed);
  if (s3) {
    const key = s3.key.replace(/\/+$/, '');
    return key === '' ? `${s3.scheme}://${s3.bucket}` : `${s3.scheme}://${s3.bucket}/${key}`;
  }
  if (trimmed.startsWith('file:')) {
    const path = fileLocationPath(trimmed);
    if (path === undefined) throw new ObjectStoreError(`Unsupported file location for the warehouse: ${warehouse}`);
    return fileLocation(path);
  }
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(trimmed)) {
    throw new ObjectStoreError(`Unsupported warehouse scheme (use s3://bucket/prefix or a folder): ${warehouse}`);
  }
  return fileLocation(isAbsolute(trimmed) ? trimmed : resolve(trimmed));
}

/**
 * The prefix a listing matches: a location is listed as a folder, so `.../metadata` and
 * `.../metadata/` both list what is inside `metadata/` and never a sibling `metadata-old/`.
 */
export function folderPrefix(prefix: string): string {
  return prefix.endsWith('/') ? prefix : `${prefix}/`;
}

/** Object locations name a file, never a folder: a trailing slash is refused by every store alike. */
export function requireObjectLocation(location: string): void {
  if (location.endsWith('/')) throw new ObjectStoreError(`Not an object location (ends with /): ${location}`);
}
