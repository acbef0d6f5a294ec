/**
 * The Iceberg-level merge at catalog scale: N tables appended on both `main` and `dev` since
 * the fork, merged in one catalog merge (every table rebased: its dev append replayed onto
 * main's). Tables carry `history` earlier snapshots each, to show that the work follows the new
 * manifests rather than the size of the tables. Manifests live in an in-memory object store, so
 * the number is the catalog's own work (parse, rebase, write, commit), not S3 latency.
 */
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { createCatalog } from '../../src/catalog/catalog.js';
import { anonymousActor } from '../../src/catalog/context.js';
import type { CatalogDeps } from '../../src/catalog/deps.js';
import type { CommitOperation, TableContent } from '../../src/catalog/store/port.js';
import { tableContent } from '../../src/catalog/tables.js';
import { append, dataFile, Files, table } from '../../src/iceberg/merge/test-tables.js';
import type { TableMetadata } from '../../src/iceberg/model.js';
import { serializeTableMetadata } from '../../src/iceberg/table-metadata-json.js';
import { MemoryObjectStore } from '../../src/io/memory.js';
import { meta, openStore } from './common.js';

export async function icebergMergeOfAppendedTables(pgUrl: string | undefined, tables = 1000, history = 20): Promise<string[]> {
  const { store, backend, dispose } = await openStore(pgUrl);
  try {
    const objects = new MemoryObjectStore({ roots: ['memory://'] });
    const deps: CatalogDeps = { store, objects, warehouse: 'memory://warehouse', now: Date.now, newUuid: randomUUID, commitRetries: 10 };
    const catalog = createCatalog(deps);
    const actor = anonymousActor('bench');
    const files = new Files();
    const content = (m: TableMetadata, id: string): TableContent => tableContent(id, `${m.location}/metadata/${randomUUID()}.metadata.json`, serializeTableMetadata(m), m);
    const commitAll = async (branch: string, ops: CommitOperation[]) => {
      for (let i = 0; i < ops.length; i += 200) {
        const head = (await store.getReference(branch)).hash;
        await store.commit(branch, head, meta(`${branch} batch`), ops.slice(i, i + 200));
      }
    };

    const ids: string[] = [];
    const onMain: TableMetadata[] = [];
    for (let i = 0; i < tables; i++) {
      const location = `memory://warehouse/db/t${i}`;
      let m = table(2, {}, location);
      for (let h = 0; h < history; h++) m = append(files, m, [dataFile(`h${h}.parquet`, 100n, location)]);
      onMain.push(m);
      ids.push(randomUUID());
    }
    await commitAll('main', [
      { kind: 'put', key: ['db'], content: { type: 'NAMESPACE', id: randomUUID(), properties: {} } },
      ...onMain.map((m, i): CommitOperation => ({ kind: 'put', key: ['db', `t${i}`], content: content(m, ids[i]) })),
    ]);
    await store.createReference('dev', 'BRANCH', (await store.getReference('main')).hash);
    const update = (m: TableMetadata, i: number): CommitOperation => ({ kind: 'put', key: ['db', `t${i}`], content: content(m, ids[i]), expectedContentId: ids[i] });
    await commitAll('dev', onMain.map((m, i) => update(append(files, m, [dataFile('dev.parquet', 10n, m.location)]), i)));
    await commitAll('main', onMain.map((m, i) => update(append(files, m, [dataFile('main.parquet', 10n, m.location)]), i)));
    for (const [location, bytes] of files.bytes) await objects.write(location, bytes);

    const target = `main@${(await store.getReference('main')).hash}`;
    const t0 = performance.now();
    const dry = await catalog.merges.merge(actor, { target, fromRefName: 'dev', dryRun: true });
    const dryMs = performance.now() - t0;
    const profile = process.env.BENCH_PROFILE ? await startProfile() : undefined;
    const t1 = performance.now();
    const r = await catalog.merges.merge(actor, { target, fromRefName: 'dev' });
    const ms = performance.now() - t1;
    if (profile) await profile(process.env.BENCH_PROFILE!);
    const rebased = r.details.filter((d) => d.iceberg?.outcome === 'MERGED').length;
    if (!dry.wasSuccessful || !r.wasApplied || rebased !== tables) throw new Error(`merge did not rebase every table: ${rebased} of ${tables}`);
    return [
      `iceberg merge (${backend}, ${tables} tables appended on both sides, ${history} earlier snapshots each): ` +
        `${ms.toFixed(0)} ms for the merge (${(ms / tables).toFixed(2)} ms per table; dry run ${dryMs.toFixed(0)} ms)`,
    ];
  } finally {
    await dispose();
  }
}

/** BENCH_PROFILE=FILE: a CPU profile of the merge alone (open it in Chrome's DevTools). */
async function startProfile(): Promise<(file: string) => Promise<void>> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return async (file) => {
    const { profile } = await session.post('Profiler.stop');
    await writeFile(file, JSON.stringify(profile));
    session.disconnect();
  };
}
