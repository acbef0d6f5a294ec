/**
 * THE write gate: every change of a reference head, whichever API it came through (table,
 * view and namespace verbs, Nessie commits, merges, transplants, and creating, assigning or
 * deleting a reference), passes `throughGate` in this file, and no other module calls the
 * store's mutators (scripts/check-layers.mjs enforces it). Access control and protected-branch
 * rules plug in here through `deps.authorizer`; an audit record would be written here too.
 */
import type { Action, Actor } from './context.js';
import { commitAuthor } from './context.js';
import type { CatalogDeps } from './deps.js';
import { CommitFailedError } from '../iceberg/errors.js';
import { ConflictError, ReferenceConflictError, StoreUnavailableError } from './errors.js';
import type { CommitMeta, CommitOperation, CommitResult, MergeResult, Reference, ReferenceType } from './model.js';
import type { MergeRequest, TransplantRequest } from './store/port.js';

/** Authorizes `action` for `actor`, then applies it. */
async function throughGate<T>(deps: CatalogDeps, actor: Actor, action: Action, apply: () => Promise<T>): Promise<T> {
  await deps.authorizer?.authorize(actor, action);
  return apply();
}

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
 * A plan with no operations is a no-op and commits nothing. Each attempt is authorized with the
 * keys it is about to change.
 */
export async function writeOnBranch<T>(
  deps: CatalogDeps,
  actor: Actor,
  branch: string,
  plan: (headHash: string) => Promise<WritePlan<T>>,
): Promise<{ result: T; commit?: CommitResult }> {
  for (let attempt = 0; ; attempt++) {
    const head = await deps.store.getReference(branch);
    const p = await plan(head.hash);
    if (p.operations.length === 0) return { result: p.result };
    try {
      const meta = { author: commitAuthor(actor), message: actor.message ?? p.message, commitTimeMs: deps.now() };
      const action: Action = { kind: 'commit', branch, keys: p.operations.map((op) => op.key) };
      const commit = await throughGate(deps, actor, action, () => deps.store.commit(branch, head.hash, meta, p.operations));
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

/**
 * Commits operations planned by the client against `expectedHash` (Nessie commits): one store
 * call, which rebases over concurrent commits to other keys and fails on a touched key.
 */
export function commitOnBranch(
  deps: CatalogDeps,
  actor: Actor,
  branch: string,
  expectedHash: string,
  meta: CommitMeta,
  operations: CommitOperation[],
): Promise<CommitResult> {
  const action: Action = { kind: 'commit', branch, keys: operations.map((op) => op.key) };
  return throughGate(deps, actor, action, () => deps.store.commit(branch, expectedHash, meta, operations));
}

export function mergeOnBranch(deps: CatalogDeps, actor: Actor, req: MergeRequest): Promise<MergeResult> {
  const action: Action = { kind: 'merge', branch: req.toBranch, source: req.fromRefName ?? req.fromHash };
  return throughGate(deps, actor, action, () => deps.store.merge(req));
}

export function transplantOnBranch(deps: CatalogDeps, actor: Actor, req: TransplantRequest): Promise<MergeResult> {
  const action: Action = { kind: 'transplant', branch: req.toBranch, source: req.fromRefName ?? req.hashes.join(',') };
  return throughGate(deps, actor, action, () => deps.store.transplant(req));
}

export function createReferenceAt(deps: CatalogDeps, actor: Actor, name: string, type: ReferenceType, hash: string): Promise<Reference> {
  return throughGate(deps, actor, { kind: 'create-reference', name, type }, () => deps.store.createReference(name, type, hash));
}

/** Moves a reference by compare-and-swap from `expectedHash` to `newHash`. */
export function assignReferenceTo(
  deps: CatalogDeps,
  actor: Actor,
  name: string,
  type: ReferenceType,
  expectedHash: string,
  newHash: string,
): Promise<Reference> {
  return throughGate(deps, actor, { kind: 'assign-reference', name, type }, () =>
    deps.store.assignReference(name, type, expectedHash, newHash),
  );
}

export function deleteReferenceAt(deps: CatalogDeps, actor: Actor, name: string, type: ReferenceType, expectedHash: string): Promise<void> {
  return throughGate(deps, actor, { kind: 'delete-reference', name, type }, () => deps.store.deleteReference(name, type, expectedHash));
}

export async function deleteQuietly(deps: CatalogDeps, files: string[] | undefined): Promise<void> {
  if (!files) return;
  await Promise.all(files.map((f) => deps.objects.delete(f).catch(() => undefined)));
}
