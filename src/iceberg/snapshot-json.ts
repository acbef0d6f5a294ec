/**
 * JSON codec for the objects nested in table metadata that REST updates also carry on their
 * own: snapshots, snapshot refs, statistics files and encryption keys.
 */
import { ValidationError } from './errors.js';
import type { JsonObject, JsonValue } from './json.js';
import {
  getIntList,
  getIntOrUndefined,
  getLong,
  getLongAsNumber,
  getLongAsNumberOrUndefined,
  getLongOrUndefined,
  getString,
  getStringList,
  getStringMap,
  getStringOrUndefined,
  has,
  hasNonNull,
  requireObject,
  setOwn,
  show,
  stringMapToJson,
} from './json-fields.js';
import type {
  BlobMetadata,
  EncryptionKey,
  PartitionStatisticsFile,
  Snapshot,
  SnapshotRef,
  SnapshotRefType,
  StatisticsFile,
} from './model.js';

// ---------------------------------------------------------------- snapshots

export function snapshotFromJson(v: JsonValue): Snapshot {
  const node = requireObject(v, 'table version');
  const sequenceNumber = getLongOrUndefined(node, 'sequence-number');
  const snapshotId = getLong(node, 'snapshot-id');
  const parentSnapshotId = getLongOrUndefined(node, 'parent-snapshot-id');
  const timestampMs = getLongAsNumber(node, 'timestamp-ms');

  let summary: Record<string, string> = {};
  if (has(node, 'summary')) {
    const s = node['summary'];
    if (s === null || typeof s !== 'object' || Array.isArray(s)) {
      throw new ValidationError(`Cannot parse summary from non-object value: ${show(s)}`);
    }
    summary = getStringMap(node, 'summary');
    // The reference reader treats a summary without an operation as an overwrite rather than
    // failing, so that such tables stay readable.
    if (Object.keys(summary).length > 0 && summary['operation'] === undefined) {
      summary = { operation: 'overwrite', ...summary };
    }
  }

  const snapshot: Snapshot = { snapshotId, timestampMs, summary };
  if (sequenceNumber !== undefined) snapshot.sequenceNumber = sequenceNumber;
  if (parentSnapshotId !== undefined) snapshot.parentSnapshotId = parentSnapshotId;
  if (has(node, 'manifest-list')) {
    snapshot.manifestList = getString(node, 'manifest-list');
  } else {
    // v1 snapshots may list their manifests inline instead of in a manifest list file.
    snapshot.manifests = getStringList(node, 'manifests');
  }
  const schemaId = getIntOrUndefined(node, 'schema-id');
  if (schemaId !== undefined) snapshot.schemaId = schemaId;
  const firstRowId = getLongOrUndefined(node, 'first-row-id');
  if (firstRowId !== undefined) snapshot.firstRowId = firstRowId;
  const addedRows = getLongOrUndefined(node, 'added-rows');
  if (addedRows !== undefined) snapshot.addedRows = addedRows;
  const keyId = getStringOrUndefined(node, 'key-id');
  if (keyId !== undefined) snapshot.keyId = keyId;
  return snapshot;
}

export function snapshotToJson(s: Snapshot): JsonObject {
  const out: JsonObject = {};
  // Sequence number 0 is the v1 default and is left out, as the reference writer does.
  if (s.sequenceNumber !== undefined && s.sequenceNumber > 0n) out['sequence-number'] = s.sequenceNumber;
  out['snapshot-id'] = s.snapshotId;
  if (s.parentSnapshotId !== undefined) out['parent-snapshot-id'] = s.parentSnapshotId;
  out['timestamp-ms'] = s.timestampMs;
  const keys = Object.keys(s.summary);
  if (keys.length > 0) {
    const summary: JsonObject = { operation: s.summary['operation'] ?? 'overwrite' };
    for (const k of keys) if (k !== 'operation') setOwn(summary, k, s.summary[k] as string);
    out['summary'] = summary;
  }
  if (s.manifestList !== undefined) {
    out['manifest-list'] = s.manifestList;
  } else {
    out['manifests'] = [...(s.manifests ?? [])];
  }
  if (s.schemaId !== undefined) out['schema-id'] = s.schemaId;
  if (s.firstRowId !== undefined) out['first-row-id'] = s.firstRowId;
  if (s.addedRows !== undefined) out['added-rows'] = s.addedRows;
  if (s.keyId !== undefined) out['key-id'] = s.keyId;
  return out;
}

// ---------------------------------------------------------------- refs

export function snapshotRefFromJson(v: JsonValue): SnapshotRef {
  const node = requireObject(v, 'snapshot reference');
  const ref: SnapshotRef = {
    snapshotId: getLong(node, 'snapshot-id'),
    type: snapshotRefTypeFromString(getString(node, 'type')),
  };
  const minSnapshotsToKeep = getIntOrUndefined(node, 'min-snapshots-to-keep');
  if (minSnapshotsToKeep !== undefined) ref.minSnapshotsToKeep = minSnapshotsToKeep;
  const maxSnapshotAgeMs = getLongAsNumberOrUndefined(node, 'max-snapshot-age-ms');
  if (maxSnapshotAgeMs !== undefined) ref.maxSnapshotAgeMs = maxSnapshotAgeMs;
  const maxRefAgeMs = getLongAsNumberOrUndefined(node, 'max-ref-age-ms');
  if (maxRefAgeMs !== undefined) ref.maxRefAgeMs = maxRefAgeMs;
  return ref;
}

export function snapshotRefTypeFromString(s: string): SnapshotRefType {
  const lower = s.toLowerCase();
  if (lower === 'branch' || lower === 'tag') return lower;
  throw new ValidationError(`Invalid snapshot ref type: ${s}`);
}

export function snapshotRefToJson(r: SnapshotRef): JsonObject {
  const out: JsonObject = { 'snapshot-id': r.snapshotId, type: r.type };
  if (r.minSnapshotsToKeep !== undefined) out['min-snapshots-to-keep'] = r.minSnapshotsToKeep;
  if (r.maxSnapshotAgeMs !== undefined) out['max-snapshot-age-ms'] = r.maxSnapshotAgeMs;
  if (r.maxRefAgeMs !== undefined) out['max-ref-age-ms'] = r.maxRefAgeMs;
  return out;
}

// ---------------------------------------------------------------- statistics

export function statisticsFileFromJson(v: JsonValue): StatisticsFile {
  const node = requireObject(v, 'statistics file');
  const file: StatisticsFile = {
    snapshotId: getLong(node, 'snapshot-id'),
    statisticsPath: getString(node, 'statistics-path'),
    fileSizeInBytes: getLongAsNumber(node, 'file-size-in-bytes'),
    fileFooterSizeInBytes: getLongAsNumber(node, 'file-footer-size-in-bytes'),
    blobMetadata: [],
  };
  const keyMetadata = getStringOrUndefined(node, 'key-metadata');
  if (keyMetadata !== undefined) file.keyMetadata = keyMetadata;
  const blobs = node['blob-metadata'];
  if (!Array.isArray(blobs)) throw new ValidationError(`Cannot parse blob metadata from non-array: ${show(blobs)}`);
  file.blobMetadata = blobs.map(blobMetadataFromJson);
  return file;
}

function blobMetadataFromJson(v: JsonValue): BlobMetadata {
  const node = requireObject(v, 'blob metadata');
  const blob: BlobMetadata = {
    type: getString(node, 'type'),
    snapshotId: getLong(node, 'snapshot-id'),
    sequenceNumber: getLong(node, 'sequence-number'),
    fields: getIntList(node, 'fields'),
  };
  if (has(node, 'properties')) blob.properties = getStringMap(node, 'properties');
  return blob;
}

export function statisticsFileToJson(f: StatisticsFile): JsonObject {
  const out: JsonObject = {
    'snapshot-id': f.snapshotId,
    'statistics-path': f.statisticsPath,
    'file-size-in-bytes': f.fileSizeInBytes,
    'file-footer-size-in-bytes': f.fileFooterSizeInBytes,
  };
  if (f.keyMetadata !== undefined) out['key-metadata'] = f.keyMetadata;
  out['blob-metadata'] = f.blobMetadata.map((b) => {
    const blob: JsonObject = {
      type: b.type,
      'snapshot-id': b.snapshotId,
      'sequence-number': b.sequenceNumber,
      fields: [...b.fields],
    };
    if (b.properties && Object.keys(b.properties).length > 0) blob['properties'] = stringMapToJson(b.properties);
    return blob;
  });
  return out;
}

export function partitionStatisticsFileFromJson(v: JsonValue): PartitionStatisticsFile {
  const node = requireObject(v, 'partition statistics file');
  return {
    snapshotId: getLong(node, 'snapshot-id'),
    statisticsPath: getString(node, 'statistics-path'),
    fileSizeInBytes: getLongAsNumber(node, 'file-size-in-bytes'),
  };
}

export function partitionStatisticsFileToJson(f: PartitionStatisticsFile): JsonObject {
  return {
    'snapshot-id': f.snapshotId,
    'statistics-path': f.statisticsPath,
    'file-size-in-bytes': f.fileSizeInBytes,
  };
}

// ---------------------------------------------------------------- encryption keys

export function encryptionKeyFromJson(v: JsonValue): EncryptionKey {
  const node = requireObject(v, 'encryption key');
  const key: EncryptionKey = {
    keyId: getString(node, 'key-id'),
    encryptedKeyMetadata: getString(node, 'encrypted-key-metadata'),
  };
  const encryptedById = getStringOrUndefined(node, 'encrypted-by-id');
  if (encryptedById !== undefined) key.encryptedById = encryptedById;
  if (hasNonNull(node, 'properties')) key.properties = getStringMap(node, 'properties');
  return key;
}

export function encryptionKeyToJson(k: EncryptionKey): JsonObject {
  const out: JsonObject = { 'key-id': k.keyId, 'encrypted-key-metadata': k.encryptedKeyMetadata };
  if (k.encryptedById !== undefined) out['encrypted-by-id'] = k.encryptedById;
  if (k.properties && Object.keys(k.properties).length > 0) out['properties'] = stringMapToJson(k.properties);
  return out;
}
