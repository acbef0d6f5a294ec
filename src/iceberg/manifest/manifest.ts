/**
 * Manifests: Avro files of `manifest_entry` records, one partition spec each, holding either
 * data files or delete files.
 */
import { ValidationError } from '../errors.js';
import { parseJson } from '../json.js';
import type { FormatVersion, StructType } from '../model.js';
import { type AvroReadOptions, type AvroWriteOptions, readAvroFile, writeAvroFile } from './avro-container.js';
import { AvroNames, RecordFields } from './avro-fields.js';
import { icebergSchemaJson } from './avro-schema.js';
import { DataFileReader, dataFileToAvro } from './data-file.js';
import { InvalidAvroFileError } from './errors.js';
import { formatVersionOf, parseOptionalInt } from './header.js';
import { MANIFEST_ENTRY, manifestAvroSchema, manifestEntrySchema } from './schemas.js';
import type {
  EntryStatus,
  FileMetadata,
  Manifest,
  ManifestContent,
  ManifestEntry,
  ManifestFile,
  ManifestWriteRequest,
} from './types.js';

export function entryStatusCode(status: EntryStatus): number {
  switch (status) {
    case 'existing':
      return 0;
    case 'added':
      return 1;
    case 'deleted':
      return 2;
    default: {
      const unexpected: never = status;
      throw new ValidationError(`Unknown manifest entry status: ${String(unexpected)}`);
    }
  }
}

export function entryStatusOf(code: number): EntryStatus {
  switch (code) {
    case 0:
      return 'existing';
    case 1:
      return 'added';
    case 2:
      return 'deleted';
    default:
      throw new InvalidAvroFileError(`unknown manifest entry status ${code}`);
  }
}

function checkContent(formatVersion: FormatVersion, content: ManifestContent, entries: ManifestEntry[]): void {
  if (formatVersion === 1 && content !== 'data') {
    throw new ValidationError('Cannot write delete manifests in a v1 table');
  }
  for (const entry of entries) {
    const isData = entry.dataFile.content === 'data';
    if (isData !== (content === 'data')) {
      throw new ValidationError(
        `Cannot write ${entry.dataFile.content} file to a ${content} manifest: ${entry.dataFile.filePath}`,
      );
    }
  }
}

/** Serialises a manifest as an Avro file whose header carries the field ids and Java's metadata keys. */
/** The file and row counts a manifest list records for a manifest of `entries`. */
export function entryCounts(entries: readonly ManifestEntry[]): {
  addedFilesCount: number;
  existingFilesCount: number;
  deletedFilesCount: number;
  addedRowsCount: bigint;
  existingRowsCount: bigint;
  deletedRowsCount: bigint;
} {
  const c = { addedFilesCount: 0, existingFilesCount: 0, deletedFilesCount: 0, addedRowsCount: 0n, existingRowsCount: 0n, deletedRowsCount: 0n };
  for (const e of entries) {
    if (e.status === 'added') {
      c.addedFilesCount++;
      c.addedRowsCount += e.dataFile.recordCount;
    } else if (e.status === 'existing') {
      c.existingFilesCount++;
      c.existingRowsCount += e.dataFile.recordCount;
    } else {
      c.deletedFilesCount++;
      c.deletedRowsCount += e.dataFile.recordCount;
    }
  }
  return c;
}

export function writeManifest(request: ManifestWriteRequest, options: AvroWriteOptions = {}): Uint8Array {
  const { formatVersion, partitionType, content, entries } = request;
  checkContent(formatVersion, content, entries);

  const records = entries.map((entry) => {
    if (formatVersion >= 2 && entry.sequenceNumber === undefined && entry.status !== 'added') {
      // Only files added by the snapshot being committed may leave their sequence number to inheritance.
      throw new ValidationError('Only entries with status ADDED can have null sequence number');
    }
    const record: Record<string, unknown> = {
      [MANIFEST_ENTRY.status.name]: entryStatusCode(entry.status),
      [MANIFEST_ENTRY.snapshotId.name]: entry.snapshotId ?? null,
      data_file: dataFileToAvro(formatVersion, entry.dataFile, partitionType),
    };
    if (formatVersion >= 2) {
      record[MANIFEST_ENTRY.sequenceNumber.name] = entry.sequenceNumber ?? null;
      record[MANIFEST_ENTRY.fileSequenceNumber.name] = entry.fileSequenceNumber ?? null;
    }
    return record;
  });

  const metadata: FileMetadata = {
    schema: request.schemaJson,
    'schema-id': String(request.schemaId),
    'partition-spec': request.partitionSpecJson,
    'partition-spec-id': String(request.specId),
    'format-version': String(formatVersion),
  };
  if (formatVersion >= 2) metadata.content = content;
  const schemas = entrySchemas(formatVersion, partitionType);
  metadata['iceberg.schema'] = schemas.iceberg;
  return writeAvroFile(schemas.avro, metadata, records, options);
}

/**
 * The manifest-entry schema texts (Iceberg's and Avro's) for a format version and partition
 * type, cached: a catalog writes many manifests of few partition types. Emptied at 256 entries.
 */
const entrySchemaCache = new Map<string, { iceberg: string; avro: string }>();

function entrySchemas(formatVersion: FormatVersion, partitionType: StructType): { iceberg: string; avro: string } {
  const key = `${formatVersion}:${JSON.stringify(partitionType)}`;
  let hit = entrySchemaCache.get(key);
  if (!hit) {
    hit = {
      iceberg: icebergSchemaJson(manifestEntrySchema(formatVersion, partitionType)),
      avro: JSON.stringify(manifestAvroSchema(formatVersion, partitionType)),
    };
    if (entrySchemaCache.size >= 256) entrySchemaCache.clear();
    entrySchemaCache.set(key, hit);
  }
  return hit;
}

interface EntryReader {
  entryFields: RecordFields;
  dataFiles: DataFileReader;
  hasSequenceNumbers: boolean;
}

/** Field resolution of a writer's entry schema, cached by schema text (readers are immutable). */
const entryReaders = new Map<string, EntryReader>();

function entryReaderOf(schemaText: string): EntryReader {
  let reader = entryReaders.get(schemaText);
  if (!reader) {
    const root = parseJson(schemaText);
    const names = new AvroNames(root);
    const entryFields = new RecordFields(root, names);
    reader = {
      entryFields,
      dataFiles: new DataFileReader(entryFields.nested(MANIFEST_ENTRY.dataFileId), names),
      hasSequenceNumbers: entryFields.has(MANIFEST_ENTRY.sequenceNumber.id),
    };
    if (entryReaders.size >= 256) entryReaders.clear();
    entryReaders.set(schemaText, reader);
  }
  return reader;
}

export interface ManifestReadOptions extends AvroReadOptions {
  /**
   * The manifest's entry in the manifest list. When given, unset snapshot ids, sequence numbers
   * and v3 first row ids are inherited from it as the spec prescribes.
   */
  manifest?: ManifestFile;
}

/** Parses a manifest written by any Iceberg writer, resolving columns by field id. */
export function readManifest(bytes: Uint8Array, options: ManifestReadOptions = {}): Manifest {
  const file = readAvroFile(bytes, options);
  const { entryFields, dataFiles, hasSequenceNumbers } = entryReaderOf(file.schemaText);
  const formatVersion = formatVersionOf(file.metadata, hasSequenceNumbers ? 2 : 1);
  const content: ManifestContent = file.metadata.content === 'deletes' ? 'deletes' : 'data';

  const entries = file.records.map((value): ManifestEntry => {
    const record = value as Record<string, unknown>;
    const status = entryFields.int(record, MANIFEST_ENTRY.status.id);
    const dataFile = entryFields.get(record, MANIFEST_ENTRY.dataFileId);
    if (status === undefined || dataFile === undefined) {
      throw new InvalidAvroFileError('manifest entry is missing its status or data file');
    }
    const entry: ManifestEntry = {
      status: entryStatusOf(status),
      dataFile: dataFiles.read(dataFile as Record<string, unknown>),
    };
    const snapshotId = entryFields.long(record, MANIFEST_ENTRY.snapshotId.id);
    if (snapshotId !== undefined) entry.snapshotId = snapshotId;
    const seq = entryFields.long(record, MANIFEST_ENTRY.sequenceNumber.id);
    const fileSeq = entryFields.long(record, MANIFEST_ENTRY.fileSequenceNumber.id);
    if (seq !== undefined) entry.sequenceNumber = seq;
    if (fileSeq !== undefined) entry.fileSequenceNumber = fileSeq;
    if (formatVersion === 1) {
      // v1 has no sequence numbers: every file reads as sequence number 0.
      entry.sequenceNumber ??= 0n;
      entry.fileSequenceNumber ??= 0n;
    }
    return entry;
  });

  if (options.manifest) inheritFromManifest(entries, options.manifest);

  const manifest: Manifest = {
    metadata: file.metadata,
    formatVersion,
    content,
    partitionType: dataFiles.partitionType,
    entries,
  };
  if (file.metadata.schema !== undefined) manifest.schemaJson = file.metadata.schema;
  if (file.metadata['partition-spec'] !== undefined) manifest.partitionSpecJson = file.metadata['partition-spec'];
  const schemaId = parseOptionalInt(file.metadata['schema-id']);
  if (schemaId !== undefined) manifest.schemaId = schemaId;
  const specId = parseOptionalInt(file.metadata['partition-spec-id']);
  if (specId !== undefined) manifest.specId = specId;
  return manifest;
}

/**
 * Fills what an entry leaves to its manifest list entry, as Java's `InheritableMetadataFactory`
 * and `ManifestReader` do: the snapshot id always; sequence numbers when the entry was added
 * (or the manifest's sequence number is 0, as for v1); first row ids of live data files in
 * order, counting up by record count from the manifest's `first_row_id`.
 */
export function inheritFromManifest(entries: ManifestEntry[], manifest: ManifestFile): void {
  let nextRowId = manifest.firstRowId;
  for (const entry of entries) {
    entry.snapshotId ??= manifest.addedSnapshotId;
    const inherits = manifest.sequenceNumber === 0n || entry.status === 'added';
    if (entry.sequenceNumber === undefined && inherits) entry.sequenceNumber = manifest.sequenceNumber;
    if (entry.fileSequenceNumber === undefined && inherits) entry.fileSequenceNumber = manifest.sequenceNumber;

    const file = entry.dataFile;
    if (nextRowId === undefined) {
      // A committed manifest without a first row id predates row lineage: its files have none either.
      delete file.firstRowId;
    } else if (entry.status !== 'deleted' && file.content === 'data' && file.firstRowId === undefined) {
      file.firstRowId = nextRowId;
      nextRowId += file.recordCount;
    }
  }
}
