/**
 * Object storage for metadata files (and, later, manifests and data files). Locations are
 * full URIs: `s3://bucket/key` for S3 and `file:///abs/path` for the local filesystem.
 */
export interface ObjectStore {
  /** Writes a whole object. With `ifAbsent`, fails with ObjectExistsError if it exists. */
  write(location: string, body: Uint8Array | string, opts?: { ifAbsent?: boolean; contentType?: string }): Promise<void>;
  /** Reads a whole object. Throws ObjectNotFoundError. */
  read(location: string): Promise<Uint8Array>;
  readText(location: string): Promise<string>;
  exists(location: string): Promise<boolean>;
  /**
   * True when the object is known to be absent at a cost too small to notice on a hot path (a
   * stat of a local file, a map lookup); false when it exists or when finding out would take a
   * request (S3). Stores that cannot answer cheaply leave it out.
   */
  knownMissing?(location: string): boolean;
  /** Deletes an object; deleting a missing object is not an error. */
  delete(location: string): Promise<void>;
  /**
   * Deletes up to 1,000 objects in as few requests as the store allows (S3 `DeleteObjects`);
   * missing objects are not errors. Answers the objects that could not be deleted, with why.
   * Stores without a batch call leave it out (callers delete one by one).
   */
  deleteMany?(locations: string[]): Promise<Map<string, string>>;
  /** Lists locations under a prefix location (recursive). */
  list(prefix: string): AsyncIterable<{ location: string; size: number; lastModifiedMs: number }>;
  /** Whether this store can serve `location` (scheme and bucket/root match). */
  handles(location: string): boolean;
  /** Cheap reachability check for `/ready`. */
  ping(): Promise<void>;
}

export class ObjectNotFoundError extends Error {
  constructor(readonly location: string) {
    super(`Object not found: ${location}`);
    this.name = 'ObjectNotFoundError';
  }
}

export class ObjectExistsError extends Error {
  constructor(readonly location: string) {
    super(`Object already exists: ${location}`);
    this.name = 'ObjectExistsError';
  }
}

/** The object store could not be reached or refused the request for a reason other than absence. */
export class ObjectStoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ObjectStoreError';
  }
}
