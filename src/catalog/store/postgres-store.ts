/** PostgreSQL through a connection pool; several lakecat processes may share the database. */
import { sql } from 'drizzle-orm';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import { migrate as migrateNodePg } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { migrationsFolder, withIdempotency, type StoreConfig } from './config.js';
import type { Transactional } from './core.js';
import { PgVersionStore } from './pg-store.js';
import { PgRefListener } from './ref-listener.js';
import type { VersionStore } from './port.js';

// Any constant works; it only has to be the same for every lakecat process.
const MIGRATION_LOCK = 0x6c616b65;

export function createPostgresStore(config: Extract<StoreConfig, { kind: 'postgres' }>): VersionStore {
  const pool = new pg.Pool({ connectionString: config.url, max: config.poolSize ?? 20 });
  // An idle client losing its connection must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  const db = drizzleNodePg({ client: pool });
  const store = new PgVersionStore({
    db: db as unknown as Transactional,
    // Several processes may start at once: serialise migrations with an advisory lock held
    // on one dedicated connection.
    migrate: async () => {
      const client = await pool.connect();
      try {
        const one = drizzleNodePg({ client });
        await one.execute(sql`SELECT pg_advisory_lock(${MIGRATION_LOCK})`);
        try {
          await migrateNodePg(one, { migrationsFolder: migrationsFolder() });
        } finally {
          await one.execute(sql`SELECT pg_advisory_unlock(${MIGRATION_LOCK})`);
        }
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
    refCache: config.refCache === false ? 'off' : 'watched',
    watchRefs: (cache, origin) => new PgRefListener({ url: config.url, origin, cache }),
    cacheBytes: config.cacheBytes,
  });
  return withIdempotency(store, db as unknown as Transactional);
}
