/**
 * The role x operation matrix: every operation of OPERATIONS (src/rest/operations.ts) that needs
 * a token, tried by each of six principals. What each may do is written out by hand below
 * (a spec, not derived from the implementation); allowed calls succeed, every other one is a 403
 * in its API's shape and leaves the catalog unchanged (references, files, grants, protections).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PolicyAuthorizer } from '../../src/catalog/access/authorizer.js';
import { discoveredIssuer, TokenAuthenticator } from '../../src/catalog/access/identity.js';
import { OPERATIONS } from '../../src/rest/operations.js';
import { createHarness, type Harness } from '../rest/harness.js';
import { SCHEMA, viewVersion } from '../rest/requests.js';
import { startFixtureIdp, type FixtureIdp } from '../support/fixture-idp.js';

const ROLES = ['admin', 'analyst', 'engineer', 'validator', 'promoter', 'nobody'] as const;
type Role = (typeof ROLES)[number];

interface Request {
  method: string;
  path: string;
  body?: unknown;
}

interface Case {
  /** The OPERATIONS key it exercises. */
  op: string;
  /** Who may: every other role gets a 403. */
  allowed: Role[] | 'all';
  /** Set-up done by root (an admin who may bypass main's protection), per role; returns the request. */
  request(role: Role): Promise<Request> | Request;
  /** Status of an allowed call (default: any 2xx). */
  status?: number;
}

describe('role x operation matrix', () => {
  let idp: FixtureIdp;
  let h: Harness;
  const tokens: Record<string, string> = {};
  const as = (who: string, method: string, path: string, body?: unknown) => h.request(method, path, body, { authorization: `Bearer ${tokens[who]}` });
  const root = (method: string, path: string, body?: unknown) => as('root', method, path, body);
  const head = async (ref: string) => (await root('GET', `/api/v2/trees/${ref}`)).body.reference.hash as string;
  let n = 0;
  const fresh = (role: Role) => `${role}_${++n}`;

  async function snapshot(): Promise<string> {
    const files: string[] = [];
    for await (const o of h.objects.list(`${h.deps.warehouse}/`)) files.push(o.location);
    const [refs, grants, protections, gcPolicies, gcRuns] = await Promise.all([
      root('GET', '/api/v2/trees'),
      root('GET', '/api/lakecat/v1/grants'),
      root('GET', '/api/lakecat/v1/protections'),
      root('GET', '/api/lakecat/v1/gc/policies'),
      root('GET', '/api/lakecat/v1/gc/runs'),
    ]);
    return JSON.stringify({ refs: refs.body, files: files.sort(), grants: grants.body, protections: protections.body, gcPolicies: gcPolicies.body, gcRuns: gcRuns.body });
  }

  const ok = async (r: Promise<{ status: number; text: string }>) => {
    const res = await r;
    expect(res.status, res.text).toBeLessThan(300);
  };
  const table = (ns: string, name: string, ref = 'dev') => ok(root('POST', `/v1/${ref}/namespaces/${ns}/tables`, { name, schema: SCHEMA }));
  const namespace = (name: string, ref = 'dev') => ok(root('POST', `/v1/${ref}/namespaces`, { namespace: [name] }));
  const branchFrom = async (name: string, from: string) => ok(root('POST', `/api/v2/trees?name=${name}&type=BRANCH`, { type: 'BRANCH', name: from, hash: await head(from) }));

  beforeAll(async () => {
    idp = await startFixtureIdp();
    h = await createHarness({
      identity: () => ({ authenticator: new TokenAuthenticator({ issuers: [discoveredIssuer(idp.issuer)], audience: ['lakecat'] }) }),
      authorizer: (store) => new PolicyAuthorizer({ records: store.access!, store, admins: ['role:admin'], cacheMs: 0 }),
    });
    for (const role of ROLES) tokens[role] = await idp.sign({ sub: role, preferred_username: role, roles: role === 'nobody' ? [] : [role] });
    tokens.root = await idp.sign({ sub: 'root', preferred_username: 'root', roles: ['admin'] });
    const grants: [string, string, string, string?][] = [
      ['analyst', 'ref.read', 'main'],
      ['analyst', 'content.read', 'main', 'sales.**'],
      ['engineer', 'ref.read', '*'],
      ['engineer', 'ref.create', 'dev*'],
      ['engineer', 'ref.assign', 'dev*'],
      ['engineer', 'ref.delete', 'dev*'],
      ['engineer', 'content.write', 'dev*'],
      ['engineer', 'content.read', 'main'],
      ['validator', 'ref.read', 'dev*'],
      ['validator', 'content.read', 'dev*'],
      ['validator', 'checks.report', 'dq/*'],
      ['promoter', 'ref.read', '*'],
      ['promoter', 'ref.merge', 'main'],
      ['promoter', 'content.write', 'main'],
    ];
    for (const [role, privilege, on, namespace = '**'] of grants) {
      await ok(root('POST', '/api/lakecat/v1/grants', { subject: `role:${role}`, privilege, on, namespace }));
    }
    for (const ns of ['sales', 'hr']) {
      await namespace(ns, 'main');
      await table(ns, 't', 'main');
    }
    await ok(root('POST', '/v1/main/namespaces/sales/views', { name: 'v', schema: SCHEMA, 'view-version': viewVersion('select 1', 'sales') }));
    await branchFrom('dev', 'main');
    await ok(root('PUT', '/api/lakecat/v1/protections/main', { mergeFrom: ['dev*'], bypass: ['user:root'] }));
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    await idp?.close();
  });

  const READ_MAIN: Role[] = ['admin', 'analyst', 'engineer', 'promoter'];
  const WRITE_DEV: Role[] = ['admin', 'engineer'];
  const commitBody = { requirements: [], updates: [{ action: 'set-properties', updates: { k: 'v' } }] };

  const cases: Case[] = [
    { op: 'GET /v1/config', allowed: READ_MAIN, request: () => ({ method: 'GET', path: '/v1/config?warehouse=main' }) },
    { op: 'GET /v1/{prefix}/namespaces', allowed: READ_MAIN, request: () => ({ method: 'GET', path: '/v1/main/namespaces' }) },
    { op: 'GET /v1/{prefix}/namespaces/{namespace}', allowed: ['admin', 'engineer', 'promoter'], request: () => ({ method: 'GET', path: '/v1/main/namespaces/hr' }) },
    { op: 'GET /v1/{prefix}/namespaces/{namespace}/tables', allowed: READ_MAIN, request: () => ({ method: 'GET', path: '/v1/main/namespaces/sales/tables' }) },
    { op: 'GET /v1/{prefix}/namespaces/{namespace}/tables/{table}', allowed: READ_MAIN, request: () => ({ method: 'GET', path: '/v1/main/namespaces/sales/tables/t' }) },
    { op: 'GET /v1/{prefix}/namespaces/{namespace}/tables/{table}/credentials', allowed: ['admin', 'engineer', 'promoter'], request: () => ({ method: 'GET', path: '/v1/main/namespaces/hr/tables/t/credentials' }) },
    { op: 'POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/metrics', allowed: ['admin', 'engineer', 'validator'], status: 204, request: () => ({ method: 'POST', path: '/v1/dev/namespaces/sales/tables/t/metrics', body: { 'report-type': 'scan-report' } }) },
    { op: 'GET /v1/{prefix}/namespaces/{namespace}/views', allowed: READ_MAIN, request: () => ({ method: 'GET', path: '/v1/main/namespaces/sales/views' }) },
    { op: 'GET /v1/{prefix}/namespaces/{namespace}/views/{view}', allowed: READ_MAIN, request: () => ({ method: 'GET', path: '/v1/main/namespaces/sales/views/v' }) },
    { op: 'POST /v1/{prefix}/namespaces', allowed: WRITE_DEV, request: (r) => ({ method: 'POST', path: '/v1/dev/namespaces', body: { namespace: [fresh(r)] } }) },
    {
      op: 'DELETE /v1/{prefix}/namespaces/{namespace}',
      allowed: WRITE_DEV,
      status: 204,
      async request(r) {
        const ns = fresh(r);
        await namespace(ns);
        return { method: 'DELETE', path: `/v1/dev/namespaces/${ns}` };
      },
    },
    { op: 'POST /v1/{prefix}/namespaces/{namespace}/properties', allowed: WRITE_DEV, request: (r) => ({ method: 'POST', path: '/v1/dev/namespaces/sales/properties', body: { updates: { [r]: 'x' }, removals: [] } }) },
    { op: 'POST /v1/{prefix}/namespaces/{namespace}/tables', allowed: WRITE_DEV, request: (r) => ({ method: 'POST', path: '/v1/dev/namespaces/sales/tables', body: { name: fresh(r), schema: SCHEMA } }) },
    { op: 'POST /v1/{prefix}/namespaces/{namespace}/tables/{table}', allowed: WRITE_DEV, request: () => ({ method: 'POST', path: '/v1/dev/namespaces/sales/tables/t', body: commitBody }) },
    {
      op: 'DELETE /v1/{prefix}/namespaces/{namespace}/tables/{table}',
      allowed: WRITE_DEV,
      status: 204,
      async request(r) {
        const t = fresh(r);
        await table('sales', t);
        return { method: 'DELETE', path: `/v1/dev/namespaces/sales/tables/${t}` };
      },
    },
    {
      op: 'POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/unregister',
      allowed: WRITE_DEV,
      async request(r) {
        const t = fresh(r);
        await table('sales', t);
        return { method: 'POST', path: `/v1/dev/namespaces/sales/tables/${t}/unregister` };
      },
    },
    {
      op: 'POST /v1/{prefix}/namespaces/{namespace}/register',
      allowed: WRITE_DEV,
      async request(r) {
        const location = (await root('GET', '/v1/dev/namespaces/sales/tables/t')).body['metadata-location'];
        return { method: 'POST', path: '/v1/dev/namespaces/sales/register', body: { name: fresh(r), 'metadata-location': location } };
      },
    },
    {
      op: 'POST /v1/{prefix}/tables/rename',
      allowed: WRITE_DEV,
      status: 204,
      async request(r) {
        const t = fresh(r);
        await table('sales', t);
        return { method: 'POST', path: '/v1/dev/tables/rename', body: { source: { namespace: ['sales'], name: t }, destination: { namespace: ['sales'], name: `${t}_renamed` } } };
      },
    },
    {
      op: 'POST /v1/{prefix}/transactions/commit',
      allowed: WRITE_DEV,
      status: 204,
      request: () => ({ method: 'POST', path: '/v1/dev/transactions/commit', body: { 'table-changes': [{ identifier: { namespace: ['sales'], name: 't' }, ...commitBody }] } }),
    },
    { op: 'POST /v1/{prefix}/namespaces/{namespace}/views', allowed: WRITE_DEV, request: (r) => ({ method: 'POST', path: '/v1/dev/namespaces/sales/views', body: { name: fresh(r), schema: SCHEMA, 'view-version': viewVersion('select 1', 'sales') } }) },
    {
      op: 'POST /v1/{prefix}/namespaces/{namespace}/views/{view}',
      allowed: WRITE_DEV,
      request: () => ({ method: 'POST', path: '/v1/dev/namespaces/sales/views/v', body: { requirements: [], updates: [{ action: 'set-properties', updates: { k: 'v' } }] } }),
    },
    {
      op: 'DELETE /v1/{prefix}/namespaces/{namespace}/views/{view}',
      allowed: WRITE_DEV,
      status: 204,
      async request(r) {
        const v = fresh(r);
        await ok(root('POST', '/v1/dev/namespaces/sales/views', { name: v, schema: SCHEMA, 'view-version': viewVersion('select 1', 'sales') }));
        return { method: 'DELETE', path: `/v1/dev/namespaces/sales/views/${v}` };
      },
    },
    {
      op: 'POST /v1/{prefix}/views/rename',
      allowed: WRITE_DEV,
      status: 204,
      async request(r) {
        const v = fresh(r);
        await ok(root('POST', '/v1/dev/namespaces/sales/views', { name: v, schema: SCHEMA, 'view-version': viewVersion('select 1', 'sales') }));
        return { method: 'POST', path: '/v1/dev/views/rename', body: { source: { namespace: ['sales'], name: v }, destination: { namespace: ['sales'], name: `${v}_renamed` } } };
      },
    },
    {
      op: 'POST /v1/{prefix}/namespaces/{namespace}/register-view',
      allowed: WRITE_DEV,
      async request(r) {
        const location = (await root('GET', '/v1/dev/namespaces/sales/views/v')).body['metadata-location'];
        return { method: 'POST', path: '/v1/dev/namespaces/sales/register-view', body: { name: fresh(r), 'metadata-location': location } };
      },
    },
    // main is protected: no direct write, whoever asks (root may bypass, below).
    { op: 'POST /v1/{prefix}/namespaces', allowed: [], request: (r) => ({ method: 'POST', path: '/v1/main/namespaces', body: { namespace: [fresh(r)] } }) },

    { op: 'GET /api/v2/config', allowed: 'all', request: () => ({ method: 'GET', path: '/api/v2/config' }) },
    { op: 'GET /api/v2/config/repository', allowed: 'all', request: () => ({ method: 'GET', path: '/api/v2/config/repository' }) },
    { op: 'GET /api/v2/trees', allowed: 'all', request: () => ({ method: 'GET', path: '/api/v2/trees' }) },
    { op: 'POST /api/v2/trees', allowed: WRITE_DEV, request: async (r) => ({ method: 'POST', path: `/api/v2/trees?name=dev-${fresh(r)}&type=BRANCH`, body: { type: 'BRANCH', name: 'main', hash: await head('main') } }) },
    { op: 'GET /api/v2/trees/{ref}', allowed: READ_MAIN, request: () => ({ method: 'GET', path: '/api/v2/trees/main' }) },
    {
      op: 'PUT /api/v2/trees/{ref}',
      allowed: WRITE_DEV,
      async request(r) {
        const b = `dev-${fresh(r)}`;
        await branchFrom(b, 'dev');
        return { method: 'PUT', path: `/api/v2/trees/${b}@${await head(b)}`, body: { type: 'BRANCH', name: 'dev', hash: await head('dev') } };
      },
    },
    {
      op: 'DELETE /api/v2/trees/{ref}',
      allowed: WRITE_DEV,
      async request(r) {
        const b = `dev-${fresh(r)}`;
        await branchFrom(b, 'dev');
        return { method: 'DELETE', path: `/api/v2/trees/${b}@${await head(b)}` };
      },
    },
    { op: 'GET /api/v2/trees/{ref}/entries', allowed: READ_MAIN, request: () => ({ method: 'GET', path: '/api/v2/trees/main/entries' }) },
    { op: 'GET /api/v2/trees/{ref}/history', allowed: READ_MAIN, request: () => ({ method: 'GET', path: '/api/v2/trees/main/history' }) },
    {
      op: 'POST /api/v2/trees/{ref}/history/commit',
      allowed: WRITE_DEV,
      request: async (r) => {
        const ns = fresh(r);
        return { method: 'POST', path: `/api/v2/trees/dev@${await head('dev')}/history/commit`, body: { operations: [{ type: 'PUT', key: { elements: [ns] }, content: { type: 'NAMESPACE', elements: [ns], properties: {} } }] } };
      },
    },
    {
      op: 'POST /api/v2/trees/{ref}/history/merge',
      allowed: ['admin', 'promoter'],
      async request(r) {
        const b = `dev-${fresh(r)}`;
        await branchFrom(b, 'main');
        await namespace(`m_${b.replace(/-/g, '_')}`, b);
        return { method: 'POST', path: `/api/v2/trees/main@${await head('main')}/history/merge`, body: { fromRefName: b, fromHash: await head(b) } };
      },
    },
    {
      op: 'POST /api/v2/trees/{ref}/history/transplant',
      allowed: [],
      async request(r) {
        const b = `dev-${fresh(r)}`;
        await branchFrom(b, 'main');
        await namespace(`x_${b.replace(/-/g, '_')}`, b);
        return { method: 'POST', path: `/api/v2/trees/main@${await head('main')}/history/transplant`, body: { fromRefName: b, hashesToTransplant: [await head(b)] } };
      },
    },
    { op: 'GET /api/v2/trees/{ref}/contents', allowed: READ_MAIN, request: () => ({ method: 'GET', path: '/api/v2/trees/main/contents?key=sales.t' }) },
    { op: 'POST /api/v2/trees/{ref}/contents', allowed: READ_MAIN, request: () => ({ method: 'POST', path: '/api/v2/trees/main/contents', body: { requestedKeys: [{ elements: ['sales', 't'] }] } }) },
    { op: 'GET /api/v2/trees/{ref}/contents/{key}', allowed: ['admin', 'engineer', 'promoter'], request: () => ({ method: 'GET', path: '/api/v2/trees/main/contents/hr.t' }) },
    { op: 'GET /api/v2/trees/{from}/diff/{to}', allowed: ['admin', 'engineer', 'promoter'], request: () => ({ method: 'GET', path: '/api/v2/trees/main/diff/dev' }) },
    { op: 'GET /api/v2/trees/{ref}/recent-changes', allowed: 'all', status: 400, request: () => ({ method: 'GET', path: '/api/v2/trees/main/recent-changes' }) },

    { op: 'GET /api/lakecat/v1/whoami', allowed: 'all', request: () => ({ method: 'GET', path: '/api/lakecat/v1/whoami' }) },
    { op: 'GET /api/lakecat/v1/grants', allowed: ['admin'], request: () => ({ method: 'GET', path: '/api/lakecat/v1/grants' }) },
    { op: 'POST /api/lakecat/v1/grants', allowed: ['admin'], request: (r) => ({ method: 'POST', path: '/api/lakecat/v1/grants', body: { subject: `user:${fresh(r)}`, privilege: 'ref.read', on: 'main' } }) },
    {
      op: 'DELETE /api/lakecat/v1/grants',
      allowed: ['admin'],
      status: 204,
      async request(r) {
        const g = { subject: `user:${fresh(r)}`, privilege: 'ref.read', on: 'main' };
        await ok(root('POST', '/api/lakecat/v1/grants', g));
        return { method: 'DELETE', path: '/api/lakecat/v1/grants', body: g };
      },
    },
    { op: 'GET /api/lakecat/v1/protections', allowed: 'all', request: () => ({ method: 'GET', path: '/api/lakecat/v1/protections' }) },
    { op: 'PUT /api/lakecat/v1/protections/{pattern}', allowed: ['admin'], request: (r) => ({ method: 'PUT', path: `/api/lakecat/v1/protections/tmp-${fresh(r)}`, body: {} }) },
    {
      op: 'DELETE /api/lakecat/v1/protections/{pattern}',
      allowed: ['admin'],
      status: 204,
      async request(r) {
        const p = `tmp-${fresh(r)}`;
        await ok(root('PUT', `/api/lakecat/v1/protections/${p}`, {}));
        return { method: 'DELETE', path: `/api/lakecat/v1/protections/${p}` };
      },
    },
    { op: 'POST /api/lakecat/v1/commits/{ref}/checks', allowed: ['admin', 'validator'], request: async () => ({ method: 'POST', path: `/api/lakecat/v1/commits/${await head('dev')}/checks`, body: { name: 'dq/x', state: 'success' } }) },
    { op: 'GET /api/lakecat/v1/commits/{ref}/checks', allowed: 'all', request: async () => ({ method: 'GET', path: `/api/lakecat/v1/commits/${await head('dev')}/checks` }) },
    { op: 'GET /api/lakecat/v1/audit', allowed: ['admin'], request: () => ({ method: 'GET', path: '/api/lakecat/v1/audit' }) },
    { op: 'GET /api/lakecat/v1/gc/policies', allowed: ['admin'], request: () => ({ method: 'GET', path: '/api/lakecat/v1/gc/policies' }) },
    { op: 'PUT /api/lakecat/v1/gc/policies', allowed: ['admin'], request: (r) => ({ method: 'PUT', path: '/api/lakecat/v1/gc/policies', body: { pattern: `tmp-${fresh(r)}`, retainMs: 1000 } }) },
    {
      op: 'DELETE /api/lakecat/v1/gc/policies/{refType}/{pattern}',
      allowed: ['admin'],
      status: 204,
      async request(r) {
        const p = `tmp-${fresh(r)}`;
        await ok(root('PUT', '/api/lakecat/v1/gc/policies', { pattern: p, retainMs: 1000 }));
        return { method: 'DELETE', path: `/api/lakecat/v1/gc/policies/ANY/${p}` };
      },
    },
    // A dry run (with the default 7-day writer grace it would delete nothing here anyway).
    { op: 'POST /api/lakecat/v1/gc/runs', allowed: ['admin'], status: 200, request: () => ({ method: 'POST', path: '/api/lakecat/v1/gc/runs', body: { dryRun: true } }) },
    { op: 'GET /api/lakecat/v1/gc/runs', allowed: ['admin'], request: () => ({ method: 'GET', path: '/api/lakecat/v1/gc/runs' }) },
    {
      op: 'GET /api/lakecat/v1/gc/runs/{id}',
      allowed: ['admin'],
      async request() {
        const run = await root('POST', '/api/lakecat/v1/gc/runs', { dryRun: true });
        return { method: 'GET', path: `/api/lakecat/v1/gc/runs/${run.body.runId}` };
      },
    },
    {
      op: 'GET /api/lakecat/v1/gc/runs/{id}/deletions',
      allowed: ['admin'],
      async request() {
        const run = await root('POST', '/api/lakecat/v1/gc/runs', { dryRun: true });
        return { method: 'GET', path: `/api/lakecat/v1/gc/runs/${run.body.runId}/deletions` };
      },
    },
  ];

  it('covers every operation that needs a token', () => {
    const covered = new Set(cases.map((c) => c.op));
    const needToken = Object.entries(OPERATIONS).filter(([, o]) => !o.requires.startsWith('public')).map(([k]) => k);
    // HEAD requests are served by the GET routes; the rest must each be tried.
    expect(needToken.filter((k) => !covered.has(k))).toEqual([]);
    for (const c of cases) expect(OPERATIONS[c.op], c.op).toBeDefined();
  });

  for (const c of cases) {
    it(`${c.op}: ${c.allowed === 'all' ? 'everyone' : c.allowed.length === 0 ? 'no one' : c.allowed.join(', ')}`, async () => {
      for (const role of ROLES) {
        const req = await c.request(role);
        const allowed = c.allowed === 'all' || c.allowed.includes(role);
        const before = allowed ? '' : await snapshot();
        const r = await as(role, req.method, req.path, req.body);
        const label = `${role} ${req.method} ${req.path}: ${r.text.slice(0, 300)}`;
        if (allowed) {
          if (c.status !== undefined) expect(r.status, label).toBe(c.status);
          else expect(r.status, label).toBeLessThan(300);
          continue;
        }
        expect(r.status, label).toBe(403);
        if (req.path.startsWith('/api/v2')) expect(r.body.errorCode, label).toBe('FORBIDDEN');
        else expect(r.body.error.type, label).toBe('ForbiddenException');
        expect(await snapshot(), label).toBe(before);
      }
    });
  }

  it('lets a subject on the protection bypass list write to the protected branch', async () => {
    const r = await root('POST', '/v1/main/namespaces', { namespace: ['bypassed'] });
    expect(r.status, r.text).toBe(200);
  });
});
