import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { SignedPut } from './s3-put.js';
import { folderPrefix, parseS3Location, requireObjectLocation, type S3Location } from './location.js';
import { ObjectExistsError, ObjectNotFoundError, ObjectStoreError, type ObjectStore } from './port.js';

export interface S3ObjectStoreConfig {
  /** For S3-compatible services (MinIO, Ceph, R2...); AWS's regional endpoint when absent. */
  endpoint?: string;
  region: string;
  /** `http://host/bucket/key` instead of `http://bucket.host/key`; most S3-compatible services need it. */
  forcePathStyle: boolean;
  /** Static credentials; without them the SDK's default chain (environment, profile, instance role) is used. */
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
  /** When set, only locations in this bucket are served. */
  bucket?: string;
  /** Attempts per request, including the first (SDK default 3). */
  maxAttempts?: number;
  /** Per-request time limit in milliseconds (default 30 s), so an unreachable service fails instead of hanging. */
  requestTimeoutMs?: number;
  /** Keys per ListObjectsV2 page (service default 1000); small values let tests exercise paging. */
  listPageSize?: number;
}

type Listed = { location: string; size: number; lastModifiedMs: number };

/** Objects in S3 or an S3-compatible service, addressed as `s3://bucket/key` (also `s3a://`, `s3n://`). */
export class S3ObjectStore implements ObjectStore {
  private readonly client: S3Client;
  /** PUTs without the SDK's per-request overhead, where the endpoint is given (see s3-put.ts). */
  private readonly signedPut: SignedPut | undefined;

  constructor(private readonly config: S3ObjectStoreConfig) {
    if ((config.accessKeyId === undefined) !== (config.secretAccessKey === undefined)) {
      throw new ObjectStoreError('S3 credentials need both an access key id and a secret access key');
    }
    const timeout = config.requestTimeoutMs ?? 30_000;
    this.client = new S3Client({
      region: config.region,
      endpoint: config.endpoint,
      forcePathStyle: config.forcePathStyle,
      maxAttempts: config.maxAttempts,
      credentials:
        config.accessKeyId !== undefined && config.secretAccessKey !== undefined
          ? { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey, sessionToken: config.sessionToken }
          : undefined,
      // Checksums only where the API demands them: several S3-compatible services reject the
      // newer default CRC headers, and metadata files are small enough that TLS integrity suffices.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      requestHandler: { connectionTimeout: Math.min(timeout, 10_000), requestTimeout: timeout, throwOnRequestTimeout: true },
    });
    if (config.endpoint !== undefined) {
      const { accessKeyId, secretAccessKey, sessionToken } = config;
      const fixed = accessKeyId !== undefined && secretAccessKey !== undefined ? { accessKeyId, secretAccessKey, sessionToken } : undefined;
      // Without static keys, the SDK's resolved (cached, refreshing) default chain signs ours too.
      const chain = this.client.config.credentials;
      this.signedPut = new SignedPut({
        endpoint: config.endpoint,
        region: config.region,
        forcePathStyle: config.forcePathStyle,
        credentials: fixed ? async () => fixed : () => chain(),
        maxAttempts: config.maxAttempts ?? 3,
        requestTimeoutMs: timeout,
      });
    }
  }

  handles(location: string): boolean {
    const parsed = parseS3Location(location);
    return parsed !== undefined && (this.config.bucket === undefined || parsed.bucket === this.config.bucket);
  }

  /** What this store serves, for error messages. */
  toString(): string {
    return this.config.bucket === undefined ? 's3://<any bucket>/...' : `s3://${this.config.bucket}/...`;
  }

  async write(location: string, body: Uint8Array | string, opts: { ifAbsent?: boolean; contentType?: string } = {}): Promise<void> {
    const { bucket, key } = this.objectOf(location);
    const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
    if (this.signedPut) {
      const headers: Record<string, string> = {};
      if (opts.contentType !== undefined) headers['content-type'] = opts.contentType;
      // Conditional create: S3 (since 2024) and MinIO answer 412 when the key exists.
      if (opts.ifAbsent) headers['if-none-match'] = '*';
      let outcome;
      try {
        outcome = await this.signedPut.put(bucket, key, bytes, headers);
      } catch (err) {
        throw s3Error('write', location, err);
      }
      if (outcome.status >= 200 && outcome.status < 300) return;
      if (opts.ifAbsent && outcome.status === 412) throw new ObjectExistsError(location);
      const cause = Object.assign(new Error(outcome.message ?? `HTTP ${outcome.status}`), {
        name: outcome.code ?? `Http${outcome.status}`,
        $metadata: { httpStatusCode: outcome.status },
      });
      throw s3Error('write', location, cause);
    }
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: bytes,
          // Explicit, so an empty body is not mistaken for a stream of unknown length.
          ContentLength: bytes.byteLength,
          ContentType: opts.contentType,
          // Conditional create: S3 (since 2024) and MinIO answer 412 when the key exists.
          IfNoneMatch: opts.ifAbsent ? '*' : undefined,
        }),
      );
    } catch (err) {
      if (opts.ifAbsent && statusOf(err) === 412) throw new ObjectExistsError(location);
      throw s3Error('write', location, err);
    }
  }

  async read(location: string): Promise<Uint8Array> {
    const { bucket, key } = this.objectOf(location);
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      if (!response.Body) return new Uint8Array(0);
      return await response.Body.transformToByteArray();
    } catch (err) {
      if (isNoSuchKey(err)) throw new ObjectNotFoundError(location);
      throw s3Error('read', location, err);
    }
  }

  async readText(location: string): Promise<string> {
    return new TextDecoder().decode(await this.read(location));
  }

  async exists(location: string): Promise<boolean> {
    const { bucket, key } = this.objectOf(location);
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return true;
    } catch (err) {
      if (isNoSuchKey(err)) return false;
      throw s3Error('check', location, err);
    }
  }

  async delete(location: string): Promise<void> {
    const { bucket, key } = this.objectOf(location);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    } catch (err) {
      if (isNoSuchKey(err)) return;
      throw s3Error('delete', location, err);
    }
  }

  async deleteMany(locations: string[]): Promise<Map<string, string>> {
    const failed = new Map<string, string>();
    const byBucket = new Map<string, { key: string; location: string }[]>();
    for (const location of locations) {
      const { bucket, key } = this.objectOf(location);
      let keys = byBucket.get(bucket);
      if (!keys) byBucket.set(bucket, (keys = []));
      keys.push({ key, location });
    }
    for (const [bucket, keys] of byBucket) {
      for (let i = 0; i < keys.length; i += 1000) {
        const part = keys.slice(i, i + 1000);
        const where = new Map(part.map((k) => [k.key, k.location]));
        try {
          const out = await this.client.send(
            new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: part.map((k) => ({ Key: k.key })), Quiet: true } }),
          );
          // Missing keys are not errors (S3 reports them as deleted).
          for (const e of out.Errors ?? []) {
            if (e.Code === 'NoSuchKey') continue;
            failed.set(where.get(e.Key ?? '') ?? `s3://${bucket}/${e.Key}`, `${e.Code ?? 'Error'}: ${e.Message ?? 'not deleted'}`);
          }
        } catch (err) {
          const why = s3Error('delete', `s3://${bucket}/`, err).message;
          for (const k of part) failed.set(k.location, why);
        }
      }
    }
    return failed;
  }

  async *list(prefix: string): AsyncIterable<Listed> {
    const { scheme, bucket, key } = this.locationOf(prefix);
    // The bucket root lists everything; any other prefix is listed as a folder.
    const keyPrefix = key === '' ? '' : folderPrefix(key);
    const base = `${scheme}://${bucket}/`;
    let continuationToken: string | undefined;
    do {
      let page;
      try {
        page = await this.client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: keyPrefix, ContinuationToken: continuationToken, MaxKeys: this.config.listPageSize }),
        );
      } catch (err) {
        throw s3Error('list', prefix, err);
      }
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined) continue;
        yield { location: base + object.Key, size: object.Size ?? 0, lastModifiedMs: object.LastModified?.getTime() ?? 0 };
      }
      continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (continuationToken);
  }

  async ping(): Promise<void> {
    try {
      if (this.config.bucket !== undefined) await this.client.send(new HeadBucketCommand({ Bucket: this.config.bucket }));
      else await this.client.send(new ListBucketsCommand({ MaxBuckets: 1 }));
    } catch (err) {
      throw s3Error('reach', this.config.bucket === undefined ? 's3://' : `s3://${this.config.bucket}`, err);
    }
  }

  /** Closes the client's pooled connections. */
  destroy(): void {
    this.client.destroy();
    this.signedPut?.destroy();
  }

  private locationOf(location: string): S3Location {
    const parsed = parseS3Location(location);
    if (!parsed || !this.handles(location)) {
      const scope = this.config.bucket === undefined ? 's3:// locations' : `locations in bucket ${this.config.bucket}`;
      throw new ObjectStoreError(`The S3 object store only serves ${scope}, not ${location}`);
    }
    return parsed;
  }

  private objectOf(location: string): S3Location {
    const parsed = this.locationOf(location);
    requireObjectLocation(location);
    if (parsed.key === '') throw new ObjectStoreError(`Not an object location (no key): ${location}`);
    return parsed;
  }
}

function statusOf(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

function nameOf(err: unknown): string | undefined {
  return err instanceof Error ? err.name : undefined;
}

/** A missing key answers NoSuchKey on GET and a bare 404 NotFound on HEAD (no body to name it). */
function isNoSuchKey(err: unknown): boolean {
  const name = nameOf(err);
  if (name === 'NoSuchKey' || name === 'NotFound') return true;
  return statusOf(err) === 404 && name !== 'NoSuchBucket';
}

function s3Error(operation: string, location: string, err: unknown): ObjectStoreError {
  const name = nameOf(err);
  const status = statusOf(err);
  const what =
    name === 'NoSuchBucket'
      ? `bucket of ${location} does not exist`
      : [name, status !== undefined ? `HTTP ${status}` : undefined, err instanceof Error ? err.message : String(err)]
          .filter(Boolean)
          .join(', ');
  return new ObjectStoreError(`S3 could not ${operation} ${location}: ${what}`, { cause: err });
}
