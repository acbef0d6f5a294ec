/**
 * Store benchmarks; prints one line per number. Run with `npm run bench:store`, which starts a
 * throwaway PostgreSQL; without LAKECAT_TEST_PG_URL the benchmarks run on in-memory PGlite.
 * BENCH_LONG_HISTORY (default 100000) sets the long history of the key-read benchmark;
 * BENCH_MERGE_HISTORY (default 20) the earlier snapshots of each table in the Iceberg-level merge.
 */
import { branchCreation, keyReadAtHead } from './branch-and-read.js';
import { commitThroughput } from './commit-throughput.js';
import { icebergMergeOfAppendedTables } from './iceberg-merge-bench.js';
import { mergeBaseAfterDivergence, mergeChangedTables } from './merge-bench.js';
import { bytesPerCommit } from './space.js';

const pgUrl = process.env.LAKECAT_TEST_PG_URL;
const longHistory = Number(process.env.BENCH_LONG_HISTORY ?? 100_000);
const mergeHistory = Number(process.env.BENCH_MERGE_HISTORY ?? 20);
const only = process.argv[2];

const benches: [string, () => Promise<string | string[]>][] = [
  ['branch', () => branchCreation(pgUrl)],
  ['throughput', () => commitThroughput(pgUrl, 16, 10)],
  ['merge', () => mergeChangedTables(pgUrl)],
  ['mergebase', () => mergeBaseAfterDivergence(pgUrl)],
  ['iceberg-merge', () => icebergMergeOfAppendedTables(pgUrl, 1000, mergeHistory)],
  ['space', () => bytesPerCommit(pgUrl)],
  ['read', () => keyReadAtHead(pgUrl, longHistory)],
];

for (const [name, run] of benches) {
  if (only && only !== name) continue;
  const lines = await run();
  for (const l of [lines].flat()) console.log(l);
}
