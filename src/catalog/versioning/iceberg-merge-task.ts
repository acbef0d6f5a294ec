/**
 * The CPU-bound part of merging one table at the Iceberg level: parse the three metadata
 * documents, rebase (src/iceberg/merge), apply the updates and serialise the merged metadata.
 * It reads manifests through `io` and writes nothing: the caller writes the files and the
 * metadata, and decides the metadata's location and the catalog entry.
 */
import { randomBytes } from 'node:crypto';
import { IcebergMergeConflict } from '../../iceberg/merge/conflicts.js';
import { rebaseTable, type FileToWrite } from '../../iceberg/merge/rebase.js';
import { ValidationError } from '../../iceberg/errors.js';
import { InvalidAvroFileError } from '../../iceberg/manifest/index.js';
import type { TableMetadata } from '../../iceberg/model.js';
import { applyUpdates } from '../../iceberg/table-metadata-builder.js';
import { parseTableMetadata, serializeTableMetadata } from '../../iceberg/table-metadata-json.js';
import { metadataFolder } from '../metadata-files.js';

/** One table to merge: the metadata documents of the three sides and what the new files are named after. */
export interface MergeTask {
  base: { location: string; text: string };
  target: { location: string; text: string };
  source: { location: string; text: string };
  /** A prefix of the new files' names unique to this attempt (they go to the target's metadata folder). */
  runId: string;
  nowMs: number;
  /** Provenance keys of every replayed snapshot's summary. */
  summary: Record<string, string>;
  isolation?: 'snapshot';
}

export type MergeTaskResult =
  | { kind: 'keep-target' }
  | {
      kind: 'rebased';
      /** Manifests and manifest lists, to be written before the metadata. */
      files: FileToWrite[];
      /** The merged metadata, and its metadata.json text. */
      metadata: TableMetadata;
      text: string;
      /** The source snapshots replayed, oldest first. */
      replayed: bigint[];
    }
  | { kind: 'refused'; conflictType: string; message: string; hint?: string; sourceSnapshotId?: bigint };

/** A read the storage refused: the file is gone, or outside what the catalog may read. */
export class UnreadableTableFile extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnreadableTableFile';
  }
}

export interface MergeTaskIo {
  /** The file's bytes; throws UnreadableTableFile when it is missing or out of reach. */
  read(location: string): Promise<Uint8Array>;
}

/** A positive 63-bit snapshot id, random as Iceberg's. */
function newSnapshotId(): bigint {
  return randomBytes(8).readBigUInt64BE() & 0x7fff_ffff_ffff_ffffn || 1n;
}

const HISTORY_HINT = 'merge this key with FORCE (take the source) or DROP (keep the target)';

/**
 * Merges one table. `parse` turns a metadata document into metadata (the main thread passes its
 * cache's lookup; a worker parses). Anything but a refusal the merge can explain is thrown.
 */
export async function runMergeTask(
  task: MergeTask,
  io: MergeTaskIo,
  parse: (location: string, text: string) => TableMetadata = (_location, text) => parseTableMetadata(text),
): Promise<MergeTaskResult> {
  let base: TableMetadata;
  let target: TableMetadata;
  let source: TableMetadata;
  try {
    [base, target, source] = [parse(task.base.location, task.base.text), parse(task.target.location, task.target.text), parse(task.source.location, task.source.text)];
  } catch {
    return { kind: 'refused', conflictType: 'HISTORY_UNAVAILABLE', message: 'its metadata could not be read', hint: HISTORY_HINT };
  }
  const metadataDir = metadataFolder(target.location, target.properties);
  try {
    const rebased = await rebaseTable({
      base,
      target,
      source,
      io,
      newSnapshotId,
      newFileLocation: (name) => `${metadataDir}/${task.runId}-${name}`,
      nowMs: task.nowMs,
      summary: task.summary,
      ...(task.isolation ? { isolation: task.isolation } : {}),
    });
    if (rebased.kind === 'keep-target') return { kind: 'keep-target' };
    const { metadata } = applyUpdates(target, rebased.updates, { nowMs: task.nowMs, previousMetadataLocation: task.target.location });
    return {
      kind: 'rebased',
      files: rebased.files,
      metadata,
      text: serializeTableMetadata(metadata),
      replayed: rebased.replayed.map((r) => r.source),
    };
  } catch (err) {
    if (err instanceof IcebergMergeConflict) {
      const c = err.conflict;
      return { kind: 'refused', conflictType: c.type, message: c.message, ...(c.hint ? { hint: c.hint } : {}), ...(c.sourceSnapshotId !== undefined ? { sourceSnapshotId: c.sourceSnapshotId } : {}) };
    }
    // A manifest that is gone (expired, or never written) or out of reach: not mergeable here.
    if (err instanceof UnreadableTableFile) return { kind: 'refused', conflictType: 'HISTORY_UNAVAILABLE', message: err.message, hint: HISTORY_HINT };
    if (err instanceof InvalidAvroFileError || err instanceof ValidationError) return { kind: 'refused', conflictType: 'UNSUPPORTED_CHANGE', message: err.message };
    throw err;
  }
}
