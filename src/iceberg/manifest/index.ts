/** Iceberg manifest lists and manifests as Avro object container files, in memory. */
export type {
  DataFile,
  EntryStatus,
  FieldSummary,
  FileContent,
  FileMetadata,
  Manifest,
  ManifestContent,
  ManifestEntry,
  ManifestFile,
  ManifestFileToWrite,
  ManifestList,
  ManifestListWriteRequest,
  ManifestWriteRequest,
  PartitionTuple,
  PartitionValue,
} from './types.js';
export { assignFirstRowIds, readManifestList, writeManifestList } from './manifest-list.js';
export { entryCounts, inheritFromManifest, readManifest, type ManifestReadOptions, writeManifest } from './manifest.js';
export {
  DATA_FILE,
  MANIFEST_ENTRY,
  MANIFEST_FILE,
  dataFileSchema,
  manifestAvroSchema,
  manifestEntrySchema,
  manifestListAvroSchema,
  manifestListSchema,
} from './schemas.js';
export type { AvroField, AvroSchema } from './avro-schema.js';
export {
  type AvroCodec,
  type AvroDecompressors,
  type AvroReadOptions,
  type AvroWriteOptions,
  readAvroHeader,
} from './avro-container.js';
export { DEFAULT_BLOCK_SIZE } from './data-file.js';
export { InvalidAvroFileError } from './errors.js';
export { inflateRaw } from './inflate.js';
