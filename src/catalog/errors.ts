/**
 * Domain errors of the versioned catalog. They carry no HTTP: `src/rest` maps them to the
 * Iceberg REST and Nessie API error shapes. Match them with `instanceof`, never by message.
 */
import type { ContentKey } from './model.js';

export class CatalogError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A reference, commit, or content key does not exist. */
export class NotFoundError extends CatalogError {
  constructor(
    message: string,
    readonly kind: 'reference' | 'commit' | 'content' | 'namespace' | 'table' | 'view' = 'content',
  ) {
    super(message);
  }
}

export type ObjectKind = 'reference' | 'namespace' | 'table' | 'view' | 'content';

/** A reference, namespace, table or view already exists. */
export class AlreadyExistsError extends CatalogError {
  constructor(
    message: string,
    readonly kind: ObjectKind = 'content',
  ) {
    super(message);
  }
}

/** A namespace still holds tables, views or namespaces. */
export class NamespaceNotEmptyError extends CatalogError {}

/** The request is well-formed but cannot be processed as given (e.g. a key both set and removed). */
export class UnprocessableError extends CatalogError {}

/** The expected hash of a reference does not match its current head. */
export class ReferenceConflictError extends CatalogError {
  constructor(
    message: string,
    readonly reference: string,
    readonly expectedHash: string | undefined,
    readonly actualHash: string | undefined,
  ) {
    super(message);
  }
}

export type ConflictType =
  | 'KEY_EXISTS'
  | 'KEY_DOES_NOT_EXIST'
  | 'VALUE_DIFFERS'
  | 'CONTENT_ID_DIFFERS'
  | 'NAMESPACE_ABSENT'
  | 'NAMESPACE_NOT_EMPTY'
  | 'NOT_A_NAMESPACE'
  | 'UNKNOWN';

export interface KeyConflict {
  key: ContentKey;
  conflictType: ConflictType;
  message: string;
}

/** One or more keys changed concurrently, or a merge found conflicting changes. */
export class ConflictError extends CatalogError {
  constructor(
    message: string,
    readonly conflicts: KeyConflict[],
  ) {
    super(message);
  }
}

/** A write was sent to a reference that cannot be written (a tag, a detached hash, a point in time). */
export class ReadOnlyReferenceError extends CatalogError {}

/** The request is malformed in catalog terms (bad reference name, bad key, bad page token). */
export class BadRequestError extends CatalogError {}

/** The database failed in a way whose outcome is unknown (connection lost mid-commit). */
export class StoreUnavailableError extends CatalogError {}

/**
 * The request carries no acceptable credentials: no token where one is required, or one that is
 * malformed, expired, not yet valid, tampered with, or from an issuer or for an audience this
 * catalog does not trust. The message never says which check failed beyond that.
 */
export class NotAuthenticatedError extends CatalogError {}

/** The principal is known but may not do this (a missing grant, or a protected reference). */
export class ForbiddenError extends CatalogError {}

/** The identity provider could not be reached to check a token: nothing was done; try again. */
export class IdentityUnavailableError extends CatalogError {}
