import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../errors.js';
import { MemoryIdempotencyRecords } from '../idempotency.js';
import { createStore, migrationsFolder } from './index.js';
import type { IdempotencyRecords, VersionStore } from './port.js';

const T0 = 1_800_000_000_000;
const LIFE = 60_000;
const RESPONSE = { status: 200, body: '{"metadata":{"format-version":2}}', headers: { 'content-type': 'application/json', etag: 'W/"x"' } };

function recordsContract(name: string, make: () => Promise<{ records: IdempotencyRecords; dispose(): Promise<void> }>): void {
  describe(`IdempotencyRecords on ${name}`, () => {
    let records: IdempotencyRecords;
    let dispose: () => Promise<void>;
    beforeEach(async () => {
      ({ records, dispose } = await make());
    });
    afterEach(async () => dispose());

    it('claims a new key once; a second claim sees the PENDING record of the first owner', async () => {
      expect(await records.claim('k1', 'fp', 'owner-a', T0, T0 + LIFE)).toBeNull();
      const held = await records.claim('k1', 'fp', 'owner-b', T0 + 5, T0 + 5 + LIFE);
      expect(held).toEqual({ state: 'PENDING', fingerprint: 'fp', owner: 'owner-a', heartbeatAt: T0, expiresAt: T0 + LIFE });
    });

    it('replays the completed response, headers included, for the lifetime of the key', async () => {
      await records.claim('k2', 'fp', 'a', T0, T0 + LIFE);
      expect(await records.complete('k2', 'a', RESPONSE)).toBe(true);
      expect(await records.claim('k2', 'fp', 'b', T0 + LIFE - 1, T0 + 2 * LIFE)).toEqual({
        state: 'DONE',
        fingerprint: 'fp',
        expiresAt: T0 + LIFE,
        response: RESPONSE,
      });
    });

    it('only the owner completes, heartbeats or releases a claim', async () => {
      await records.claim('k3', 'fp', 'a', T0, T0 + LIFE);
      expect(await records.complete('k3', 'intruder', RESPONSE)).toBe(false);
      expect(await records.heartbeat('k3', 'intruder', T0 + 10)).toBe(false);
      await records.release('k3', 'intruder');
      expect(await records.heartbeat('k3', 'a', T0 + 10)).toBe(true);
      expect(await records.claim('k3', 'fp', 'b', T0 + 20, T0 + LIFE)).toMatchObject({ state: 'PENDING', owner: 'a', heartbeatAt: T0 + 10 });
      await records.release('k3', 'a');
      expect(await records.claim('k3', 'fp', 'b', T0 + 30, T0 + LIFE)).toBeNull();
    });

    it('takes over a claim only while its heartbeat is older than the stale limit', async () => {
      await records.claim('k4', 'fp', 'a', T0, T0 + LIFE);
      expect(await records.takeOver('k4', 'a', 'b', T0 + 100, T0 - 1)).toBe(false);
      expect(await records.takeOver('k4', 'a', 'b', T0 + 100, T0 + 1)).toBe(true);
      // The old owner lost it: its late outcome is not recorded, the new owner's is.
      expect(await records.complete('k4', 'a', { ...RESPONSE, status: 409 })).toBe(false);
      expect(await records.complete('k4', 'b', RESPONSE)).toBe(true);
      expect(await records.takeOver('k4', 'b', 'c', T0 + 200, T0 + 150)).toBe(false);
      expect(await records.claim('k4', 'fp', 'c', T0 + 300, T0 + LIFE)).toMatchObject({ state: 'DONE', response: { status: 200 } });
    });

    it('treats an expired record as absent and lets a new request claim the key', async () => {
      await records.claim('k5', 'fp-old', 'a', T0, T0 + LIFE);
      await records.complete('k5', 'a', RESPONSE);
      expect(await records.claim('k5', 'fp-new', 'b', T0 + LIFE, T0 + 2 * LIFE)).toBeNull();
      expect(await records.claim('k5', 'fp-new', 'c', T0 + LIFE + 1, T0 + 3 * LIFE)).toMatchObject({ state: 'PENDING', owner: 'b', fingerprint: 'fp-new' });
    });

    it('purges expired records in bounded batches and keeps live ones', async () => {
      for (let i = 0; i < 5; i++) await records.claim(`old${i}`, 'fp', 'a', T0, T0 + 10);
      await records.claim('live', 'fp', 'a', T0, T0 + LIFE);
      expect(await records.purgeExpired(T0 + 10, 3)).toBe(3);
      expect(await records.purgeExpired(T0 + 10, 3)).toBe(2);
      expect(await records.purgeExpired(T0 + 10, 3)).toBe(0);
      expect(await records.claim('live', 'fp', 'b', T0 + 11, T0 + LIFE)).toMatchObject({ owner: 'a' });
    });
  });
}

recordsContract('memory', async () => ({ records: new MemoryIdempotencyRecords(), dispose: async () => undefined }));

recordsContract('PGlite', async () => {
  const store = createStore({ kind: 'pglite' });
  await store.init();
  return { records: store.idempotency!, dispose: () => store.close() };
});

describe('Idempotency-Key records in the PGlite database', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lakecat-idem-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('survive closing and reopening the store', async () => {
    let store: VersionStore = createStore({ kind: 'pglite', dataDir: join(dir, 'db') });
    await store.init();
    await store.idempotency!.claim('key', 'fp', 'a', T0, T0 + LIFE);
    await store.idempotency!.complete('key', 'a', RESPONSE);
    await store.close();
    store = createStore({ kind: 'pglite', dataDir: join(dir, 'db') });
    await store.init();
    try {
      expect(await store.idempotency!.claim('key', 'fp', 'b', T0 + 1, T0 + LIFE)).toMatchObject({ state: 'DONE', response: RESPONSE });
    } finally {
      await store.close();
    }
  });

  it('are added by the migration to a database created before it', async () => {
    // A copy of the migrations folder that ends at 0000 stands for a catalog from an older release.
    const older = join(dir, 'migrations');
    cpSync(migrationsFolder(), older, { recursive: true });
    const journalPath = join(older, 'meta', '_journal.json');
    const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: { tag: string }[] };
    expect(journal.entries.map((e) => e.tag)).toContain('0001_idempotency_keys');
    journal.entries = journal.entries.filter((e) => e.tag === '0000_init');
    writeFileSync(journalPath, JSON.stringify(journal));

    const client = new PGlite(join(dir, 'db'));
    const db = drizzle({ client });
    const exists = async () =>
      (await db.execute(sql`SELECT to_regclass('public.idempotency_keys') IS NOT NULL AS present`)).rows[0] as { present: boolean };
    await migrate(db, { migrationsFolder: older });
    expect(await exists()).toEqual({ present: false });
    await db.execute(sql`INSERT INTO refs (name, type, hash) VALUES ('main', 'BRANCH', 'abc')`);
    await client.close();

    const store = createStore({ kind: 'pglite', dataDir: join(dir, 'db') });
    await store.init();
    try {
      expect(await store.idempotency!.claim('key', 'fp', 'a', T0, T0 + LIFE)).toBeNull();
      expect((await store.getReference('main')).hash).toBe('abc');
    } finally {
      await store.close();
    }
  });
});

describe('Idempotency-Key records on an unreachable PostgreSQL', () => {
  it('fail with StoreUnavailableError (answered 503) rather than a raw driver error', async () => {
    // Port 1 on the loopback address refuses connections at once.
    const store = createStore({ kind: 'postgres', url: 'postgres://nobody@127.0.0.1:1/none', poolSize: 1 });
    try {
      await expect(store.idempotency!.claim('k', 'fp', 'a', T0, T0 + LIFE)).rejects.toBeInstanceOf(StoreUnavailableError);
    } finally {
      await store.close();
    }
  });
});
