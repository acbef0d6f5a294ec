/**
 * Authentication at the edge of each API: the request's `Authorization` header is handed to the
 * catalog, which answers the principal or a NotAuthenticatedError (each API's error handler
 * turns that into a 401 in its own shape, with `WWW-Authenticate`). Without authentication no
 * middleware runs and every request is the anonymous principal.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { ANONYMOUS, type Catalog, type Principal } from '../catalog/index.js';

/** The middleware that authenticates every request of an API, or undefined when authentication is off. */
export function authentication(catalog: Catalog): MiddlewareHandler | undefined {
  if (!catalog.identity.required) return undefined;
  return async (c, next) => {
    c.set('principal', await catalog.identity.authenticate(c.req.header('authorization')));
    await next();
  };
}

export function principalOf(c: Context): Principal {
  return (c.get('principal') as Principal | undefined) ?? ANONYMOUS;
}

/** RFC 6750: `error="invalid_token"` only when a token was presented. */
export function wwwAuthenticate(c: Context): Record<string, string> {
  return { 'www-authenticate': c.req.header('authorization') ? 'Bearer realm="lakecat", error="invalid_token"' : 'Bearer realm="lakecat"' };
}
