/**
 * The catalog as adapters see it: every verb bound to the dependencies, grouped by what it acts
 * on. Built once in src/main.ts (or a test harness) and handed to the HTTP adapters, which hold
 * no store or object-store handle of their own. Every verb takes the acting Actor first.
 */
import * as admin from './access/admin.js';
import * as gc from './gc/verbs.js';
import { NO_AUTHENTICATION } from './access/identity.js';
import type { CatalogDeps } from './deps.js';
import { MemoryIdempotencyRecords, type IdempotencyRecords } from './idempotency.js';
import * as namespaces from './namespaces.js';
import { resolveRef } from './refs/resolve.js';
import { commitTables } from './table-commit.js';
import * as tables from './tables.js';
import * as views from './views.js';
import * as references from './versioning/references.js';
import { commitLog } from './versioning/history.js';
import { diffRefs, getContent, getContents, listEntries } from './versioning/contents.js';
import { commitOperations } from './versioning/commit-operations.js';
import { mergeBranch, transplantCommits } from './versioning/merge.js';
import type { Actor } from './context.js';
import type { ResolvedRef } from './refs/resolve.js';
import type { Namespace, TableIdentifier } from './identifiers.js';
import type { PageRequest } from './model.js';

type Verb = (deps: CatalogDeps, ...args: any[]) => unknown;
type Bound<F> = F extends (deps: CatalogDeps, ...args: infer A) => infer R ? (...args: A) => R : never;

function bind<T extends Record<string, Verb>>(deps: CatalogDeps, verbs: T): { readonly [K in keyof T]: Bound<T[K]> } {
  const out: Record<string, unknown> = {};
  for (const [name, verb] of Object.entries(verbs)) out[name] = (...args: unknown[]) => verb(deps, ...args);
  return out as { readonly [K in keyof T]: Bound<T[K]> };
}

export function createCatalog(deps: CatalogDeps) {
  const identity = deps.identity ?? { authenticator: NO_AUTHENTICATION };
  return {
    defaultBranch: deps.store.defaultBranch,
    warehouse: deps.warehouse,
    /** Idempotency-Key records: in the database when the store keeps them, else in this process (one process only). */
    idempotency: (deps.store.idempotency ?? new MemoryIdempotencyRecords()) as IdempotencyRecords,
    /** Who is calling: the bearer token of a request turned into its principal; lakecat's own token issuer (service clients) when configured. */
    identity: {
      required: identity.authenticator.required,
      authenticate: (authorization: string | undefined) => identity.authenticator.authenticate(authorization),
      tokens: identity.serviceClients,
    },
    /** Liveness of what the catalog depends on, for readiness checks. */
    probes: { database: () => deps.store.ping(), objectStore: () => deps.objects.ping() },

    refs: bind(deps, {
      resolve: resolveRef,
      list: references.listReferences,
      get: references.getReference,
      describe: references.describeReference,
      create: references.createReference,
      assign: references.assignReference,
      delete: references.deleteReference,
    }),
    namespaces: bind(deps, {
      list: namespaces.listNamespaces,
      load: namespaces.loadNamespace,
      exists: namespaces.namespaceExists,
      create: namespaces.createNamespace,
      drop: namespaces.dropNamespace,
      updateProperties: namespaces.updateNamespaceProperties,
    }),
    tables: {
      ...bind(deps, {
        load: tables.loadTable,
        exists: tables.tableExists,
        create: tables.createTable,
        register: tables.registerTable,
        drop: tables.dropTable,
        unregister: tables.unregisterTable,
        /** Applies changes to one or more tables as one catalog commit. */
        commit: commitTables,
      }),
      list: (actor: Actor, ref: ResolvedRef, ns: Namespace, page: PageRequest) => tables.listTables(deps, actor, ref, ns, page, 'ICEBERG_TABLE'),
      rename: (actor: Actor, ref: ResolvedRef, from: TableIdentifier, to: TableIdentifier) =>
        tables.renameObject(deps, actor, ref, from, to, 'ICEBERG_TABLE'),
    },
    views: {
      ...bind(deps, {
        load: views.loadView,
        exists: views.viewExists,
        create: views.createView,
        register: views.registerView,
        replace: views.replaceView,
        drop: views.dropView,
      }),
      list: (actor: Actor, ref: ResolvedRef, ns: Namespace, page: PageRequest) => tables.listTables(deps, actor, ref, ns, page, 'ICEBERG_VIEW'),
      rename: (actor: Actor, ref: ResolvedRef, from: TableIdentifier, to: TableIdentifier) =>
        tables.renameObject(deps, actor, ref, from, to, 'ICEBERG_VIEW'),
    },
    history: bind(deps, { log: commitLog }),
    contents: bind(deps, {
      get: getContent,
      getMany: getContents,
      entries: listEntries,
      diff: diffRefs,
      /** A commit of Put/Delete operations planned by the client (Nessie's commit). */
      commit: commitOperations,
    }),
    merges: bind(deps, { merge: mergeBranch, transplant: transplantCommits }),
    /** Grants, protections and the audit log (admins), and check results. */
    access: bind(deps, {
      grants: admin.listGrants,
      grant: admin.addGrant,
      revoke: admin.removeGrant,
      protections: admin.listProtections,
      protect: admin.putProtection,
      unprotect: admin.removeProtection,
      reportCheck: admin.reportCheck,
      checks: admin.listChecks,
      audit: admin.auditLog,
    }),
    /** Garbage collection (admins): retention policies, runs and their reports. */
    gc: bind(deps, {
      policies: gc.listGcPolicies,
      setPolicy: gc.putGcPolicy,
      removePolicy: gc.removeGcPolicy,
      run: gc.collectGarbage,
      runs: gc.listGcRuns,
      get: gc.getGcRun,
      deletions: gc.gcRunDeletions,
    }),
  };
}

export type Catalog = ReturnType<typeof createCatalog>;
