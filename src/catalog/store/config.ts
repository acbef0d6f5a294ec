/** How to reach the version store's database, and where its migrations are. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Transactional } from './core.js';
import { PgIdempotencyRecords } from './idempotency-store.js';
import { PgSigningKeyStore } from './signing-keys.js';
import { PgLocationClaims } from './location-store.js';
import { PgAccessRecords } from './access-store.js';
import type { PgVersionStore } from './pg-store.js';
import type { VersionStore } from './port.js';

export type StoreConfig =
  | { kind: 'pglite'; /** undefined: in memory */ dataDir?: string; cacheBytes?: number }
  | {
      kind: 'postgres';
      /** Budget of the store's in-process caches (default 72 MiB). */
      cacheBytes?: number;
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

/**
 * Attaches the Idempotency-Key records, the token-signing key and the access records to the store: same database
 * and lifetime, but kept out of the store class because they are not versioned catalog state.
 */
export function withIdempotency(store: PgVersionStore, db: Transactional): VersionStore {
  return Object.assign(store, {
    idempotency: new PgIdempotencyRecords(db),
    signingKeys: new PgSigningKeyStore(db),
    access: new PgAccessRecords(db),
    locations: new PgLocationClaims(db),
    gc: store.gcRecords(db),
  });
}
