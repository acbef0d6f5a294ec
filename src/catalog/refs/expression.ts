/**
 * The one grammar of reference expressions, shared by the Nessie API (paths and bodies), the
 * Iceberg REST `{prefix}` (and `warehouse`) and the CLI. After Nessie's syntax:
 *
 *   name            a branch or tag at its head; `-` (or nothing before `@`/a relative part) is
 *                   the default branch
 *   name@hash       a commit, read through that reference; `name@` is `name` (lets a name with
 *                   `/` be told apart in a URL path)
 *   @hash           a detached commit
 *
 * followed by any number of relative parts, applied left to right: `~N` (N-th first-parent
 * ancestor), `^N` (N-th parent: 1 the parent, 2 the merge parent), `*T` (the newest first-parent
 * ancestor committed at or before T; T in epoch milliseconds or ISO-8601 with a zone, e.g.
 * `2026-01-31T12:00:00Z`, or a date, read as UTC midnight). Hashes may be abbreviated to 8 hex
 * digits. Pure: resolving an expression against the store is refs/resolve.ts.
 */
import { BadRequestError } from '../errors.js';
import { isValidRefName, REF_NAME_MESSAGE } from './names.js';

export type RelativePart = { kind: 'ancestor'; n: number } | { kind: 'parent'; n: number } | { kind: 'time'; ms: number };

export interface RefExpression {
  /** As written. */
  text: string;
  /** The reference; absent for a detached commit (and for `-` or no name when no default branch is given). */
  name?: string;
  /** An absolute (possibly abbreviated) commit hash, lower case. */
  hash?: string;
  /** `@hash`: a commit outside any reference. */
  detached: boolean;
  relative: RelativePart[];
  /** The relative parts as written, e.g. `~2*1700000000000`; empty when none. */
  relativeText: string;
}

/** Which part of an expression is malformed, for clients that word their own messages (the CLI). */
export type RefSyntaxProblem = 'empty' | 'name' | 'hash' | 'relative';

/** A malformed reference expression: a 400 in every API. */
export class RefSyntaxError extends BadRequestError {
  constructor(
    message: string,
    readonly problem: RefSyntaxProblem,
    /** The malformed part as written. */
    readonly part: string,
  ) {
    super(message);
  }
}

const HASH = /^[0-9a-fA-F]{8,64}$/;
const TIME = '[0-9]{4}-[0-9]{2}-[0-9]{2}(?:T[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\\.[0-9]{1,9})?)?(?:Z|[+-][0-9]{2}:?[0-9]{2}))?|[0-9]+';
const RELATIVE_PART = new RegExp(`([~^])([0-9]+)|\\*(${TIME})`, 'y');

/**
 * Parses an expression. With `defaultBranch`, `-` and an empty name (as in `~1` or `*T`) mean
 * that branch; without it they are left for the caller (`-` as the name, an empty name absent).
 */
export function parseRefExpression(text: string, defaultBranch?: string): RefExpression {
  const syntax = (problem: RefSyntaxProblem, part: string) =>
    new RefSyntaxError(`${REF_NAME_MESSAGE} - but was: ${text}`, problem, part);
  if (text === '') throw syntax('empty', text);
  const cut = text.search(/[~^*]/);
  const base = cut < 0 ? text : text.slice(0, cut);
  const relativeText = cut < 0 ? '' : text.slice(cut);
  const at = base.indexOf('@');
  const rawName = at < 0 ? base : base.slice(0, at);
  const rawHash = at < 0 ? '' : base.slice(at + 1);
  if (rawName !== '' && rawName !== '-' && !isValidRefName(rawName)) throw syntax('name', rawName);
  if (rawHash !== '' && !HASH.test(rawHash)) throw syntax('hash', rawHash);
  const relative = parseRelative(relativeText, () => syntax('relative', relativeText));
  const detached = at === 0;
  let name: string | undefined;
  if (!detached) {
    if (rawName === '' || rawName === '-') name = defaultBranch ?? (rawName === '-' ? '-' : undefined);
    else name = rawName;
  }
  return { text, name, hash: rawHash === '' ? undefined : rawHash.toLowerCase(), detached, relative, relativeText };
}

/** A hash with optional relative parts, as Nessie bodies carry them (`fromHash`, `hashesToTransplant`, `limit-hash`). */
export function parseHashSpec(text: string, what: string): { hash?: string; relative: RelativePart[] } {
  const fail = () =>
    new RefSyntaxError(
      `${what} must consist of either a valid commit hash, a valid relative part (~N, ^N or *timestamp), or both - but was: ${text}`,
      text === '' ? 'empty' : 'relative',
      text,
    );
  if (text === '') throw fail();
  const cut = text.search(/[~^*]/);
  const hash = cut < 0 ? text : text.slice(0, cut);
  if (hash !== '' && !HASH.test(hash)) throw fail();
  const relative = parseRelative(cut < 0 ? '' : text.slice(cut), fail);
  return { hash: hash === '' ? undefined : hash.toLowerCase(), relative };
}

function parseRelative(text: string, fail: () => RefSyntaxError): RelativePart[] {
  const parts: RelativePart[] = [];
  RELATIVE_PART.lastIndex = 0;
  while (RELATIVE_PART.lastIndex < text.length) {
    const m = RELATIVE_PART.exec(text);
    if (!m) throw fail();
    const [, op, digits, time] = m;
    if (time !== undefined) {
      const ms = /^[0-9]+$/.test(time) ? Number(time) : Date.parse(time);
      if (!Number.isSafeInteger(ms)) throw new RefSyntaxError(`Invalid timestamp '${time}'`, 'relative', text);
      parts.push({ kind: 'time', ms });
    } else {
      const n = Number(digits);
      if (!Number.isSafeInteger(n)) throw new RefSyntaxError(`Invalid relative commit spec '${op}${digits}'`, 'relative', text);
      parts.push(op === '~' ? { kind: 'ancestor', n } : { kind: 'parent', n });
    }
  }
  return parts;
}
