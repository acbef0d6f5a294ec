/** The embedded database: PGlite in a data folder (or in memory), owned by this process. */
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { migrationsFolder, withIdempotency } from './config.js';
import type { Transactional } from './core.js';
import { PgVersionStore } from './pg-store.js';
import type { VersionStore } from './port.js';

export function createPgliteStore(config: { dataDir?: string }): VersionStore {
  const client = new PGlite(config.dataDir);
  const db = drizzlePglite({ client });
  const store = new PgVersionStore({
    db: db as unknown as Transactional,
    migrate: () => migratePglite(db, { migrationsFolder: migrationsFolder() }),
    close: () => client.close(),
    // One process owns a PGlite database: every reference move goes through this store.
    refCache: 'exclusive',
  });
  return withIdempotency(store, db as unknown as Transactional);
}
