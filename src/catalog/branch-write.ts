import type { Actor, CatalogDeps } from './deps.js';
import { CommitFailedError } from '../iceberg/errors.js';
import { ConflictError, ReferenceConflictError, StoreUnavailableError } from './errors.js';
import type { CommitOperation, CommitResult } from './store/port.js';

/** One attempt at a write: what to commit, and what to undo if the commit definitely failed. */
export interface WritePlan<T> {
  operations: CommitOperation[];
  message: string;
  result: T;
  /** Object-store files written for this attempt; deleted when the attempt does not land. */
  writtenFiles?: string[];
}

/**
 * Runs read -> plan -> commit on a branch, retrying from a fresh read when a concurrent commit
 * touched the same keys (the plan re-checks its preconditions on the new state each time).
 * A plan with no operations is a no-op and commits nothing.
 */
export async function writeOnBranch<T>(
  deps: CatalogDeps,
  branch: string,
  actor: Actor,
  plan: (headHash: string) => Promise<WritePlan<T>>,
): Promise<{ result: T; commit?: CommitResult }> {
  for (let attempt = 0; ; attempt++) {
    const head = await deps.store.getReference(branch);
    const p = await plan(head.hash);
    if (p.operations.length === 0) return { result: p.result };
    try {
      const commit = await deps.store.commit(
        branch,
        head.hash,
        { author: actor.author, message: actor.message ?? p.message, commitTimeMs: deps.now() },
        p.operations,
      );
      return { result: p.result, commit };
    } catch (err) {
      const lostRace = err instanceof ConflictError || err instanceof ReferenceConflictError;
      if (lostRace && attempt < deps.commitRetries) {
        // The attempt definitely did not land and the retry writes files of its own: the
        // clean-up need not delay it (this is the common path of a busy table).
        void deleteQuietly(deps, p.writtenFiles);
      } else if (!(err instanceof StoreUnavailableError)) {
        // An unknown outcome may have landed: keep its files, they may be referenced now.
        await deleteQuietly(deps, p.writtenFiles);
      }
      if (!lostRace) throw err;
      if (attempt >= deps.commitRetries) {
        throw new CommitFailedError(
          `Commit failed: concurrent changes to the same objects on branch '${branch}' after ${attempt + 1} attempts`,
        );
      }
      // Each lost race means another commit landed; a little jitter spreads the retries out.
      await new Promise((r) => setTimeout(r, Math.random() * Math.min(50, 2 ** attempt)));
    }
  }
}

export async function deleteQuietly(deps: CatalogDeps, files: string[] | undefined): Promise<void> {
  if (!files) return;
  await Promise.all(files.map((f) => deps.objects.delete(f).catch(() => undefined)));
}
