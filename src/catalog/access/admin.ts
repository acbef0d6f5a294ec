/**
 * Verbs of access administration (grants, protections, the audit log; admins only) and of
 * check reporting (for the commits validation jobs validated). Without authentication they work
 * for everyone and take effect once authentication is turned on.
 */
import type { Actor } from '../context.js';
import type { CatalogDeps } from '../deps.js';
import { BadRequestError } from '../errors.js';
import { parseRefExpression } from '../refs/expression.js';
import { locateRef, resolveRef } from '../refs/resolve.js';
import { auditPrincipal } from './audit.js';
import { CHECK_STATES, isPrivilege, PRIVILEGES, isSubject, latestChecks, type CheckReport, type CheckState, type Grant, type Protection, type RequiredCheck } from './policy.js';
import type { AccessRecords, AuditRecord } from './records.js';

function records(deps: CatalogDeps): AccessRecords {
  if (!deps.store.access) throw new BadRequestError('This store keeps no access records');
  return deps.store.access;
}

/** Refuses (403) unless the actor is an admin; everyone is one without access control. */
export async function requireAdmin(deps: CatalogDeps, actor: Actor, operation: string): Promise<void> {
  await deps.authorizer?.authorize(actor, { kind: 'admin', operation });
}

function changed(deps: CatalogDeps, actor: Actor, operation: string, detail: string, ref?: string): void {
  deps.authorizer?.invalidate?.();
  deps.audit?.({ atMs: deps.now(), principal: auditPrincipal(actor.principal), operation, ...(ref ? { ref } : {}), namespaces: [], decision: 'allow', detail });
}

const PATTERN = /^[A-Za-z0-9_./*?@-]{1,256}$/;
const NS_PATTERN = /^(\*\*|\*|[^.\s*]+)(\.(\*\*|\*|[^.\s*]+))*$/;

export function checkGrant(input: Partial<Grant>): Grant {
  const { subject, privilege, on = '*', namespace = '**' } = input;
  if (typeof subject !== 'string' || !isSubject(subject)) throw new BadRequestError(`Invalid subject '${String(subject)}': use role:NAME, user:NAME or client:ID`);
  if (typeof privilege !== 'string' || !isPrivilege(privilege)) {
    throw new BadRequestError(`Invalid privilege '${String(privilege)}': one of ${PRIVILEGES.join(', ')}`);
  }
  if (typeof on !== 'string' || !PATTERN.test(on)) throw new BadRequestError(`Invalid pattern '${String(on)}': letters, digits, ./_-@ and the wildcards * and ?`);
  if (typeof namespace !== 'string' || !NS_PATTERN.test(namespace)) {
    throw new BadRequestError(`Invalid namespace pattern '${String(namespace)}': dotted levels, each a name, * (one level) or ** (any depth)`);
  }
  return { subject, privilege, on, namespace: privilege.startsWith('content.') ? namespace : '**' };
}

export async function listGrants(deps: CatalogDeps, actor: Actor): Promise<Grant[]> {
  await requireAdmin(deps, actor, 'list grants');
  return records(deps).grants();
}

/** Adds a grant; false when it existed already. */
export async function addGrant(deps: CatalogDeps, actor: Actor, input: Partial<Grant>): Promise<boolean> {
  const g = checkGrant(input);
  await requireAdmin(deps, actor, 'grant');
  const added = await records(deps).addGrant(g, auditPrincipal(actor.principal), deps.now());
  if (added) changed(deps, actor, 'grant', `granted ${g.privilege} on ${g.on} (namespace ${g.namespace}) to ${g.subject}`);
  return added;
}

/** Removes a grant; false when there was none. */
export async function removeGrant(deps: CatalogDeps, actor: Actor, input: Partial<Grant>): Promise<boolean> {
  const g = checkGrant(input);
  await requireAdmin(deps, actor, 'revoke');
  const removed = await records(deps).removeGrant(g);
  if (removed) changed(deps, actor, 'revoke', `revoked ${g.privilege} on ${g.on} (namespace ${g.namespace}) from ${g.subject}`);
  return removed;
}

/** A protection rule from its JSON form; everything refused unless said otherwise, except merges. */
export function checkProtection(pattern: string, input: Record<string, unknown>): Protection {
  if (!PATTERN.test(pattern)) throw new BadRequestError(`Invalid pattern '${pattern}'`);
  const bool = (k: string, dflt: boolean) => {
    const v = input[k];
    if (v === undefined || v === null) return dflt;
    if (typeof v !== 'boolean') throw new BadRequestError(`'${k}' must be true or false`);
    return v;
  };
  const strings = (k: string, each: (s: string) => boolean, what: string) => {
    const v = input[k] ?? [];
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string' && each(x))) throw new BadRequestError(`'${k}' must be a list of ${what}`);
    return v as string[];
  };
  const rawChecks = input.requiredChecks ?? [];
  if (!Array.isArray(rawChecks)) throw new BadRequestError("'requiredChecks' must be a list");
  const requiredChecks: RequiredCheck[] = rawChecks.map((c: unknown) => {
    const o = (typeof c === 'string' ? { name: c } : (c ?? {})) as Record<string, unknown>;
    if (typeof o.name !== 'string' || !PATTERN.test(o.name)) throw new BadRequestError(`Invalid check name '${String(o.name)}'`);
    const reporters = o.reporters ?? [];
    if (!Array.isArray(reporters) || !reporters.every((r) => typeof r === 'string' && isSubject(r))) {
      throw new BadRequestError(`Reporters of check '${o.name}' must be subjects (role:NAME, user:NAME, client:ID)`);
    }
    return { name: o.name, reporters: reporters as string[] };
  });
  return {
    pattern,
    blockDirectWrites: bool('blockDirectWrites', true),
    blockAssign: bool('blockAssign', true),
    blockDelete: bool('blockDelete', true),
    blockTransplant: bool('blockTransplant', true),
    mergeFrom: strings('mergeFrom', (s) => PATTERN.test(s), 'reference patterns'),
    requiredChecks,
    strict: bool('strict', false),
    bypass: strings('bypass', isSubject, 'subjects'),
  };
}

export async function listProtections(deps: CatalogDeps, _actor: Actor): Promise<Protection[]> {
  // Anyone may see how a reference is protected: it explains why a write is refused.
  return records(deps).protections();
}

export async function putProtection(deps: CatalogDeps, actor: Actor, pattern: string, input: Record<string, unknown>): Promise<Protection> {
  const rule = checkProtection(pattern, input);
  await requireAdmin(deps, actor, 'protect');
  await records(deps).putProtection(rule, auditPrincipal(actor.principal), deps.now());
  changed(deps, actor, 'protect', `protection ${JSON.stringify(rule)}`, pattern);
  return rule;
}

export async function removeProtection(deps: CatalogDeps, actor: Actor, pattern: string): Promise<boolean> {
  await requireAdmin(deps, actor, 'unprotect');
  const removed = await records(deps).removeProtection(pattern);
  if (removed) changed(deps, actor, 'unprotect', `removed protection ${pattern}`, pattern);
  return removed;
}

export interface CheckInput {
  name: string;
  state: string;
  description?: string;
  detailsUrl?: string;
}

/** Reports a check result for the commit `refText` points at (a hash, or a reference's head). */
export async function reportCheck(deps: CatalogDeps, actor: Actor, refText: string, input: CheckInput): Promise<CheckReport> {
  if (typeof input.name !== 'string' || !PATTERN.test(input.name)) throw new BadRequestError(`Invalid check name '${String(input.name)}'`);
  if (!(CHECK_STATES as readonly string[]).includes(input.state)) throw new BadRequestError(`Invalid check state '${String(input.state)}': one of ${CHECK_STATES.join(', ')}`);
  const description = input.description ?? '';
  const detailsUrl = input.detailsUrl ?? '';
  if (typeof description !== 'string' || description.length > 4000) throw new BadRequestError('description must be a string of at most 4000 characters');
  if (typeof detailsUrl !== 'string' || detailsUrl.length > 2000) throw new BadRequestError('detailsUrl must be a string of at most 2000 characters');
  const ref = await commitOf(deps, actor, refText);
  await deps.authorizer?.authorize(actor, { kind: 'report-check', name: input.name, hash: ref.hash });
  const p = actor.principal;
  const report: CheckReport = {
    hash: ref.hash,
    name: input.name,
    state: input.state as CheckState,
    description,
    detailsUrl,
    reporter: auditPrincipal(p),
    reporterRoles: p.kind === 'user' ? p.roles : [],
    reportedAtMs: deps.now(),
  };
  await records(deps).reportCheck(report);
  deps.audit?.({ atMs: report.reportedAtMs, principal: report.reporter, operation: 'report-check', ref: ref.name, namespaces: [], decision: 'allow', detail: `${report.name}=${report.state} on ${report.hash}` });
  return report;
}

/**
 * The commit a check is about. A bare hash (`@hash`) is taken as is: reporting needs only
 * checks.report, and check results say nothing of the content. A reference expression is
 * resolved as a read of that reference.
 */
async function commitOf(deps: CatalogDeps, actor: Actor, refText: string): Promise<{ hash: string; name?: string }> {
  const parsed = parseRefExpression(refText, deps.store.defaultBranch);
  if (parsed.detached && parsed.relative.length === 0) return locateRef(deps, parsed, {});
  return resolveRef(deps, actor, parsed);
}

/**
 * The checks of the commit `refText` points at: the latest per name, and every report (newest
 * first). Check results are readable by every authenticated caller.
 */
export async function listChecks(deps: CatalogDeps, actor: Actor, refText: string): Promise<{ hash: string; latest: CheckReport[]; history: CheckReport[] }> {
  const ref = await commitOf(deps, actor, refText);
  const history = await records(deps).checks(ref.hash);
  return { hash: ref.hash, latest: [...latestChecks(history).values()].sort((a, b) => (a.name < b.name ? -1 : 1)), history };
}

export async function auditLog(deps: CatalogDeps, actor: Actor, opts: { limit?: number; beforeId?: number } = {}): Promise<(AuditRecord & { id: number })[]> {
  await requireAdmin(deps, actor, 'read the audit log');
  const limit = opts.limit ?? 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new BadRequestError('limit must be 1 to 1000');
  return records(deps).audit(limit, opts.beforeId);
}
