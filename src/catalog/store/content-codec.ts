/**
 * Canonical forms and hashes of contents and commits. A hash covers every field that makes the
 * value, in a fixed order, so equal values stored by different processes land on the same row.
 */
import { createHash } from 'node:crypto';
import type { Content, ContentKey, ContentType } from './port.js';

function sortedRecord(r: Record<string, string> | undefined): [string, string][] {
  return Object.entries(r ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function canonicalContent(c: Content): unknown[] {
  switch (c.type) {
    case 'NAMESPACE':
      return ['N', c.id, sortedRecord(c.properties)];
    case 'ICEBERG_TABLE':
      return ['T', c.id, c.metadataLocation, c.metadata, c.snapshotId.toString(), c.schemaId, c.specId, c.sortOrderId];
    case 'ICEBERG_VIEW':
      return ['V', c.id, c.metadataLocation, c.metadata, c.versionId];
    default: {
      const never: never = c;
      throw new Error(`unknown content ${JSON.stringify(never)}`);
    }
  }
}

/**
 * Hashes of contents held by the store's content cache, by object: their row is keyed by it, so
 * it need not be computed again (a merge compares 2,000 of them, each a whole metadata document,
 * with the index). Cached values are shared read-only, so an object keeps its hash.
 */
const storedHashes = new WeakMap<Content, string>();

/** Records the hash a cached content value is stored under. */
export function rememberStoredHash(c: Content, hash: string): void {
  storedHashes.set(c, hash);
}

/** 128-bit, like index nodes (see nodeHash in key-index.ts). */
export function contentHash(c: Content): string {
  return storedHashes.get(c) ?? sha256(JSON.stringify(canonicalContent(c))).slice(0, 32);
}

/** A contents row as sent to PostgreSQL through json_to_recordset (bigints as text). */
export interface ContentRow {
  hash: string;
  type: ContentType;
  content_id: string;
  metadata_location: string | null;
  metadata: string | null;
  snapshot_id: string | null;
  schema_id: number | null;
  spec_id: number | null;
  sort_order_id: number | null;
  version_id: number | null;
  properties: Record<string, string> | null;
}

export function toContentRow(hash: string, c: Content): ContentRow {
  const row: ContentRow = {
    hash,
    type: c.type,
    content_id: c.id,
    metadata_location: null,
    metadata: null,
    snapshot_id: null,
    schema_id: null,
    spec_id: null,
    sort_order_id: null,
    version_id: null,
    properties: null,
  };
  switch (c.type) {
    case 'NAMESPACE':
      return { ...row, properties: c.properties };
    case 'ICEBERG_TABLE':
      return {
        ...row,
        metadata_location: c.metadataLocation,
        metadata: c.metadata,
        snapshot_id: c.snapshotId.toString(),
        schema_id: c.schemaId,
        spec_id: c.specId,
        sort_order_id: c.sortOrderId,
      };
    case 'ICEBERG_VIEW':
      return { ...row, metadata_location: c.metadataLocation, metadata: c.metadata, version_id: c.versionId };
    default: {
      const never: never = c;
      throw new Error(`unknown content ${JSON.stringify(never)}`);
    }
  }
}

export function fromContentRow(row: ContentRow): Content {
  switch (row.type) {
    case 'NAMESPACE':
      return { type: 'NAMESPACE', id: row.content_id, properties: row.properties ?? {} };
    case 'ICEBERG_TABLE':
      return {
        type: 'ICEBERG_TABLE',
        id: row.content_id,
        metadataLocation: row.metadata_location ?? '',
        metadata: row.metadata ?? '',
        snapshotId: BigInt(row.snapshot_id ?? '-1'),
        schemaId: Number(row.schema_id),
        specId: Number(row.spec_id),
        sortOrderId: Number(row.sort_order_id),
      };
    case 'ICEBERG_VIEW':
      return {
        type: 'ICEBERG_VIEW',
        id: row.content_id,
        metadataLocation: row.metadata_location ?? '',
        metadata: row.metadata ?? '',
        versionId: Number(row.version_id),
      };
    default: {
      const never: never = row.type;
      throw new Error(`unknown content type ${String(never)}`);
    }
  }
}

/** An operation as recorded in a commit row: [kind, key, contentHash, type, contentId]. */
export type StoredOperation = ['put' | 'delete', ContentKey, string | null, ContentType, string];

export interface CommitFields {
  parent: string;
  mergeParent: string | null;
  author: string;
  message: string;
  properties: Record<string, string>;
  commitTime: number;
  operations: StoredOperation[];
}

export function commitHash(f: CommitFields): string {
  return sha256(
    JSON.stringify([f.parent, f.mergeParent, f.author, f.message, sortedRecord(f.properties), f.commitTime, f.operations]),
  );
}
