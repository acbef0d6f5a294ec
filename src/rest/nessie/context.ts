import type { Context } from 'hono';
import { anonymousActor, type Actor, type Catalog } from '../../catalog/index.js';

/** What the Nessie routes need; built once by `createNessieApi`. */
export interface NessieDeps {
  catalog: Catalog;
  defaultBranch: string;
}

/**
 * The acting principal of a request. Without authentication every request is anonymous; the
 * commit author comes from the request's commit metadata.
 */
export function nessieActor(_c: Context): Actor {
  return anonymousActor();
}

/** The commit log's strict page size cap, as Nessie's; clients page on with the returned token. */
export const MAX_LOG_PAGE = 250;
