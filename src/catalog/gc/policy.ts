/**
 * Retention policies: how much of each reference's history garbage collection keeps. Pure
 * functions; the verbs that manage policies are in ./verbs.ts.
 *
 * A reference keeps its head, every commit of its first-parent history younger than
 * `retainMs`, at least `retainCommits` commits, and the first commit past the cutoff (the
 * state the reference had at the cutoff, so that reading "as of" any retained time works).
 */
import { BadRequestError } from '../errors.js';
import { matchPattern } from '../access/policy.js';
import type { GcPolicy, PolicyRefType } from './records.js';

const DAY = 86_400_000;

/** Built-in policies, used where no stored policy matches a reference. */
export function defaultPolicy(refType: 'BRANCH' | 'TAG', name: string, defaultBranch: string): GcPolicy {
  if (refType === 'TAG') return { refType: 'TAG', pattern: '*', retainMs: 0, retainCommits: 1, deletedGraceMs: 7 * DAY };
  if (name === defaultBranch) return { refType: 'BRANCH', pattern: defaultBranch, retainMs: 30 * DAY, retainCommits: 20, deletedGraceMs: 7 * DAY };
  return { refType: 'BRANCH', pattern: '*', retainMs: 7 * DAY, retainCommits: 1, deletedGraceMs: 7 * DAY };
}

const PATTERN = /^[A-Za-z0-9_./*?@-]{1,256}$/;
const MAX_MS = 100 * 365 * DAY;

/** Checks a policy given by a user; the error names the bad field. */
export function checkPolicy(input: Partial<GcPolicy>): GcPolicy {
  const refType = (input.refType ?? 'ANY') as PolicyRefType;
  if (!['BRANCH', 'TAG', 'ANY'].includes(refType)) throw new BadRequestError(`Invalid refType '${String(refType)}': BRANCH, TAG or ANY`);
  const pattern = input.pattern;
  if (typeof pattern !== 'string' || !PATTERN.test(pattern)) {
    throw new BadRequestError(`Invalid pattern '${String(pattern)}': a reference name or a pattern of letters, digits, ./_-@ and the wildcards * and ?`);
  }
  const whole = (v: unknown, what: string, min: number, max: number): number => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) throw new BadRequestError(`Invalid ${what}: a whole number from ${min} to ${max}`);
    return v;
  };
  return {
    refType,
    pattern,
    retainMs: whole(input.retainMs, 'retainMs', 0, MAX_MS),
    retainCommits: whole(input.retainCommits ?? 1, 'retainCommits', 1, 1_000_000_000),
    deletedGraceMs: whole(input.deletedGraceMs ?? 7 * DAY, 'deletedGraceMs', 0, MAX_MS),
  };
}

/** How specific a pattern is: literal names first, then more literal characters, then fewer wildcards. */
function specificity(p: GcPolicy): [number, number, number] {
  const wild = (p.pattern.match(/[*?]/g) ?? []).length;
  return [wild === 0 ? 1 : 0, p.pattern.length - wild, p.refType === 'ANY' ? 0 : 1];
}

/** The policy that governs a reference: the most specific stored match, else the built-in default. */
export function policyFor(policies: readonly GcPolicy[], refType: 'BRANCH' | 'TAG', name: string, defaultBranch: string): GcPolicy {
  let best: GcPolicy | undefined;
  for (const p of policies) {
    if (p.refType !== 'ANY' && p.refType !== refType) continue;
    if (!matchPattern(p.pattern, name)) continue;
    if (!best) {
      best = p;
      continue;
    }
    const a = specificity(p);
    const b = specificity(best);
    if (a[0] > b[0] || (a[0] === b[0] && (a[1] > b[1] || (a[1] === b[1] && a[2] > b[2])))) best = p;
  }
  return best ?? defaultPolicy(refType, name, defaultBranch);
}

export interface HistoryItem {
  hash: string;
  commitTimeMs: number;
}

/**
 * How many commits of a first-parent history (newest first; times never decrease towards the
 * head) a policy keeps at `nowMs`, and whether the walk must read further to decide: every
 * commit younger than the cutoff, then the newest commit at or before the cutoff (the state at
 * the cutoff), and at least `retainCommits` in all. `complete` says the history given is whole.
 */
export function retainedCount(history: readonly HistoryItem[], policy: GcPolicy, nowMs: number, complete: boolean): { count: number; more: boolean } {
  const cutoff = nowMs - policy.retainMs;
  let young = 0;
  while (young < history.length && history[young].commitTimeMs > cutoff) young++;
  const want = Math.max(policy.retainCommits, young + 1);
  if (want <= history.length) return { count: want, more: false };
  return { count: history.length, more: !complete };
}

export const MIN_WRITER_GRACE_MS = DAY;
export const DEFAULT_WRITER_GRACE_MS = 7 * DAY;

/** Parses a duration such as `7d`, `36h`, `90m`, `30s` or a number of milliseconds. */
export function parseDuration(text: string, what: string): number {
  const m = /^([0-9]+)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!m) throw new BadRequestError(`Invalid ${what} '${text}': a number with ms, s, m, h or d (for example 7d)`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: DAY }[(m[2] ?? 'ms') as 'ms'];
  const v = Number(m[1]) * unit;
  if (!Number.isSafeInteger(v) || v > MAX_MS) throw new BadRequestError(`Invalid ${what} '${text}': too long`);
  return v;
}

/** Formats milliseconds as the largest whole unit (`7d`, `36h`, `0`). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0';
  for (const [unit, size] of [['d', DAY], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
