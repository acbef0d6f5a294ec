/**
 * Nessie's reference syntax in URL paths: `name`, `name@hash`, `@hash` (detached), `-` (the
 * default branch), followed by any number of relative parts: `~N` (N-th first-parent
 * predecessor), `^N` (N-th parent: 1 = parent, 2 = merge parent), `*T` (the newest commit made
 * at or before T, ISO-8601 or epoch millis). Hashes may be abbreviated (8+ hex digits).
 */
import { NotFoundError } from '../../catalog/errors.js';
import { NO_ANCESTOR_HASH, type ReferenceType, type VersionStore } from '../../catalog/store/port.js';
import { NessieBadRequest, NessieHttpError } from './errors.js';

export type RelativePart = { kind: 'ancestor'; n: number } | { kind: 'parent'; n: number } | { kind: 'time'; ms: number };

export interface ParsedRef {
  /** Absent for a detached commit (`@hash`). */
  name?: string;
  hash?: string;
  relative: RelativePart[];
}

const NAME = '(?:[A-Za-z](?:(?:(?!\\.\\.)[A-Za-z0-9./_-])*[A-Za-z0-9_-])?|-)';
const HASH = '[0-9a-fA-F]{8,64}';
const TIME = '[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\\.[0-9]{1,9})?Z|[0-9]+';
const RELATIVE = `[~*^](?:${TIME})`;
const REF_PATH = new RegExp(`^(${NAME})?(?:@(${HASH})?)?((?:${RELATIVE})*)$`);
const HASH_SPEC = new RegExp(`^(${HASH})?((?:${RELATIVE})*)$`);
const RELATIVE_PART = new RegExp(`([~*^])(${TIME})`, 'g');
const REF_NAME = new RegExp(`^${NAME}$`);
const HEX_ONLY = /^[0-9a-fA-F]{8,64}$/;

export const REF_NAME_MESSAGE =
  "Reference name must start with a letter, followed by letters, digits, one of the ./_- characters, not end with a slash or dot, not contain '..'";

/** Parses a reference as written in a URL path; `-` and an empty name mean the default branch. */
export function parseRefPath(text: string, defaultBranch: string): ParsedRef {
  const m = REF_PATH.exec(text);
  if (!m || text === '') throw new NessieBadRequest(`${REF_NAME_MESSAGE} - but was: ${text}`);
  const [, rawName, hash, rel] = m;
  const detached = rawName === undefined && text.startsWith('@');
  const name = detached ? undefined : rawName === undefined || rawName === '-' ? defaultBranch : rawName;
  return { name, hash: hash?.toLowerCase(), relative: parseRelative(rel ?? '') };
}

/** Parses a hash with optional relative parts, as sent in `fromHash` and `hashesToTransplant`. */
export function parseHashSpec(text: string, what: string): { hash?: string; relative: RelativePart[] } {
  const m = HASH_SPEC.exec(text);
  if (!m || text === '') {
    throw new NessieBadRequest(
      `${what} must consist of either a valid commit hash, a valid relative part (~N, ^N or *timestamp), or both - but was: ${text}`,
    );
  }
  return { hash: m[1]?.toLowerCase(), relative: parseRelative(m[2] ?? '') };
}

function parseRelative(text: string): RelativePart[] {
  const parts: RelativePart[] = [];
  for (const [, op, value] of text.matchAll(RELATIVE_PART)) {
    if (op === '*') {
      const ms = /^[0-9]+$/.test(value) ? Number(value) : Date.parse(value);
      if (!Number.isFinite(ms)) throw new NessieBadRequest(`Invalid timestamp '${value}'`);
      parts.push({ kind: 'time', ms });
    } else {
      const n = Number(value);
      if (!Number.isSafeInteger(n)) throw new NessieBadRequest(`Invalid relative commit spec '${op}${value}'`);
      parts.push(op === '~' ? { kind: 'ancestor', n } : { kind: 'parent', n });
    }
  }
  return parts;
}

export function isValidRefName(name: string): boolean {
  return REF_NAME.test(name) && name !== '-';
}

/** Reference names Nessie forbids: HEAD, DETACHED and anything that reads as a commit hash. */
export function checkNewRefName(name: unknown): string {
  if (typeof name !== 'string' || !isValidRefName(name)) {
    throw new NessieBadRequest(`${REF_NAME_MESSAGE} - but was: ${String(name)}`);
  }
  if (name === 'HEAD' || name === 'DETACHED' || HEX_ONLY.test(name)) {
    throw new NessieBadRequest('Reference name must not be HEAD, DETACHED or a potential commit ID representation.');
  }
  return name;
}

export interface ResolvedRef {
  /** Absent for a detached commit. */
  name?: string;
  type?: ReferenceType;
  /** The current head of the named reference. */
  head?: string;
  /** The commit the reference spec points at. */
  hash: string;
  /** True when the spec carried an absolute hash (needed for compare-and-swap). */
  explicitHash: boolean;
}

/**
 * Resolves a parsed reference to a commit. With `checkOnRef`, an explicit hash must be reachable
 * from the named reference's head, as Nessie checks for reads.
 */
export async function resolveRef(store: VersionStore, ref: ParsedRef, opts: { checkOnRef?: boolean } = {}): Promise<ResolvedRef> {
  let head: string | undefined;
  let type: ReferenceType | undefined;
  if (ref.name !== undefined) {
    const r = await store.getReference(ref.name);
    head = r.hash;
    type = r.type;
  } else if (ref.hash === undefined) {
    throw new NessieBadRequest('Hash must contain a starting commit ID.');
  }
  let hash = head as string;
  if (ref.hash !== undefined) {
    hash = await fullHash(store, ref.hash);
    if (opts.checkOnRef && ref.name !== undefined && hash !== head && !(await isAncestor(store, hash, head as string))) {
      throw new NessieHttpError('REFERENCE_NOT_FOUND', `Could not find commit '${ref.hash}' in reference '${ref.name}'.`);
    }
  }
  hash = await applyRelative(store, hash, ref.relative, ref.hash === undefined ? ref.name : undefined);
  return { name: ref.name, type, head, hash, explicitHash: ref.hash !== undefined };
}

/** Expands an abbreviated hash and checks that the commit exists. */
export async function fullHash(store: VersionStore, hash: string): Promise<string> {
  if (hash === NO_ANCESTOR_HASH) return hash;
  try {
    return (await store.getCommit(hash)).hash;
  } catch (err) {
    if (err instanceof NotFoundError) throw new NessieHttpError('REFERENCE_NOT_FOUND', `Commit '${hash}' not found`);
    throw err;
  }
}

async function isAncestor(store: VersionStore, candidate: string, head: string): Promise<boolean> {
  if (candidate === NO_ANCESTOR_HASH) return true;
  return (await store.mergeBase(candidate, head)) === candidate;
}

/**
 * Applies relative parts left to right. `refName` is set when the walk starts at the head of
 * that reference, which lets the store answer a point-in-time lookup from its own index.
 */
export async function applyRelative(store: VersionStore, start: string, parts: RelativePart[], refName?: string): Promise<string> {
  let hash = start;
  let atHeadOf = refName;
  for (const part of parts) {
    switch (part.kind) {
      case 'ancestor':
        if (part.n > 0) hash = await store.ancestor(hash, part.n);
        break;
      case 'parent': {
        if (part.n === 0) break;
        const commit = await store.getCommit(hash);
        const parent = part.n === 1 ? commit.parentHash : part.n === 2 ? commit.mergeParentHash : null;
        if (parent === null) {
          throw new NessieHttpError('REFERENCE_NOT_FOUND', `Commit '${hash}' has no parent number ${part.n}`);
        }
        hash = parent;
        break;
      }
      case 'time':
        hash = atHeadOf !== undefined ? await store.hashAtTime(atHeadOf, part.ms) : await commitAtTime(store, hash, part.ms);
        break;
      default: {
        const never: never = part;
        throw new Error(`unhandled relative part ${String(never)}`);
      }
    }
    atHeadOf = undefined;
  }
  return hash;
}

const MAX_TIME_WALK = 100_000;

/** The newest commit at or before `ms` on the first-parent history of `from`. */
async function commitAtTime(store: VersionStore, from: string, ms: number): Promise<string> {
  let pageToken: string | undefined;
  let seen = 0;
  do {
    const page = await store.log(from, { pageToken, pageSize: 500 });
    for (const c of page.items) {
      if (c.commitTimeMs <= ms) return c.hash;
      if (++seen > MAX_TIME_WALK) throw new NessieBadRequest('Point in time is too far back in history to look up from a commit');
    }
    pageToken = page.nextPageToken;
  } while (pageToken !== undefined);
  // Before the first commit: the empty catalog, as the store answers for a reference.
  return NO_ANCESTOR_HASH;
}
