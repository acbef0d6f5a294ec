/**
 * PostgreSQL schema of the version store (the same on PGlite). Every table but `refs` holds
 * immutable, content-addressed rows: they are only ever inserted (ON CONFLICT DO NOTHING), so
 * concurrent writers never contend on them and any process may cache them forever by hash.
 * The only mutable catalog state is a reference's head, moved by compare-and-swap;
 * `idempotency_keys`, `auth_keys` and the access tables (grants, protections, check results,
 * audit log) sit beside the catalog, not in its history.
 */
import { bigint, bigserial, index, integer, jsonb, pgTable, primaryKey, smallint, text } from 'drizzle-orm/pg-core';

/** Branches and tags. `hash` is the head; updated only with `WHERE hash = $expected`. */
export const refs = pgTable('refs', {
  name: text('name').primaryKey(),
  type: text('type').$type<'BRANCH' | 'TAG'>().notNull(),
  hash: text('hash').notNull(),
});

/**
 * Commits. `gen` is the topological generation (1 + max over parents; the empty root has 0):
 * it orders candidates in merge-base search and bounds ancestor walks. `indexRoot` is the hash
 * of the root node of the commit's key index, so reading a key never walks history.
 * `gen` and `commitTime` stay far below 2^53 and are read as numbers; 64-bit Iceberg ids use
 * bigint mode.
 */
export const commits = pgTable('commits', {
  hash: text('hash').primaryKey(),
  parent: text('parent'),
  mergeParent: text('merge_parent'),
  gen: bigint('gen', { mode: 'number' }).notNull(),
  commitTime: bigint('commit_time', { mode: 'number' }).notNull(),
  author: text('author').notNull(),
  message: text('message').notNull(),
  properties: jsonb('properties').$type<Record<string, string>>().notNull(),
  /** [kind, key, contentHash | null, type, contentId, expectedContentId | null][] */
  operations: jsonb('operations').notNull(),
  indexRoot: text('index_root').notNull(),
});

/** Content values (namespace, table, view), addressed by the hash of their canonical form. */
export const contents = pgTable('contents', {
  hash: text('hash').primaryKey(),
  type: text('type').$type<'NAMESPACE' | 'ICEBERG_TABLE' | 'ICEBERG_VIEW'>().notNull(),
  contentId: text('content_id').notNull(),
  metadataLocation: text('metadata_location'),
  metadata: text('metadata'),
  snapshotId: bigint('snapshot_id', { mode: 'bigint' }),
  schemaId: integer('schema_id'),
  specId: integer('spec_id'),
  sortOrderId: integer('sort_order_id'),
  versionId: integer('version_id'),
  properties: jsonb('properties').$type<Record<string, string>>(),
});

/** Nodes of the per-commit key index (see key-index.ts), addressed by the hash of `data`. */
export const indexNodes = pgTable('index_nodes', {
  hash: text('hash').primaryKey(),
  level: smallint('level').notNull(),
  data: text('data').notNull(),
});

/**
 * Iceberg REST `Idempotency-Key` records, shared by every process on the database. A request
 * first claims its key (`PENDING`, owned by a random token, kept alive by `heartbeat_at`), then
 * finalises it with the response to replay (`DONE`). Times are epoch milliseconds; rows past
 * `expires_at` count as absent and are purged in small batches.
 */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    key: text('key').primaryKey(),
    /** Hash of method, path and body: a key reused for another request is refused, not replayed. */
    fingerprint: text('fingerprint').notNull(),
    state: text('state').$type<'PENDING' | 'DONE'>().notNull(),
    owner: text('owner').notNull(),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    heartbeatAt: bigint('heartbeat_at', { mode: 'number' }).notNull(),
    expiresAt: bigint('expires_at', { mode: 'number' }).notNull(),
    status: integer('status'),
    headers: jsonb('headers').$type<Record<string, string>>(),
    body: text('body'),
  },
  (t) => [index('idempotency_keys_expires_at').on(t.expiresAt)],
);

/**
 * The key lakecat signs its own tokens with (service clients, see catalog/access), shared by
 * every process on the database: the oldest row is the key in use. Not versioned catalog state.
 */
export const authKeys = pgTable('auth_keys', {
  kid: text('kid').primaryKey(),
  privateJwk: jsonb('private_jwk').$type<Record<string, unknown>>().notNull(),
  publicJwk: jsonb('public_jwk').$type<Record<string, unknown>>().notNull(),
  createdAt: bigint('created_at', { mode: 'number' }).notNull(),
});

/** Grants of access (catalog/access/policy.ts): additive and allow-only; not versioned with the catalog. */
export const accessGrants = pgTable(
  'access_grants',
  {
    subject: text('subject').notNull(),
    privilege: text('privilege').notNull(),
    on: text('on_pattern').notNull(),
    namespace: text('namespace_pattern').notNull(),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    createdBy: text('created_by').notNull(),
  },
  (t) => [primaryKey({ columns: [t.subject, t.privilege, t.on, t.namespace] })],
);

/** Protection rules on references (catalog/access/policy.ts `Protection`), by pattern. */
export const protections = pgTable('protections', {
  pattern: text('pattern').primaryKey(),
  rule: jsonb('rule').$type<Record<string, unknown>>().notNull(),
  updatedAt: bigint('updated_at', { mode: 'number' }).notNull(),
  updatedBy: text('updated_by').notNull(),
});

/** Check results reported for commits (append-only; the latest per commit and name counts). */
export const checkResults = pgTable(
  'check_results',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    hash: text('hash').notNull(),
    name: text('name').notNull(),
    state: text('state').notNull(),
    description: text('description').notNull(),
    detailsUrl: text('details_url').notNull(),
    reporter: text('reporter').notNull(),
    reporterRoles: jsonb('reporter_roles').$type<string[]>().notNull(),
    reportedAt: bigint('reported_at', { mode: 'number' }).notNull(),
  },
  (t) => [index('check_results_hash').on(t.hash, t.name)],
);

/** The audit log: every change, merge, reference change, grant or protection change, and every refusal. */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: bigint('at', { mode: 'number' }).notNull(),
    principal: text('principal').notNull(),
    operation: text('operation').notNull(),
    ref: text('ref'),
    namespaces: jsonb('namespaces').$type<string[]>().notNull(),
    decision: text('decision').notNull(),
    rule: text('rule'),
    detail: text('detail').notNull(),
  },
  (t) => [index('audit_log_at').on(t.at)],
);

/**
 * Where each table lives (catalog/locations.ts): one row per location lakecat handed to a table,
 * so that a new table, a registered one or a moved one is refused a location at, inside or
 * around another table's. Not versioned with the catalog: a row is checked against the
 * reference heads when it is in the way.
 */
export const tableLocations = pgTable(
  'table_locations',
  {
    location: text('location').primaryKey(),
    tableUuid: text('table_uuid').notNull(),
    contentId: text('content_id').notNull(),
    /** The content key the table had when it took the location (a JSON array of its elements). */
    key: text('key').notNull(),
    claimedAt: bigint('claimed_at', { mode: 'number' }).notNull(),
  },
  (t) => [index('table_locations_table_uuid').on(t.tableUuid)],
);

/**
 * Garbage collection (catalog/gc): how much history each reference keeps. A reference takes the
 * most specific matching policy (a literal name before a pattern, the longer pattern first);
 * without one the built-in defaults apply (catalog/gc/policy.ts).
 */
export const gcPolicies = pgTable(
  'gc_policies',
  {
    /** 'BRANCH', 'TAG' or 'ANY'. */
    refType: text('ref_type').notNull(),
    /** A reference name or an fnmatch pattern (`*`, `?`). */
    pattern: text('pattern').notNull(),
    /** Commits younger than this stay. */
    retainMs: bigint('retain_ms', { mode: 'number' }).notNull(),
    /** ...and at least this many commits of first-parent history, the head included. */
    retainCommits: integer('retain_commits').notNull(),
    /** How long the head of a deleted or reset reference (of this pattern) stays live. */
    deletedGraceMs: bigint('deleted_grace_ms', { mode: 'number' }).notNull(),
    updatedAt: bigint('updated_at', { mode: 'number' }).notNull(),
    updatedBy: text('updated_by').notNull(),
  },
  (t) => [primaryKey({ columns: [t.refType, t.pattern] })],
);

/**
 * Heads that left a reference: the head of a deleted branch or tag, and the head a branch had
 * before it was reset (assigned) elsewhere. GC keeps each live for its policy's grace.
 */
export const gcDroppedHeads = pgTable(
  'gc_dropped_heads',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    name: text('name').notNull(),
    type: text('type').notNull(),
    hash: text('hash').notNull(),
    droppedAt: bigint('dropped_at', { mode: 'number' }).notNull(),
    /** 'deleted' or 'reassigned'. */
    reason: text('reason').notNull(),
  },
  (t) => [index('gc_dropped_heads_dropped_at').on(t.droppedAt)],
);

/**
 * GC runs. One holds the lease at a time (`lease_until`, renewed before every delete batch);
 * the report is kept with the run.
 */
export const gcRuns = pgTable(
  'gc_runs',
  {
    id: text('id').primaryKey(),
    /** 'running', 'reported' (a dry run), 'done', 'failed' or 'interrupted'. */
    state: text('state').notNull(),
    dryRun: integer('dry_run').notNull(),
    startedAt: bigint('started_at', { mode: 'number' }).notNull(),
    finishedAt: bigint('finished_at', { mode: 'number' }),
    leaseUntil: bigint('lease_until', { mode: 'number' }).notNull(),
    startedBy: text('started_by').notNull(),
    options: jsonb('options').notNull(),
    report: jsonb('report'),
    error: text('error'),
  },
  (t) => [index('gc_runs_started_at').on(t.startedAt)],
);

/**
 * Every file a GC run decided to delete, with its state: 'pending', 'deleting' (the batch is
 * being deleted), 'deleted', 'rescued' (a commit that landed after the mark references it) or
 * 'failed'. Doubles as the audit log of deletions.
 */
export const gcDeletions = pgTable(
  'gc_deletions',
  {
    runId: text('run_id').notNull(),
    path: text('path').notNull(),
    bytes: bigint('bytes', { mode: 'number' }).notNull(),
    /** The table location the file lies under, or '' for none. */
    tableLocation: text('table_location').notNull(),
    state: text('state').notNull(),
    attempts: integer('attempts').notNull(),
    lastError: text('last_error'),
  },
  (t) => [primaryKey({ columns: [t.runId, t.path] })],
);

/**
 * Commits outside every reference's retention when a GC run swept (catalog/gc): their files may
 * be gone, so reading them by hash, or pointing a reference at them, is refused.
 */
export const gcExpired = pgTable('gc_expired', {
  hash: text('hash').primaryKey(),
  runId: text('run_id').notNull(),
  expiredAt: bigint('expired_at', { mode: 'number' }).notNull(),
});

/** The commits a sweeping run retains, while it records which ones expired (rows removed after). */
export const gcRetained = pgTable(
  'gc_retained',
  {
    runId: text('run_id').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.hash] })],
);
