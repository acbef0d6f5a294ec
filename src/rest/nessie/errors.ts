/**
 * Nessie's error shape on `/api/v2`: `{status, reason, message, errorCode, errorDetails?}`.
 * Nessie's Java client turns `errorCode` into typed exceptions (NessieReferenceNotFoundException,
 * NessieReferenceConflictException, ...) and Iceberg's NessieCatalog branches on the conflict
 * types inside `errorDetails`, so both must match Nessie exactly.
 */
import {
  AlreadyExistsError,
  BadRequestError,
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
  type KeyConflict,
} from '../../catalog/index.js';
import { ValidationError } from '../../iceberg/errors.js';
import { JsonSyntaxError } from '../../iceberg/json.js';

export type NessieErrorCode =
  | 'UNKNOWN'
  | 'SERVICE_UNAVAILABLE'
  | 'REFERENCE_NOT_FOUND'
  | 'REFERENCE_ALREADY_EXISTS'
  | 'CONTENT_NOT_FOUND'
  | 'REFERENCE_CONFLICT'
  | 'BAD_REQUEST'
  | 'NAMESPACE_NOT_FOUND'
  | 'NAMESPACE_ALREADY_EXISTS'
  | 'NAMESPACE_NOT_EMPTY'
  | 'FORBIDDEN';

const STATUS: Record<NessieErrorCode, number> = {
  UNKNOWN: 500,
  SERVICE_UNAVAILABLE: 503,
  REFERENCE_NOT_FOUND: 404,
  REFERENCE_ALREADY_EXISTS: 409,
  CONTENT_NOT_FOUND: 404,
  REFERENCE_CONFLICT: 409,
  BAD_REQUEST: 400,
  NAMESPACE_NOT_FOUND: 404,
  NAMESPACE_ALREADY_EXISTS: 409,
  NAMESPACE_NOT_EMPTY: 409,
  FORBIDDEN: 403,
};

const REASON: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Nessie's conflict types (a superset of the store's). */
export type NessieConflictType = KeyConflict['conflictType'] | 'UNEXPECTED_HASH' | 'PAYLOAD_DIFFERS' | 'KEY_CONFLICT';

export interface NessieConflict {
  conflictType: NessieConflictType;
  key?: string[];
  message: string;
}

/** An error raised by the Nessie routes themselves, already in Nessie's terms. */
export class NessieHttpError extends Error {
  constructor(
    readonly errorCode: NessieErrorCode,
    message: string,
    readonly conflicts?: NessieConflict[],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class NessieBadRequest extends NessieHttpError {
  constructor(message: string) {
    super('BAD_REQUEST', message);
  }
}

export interface NessieErrorBody {
  status: number;
  reason: string;
  message: string;
  /** Absent on a 401: Nessie's client maps that status to NessieNotAuthorizedException by itself. */
  errorCode?: NessieErrorCode;
  errorDetails?: { type: 'REFERENCE_CONFLICTS'; conflicts: { conflictType: string; key?: { elements: string[] }; message: string }[] };
}

export function errorBody(code: NessieErrorCode, message: string, conflicts?: NessieConflict[]): NessieErrorBody {
  const status = STATUS[code];
  const body: NessieErrorBody = { status, reason: REASON[status] ?? 'Error', message, errorCode: code };
  if (conflicts && conflicts.length > 0) {
    body.errorDetails = {
      type: 'REFERENCE_CONFLICTS',
      conflicts: conflicts.map((c) => ({
        conflictType: c.conflictType,
        ...(c.key ? { key: { elements: c.key } } : {}),
        message: c.message,
      })),
    };
  }
  return body;
}

/** An error for a request that reached no endpoint (unknown path or method). */
export function routingErrorBody(status: 404 | 405, message: string): NessieErrorBody {
  return { status, reason: status === 404 ? 'Not Found' : 'Method Not Allowed', message, errorCode: 'UNKNOWN' };
}

/** Maps any thrown value to Nessie's error body. Unknown errors are the only 500s. */
export function toNessieError(err: unknown): NessieErrorBody {
  if (err instanceof NessieHttpError) return errorBody(err.errorCode, err.message, err.conflicts);
  if (err instanceof NotFoundError) {
    switch (err.kind) {
      case 'reference':
      case 'commit':
        return errorBody('REFERENCE_NOT_FOUND', err.message);
      case 'namespace':
      case 'content':
      case 'table':
      case 'view':
        return errorBody('CONTENT_NOT_FOUND', err.message);
      default: {
        const never: never = err.kind;
        return errorBody('CONTENT_NOT_FOUND', `${err.message} (${String(never)})`);
      }
    }
  }
  if (err instanceof AlreadyExistsError) {
    return err.kind === 'reference'
      ? errorBody('REFERENCE_ALREADY_EXISTS', err.message)
      : errorBody('REFERENCE_CONFLICT', err.message, [{ conflictType: 'KEY_EXISTS', message: err.message }]);
  }
  if (err instanceof ReferenceConflictError) {
    return errorBody('REFERENCE_CONFLICT', err.message, [{ conflictType: 'UNEXPECTED_HASH', message: err.message }]);
  }
  if (err instanceof ConflictError) {
    const conflicts = err.conflicts.map((c) => ({ conflictType: c.conflictType, key: c.key, message: c.message }));
    return errorBody('REFERENCE_CONFLICT', err.message, conflicts);
  }
  if (err instanceof NamespaceNotEmptyError) {
    return errorBody('REFERENCE_CONFLICT', err.message, [{ conflictType: 'NAMESPACE_NOT_EMPTY', message: err.message }]);
  }
  if (
    err instanceof BadRequestError ||
    err instanceof UnprocessableError ||
    err instanceof ReadOnlyReferenceError ||
    err instanceof JsonSyntaxError
  ) {
    return errorBody('BAD_REQUEST', err.message);
  }
  if (err instanceof StoreUnavailableError || err instanceof IdentityUnavailableError) return errorBody('SERVICE_UNAVAILABLE', err.message);
  if (err instanceof NotAuthenticatedError) return { status: 401, reason: 'Unauthorized', message: err.message };
  if (err instanceof ForbiddenError) return errorBody('FORBIDDEN', err.message);
  if (err instanceof ValidationError) return errorBody('BAD_REQUEST', err.message);
  const message = err instanceof Error ? err.message : String(err);
  return errorBody('UNKNOWN', message || 'Internal Server Error');
}
