import { LocalFsObjectStore } from './local-fs.js';
import { fileLocationPath, normaliseWarehouse, parseS3Location } from './location.js';
import { ObjectStoreError, type ObjectStore } from './port.js';
import { RoutingObjectStore } from './router.js';
import { S3ObjectStore, type S3ObjectStoreConfig } from './s3.js';

export { LocalFsObjectStore } from './local-fs.js';
export { MemoryObjectStore } from './memory.js';
export { RoutingObjectStore } from './router.js';
export { S3ObjectStore, type S3ObjectStoreConfig } from './s3.js';
export { fileLocation, fileLocationPath, normaliseWarehouse, parseS3Location } from './location.js';
export { ObjectExistsError, ObjectNotFoundError, ObjectStoreError, type ObjectStore } from './port.js';

export interface ObjectStoreConfig {
  /** `s3://bucket/prefix`, a `file:` URI, or a folder path (relative paths resolve against the working directory). */
  warehouse: string;
  /**
   * S3 settings. With an S3 warehouse the store serves that warehouse's bucket (a different
   * `bucket` is a configuration error); with a folder warehouse, giving them also serves S3
   * locations, only in `bucket` if set.
   */
  s3?: Partial<S3ObjectStoreConfig>;
  /** Further folders (paths or `file:` URIs) the catalog may write table and view metadata into. */
  extraFolders?: readonly string[];
}

export interface ConfiguredObjectStore {
  store: ObjectStore;
  /** The root location for new tables: `s3://bucket/prefix` or `file:///abs/folder`, no trailing slash. */
  warehouse: string;
  /** Releases network connections; the store must not be used afterwards. */
  close(): void;
}

/**
 * Builds the object store the catalog uses: the local filesystem for a folder warehouse (only
 * inside that folder), S3 for an `s3://` warehouse or when S3 settings are given.
 */
export function createObjectStore(config: ObjectStoreConfig): ConfiguredObjectStore {
  const warehouse = normaliseWarehouse(config.warehouse);
  const stores: ObjectStore[] = [];
  const s3Stores: S3ObjectStore[] = [];
  const warehouseS3 = parseS3Location(warehouse);

  if (warehouseS3 && config.s3?.bucket !== undefined && config.s3.bucket !== warehouseS3.bucket) {
    throw new ObjectStoreError(`The S3 bucket ${config.s3.bucket} is not the warehouse's bucket (${warehouse})`);
  }
  if (warehouseS3 || config.s3) {
    const s3 = new S3ObjectStore({
      region: 'us-east-1',
      forcePathStyle: false,
      ...config.s3,
      bucket: config.s3?.bucket ?? warehouseS3?.bucket,
    });
    s3Stores.push(s3);
    stores.push(s3);
  }
  const folder = fileLocationPath(warehouse);
  if (folder !== undefined) stores.push(new LocalFsObjectStore(folder));
  for (const extra of config.extraFolders ?? []) {
    const path = fileLocationPath(normaliseWarehouse(extra));
    if (path === undefined) throw new ObjectStoreError(`Not a folder: ${extra}`);
    stores.push(new LocalFsObjectStore(path));
  }

  return {
    store: new RoutingObjectStore(stores),
    warehouse,
    close: () => s3Stores.forEach((s3) => s3.destroy()),
  };
}
