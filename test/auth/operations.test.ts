/**
 * The operation table (src/rest/operations.ts) names every route of every API, and with
 * authentication on, every route that is not public answers a request without a token with a
 * 401 in its API's shape.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecret, ServiceClients } from '../../src/catalog/access/service-clients.js';
import { TokenAuthenticator } from '../../src/catalog/access/identity.js';
import { TREE_ENDPOINTS } from '../../src/rest/nessie/index.js';
import { OPERATIONS, operationKey } from '../../src/rest/operations.js';
import { createHarness, type Harness } from '../rest/harness.js';

describe('the operation table', () => {
  let h: Harness;

  beforeAll(async () => {
    const hashed = { id: 'c', roles: [], secretHash: await hashSecret('a-long-enough-secret', { N: 1024, r: 8, p: 1 }) };
    h = await createHarness({
      identity: (store) => {
        const serviceClients = new ServiceClients({ clients: [hashed], issuer: 'http://lakecat.test', audience: 'lakecat', tokenLifetimeSeconds: 60, keys: store.signingKeys! });
        return { authenticator: new TokenAuthenticator({ issuers: [serviceClients.trustedIssuer()], audience: ['lakecat'] }), serviceClients };
      },
    });
  });
  afterAll(() => h.close());

  /** Every (method, path) the app routes, and every endpoint the Nessie tree dispatcher serves. */
  function routes(): string[] {
    const keys = new Set<string>();
    for (const r of h.app.hono.routes) {
      if (r.method === 'ALL' || r.path.endsWith('/*')) continue;
      keys.add(operationKey(r.method, r.path));
    }
    for (const e of TREE_ENDPOINTS) keys.add(`${e.method} /api/v2${e.path}`);
    return [...keys].sort();
  }

  it('has an entry for every route, and no entry without a route', () => {
    const served = routes();
    expect(served.filter((k) => OPERATIONS[k] === undefined)).toEqual([]);
    expect(Object.keys(OPERATIONS).filter((k) => !served.includes(k)).sort()).toEqual([]);
  });

  it('answers every route that is not public with a 401 in its API shape when no token is sent', async () => {
    const concrete = (path: string) =>
      path
        .replace('{prefix}', 'main')
        .replace('{namespace}', 'db')
        .replace(/\{(table|view)\}/, 't')
        .replace('{pattern}', 'main')
        .replace(/\{(ref|from|to)\}/g, 'main')
        .replace('{key}', 'db.t');
    for (const [key, operation] of Object.entries(OPERATIONS)) {
      if (operation.requires.startsWith('public')) continue;
      const [method, path] = key.split(' ');
      const r = await h.request(method, concrete(path), method === 'GET' || method === 'DELETE' ? undefined : {});
      expect(r.status, key).toBe(401);
      if (path.startsWith('/api/v2')) expect(r.body, key).toEqual({ status: 401, reason: 'Unauthorized', message: expect.any(String) });
      else expect(r.body.error, key).toMatchObject({ type: 'NotAuthorizedException', code: 401 });
      expect(r.headers.get('www-authenticate'), key).toMatch(/^Bearer realm="lakecat"/);
    }
  });

  it('serves the public routes without a token', async () => {
    for (const [key, operation] of Object.entries(OPERATIONS)) {
      if (!operation.requires.startsWith('public') || key.startsWith('POST')) continue;
      const [method, path] = key.split(' ');
      expect((await h.request(method, path)).status, key).toBe(200);
    }
    // The token endpoint answers in OAuth2's shape: here, client credentials are missing.
    const token = await h.request('POST', '/v1/oauth/tokens', 'grant_type=client_credentials', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(token.body.error).toBe('invalid_client');
  });
});
