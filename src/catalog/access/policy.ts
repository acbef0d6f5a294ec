/**
 * Access rules, as data, and their evaluation (pure: no I/O).
 *
 * - **Grants** are additive and allow-only: `(subject, privilege, on, namespace)`. A subject is
 *   `role:<r>`, `user:<name>` or `client:<id>`; `on` is a reference pattern (`*`, `?` wildcards;
 *   `DETACHED` names reads of bare commit hashes) or, for `checks.report`, a check-name pattern;
 *   `namespace` (content privileges only) is dotted, with `*` one level and `**` any depth
 *   (`sales.**` is `sales` and everything below it).
 * - **Protections** are hard constraints on references matching a pattern (every matching rule
 *   applies): no direct writes, no reset or delete, no transplant, merges only from given
 *   sources, named checks that must report success on the exact commit merged, optionally
 *   "the source must contain the target head", and subjects that may bypass (audited).
 */
import type { Principal } from '../context.js';

export const PRIVILEGES = [
  'ref.read',
  'ref.create',
  'ref.assign',
  'ref.delete',
  'ref.merge',
  'content.read',
  'content.write',
  'checks.report',
  'admin',
] as const;

export type Privilege = (typeof PRIVILEGES)[number];

export interface Grant {
  subject: string;
  privilege: Privilege;
  /** Reference pattern (check-name pattern for checks.report; `*` for admin). */
  on: string;
  /** Namespace pattern for content.*; `**` otherwise. */
  namespace: string;
}

/** What each privilege also allows. */
const IMPLIES: Record<Privilege, Privilege[]> = {
  'ref.read': [],
  'ref.create': [],
  'ref.assign': ['ref.read'],
  'ref.delete': ['ref.read'],
  'ref.merge': ['ref.read'],
  'content.read': [],
  'content.write': ['content.read'],
  'checks.report': [],
  admin: [],
};

export function isPrivilege(p: string): p is Privilege {
  return (PRIVILEGES as readonly string[]).includes(p);
}

const SUBJECT = /^(role|user|client):.+$/;

export function isSubject(s: string): boolean {
  return SUBJECT.test(s);
}

/** The subjects a principal is: its user name, its client id, and each of its roles. */
export function subjectsOf(p: Principal): string[] {
  if (p.kind === 'user') return [`user:${p.name}`, ...(p.clientId ? [`client:${p.clientId}`] : []), ...p.roles.map((r) => `role:${r}`)];
  if (p.kind === 'system') return [`user:${p.name}`];
  return [];
}

const compiled = new Map<string, RegExp>();

/** fnmatch-style: `*` any run of characters, `?` one character; everything else literal. */
export function matchPattern(pattern: string, value: string): boolean {
  let re = compiled.get(pattern);
  if (!re) {
    let source = '^';
    for (const ch of pattern) source += ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\/-]/g, '\\$&');
    re = new RegExp(`${source}$`, 's');
    // Patterns come from grants and protections: few, and bounded by what the database holds.
    if (compiled.size >= 10_000) compiled.clear();
    compiled.set(pattern, re);
  }
  return re.test(value);
}

/** Dotted namespace patterns: a literal level, `*` (one level) or `**` (any number of levels, none included). */
export function matchNamespace(pattern: string, ns: readonly string[]): boolean {
  const parts = pattern === '' ? [] : pattern.split('.');
  const go = (i: number, j: number): boolean => {
    if (i === parts.length) return j === ns.length;
    if (parts[i] === '**') return go(i + 1, j) || (j < ns.length && go(i, j + 1));
    if (j === ns.length) return false;
    return (parts[i] === '*' || parts[i] === ns[j]) && go(i + 1, j + 1);
  };
  return go(0, 0);
}

/** Grants in force, indexed by subject, for quick decisions. */
export class GrantSet {
  private readonly bySubject = new Map<string, Grant[]>();

  constructor(
    grants: Grant[],
    /** Subjects that are administrators whatever the grants say (bootstrap). */
    private readonly admins: string[] = [],
  ) {
    for (const g of grants) {
      const list = this.bySubject.get(g.subject) ?? [];
      list.push(g);
      this.bySubject.set(g.subject, list);
    }
  }

  /** Per principal object (cached tokens hand out the same object): decided once per rules version. */
  private readonly adminOf = new WeakMap<Principal, boolean>();

  isAdmin(p: Principal): boolean {
    if (p.kind === 'anonymous' || p.kind === 'system') return true;
    let admin = this.adminOf.get(p);
    if (admin === undefined) {
      const subjects = subjectsOf(p);
      admin = subjects.some((s) => this.admins.includes(s)) || this.grantsOf(subjects).some((g) => g.privilege === 'admin');
      this.adminOf.set(p, admin);
    }
    return admin;
  }

  private grantsOf(subjects: string[]): Grant[] {
    return subjects.flatMap((s) => this.bySubject.get(s) ?? []);
  }

  /**
   * Whether `p` holds `privilege` on `on` (a reference name, or a check name), and for content
   * privileges in namespace `ns`.
   */
  allows(p: Principal, privilege: Privilege, on: string, ns?: readonly string[]): boolean {
    if (this.isAdmin(p)) return true;
    return this.grantsOf(subjectsOf(p)).some(
      (g) =>
        (g.privilege === privilege || IMPLIES[g.privilege].includes(privilege)) &&
        matchPattern(g.on, on) &&
        (ns === undefined || matchNamespace(g.namespace, ns)),
    );
  }

  /** Whether `p` may read anything at all at or below `ns` on `ref` (a listing shows such namespaces). */
  readsBelow(p: Principal, ref: string, ns: readonly string[]): boolean {
    if (this.isAdmin(p)) return true;
    return this.grantsOf(subjectsOf(p)).some(
      (g) => (g.privilege === 'content.read' || g.privilege === 'content.write') && matchPattern(g.on, ref) && matchNamespacePrefix(g.namespace, ns),
    );
  }
}

/** Whether a namespace pattern matches `ns` or some namespace below it. */
export function matchNamespacePrefix(pattern: string, ns: readonly string[]): boolean {
  const parts = pattern === '' ? [] : pattern.split('.');
  const go = (i: number, j: number): boolean => {
    if (j === ns.length) return true;
    if (i === parts.length) return false;
    if (parts[i] === '**') return go(i + 1, j) || go(i, j + 1);
    return (parts[i] === '*' || parts[i] === ns[j]) && go(i + 1, j + 1);
  };
  return go(0, 0);
}

export interface RequiredCheck {
  name: string;
  /** Subjects whose reports count; anyone with checks.report when empty. */
  reporters: string[];
}

export interface Protection {
  /** Reference pattern the rule protects. */
  pattern: string;
  /** Refuse commits straight to the reference (Iceberg REST writes, Nessie commits). */
  blockDirectWrites: boolean;
  /** Refuse moving the reference to another commit (Nessie assign, `lakecat branch assign`). */
  blockAssign: boolean;
  blockDelete: boolean;
  blockTransplant: boolean;
  /** Reference patterns merges may come from; any when empty. */
  mergeFrom: string[];
  requiredChecks: RequiredCheck[];
  /** The source must contain the target's head (nothing on the target the validation did not see). */
  strict: boolean;
  /** Subjects that may do what the rule refuses; every such use is audited. */
  bypass: string[];
}

export type CheckState = 'pending' | 'success' | 'failure' | 'error';

export const CHECK_STATES: readonly CheckState[] = ['pending', 'success', 'failure', 'error'];

export interface CheckReport {
  hash: string;
  name: string;
  state: CheckState;
  description: string;
  detailsUrl: string;
  /** The subject that reported it (`user:<name>` or `client:<id>`) and its roles then. */
  reporter: string;
  reporterRoles: string[];
  reportedAtMs: number;
}

/** The latest report per check name (reports come newest first or in any order). */
export function latestChecks(reports: CheckReport[]): Map<string, CheckReport> {
  const latest = new Map<string, CheckReport>();
  for (const r of reports) {
    const seen = latest.get(r.name);
    if (!seen || r.reportedAtMs > seen.reportedAtMs) latest.set(r.name, r);
  }
  return latest;
}

/**
 * What blocks merging `fromHash` into a reference under `rules`: one line per unmet
 * requirement, empty when the merge may go ahead. Reporters count only if allowed by the check
 * (a subject of the report, or a role it held when it reported).
 */
export function mergeBlockers(
  rules: Protection[],
  source: { ref: string | undefined; hash: string; containsTarget: boolean },
  reports: CheckReport[],
): string[] {
  const out: string[] = [];
  const latest = latestChecks(reports);
  for (const rule of rules) {
    if (rule.mergeFrom.length > 0 && !rule.mergeFrom.some((p) => source.ref !== undefined && matchPattern(p, source.ref))) {
      out.push(`merges only from ${rule.mergeFrom.join(', ')} (not ${source.ref ?? 'a detached commit'})`);
    }
    for (const check of rule.requiredChecks) {
      const r = latest.get(check.name);
      const allowed = (x: CheckReport) =>
        check.reporters.length === 0 || check.reporters.includes(x.reporter) || x.reporterRoles.some((role) => check.reporters.includes(`role:${role}`));
      if (!r) out.push(`check ${check.name} is missing on ${source.hash.slice(0, 12)}`);
      else if (!allowed(r)) out.push(`check ${check.name} was reported by ${r.reporter}, who may not report it`);
      else if (r.state !== 'success') out.push(`check ${check.name} is ${r.state} on ${source.hash.slice(0, 12)}`);
    }
    if (rule.strict && !source.containsTarget) out.push("the source does not contain the target's head (rule is strict)");
  }
  return [...new Set(out)];
}
