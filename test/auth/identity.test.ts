/**
 * Bearer-token verification against an OIDC provider found by discovery: every way a token can
 * be wrong is a NotAuthenticatedError (a 401), an unreachable provider an IdentityUnavailableError
 * (a 503), and a good token a principal with its roles.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { discoveredIssuer, TokenAuthenticator } from '../../src/catalog/access/identity.js';
import { IdentityUnavailableError, NotAuthenticatedError } from '../../src/catalog/index.js';
import { hmacWithPublicKey, startFixtureIdp, unsignedToken, type FixtureIdp } from '../support/fixture-idp.js';

describe('TokenAuthenticator with an OIDC provider', () => {
  let idp: FixtureIdp;
  let auth: TokenAuthenticator;
  const bearer = (t: string) => `Bearer ${t}`;
  const refused = async (header: string | undefined, message: RegExp = /Not authorized/) => {
    const err = await auth.authenticate(header).catch((e: unknown) => e);
    expect(err, String(header).slice(0, 60)).toBeInstanceOf(NotAuthenticatedError);
    expect((err as Error).message).toMatch(message);
  };

  beforeAll(async () => {
    idp = await startFixtureIdp();
  });
  afterAll(() => idp.close());
  beforeEach(() => {
    idp.failWith = undefined;
    auth = new TokenAuthenticator({
      issuers: [discoveredIssuer(idp.issuer)],
      audience: ['lakecat'],
      claims: { principalClaims: ['preferred_username', 'sub'], rolesClaims: ['roles', 'realm_access.roles', 'scope'] },
    });
  });

  it('turns a valid token into a principal with its name and roles from the configured claims', async () => {
    const p = await auth.authenticate(
      bearer(await idp.sign({ preferred_username: 'alice@example.com', roles: ['engineer'], realm_access: { roles: ['analyst'] }, scope: 'catalog x', azp: 'spark' })),
    );
    expect(p).toEqual({
      kind: 'user',
      name: 'alice@example.com',
      roles: ['analyst', 'catalog', 'engineer', 'x'],
      issuer: idp.issuer,
      subject: 'alice',
      clientId: 'spark',
    });
    // Without a name claim, the subject.
    expect(await auth.authenticate(bearer(await idp.sign({ sub: 'svc-1' })))).toMatchObject({ name: 'svc-1', roles: [] });
  });

  it('refuses missing and malformed Authorization headers', async () => {
    const token = await idp.sign();
    await refused(undefined, /bearer token is required/);
    await refused('');
    await refused('Basic YWxpY2U6c2VjcmV0');
    await refused('Bearer');
    await refused('Bearer ');
    await refused(`${bearer(token)}, ${bearer(token)}`);
    await refused(bearer(`${'a'.repeat(16 * 1024)}.b.c`), /too large/);
    await refused(bearer('not-a-jwt'));
  });

  it('refuses expired and not-yet-valid tokens, within a clock skew of 60 s', async () => {
    const now = Math.floor(Date.now() / 1000);
    await refused(bearer(await idp.sign({ exp: now - 120 })), /expired/);
    expect(await auth.authenticate(bearer(await idp.sign({ exp: now - 30 })))).toMatchObject({ name: 'alice' });
    await refused(bearer(await idp.sign({ nbf: now + 600 })));
    await refused(bearer(await idp.sign({ exp: undefined })));
    await refused(bearer(await idp.sign({ sub: undefined })));
  });

  it('refuses other issuers and audiences', async () => {
    await refused(bearer(await idp.sign({ iss: 'http://127.0.0.1:1/other' })), /does not trust/);
    await refused(bearer(await idp.sign({ iss: `${idp.issuer}/` })), /does not trust/);
    await refused(bearer(await idp.sign({ aud: 'someone-else' })));
    await refused(bearer(await idp.sign({ aud: undefined })));
    expect(await auth.authenticate(bearer(await idp.sign({ aud: ['other', 'lakecat'] })))).toMatchObject({ name: 'alice' });
  });

  it('refuses forged tokens: tampered payload, foreign key with a known kid, alg none, HMAC with the public key', async () => {
    const token = await idp.sign({ roles: ['analyst'] });
    const [h, , s] = token.split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()), roles: ['admin'] })).toString('base64url');
    await refused(bearer(`${h}.${forgedPayload}.${s}`));
    const foreign = await idp.newKey('RS256', idp.published[0].kid);
    await refused(bearer(await idp.sign({}, { key: foreign })));
    const now = Math.floor(Date.now() / 1000);
    const claims = { iss: idp.issuer, sub: 'mallory', aud: 'lakecat', iat: now, exp: now + 300 };
    await refused(bearer(unsignedToken(claims)));
    await refused(bearer(await hmacWithPublicKey(claims, idp.published[0].publicJwk)));
  });

  it('follows key rotation: an unknown key id makes it fetch the JWKS again, at most once per cooldown', async () => {
    auth = new TokenAuthenticator({ issuers: [discoveredIssuer(idp.issuer, { jwksCooldownMs: 300 })], audience: ['lakecat'] });
    expect(await auth.authenticate(bearer(await idp.sign()))).toMatchObject({ name: 'alice' });
    await new Promise((r) => setTimeout(r, 350));
    const rotated = await idp.newKey('ES256');
    idp.published.push(rotated);
    const fetches = idp.requests.filter((r) => r === '/jwks').length;
    expect(await auth.authenticate(bearer(await idp.sign({ sub: 'bob' }, { key: rotated })))).toMatchObject({ name: 'bob' });
    expect(idp.requests.filter((r) => r === '/jwks').length).toBe(fetches + 1);
    // A key id nobody publishes: refused (and not fetched again within the cooldown).
    await refused(bearer(await idp.sign({}, { kid: 'nobody' })));
    await refused(bearer(await idp.sign({}, { kid: 'nobody' })));
    expect(idp.requests.filter((r) => r === '/jwks').length).toBe(fetches + 1);
    idp.published.pop();
  });

  it('answers unavailable while the provider cannot be reached, and keeps serving tokens it already verified', async () => {
    const token = bearer(await idp.sign({ sub: 'cached' }));
    expect(await auth.authenticate(token)).toMatchObject({ name: 'cached' });
    idp.failWith = 503;
    const fresh = new TokenAuthenticator({ issuers: [discoveredIssuer(idp.issuer)], audience: ['lakecat'] });
    await expect(fresh.authenticate(bearer(await idp.sign()))).rejects.toThrow(IdentityUnavailableError);
    expect(await auth.authenticate(token)).toMatchObject({ name: 'cached' });
    // Discovery is retried once the provider is back.
    idp.failWith = undefined;
    expect(await fresh.authenticate(bearer(await idp.sign()))).toMatchObject({ name: 'alice' });
  });

  it('refuses a provider whose discovery names another issuer', async () => {
    const liar = await startFixtureIdp({ discoveryIssuer: () => 'http://evil.example' });
    try {
      const a = new TokenAuthenticator({ issuers: [discoveredIssuer(liar.issuer)], audience: ['lakecat'] });
      await expect(a.authenticate(bearer(await liar.sign()))).rejects.toThrow(/names another issuer/);
    } finally {
      await liar.close();
    }
  });
});
