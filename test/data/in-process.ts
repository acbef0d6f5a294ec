/** The data clients' view of an in-process lakecat: an Iceberg REST client whose requests go straight to the harness's app. */
import { IcebergRestClient } from '../../src/data/rest-client.js';
import type { Harness } from '../rest/harness.js';

export function inProcessClient(h: Harness): IcebergRestClient {
  return new IcebergRestClient({ url: 'http://lakecat', fetch: async (url, init) => h.app.hono.request(url.replace('http://lakecat', ''), init) });
}
