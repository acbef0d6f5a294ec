/**
 * The catalog's public surface: the ONLY module of src/catalog that the HTTP adapters (src/rest)
 * import (scripts/check-layers.mjs enforces it). Adapters get a `Catalog` (verbs bound to their
 * dependencies) and speak the vocabulary exported here; the store and the object store stay
 * behind it. `catalog-surface.test.ts` lists every exported name, so that a widening shows in review.
 */
export { createCatalog, type Catalog } from './catalog.js';
export { ANONYMOUS, anonymousActor, commitAuthor, type Action, type Actor, type Authorizer, type Principal } from './context.js';
export {
  AlreadyExistsError,
  BadRequestError,
  CatalogError,
  ConflictError,
  ForbiddenError,
  IdentityUnavailableError,
  NamespaceNotEmptyError,
  NotAuthenticatedError,
  NotFoundError,
  ReadOnlyReferenceError,
  ReferenceConflictError,
  StoreUnavailableError,
  UnprocessableError,
  type ConflictType,
  type KeyConflict,
  type ObjectKind,
} from './errors.js';
export { ObjectStoreError } from '../io/port.js';
export { checkName, checkNamespace, formatIdentifier, formatNamespace, type Namespace, type TableIdentifier } from './identifiers.js';
export { MemoryIdempotencyRecords, type IdempotencyRecord, type IdempotencyRecords, type StoredResponse } from './idempotency.js';
export { Lru } from './lru.js';
export {
  compareKeys,
  keyFromString,
  keyStartsWith,
  keyToString,
  NO_ANCESTOR_HASH,
  type Commit,
  type CommitMeta,
  type CommitOperation,
  type Content,
  type ContentKey,
  type ContentType,
  type DiffEntry,
  type Entry,
  type IcebergKeyMerge,
  type MergeBehavior,
  type MergeKeyDetail,
  type MergeResult,
  type NamespaceContent,
  type Page,
  type PageRequest,
  type Reference,
  type ReferenceType,
  type TableContent,
  type ViewContent,
} from './model.js';
export { parseHashSpec, parseRefExpression, RefSyntaxError, type RefExpression, type RefSyntaxProblem, type RelativePart } from './refs/expression.js';
export { checkNewRefName, checkRefName, isValidRefName, REF_NAME_MESSAGE } from './refs/names.js';
export type { ResolvedRef, ResolveOptions } from './refs/resolve.js';
export type { LoadedNamespace, PropertiesUpdateResult } from './namespaces.js';
export type { CommittedTable, TableChange } from './table-commit.js';
export type { CreatedTable, CreateTableInput, LoadedTable } from './tables.js';
export type { CreateViewInput, LoadedView } from './views.js';
export type { CommitMetaInput } from './versioning/commit-meta.js';
export type { ContentInput, OperationInput, OperationsCommitted } from './versioning/commit-operations.js';
export type { DiffOptions, EntriesOptions, EntryWithContent, KeyRange } from './versioning/contents.js';
export type { LogOptions } from './versioning/history.js';
export { DETACHED, type MergeInput, type MergeOptions, type MergeOutcome, type TransplantInput } from './versioning/merge.js';
export type { ReferenceDetails, ReferenceTarget } from './versioning/references.js';
