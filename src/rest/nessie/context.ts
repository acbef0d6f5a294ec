import type { VersionStore } from '../../catalog/store/port.js';

/** What the Nessie routes need; built once by `createNessieApi`. */
export interface NessieDeps {
  store: VersionStore;
  /**
   * Reads a `metadata.json` (table or view) written by a Nessie client such as Iceberg's
   * NessieCatalog, which writes the file itself and then commits only its location. Return the
   * raw bytes to support gzip-compressed files (`*.gz.metadata.json`, Iceberg's default for views).
   */
  readMetadata: (metadataLocation: string) => Promise<string | Uint8Array>;
  defaultBranch: string;
}

/** The commit log's strict page size cap, as Nessie's; clients page on with the returned token. */
export const MAX_LOG_PAGE = 250;
