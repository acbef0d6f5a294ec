/**
 * The object store a data client reaches a table's files with: the table's own folder for a
 * `file:` location (a client on the catalog's machine), or S3 with what lakecat vends in the
 * table's config (endpoint, region, path style, keys), as engines use it.
 */
import { createObjectStore, type ConfiguredObjectStore } from '../io/index.js';

export function tableStore(location: string, config: Record<string, string>): ConfiguredObjectStore {
  if (!location.startsWith('s3://') && !location.startsWith('s3a://')) return createObjectStore({ warehouse: location });
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
