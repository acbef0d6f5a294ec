/**
 * A small OIDC identity provider for tests, on 127.0.0.1: discovery, a JWKS with rotatable
 * keys, and a signer that mints tokens with whatever claims, key or algorithm a test needs
 * (expired, wrong audience, unknown key id, `alg: none`, HMAC with the public key, ...).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { base64url, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';

export interface FixtureKey {
  kid: string;
  alg: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export interface FixtureIdp {
  issuer: string;
  /** Keys published in the JWKS; the first one signs by default. */
  published: FixtureKey[];
  /** Requests the IdP served, by path, in order. */
  requests: string[];
  /** When set, the IdP answers every request with this HTTP status (an outage). */
  failWith: number | undefined;
  newKey(alg?: 'RS256' | 'ES256', kid?: string): Promise<FixtureKey>;
  /** A signed token: `iss`, `sub`, `aud`, `iat` and `exp` (in 5 min) filled in unless given. */
  sign(claims?: JWTPayload, opts?: { key?: FixtureKey; kid?: string; header?: Record<string, unknown> }): Promise<string>;
  close(): Promise<void>;
}

export async function startFixtureIdp(opts: { audience?: string; discoveryIssuer?: (issuer: string) => string } = {}): Promise<FixtureIdp> {
  const requests: string[] = [];
  let idp: FixtureIdp;
  const server: Server = createServer((req, res) => {
    requests.push(req.url ?? '');
    if (idp.failWith !== undefined) {
      res.writeHead(idp.failWith).end();
      return;
    }
    if (req.url === '/.well-known/openid-configuration') {
      const issuer = opts.discoveryIssuer ? opts.discoveryIssuer(idp.issuer) : idp.issuer;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ issuer, jwks_uri: `${idp.issuer}/jwks` }));
    } else if (req.url === '/jwks') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: idp.published.map((k) => k.publicJwk) }));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let counter = 0;
  idp = {
    issuer,
    published: [],
    requests,
    failWith: undefined,
    async newKey(alg = 'RS256', kid = `k${++counter}`) {
      const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
      return { kid, alg, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
    },
    async sign(claims = {}, o = {}) {
      const key = o.key ?? idp.published[0];
      const now = Math.floor(Date.now() / 1000);
      const payload = { iss: issuer, sub: 'alice', aud: opts.audience ?? 'lakecat', iat: now, exp: now + 300, ...claims };
      return new SignJWT(payload).setProtectedHeader({ alg: key.alg, kid: o.kid ?? key.kid, ...o.header }).sign(key.privateKey);
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
  idp.published.push(await idp.newKey());
  return idp;
}

/** An unsigned token (`alg: none`), which no verifier may accept. */
export function unsignedToken(payload: JWTPayload): string {
  const enc = (v: unknown) => base64url.encode(JSON.stringify(v));
  return `${enc({ alg: 'none', typ: 'JWT' })}.${enc(payload)}.`;
}

/** An HS256 token whose HMAC key is the given public key's JSON (the classic key-confusion attack). */
export async function hmacWithPublicKey(payload: JWTPayload, publicJwk: JWK): Promise<string> {
  const secret = new TextEncoder().encode(JSON.stringify(publicJwk));
  return new SignJWT(payload).setProtectedHeader({ alg: 'HS256', kid: publicJwk.kid }).sign(secret);
}
