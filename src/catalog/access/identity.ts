/**
 * Who is calling: bearer tokens (JWT) verified against trusted issuers, turned into principals.
 * lakecat is a resource server. It trusts OIDC providers found by discovery
 * (`<issuer>/.well-known/openid-configuration`, exact issuer match, JWKS cached with rotation)
 * and, when service clients are configured, itself (tokens it signs at its token endpoint,
 * service-clients.ts). Only asymmetric signatures are accepted, with a bounded clock skew; the
 * audience is checked; verified tokens are cached until they expire.
 */
import { createRemoteJWKSet, decodeJwt, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { Principal } from '../context.js';
import { ANONYMOUS } from '../context.js';
import { IdentityUnavailableError, NotAuthenticatedError } from '../errors.js';
import { Lru } from '../lru.js';
import type { ServiceClients } from './service-clients.js';

/** The signature algorithms accepted: asymmetric only (never `none`, never HMAC, which a public key could forge). */
export const ACCEPTED_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
const MAX_TOKEN_CHARS = 16 * 1024;
const BEARER = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/;

/** Turns the `Authorization` header of a request into the principal acting. */
export interface Authenticator {
  /** True when requests must carry a token (false: every request is the anonymous principal, an admin). */
  readonly required: boolean;
  authenticate(authorization: string | undefined): Promise<Principal>;
}

/** How a catalog knows its callers: the authenticator, and lakecat's own token issuer when service clients are configured. */
export interface Identity {
  authenticator: Authenticator;
  serviceClients?: ServiceClients;
}

/** No authentication: every request is the anonymous principal, allowed everything. */
export const NO_AUTHENTICATION: Authenticator = { required: false, authenticate: async () => ANONYMOUS };

export interface ClaimMapping {
  /** Claims tried in order for the principal's name (dotted paths reach nested claims). */
  principalClaims: string[];
  /** Claims whose values (lists, or strings split on spaces and commas) are the principal's roles. */
  rolesClaims: string[];
}

export const DEFAULT_CLAIMS: ClaimMapping = {
  principalClaims: ['preferred_username', 'client_id', 'azp', 'sub'],
  rolesClaims: ['roles', 'groups', 'realm_access.roles'],
};

/** A trusted issuer: its exact `iss`, and how to find the key of a token's `kid`. */
export interface TrustedIssuer {
  issuer: string;
  keys: () => Promise<JWTVerifyGetKey>;
}

export interface TokenAuthenticatorOptions {
  issuers: TrustedIssuer[];
  /** Accepted `aud` values: a token must name at least one. */
  audience: string[];
  claims?: ClaimMapping;
  clockToleranceSeconds?: number;
  now?: () => number;
  /** Verified tokens kept (by hash) until they expire. */
  cacheEntries?: number;
}

/** Verifies bearer JWTs from trusted issuers. */
export class TokenAuthenticator implements Authenticator {
  readonly required = true;
  /** Verified tokens by their text, until they expire; bounded by total token length. */
  private readonly cache: Lru<string, { principal: Principal; expiresMs: number }>;
  private readonly claims: ClaimMapping;
  private readonly now: () => number;

  constructor(private readonly opts: TokenAuthenticatorOptions) {
    if (opts.issuers.length === 0) throw new Error('token authentication needs at least one trusted issuer');
    if (opts.audience.length === 0) throw new Error('token authentication needs the audience tokens must name');
    this.claims = opts.claims ?? DEFAULT_CLAIMS;
    this.now = opts.now ?? Date.now;
    this.cache = new Lru(opts.cacheEntries ?? 10_000);
  }

  async authenticate(authorization: string | undefined): Promise<Principal> {
    if (authorization === undefined || authorization === '') throw new NotAuthenticatedError('Not authorized: a bearer token is required');
    if (authorization.length > MAX_TOKEN_CHARS + 7) throw new NotAuthenticatedError('Not authorized: the token is too large');
    const m = BEARER.exec(authorization);
    if (!m) throw new NotAuthenticatedError('Not authorized: expected an "Authorization: Bearer <token>" header');
    // Keyed by the token itself (a few hundred bytes; hashing it costed more than the lookup).
    const token = m[1];
    const hit = this.cache.get(token);
    if (hit && hit.expiresMs > this.now()) return hit.principal;
    const { principal, expiresMs } = await this.verify(token);
    this.cache.set(token, { principal, expiresMs });
    return principal;
  }

  /** Verifies a token and maps its claims; throws NotAuthenticatedError or IdentityUnavailableError. */
  async verify(token: string): Promise<{ principal: Principal; payload: JWTPayload; expiresMs: number }> {
    let unverified: JWTPayload;
    try {
      unverified = decodeJwt(token);
    } catch {
      throw new NotAuthenticatedError('Not authorized: the token is not a JWT');
    }
    // The issuer is chosen by exact match only: a token never chooses where its key comes from.
    const trusted = this.opts.issuers.find((i) => i.issuer === unverified.iss);
    if (!trusted) throw new NotAuthenticatedError('Not authorized: the token is from an issuer this catalog does not trust');
    let payload: JWTPayload;
    try {
      const keys = await trusted.keys();
      ({ payload } = await jwtVerify(token, keys, {
        issuer: trusted.issuer,
        audience: this.opts.audience,
        algorithms: ACCEPTED_ALGORITHMS,
        clockTolerance: this.opts.clockToleranceSeconds ?? 60,
        requiredClaims: ['sub', 'exp'],
        currentDate: new Date(this.now()),
      }));
    } catch (err) {
      if (err instanceof IdentityUnavailableError) throw err;
      if (unavailable(err)) {
        throw new IdentityUnavailableError(`The identity provider ${trusted.issuer} could not be reached to check the token; try again`);
      }
      if (err instanceof errors.JWTExpired) throw new NotAuthenticatedError('Not authorized: the token has expired');
      throw new NotAuthenticatedError('Not authorized: the token is invalid');
    }
    return { principal: this.principalOf(trusted.issuer, payload), payload, expiresMs: (payload.exp as number) * 1000 };
  }

  private principalOf(issuer: string, payload: JWTPayload): Principal {
    const subject = String(payload.sub);
    let name = subject;
    for (const claim of this.claims.principalClaims) {
      const v = claimAt(payload, claim);
      if (typeof v === 'string' && v !== '') {
        name = v;
        break;
      }
    }
    const roles = new Set<string>();
    for (const claim of this.claims.rolesClaims) {
      const v = claimAt(payload, claim);
      const values = Array.isArray(v) ? v : typeof v === 'string' ? v.split(/[\s,]+/) : [];
      for (const r of values) if (typeof r === 'string' && r !== '') roles.add(r);
    }
    const clientId = typeof payload.azp === 'string' ? payload.azp : typeof payload.client_id === 'string' ? payload.client_id : undefined;
    return { kind: 'user', name, roles: [...roles].sort(), issuer, subject, ...(clientId ? { clientId } : {}) };
  }
}

function claimAt(payload: JWTPayload, path: string): unknown {
  let v: unknown = payload;
  for (const part of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

/** True for failures to reach the issuer's keys (not for a bad token). */
function unavailable(err: unknown): boolean {
  if (err instanceof errors.JWKSTimeout) return true;
  if (err instanceof errors.JOSEError) return /Expected 200 OK from the JSON Web Key Set/i.test(err.message);
  return err instanceof TypeError || (err instanceof Error && /fetch failed|ECONNREFUSED|ENOTFOUND|network/i.test(err.message));
}

/**
 * An OIDC provider found by discovery: `<issuer>/.well-known/openid-configuration` must name the
 * same issuer exactly; its `jwks_uri` is fetched and cached (10 minutes, refetched at most every
 * 30 s for an unknown key id, so a rotated key is picked up). Discovery runs on first use and is
 * retried after a failure, so the catalog starts even while the provider is down.
 */
export function discoveredIssuer(issuer: string, opts: { fetch?: typeof fetch; jwksCooldownMs?: number } = {}): TrustedIssuer {
  const fetchImpl = opts.fetch ?? fetch;
  let keys: Promise<JWTVerifyGetKey> | undefined;
  const discover = async (): Promise<JWTVerifyGetKey> => {
    const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
    let config: { issuer?: unknown; jwks_uri?: unknown };
    try {
      const res = await fetchImpl(url, { signal: AbortSignal.timeout(5_000) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      config = (await res.json()) as typeof config;
    } catch (err) {
      throw new IdentityUnavailableError(`OIDC discovery failed for ${issuer}: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (config.issuer !== issuer) {
      throw new IdentityUnavailableError(`OIDC discovery for ${issuer} names another issuer (${String(config.issuer)}); configure the issuer exactly`);
    }
    if (typeof config.jwks_uri !== 'string') throw new IdentityUnavailableError(`OIDC discovery for ${issuer} names no jwks_uri`);
    return createRemoteJWKSet(new URL(config.jwks_uri), { cacheMaxAge: 600_000, cooldownDuration: opts.jwksCooldownMs ?? 30_000, timeoutDuration: 5_000 });
  };
  return {
    issuer,
    keys: () => {
      keys ??= discover().catch((err: unknown) => {
        keys = undefined;
        throw err;
      });
      return keys;
    },
  };
}
