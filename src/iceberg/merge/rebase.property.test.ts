/**
 * Property: for random histories on both sides of a fork (appends, whole-file deletes,
 * overwrites, compactions), the rebase either refuses with a typed conflict, or yields a table
 * whose live rows are exactly the row-set model's: the target's rows, less the rows the source
 * removed since the base, plus the rows it added, each row once. It never refuses a source that
 * only appended, and it does merge some sources that removed files. Each data file holds a known
 * set of row ids (its name lists them). The tables are unpartitioned, so every source delete or
 * overwrite covers the whole table (partition scopes are tested with engines).
 */
import { describe, expect, it } from 'vitest';
import type { FormatVersion, TableMetadata } from '../model.js';
import { IcebergMergeConflict } from './conflicts.js';
import { rebaseTable } from './rebase.js';
import { apply, commit, dataFile, Files, LOCATION, liveEntries, minSequenceNumbersHold, table } from './test-tables.js';

/** A small seeded PRNG (mulberry32): every case is reproducible from its seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Row ids of a file, from its name: `r<id>_<id>..._<unique>.parquet`. */
function rowsOfFile(path: string): number[] {
  const name = path.split('/').pop()!;
  return name.slice(1, name.indexOf('.')).split('_').slice(0, -1).map(Number);
}

function liveRows(files: Files, m: TableMetadata): number[] {
  return liveEntries(files, m).flatMap((e) => rowsOfFile(e.dataFile.filePath)).sort((a, b) => a - b);
}

interface Side {
  m: TableMetadata;
  appendOnly: boolean;
}

/** One random engine change on a side; new rows get fresh ids from `ids`. */
function change(files: Files, side: Side, next: () => number, ids: { n: number }): Side {
  const live = liveEntries(files, side.m).map((e) => e.dataFile.filePath.split('/').pop()!);
  const newFile = (rows: number[]) => dataFile(`r${[...rows, ids.n++].join('_')}.parquet`, BigInt(rows.length));
  const fresh = () => Array.from({ length: 1 + Math.floor(next() * 3) }, () => ids.n++);
  const pick = () => live[Math.floor(next() * live.length)];
  const op = live.length === 0 ? 0 : Math.floor(next() * 4);
  switch (op) {
    case 0:
      return { m: commit(files, side.m, 'append', [newFile(fresh())]), appendOnly: side.appendOnly };
    case 1:
      return { m: commit(files, side.m, 'delete', [], [pick()]), appendOnly: false };
    case 2: {
      // Copy-on-write update: a file replaced by one holding some of its rows and new ones.
      const victim = pick();
      const kept = rowsOfFile(victim).filter(() => next() < 0.5);
      return { m: commit(files, side.m, 'overwrite', [newFile([...kept, ...fresh()])], [victim]), appendOnly: false };
    }
    default: {
      // Compaction: every live file rewritten into one, same rows.
      const rows = live.flatMap(rowsOfFile);
      return { m: commit(files, side.m, 'replace', [newFile(rows)], live), appendOnly: false };
    }
  }
}

const CASES = 3000;

describe('rebase against a row-set model', () => {
  it(`merges to exactly the model's rows or refuses, over ${CASES} random histories`, async () => {
    let merged = 0;
    let mergedRewrites = 0;
    let refused = 0;
    for (let seed = 1; seed <= CASES; seed++) {
      const next = random(seed);
      const files = new Files();
      const ids = { n: 1 };
      const formatVersion = (1 + (seed % 3)) as FormatVersion;
      let base: Side = { m: table(formatVersion), appendOnly: true };
      for (let i = Math.floor(next() * 3); i > 0; i--) base = change(files, base, next, ids);
      let target: Side = { m: base.m, appendOnly: true };
      let source: Side = { m: base.m, appendOnly: true };
      for (let i = 1 + Math.floor(next() * 4); i > 0; i--) target = change(files, target, next, ids);
      // Mostly appends on the source, so that merges happen; sometimes anything.
      const anything = next() < 0.3;
      for (let i = 1 + Math.floor(next() * 4); i > 0; i--) {
        source = anything ? change(files, source, next, ids) : { m: commit(files, source.m, 'append', [dataFile(`r${ids.n++}_${ids.n++}.parquet`, 1n)]), appendOnly: source.appendOnly };
      }
      const context = `seed ${seed} (v${formatVersion}): ${[...source.m.snapshots].map((s) => s.summary.operation).join(',')} onto ${[...target.m.snapshots].map((s) => s.summary.operation).join(',')}`;
      try {
        const result = await rebaseTable({
          base: base.m,
          target: target.m,
          source: source.m,
          io: files,
          newSnapshotId: files.newId,
          newFileLocation: (name) => `${LOCATION}/metadata/${name}`,
          nowMs: target.m.lastUpdatedMs + 10,
        });
        let after = target.m;
        if (result.kind === 'rebased') {
          for (const f of result.files) files.bytes.set(f.location, f.bytes);
          after = apply(target.m, result.updates);
        }
        const baseRows = new Set(liveRows(files, base.m));
        const sourceRows = new Set(liveRows(files, source.m));
        const removed = [...baseRows].filter((r) => !sourceRows.has(r));
        const added = [...sourceRows].filter((r) => !baseRows.has(r));
        const model = [...new Set([...liveRows(files, target.m).filter((r) => !removed.includes(r)), ...added])].sort((a, b) => a - b);
        expect(liveRows(files, after), context).toEqual(model);
        if (formatVersion >= 2) expect(after.lastSequenceNumber, context).toBeGreaterThanOrEqual(target.m.lastSequenceNumber);
        expect(minSequenceNumbersHold(files, after), `${context}: a manifest's min sequence number exceeds a live file's`).toBe(true);
        if (formatVersion >= 3) {
          const rowIds = liveEntries(files, after).map((e) => e.dataFile.firstRowId);
          expect(new Set(rowIds).size, context).toBe(rowIds.length);
        }
        merged++;
        if (!source.appendOnly) mergedRewrites++;
      } catch (err) {
        if (!(err instanceof IcebergMergeConflict)) throw new Error(`${context}: ${String(err)}`);
        expect(source.appendOnly, `${context}: refused an append-only source: ${err.message}`).toBe(false);
        refused++;
      }
    }
    // Both outcomes occur: the generator is not degenerate.
    expect(merged).toBeGreaterThan(CASES / 2);
    expect(refused).toBeGreaterThan(0);
    // Sources that deleted, overwrote or compacted are merged too when the target allows it.
    expect(mergedRewrites).toBeGreaterThan(0);
  }, 120_000);
});
