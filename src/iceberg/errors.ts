/**
 * Errors of the table format. They carry no HTTP; `src/rest` maps them
 * (ValidationError -> 400 IllegalArgumentException, CommitFailedError -> 409).
 */

/** Metadata, an update or a request is invalid on its own terms (Java: ValidationException / IllegalArgumentException). */
export class ValidationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ValidationError';
  }
}

/** A requirement of a commit does not hold on the current metadata (Java: CommitFailedException). */
export class CommitFailedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CommitFailedError';
  }
}
