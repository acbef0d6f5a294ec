/**
 * The authorizer of a catalog with authentication: grants and protection rules from the
 * database (cached for `cacheMs`, reloaded at once after a change through this process), checked
 * for every action the verbs and the write gate announce. A refusal is a ForbiddenError naming
 * the principal and what it lacks, and an audit record; a protection bypassed by an allowed
 * subject is allowed and audited.
 */
import type { Action, Actor, Authorizer, Decision } from '../context.js';
import { namespaceOf } from '../context.js';
import { ForbiddenError } from '../errors.js';
import type { VersionStore } from '../store/port.js';
import { auditPrincipal } from './audit.js';
import { GrantSet, matchPattern, mergeBlockers, subjectsOf, latestChecks, type Privilege, type Protection } from './policy.js';
import type { AccessRecords, AuditRecord } from './records.js';

export interface PolicyAuthorizerOptions {
  records: AccessRecords;
  store: Pick<VersionStore, 'mergeBase'>;
  /** Subjects that are administrators whatever the grants say (so that someone can grant). */
  admins: string[];
  audit?: (record: AuditRecord) => void;
  now?: () => number;
  /** How long grants and protections are kept before being read again (other processes' changes). */
  cacheMs?: number;
}

/** The reference name grants use for commits read by bare hash. */
const DETACHED = 'DETACHED';

const VERB: Record<Privilege, string> = {
  'ref.read': 'read',
  'ref.create': 'create',
  'ref.assign': 'assign',
  'ref.delete': 'delete',
  'ref.merge': 'merge into',
  'content.read': 'read',
  'content.write': 'write',
  'checks.report': 'report check',
  admin: 'administer',
};

export class PolicyAuthorizer implements Authorizer {
  private cached: { at: number; grants: GrantSet; protections: Protection[] } | undefined;
  private readonly now: () => number;

  constructor(private readonly opts: PolicyAuthorizerOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** Forgets the cached rules (after a grant or protection change). */
  invalidate(): void {
    this.cached = undefined;
  }

  async rules(): Promise<{ grants: GrantSet; protections: Protection[] }> {
    const c = this.cached;
    if (c && this.now() - c.at < (this.opts.cacheMs ?? 2000)) return c;
    const [grants, protections] = await Promise.all([this.opts.records.grants(), this.opts.records.protections()]);
    this.cached = { at: this.now(), grants: new GrantSet(grants, this.opts.admins), protections };
    return this.cached;
  }

  private record(actor: Actor, action: Action, decision: AuditRecord['decision'], detail: string, rule?: string): void {
    this.opts.audit?.({
      atMs: this.now(),
      principal: auditPrincipal(actor.principal),
      operation: action.kind,
      ref: 'branch' in action ? action.branch : 'name' in action && action.kind !== 'report-check' ? action.name : 'ref' in action ? action.ref : undefined,
      namespaces: action.kind === 'commit' ? action.namespaces.map((n) => n.join('.')) : action.kind === 'read-content' ? [action.namespace.join('.')] : [],
      decision,
      ...(rule !== undefined ? { rule } : {}),
      detail,
    });
  }

  private deny(actor: Actor, action: Action, message: string, rule?: string): never {
    this.record(actor, action, 'deny', message, rule);
    throw new ForbiddenError(message);
  }

  async authorize(actor: Actor, action: Action): Promise<void | Decision> {
    const p = actor.principal;
    if (p.kind === 'system') return;
    // The anonymous principal (no authentication) holds every grant, and protections guard only
    // changes: its reads (every loadTable) need no rules at all.
    if (p.kind === 'anonymous' && (action.kind === 'read' || action.kind === 'read-content')) return;
    const { grants, protections } = await this.rules();
    const who = auditPrincipal(p);
    const need = (privilege: Privilege, on: string, ns?: string[]) => {
      if (grants.allows(p, privilege, on, ns)) return;
      const where = ns === undefined ? '' : ns.length === 0 ? ' at the top level' : ` in namespace ${ns.join('.')}`;
      this.deny(actor, action, `Forbidden: ${who} may not ${VERB[privilege]} ${on}${where} (needs ${privilege})`);
    };
    /** The rules on `ref` that refuse `what`; each is bypassed (audited) or refuses. */
    const enforce = (ref: string, what: string, blocks: (r: Protection) => string[]): Decision | void => {
      const subjects = subjectsOf(p);
      let bypassed: string[] = [];
      for (const rule of protections.filter((r) => matchPattern(r.pattern, ref))) {
        const reasons = blocks(rule);
        if (reasons.length === 0) continue;
        const message = `Forbidden: ${what} '${ref}' is blocked by protection '${rule.pattern}': ${reasons.join('; ')}`;
        if (rule.bypass.some((s) => subjects.includes(s))) {
          this.record(actor, action, 'bypass', message, rule.pattern);
          bypassed = [...bypassed, rule.pattern];
          continue;
        }
        this.deny(actor, action, message, rule.pattern);
      }
      return bypassed.length > 0 ? { properties: { 'lakecat.bypass': `${who} (${bypassed.join(', ')})` } } : undefined;
    };

    switch (action.kind) {
      case 'read':
        return need('ref.read', action.ref ?? DETACHED);
      case 'read-content': {
        const ref = action.ref ?? DETACHED;
        const ns = action.namespace;
        const ok =
          action.scope === 'objects'
            ? grants.allows(p, 'content.read', ref, ns)
            : action.scope === 'namespace'
              ? grants.readsBelow(p, ref, ns)
              : grants.readsBelow(p, ref, ns) || grants.allows(p, 'content.read', ref, ns.slice(0, -1));
        if (!ok) this.deny(actor, action, `Forbidden: ${who} may not read ${ref} in namespace ${ns.join('.') || '(top level)'} (needs content.read)`);
        return;
      }
      case 'commit':
        for (const ns of action.namespaces) need('content.write', action.branch, ns);
        return enforce(action.branch, 'writing to', (r) => (r.blockDirectWrites ? ['direct writes are refused; merge a validated branch into it'] : []));
      case 'create-reference':
        return need('ref.create', action.name);
      case 'assign-reference':
        need('ref.assign', action.name);
        return enforce(action.name, 'moving', (r) => (r.blockAssign ? ['it cannot be reset or assigned'] : []));
      case 'delete-reference':
        need('ref.delete', action.name);
        return enforce(action.name, 'deleting', (r) => (r.blockDelete ? ['it cannot be deleted'] : []));
      case 'transplant':
        need('ref.merge', action.branch);
        return enforce(action.branch, 'transplanting into', (r) => (r.blockTransplant ? ['transplants are refused; merge instead'] : []));
      case 'merge':
        return this.authorizeMerge(actor, action, need, enforce, protections);
      case 'admin':
        if (!grants.isAdmin(p)) this.deny(actor, action, `Forbidden: ${who} may not ${action.operation} (needs admin)`);
        return;
      case 'report-check':
        return need('checks.report', action.name);
      default: {
        const never: never = action;
        throw new Error(`unknown action ${JSON.stringify(never)}`);
      }
    }
  }

  private async authorizeMerge(
    actor: Actor,
    action: Extract<Action, { kind: 'merge' }>,
    need: (privilege: Privilege, on: string) => void,
    enforce: (ref: string, what: string, blocks: (r: Protection) => string[]) => Decision | void,
    protections: Protection[],
  ): Promise<Decision | void> {
    need('ref.merge', action.branch);
    const rules = protections.filter((r) => matchPattern(r.pattern, action.branch));
    if (rules.length === 0) return;
    const reports = rules.some((r) => r.requiredChecks.length > 0) ? await this.opts.records.checks(action.fromHash) : [];
    const containsTarget = rules.some((r) => r.strict) ? (await this.opts.store.mergeBase(action.fromHash, action.targetHead)) === action.targetHead : true;
    const source = { ref: action.source, hash: action.fromHash, containsTarget };
    const decision = enforce(action.branch, 'merging into', (r) => mergeBlockers([r], source, reports)) ?? {};
    const latest = latestChecks(reports);
    const required = [...new Set(rules.flatMap((r) => r.requiredChecks.map((c) => c.name)))];
    return {
      properties: {
        ...decision.properties,
        'lakecat.protection': rules.map((r) => r.pattern).join(','),
        ...(required.length > 0
          ? { 'lakecat.checks': required.map((n) => `${n}:${latest.get(n)?.state ?? 'missing'}@${action.fromHash}`).join(',') }
          : {}),
      },
    };
  }

  async contentFilter(actor: Actor, ref: string | undefined) {
    const { grants } = await this.rules();
    const on = ref ?? DETACHED;
    const p = actor.principal;
    if (p.kind === 'system' || grants.isAdmin(p)) return { visible: () => true, readable: () => true };
    return { visible: (ns: string[]) => grants.readsBelow(p, on, ns), readable: (ns: string[]) => grants.allows(p, 'content.read', on, ns) };
  }

  async refFilter(actor: Actor) {
    const { grants } = await this.rules();
    return (name: string) => grants.allows(actor.principal, 'ref.read', name);
  }

  async writeFilter(actor: Actor, branch: string) {
    const { grants } = await this.rules();
    const p = actor.principal;
    return (changes: { key: string[]; type: Parameters<typeof namespaceOf>[1] }[]) => {
      for (const c of changes) {
        const ns = namespaceOf(c.key, c.type);
        if (!grants.allows(p, 'content.write', branch, ns)) {
          const action: Action = { kind: 'commit', branch, namespaces: [ns], via: 'catalog' };
          this.deny(actor, action, `Forbidden: ${auditPrincipal(p)} may not write ${branch} in namespace ${ns.join('.') || '(top level)'} (needs content.write; the merge changes ${c.key.join('.')})`);
        }
      }
    };
  }
}
