import { createStore } from '../../src/catalog/store/index.js';
import { storeContract } from './contract.js';

storeContract('PGlite (in memory)', async () => {
  const store = createStore({ kind: 'pglite' });
  return { store, dispose: () => store.close() };
});
