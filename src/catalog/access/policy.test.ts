import { describe, expect, it } from 'vitest';
import type { Principal } from '../context.js';
import { GrantSet, matchNamespace, matchNamespacePrefix, matchPattern, mergeBlockers, type CheckReport, type Grant, type Protection } from './policy.js';

const user = (name: string, roles: string[] = [], clientId?: string): Principal => ({ kind: 'user', name, roles, issuer: 'i', subject: name, ...(clientId ? { clientId } : {}) });
const grant = (subject: string, privilege: Grant['privilege'], on: string, namespace = '**'): Grant => ({ subject, privilege, on, namespace });

describe('patterns', () => {
  it('match references with * and ?, everything else literal', () => {
    expect(matchPattern('dev*', 'dev')).toBe(true);
    expect(matchPattern('dev*', 'dev-x/y')).toBe(true);
    expect(matchPattern('dev?', 'dev1')).toBe(true);
    expect(matchPattern('dev?', 'dev12')).toBe(false);
    expect(matchPattern('main', 'mainx')).toBe(false);
    expect(matchPattern('a.b', 'aXb')).toBe(false);
    expect(matchPattern('*', 'DETACHED')).toBe(true);
  });

  it('match dotted namespaces with * (one level) and ** (any depth, none included)', () => {
    expect(matchNamespace('sales.**', ['sales'])).toBe(true);
    expect(matchNamespace('sales.**', ['sales', 'eu', 'de'])).toBe(true);
    expect(matchNamespace('sales.**', ['hr'])).toBe(false);
    expect(matchNamespace('sales.*', ['sales'])).toBe(false);
    expect(matchNamespace('sales.*', ['sales', 'eu'])).toBe(true);
    expect(matchNamespace('**', [])).toBe(true);
    expect(matchNamespace('*.raw', ['a', 'raw'])).toBe(true);
    expect(matchNamespacePrefix('sales.eu.**', ['sales'])).toBe(true);
    expect(matchNamespacePrefix('sales.eu', ['hr'])).toBe(false);
    expect(matchNamespacePrefix('*.raw', ['x'])).toBe(true);
  });
});

describe('GrantSet', () => {
  const grants = new GrantSet(
    [
      grant('role:analyst', 'ref.read', 'main'),
      grant('role:analyst', 'content.read', 'main', 'sales.**'),
      grant('role:engineer', 'content.write', 'dev*'),
      grant('role:engineer', 'ref.create', 'dev*'),
      grant('user:carol', 'ref.merge', 'main'),
      grant('client:dq', 'checks.report', 'dq/*'),
      grant('user:root', 'admin', '*'),
    ],
    ['role:ops'],
  );

  it('allows what a grant names, and what the granted privilege implies', () => {
    expect(grants.allows(user('ann', ['analyst']), 'content.read', 'main', ['sales', 'eu'])).toBe(true);
    expect(grants.allows(user('ann', ['analyst']), 'content.read', 'main', ['hr'])).toBe(false);
    expect(grants.allows(user('ann', ['analyst']), 'content.write', 'main', ['sales'])).toBe(false);
    expect(grants.allows(user('eve', ['engineer']), 'content.read', 'dev-x', ['hr'])).toBe(true);
    expect(grants.allows(user('carol'), 'ref.read', 'main')).toBe(true);
    expect(grants.allows(user('carol'), 'ref.assign', 'main')).toBe(false);
    expect(grants.allows(user('x', [], 'dq'), 'checks.report', 'dq/orders')).toBe(true);
    expect(grants.allows(user('x', [], 'dq'), 'checks.report', 'other')).toBe(false);
  });

  it('makes admins of admin grants, bootstrap subjects, the anonymous principal (no authentication) and the system', () => {
    expect(grants.allows(user('root'), 'ref.delete', 'main')).toBe(true);
    expect(grants.allows(user('x', ['ops']), 'admin', '*')).toBe(true);
    expect(grants.allows({ kind: 'anonymous' }, 'content.write', 'main', ['hr'])).toBe(true);
    expect(grants.allows(user('nobody'), 'ref.read', 'main')).toBe(false);
  });

  it('tells which namespaces a listing may show', () => {
    const ann = user('ann', ['analyst']);
    expect(grants.readsBelow(ann, 'main', ['sales'])).toBe(true);
    expect(grants.readsBelow(ann, 'main', ['hr'])).toBe(false);
    expect(grants.readsBelow(ann, 'dev', ['sales'])).toBe(false);
  });
});

describe('mergeBlockers', () => {
  const rule: Protection = {
    pattern: 'main',
    blockDirectWrites: true,
    blockAssign: true,
    blockDelete: true,
    blockTransplant: true,
    mergeFrom: ['dev'],
    requiredChecks: [{ name: 'dq/orders', reporters: ['role:validator'] }, { name: 'schema', reporters: [] }],
    strict: true,
    bypass: [],
  };
  const H = 'abcdef0123456789abcdef';
  const report = (name: string, state: CheckReport['state'], reporterRoles: string[], at: number, reporter = 'client:dq'): CheckReport => ({
    hash: H,
    name,
    state,
    description: '',
    detailsUrl: '',
    reporter,
    reporterRoles,
    reportedAtMs: at,
  });

  it('lists every unmet requirement', () => {
    expect(mergeBlockers([rule], { ref: 'feature', hash: H, containsTarget: false }, [])).toEqual([
      'merges only from dev (not feature)',
      'check dq/orders is missing on abcdef012345',
      'check schema is missing on abcdef012345',
      "the source does not contain the target's head (rule is strict)",
    ]);
  });

  it('takes the latest report per check, counting only allowed reporters', () => {
    const reports = [report('dq/orders', 'failure', ['validator'], 1), report('dq/orders', 'success', ['validator'], 2), report('schema', 'pending', [], 1)];
    expect(mergeBlockers([rule], { ref: 'dev', hash: H, containsTarget: true }, reports)).toEqual(['check schema is pending on abcdef012345']);
    expect(mergeBlockers([rule], { ref: 'dev', hash: H, containsTarget: true }, [report('dq/orders', 'success', ['engineer'], 3), report('schema', 'success', [], 1)])).toEqual([
      'check dq/orders was reported by client:dq, who may not report it',
    ]);
    expect(mergeBlockers([rule], { ref: 'dev', hash: H, containsTarget: true }, [report('dq/orders', 'success', ['validator'], 3), report('schema', 'success', [], 1)])).toEqual([]);
  });
});
