/**
 * The catalog's public surface, checked in: the names src/catalog/index.ts exports and the verbs
 * of a Catalog. Adapters may use nothing else, so a change here is a change of what every API
 * can reach; it should be deliberate and visible in review.
 */
import { describe, expect, it } from 'vitest';
import * as surface from './index.js';
import { createTestCatalog } from './testing.js';

describe('the public surface of src/catalog', () => {
  it('exports exactly these values', () => {
    expect(Object.keys(surface).sort()).toEqual([
      'ANONYMOUS',
      'AlreadyExistsError',
      'BadRequestError',
      'CatalogError',
      'ConflictError',
      'DETACHED',
      'ForbiddenError',
      'IdentityUnavailableError',
      'Lru',
      'MemoryIdempotencyRecords',
      'NO_ANCESTOR_HASH',
      'NamespaceNotEmptyError',
      'NotAuthenticatedError',
      'NotFoundError',
      'ObjectStoreError',
      'REF_NAME_MESSAGE',
      'ReadOnlyReferenceError',
      'RefSyntaxError',
      'ReferenceConflictError',
      'StoreUnavailableError',
      'UnprocessableError',
      'anonymousActor',
      'checkName',
      'checkNamespace',
      'checkNewRefName',
      'checkRefName',
      'commitAuthor',
      'compareKeys',
      'createCatalog',
      'formatIdentifier',
      'formatNamespace',
      'isValidRefName',
      'keyFromString',
      'keyStartsWith',
      'keyToString',
      'parseHashSpec',
      'parseRefExpression',
    ]);
  });

  it('offers exactly these verbs', async () => {
    const t = await createTestCatalog();
    try {
      const c = t.catalog;
      const groups = { access: c.access, refs: c.refs, namespaces: c.namespaces, tables: c.tables, views: c.views, history: c.history, contents: c.contents, merges: c.merges, gc: c.gc };
      const verbs = Object.fromEntries(Object.entries(groups).map(([g, v]) => [g, Object.keys(v).sort()]));
      expect(verbs).toEqual({
        access: ['audit', 'checks', 'grant', 'grants', 'protect', 'protections', 'reportCheck', 'revoke', 'unprotect'],
        refs: ['assign', 'create', 'delete', 'describe', 'get', 'list', 'resolve'],
        namespaces: ['create', 'drop', 'exists', 'list', 'load', 'updateProperties'],
        tables: ['commit', 'create', 'drop', 'exists', 'list', 'load', 'register', 'rename', 'unregister'],
        views: ['create', 'drop', 'exists', 'list', 'load', 'register', 'rename', 'replace'],
        history: ['log'],
        contents: ['commit', 'diff', 'entries', 'get', 'getMany'],
        merges: ['merge', 'transplant'],
        gc: ['deletions', 'get', 'policies', 'removePolicy', 'run', 'runs', 'setPolicy'],
      });
      for (const group of Object.values(groups)) for (const verb of Object.values(group)) expect(typeof verb).toBe('function');
      expect(Object.keys(c).sort()).toEqual(['access', 'contents', 'defaultBranch', 'gc', 'history', 'idempotency', 'identity', 'merges', 'namespaces', 'probes', 'refs', 'tables', 'views', 'warehouse']);
    } finally {
      await t.close();
    }
  });
});
