/**
 * Manifest lists: one Avro file per snapshot with a `manifest_file` record per manifest.
 */
import { ValidationError } from '../errors.js';
import { parseJson } from '../json.js';
import type { FormatVersion } from '../model.js';
import { type AvroReadOptions, type AvroWriteOptions, canAppendBlocks, encodesAlike, readAvroFile, storedBlocksOf, type StoredBlocks, writeAvroFile } from './avro-container.js';
import { AvroNames, RecordFields } from './avro-fields.js';
import { icebergSchemaJson } from './avro-schema.js';
import { InvalidAvroFileError } from './errors.js';
import { formatVersionOf, parseOptionalLong } from './header.js';
import { toBuffer } from './partition-values.js';
import { MANIFEST_FILE, manifestListAvroSchema, manifestListSchema } from './schemas.js';
import type {
  FieldSummary,
  FileMetadata,
  ManifestContent,
  ManifestFile,
  ManifestFileToWrite,
  ManifestList,
  ManifestListWriteRequest,
} from './types.js';

const F = MANIFEST_FILE;
const SUMMARY = { containsNull: 509, containsNan: 518, lowerBound: 510, upperBound: 511 } as const;

export function manifestContentCode(content: ManifestContent): number {
  switch (content) {
    case 'data':
      return 0;
    case 'deletes':
      return 1;
    default: {
      const unexpected: never = content;
      throw new ValidationError(`Unknown manifest content: ${String(unexpected)}`);
    }
  }
}

export function manifestContentOf(code: number): ManifestContent {
  switch (code) {
    case 0:
      return 'data';
    case 1:
      return 'deletes';
    default:
      throw new InvalidAvroFileError(`unknown manifest content ${code}`);
  }
}

/**
 * Gives every data manifest without a `firstRowId` one, starting at the snapshot's first row id
 * and leaving room for its added and existing rows (existing files of a table upgraded to v3
 * may still need ids). Returns the next free row id: the snapshot's `added-rows` is
 * `nextRowId - firstRowId`.
 */
export function assignFirstRowIds<M extends ManifestFileToWrite>(
  manifests: readonly M[],
  firstRowId: bigint,
): { manifests: M[]; nextRowId: bigint } {
  let nextRowId = firstRowId;
  const assigned = manifests.map((manifest) => {
    if (manifest.content !== 'data' || manifest.firstRowId !== undefined) return manifest;
    if (manifest.addedRowsCount === undefined || manifest.existingRowsCount === undefined) {
      throw new ValidationError(`Cannot assign first row id without row counts: ${manifest.manifestPath}`);
    }
    const withId = { ...manifest, firstRowId: nextRowId };
    nextRowId += manifest.addedRowsCount + manifest.existingRowsCount;
    return withId;
  });
  return { manifests: assigned, nextRowId };
}

function summaryToAvro(summary: FieldSummary): Record<string, unknown> {
  return {
    contains_null: summary.containsNull,
    contains_nan: summary.containsNan ?? null,
    lower_bound: summary.lowerBound ? toBuffer(summary.lowerBound) : null,
    upper_bound: summary.upperBound ? toBuffer(summary.upperBound) : null,
  };
}

function requireCount<T>(manifest: ManifestFileToWrite, value: T | undefined, name: string): T {
  if (value === undefined) throw new ValidationError(`Missing ${name} for manifest ${manifest.manifestPath}`);
  return value;
}

function manifestToAvro(
  formatVersion: FormatVersion,
  manifest: ManifestFileToWrite,
  request: ManifestListWriteRequest,
): Record<string, unknown> {
  const record: Record<string, unknown> = {
    [F.path.name]: manifest.manifestPath,
    [F.length.name]: manifest.manifestLength,
    [F.specId.name]: manifest.partitionSpecId,
    [F.addedSnapshotId.name]: manifest.addedSnapshotId,
    [F.partitions.name]: manifest.partitions ? manifest.partitions.map(summaryToAvro) : null,
    [F.keyMetadata.name]: manifest.keyMetadata ? toBuffer(manifest.keyMetadata) : null,
  };
  const counts = [
    [F.addedFilesCount.name, manifest.addedFilesCount],
    [F.existingFilesCount.name, manifest.existingFilesCount],
    [F.deletedFilesCount.name, manifest.deletedFilesCount],
    [F.addedRowsCount.name, manifest.addedRowsCount],
    [F.existingRowsCount.name, manifest.existingRowsCount],
    [F.deletedRowsCount.name, manifest.deletedRowsCount],
  ] as const;
  if (formatVersion === 1) {
    if (manifest.content !== 'data') {
      throw new ValidationError(`Cannot store delete manifests in a v1 table: ${manifest.manifestPath}`);
    }
    for (const [name, value] of counts) record[name] = value ?? null;
    return record;
  }
  for (const [name, value] of counts) record[name] = requireCount(manifest, value, name);
  record[F.content.name] = manifestContentCode(manifest.content);
  const listSequenceNumber = request.sequenceNumber!;
  const unassigned = manifest.sequenceNumber === undefined || manifest.minSequenceNumber === undefined;
  if (unassigned && manifest.addedSnapshotId !== request.snapshotId) {
    // Only a manifest written by this very commit may take the commit's sequence number.
    throw new ValidationError(
      `Found unassigned sequence number for a manifest from snapshot: ${manifest.addedSnapshotId}`,
    );
  }
  record[F.sequenceNumber.name] = manifest.sequenceNumber ?? listSequenceNumber;
  record[F.minSequenceNumber.name] = manifest.minSequenceNumber ?? listSequenceNumber;
  if (formatVersion >= 3) {
    // Row ids belong to data rows: a delete manifest never carries one.
    record[F.firstRowId.name] = manifest.content === 'data' ? (manifest.firstRowId ?? null) : null;
  }
  return record;
}

/** Serialises a snapshot's manifest list, with the header metadata Java writes. */
export function writeManifestList(request: ManifestListWriteRequest, options: AvroWriteOptions = {}): Uint8Array {
  const { formatVersion } = request;
  if (formatVersion >= 2 && request.sequenceNumber === undefined) {
    throw new ValidationError(`A v${formatVersion} manifest list needs the snapshot's sequence number`);
  }
  const schemas = listSchemas(formatVersion);
  let manifests = request.manifests;
  // The carried entries as stored, when they can be: same encoding, a codec this writer can end a file with, no row ids to assign.
  let appended: StoredBlocks | undefined;
  if (request.carriedList) {
    const stored = formatVersion < 3 ? storedBlocksOf(request.carriedList) : undefined;
    if (stored && canAppendBlocks(stored.codec) && encodesAlike(stored.schemaText, schemas.avro)) appended = stored;
    else manifests = [...manifests, ...readManifestList(request.carriedList).manifests];
  }
  const metadata: FileMetadata = {
    'snapshot-id': request.snapshotId.toString(),
    'parent-snapshot-id': request.parentSnapshotId === undefined ? 'null' : request.parentSnapshotId.toString(),
  };
  if (formatVersion >= 2) metadata['sequence-number'] = request.sequenceNumber!.toString();
  if (formatVersion >= 3) {
    if (request.firstRowId === undefined) {
      throw new ValidationError("A v3 manifest list needs the snapshot's first row id");
    }
    metadata['first-row-id'] = request.firstRowId.toString();
    manifests = assignFirstRowIds(manifests, request.firstRowId).manifests;
  }
  metadata['format-version'] = String(formatVersion);
  metadata['iceberg.schema'] = schemas.iceberg;

  const records = manifests.map((m) => manifestToAvro(formatVersion, m, request));
  return writeAvroFile(schemas.avro, metadata, records, options, appended);
}

/** The manifest-list schema texts (Iceberg's and Avro's) per format version, made once. */
const listSchemaTexts = new Map<FormatVersion, { iceberg: string; avro: string }>();

function listSchemas(formatVersion: FormatVersion): { iceberg: string; avro: string } {
  let texts = listSchemaTexts.get(formatVersion);
  if (!texts) {
    texts = { iceberg: icebergSchemaJson(manifestListSchema(formatVersion)), avro: JSON.stringify(manifestListAvroSchema(formatVersion)) };
    listSchemaTexts.set(formatVersion, texts);
  }
  return texts;
}

function readSummary(fields: RecordFields, record: Record<string, unknown>): FieldSummary {
  const summary: FieldSummary = { containsNull: fields.boolean(record, SUMMARY.containsNull) === true };
  const containsNan = fields.boolean(record, SUMMARY.containsNan);
  if (containsNan !== undefined) summary.containsNan = containsNan;
  const lower = fields.bytes(record, SUMMARY.lowerBound);
  if (lower !== undefined) summary.lowerBound = lower;
  const upper = fields.bytes(record, SUMMARY.upperBound);
  if (upper !== undefined) summary.upperBound = upper;
  return summary;
}

/** Field resolution of a writer's manifest-list schema, cached by schema text (immutable). */
const listReaders = new Map<string, { fields: RecordFields; summaryFields: RecordFields | undefined }>();

function listReaderOf(schemaText: string): { fields: RecordFields; summaryFields: RecordFields | undefined } {
  let reader = listReaders.get(schemaText);
  if (!reader) {
    const root = parseJson(schemaText);
    const names = new AvroNames(root);
    const fields = new RecordFields(root, names);
    reader = { fields, summaryFields: fields.has(F.partitions.id) ? summaryRecordFields(fields, names) : undefined };
    if (listReaders.size >= 64) listReaders.clear();
    listReaders.set(schemaText, reader);
  }
  return reader;
}

/** Optional counts and ids of a manifest-list entry, by the field id they are read from. */
const OPTIONAL_INTS = [
  ['addedFilesCount', F.addedFilesCount.id],
  ['existingFilesCount', F.existingFilesCount.id],
  ['deletedFilesCount', F.deletedFilesCount.id],
] as const;
const OPTIONAL_LONGS = [
  ['addedRowsCount', F.addedRowsCount.id],
  ['existingRowsCount', F.existingRowsCount.id],
  ['deletedRowsCount', F.deletedRowsCount.id],
  ['firstRowId', F.firstRowId.id],
] as const;

function required<T>(v: T | undefined, id: number): T {
  if (v === undefined) throw new InvalidAvroFileError(`manifest list entry is missing required field ${id}`);
  return v;
}

/** Parses a manifest list written by any Iceberg writer; v1 lists read with v2 defaults (data, sequence 0). */
export function readManifestList(bytes: Uint8Array, options: AvroReadOptions = {}): ManifestList {
  const file = readAvroFile(bytes, options);
  const { fields, summaryFields } = listReaderOf(file.schemaText);
  const formatVersion = formatVersionOf(file.metadata, fields.has(F.sequenceNumber.id) ? 2 : 1);

  const manifests = file.records.map((value): ManifestFile => {
    const record = value as Record<string, unknown>;
    const content = fields.int(record, F.content.id);
    const manifest: ManifestFile = {
      manifestPath: required(fields.string(record, F.path.id), F.path.id),
      manifestLength: required(fields.long(record, F.length.id), F.length.id),
      partitionSpecId: required(fields.int(record, F.specId.id), F.specId.id),
      content: content === undefined ? 'data' : manifestContentOf(content),
      sequenceNumber: fields.long(record, F.sequenceNumber.id) ?? 0n,
      minSequenceNumber: fields.long(record, F.minSequenceNumber.id) ?? 0n,
      addedSnapshotId: required(fields.long(record, F.addedSnapshotId.id), F.addedSnapshotId.id),
    };
    // Optional fields only when present.
    for (const [key, id] of OPTIONAL_INTS) {
      const v = fields.int(record, id);
      if (v !== undefined) manifest[key] = v;
    }
    for (const [key, id] of OPTIONAL_LONGS) {
      const v = fields.long(record, id);
      if (v !== undefined) manifest[key] = v;
    }
    const keyMetadata = fields.bytes(record, F.keyMetadata.id);
    if (keyMetadata !== undefined) manifest.keyMetadata = keyMetadata;
    const partitions = fields.get(record, F.partitions.id) as Array<Record<string, unknown> | null> | undefined;
    if (partitions !== undefined && summaryFields) {
      manifest.partitions = partitions.filter((p) => p !== null).map((p) => readSummary(summaryFields, p));
    }
    return manifest;
  });

  const list: ManifestList = { metadata: file.metadata, formatVersion, manifests };
  const snapshotId = parseOptionalLong(file.metadata['snapshot-id']);
  if (snapshotId !== undefined) list.snapshotId = snapshotId;
  const parentSnapshotId = parseOptionalLong(file.metadata['parent-snapshot-id']);
  if (parentSnapshotId !== undefined) list.parentSnapshotId = parentSnapshotId;
  const sequenceNumber = parseOptionalLong(file.metadata['sequence-number']);
  if (sequenceNumber !== undefined) list.sequenceNumber = sequenceNumber;
  const firstRowId = parseOptionalLong(file.metadata['first-row-id']);
  if (firstRowId !== undefined) list.firstRowId = firstRowId;
  return list;
}

/** The `field_summary` record inside the `partitions` array. */
function summaryRecordFields(fields: RecordFields, names: AvroNames): RecordFields {
  const list = fields.ordered.find((f) => f.id === F.partitions.id)!;
  const items = (list.schema as { items?: unknown }).items;
  if (items === undefined) throw new InvalidAvroFileError('manifest list partitions field is not an array');
  return new RecordFields(items, names);
}
