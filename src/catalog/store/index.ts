/**
 * Builds a VersionStore on PGlite (embedded; in memory when no data folder is given) or on
 * PostgreSQL. Both run the same migrations from `migrations/` and the same store code.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import { migrate as migrateNodePg } from 'drizzle-orm/node-postgres/migrator';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import type { Transactional } from './core.js';
import { PgIdempotencyRecords } from './idempotency-store.js';
import { PgVersionStore } from './pg-store.js';
import { PgRefListener } from './ref-listener.js';
import type { VersionStore } from './port.js';

export type StoreConfig =
  | { kind: 'pglite'; /** undefined: in memory */ dataDir?: string }
  | {
      kind: 'postgres';
      url: string;
      poolSize?: number;
      /**
       * Cache reference heads in this process, kept in step with other processes by LISTEN/NOTIFY
       * (default true). Off: every read at a branch head asks PostgreSQL for the head.
       */
      refCache?: boolean;
    };

/** The committed migrations folder, found upwards from this module (works from src/ and from a build). */
export function migrationsFolder(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'migrations');
    if (existsSync(join(candidate, 'meta', '_journal.json'))) return candidate;
    dir = dirname(dir);
  }
  throw new Error('migrations folder not found');
}

// Any constant works; it only has to be the same for every lakecat process.
const MIGRATION_LOCK = 0x6c616b65;

export function createStore(config: StoreConfig): VersionStore {
  switch (config.kind) {
    case 'pglite': {
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
    case 'postgres': {
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
      });
      return withIdempotency(store, db as unknown as Transactional);
    }
    default: {
      const never: never = config;
      throw new Error(`unknown store kind ${JSON.stringify(never)}`);
    }
  }
}

/**
 * Attaches the Idempotency-Key records to the store: same database and lifetime, but kept out
 * of the store class because they are HTTP bookkeeping, not versioned catalog state.
 */
function withIdempotency(store: PgVersionStore, db: Transactional): VersionStore {
  return Object.assign(store, { idempotency: new PgIdempotencyRecords(db) });
}
