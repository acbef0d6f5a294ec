import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymousActor } from './context.js';
import { ConflictError, NotFoundError } from './errors.js';
import type { VersionStore } from './store/port.js';
import { createTestCatalog, type TestCatalog } from './testing.js';
import { unregisterTable } from './tables.js';

const actor = anonymousActor('test');
const schema = { type: 'struct' as const, schemaId: 0, fields: [{ id: 1, name: 'x', required: false, type: 'long' as const }] };

describe('unregisterTable', () => {
  let t: TestCatalog;
  const id = { namespace: ['db'], name: 't' };
  const main = () => t.catalog.refs.resolve(actor, 'main');

  beforeAll(async () => {
    t = await createTestCatalog();
    await t.catalog.namespaces.create(actor, await main(), ['db'], {});
  });
  afterAll(() => t.close());

  it('answers the version it dropped, even when the table changed between the read and the drop', async () => {
    await t.catalog.tables.create(actor, await main(), id, { schema });
    const store = t.deps.store;
    let raced = false;
    // The first drop attempt loses a race to a concurrent update of the same table.
    const racing: VersionStore = Object.create(store);
    racing.commit = async (...args: Parameters<VersionStore['commit']>) => {
      if (!raced) {
        raced = true;
        await t.catalog.tables.commit(actor, await main(), [{ identifier: id, requirements: [], updates: [{ action: 'set-properties', updates: { v: '2' } }] }]);
        throw new ConflictError('a concurrent commit touched the table', []);
      }
      return store.commit(...args);
    };
    const dropped = await unregisterTable({ ...t.deps, store: racing }, actor, await main(), id);
    expect(raced).toBe(true);
    const [drop, update] = (await t.catalog.history.log(actor, 'main', { pageSize: 2 })).items;
    expect(drop.message).toBe('Unregister table db.t');
    const newest = update.operations[0];
    expect(newest.kind === 'put' && newest.content.type === 'ICEBERG_TABLE' && newest.content.metadataLocation).toBe(dropped.metadataLocation);
    expect(JSON.parse(dropped.metadataText).properties).toMatchObject({ v: '2' });
    await expect(t.catalog.tables.load(actor, await main(), id)).rejects.toThrow(NotFoundError);
  });

  it('answers NoSuchTable for a missing table, even in a missing namespace', async () => {
    await expect(t.catalog.tables.unregister(actor, await main(), { namespace: ['nope'], name: 'x' })).rejects.toThrow(
      new NotFoundError('Table does not exist: nope.x', 'table'),
    );
  });
});
