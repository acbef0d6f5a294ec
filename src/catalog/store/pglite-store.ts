/** The embedded database: PGlite in a data folder (or in memory), owned by this process. */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { migrationsFolder, withIdempotency } from './config.js';
import type { Transactional } from './core.js';
import { PgVersionStore } from './pg-store.js';
import type { VersionStore } from './port.js';

/**
 * PostgreSQL settings of the embedded database. shared_buffers is PGlite's largest allocation
 * (128 MB by default, inside the process); the catalog's working set is small, its own caches
 * sit above the database, and the operating system caches the data folder's files.
 */
const PGLITE_CONF = ['shared_buffers=16MB'];

export function createPgliteStore(config: { dataDir?: string; cacheBytes?: number }): VersionStore {
  const client = new PGlite(config.dataDir, { postgresqlconf: PGLITE_CONF });
  const db = drizzlePglite({ client });
  const store = new PgVersionStore({
    db: db as unknown as Transactional,
    migrate: () => migratePglite(db, { migrationsFolder: migrationsFolder() }),
    close: () => client.close(),
    // One process owns a PGlite database: every reference move goes through this store.
    refCache: 'exclusive',
    cacheBytes: config.cacheBytes,
  });
  return withIdempotency(store, db as unknown as Transactional);
}

/**
 * Creates the data folder's database in a child process when it does not exist yet, so the
 * memory initdb takes is returned to the system with that process (first start of a server:
 * ~770 MB resident without this, ~170 MB with it).
 */
export async function initPgliteDataDir(dataDir: string): Promise<void> {
  if (existsSync(join(dataDir, 'PG_VERSION'))) return;
  const script = fileURLToPath(new URL('./pglite-initdb.mjs', import.meta.url));
  await promisify(execFile)(process.execPath, [script, dataDir], { timeout: 300_000 });
}
