/**
 * Merge and transplant: resolve the target (`branch@hash`) and the source, check the options,
 * pass the write gate, and shape the outcome. A conflict is a ConflictError listing each key,
 * or, when the caller asks for conflicts as a result, an unsuccessful MergeOutcome.
 */
import { mergeOnBranch, transplantOnBranch } from '../branch-write.js';
import type { Actor } from '../context.js';
import type { CatalogDeps } from '../deps.js';
import { BadRequestError, ConflictError } from '../errors.js';
import { keyToString, type ContentKey, type MergeBehavior, type MergeKeyDetail, type MergeResult } from '../model.js';
import { isValidRefName } from '../refs/names.js';
import { resolveBranchAt, resolveHashSpec, resolveNamedHash } from '../refs/resolve.js';
import { commitMeta, type CommitMetaInput } from './commit-meta.js';

/** Nessie's name for a source that is a bare commit rather than a branch or tag. */
export const DETACHED = 'DETACHED';

export interface MergeOptions {
  /** The target as `branch@hash`: the merge applies only if the branch did not move past what the caller saw. */
  target: string;
  /** The source reference, or DETACHED for a bare commit. */
  fromRefName: string | undefined;
  dryRun?: boolean;
  /** Return conflicts as an unsuccessful outcome instead of raising a ConflictError. */
  conflictsAsResult?: boolean;
  defaultBehavior?: MergeBehavior;
  /** Per-key behaviours; a key the merge does not touch is refused (a typo would otherwise do nothing). */
  keyBehaviors?: { key: ContentKey; behavior: MergeBehavior }[];
  /**
   * Tables merged NORMALly whose Iceberg-level merge validates under snapshot isolation instead of
   * their own isolation level (merges only; a key the merge does not touch is refused).
   */
  snapshotIsolationKeys?: ContentKey[];
}

export interface MergeInput extends MergeOptions {
  /** The source commit as a hash spec; the source reference's head when absent. */
  fromHash?: string;
  meta?: CommitMetaInput;
}

export interface TransplantInput extends MergeOptions {
  /** Commits to re-apply, oldest first, as hash specs. */
  hashes: string[];
  /** Replaces the message when exactly one commit is transplanted (as Nessie does). */
  message?: string;
}

export interface MergeOutcome extends MergeResult {
  targetBranch: string;
}

function checkSourceName(name: string | undefined): string {
  if (!name || !isValidRefName(name)) throw new BadRequestError(`Invalid fromRefName '${name ?? ''}'`);
  return name;
}

export async function mergeBranch(deps: CatalogDeps, actor: Actor, input: MergeInput): Promise<MergeOutcome> {
  const target = await resolveBranchAt(deps, input.target, 'Reference to merge into');
  const fromRefName = checkSourceName(input.fromRefName);
  const detached = fromRefName === DETACHED;
  if (detached && !input.fromHash) throw new BadRequestError('Source hash must contain a starting commit ID.');
  const from = await resolveNamedHash(deps, actor, detached ? undefined : fromRefName, input.fromHash, 'Source hash');
  const meta = commitMeta(actor, input.meta, `Merged ${fromRefName} at ${from.hash} into ${target.name} at ${target.hash}`);
  const keyBehaviors = withIsolationKeys(input);
  return outcome(deps, target, input, () =>
    mergeOnBranch(deps, actor, {
      fromHash: from.hash,
      fromRefName,
      toBranch: target.name,
      expectedHash: target.hash,
      meta,
      dryRun: input.dryRun,
      defaultMergeBehavior: input.defaultBehavior,
      keyMergeBehaviors: keyBehaviors,
      ...(input.snapshotIsolationKeys?.length ? { snapshotIsolationKeys: input.snapshotIsolationKeys } : {}),
    }, target.head),
  );
}

/**
 * The per-key behaviours, with each snapshot-isolation key as a NORMAL one: a key opted into
 * snapshot isolation is merged at the Iceberg level, which FORCE and DROP are not, and the store
 * refuses it, like any per-key behaviour, when the merge does not touch it.
 */
function withIsolationKeys(input: MergeOptions): MergeOptions['keyBehaviors'] {
  const keys = input.snapshotIsolationKeys ?? [];
  if (keys.length === 0) return input.keyBehaviors;
  const behaviors = [...(input.keyBehaviors ?? [])];
  for (const key of keys) {
    const given = behaviors.find((b) => keyToString(b.key) === keyToString(key));
    const effective = given?.behavior ?? input.defaultBehavior ?? 'NORMAL';
    if (effective !== 'NORMAL') {
      throw new BadRequestError(`Key '${key.join('.')}' is merged with ${effective}: snapshot isolation applies only to keys merged NORMALly (at the Iceberg level)`);
    }
    if (!given) behaviors.push({ key, behavior: 'NORMAL' });
  }
  return behaviors;
}

export async function transplantCommits(deps: CatalogDeps, actor: Actor, input: TransplantInput): Promise<MergeOutcome> {
  if (input.snapshotIsolationKeys?.length) throw new BadRequestError('Snapshot isolation per key applies to merges, not to transplants');
  const target = await resolveBranchAt(deps, input.target, 'Reference to transplant into');
  const fromRefName = checkSourceName(input.fromRefName);
  if (input.hashes.length === 0) throw new BadRequestError('No hashes given to transplant.');
  if (fromRefName !== DETACHED) await resolveNamedHash(deps, actor, fromRefName, undefined, 'Source reference');
  const hashes: string[] = [];
  for (const h of input.hashes) hashes.push(await resolveHashSpec(deps, h, 'Hash to transplant'));
  const meta = hashes.length === 1 && input.message ? { message: input.message } : undefined;
  const outcomeOf = await outcome(deps, target, input, () =>
    transplantOnBranch(deps, actor, {
      hashes,
      fromRefName,
      toBranch: target.name,
      expectedHash: target.hash,
      dryRun: input.dryRun,
      defaultMergeBehavior: input.defaultBehavior,
      keyMergeBehaviors: input.keyBehaviors,
      ...(meta ? { meta } : {}),
    }),
  );
  // Nessie reports no common ancestor for transplants.
  return { ...outcomeOf, commonAncestor: '' };
}

/** Runs a merge or transplant and decides between a result and a ConflictError. */
async function outcome(
  deps: CatalogDeps,
  target: { name: string; hash: string },
  opts: MergeOptions,
  run: () => Promise<MergeResult>,
): Promise<MergeOutcome> {
  let result: MergeResult;
  try {
    result = await run();
  } catch (err) {
    // A conflict the store found while applying (a key changed concurrently) reads like one it
    // found while planning, when the caller wants conflicts as a result.
    if (!(err instanceof ConflictError) || !opts.conflictsAsResult) throw err;
    const head = (await deps.store.getReference(target.name)).hash;
    result = {
      wasApplied: false,
      wasSuccessful: false,
      resultantTargetHash: head,
      commonAncestor: '',
      effectiveTargetHash: head,
      expectedHash: target.hash,
      details: err.conflicts.map((k) => ({
        key: k.key,
        behavior: 'NORMAL',
        conflict: { conflictType: mergeConflictType(k.conflictType), message: k.message },
        sourceContent: null,
        targetContent: null,
      })),
    };
  }
  if (!result.wasSuccessful && !opts.conflictsAsResult) {
    const conflicted = result.details.filter((d): d is MergeKeyDetail & { conflict: NonNullable<MergeKeyDetail['conflict']> } => d.conflict !== undefined);
    throw new ConflictError(
      `The following keys have been changed in conflict: ${conflicted.map((d) => `'${d.key.join('.')}'`).join(', ')}`,
      conflicted.map((d) => ({ key: d.key, conflictType: d.conflict.conflictType, message: d.conflict.message })),
    );
  }
  return { ...result, targetBranch: target.name };
}

function mergeConflictType(t: string): NonNullable<MergeKeyDetail['conflict']>['conflictType'] {
  return t === 'KEY_EXISTS' || t === 'KEY_DOES_NOT_EXIST' || t === 'VALUE_DIFFERS' ? t : 'UNKNOWN';
}
