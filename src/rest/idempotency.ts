/**
 * Iceberg REST `Idempotency-Key`: a retried mutation with the same key gets the first attempt's
 * final response instead of running again. Records live in the version store's database (see
 * IdempotencyRecords), so a retry that reaches another lakecat process, or arrives after a
 * restart, is still answered from the first attempt.
 *
 * A request claims its key before running (PENDING) and finalises it with its response (DONE).
 * A duplicate that arrives while the first attempt runs waits for it; if it is still running
 * after `waitMs`, the duplicate gets a retryable 503, never a 409: an Iceberg client treats a
 * commit's 409 as "not applied" and deletes the files it wrote, which would corrupt the table
 * if the first attempt then succeeds.
 *
 * A claim whose owner stopped sending heartbeats for `staleMs` belongs to a process that died
 * mid-request, so whether its change was applied is unknown. By default its retries get a 500
 * saying so (never finalised): running the request again could apply it twice, or fail a commit
 * with a 409 that makes the client delete files the first attempt committed. With
 * `staleClaims: 'rerun'` the retry takes the claim over and runs the request again instead.
 *
 * Secret values of the vended storage configuration are not written to the database: stored
 * bodies hold a placeholder that is replaced with the current value on replay.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import type { IdempotencyRecords, StoredResponse } from '../catalog/index.js';
import { principalOf } from './auth.js';
import { json } from './http.js';

export type { StoredResponse };

export interface IdempotencyOptions {
  /** How long a key is honoured, from its first use; advertised as `idempotency-key-lifetime`. */
  lifetimeMs: number;
  /** How long a duplicate waits for a running first attempt before answering 503. */
  waitMs?: number;
  /** How often a running request refreshes its claim. */
  heartbeatMs?: number;
  /** A claim without a heartbeat for this long belongs to a dead process and may be taken over. */
  staleMs?: number;
  /** Expired records are deleted at most this often per process, at most `purgeBatch` at a time. */
  purgeEveryMs?: number;
  purgeBatch?: number;
  /** What a retry does with a dead process's claim: answer "outcome unknown" (default) or run again. */
  staleClaims?: 'fail' | 'rerun';
  /** Values never stored: name (e.g. `s3.secret-access-key`) to value. */
  secrets?: Record<string, string>;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** The spec's key is a 36-character UUID; anything far longer is refused rather than stored. */
const MAX_KEY_LENGTH = 128;

/**
 * Statuses replayed for a retried key: success and deterministic client errors. 5xx are never
 * finalised (the spec), nor are 4xx that depend on the moment rather than on the request
 * (authentication, timeouts, rate limits).
 */
export function isFinal(status: number): boolean {
  if (status >= 500) return false;
  return status !== 401 && status !== 403 && status !== 408 && status !== 419 && status !== 429;
}

/** Identifies the request a key was first used for: method, path (with prefix) and exact body. */
export function requestFingerprint(method: string, path: string, body: string | Uint8Array, principal = ''): string {
  // The principal is part of the request: another caller reusing a key is refused, never replayed to.
  // The body's bytes as sent (a text body hashes as its UTF-8 bytes: the same fingerprint).
  return createHash('sha256')
    .update(principal === '' ? `${method} ${path}\n` : `${method} ${path} ${principal}\n`)
    .update(body)
    .digest('hex');
}

type Acquired =
  | { kind: 'claimed' }
  | { kind: 'replay'; response: StoredResponse }
  | { kind: 'mismatch' }
  | { kind: 'busy' }
  | { kind: 'abandoned' };

/** Replaces secret values in a JSON text by placeholders (`redact`) and back (`restore`). */
export class SecretRedactor {
  private readonly byValue = new Map<string, string>();
  private readonly byPlaceholder = new Map<string, string>();
  private readonly values?: RegExp;
  private readonly placeholders?: RegExp;

  constructor(secrets: Record<string, string>) {
    for (const [name, value] of Object.entries(secrets)) {
      if (value.length === 0) continue;
      // As the value appears inside a JSON string.
      const encoded = JSON.stringify(value).slice(1, -1);
      const placeholder = `{{lakecat-secret:${name}}}`;
      this.byValue.set(encoded, placeholder);
      this.byPlaceholder.set(placeholder, encoded);
    }
    // One pass each way, longest first, so that no value or placeholder hides or mangles another.
    const pattern = (items: Iterable<string>) =>
      new RegExp([...items].sort((a, b) => b.length - a.length).map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
    if (this.byValue.size > 0) {
      this.values = pattern(this.byValue.keys());
      this.placeholders = pattern(this.byPlaceholder.keys());
    }
  }

  redact(text: string): string {
    return this.values ? text.replace(this.values, (v) => this.byValue.get(v) ?? v) : text;
  }

  restore(text: string): string {
    return this.placeholders ? text.replace(this.placeholders, (p) => this.byPlaceholder.get(p) ?? p) : text;
  }
}

export class IdempotencyGuard {
  readonly lifetimeMs: number;
  private readonly waitMs: number;
  private readonly heartbeatMs: number;
  private readonly staleMs: number;
  private readonly purgeEveryMs: number;
  private readonly purgeBatch: number;
  private readonly staleClaims: 'fail' | 'rerun';
  private readonly secrets: SecretRedactor;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private lastPurge = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly records: IdempotencyRecords,
    opts: IdempotencyOptions,
  ) {
    this.lifetimeMs = opts.lifetimeMs;
    this.waitMs = opts.waitMs ?? 10_000;
    this.heartbeatMs = opts.heartbeatMs ?? 2_000;
    this.staleMs = opts.staleMs ?? 15_000;
    this.purgeEveryMs = opts.purgeEveryMs ?? 60_000;
    this.purgeBatch = opts.purgeBatch ?? 200;
    this.staleClaims = opts.staleClaims ?? 'fail';
    this.secrets = new SecretRedactor(opts.secrets ?? {});
    this.now = opts.now ?? Date.now;
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  /** Hono middleware for the Iceberg routes: guards POST and DELETE requests that carry a key. */
  middleware(): MiddlewareHandler {
    return async (c: Context, next) => {
      const key = c.req.header('idempotency-key');
      if (key === undefined || (c.req.method !== 'POST' && c.req.method !== 'DELETE')) return next();
      if (key.length === 0 || key.length > MAX_KEY_LENGTH) {
        return json(c, { error: { message: `Idempotency-Key must be 1 to ${MAX_KEY_LENGTH} characters (a UUID)`, type: 'BadRequestException', code: 400 } }, 400);
      }
      // The bytes, not text(): decoding here would replace invalid UTF-8 before the body's reader can refuse it.
      const body = c.req.method === 'POST' ? new Uint8Array(await c.req.arrayBuffer()) : '';
      const principal = principalOf(c);
      const who = principal.kind === 'user' ? `${principal.issuer} ${principal.subject}` : principal.kind === 'system' ? principal.name : '';
      const fingerprint = requestFingerprint(c.req.method, c.req.path, body, who);
      await this.purge();
      const owner = randomUUID();
      const acquired = await this.acquire(key, fingerprint, owner);
      switch (acquired.kind) {
        case 'mismatch':
          // 400: the status the REST spec lists for every mutation (it names none for key reuse).
          return json(c, { error: { message: `Idempotency-Key ${key} was already used for a different request`, type: 'BadRequestException', code: 400 } }, 400);
        case 'busy':
          return json(
            c,
            { error: { message: `A request with Idempotency-Key ${key} is still in progress; retry with the same key`, type: 'ServiceUnavailableException', code: 503 } },
            503,
            { 'retry-after': '1' },
          );
        case 'abandoned':
          return json(
            c,
            {
              error: {
                message: `The first request with Idempotency-Key ${key} stopped before it finished (its server went away); whether it was applied is unknown. Check the catalog, then use a new key`,
                type: 'CommitStateUnknownException',
                code: 500,
              },
            },
            500,
          );
        case 'replay': {
          const r = acquired.response;
          return new Response(r.status === 204 || r.status === 304 ? null : this.secrets.restore(r.body), { status: r.status, headers: r.headers });
        }
        case 'claimed':
          await this.run(c, next, key, owner);
          return;
        default: {
          const never: never = acquired;
          throw new Error(`unexpected ${JSON.stringify(never)}`);
        }
      }
    };
  }

  /** Claims the key, or waits for the attempt that holds it, or takes over a dead one. */
  private async acquire(key: string, fingerprint: string, owner: string): Promise<Acquired> {
    const deadline = this.now() + this.waitMs;
    let pause = 25;
    for (;;) {
      const now = this.now();
      const held = await this.records.claim(key, fingerprint, owner, now, now + this.lifetimeMs);
      if (held === null) return { kind: 'claimed' };
      if (held.fingerprint !== fingerprint) return { kind: 'mismatch' };
      if (held.state === 'DONE') return { kind: 'replay', response: held.response };
      const staleBefore = now - this.staleMs;
      if (held.heartbeatAt < staleBefore) {
        if (this.staleClaims === 'fail') return { kind: 'abandoned' };
        if (await this.records.takeOver(key, held.owner, owner, now, staleBefore)) return { kind: 'claimed' };
      }
      if (now >= deadline) return { kind: 'busy' };
      await this.sleep(Math.min(pause, Math.max(1, deadline - now)));
      pause = Math.min(pause * 2, 500);
    }
  }

  /** Runs the request under the claim, then finalises (replayable outcome) or releases it. */
  private async run(c: Context, next: () => Promise<void>, key: string, owner: string): Promise<void> {
    const beat = setInterval(() => {
      this.records.heartbeat(key, owner, this.now()).catch(() => undefined);
    }, this.heartbeatMs);
    beat.unref();
    try {
      await next();
    } catch (err) {
      clearInterval(beat);
      await this.records.release(key, owner).catch(() => undefined);
      throw err;
    }
    clearInterval(beat);
    const status = c.res.status;
    // The response goes out whatever happens to the record: a claim left PENDING by a failed
    // write goes stale, and its retries are told that the outcome is unknown.
    try {
      if (isFinal(status)) {
        const text = status === 204 || status === 304 ? '' : await c.res.clone().text();
        const headers: Record<string, string> = {};
        c.res.headers.forEach((v, k) => {
          if (k !== 'x-request-id') headers[k] = v;
        });
        await this.records.complete(key, owner, { status, body: this.secrets.redact(text), headers });
      } else {
        await this.records.release(key, owner);
      }
    } catch {
      // see above
    }
  }

  /**
   * Deletes a bounded batch of expired records, at most once per `purgeEveryMs` in this
   * process; a full batch means more are waiting, so the next keyed request purges again.
   */
  private async purge(): Promise<void> {
    const now = this.now();
    if (now - this.lastPurge < this.purgeEveryMs) return;
    this.lastPurge = now;
    const purged = await this.records.purgeExpired(now, this.purgeBatch).catch(() => 0);
    if (purged >= this.purgeBatch) this.lastPurge = Number.NEGATIVE_INFINITY;
  }
}
