import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CatalogDeps } from './deps.js';
import { ConflictError } from './errors.js';
import { createNamespace } from './namespaces.js';
import { anonymousActor } from './context.js';
import { resolveRef } from './refs/resolve.js';
import { createStore } from './store/index.js';
import type { VersionStore } from './store/port.js';
import { commitTables, type TableChange } from './table-commit.js';
import { createTable, loadTable } from './tables.js';
import { MemoryObjectStore } from '../io/memory.js';
import { ObjectStoreError } from '../io/port.js';

/** An in-memory store whose writes of locations containing `failOn` fail, and that counts writes in flight. */
class FlakyObjects extends MemoryObjectStore {
  failOn: string | undefined;
  inFlight = 0;
  maxInFlight = 0;
  override async write(location: string, body: Uint8Array | string, opts: { ifAbsent?: boolean } = {}): Promise<void> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await new Promise((r) => setTimeout(r, 5));
      if (this.failOn !== undefined && location.includes(this.failOn)) throw new ObjectStoreError(`cannot write ${location}`);
      await super.write(location, body, opts);
    } finally {
      this.inFlight--;
    }
  }
}

const actor = anonymousActor('test');
const schema = { type: 'struct' as const, schemaId: 0, fields: [{ id: 1, name: 'x', required: false, type: 'long' as const }] };

describe('commitTables over several tables', () => {
  let store: VersionStore;
  let objects: FlakyObjects;
  let deps: CatalogDeps;
  const main = async () => resolveRef(deps, actor, 'main');
  const change = (name: string, value: string): TableChange => ({
    identifier: { namespace: ['db'], name },
    requirements: [],
    updates: [{ action: 'set-properties', updates: { k: value } }],
  });

  beforeEach(async () => {
    store = createStore({ kind: 'pglite' });
    await store.init();
    objects = new FlakyObjects();
    deps = { store, objects, warehouse: 'memory://wh', now: Date.now, newUuid: randomUUID, commitRetries: 5 };
    await createNamespace(deps, actor, await main(), ['db'], {});
    for (const name of ['t0', 't1', 't2', 't3']) {
      await createTable(deps, actor, await main(), { namespace: ['db'], name }, { schema, location: `memory://wh/db/${name}` });
    }
  });
  afterEach(async () => {
    await store.close();
  });

  it('writes the metadata files in parallel and commits all tables once', async () => {
    const before = (await store.getReference('main')).hash;
    const committed = await commitTables(deps, actor, await main(), ['t0', 't1', 't2', 't3'].map((t) => change(t, 'v1')));
    expect(objects.maxInFlight).toBe(4);
    for (const c of committed) {
      expect(await objects.exists(c.metadataLocation)).toBe(true);
      const loaded = await loadTable(deps, actor, await main(), c.identifier);
      expect(loaded.metadataLocation).toBe(c.metadataLocation);
    }
    const log = await store.log((await store.getReference('main')).hash, { untilHash: before });
    expect(log.items.filter((c) => c.hash !== before)).toHaveLength(1);
  });

  it('removes the files that were written when one write fails, and commits nothing', async () => {
    const before = (await store.getReference('main')).hash;
    const listed = async () => {
      const out: string[] = [];
      for await (const o of objects.list('memory://wh/')) out.push(o.location);
      return out.sort();
    };
    const filesBefore = await listed();
    objects.failOn = '/t2/';
    await expect(commitTables(deps, actor, await main(), ['t0', 't1', 't2', 't3'].map((t) => change(t, 'v1')))).rejects.toThrow(
      ObjectStoreError,
    );
    expect((await store.getReference('main')).hash).toBe(before);
    expect(await listed()).toEqual(filesBefore);
  });

  it('chains commits on metadata it already holds, which is frozen against later mutation', async () => {
    const id = { namespace: ['db'], name: 't0' };
    const [first] = await commitTables(deps, actor, await main(), [change('t0', 'v1')]);
    const [second] = await commitTables(deps, actor, await main(), [
      { identifier: id, requirements: [], updates: [{ action: 'set-properties', updates: { other: 'v2' } }] },
    ]);
    expect(second.metadata.properties).toMatchObject({ k: 'v1', other: 'v2' });
    expect(second.metadata.metadataLog.map((e) => e.metadataFile)).toContain(first.metadataLocation);
    expect(JSON.parse(second.metadataText).properties).toMatchObject({ k: 'v1', other: 'v2' });
    expect(() => {
      (first.metadata.properties as Record<string, string>).k = 'changed';
    }).toThrow(TypeError);
    const loaded = await loadTable(deps, actor, await main(), id);
    expect(loaded.metadataLocation).toBe(second.metadataLocation);
  });

  it('retries a commit that lost a race and removes the files of the lost attempt', async () => {
    const id = { namespace: ['db'], name: 't1' };
    const before = new Set<string>();
    for await (const o of objects.list('memory://wh/')) before.add(o.location);
    let lost = 0;
    const racing: VersionStore = Object.create(store);
    racing.commit = async (...args: Parameters<VersionStore['commit']>) => {
      if (lost++ === 0) throw new ConflictError('a concurrent commit touched the table', []);
      return store.commit(...args);
    };
    const [committed] = await commitTables({ ...deps, store: racing }, actor, await main(), [change('t1', 'v2')]);
    expect(lost).toBe(2);
    expect((await loadTable(deps, actor, await main(), id)).metadataLocation).toBe(committed.metadataLocation);
    await vi.waitFor(async () => {
      const added: string[] = [];
      for await (const o of objects.list('memory://wh/')) if (!before.has(o.location)) added.push(o.location);
      expect(added).toEqual([committed.metadataLocation]);
    });
  });
});
