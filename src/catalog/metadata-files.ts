import { gunzipSync } from 'node:zlib';
import type { CatalogDeps } from './deps.js';
import { BadRequestError, NotFoundError } from './errors.js';
import { ObjectNotFoundError } from '../io/port.js';
import { ValidationError } from '../iceberg/errors.js';
import { JsonSyntaxError } from '../iceberg/json.js';
import type { TableIdentifier } from './identifiers.js';

const VERSIONED_NAME = /(?:^|\/)(\d+)-[^/]*\.metadata\.json$/;

/** The version number of a `NNNNN-<uuid>.metadata.json` location, or -1. */
export function metadataVersion(location: string | undefined): number {
  const m = location ? VERSIONED_NAME.exec(location) : null;
  return m ? Number(m[1]) : -1;
}

/**
 * Where the next metadata file of a table goes: `write.metadata.path` if set, else
 * `<table location>/metadata`, named `<version>-<uuid>.metadata.json` like Java's catalogs do.
 * The uuid keeps two branches committing the same version from colliding.
 */
/** The folder of a table's metadata files: `write.metadata.path` if set, else `<table location>/metadata`. */
export function metadataFolder(tableLocation: string, properties: Record<string, string>): string {
  return trimSlash(properties['write.metadata.path'] ?? `${trimSlash(tableLocation)}/metadata`);
}

export function nextMetadataLocation(
  deps: CatalogDeps,
  tableLocation: string,
  properties: Record<string, string>,
  previous: string | undefined,
): string {
  const dir = metadataFolder(tableLocation, properties);
  refuseDotSegments(dir);
  const version = String(metadataVersion(previous) + 1).padStart(5, '0');
  const location = `${dir}/${version}-${deps.newUuid()}.metadata.json`;
  // A location the catalog cannot write to is the client's mistake (400), not an outage (503
  // would tell clients to retry and, on a commit, that its outcome is unknown).
  if (!deps.objects.handles(location)) {
    throw new BadRequestError(
      `Cannot write metadata to ${dir}: outside the storage this catalog writes to (warehouse ${deps.warehouse})`,
    );
  }
  return location;
}

/** Default location of a new table or view: unique per creation, so a dropped and re-created table never shares files. */
export function defaultObjectLocation(deps: CatalogDeps, id: TableIdentifier): string {
  const path = [...id.namespace, id.name].map(encodePathSegment).join('/');
  return `${deps.warehouse}/${path}-${deps.newUuid().replace(/-/g, '')}`;
}

/**
 * The folder a namespace's tables go to by default (the parent of their default locations).
 * Reported as the namespace's `location` property when none is set, as Java's catalogs do:
 * engines such as Trino place new tables under it.
 */
export function defaultNamespaceLocation(deps: CatalogDeps, namespace: readonly string[]): string {
  return [deps.warehouse, ...namespace.map(encodePathSegment)].join('/');
}

function encodePathSegment(s: string): string {
  return encodeURIComponent(s).replace(/%20/g, '+');
}

/**
 * Refuses `.` and `..` path segments in a location lakecat writes under or reads from: an object
 * store keeps them as literal names while a file system and some engines resolve them, so one
 * location would name two places.
 */
export function refuseDotSegments(location: string): void {
  const path = location.replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/]*/, '');
  if (path.split('/').some((s) => s === '.' || s === '..')) {
    throw new BadRequestError(`Invalid location ${location}: '.' and '..' are not allowed as path segments`);
  }
}

export function trimSlash(s: string): string {
  return s.endsWith('/') ? s.replace(/\/+$/, '') : s;
}

/** Reads and parses an existing metadata file (register): a missing file is a 404, an invalid one a 400. */
export async function readMetadataFile<T>(
  deps: CatalogDeps,
  location: string,
  parse: (text: string) => T,
  what: 'table' | 'view',
): Promise<{ text: string; metadata: T }> {
  // A location outside the storage lakecat serves is the caller's mistake, not an outage: 400.
  if (!deps.objects.handles(location)) {
    throw new BadRequestError(`Cannot register ${what} metadata from ${location}: it is outside the storage this catalog serves`);
  }
  refuseDotSegments(location);
  let bytes: Uint8Array;
  try {
    bytes = await deps.objects.read(location);
  } catch (err) {
    if (err instanceof ObjectNotFoundError) throw new NotFoundError(`Metadata file does not exist: ${location}`, 'content');
    throw err;
  }
  let text: string;
  try {
    text = metadataText(bytes);
  } catch (err) {
    throw new BadRequestError(`Cannot read ${what} metadata in ${location}: ${err instanceof Error ? err.message : String(err)}`);
  }
  try {
    return { text, metadata: parse(text) };
  } catch (err) {
    if (err instanceof ValidationError || err instanceof JsonSyntaxError) {
      throw new BadRequestError(`Invalid ${what} metadata in ${location}: ${err.message}`);
    }
    throw err;
  }
}

/** The largest metadata file lakecat inflates (a guard against gzip bombs). */
const MAX_METADATA_BYTES = 64 * 1024 * 1024;

/**
 * A metadata file's JSON text. Iceberg writes `*.gz.metadata.json` files gzip-compressed (view
 * metadata by default), so bytes are inflated when they start with the gzip magic number.
 */
export function metadataText(raw: string | Uint8Array): string {
  let text: string;
  if (typeof raw === 'string') {
    text = raw;
  } else {
    const bytes = raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw, { maxOutputLength: MAX_METADATA_BYTES }) : raw;
    text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  }
  // gzip bytes once decoded as UTF-8 (by whoever wrote or read the file as text) lost data for
  // good; say so instead of "invalid JSON".
  if (text.startsWith('\u001f\ufffd')) throw new Error('the file is gzip-compressed but was read as text');
  return text;
}
