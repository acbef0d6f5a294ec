/**
 * The object store a data client reaches a table's files with: the table's own folder for a
 * `file:` location (a client on the catalog's machine), or S3 with what lakecat vends in the
 * table's config (endpoint, region, path style, keys), as engines use it. The S3 SDK is loaded
 * only for an S3 location: it is a large part of a short command's start-up.
 */
import type { ConfiguredObjectStore } from '../io/index.js';
import { LocalFsObjectStore } from '../io/local-fs.js';
import { fileLocationPath, normaliseWarehouse } from '../io/location.js';
import { ObjectStoreError } from '../io/port.js';
import { RoutingObjectStore } from '../io/router.js';

export async function tableStore(location: string, config: Record<string, string>): Promise<ConfiguredObjectStore> {
  if (!location.startsWith('s3://') && !location.startsWith('s3a://')) {
    const warehouse = normaliseWarehouse(location);
    const folder = fileLocationPath(warehouse);
    if (folder === undefined) throw new ObjectStoreError(`Not a folder or an S3 location: ${location}`);
    return { store: new RoutingObjectStore([new LocalFsObjectStore(folder)]), warehouse, close: () => undefined };
  }
  const { createObjectStore } = await import('../io/index.js');
  return createObjectStore({
    warehouse: location.replace(/^s3a:/, 's3:'),
    s3: {
      endpoint: config['s3.endpoint'],
      region: config['client.region'] ?? config['s3.region'] ?? 'us-east-1',
      forcePathStyle: config['s3.path-style-access'] === 'true',
      accessKeyId: config['s3.access-key-id'],
      secretAccessKey: config['s3.secret-access-key'],
      sessionToken: config['s3.session-token'],
    },
  });
}
