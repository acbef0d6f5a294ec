/** Builds a VersionStore loading only the database driver the configuration names. */
import type { StoreConfig } from './config.js';
import type { VersionStore } from './port.js';

export async function loadStore(config: StoreConfig): Promise<VersionStore> {
  switch (config.kind) {
    case 'pglite': {
      const { createPgliteStore, initPgliteDataDir } = await import('./pglite-store.js');
      if (config.dataDir !== undefined) await initPgliteDataDir(config.dataDir);
      return createPgliteStore(config);
    }
    case 'postgres':
      return (await import('./postgres-store.js')).createPostgresStore(config);
    default: {
      const never: never = config;
      throw new Error(`unknown store kind ${JSON.stringify(never)}`);
    }
  }
}
