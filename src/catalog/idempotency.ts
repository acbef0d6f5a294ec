/**
 * Idempotency-Key records: the port the HTTP layer's guard uses, and an in-memory
 * implementation for stores without a database of their own (the PostgreSQL one lives with the
 * store, in store/idempotency-store.ts).
 */

/** A final HTTP response kept for replay under an Idempotency-Key. */
export interface StoredResponse {
  status: number;
  body: string;
  headers: Record<string, string>;
}

/** A live (unexpired) Idempotency-Key record. Times are epoch milliseconds. */
export type IdempotencyRecord =
  | { state: 'PENDING'; fingerprint: string; owner: string; heartbeatAt: number; expiresAt: number }
  | { state: 'DONE'; fingerprint: string; expiresAt: number; response: StoredResponse };

/**
 * Storage of Idempotency-Key records: claim, then complete or release. Every write but `claim`
 * is conditional on the claim's owner token, so a request whose claim was taken over can never
 * overwrite the newer owner's outcome.
 */
export interface IdempotencyRecords {
  /**
   * Atomically claims `key` as PENDING for `owner` when no live record exists (an expired one
   * is replaced). Returns null when claimed, else the live record that holds the key.
   */
  claim(key: string, fingerprint: string, owner: string, now: number, expiresAt: number): Promise<IdempotencyRecord | null>;
  /** Keeps a PENDING claim alive; false when `owner` no longer holds it. */
  heartbeat(key: string, owner: string, now: number): Promise<boolean>;
  /** Moves a PENDING claim whose heartbeat is older than `staleBefore` to `owner`; false if it was not stale any more. */
  takeOver(key: string, staleOwner: string, owner: string, now: number, staleBefore: number): Promise<boolean>;
  /** Finalises `owner`'s claim with the response to replay; false when the claim was lost. */
  complete(key: string, owner: string, response: StoredResponse): Promise<boolean>;
  /** Drops `owner`'s PENDING claim so that a retry runs the request again. */
  release(key: string, owner: string): Promise<void>;
  /** Deletes at most `limit` records that expired before `now`; returns how many. */
  purgeExpired(now: number, limit: number): Promise<number>;
}


type MemoryEntry = IdempotencyRecord & { owner?: string };

/**
 * The same port in this process's memory: correct for a single process only, and bounded by
 * evicting the oldest records once `maxEntries` is reached.
 */
export class MemoryIdempotencyRecords implements IdempotencyRecords {
  private readonly entries = new Map<string, MemoryEntry>();

  constructor(private readonly maxEntries = 10_000) {}

  async claim(key: string, fingerprint: string, owner: string, now: number, expiresAt: number): Promise<IdempotencyRecord | null> {
    const e = this.entries.get(key);
    if (e && e.expiresAt > now) return { ...e };
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { state: 'PENDING', fingerprint, owner, heartbeatAt: now, expiresAt });
    return null;
  }

  async heartbeat(key: string, owner: string, now: number): Promise<boolean> {
    const e = this.entries.get(key);
    if (e?.state !== 'PENDING' || e.owner !== owner) return false;
    e.heartbeatAt = now;
    return true;
  }

  async takeOver(key: string, staleOwner: string, owner: string, now: number, staleBefore: number): Promise<boolean> {
    const e = this.entries.get(key);
    if (e?.state !== 'PENDING' || e.owner !== staleOwner || e.heartbeatAt >= staleBefore || e.expiresAt <= now) return false;
    e.owner = owner;
    e.heartbeatAt = now;
    return true;
  }

  async complete(key: string, owner: string, response: StoredResponse): Promise<boolean> {
    const e = this.entries.get(key);
    if (e?.state !== 'PENDING' || e.owner !== owner) return false;
    this.entries.set(key, { state: 'DONE', fingerprint: e.fingerprint, expiresAt: e.expiresAt, response });
    return true;
  }

  async release(key: string, owner: string): Promise<void> {
    const e = this.entries.get(key);
    if (e?.state === 'PENDING' && e.owner === owner) this.entries.delete(key);
  }

  async purgeExpired(now: number, limit: number): Promise<number> {
    let n = 0;
    for (const [key, e] of this.entries) {
      if (n >= limit) break;
      if (e.expiresAt <= now) {
        this.entries.delete(key);
        n++;
      }
    }
    return n;
  }
}
