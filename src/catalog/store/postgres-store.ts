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

/**
 * A pool whose connections never crash the process when PostgreSQL goes away. The pool guards
 * only its idle connections; one that is checked out (inside a transaction, between two
 * queries) would emit an unhandled 'error' event when the server restarts. Every connection
 * gets a listener of its own: the query in flight, or the next one, fails and reports it.
 */
export function createPool(url: string, max: number): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max });
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

export function createPostgresStore(config: Extract<StoreConfig, { kind: 'postgres' }>): VersionStore {
  const pool = createPool(config.url, config.poolSize ?? 20);
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
