/**
 * For deployments without an identity provider: service clients (an id, a hashed secret and
 * roles, from configuration) get tokens from lakecat itself with the OAuth2 client-credentials
 * grant, signed by lakecat's own key (ES256). Every lakecat process on one database signs with
 * the same key, kept in the database (`auth_keys`), and publishes it as a JWKS. A token can be
 * exchanged for a fresh one before it expires (RFC 8693 token exchange, which Iceberg's Java
 * client and Trino use to refresh).
 */
import { randomBytes, scrypt as scryptCallback, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { createLocalJWKSet, exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import { NotAuthenticatedError } from '../errors.js';
import type { TokenAuthenticator, TrustedIssuer } from './identity.js';

const scrypt = promisify(scryptCallback) as (password: string, salt: Buffer, keylen: number, opts: { N: number; r: number; p: number; maxmem: number }) => Promise<Buffer>;

export interface ServiceClient {
  id: string;
  /** `scrypt$N$r$p$<salt>$<hash>` (base64url), as `lakecat hash-secret` prints it. */
  secretHash: string;
  roles: string[];
}

/** The signing key shared by every lakecat process on one database. */
export interface SigningKey {
  kid: string;
  privateJwk: JWK;
  publicJwk: JWK;
}

/** Where the signing key lives: created once, then read by every process. */
export interface SigningKeyStore {
  /** The oldest key, after storing `candidate` if there is none yet (every process converges on one key). */
  signingKey(candidate: () => Promise<SigningKey>): Promise<SigningKey>;
}

/** Hashes a client secret for the configuration (scrypt, random salt). */
export async function hashSecret(secret: string, cost = { N: 16384, r: 8, p: 1 }): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(secret, salt, 32, { ...cost, maxmem: 64 * 1024 * 1024 });
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

export async function secretMatches(secret: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  if (![N, r, p].every((n) => Number.isSafeInteger(n) && n > 0)) return false;
  const expected = Buffer.from(parts[5], 'base64url');
  const actual = await scrypt(secret, Buffer.from(parts[4], 'base64url'), expected.length, { N, r, p, maxmem: 64 * 1024 * 1024 });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

export async function newSigningKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = randomBytes(9).toString('base64url');
  return {
    kid,
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg: 'ES256' },
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' },
  };
}

export interface TokenGrant {
  accessToken: string;
  expiresInSeconds: number;
}

export interface ServiceClientsOptions {
  clients: ServiceClient[];
  /** lakecat's own issuer: the URL clients reach it at, e.g. `https://lakecat.example.com`. */
  issuer: string;
  /** Audience of the tokens issued (one of the audiences the authenticator accepts). */
  audience: string;
  tokenLifetimeSeconds: number;
  keys: SigningKeyStore;
  now?: () => number;
}

/** lakecat's token endpoint logic: client credentials and token exchange. */
export class ServiceClients {
  private key: Promise<SigningKey> | undefined;
  private readonly now: () => number;
  /** Set once the authenticator exists (it verifies exchanged tokens). */
  verifier: TokenAuthenticator | undefined;

  constructor(private readonly opts: ServiceClientsOptions) {
    this.now = opts.now ?? Date.now;
    const ids = new Set<string>();
    for (const c of opts.clients) {
      if (ids.has(c.id)) throw new Error(`service client '${c.id}' is configured twice`);
      ids.add(c.id);
    }
  }

  get issuer(): string {
    return this.opts.issuer;
  }

  private signingKey(): Promise<SigningKey> {
    this.key ??= this.opts.keys.signingKey(newSigningKey).catch((err: unknown) => {
      this.key = undefined;
      throw err;
    });
    return this.key;
  }

  /** lakecat as a trusted issuer of its own tokens. */
  trustedIssuer(): TrustedIssuer {
    return { issuer: this.opts.issuer, keys: async () => createLocalJWKSet({ keys: [(await this.signingKey()).publicJwk] }) };
  }

  /** The public keys, as served at `/.well-known/jwks.json`. */
  async jwks(): Promise<{ keys: JWK[] }> {
    return { keys: [(await this.signingKey()).publicJwk] };
  }

  /** The client-credentials grant. Unknown client and wrong secret are the same answer. */
  async clientCredentials(clientId: string, secret: string): Promise<TokenGrant> {
    const client = this.opts.clients.find((c) => c.id === clientId);
    // A miss still pays for one hash, so the answer time does not tell which ids exist.
    const ok = client ? await secretMatches(secret, client.secretHash) : (await secretMatches(secret, DUMMY_HASH), false);
    if (!client || !ok) throw new NotAuthenticatedError('invalid client credentials');
    return this.issue(client);
  }

  /** Token exchange: a still-valid lakecat token for a fresh one (the client must still be configured). */
  async exchange(subjectToken: string): Promise<TokenGrant> {
    if (!this.verifier) throw new NotAuthenticatedError('token exchange is not available');
    const { payload } = await this.verifier.verify(subjectToken);
    if (payload.iss !== this.opts.issuer) throw new NotAuthenticatedError('only tokens issued by this catalog can be exchanged');
    const client = this.opts.clients.find((c) => c.id === payload.sub);
    if (!client) throw new NotAuthenticatedError('the client of this token is no longer configured');
    return this.issue(client);
  }

  private async issue(client: ServiceClient): Promise<TokenGrant> {
    const key = await this.signingKey();
    const nowSec = Math.floor(this.now() / 1000);
    const accessToken = await new SignJWT({ client_id: client.id, azp: client.id, roles: client.roles })
      .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'JWT' })
      .setIssuer(this.opts.issuer)
      .setSubject(client.id)
      .setAudience(this.opts.audience)
      .setIssuedAt(nowSec)
      .setNotBefore(nowSec)
      .setExpirationTime(nowSec + this.opts.tokenLifetimeSeconds)
      .setJti(randomBytes(12).toString('base64url'))
      .sign(await importJWK(key.privateJwk, 'ES256'));
    return { accessToken, expiresInSeconds: this.opts.tokenLifetimeSeconds };
  }
}

const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

/** Reads the service clients file: `[{"id": "...", "secretHash": "scrypt$...", "roles": ["..."]}]`. */
export function parseServiceClients(text: string, source: string): ServiceClient[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new Error(`${source}: not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!Array.isArray(parsed)) throw new Error(`${source}: expected a JSON list of clients`);
  return parsed.map((c: unknown, i) => {
    const o = (c ?? {}) as Record<string, unknown>;
    const where = `${source}: client ${i + 1}`;
    if (typeof o.id !== 'string' || !/^[A-Za-z0-9._-]{1,128}$/.test(o.id)) throw new Error(`${where}: "id" must be 1-128 of A-Z a-z 0-9 . _ -`);
    if (typeof o.secretHash !== 'string' || !o.secretHash.startsWith('scrypt$')) {
      throw new Error(`${where}: "secretHash" must be a hash printed by \`lakecat hash-secret\` (never the secret itself)`);
    }
    const roles = o.roles ?? [];
    if (!Array.isArray(roles) || !roles.every((r) => typeof r === 'string')) throw new Error(`${where}: "roles" must be a list of strings`);
    return { id: o.id, secretHash: o.secretHash, roles: roles as string[] };
  });
}
