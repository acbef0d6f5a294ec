/**
 * One writer process of the concurrency test: runs `writers` concurrent loops against the
 * branch `main` and prints every acknowledged commit as a JSON line on stdout.
 * Usage: node --import tsx test/store/concurrency-writer.ts <url> <proc> <writers> <commitsPerWriter>
 */
import { ConflictError } from '../../src/catalog/errors.js';
import { createStore } from '../../src/catalog/store/index.js';
import type { TableContent } from '../../src/catalog/store/port.js';

const [url, proc, writers, perWriter] = process.argv.slice(2);
const SHARED_KEYS = 4;

function table(n: bigint, id: string): TableContent {
  return { type: 'ICEBERG_TABLE', id, metadataLocation: `m/${n}`, metadata: '{}', snapshotId: n, schemaId: 0, specId: 0, sortOrderId: 0 };
}

async function main(): Promise<void> {
  const store = createStore({ kind: 'postgres', url, poolSize: Number(writers) });
  await store.init();
  let conflicts = 0;
  const loop = async (w: number) => {
    const own = ['own', `p${proc}w${w}`];
    let ownId = '';
    for (let i = 0; i < Number(perWriter); i++) {
      const shared = i % 4 === 3;
      for (;;) {
        const head = (await store.getReference('main')).hash;
        try {
          if (shared) {
            const key = ['shared', `k${(i + w) % SHARED_KEYS}`];
            const cur = await store.getContent(head, key);
            const n = cur?.type === 'ICEBERG_TABLE' ? cur.snapshotId : 0n;
            const op = cur
              ? { kind: 'put' as const, key, content: table(n + 1n, cur.id), expectedContentId: cur.id }
              : { kind: 'put' as const, key, content: table(1n, '') };
            const r = await store.commit('main', head, { author: `p${proc}`, message: `inc ${key[1]}` }, [op]);
            console.log(JSON.stringify({ hash: r.hash, parent: r.parentHash, kind: 'inc', key: key[1] }));
          } else {
            const op = ownId
              ? { kind: 'put' as const, key: own, content: table(BigInt(i), ownId), expectedContentId: ownId }
              : { kind: 'put' as const, key: own, content: table(BigInt(i), '') };
            const r = await store.commit('main', head, { author: `p${proc}`, message: `own ${i}` }, [op]);
            if (!ownId) ownId = (await store.getContent(r.hash, own))!.id;
            console.log(JSON.stringify({ hash: r.hash, parent: r.parentHash, kind: 'own', key: own[1], value: i }));
          }
          break;
        } catch (err) {
          if (!(err instanceof ConflictError)) throw err;
          conflicts++;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Number(writers) }, (_, w) => loop(w)));
  console.error(`proc ${proc}: ${conflicts} conflicts retried`);
  await store.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
