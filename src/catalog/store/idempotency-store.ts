/**
 * Idempotency-Key records in the version store's database (table `idempotency_keys`), so that
 * every lakecat process on one PostgreSQL sees the same keys and a restart keeps them. Also an
 * in-memory implementation of the same port for stores without a database.
 */
import { sql, type SQL } from 'drizzle-orm';
import { mapDbError, type Executor } from './core.js';
import type { IdempotencyRecord, IdempotencyRecords, StoredResponse } from './port.js';

interface RecordRow {
  state: string;
  fingerprint: string;
  owner: string;
  heartbeat_at: number | string | bigint;
  expires_at: number | string | bigint;
  status: number | null;
  headers: Record<string, string> | null;
  body: string | null;
}

function toRecord(r: RecordRow): IdempotencyRecord {
  // int8 comes back as a string from node-postgres; the values stay far below 2^53.
  const expiresAt = Number(r.expires_at);
  if (r.state === 'DONE') {
    return {
      state: 'DONE',
      fingerprint: r.fingerprint,
      expiresAt,
      response: { status: Number(r.status), headers: r.headers ?? {}, body: r.body ?? '' },
    };
  }
  return { state: 'PENDING', fingerprint: r.fingerprint, owner: r.owner, heartbeatAt: Number(r.heartbeat_at), expiresAt };
}

export class PgIdempotencyRecords implements IdempotencyRecords {
  constructor(private readonly db: Executor) {}

  private async rows<T>(q: SQL): Promise<T[]> {
    try {
      return (await this.db.execute(q)).rows as T[];
    } catch (err) {
      // A lost database becomes StoreUnavailableError (503), like every other store call.
      throw mapDbError(err);
    }
  }

  async claim(key: string, fingerprint: string, owner: string, now: number, expiresAt: number): Promise<IdempotencyRecord | null> {
    // A live record may disappear between the failed insert and the read (released after a
    // 5xx, or purged once expired): then the claim is simply tried again.
    for (let attempt = 0; attempt < 5; attempt++) {
      const claimed = await this.rows<{ key: string }>(sql`
        INSERT INTO idempotency_keys (key, fingerprint, state, owner, created_at, heartbeat_at, expires_at)
        VALUES (${key}, ${fingerprint}, 'PENDING', ${owner}, ${now}, ${now}, ${expiresAt})
        ON CONFLICT (key) DO UPDATE SET
          fingerprint = EXCLUDED.fingerprint, state = 'PENDING', owner = EXCLUDED.owner,
          created_at = EXCLUDED.created_at, heartbeat_at = EXCLUDED.heartbeat_at,
          expires_at = EXCLUDED.expires_at, status = NULL, headers = NULL, body = NULL
        WHERE idempotency_keys.expires_at <= ${now}
        RETURNING key`);
      if (claimed.length === 1) return null;
      const live = await this.rows<RecordRow>(sql`
        SELECT state, fingerprint, owner, heartbeat_at, expires_at, status, headers, body
        FROM idempotency_keys WHERE key = ${key} AND expires_at > ${now}`);
      if (live.length === 1) return toRecord(live[0]);
    }
    throw new Error(`Idempotency-Key ${key}: could not claim or read the record`);
  }

  async heartbeat(key: string, owner: string, now: number): Promise<boolean> {
    const rows = await this.rows(sql`
      UPDATE idempotency_keys SET heartbeat_at = ${now}
      WHERE key = ${key} AND owner = ${owner} AND state = 'PENDING' RETURNING key`);
    return rows.length === 1;
  }

  async takeOver(key: string, staleOwner: string, owner: string, now: number, staleBefore: number): Promise<boolean> {
    const rows = await this.rows(sql`
      UPDATE idempotency_keys SET owner = ${owner}, heartbeat_at = ${now}
      WHERE key = ${key} AND owner = ${staleOwner} AND state = 'PENDING' AND heartbeat_at < ${staleBefore}
        AND expires_at > ${now}
      RETURNING key`);
    return rows.length === 1;
  }

  async complete(key: string, owner: string, response: StoredResponse): Promise<boolean> {
    const rows = await this.rows(sql`
      UPDATE idempotency_keys
      SET state = 'DONE', status = ${response.status}, headers = ${JSON.stringify(response.headers)}::jsonb, body = ${response.body}
      WHERE key = ${key} AND owner = ${owner} AND state = 'PENDING' RETURNING key`);
    return rows.length === 1;
  }

  async release(key: string, owner: string): Promise<void> {
    await this.rows(sql`DELETE FROM idempotency_keys WHERE key = ${key} AND owner = ${owner} AND state = 'PENDING'`);
  }

  async purgeExpired(now: number, limit: number): Promise<number> {
    // The outer condition is re-checked on the locked row: a key claimed afresh between the
    // inner scan and the delete is left alone.
    const rows = await this.rows(sql`
      DELETE FROM idempotency_keys
      WHERE key IN (SELECT key FROM idempotency_keys WHERE expires_at <= ${now} LIMIT ${limit})
        AND expires_at <= ${now}
      RETURNING key`);
    return rows.length;
  }
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
