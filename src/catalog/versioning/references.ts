/**
 * Branches and tags: list, get (with the head commit and ahead/behind the default branch),
 * create, assign (move by compare-and-swap) and delete. Changes go through the write gate.
 */
import { assignReferenceTo, createReferenceAt, deleteReferenceAt } from '../branch-write.js';
import type { Actor } from '../context.js';
import type { CatalogDeps } from '../deps.js';
import { BadRequestError } from '../errors.js';
import { NO_ANCESTOR_HASH, type Commit, type Reference, type ReferenceType } from '../model.js';
import { parseRefExpression } from '../refs/expression.js';
import { checkNewRefName } from '../refs/names.js';
import { locateRef, resolveNamedHash, resolveRef } from '../refs/resolve.js';

/** Counting commits ahead/behind stops here (the answer is then left out). */
const COUNT_CAP = 10_000;

/** Every reference the actor may read, ordered by name. */
export async function listReferences(deps: CatalogDeps, actor: Actor): Promise<Reference[]> {
  const refs = await deps.store.listReferences();
  const readable = await deps.authorizer?.refFilter?.(actor);
  return refs.filter((r) => !readable || readable(r.name)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** A reference by name (`-` is the default branch); a hash or relative part is refused. */
export async function getReference(deps: CatalogDeps, actor: Actor, text: string): Promise<Reference> {
  const parsed = parseRefExpression(text, deps.store.defaultBranch);
  if (parsed.name === undefined || parsed.hash !== undefined || parsed.relative.length > 0) {
    throw new BadRequestError('Hashes are not allowed when fetching a reference by name');
  }
  const ref = await deps.store.getReference(parsed.name);
  await deps.authorizer?.authorize(actor, { kind: 'read', ref: ref.name, hash: ref.hash });
  return ref;
}

export interface ReferenceDetails {
  /** Absent while the reference points at the empty catalog. */
  head?: Commit;
  /** For branches, relative to the default branch (when it is given). */
  commonAncestor?: string;
  /** Absent when more than 10,000. */
  ahead?: number;
  behind?: number;
}

/** The head commit of `ref`, and for a branch how far it is ahead of and behind `base` (the default branch). */
export async function describeReference(deps: CatalogDeps, _actor: Actor, ref: Reference, base: Reference | undefined): Promise<ReferenceDetails> {
  const { store } = deps;
  if (ref.hash === NO_ANCESTOR_HASH) return {};
  const details: ReferenceDetails = { head: await store.getCommit(ref.hash) };
  if (ref.type === 'BRANCH' && base !== undefined) {
    const ancestor = await store.mergeBase(base.hash, ref.hash);
    details.commonAncestor = ancestor;
    details.ahead = await countUntil(deps, ref.hash, ancestor);
    details.behind = await countUntil(deps, base.hash, ancestor);
  }
  return details;
}

async function countUntil(deps: CatalogDeps, from: string, base: string): Promise<number | undefined> {
  if (from === base) return 0;
  let n = 0;
  let pageToken: string | undefined;
  do {
    const page = await deps.store.log(from, { pageToken, pageSize: 500, untilHash: base });
    for (const commit of page.items) {
      if (commit.hash === base) return n;
      if (++n > COUNT_CAP) return undefined;
    }
    pageToken = page.nextPageToken;
  } while (pageToken !== undefined);
  return n;
}

/** Where a new or moved reference points: a named reference (with an optional hash spec) or a detached hash. */
export interface ReferenceTarget {
  type?: ReferenceType | 'DETACHED';
  name?: string;
  /** A hash with optional relative parts (`~N`, `^N`, `*T`). */
  hash?: string;
}

/** The commit a target points at; no target is the default branch's head. A named target's hash must be on it. */
async function resolveTarget(deps: CatalogDeps, actor: Actor, target: ReferenceTarget | undefined): Promise<string> {
  if (target === undefined) return (await resolveRef(deps, actor, '-')).hash;
  const detached = target.type === 'DETACHED' || target.name === undefined;
  if (detached && !target.hash) throw new BadRequestError('Target hash must be provided.');
  return (await resolveNamedHash(deps, actor, detached ? undefined : target.name, target.hash, 'Target hash', { checkOnRef: true })).hash;
}

export async function createReference(
  deps: CatalogDeps,
  actor: Actor,
  name: string | undefined,
  type: ReferenceType | undefined,
  source: ReferenceTarget | undefined,
): Promise<Reference> {
  const checked = checkNewRefName(name);
  if (type === undefined) throw new BadRequestError('Mandatory reference type missing');
  const hash = await resolveTarget(deps, actor, source);
  return createReferenceAt(deps, actor, checked, type, hash);
}

/** `name@hash` of a reference to change; the hash is the compare-and-swap expectation. */
async function expectedHead(deps: CatalogDeps, text: string, type: ReferenceType | undefined) {
  const parsed = parseRefExpression(text, deps.store.defaultBranch);
  if (parsed.name === undefined) throw new BadRequestError('Assignment target must be a branch or a tag.');
  if (parsed.hash === undefined) {
    throw new BadRequestError(parsed.relative.length > 0 ? 'Expected hash must contain a starting commit ID.' : 'Expected hash must be provided.');
  }
  // Not a read: moving or deleting the reference is what the gate authorizes.
  const ref = await locateRef(deps, parsed, {});
  if (type !== undefined && ref.type !== type) {
    throw new BadRequestError(`Expected reference type ${type} does not match existing reference ${ref.type} ${parsed.name}`);
  }
  return { name: parsed.name, type: ref.type as ReferenceType, expected: ref.hash };
}

/** Moves `name@expectedHash` to `target`. */
export async function assignReference(
  deps: CatalogDeps,
  actor: Actor,
  refText: string,
  type: ReferenceType | undefined,
  target: ReferenceTarget | undefined,
): Promise<Reference> {
  const { name, type: actual, expected } = await expectedHead(deps, refText, type);
  if (target === undefined) throw new BadRequestError('The reference to assign to must be given in the request body');
  const hash = await resolveTarget(deps, actor, target);
  return assignReferenceTo(deps, actor, name, actual, expected, hash);
}

/** Deletes `name@expectedHash`; the default branch cannot be deleted. Returns the deleted reference. */
export async function deleteReference(deps: CatalogDeps, actor: Actor, refText: string, type: ReferenceType | undefined): Promise<Reference> {
  const { name, type: actual, expected } = await expectedHead(deps, refText, type);
  await deleteReferenceAt(deps, actor, name, actual, expected);
  return { name, type: actual, hash: expected };
}
