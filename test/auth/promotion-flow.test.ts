/**
 * The seeds' write-audit-publish flow with four principals from an OIDC provider: an engineer
 * writes `dev`, a validator reports checks on the commit it validated, a promoter merges `dev`
 * into a protected `main`, an analyst reads `main`. Every refused call changes nothing and is
 * in the audit log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditTo } from '../../src/catalog/access/audit.js';
import { PolicyAuthorizer } from '../../src/catalog/access/authorizer.js';
import { discoveredIssuer, TokenAuthenticator } from '../../src/catalog/access/identity.js';
import type { AuditRecord } from '../../src/catalog/access/records.js';
import { createHarness, type Harness } from '../rest/harness.js';
import { SCHEMA } from '../rest/requests.js';
import { startFixtureIdp, type FixtureIdp } from '../support/fixture-idp.js';

describe('protected main with required checks (write-audit-publish)', () => {
  let idp: FixtureIdp;
  let h: Harness;
  const audit: AuditRecord[] = [];
  const tokens: Record<string, string> = {};
  const as = (who: string) => ({ authorization: `Bearer ${tokens[who]}` });
  const call = (who: string, method: string, path: string, body?: unknown) => h.request(method, path, body, as(who));
  const head = async (ref: string) => (await call('admin', 'GET', `/api/v2/trees/${ref}`)).body.reference.hash as string;

  /** Everything a refused call could have changed: reference heads and the files under the warehouse. */
  async function snapshot(): Promise<string> {
    const refs = (await call('admin', 'GET', '/api/v2/trees')).body.references;
    const files: string[] = [];
    for await (const o of h.objects.list(`${h.deps.warehouse}/`)) files.push(o.location);
    return JSON.stringify({ refs, files: files.sort() });
  }
  async function refused(who: string, method: string, path: string, body: unknown, message: RegExp) {
    const before = await snapshot();
    const denials = audit.filter((a) => a.decision === 'deny').length;
    const r = await call(who, method, path, body);
    expect(r.status, `${who} ${method} ${path}: ${r.text}`).toBe(403);
    const text = path.startsWith('/api/v2') ? r.body.message : r.body.error.message;
    if (path.startsWith('/api/v2')) expect(r.body.errorCode).toBe('FORBIDDEN');
    else expect(r.body.error.type).toBe('ForbiddenException');
    expect(text).toMatch(message);
    expect(await snapshot()).toBe(before);
    expect(audit.filter((a) => a.decision === 'deny').length).toBe(denials + 1);
    return text;
  }

  beforeAll(async () => {
    idp = await startFixtureIdp();
    h = await createHarness({
      identity: () => ({ authenticator: new TokenAuthenticator({ issuers: [discoveredIssuer(idp.issuer)], audience: ['lakecat'] }) }),
      authorizer: (store, rec) => new PolicyAuthorizer({ records: store.access!, store, admins: ['role:admin'], audit: rec, cacheMs: 0 }),
      audit: (store) => {
        const toDb = auditTo(store.access, () => undefined);
        return (r) => {
          audit.push(r);
          toDb(r);
        };
      },
    });
    for (const [who, roles] of Object.entries({ admin: ['admin'], eve: ['engineer'], val: ['validator'], pam: ['promoter'], ann: ['analyst'] })) {
      tokens[who] = await idp.sign({ sub: who, preferred_username: who, roles });
    }
    const grant = async (subject: string, privilege: string, on: string, namespace = '**') =>
      expect((await call('admin', 'POST', '/api/lakecat/v1/grants', { subject, privilege, on, namespace })).status).toBe(201);
    await grant('role:analyst', 'ref.read', 'main');
    await grant('role:analyst', 'content.read', 'main', 'sales.**');
    for (const p of ['ref.create', 'ref.assign', 'ref.delete', 'content.write']) await grant('role:engineer', p, 'dev*');
    await grant('role:engineer', 'ref.read', '*');
    await grant('role:engineer', 'content.read', 'main');
    await grant('role:validator', 'ref.read', 'dev*');
    await grant('role:validator', 'content.read', 'dev*');
    await grant('role:validator', 'checks.report', 'dq/*');
    await grant('role:promoter', 'ref.read', '*');
    await grant('role:promoter', 'ref.merge', 'main');
    await grant('role:promoter', 'content.write', 'main');
    for (const ns of ['sales', 'hr']) expect((await call('admin', 'POST', '/v1/main/namespaces', { namespace: [ns] })).status).toBe(200);
    const protect = await call('admin', 'PUT', '/api/lakecat/v1/protections/main', {
      mergeFrom: ['dev'],
      requiredChecks: [{ name: 'dq/orders', reporters: ['role:validator'] }],
    });
    expect(protect.status).toBe(200);
    expect(protect.body).toMatchObject({ pattern: 'main', blockDirectWrites: true, blockAssign: true, blockDelete: true, blockTransplant: true });
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    await idp?.close();
  });

  it('lets the engineer build on dev, and refuses every direct change of main', async () => {
    expect((await call('eve', 'POST', '/api/v2/trees?name=dev&type=BRANCH', { type: 'BRANCH', name: 'main', hash: await head('main') })).status).toBe(200);
    expect((await call('eve', 'POST', '/v1/dev/namespaces/sales/tables', { name: 'orders', schema: SCHEMA })).status).toBe(200);
    expect((await call('eve', 'POST', '/v1/dev/namespaces/sales/tables/orders', { requirements: [], updates: [{ action: 'set-properties', updates: { stage: 'silver' } }] })).status).toBe(200);
    await refused('eve', 'POST', '/v1/main/namespaces/sales/tables', { name: 'sneaky', schema: SCHEMA }, /may not write main/);
    // Even the admin may not write to the protected branch directly (no bypass is configured).
    await refused('admin', 'POST', '/v1/main/namespaces/sales/tables', { name: 'sneaky', schema: SCHEMA }, /blocked by protection 'main': direct writes are refused/);
    const main = await head('main');
    await refused('admin', 'PUT', `/api/v2/trees/main@${main}`, { type: 'BRANCH', name: 'dev', hash: await head('dev') }, /cannot be reset or assigned/);
    await refused('admin', 'DELETE', `/api/v2/trees/main@${main}`, undefined, /cannot be deleted/);
    await refused('admin', 'POST', `/api/v2/trees/main@${main}/history/transplant`, { fromRefName: 'dev', hashesToTransplant: [await head('dev')] }, /transplants are refused/);
    await refused(
      'admin',
      'POST',
      `/api/v2/trees/main@${main}/history/commit`,
      { commitMeta: { message: 'x' }, operations: [{ type: 'PUT', key: { elements: ['x'] }, content: { type: 'NAMESPACE', elements: ['x'], properties: {} } }] },
      /direct writes are refused/,
    );
  });

  it('keeps the analyst to reading main, and what it may read there', async () => {
    expect((await call('ann', 'GET', '/v1/main/namespaces')).body.namespaces).toEqual([['sales']]);
    await refused('ann', 'GET', '/v1/main/namespaces/hr', undefined, /may not read main in namespace hr/);
    await refused('ann', 'GET', '/v1/dev/namespaces/sales/tables/orders', undefined, /may not read dev/);
    await refused('ann', 'POST', '/v1/main/namespaces/sales/properties', { updates: { a: 'b' }, removals: [] }, /may not write main/);
    // The log of main shows its commits, but no operation on keys outside what it may read.
    const log = await call('ann', 'GET', '/api/v2/trees/main/history?fetch=ALL');
    expect(log.status).toBe(200);
    const keys = log.body.logEntries.flatMap((e: any) => (e.operations ?? []).map((o: any) => o.key.elements.join('.')));
    expect(keys).toContain('sales');
    expect(keys).not.toContain('hr');
    // A table it may not read is refused whether or not it exists.
    await refused('ann', 'GET', '/v1/main/namespaces/hr/tables/nope', undefined, /may not read main in namespace hr/);
  });

  it('refuses the merge while the check is missing, failed, from the wrong reporter, or on an older commit', async () => {
    const merge = async (fromHash: string) => call('pam', 'POST', `/api/v2/trees/main@${await head('main')}/history/merge`, { fromRefName: 'dev', fromHash });
    const validated = await head('dev');
    expect((await merge(validated)).body.message).toMatch(/check dq\/orders is missing/);
    expect((await call('val', 'POST', `/api/lakecat/v1/commits/${validated}/checks`, { name: 'dq/orders', state: 'failure', description: 'nulls in id' })).status).toBe(201);
    expect((await merge(validated)).body.message).toMatch(/check dq\/orders is failure/);
    // The engineer may not report checks at all.
    await refused('eve', 'POST', `/api/lakecat/v1/commits/${validated}/checks`, { name: 'dq/orders', state: 'success' }, /may not report check dq\/orders/);
    expect((await call('val', 'POST', '/api/lakecat/v1/commits/dev/checks', { name: 'dq/orders', state: 'success' })).status).toBe(201);
    // dev moves after the validation: the new head is not validated.
    expect((await call('eve', 'POST', '/v1/dev/namespaces/sales/tables/orders', { requirements: [], updates: [{ action: 'set-properties', updates: { late: 'change' } }] })).status).toBe(200);
    const moved = await head('dev');
    const before = await snapshot();
    const r = await merge(moved);
    expect(r.status).toBe(403);
    expect(r.body.message).toMatch(/check dq\/orders is missing on/);
    expect(await snapshot()).toBe(before);
    // A dry run gives the same verdict without writing.
    const dry = await call('pam', 'POST', `/api/v2/trees/main@${await head('main')}/history/merge`, { fromRefName: 'dev', fromHash: moved, isDryRun: true });
    expect(dry.status).toBe(403);
    // Merging from another branch is refused by the rule's mergeFrom, checks or not.
    expect((await call('eve', 'POST', '/api/v2/trees?name=dev2&type=BRANCH', { type: 'BRANCH', name: 'dev', hash: moved })).status).toBe(200);
    expect((await call('pam', 'POST', `/api/v2/trees/main@${await head('main')}/history/merge`, { fromRefName: 'dev2', fromHash: moved })).body.message).toMatch(/merges only from dev/);
    // The analyst may not read dev (so not merge it), nor merge into main at all.
    await refused('ann', 'POST', `/api/v2/trees/main@${await head('main')}/history/merge`, { fromRefName: 'dev', fromHash: moved }, /may not read dev/);
    await refused('val', 'POST', `/api/v2/trees/main@${await head('main')}/history/merge`, { fromRefName: 'dev', fromHash: moved }, /may not merge into main/);
  });

  it('merges once the check passes on the exact commit merged, and stamps what allowed it', async () => {
    const validated = await head('dev');
    const checks = await call('val', 'POST', `/api/lakecat/v1/commits/${validated}/checks`, { name: 'dq/orders', state: 'success', detailsUrl: 'https://ci/1' });
    expect(checks.body).toMatchObject({ hash: validated, name: 'dq/orders', state: 'success', reporter: 'user:val', reporterRoles: ['validator'] });
    const listed = await call('eve', 'GET', `/api/lakecat/v1/commits/${validated}/checks`);
    expect(listed.body.latest.map((c: any) => [c.name, c.state])).toEqual([['dq/orders', 'success']]);
    const r = await call('pam', 'POST', `/api/v2/trees/main@${await head('main')}/history/merge`, { fromRefName: 'dev', fromHash: validated });
    expect(r.status, r.text).toBe(200);
    expect(r.body.wasApplied).toBe(true);
    const log = await call('pam', 'GET', '/api/v2/trees/main/history?max-records=1');
    const meta = log.body.logEntries[0].commitMeta;
    expect(meta.authors).toEqual(['pam']);
    expect(meta.allProperties['lakecat.checks']).toEqual([`dq/orders:success@${validated}`]);
    expect(meta.allProperties['lakecat.protection']).toEqual(['main']);
    const orders = await call('ann', 'GET', '/v1/main/namespaces/sales/tables/orders');
    expect(orders.status).toBe(200);
    expect(orders.body.metadata.properties).toMatchObject({ stage: 'silver', late: 'change' });
  });

  it('makes release tags immutable with a protection on their pattern', async () => {
    const main = await head('main');
    expect((await call('admin', 'POST', '/api/v2/trees?name=release-1&type=TAG', { type: 'BRANCH', name: 'main', hash: main })).status).toBe(200);
    expect((await call('admin', 'PUT', '/api/lakecat/v1/protections/release-*', {})).status).toBe(200);
    const dev = await head('dev');
    await refused('admin', 'PUT', `/api/v2/trees/release-1@${main}`, { type: 'BRANCH', name: 'dev', hash: dev }, /moving 'release-1' is blocked by protection 'release-\*'/);
    await refused('admin', 'DELETE', `/api/v2/trees/release-1@${main}`, undefined, /deleting 'release-1' is blocked by protection 'release-\*'/);
    // A tag outside the pattern still moves.
    expect((await call('admin', 'POST', '/api/v2/trees?name=nightly&type=TAG', { type: 'BRANCH', name: 'main', hash: main })).status).toBe(200);
    expect((await call('admin', 'PUT', `/api/v2/trees/nightly@${main}`, { type: 'BRANCH', name: 'dev', hash: dev })).status).toBe(200);
    expect((await call('admin', 'GET', '/api/v2/trees/release-1')).body.reference.hash).toBe(main);
  });

  it('keeps an audit log of changes and refusals, readable by admins only', async () => {
    const log = await call('admin', 'GET', '/api/lakecat/v1/audit?limit=1000');
    expect(log.status).toBe(200);
    const records = log.body.records as AuditRecord[];
    expect(records.length).toBeGreaterThan(0);
    expect(records.some((r) => r.decision === 'deny' && r.principal === 'user:ann')).toBe(true);
    expect(records.some((r) => r.decision === 'allow' && r.operation === 'merge' && r.principal === 'user:pam')).toBe(true);
    expect(records.some((r) => r.operation === 'grant')).toBe(true);
    await refused('ann', 'GET', '/api/lakecat/v1/audit', undefined, /needs admin/);
  });
});
