/**
 * CLI failures and the exit codes scripts rely on. Every failure the CLI reports is one of these
 * classes; the dispatcher maps them to the process exit code with `instanceof`.
 */

export const EXIT = {
  /** The command did what was asked. */
  OK: 0,
  /** The server refused or could not complete the operation (conflict, CAS failure, server error). */
  FAILED: 1,
  /** The command line was wrong (unknown command or option, missing argument, invalid name). */
  USAGE: 2,
  /** A reference, commit, namespace, table or view does not exist. */
  NOT_FOUND: 3,
  /** No lakecat server answered at the configured URL. */
  UNREACHABLE: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT.USAGE);
  }
}

export class OperationFailedError extends CliError {
  constructor(message: string) {
    super(message, EXIT.FAILED);
  }
}

export class NotFoundError extends CliError {
  constructor(message: string) {
    super(message, EXIT.NOT_FOUND);
  }
}

export class ServerUnreachableError extends CliError {
  constructor(
    message: string,
    readonly url: string,
  ) {
    super(message, EXIT.UNREACHABLE);
  }
}

/** One conflicting key as the server reports it (Nessie's `Conflict`). */
export interface KeyConflict {
  key?: string[];
  conflictType: string;
  message: string;
}

/**
 * An error answer from the server, in either API's shape: Nessie's `{errorCode, message,
 * errorDetails}` or Iceberg's `{error: {type, message, code}}`. `code` is the Nessie `errorCode`
 * or the Iceberg exception type, the field clients are meant to branch on.
 */
export class ApiError extends CliError {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly conflicts: KeyConflict[] = [],
  ) {
    super(message, exitCodeForStatus(status));
  }

  /** True when the server said the named reference (branch, tag or commit) does not exist. */
  get isReferenceNotFound(): boolean {
    return this.status === 404 && (this.code === 'REFERENCE_NOT_FOUND' || this.code === 'NoSuchReferenceException');
  }
}

function exitCodeForStatus(status: number): ExitCode {
  if (status === 404) return EXIT.NOT_FOUND;
  if (status === 400 || status === 422) return EXIT.USAGE;
  return EXIT.FAILED;
}
