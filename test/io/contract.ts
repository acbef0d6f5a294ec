import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectExistsError, ObjectNotFoundError, ObjectStoreError, type ObjectStore } from '../../src/io/port.js';

/** What one backend gives the shared ObjectStore contract. */
export interface ContractFixture {
  store: ObjectStore;
  /** A location (no trailing slash) under which this run may write freely; unique per run. */
  root: string;
  /** A location the store does not serve. */
  unserved: string;
  cleanup?: () => Promise<void>;
}

type Listed = { location: string; size: number; lastModifiedMs: number };

export async function listAll(store: ObjectStore, prefix: string): Promise<Listed[]> {
  const out: Listed[] = [];
  for await (const entry of store.list(prefix)) out.push(entry);
  return out;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

const bytes = (...values: number[]) => new Uint8Array(values);

/**
 * The behaviour every ObjectStore must have, run once per backend (memory, local filesystem,
 * S3 on MinIO), in the manner of Nessie's abstract persist tests.
 */
export function describeObjectStoreContract(backend: string, setup: () => Promise<ContractFixture>): void {
  describe(`ObjectStore contract: ${backend}`, () => {
    let fx: ContractFixture;
    let store: ObjectStore;
    let n = 0;
    /** A fresh folder per test, so tests never see each other's objects. */
    const folder = () => `${fx.root}/t${++n}`;

    beforeAll(async () => {
      fx = await setup();
      store = fx.store;
    });
    afterAll(async () => {
      await fx?.cleanup?.();
    });

    it('serves its own locations and not others', () => {
      expect(store.handles(`${fx.root}/a/b.json`)).toBe(true);
      expect(store.handles(fx.unserved)).toBe(false);
    });

    it('reads back exactly the bytes written, including zero and high bytes', async () => {
      const loc = `${folder()}/data.bin`;
      const body = bytes(0, 1, 2, 127, 128, 254, 255, 0);
      await store.write(loc, body);
      expect(await store.read(loc)).toEqual(body);
    });

    it('round-trips text as UTF-8', async () => {
      const loc = `${folder()}/v1.metadata.json`;
      const text = '{"name":"café ☕ 日本 🧊","id":9007199254740993}';
      await store.write(loc, text, { contentType: 'application/json' });
      expect(await store.readText(loc)).toBe(text);
      expect(await store.read(loc)).toEqual(new TextEncoder().encode(text));
    });

    it('writes and reads an empty object', async () => {
      const loc = `${folder()}/empty`;
      await store.write(loc, new Uint8Array(0));
      expect(await store.exists(loc)).toBe(true);
      expect((await store.read(loc)).byteLength).toBe(0);
      expect(await store.readText(loc)).toBe('');
    });

    it('writes a multi-megabyte object intact', async () => {
      const loc = `${folder()}/big.bin`;
      const body = new Uint8Array(randomBytes(3 * 1024 * 1024 + 17));
      await store.write(loc, body);
      const back = await store.read(loc);
      expect(back.byteLength).toBe(body.byteLength);
      expect(Buffer.from(back).equals(Buffer.from(body))).toBe(true);
    });

    it('keeps what was written even if the caller changes its buffer afterwards', async () => {
      const loc = `${folder()}/copy.bin`;
      const body = bytes(1, 2, 3);
      await store.write(loc, body);
      body[0] = 99;
      expect(await store.read(loc)).toEqual(bytes(1, 2, 3));
    });

    it('replaces an object on a plain write', async () => {
      const loc = `${folder()}/x.json`;
      await store.write(loc, 'first, longer content');
      await store.write(loc, 'second');
      expect(await store.readText(loc)).toBe('second');
    });

    it('creates with ifAbsent and refuses to replace an existing object', async () => {
      const loc = `${folder()}/00001-a.metadata.json`;
      await store.write(loc, 'original', { ifAbsent: true });
      const err = await rejection(store.write(loc, 'intruder', { ifAbsent: true }));
      expect(err).toBeInstanceOf(ObjectExistsError);
      expect((err as ObjectExistsError).location).toBe(loc);
      expect(await store.readText(loc)).toBe('original');
    });

    it('lets exactly one of several concurrent ifAbsent writes win', async () => {
      const loc = `${folder()}/race.json`;
      const bodies = Array.from({ length: 6 }, (_, i) => `writer ${i}`);
      const results = await Promise.allSettled(bodies.map((b) => store.write(loc, b, { ifAbsent: true })));
      const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [bodies[i]] : []));
      expect(winners).toHaveLength(1);
      for (const r of results) {
        if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ObjectExistsError);
      }
      expect(await store.readText(loc)).toBe(winners[0]);
    });

    it('reports a missing object as ObjectNotFoundError naming the location', async () => {
      const loc = `${folder()}/missing.json`;
      for (const attempt of [() => store.read(loc), () => store.readText(loc)]) {
        const err = await rejection(attempt());
        expect(err).toBeInstanceOf(ObjectNotFoundError);
        expect((err as ObjectNotFoundError).location).toBe(loc);
      }
    });

    it('tracks existence through write and delete', async () => {
      const loc = `${folder()}/e.txt`;
      expect(await store.exists(loc)).toBe(false);
      await store.write(loc, 'x');
      expect(await store.exists(loc)).toBe(true);
      await store.delete(loc);
      expect(await store.exists(loc)).toBe(false);
      expect(await rejection(store.read(loc))).toBeInstanceOf(ObjectNotFoundError);
    });

    it('never calls a present object missing; a store with a cheap check sees a delete at once', async () => {
      const loc = `${folder()}/k.txt`;
      await store.write(loc, 'x');
      expect(store.knownMissing?.(loc) ?? false).toBe(false);
      await store.delete(loc);
      // Stores reached over the network leave the check out: they never answer "missing" cheaply.
      expect(store.knownMissing?.(loc) ?? false).toBe(store.knownMissing !== undefined);
      expect(store.knownMissing?.(fx.unserved) ?? false).toBe(false);
    });

    it('treats deleting a missing object as success', async () => {
      await expect(store.delete(`${folder()}/never-written`)).resolves.toBeUndefined();
    });

    it('does not take a folder for an object', async () => {
      const dir = folder();
      await store.write(`${dir}/sub/file.txt`, 'x');
      expect(await store.exists(`${dir}/sub`)).toBe(false);
      expect(await rejection(store.read(`${dir}/sub`))).toBeInstanceOf(ObjectNotFoundError);
      await store.delete(`${dir}/sub`);
      expect(await store.readText(`${dir}/sub/file.txt`)).toBe('x');
    });

    it('refuses a location ending in / as an object location', async () => {
      const dir = folder();
      await expect(store.write(`${dir}/folder/`, 'x')).rejects.toBeInstanceOf(ObjectStoreError);
      await expect(store.read(`${dir}/folder/`)).rejects.toBeInstanceOf(ObjectStoreError);
      expect(await listAll(store, dir)).toEqual([]);
    });

    it('lists recursively with sizes, as a folder (no siblings sharing the name prefix)', async () => {
      const dir = folder();
      const before = Date.now();
      const written: Record<string, string> = {
        [`${dir}/data/a.parquet`]: 'aaaa',
        [`${dir}/data/p=1/b.parquet`]: 'bb',
        [`${dir}/data/p=1/q=2/c.parquet`]: '',
        [`${dir}/data/p=2/d.parquet`]: 'dddddd',
      };
      for (const [loc, body] of Object.entries(written)) await store.write(loc, body);
      await store.write(`${dir}/data-old/z.parquet`, 'zz');
      await store.write(`${dir}/datafile`, 'zz');

      const listed = await listAll(store, `${dir}/data`);
      const byLocation = Object.fromEntries(listed.map((e) => [e.location, e.size]));
      expect(byLocation).toEqual(Object.fromEntries(Object.entries(written).map(([l, b]) => [l, b.length])));
      expect(listed).toHaveLength(4);
      for (const e of listed) {
        // Second-resolution clocks (S3) may round down; an hour either way still catches unit mistakes.
        expect(e.lastModifiedMs).toBeGreaterThan(before - 3_600_000);
        expect(e.lastModifiedMs).toBeLessThan(Date.now() + 3_600_000);
      }
      const withSlash = await listAll(store, `${dir}/data/`);
      expect(withSlash.map((e) => e.location).sort()).toEqual(listed.map((e) => e.location).sort());
      const nested = await listAll(store, `${dir}/data/p=1`);
      expect(nested.map((e) => e.location).sort()).toEqual([`${dir}/data/p=1/b.parquet`, `${dir}/data/p=1/q=2/c.parquet`]);
    });

    it('lists nothing under a missing prefix or under an object', async () => {
      const dir = folder();
      expect(await listAll(store, `${dir}/nothing-here`)).toEqual([]);
      await store.write(`${dir}/obj`, 'x');
      expect(await listAll(store, `${dir}/obj`)).toEqual([]);
    });

    it('lists many objects completely', async () => {
      const dir = folder();
      const expected = Array.from({ length: 23 }, (_, i) => `${dir}/m/${String(i).padStart(3, '0')}.avro`);
      await Promise.all(expected.map((loc) => store.write(loc, 'm')));
      const listed = (await listAll(store, `${dir}/m`)).map((e) => e.location).sort();
      expect(listed).toEqual(expected);
    });

    it('no longer lists a deleted object', async () => {
      const dir = folder();
      await store.write(`${dir}/keep`, 'k');
      await store.write(`${dir}/drop`, 'd');
      await store.delete(`${dir}/drop`);
      expect((await listAll(store, dir)).map((e) => e.location)).toEqual([`${dir}/keep`]);
    });

    const awkwardNames = [
      'with space/file name.json',
      'unicode/café/日本語/🧊.metadata.json',
      'encoded/literal%20percent%2Fslash.json',
      'plus/a+b=c&d.json',
      'partition/ts_day=2024-01-01/region=eu west/part-00000.parquet',
      'deep/a/b/c/d/e/f/g/h/i/j.json',
      'dots/v1..2/.hidden',
      "quotes/it's \"quoted\" (1).json",
    ];
    it.each(awkwardNames)('keeps the awkward path %s literal through write, read, exists, list, delete', async (name) => {
      const dir = folder();
      const loc = `${dir}/${name}`;
      await store.write(loc, `content of ${name}`, { ifAbsent: true });
      expect(await store.readText(loc)).toBe(`content of ${name}`);
      expect(await store.exists(loc)).toBe(true);
      expect((await listAll(store, dir)).map((e) => e.location)).toEqual([loc]);
      const top = name.split('/')[0];
      expect((await listAll(store, `${dir}/${top}`)).map((e) => e.location)).toEqual([loc]);
      await store.delete(loc);
      expect(await store.exists(loc)).toBe(false);
    });

    it('does not confuse a percent-encoded name with its decoded form', async () => {
      const dir = folder();
      await store.write(`${dir}/a%20b`, 'encoded');
      expect(await store.exists(`${dir}/a b`)).toBe(false);
      await store.write(`${dir}/a b`, 'spaced');
      expect(await store.readText(`${dir}/a%20b`)).toBe('encoded');
      expect(await store.readText(`${dir}/a b`)).toBe('spaced');
    });

    it('refuses locations it does not serve with ObjectStoreError', async () => {
      const calls: Array<() => Promise<unknown>> = [
        () => store.write(fx.unserved, 'x'),
        () => store.read(fx.unserved),
        () => store.readText(fx.unserved),
        () => store.exists(fx.unserved),
        () => store.delete(fx.unserved),
        () => listAll(store, fx.unserved),
      ];
      for (const call of calls) {
        const err = await rejection(call());
        expect(err).toBeInstanceOf(ObjectStoreError);
        expect(err).not.toBeInstanceOf(ObjectNotFoundError);
      }
    });

    it('answers ping when reachable', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
}
