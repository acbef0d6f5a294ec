/**
 * Idempotency-Key records in the version store's database (table `idempotency_keys`), so that
 * every lakecat process on one PostgreSQL sees the same keys and a restart keeps them. The
 * in-memory implementation of the same port is in ../idempotency.ts.
 */
import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type Executor } from './core.js';
import type { IdempotencyRecord, IdempotencyRecords, StoredResponse } from '../idempotency.js';

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

  private rows<T>(q: SQL): Promise<T[]> {
    return queryRows<T>(this.db, q);
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
