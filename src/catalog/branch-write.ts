/**
 * THE write gate: every change of a reference head, whichever API it came through (table,
 * view and namespace verbs, Nessie commits, merges, transplants, and creating, assigning or
 * deleting a reference), passes `throughGate` in this file, and no other module calls the
 * store's mutators (scripts/check-layers.mjs enforces it). Here the authorizer decides, before
 * anything is written, and every change that lands is recorded in the audit log.
 */
import type { Action, Actor, Decision } from './context.js';
import { commitAuthor, namespaceOf } from './context.js';
import type { CatalogDeps } from './deps.js';
import { CommitFailedError } from '../iceberg/errors.js';
import { CatalogError, ConflictError, ReferenceConflictError, StoreUnavailableError } from './errors.js';
import { keyToString, type CommitMeta, type CommitOperation, type CommitResult, type ContentKey, type ContentType, type MergeResult, type Reference, type ReferenceType } from './model.js';
import type { MergeRequest, TransplantRequest } from './store/port.js';
import { auditPrincipal } from './access/audit.js';
import { mergeWithIcebergTables } from './versioning/iceberg-merge.js';

/** Authorizes `action` for `actor`, applies it, and records what landed. */
async function throughGate<T>(deps: CatalogDeps, actor: Actor, action: Action, apply: (decision: Decision) => Promise<T>, landed: (result: T) => string): Promise<T> {
  const decision = (await deps.authorizer?.authorize(actor, action)) ?? {};
  const result = await apply(decision);
  const detail = deps.audit ? landed(result) : '';
  if (deps.audit && detail !== '') {
    deps.audit({
      atMs: deps.now(),
      principal: auditPrincipal(actor.principal),
      operation: action.kind,
      ref: 'branch' in action ? action.branch : 'name' in action ? action.name : undefined,
      namespaces: action.kind === 'commit' ? [...new Set(action.namespaces.map((n) => n.join('.')))] : [],
      decision: 'allow',
      detail,
    });
  }
  return result;
}

/** A key a write declares it may change, with its kind (which decides the namespace its access is checked in). */
export interface WriteTarget {
  key: ContentKey;
  type: ContentType;
}

/** One attempt at a write: what to commit, and what to undo if the commit definitely failed. */
export interface WritePlan<T> {
  operations: CommitOperation[];
  message: string;
  result: T;
  /** Object-store files written for this attempt; deleted when the attempt does not land. */
  writtenFiles?: string[];
}

function commitAction(branch: string, targets: WriteTarget[], via: 'catalog' | 'nessie'): Action {
  const seen = new Map<string, string[]>();
  for (const t of targets) {
    const ns = namespaceOf(t.key, t.type);
    seen.set(ns.join('\u0000'), ns);
  }
  return { kind: 'commit', branch, namespaces: [...seen.values()], via };
}

/**
 * Runs read -> plan -> commit on a branch, retrying from a fresh read when a concurrent commit
 * touched the same keys (the plan re-checks its preconditions on the new state each time).
 * `targets` are the keys the plan may change: authorized once, before any attempt writes a
 * file. A plan with no operations is a no-op and commits nothing.
 */
export async function writeOnBranch<T>(
  deps: CatalogDeps,
  actor: Actor,
  branch: string,
  targets: WriteTarget[],
  plan: (headHash: string) => Promise<WritePlan<T>>,
): Promise<{ result: T; commit?: CommitResult }> {
  await deps.authorizer?.authorize(actor, commitAction(branch, targets, 'catalog'));
  const declared = new Set(targets.map((t) => keyToString(t.key)));
  for (let attempt = 0; ; attempt++) {
    const head = await deps.store.getReference(branch);
    const p = await plan(head.hash);
    if (p.operations.length === 0) return { result: p.result };
    const undeclared = p.operations.find((op) => !declared.has(keyToString(op.key)));
    if (undeclared) {
      await deleteQuietly(deps, p.writtenFiles);
      throw new Error(`internal: a write to ${branch} changes ${undeclared.key.join('.')}, which it did not declare`);
    }
    try {
      const meta = { author: commitAuthor(actor), message: actor.message ?? p.message, commitTimeMs: deps.now() };
      const commit = await deps.store.commit(branch, head.hash, meta, p.operations);
      audit(deps, actor, 'commit', branch, targets, `${p.message} -> ${commit.hash}`);
      return { result: p.result, commit };
    } catch (err) {
      const lostRace = err instanceof ConflictError || err instanceof ReferenceConflictError;
      if (lostRace && attempt < deps.commitRetries) {
        // The attempt definitely did not land and the retry writes files of its own: the
        // clean-up need not delay it (this is the common path of a busy table).
        void deleteQuietly(deps, p.writtenFiles);
      } else if (err instanceof CatalogError && !(err instanceof StoreUnavailableError)) {
        // A definite refusal: nothing references the files. Anything else (the database went
        // away, or failed in a way not recognised) may have landed: keep its files, they may be
        // referenced now.
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

function audit(deps: CatalogDeps, actor: Actor, operation: string, ref: string, targets: WriteTarget[], detail: string): void {
  deps.audit?.({
    atMs: deps.now(),
    principal: auditPrincipal(actor.principal),
    operation,
    ref,
    namespaces: [...new Set(targets.map((t) => namespaceOf(t.key, t.type).join('.')))],
    decision: 'allow',
    detail,
  });
}

/**
 * Commits operations planned by the client against `expectedHash` (Nessie commits): one store
 * call, which rebases over concurrent commits to other keys and fails on a touched key.
 * `types` gives the kind of each deleted key (a put carries its own).
 */
export function commitOnBranch(
  deps: CatalogDeps,
  actor: Actor,
  branch: string,
  expectedHash: string,
  meta: CommitMeta,
  operations: CommitOperation[],
  types: Map<string, ContentType>,
): Promise<CommitResult> {
  const targets = operations.map((op) => ({ key: op.key, type: op.kind === 'put' ? op.content.type : (types.get(keyToString(op.key)) ?? 'ICEBERG_TABLE') }));
  return throughGate(
    deps,
    actor,
    commitAction(branch, targets, 'nessie'),
    () => deps.store.commit(branch, expectedHash, meta, operations),
    (c) => `${meta.message} -> ${c.hash}`,
  );
}

/** Merges under the gate: the authorizer checks the merge, then (during planning) every key it changes. */
export function mergeOnBranch(deps: CatalogDeps, actor: Actor, req: MergeRequest, targetHead: string): Promise<MergeResult> {
  const action: Action = { kind: 'merge', branch: req.toBranch, source: req.fromRefName, fromHash: req.fromHash, targetHead };
  return throughGate(
    deps,
    actor,
    action,
    async (decision) => {
      const checkKeys = await deps.authorizer?.writeFilter?.(actor, req.toBranch);
      const meta = decision.properties ? { ...req.meta, properties: { ...req.meta.properties, ...decision.properties } } : req.meta;
      const request = { ...req, meta, ...(checkKeys ? { checkKeys } : {}) };
      return deps.icebergMerge === false ? deps.store.merge(request) : mergeWithIcebergTables(deps, request, (r) => deps.store.merge(r));
    },
    (r) => (r.wasApplied ? `merged ${req.fromRefName ?? req.fromHash} at ${req.fromHash} -> ${r.resultantTargetHash}` : ''),
  );
}

export function transplantOnBranch(deps: CatalogDeps, actor: Actor, req: TransplantRequest): Promise<MergeResult> {
  const action: Action = { kind: 'transplant', branch: req.toBranch, source: req.fromRefName, hashes: req.hashes };
  return throughGate(
    deps,
    actor,
    action,
    async () => {
      const checkKeys = await deps.authorizer?.writeFilter?.(actor, req.toBranch);
      return deps.store.transplant({ ...req, ...(checkKeys ? { checkKeys } : {}) });
    },
    (r) => (r.wasApplied ? `transplanted ${req.hashes.length} commit(s) -> ${r.resultantTargetHash}` : ''),
  );
}

export function createReferenceAt(deps: CatalogDeps, actor: Actor, name: string, type: ReferenceType, hash: string): Promise<Reference> {
  return throughGate(
    deps,
    actor,
    { kind: 'create-reference', name, type },
    () => deps.store.createReference(name, type, hash),
    (r) => `created ${r.type.toLowerCase()} at ${r.hash}`,
  );
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
  return throughGate(
    deps,
    actor,
    { kind: 'assign-reference', name, type },
    () => deps.store.assignReference(name, type, expectedHash, newHash),
    (r) => `assigned from ${expectedHash} to ${r.hash}`,
  );
}

export function deleteReferenceAt(deps: CatalogDeps, actor: Actor, name: string, type: ReferenceType, expectedHash: string): Promise<void> {
  return throughGate(
    deps,
    actor,
    { kind: 'delete-reference', name, type },
    () => deps.store.deleteReference(name, type, expectedHash),
    () => `deleted at ${expectedHash}`,
  );
}

export async function deleteQuietly(deps: CatalogDeps, files: string[] | undefined): Promise<void> {
  if (!files) return;
  await Promise.all(files.map((f) => deps.objects.delete(f).catch(() => undefined)));
}
