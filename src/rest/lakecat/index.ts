/**
 * lakecat's own API (`/api/lakecat/v1`), for what neither the Iceberg REST protocol nor the
 * Nessie API has a place for. Errors use the Iceberg shape. Today: `GET /whoami`.
 */
import { Hono } from 'hono';
import type { Catalog } from '../../catalog/index.js';
import { authentication, principalOf, wwwAuthenticate } from '../auth.js';
import { json } from '../http.js';
import { toIcebergError } from '../iceberg/errors.js';

export function createLakecatApi(catalog: Catalog): Hono {
  const app = new Hono();
  app.onError((err, c) => {
    const { status, body } = toIcebergError(err);
    return json(c, body, status as 400, status === 401 ? wwwAuthenticate(c) : undefined);
  });
  const authn = authentication(catalog);
  if (authn) app.use('*', authn);

  /** Who the caller is, as the catalog sees it (name, roles, issuer), and whether authentication is on. */
  app.get('/whoami', (c) => {
    const p = principalOf(c);
    const principal =
      p.kind === 'user'
        ? { kind: p.kind, name: p.name, roles: p.roles, issuer: p.issuer, subject: p.subject, ...(p.clientId ? { clientId: p.clientId } : {}) }
        : p.kind === 'system'
          ? { kind: p.kind, name: p.name, roles: [] }
          : { kind: p.kind, name: 'anonymous', roles: [] };
    return json(c, { authentication: catalog.identity.required ? 'token' : 'none', principal });
  });
  app.notFound((c) => json(c, { error: { message: `No route for ${c.req.method} ${c.req.path}`, type: 'NotFoundException', code: 404 } }, 404));
  return app;
}
