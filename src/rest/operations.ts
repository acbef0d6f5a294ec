/**
 * The operation table: every route of every API, with the operation it is and what a caller
 * needs for it when authentication is on. The catalog verbs enforce these (reads where a
 * reference or namespace is resolved, writes at the write gate); this table is the one place
 * that says it per route, and `test/auth/operations.test.ts` fails when a route is missing here.
 * R is the reference the route addresses (the Iceberg `{prefix}`, the default branch without
 * one); `ns` the namespaces it touches.
 */
export interface Operation {
  op: string;
  /** `public`: no token needed. `authenticated`: any valid token. Otherwise the privileges (policy.ts) and protections that apply. */
  requires: string;
}

const READ_NS = 'ref.read on R; content.read at or below the namespace';
const READ_OBJECTS = 'ref.read on R; content.read on (R, namespace)';
const WRITE = 'content.write on (R, each namespace touched); refused on a reference protected against direct writes';

export const OPERATIONS: Record<string, Operation> = {
  'GET /health': { op: 'HEALTH', requires: 'public' },
  'GET /ready': { op: 'READY', requires: 'public' },
  'GET /metrics': { op: 'METRICS', requires: 'public' },
  'POST /v1/oauth/tokens': { op: 'TOKEN', requires: 'public (client credentials or a token to exchange)' },
  'GET /.well-known/openid-configuration': { op: 'DISCOVERY', requires: 'public' },
  'GET /.well-known/jwks.json': { op: 'JWKS', requires: 'public' },

  'GET /v1/config': { op: 'CONFIG', requires: 'authenticated; ref.read on the warehouse reference when one is named' },
  'GET /v1/{prefix}/namespaces': { op: 'LIST_NAMESPACES', requires: `${READ_NS} (the listing shows only such namespaces)` },
  'POST /v1/{prefix}/namespaces': { op: 'CREATE_NAMESPACE', requires: WRITE },
  'GET /v1/{prefix}/namespaces/{namespace}': { op: 'LOAD_NAMESPACE', requires: READ_NS },
  'DELETE /v1/{prefix}/namespaces/{namespace}': { op: 'DROP_NAMESPACE', requires: WRITE },
  'POST /v1/{prefix}/namespaces/{namespace}/properties': { op: 'UPDATE_NAMESPACE', requires: WRITE },
  'GET /v1/{prefix}/namespaces/{namespace}/tables': { op: 'LIST_TABLES', requires: READ_OBJECTS },
  'POST /v1/{prefix}/namespaces/{namespace}/tables': { op: 'CREATE_TABLE', requires: WRITE },
  'GET /v1/{prefix}/namespaces/{namespace}/tables/{table}': { op: 'LOAD_TABLE', requires: READ_OBJECTS },
  'POST /v1/{prefix}/namespaces/{namespace}/tables/{table}': { op: 'COMMIT_TABLE', requires: WRITE },
  'DELETE /v1/{prefix}/namespaces/{namespace}/tables/{table}': { op: 'DROP_TABLE', requires: WRITE },
  'POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/unregister': { op: 'UNREGISTER_TABLE', requires: WRITE },
  'GET /v1/{prefix}/namespaces/{namespace}/tables/{table}/credentials': { op: 'LOAD_CREDENTIALS', requires: READ_OBJECTS },
  'POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/metrics': { op: 'REPORT_METRICS', requires: READ_NS },
  'POST /v1/{prefix}/namespaces/{namespace}/register': { op: 'REGISTER_TABLE', requires: WRITE },
  'POST /v1/{prefix}/tables/rename': { op: 'RENAME_TABLE', requires: `${WRITE} (source and destination)` },
  'POST /v1/{prefix}/transactions/commit': { op: 'COMMIT_TRANSACTION', requires: `${WRITE} (every table of the transaction, before anything is written)` },
  'GET /v1/{prefix}/namespaces/{namespace}/views': { op: 'LIST_VIEWS', requires: READ_OBJECTS },
  'POST /v1/{prefix}/namespaces/{namespace}/views': { op: 'CREATE_VIEW', requires: WRITE },
  'GET /v1/{prefix}/namespaces/{namespace}/views/{view}': { op: 'LOAD_VIEW', requires: READ_OBJECTS },
  'POST /v1/{prefix}/namespaces/{namespace}/views/{view}': { op: 'REPLACE_VIEW', requires: WRITE },
  'DELETE /v1/{prefix}/namespaces/{namespace}/views/{view}': { op: 'DROP_VIEW', requires: WRITE },
  'POST /v1/{prefix}/views/rename': { op: 'RENAME_VIEW', requires: `${WRITE} (source and destination)` },
  'POST /v1/{prefix}/namespaces/{namespace}/register-view': { op: 'REGISTER_VIEW', requires: WRITE },

  'GET /api/v2/config': { op: 'NESSIE_CONFIG', requires: 'authenticated' },
  'GET /api/v2/config/repository': { op: 'NESSIE_REPOSITORY_CONFIG', requires: 'authenticated' },
  'GET /api/v2/trees': { op: 'LIST_REFERENCES', requires: 'authenticated (the listing shows only references with ref.read)' },
  'POST /api/v2/trees': { op: 'CREATE_REFERENCE', requires: 'ref.create on the new name; ref.read on the source' },
  'GET /api/v2/trees/{ref}': { op: 'GET_REFERENCE', requires: 'ref.read on the reference' },
  'PUT /api/v2/trees/{ref}': { op: 'ASSIGN_REFERENCE', requires: 'ref.assign on the reference; ref.read on the target; refused on a reference protected against assign' },
  'DELETE /api/v2/trees/{ref}': { op: 'DELETE_REFERENCE', requires: 'ref.delete on the reference; refused on a reference protected against delete' },
  'GET /api/v2/trees/{ref}/entries': { op: 'LIST_ENTRIES', requires: 'ref.read on the reference (entries filtered by content.read)' },
  'GET /api/v2/trees/{ref}/history': { op: 'COMMIT_LOG', requires: 'ref.read on the reference' },
  'POST /api/v2/trees/{ref}/history/commit': { op: 'COMMIT_OPERATIONS', requires: WRITE },
  'POST /api/v2/trees/{ref}/history/merge': {
    op: 'MERGE',
    requires:
      'ref.read on the source; ref.merge on the target; content.write on (target, each namespace the merge changes); the target\'s protections: allowed sources, required checks passed on the exact source commit, strict',
  },
  'POST /api/v2/trees/{ref}/history/transplant': {
    op: 'TRANSPLANT',
    requires: 'ref.read on the source; ref.merge on the target; content.write per namespace changed; refused on a reference protected against transplants',
  },
  'GET /api/v2/trees/{ref}/contents': { op: 'GET_CONTENTS', requires: 'ref.read on the reference (contents filtered by content.read)' },
  'POST /api/v2/trees/{ref}/contents': { op: 'GET_CONTENTS', requires: 'ref.read on the reference (contents filtered by content.read)' },
  'GET /api/v2/trees/{ref}/contents/{key}': { op: 'GET_CONTENT', requires: 'ref.read on the reference; content.read for the key' },
  'GET /api/v2/trees/{from}/diff/{to}': { op: 'DIFF', requires: 'ref.read on both references (entries filtered by content.read)' },
  'GET /api/v2/trees/{ref}/recent-changes': { op: 'RECENT_CHANGES', requires: 'authenticated (not kept: always 400)' },

  'GET /api/lakecat/v1/whoami': { op: 'WHOAMI', requires: 'authenticated' },
  'GET /api/lakecat/v1/grants': { op: 'LIST_GRANTS', requires: 'admin' },
  'POST /api/lakecat/v1/grants': { op: 'GRANT', requires: 'admin' },
  'DELETE /api/lakecat/v1/grants': { op: 'REVOKE', requires: 'admin' },
  'GET /api/lakecat/v1/protections': { op: 'LIST_PROTECTIONS', requires: 'authenticated' },
  'PUT /api/lakecat/v1/protections/{pattern}': { op: 'PROTECT', requires: 'admin' },
  'DELETE /api/lakecat/v1/protections/{pattern}': { op: 'UNPROTECT', requires: 'admin' },
  'POST /api/lakecat/v1/commits/{ref}/checks': { op: 'REPORT_CHECK', requires: 'checks.report on the check name (and ref.read when a reference names the commit)' },
  'GET /api/lakecat/v1/commits/{ref}/checks': { op: 'LIST_CHECKS', requires: 'authenticated (and ref.read when a reference names the commit)' },
  'GET /api/lakecat/v1/audit': { op: 'AUDIT_LOG', requires: 'admin' },
  'GET /api/lakecat/v1/gc/policies': { op: 'LIST_GC_POLICIES', requires: 'admin' },
  'PUT /api/lakecat/v1/gc/policies': { op: 'SET_GC_POLICY', requires: 'admin' },
  'DELETE /api/lakecat/v1/gc/policies/{refType}/{pattern}': { op: 'REMOVE_GC_POLICY', requires: 'admin' },
  'POST /api/lakecat/v1/gc/runs': { op: 'GC_RUN', requires: 'admin' },
  'GET /api/lakecat/v1/gc/runs': { op: 'LIST_GC_RUNS', requires: 'admin' },
  'GET /api/lakecat/v1/gc/runs/{id}': { op: 'GET_GC_RUN', requires: 'admin' },
  'GET /api/lakecat/v1/gc/runs/{id}/deletions': { op: 'GC_RUN_DELETIONS', requires: 'admin' },
};

/** The table's key for a route as the router knows it: `/v1/` and `/v1/:prefix/` forms are one, `:x` is `{x}`. */
export function operationKey(method: string, path: string): string {
  const normal = path.replace(/^\/v1\/(?!config$|oauth\/|:prefix\/)/, '/v1/:prefix/').replace(/:([A-Za-z]+)/g, '{$1}');
  return `${method} ${normal}`;
}
