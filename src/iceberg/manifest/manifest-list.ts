/**
 * Manifest lists: one Avro file per snapshot with a `manifest_file` record per manifest.
 */
import { ValidationError } from '../errors.js';
import { parseJson } from '../json.js';
import type { FormatVersion } from '../model.js';
import { type AvroReadOptions, type AvroWriteOptions, readAvroFile, writeAvroFile } from './avro-container.js';
import { AvroNames, RecordFields } from './avro-fields.js';
import { icebergSchemaJson } from './avro-schema.js';
import { InvalidAvroFileError } from './errors.js';
import { formatVersionOf, parseOptionalLong } from './header.js';
import { fromBuffer, toBuffer } from './partition-values.js';
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
  if (formatVersion >= 3) record[F.firstRowId.name] = manifest.firstRowId ?? null;
  return record;
}

/** Serialises a snapshot's manifest list, with the header metadata Java writes. */
export function writeManifestList(request: ManifestListWriteRequest, options: AvroWriteOptions = {}): Uint8Array {
  const { formatVersion } = request;
  if (formatVersion >= 2 && request.sequenceNumber === undefined) {
    throw new ValidationError(`A v${formatVersion} manifest list needs the snapshot's sequence number`);
  }
  let manifests = request.manifests;
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
  metadata['iceberg.schema'] = icebergSchemaJson(manifestListSchema(formatVersion));

  const records = manifests.map((m) => manifestToAvro(formatVersion, m, request));
  const schemaText = JSON.stringify(manifestListAvroSchema(formatVersion));
  return writeAvroFile(schemaText, metadata, records, options);
}

function readSummary(fields: RecordFields, record: Record<string, unknown>): FieldSummary {
  const summary: FieldSummary = { containsNull: fields.get(record, SUMMARY.containsNull) === true };
  const containsNan = fields.get(record, SUMMARY.containsNan);
  if (containsNan !== undefined) summary.containsNan = containsNan as boolean;
  const lower = fields.get(record, SUMMARY.lowerBound);
  if (lower !== undefined) summary.lowerBound = fromBuffer(lower as Uint8Array);
  const upper = fields.get(record, SUMMARY.upperBound);
  if (upper !== undefined) summary.upperBound = fromBuffer(upper as Uint8Array);
  return summary;
}

/** Parses a manifest list written by any Iceberg writer; v1 lists read with v2 defaults (data, sequence 0). */
export function readManifestList(bytes: Uint8Array, options: AvroReadOptions = {}): ManifestList {
  const file = readAvroFile(bytes, options);
  const root = parseJson(file.schemaText);
  const names = new AvroNames(root);
  const fields = new RecordFields(root, names);
  const formatVersion = formatVersionOf(file.metadata, fields.has(F.sequenceNumber.id) ? 2 : 1);
  const summaryFields = fields.has(F.partitions.id) ? summaryRecordFields(fields, names) : undefined;

  const manifests = file.records.map((value): ManifestFile => {
    const record = value as Record<string, unknown>;
    const get = (id: number): unknown => fields.get(record, id);
    const required = (id: number): unknown => {
      const v = get(id);
      if (v === undefined) throw new InvalidAvroFileError(`manifest list entry is missing required field ${id}`);
      return v;
    };
    const content = get(F.content.id);
    const manifest: ManifestFile = {
      manifestPath: required(F.path.id) as string,
      manifestLength: required(F.length.id) as bigint,
      partitionSpecId: required(F.specId.id) as number,
      content: content === undefined ? 'data' : manifestContentOf(content as number),
      sequenceNumber: (get(F.sequenceNumber.id) as bigint | undefined) ?? 0n,
      minSequenceNumber: (get(F.minSequenceNumber.id) as bigint | undefined) ?? 0n,
      addedSnapshotId: required(F.addedSnapshotId.id) as bigint,
    };
    const optional: Array<[keyof ManifestFile, unknown]> = [
      ['addedFilesCount', get(F.addedFilesCount.id)],
      ['existingFilesCount', get(F.existingFilesCount.id)],
      ['deletedFilesCount', get(F.deletedFilesCount.id)],
      ['addedRowsCount', get(F.addedRowsCount.id)],
      ['existingRowsCount', get(F.existingRowsCount.id)],
      ['deletedRowsCount', get(F.deletedRowsCount.id)],
      ['firstRowId', get(F.firstRowId.id)],
    ];
    for (const [key, v] of optional) {
      if (v !== undefined) (manifest as unknown as Record<string, unknown>)[key] = v;
    }
    const partitions = get(F.partitions.id) as Record<string, unknown>[] | undefined;
    if (partitions !== undefined && summaryFields) {
      manifest.partitions = partitions.map((p) => readSummary(summaryFields, p));
    }
    const keyMetadata = get(F.keyMetadata.id);
    if (keyMetadata !== undefined) manifest.keyMetadata = fromBuffer(keyMetadata as Uint8Array);
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
