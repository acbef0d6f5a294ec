import type { Context } from 'hono';
import type { Actor, Catalog } from '../../catalog/index.js';
import { principalOf } from '../auth.js';

/** What the Nessie routes need; built once by `createNessieApi`. */
export interface NessieDeps {
  catalog: Catalog;
  defaultBranch: string;
}

/**
 * The acting principal of a request. Without authentication every request is anonymous and the
 * commit author comes from the request's commit metadata; with it, from the principal.
 */
export function nessieActor(c: Context): Actor {
  return { principal: principalOf(c) };
}

/** The commit log's strict page size cap, as Nessie's; clients page on with the returned token. */
export const MAX_LOG_PAGE = 250;
