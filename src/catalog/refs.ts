import { BadRequestError, ReadOnlyReferenceError } from './errors.js';
import type { VersionStore } from './store/port.js';

/**
 * Which state of the catalog a request reads or writes, as written in an Iceberg REST
 * `{prefix}` or a Nessie reference: `name` (branch or tag), `name@hash` or `@hash`
 * (a commit, read-only), `name*time` (the state of `name` at a point in time, read-only;
 * time as ISO-8601 or epoch milliseconds).
 */
export type RefSelector =
  | { kind: 'named'; name: string }
  | { kind: 'hash'; name?: string; hash: string }
  | { kind: 'time'; name?: string; timeMs: number };

export interface ResolvedRef {
  hash: string;
  /** Set when the selector names a branch at its head: the only writable case. */
  branch?: string;
  /** How the reference was written, for messages. */
  label: string;
}

const REF_NAME = /^[A-Za-z0-9_][A-Za-z0-9_./-]{0,255}$/;
const HASH = /^[0-9a-fA-F]{8,64}$/;

export function isValidRefName(name: string): boolean {
  return REF_NAME.test(name) && !name.includes('..') && !name.endsWith('/') && !name.endsWith('.');
}

export function parseRefSelector(text: string, defaultBranch: string): RefSelector {
  if (text === '' || text === '-') return { kind: 'named', name: defaultBranch };
  const star = text.indexOf('*');
  if (star >= 0) {
    const name = text.slice(0, star) || undefined;
    const timeMs = parseTime(text.slice(star + 1));
    if (name !== undefined) checkRefName(name);
    return { kind: 'time', name, timeMs };
  }
  const at = text.indexOf('@');
  if (at >= 0) {
    const name = text.slice(0, at) || undefined;
    const hash = text.slice(at + 1);
    if (name !== undefined) checkRefName(name);
    if (!HASH.test(hash)) throw new BadRequestError(`Invalid commit hash '${hash}' in reference '${text}'`);
    return { kind: 'hash', name, hash: hash.toLowerCase() };
  }
  checkRefName(text);
  return { kind: 'named', name: text };
}

function checkRefName(name: string): void {
  if (!isValidRefName(name)) throw new BadRequestError(`Invalid reference name '${name}'`);
}

function parseTime(s: string): number {
  if (/^\d+$/.test(s)) return Number(s);
  const ms = Date.parse(s);
  if (Number.isNaN(ms)) throw new BadRequestError(`Invalid point in time '${s}': use ISO-8601 or epoch milliseconds`);
  return ms;
}

export async function resolveRef(store: VersionStore, sel: RefSelector): Promise<ResolvedRef> {
  switch (sel.kind) {
    case 'named': {
      const ref = await store.getReference(sel.name);
      return { hash: ref.hash, branch: ref.type === 'BRANCH' ? ref.name : undefined, label: sel.name };
    }
    case 'hash': {
      if (sel.name !== undefined) await store.getReference(sel.name);
      const commit = await store.getCommit(sel.hash);
      return { hash: commit.hash, label: `${sel.name ?? ''}@${sel.hash}` };
    }
    case 'time': {
      const name = sel.name ?? store.defaultBranch;
      const hash = await store.hashAtTime(name, sel.timeMs);
      return { hash, label: `${name}*${new Date(sel.timeMs).toISOString()}` };
    }
    default: {
      const never: never = sel;
      throw new Error(`unreachable ${String(never)}`);
    }
  }
}

/** The branch to write to, or a clear error for tags, commits and points in time. */
export function writableBranch(ref: ResolvedRef): string {
  if (ref.branch === undefined) {
    throw new ReadOnlyReferenceError(
      `Reference '${ref.label}' is read-only: only the head of a branch can be changed`,
    );
  }
  return ref.branch;
}
