/**
 * Builds a VersionStore on PGlite (embedded; in memory when no data folder is given) or on
 * PostgreSQL. Both run the same migrations from `migrations/` and the same store code.
 *
 * `createStore` loads both drivers; a server uses `openStoreModule`, which loads only the one
 * it needs (PGlite's module alone is ~45 MB of resident memory).
 */
import type { StoreConfig } from './config.js';
import type { VersionStore } from './port.js';
import { createPgliteStore } from './pglite-store.js';
import { createPostgresStore } from './postgres-store.js';

export { migrationsFolder, type StoreConfig } from './config.js';

export function createStore(config: StoreConfig): VersionStore {
  switch (config.kind) {
    case 'pglite':
      return createPgliteStore(config);
    case 'postgres':
      return createPostgresStore(config);
    default: {
      const never: never = config;
      throw new Error(`unknown store kind ${JSON.stringify(never)}`);
    }
  }
}
