/**
 * A lean S3 PutObject for an explicitly configured endpoint (MinIO and other S3-compatible
 * services): one Signature Version 4 signature and one keep-alive HTTP request, nothing else.
 *
 * Why not the SDK: every table commit writes one metadata file, and the SDK's generic middleware
 * stack (endpoint rules, serialisers, user agent, retry strategy objects) cost as much CPU per
 * small PUT as the rest of the commit. Everything else (reads, lists, deletes, AWS's own
 * endpoints) still goes through the SDK.
 */
import { createHash, createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';

export interface PutCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface SignedPutConfig {
  endpoint: string;
  region: string;
  forcePathStyle: boolean;
  /** Called per request: static keys, or the SDK's (cached, refreshing) credential chain. */
  credentials: () => Promise<PutCredentials>;
  /** Attempts per request, including the first. */
  maxAttempts: number;
  requestTimeoutMs: number;
}

/** What S3 answered: a status and, for errors, the `<Code>` and `<Message>` of its XML body. */
export interface PutOutcome {
  status: number;
  code?: string;
  message?: string;
}

/** A failure with no HTTP answer (refused, reset, timed out). */
export class PutTransportError extends Error {
  override readonly name = 'PutTransportError';
}

export class SignedPut {
  private readonly url: URL;
  private readonly agent: http.Agent;
  private readonly keyCache = new Map<string, Buffer>();

  constructor(private readonly config: SignedPutConfig) {
    this.url = new URL(config.endpoint);
    if (this.url.protocol !== 'http:' && this.url.protocol !== 'https:') {
      throw new Error(`S3 endpoint must be http:// or https://, not ${config.endpoint}`);
    }
    const options = { keepAlive: true, maxSockets: 64, maxFreeSockets: 64 };
    this.agent = this.url.protocol === 'https:' ? new https.Agent(options) : new http.Agent(options);
  }

  /**
   * PUTs `body` to `bucket/key`. Retries only failures where nothing was stored for certain
   * or a repeat is harmless: no answer at all, 500, 503 (SlowDown).
   */
  async put(bucket: string, key: string, body: Uint8Array, headers: Record<string, string>): Promise<PutOutcome> {
    let last: unknown;
    for (let attempt = 1; attempt <= this.config.maxAttempts; attempt++) {
      try {
        const outcome = await this.once(bucket, key, body, headers);
        if ((outcome.status !== 500 && outcome.status !== 503) || attempt === this.config.maxAttempts) return outcome;
      } catch (err) {
        last = err;
        if (attempt === this.config.maxAttempts) break;
      }
      await new Promise((r) => setTimeout(r, Math.random() * 100 * 2 ** (attempt - 1)));
    }
    throw last;
  }

  destroy(): void {
    this.agent.destroy();
  }

  private async once(bucket: string, key: string, body: Uint8Array, extra: Record<string, string>): Promise<PutOutcome> {
    const creds = await this.config.credentials();
    const encodedKey = key.split('/').map(encodeRfc3986).join('/');
    const host = this.config.forcePathStyle ? this.url.host : `${bucket}.${this.url.host}`;
    const basePath = this.url.pathname.replace(/\/+$/, '');
    const path = this.config.forcePathStyle ? `${basePath}/${encodeRfc3986(bucket)}/${encodedKey}` : `${basePath}/${encodedKey}`;
    const amzDate = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
    const headers: Record<string, string> = {
      host,
      'content-length': String(body.byteLength),
      'x-amz-content-sha256': createHash('sha256').update(body).digest('hex'),
      'x-amz-date': amzDate,
    };
    for (const [k, v] of Object.entries(extra)) headers[k.toLowerCase()] = v;
    if (creds.sessionToken) headers['x-amz-security-token'] = creds.sessionToken;
    headers.authorization = this.authorization(creds, 'PUT', path, headers, amzDate);
    return await new Promise<PutOutcome>((resolve, reject) => {
      const request = (this.url.protocol === 'https:' ? https : http).request(
        { host: this.url.hostname, port: this.url.port || undefined, method: 'PUT', path, headers, agent: this.agent },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) return resolve({ status });
            const xml = Buffer.concat(chunks).toString('utf8');
            resolve({ status, code: xmlField(xml, 'Code'), message: xmlField(xml, 'Message') });
          });
        },
      );
      request.setTimeout(this.config.requestTimeoutMs, () =>
        request.destroy(new PutTransportError(`no answer within ${this.config.requestTimeoutMs} ms`)),
      );
      request.on('error', (err) => reject(err instanceof PutTransportError ? err : new PutTransportError(err.message, { cause: err })));
      request.end(body);
    });
  }

  /** The SigV4 Authorization header over every header sent (all lower-case here). */
  authorization(creds: PutCredentials, method: string, path: string, headers: Record<string, string>, amzDate: string): string {
    const day = amzDate.slice(0, 8);
    const scope = `${day}/${this.config.region}/s3/aws4_request`;
    const names = Object.keys(headers).sort();
    const canonicalHeaders = names.map((n) => `${n}:${headers[n].trim().replace(/\s+/g, ' ')}\n`).join('');
    const signedHeaders = names.join(';');
    const canonicalRequest = [method, path, '', canonicalHeaders, signedHeaders, headers['x-amz-content-sha256']].join('\n');
    const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
    const signature = createHmac('sha256', this.signingKey(creds.secretAccessKey, day)).update(stringToSign).digest('hex');
    return `AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  }

  /** The derived key changes once a day per secret: four HMACs saved on every other request. */
  private signingKey(secret: string, day: string): Buffer {
    const cacheKey = `${day}/${secret}`;
    let key = this.keyCache.get(cacheKey);
    if (!key) {
      const kDate = createHmac('sha256', `AWS4${secret}`).update(day).digest();
      const kRegion = createHmac('sha256', kDate).update(this.config.region).digest();
      const kService = createHmac('sha256', kRegion).update('s3').digest();
      key = createHmac('sha256', kService).update('aws4_request').digest();
      if (this.keyCache.size > 8) this.keyCache.clear();
      this.keyCache.set(cacheKey, key);
    }
    return key;
  }
}

function sha256Hex(s: string): string {
  return createHash('sha256').update(s, 'utf8').digest('hex');
}

/** URI-encodes everything but the unreserved characters, as SigV4 requires (S3 keys: per segment). */
export function encodeRfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function xmlField(xml: string, name: string): string | undefined {
  const m = new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml);
  return m ? m[1].replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&') : undefined;
}
