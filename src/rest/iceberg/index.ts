import { Hono, type Context } from 'hono';
import { NotFoundError, parseRefExpression, RefSyntaxError } from '../../catalog/index.js';
import { authentication, wwwAuthenticate } from '../auth.js';
import { json } from '../http.js';
import { requestActor, type IcebergApiOptions, type IcebergEnv } from './context.js';
import { toIcebergError } from './errors.js';
import { namespaceRoutes } from './namespace-routes.js';
import { tableRoutes } from './table-routes.js';
import { viewRoutes } from './view-routes.js';

/** Every endpoint this server implements, as advertised in `GET /v1/config`. */
export const ENDPOINTS = [
  'GET /v1/{prefix}/namespaces',
  'POST /v1/{prefix}/namespaces',
  'GET /v1/{prefix}/namespaces/{namespace}',
  'HEAD /v1/{prefix}/namespaces/{namespace}',
  'DELETE /v1/{prefix}/namespaces/{namespace}',
  'POST /v1/{prefix}/namespaces/{namespace}/properties',
  'GET /v1/{prefix}/namespaces/{namespace}/tables',
  'POST /v1/{prefix}/namespaces/{namespace}/tables',
  'GET /v1/{prefix}/namespaces/{namespace}/tables/{table}',
  'HEAD /v1/{prefix}/namespaces/{namespace}/tables/{table}',
  'POST /v1/{prefix}/namespaces/{namespace}/tables/{table}',
  'DELETE /v1/{prefix}/namespaces/{namespace}/tables/{table}',
  'POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/unregister',
  'GET /v1/{prefix}/namespaces/{namespace}/tables/{table}/credentials',
  'POST /v1/{prefix}/namespaces/{namespace}/register',
  'POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/metrics',
  'POST /v1/{prefix}/tables/rename',
  'POST /v1/{prefix}/transactions/commit',
  'GET /v1/{prefix}/namespaces/{namespace}/views',
  'POST /v1/{prefix}/namespaces/{namespace}/views',
  'GET /v1/{prefix}/namespaces/{namespace}/views/{view}',
  'HEAD /v1/{prefix}/namespaces/{namespace}/views/{view}',
  'POST /v1/{prefix}/namespaces/{namespace}/views/{view}',
  'DELETE /v1/{prefix}/namespaces/{namespace}/views/{view}',
  'POST /v1/{prefix}/views/rename',
  'POST /v1/{prefix}/namespaces/{namespace}/register-view',
];

/** The Iceberg REST API, mounted at `/v1`: both `/v1/...` (default branch) and `/v1/{prefix}/...`. */
export function createIcebergApi(opts: IcebergApiOptions): Hono<IcebergEnv> {
  const app = new Hono<IcebergEnv>();
  app.onError((err, c) => {
    const { status, body } = toIcebergError(err);
    if (status >= 500) console.error(JSON.stringify({ level: 'error', requestId: c.get('requestId'), error: String(err), stack: (err as Error).stack }));
    return json(c, body, status as 400, status === 401 ? wwwAuthenticate(c) : undefined);
  });
  // Every route, `/config` included, needs a principal when authentication is on.
  const authn = authentication(opts.catalog);
  if (authn) app.use('*', authn);
  app.notFound((c) =>
    json(c, { error: { message: `No route for ${c.req.method} ${c.req.path}`, type: 'NotFoundException', code: 404 } }, 404),
  );

  app.get('/config', async (c) => {
    const warehouse = c.req.query('warehouse');
    const prefix = await prefixForWarehouse(opts, c, warehouse);
    return json(c, {
      defaults: {},
      overrides: { prefix },
      endpoints: ENDPOINTS,
      'idempotency-key-lifetime': isoDuration(opts.idempotency.lifetimeMs),
    });
  });

  // Registered once, on this app: a `use('*')` inside `routes` would also run under the '/'
  // mount for prefixed paths, so one request would meet its own claim and wait for itself.
  app.use('*', opts.idempotency.middleware());
  const routes = new Hono<IcebergEnv>();
  routes.route('/', namespaceRoutes(opts));
  routes.route('/', tableRoutes(opts));
  routes.route('/', viewRoutes(opts));
  // The default-branch routes are registered first so that `/v1/namespaces/...` never reads as a prefix.
  app.route('/', routes);
  app.route('/:prefix', routes);
  return app;
}

/**
 * `GET /v1/config?warehouse=X`: a client names a branch, tag or `branch@hash` as its warehouse
 * and gets it back as the prefix, which pins the client to that reference. A location-like
 * warehouse (`s3://...`, a path) or none selects the default branch.
 */
async function prefixForWarehouse(opts: IcebergApiOptions, c: Context, warehouse: string | undefined): Promise<string> {
  const { catalog } = opts;
  if (!warehouse || warehouse.includes('://') || warehouse.startsWith('/')) return catalog.defaultBranch;
  let name: string | undefined;
  try {
    name = parseRefExpression(warehouse).name;
  } catch (err) {
    if (err instanceof RefSyntaxError) throw new NotFoundError(`Warehouse '${warehouse}' is neither a reference name nor a location`, 'reference');
    throw err;
  }
  if (name !== undefined && name !== '-') {
    const actor = requestActor(c);
    try {
      await catalog.refs.get(actor, name);
    } catch (err) {
      if (err instanceof NotFoundError) {
        const names = (await catalog.refs.list(actor)).map((r) => r.name);
        throw new NotFoundError(`Warehouse '${warehouse}' not found: no branch or tag named '${name}' (existing: ${names.join(', ')})`, 'reference');
      }
      throw err;
    }
  }
  return warehouse;
}

function isoDuration(ms: number): string {
  return `PT${Math.round(ms / 60000)}M`;
}
