import {
  AlreadyExistsError,
  BadRequestError,
  CatalogError,
  ConflictError,
  ForbiddenError,
  IdentityUnavailableError,
  NotAuthenticatedError,
  NamespaceNotEmptyError,
  NotFoundError,
  ReadOnlyReferenceError,
  ReferenceConflictError,
  StoreUnavailableError,
  UnprocessableError,
  ObjectStoreError,
} from '../../catalog/index.js';
import { CommitFailedError, ValidationError } from '../../iceberg/errors.js';
import { RequestError } from '../http.js';

export interface IcebergErrorResponse {
  status: number;
  body: { error: { message: string; type: string; code: number } };
}

function make(status: number, type: string, message: string): IcebergErrorResponse {
  return { status, body: { error: { message, type, code: status } } };
}

/**
 * Maps a domain error to the Iceberg REST error shape, with Java exception names as `type`
 * (Java clients pick the exception class from it). Only outcomes that are truly unknown are 5xx:
 * clients treat 5xx on a commit as "state unknown" and must not clean up.
 */
export function toIcebergError(err: unknown): IcebergErrorResponse {
  if (err instanceof RequestError) return make(err.status, err.javaType, err.message);
  // Java's metadata builders reject invalid updates with IllegalArgumentException, and its
  // client rethrows a 400 of that type as one (any other 400 type becomes BadRequestException).
  if (err instanceof ValidationError) return make(400, 'IllegalArgumentException', err.message);
  if (err instanceof CommitFailedError) return make(409, 'CommitFailedException', err.message);
  if (err instanceof CatalogError) {
    if (err instanceof NotFoundError) {
      switch (err.kind) {
        case 'namespace':
          return make(404, 'NoSuchNamespaceException', err.message);
        case 'table':
          return make(404, 'NoSuchTableException', err.message);
        case 'view':
          return make(404, 'NoSuchViewException', err.message);
        case 'reference':
        case 'commit':
          return make(404, 'NoSuchReferenceException', err.message);
        default:
          return make(404, 'NotFoundException', err.message);
      }
    }
    if (err instanceof AlreadyExistsError) return make(409, 'AlreadyExistsException', err.message);
    if (err instanceof NamespaceNotEmptyError) return make(409, 'NamespaceNotEmptyException', err.message);
    if (err instanceof ConflictError || err instanceof ReferenceConflictError) {
      return make(409, 'CommitFailedException', err.message);
    }
    if (err instanceof UnprocessableError) return make(422, 'UnprocessableEntityException', err.message);
    if (err instanceof ReadOnlyReferenceError) return make(400, 'BadRequestException', err.message);
    if (err instanceof BadRequestError) return make(400, 'BadRequestException', err.message);
    if (err instanceof StoreUnavailableError) return make(503, 'ServiceUnavailableException', err.message);
    if (err instanceof NotAuthenticatedError) return make(401, 'NotAuthorizedException', err.message);
    if (err instanceof ForbiddenError) return make(403, 'ForbiddenException', err.message);
    if (err instanceof IdentityUnavailableError) return make(503, 'ServiceUnavailableException', err.message);
  }
  if (err instanceof ObjectStoreError) return make(503, 'ServiceUnavailableException', err.message);
  const message = err instanceof Error ? err.message : String(err);
  return make(500, 'InternalServerError', `Internal error: ${message}`);
}
