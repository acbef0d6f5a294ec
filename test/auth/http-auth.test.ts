/**
 * Authentication over HTTP: lakecat's own token endpoint for service clients (client
 * credentials, token exchange), 401s in each API's shape, anonymous operations endpoints, the
 * principal as commit author, and Idempotency-Keys that never replay to another principal.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NO_AUTHENTICATION, TokenAuthenticator } from '../../src/catalog/access/identity.js';
import { hashSecret, ServiceClients } from '../../src/catalog/access/service-clients.js';
import type { VersionStore } from '../../src/catalog/store/port.js';
import { createHarness, type Harness } from '../rest/harness.js';

const ISSUER = 'http://lakecat.test';

async function withServiceClients(clients: { id: string; secret: string; roles: string[] }[]) {
  const hashed = await Promise.all(clients.map(async (c) => ({ id: c.id, roles: c.roles, secretHash: await hashSecret(c.secret, { N: 1024, r: 8, p: 1 }) })));
  return (store: VersionStore) => {
    const serviceClients = new ServiceClients({ clients: hashed, issuer: ISSUER, audience: 'lakecat', tokenLifetimeSeconds: 3600, keys: store.signingKeys! });
    const authenticator = new TokenAuthenticator({ issuers: [serviceClients.trustedIssuer()], audience: ['lakecat'] });
    serviceClients.verifier = authenticator;
    return { authenticator, serviceClients };
  };
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

describe('authentication over HTTP', () => {
  let h: Harness;
  let spark: string;
  let trino: string;

  const tokenRequest = (body: string, headers: Record<string, string> = {}) =>
    h.request('POST', '/v1/oauth/tokens', body, { 'content-type': 'application/x-www-form-urlencoded', ...headers });
  const as = (token: string) => ({ authorization: `Bearer ${token}` });

  beforeAll(async () => {
    h = await createHarness({
      identity: await withServiceClients([
        { id: 'spark', secret: 's3cret', roles: ['engineer'] },
        { id: 'trino', secret: 'other', roles: ['analyst'] },
      ]),
    });
    const r = await tokenRequest(form({ grant_type: 'client_credentials', client_id: 'spark', client_secret: 's3cret', scope: 'catalog' }));
    expect(r.status).toBe(200);
    spark = r.body.access_token;
    const basic = Buffer.from('trino:other').toString('base64');
    trino = (await tokenRequest(form({ grant_type: 'client_credentials' }), { authorization: `Basic ${basic}` })).body.access_token;
  });
  afterAll(() => h.close());

  it('issues tokens for the client-credentials grant in OAuth2 shape, and refuses bad credentials alike', async () => {
    const r = await tokenRequest(form({ grant_type: 'client_credentials', client_id: 'spark', client_secret: 's3cret' }));
    expect(r.body).toMatchObject({ token_type: 'bearer', expires_in: 3600 });
    expect(r.headers.get('cache-control')).toBe('no-store');
    const claims = JSON.parse(Buffer.from(r.body.access_token.split('.')[1], 'base64url').toString());
    expect(claims).toMatchObject({ iss: ISSUER, sub: 'spark', aud: 'lakecat', roles: ['engineer'] });
    for (const body of [
      form({ grant_type: 'client_credentials', client_id: 'spark', client_secret: 'wrong' }),
      form({ grant_type: 'client_credentials', client_id: 'nobody', client_secret: 's3cret' }),
      form({ grant_type: 'client_credentials', client_id: 'spark' }),
    ]) {
      const bad = await tokenRequest(body);
      expect(bad.status).toBe(401);
      expect(bad.body.error).toBe('invalid_client');
    }
    const grant = await tokenRequest(form({ grant_type: 'password', username: 'a', password: 'b' }));
    expect(grant.status).toBe(400);
    expect(grant.body.error).toBe('unsupported_grant_type');
  });

  it('refreshes a token by token exchange (Bearer or subject_token), as Iceberg and Trino clients do', async () => {
    const viaHeader = await tokenRequest(
      form({ grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', subject_token_type: 'urn:ietf:params:oauth:token-type:access_token' }),
      as(spark),
    );
    expect(viaHeader.status).toBe(200);
    expect((await h.request('GET', '/v1/config', undefined, as(viaHeader.body.access_token))).status).toBe(200);
    const viaForm = await tokenRequest(form({ grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', subject_token: trino }));
    expect(viaForm.status).toBe(200);
    const forged = await tokenRequest(form({ grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', subject_token: `${spark.slice(0, -4)}AAAA` }));
    expect(forged.status).toBe(400);
    expect(forged.body.error).toBe('invalid_grant');
    // With its own credentials (Basic), a client gets a fresh token even when the old one is no good
    // (Iceberg's Java client does this when its token expired before the refresh).
    const basic = { authorization: `Basic ${Buffer.from('spark:s3cret').toString('base64')}` };
    const withBasic = await tokenRequest(form({ grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', subject_token: `${spark.slice(0, -4)}AAAA` }), basic);
    expect(withBasic.status).toBe(200);
    const wrongBasic = { authorization: `Basic ${Buffer.from('spark:nope').toString('base64')}` };
    const refused = await tokenRequest(form({ grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', subject_token: spark }), wrongBasic);
    expect([refused.status, refused.body.error]).toEqual([401, 'invalid_client']);
  });

  it('publishes its issuer and keys', async () => {
    const config = await h.request('GET', '/.well-known/openid-configuration');
    expect(config.body).toMatchObject({ issuer: ISSUER, jwks_uri: `${ISSUER}/.well-known/jwks.json`, token_endpoint: `${ISSUER}/v1/oauth/tokens` });
    const jwks = await h.request('GET', '/.well-known/jwks.json');
    expect(jwks.body.keys).toHaveLength(1);
    expect(jwks.body.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(jwks.body.keys[0].d).toBeUndefined();
  });

  it('answers 401 in the Iceberg shape with WWW-Authenticate, and in the Nessie shape', async () => {
    const missing = await h.request('GET', '/v1/config');
    expect(missing.status).toBe(401);
    expect(missing.body.error).toMatchObject({ type: 'NotAuthorizedException', code: 401 });
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="lakecat"');
    const bad = await h.request('GET', '/v1/main/namespaces', undefined, { authorization: 'Bearer abc.def.ghi' });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toBe('Bearer realm="lakecat", error="invalid_token"');
    expect(bad.text).not.toContain('abc.def.ghi');
    const nessie = await h.request('GET', '/api/v2/trees');
    expect(nessie.status).toBe(401);
    expect(nessie.body).toEqual({ status: 401, reason: 'Unauthorized', message: expect.stringContaining('Not authorized') });
    expect(nessie.headers.get('www-authenticate')).toBe('Bearer realm="lakecat"');
    // A refused write changed nothing.
    const refused = await h.request('POST', '/v1/namespaces', { namespace: ['sneaky'] });
    expect(refused.status).toBe(401);
    expect((await h.request('GET', '/v1/namespaces', undefined, as(spark))).body.namespaces).not.toContainEqual(['sneaky']);
  });

  it('keeps health, readiness and metrics open', async () => {
    for (const path of ['/health', '/ready', '/metrics']) expect((await h.request('GET', path)).status, path).toBe(200);
  });

  it('records the principal as the commit author, whatever the client claims', async () => {
    const created = await h.request('POST', '/v1/namespaces', { namespace: ['authored'] }, { ...as(spark), 'x-lakecat-author': 'mallory' });
    expect(created.status).toBe(200);
    const head = (await h.request('GET', '/api/v2/trees/main', undefined, as(spark))).body.reference.hash;
    const nessie = await h.request(
      'POST',
      `/api/v2/trees/main@${head}/history/commit`,
      { commitMeta: { message: 'ns', authors: ['mallory'] }, operations: [{ type: 'PUT', key: { elements: ['authored2'] }, content: { type: 'NAMESPACE', elements: ['authored2'], properties: {} } }] },
      as(trino),
    );
    expect(nessie.status).toBe(200);
    const log = await h.request('GET', '/api/v2/trees/main/history?max-records=2', undefined, as(spark));
    expect(log.body.logEntries.map((e: any) => e.commitMeta.authors)).toEqual([['trino'], ['spark']]);
  });

  it('never replays an Idempotency-Key to another principal', async () => {
    const key = '0b6c2d6e-1111-4222-8333-944455556666';
    const first = await h.request('POST', '/v1/namespaces', { namespace: ['idem'] }, { ...as(spark), 'idempotency-key': key });
    expect(first.status).toBe(200);
    expect((await h.request('POST', '/v1/namespaces', { namespace: ['idem'] }, { ...as(spark), 'idempotency-key': key })).status).toBe(200);
    const other = await h.request('POST', '/v1/namespaces', { namespace: ['idem'] }, { ...as(trino), 'idempotency-key': key });
    expect(other.status).toBe(400);
    expect(other.body.error.message).toMatch(/Idempotency-Key/);
  });
});

describe('the token endpoint without service clients', () => {
  it('tells the client to use its identity provider', async () => {
    const h = await createHarness({ identity: () => ({ authenticator: NO_AUTHENTICATION }) });
    try {
      const r = await h.request('POST', '/v1/oauth/tokens', 'grant_type=client_credentials&client_id=a&client_secret=b', {
        'content-type': 'application/x-www-form-urlencoded',
      });
      expect(r.status).toBe(400);
      expect(r.body).toEqual({ error: 'invalid_request', error_description: expect.stringContaining('set oauth2-server-uri') });
      expect((await h.request('GET', '/.well-known/jwks.json')).status).toBe(404);
    } finally {
      await h.close();
    }
  });
});

describe('service clients on one database', () => {
  it('sign with one key: a token from one process is accepted by another', async () => {
    const make = await withServiceClients([{ id: 'a', secret: 'x', roles: [] }]);
    const h = await createHarness({ identity: make });
    try {
      const second = make(h.store);
      const grant = await second.serviceClients.clientCredentials('a', 'x');
      expect(await h.catalog.identity.authenticate(`Bearer ${grant.accessToken}`)).toMatchObject({ name: 'a', clientId: 'a' });
    } finally {
      await h.close();
    }
  });
});
