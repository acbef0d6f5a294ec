/**
 * Resolving reference expressions (refs/expression.ts) to commits, for every API. Reads are
 * authorized here, once a reference or commit is known.
 */
import type { Actor } from '../context.js';
import type { CatalogDeps } from '../deps.js';
import { BadRequestError, NotFoundError, ReadOnlyReferenceError } from '../errors.js';
import { NO_ANCESTOR_HASH, type ReferenceType } from '../model.js';
import { parseHashSpec, parseRefExpression, type RefExpression, type RelativePart } from './expression.js';

export interface ResolvedRef {
  /** The named reference; absent for a detached commit. */
  name?: string;
  type?: ReferenceType;
  /** The head of the named reference when it was read. */
  head?: string;
  /** The commit the expression points at. */
  hash: string;
  /** True when the expression carried an absolute hash (a compare-and-swap expectation for writes). */
  explicitHash: boolean;
  /** Set when the expression names a branch at its head: the only state that can be written. */
  branch?: string;
  /** How the reference was written, for messages. */
  label: string;
}

export interface ResolveOptions {
  /**
   * An explicit hash must be reachable from the named reference's head (Nessie checks this for
   * reads; the Iceberg prefix `name@hash` only requires both to exist).
   */
  checkOnRef?: boolean;
}

/** Resolves an expression (text, or already parsed) to a commit, and authorizes reading it. */
export async function resolveRef(
  deps: CatalogDeps,
  actor: Actor,
  expr: string | RefExpression,
  opts: ResolveOptions = {},
): Promise<ResolvedRef> {
  const parsed = typeof expr === 'string' ? parseRefExpression(expr, deps.store.defaultBranch) : expr;
  const name = parsed.detached ? undefined : (parsed.name ?? deps.store.defaultBranch);
  const resolved = await locateRef(deps, { name, hash: parsed.hash, relative: parsed.relative }, opts);
  await deps.authorizer?.authorize(actor, { kind: 'read', ref: resolved.name, hash: resolved.hash });
  return { ...resolved, label: parsed.text };
}

/** The state a write goes to, or a clear error for tags, commits and points in time. */
export function writableBranch(ref: ResolvedRef): string {
  if (ref.branch === undefined) {
    throw new ReadOnlyReferenceError(`Reference '${ref.label}' is read-only: only the head of a branch can be changed`);
  }
  return ref.branch;
}

/**
 * A branch with the hash the client read it at (`branch@hash`), as Nessie's write endpoints take
 * their target: the hash is the compare-and-swap expectation. `what` names the target in messages.
 */
export async function resolveBranchAt(deps: CatalogDeps, text: string, what: string): Promise<{ name: string; hash: string; head: string }> {
  const parsed = parseRefExpression(text, deps.store.defaultBranch);
  if (parsed.name === undefined) throw new BadRequestError(`${what} must be a branch.`);
  if (parsed.hash === undefined) {
    throw new BadRequestError(parsed.relative.length > 0 ? 'Expected hash must contain a starting commit ID.' : 'Expected hash must be provided.');
  }
  const resolved = await locateRef(deps, parsed, {});
  if (resolved.type !== 'BRANCH') throw new BadRequestError(`${what} must be a branch.`);
  return { name: parsed.name, hash: resolved.hash, head: resolved.head as string };
}

/**
 * A reference named and hashed separately, as in Nessie request bodies (`{name, hash}`, the
 * merge source's `fromRefName` and `fromHash`): `hash` may carry relative parts; without a name
 * the hash is required (`what` names it in messages). Reading the commit is authorized.
 */
export async function resolveNamedHash(
  deps: CatalogDeps,
  actor: Actor,
  name: string | undefined,
  hashSpec: string | undefined,
  what: string,
  opts: ResolveOptions = {},
): Promise<ResolvedRef> {
  const spec = hashSpec ? parseHashSpec(hashSpec, what) : { hash: undefined, relative: [] as RelativePart[] };
  if (name === undefined && spec.hash === undefined) throw new BadRequestError(`${what} must contain a starting commit ID.`);
  const resolved = await locateRef(deps, { name, hash: spec.hash, relative: spec.relative }, opts);
  await deps.authorizer?.authorize(actor, { kind: 'read', ref: resolved.name, hash: resolved.hash });
  return { ...resolved, label: `${name ?? ''}${hashSpec ? `@${hashSpec}` : ''}` };
}

/**
 * Resolves a reference given as parts, WITHOUT authorizing a read: for callers that authorize
 * what they do with it (the expected hash of a reference about to be moved, checked at the
 * gate). Not part of the catalog's public surface.
 */
export async function locateRef(
  deps: CatalogDeps,
  ref: { name?: string; hash?: string; relative: RelativePart[] },
  opts: ResolveOptions,
): Promise<Omit<ResolvedRef, 'label'>> {
  const { store } = deps;
  let head: string | undefined;
  let type: ReferenceType | undefined;
  if (ref.name !== undefined) {
    const r = await store.getReference(ref.name);
    head = r.hash;
    type = r.type;
  } else if (ref.hash === undefined) {
    throw new BadRequestError('Hash must contain a starting commit ID.');
  }
  let hash = head as string;
  if (ref.hash !== undefined) {
    hash = await fullHash(deps, ref.hash);
    if (opts.checkOnRef && ref.name !== undefined && hash !== head && !(await isAncestor(deps, hash, head as string))) {
      throw new NotFoundError(`Could not find commit '${ref.hash}' in reference '${ref.name}'.`, 'reference');
    }
  }
  hash = await applyRelative(deps, hash, ref.relative);
  const atHead = ref.name !== undefined && ref.hash === undefined && ref.relative.length === 0;
  if (!atHead && hash !== head) await refuseExpired(deps, hash, ref.hash ?? hash);
  return {
    name: ref.name,
    type,
    head,
    hash,
    explicitHash: ref.hash !== undefined,
    ...(atHead && type === 'BRANCH' ? { branch: ref.name } : {}),
  };
}

/**
 * A commit garbage collection put outside every reference's retention may have lost its files:
 * reading it by hash or pointing a reference at it is refused, as for a commit that is gone.
 */
async function refuseExpired(deps: CatalogDeps, hash: string, asGiven: string): Promise<void> {
  const expired = await deps.store.gc?.isExpired(hash);
  if (expired) {
    throw new NotFoundError(
      `Commit '${asGiven}' is outside the retention of every reference: garbage collection (run ${expired.runId}, ${new Date(expired.expiredAtMs).toISOString()}) may have deleted its files, so it can no longer be read or referenced`,
      'reference',
    );
  }
}

/** Expands an abbreviated hash and checks that the commit exists. */
async function fullHash(deps: CatalogDeps, hash: string): Promise<string> {
  if (hash === NO_ANCESTOR_HASH) return hash;
  return (await deps.store.getCommit(hash)).hash;
}

async function isAncestor(deps: CatalogDeps, candidate: string, head: string): Promise<boolean> {
  if (candidate === NO_ANCESTOR_HASH) return true;
  return (await deps.store.mergeBase(candidate, head)) === candidate;
}

/** Applies relative parts left to right; each is one store query. */
async function applyRelative(deps: CatalogDeps, start: string, parts: RelativePart[]): Promise<string> {
  const { store } = deps;
  let hash = start;
  for (const part of parts) {
    switch (part.kind) {
      case 'ancestor':
        if (part.n > 0) hash = await store.ancestor(hash, part.n);
        break;
      case 'parent': {
        if (part.n === 0) break;
        const commit = await store.getCommit(hash);
        const parent = part.n === 1 ? commit.parentHash : part.n === 2 ? commit.mergeParentHash : null;
        if (parent === null) throw new NotFoundError(`Commit '${hash}' has no parent number ${part.n}`, 'commit');
        hash = parent;
        break;
      }
      case 'time':
        hash = await store.commitAtTime(hash, part.ms);
        break;
      default: {
        const never: never = part;
        throw new Error(`unhandled relative part ${String(never)}`);
      }
    }
  }
  return hash;
}

/**
 * A hash spec (`hash`, `hash~N`, or only relative parts, which then apply to `start`), as in
 * `limit-hash` and `hashesToTransplant`. `what` names it in messages. Not authorized: the
 * caller authorizes the read or write it belongs to.
 */
export async function resolveHashSpec(deps: CatalogDeps, text: string, what: string, start?: string): Promise<string> {
  const spec = parseHashSpec(text, what);
  if (spec.hash === undefined && start === undefined) throw new BadRequestError(`${what} must contain a starting commit ID.`);
  const base = spec.hash !== undefined ? await fullHash(deps, spec.hash) : (start as string);
  return applyRelative(deps, base, spec.relative);
}
