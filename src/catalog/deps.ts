import type { ObjectStore } from '../io/port.js';
import type { Identity } from './access/identity.js';
import type { AuditRecord } from './access/records.js';
import type { Authorizer } from './context.js';
import type { VersionStore } from './store/port.js';

/** What the catalog verbs need from the outside world; built once in src/main.ts. */
export interface CatalogDeps {
  store: VersionStore;
  objects: ObjectStore;
  /** Root location for new tables and views, e.g. `s3://bucket/warehouse` or `file:///var/lakecat`; no trailing slash. */
  warehouse: string;
  now: () => number;
  newUuid: () => string;
  /** Bounded server-side retries of a commit that lost a race but whose requirements still hold. */
  commitRetries: number;
  /** Access control; everything is allowed when absent. */
  authorizer?: Authorizer;
  /** Authentication; every caller is the anonymous principal when absent. */
  identity?: Identity;
  /**
   * Merge tables changed on both sides at the Iceberg level (replay the source's snapshots onto
   * the target where that is safe) instead of reporting a conflict; on unless false.
   */
  icebergMerge?: boolean;
  /** Let a table take a location at, inside or around another table's (catalog/locations.ts); off unless true. */
  allowOverlappingLocations?: boolean;
  /** Receives an audit record for every change that lands (and, from the authorizer, every refusal). */
  audit?: (record: AuditRecord) => void;
}
