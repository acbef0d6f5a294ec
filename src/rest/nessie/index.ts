/**
 * Nessie API v2, as served by Nessie at `/api/v2`, so that Nessie's own tools work against
 * lakecat: the Nessie CLI, Spark's Nessie SQL extensions and Iceberg's NessieCatalog. Mount it
 * with `app.route('/api/v2', createNessieApi({ catalog }))`. Wire translation only: every route
 * parses Nessie's JSON into a catalog verb call and prints the result (or the domain error) in
 * Nessie's shapes.
 */
import { Hono, type Context } from 'hono';
import { NO_ANCESTOR_HASH, type Catalog } from '../../catalog/index.js';
import { authentication, wwwAuthenticate } from '../auth.js';
import { respond } from './body.js';
import { getContent, getDiff, getSeveralContents, postMultipleContents } from './contents.js';
import { commitOperations } from './commit.js';
import type { NessieDeps } from './context.js';
import { getEntries } from './entries.js';
import { errorBody, routingErrorBody, toNessieError } from './errors.js';
import { getCommitLog } from './history.js';
import { mergeIntoBranch, transplantIntoBranch } from './merge.js';
import { assignReference, createReference, deleteReference, getReference, listReferences } from './references.js';
import { matchTreePath, type TreeRoute } from './tree-path.js';

/** The Nessie spec version advertised; 2.2 clients send content keys in the escaped path form. */
export const NESSIE_SPEC_VERSION = '2.2.0';

export function createNessieApi(deps: { catalog: Catalog }): Hono {
  const ctx: NessieDeps = { catalog: deps.catalog, defaultBranch: deps.catalog.defaultBranch };
  const app = new Hono();

  app.onError((err, c) => {
    const body = toNessieError(err);
    const res = respond(c, body, body.status);
    if (body.status === 401) for (const [k, v] of Object.entries(wwwAuthenticate(c))) res.headers.set(k, v);
    return res;
  });
  // Every route, `/config` included, needs a principal when authentication is on.
  const authn = authentication(deps.catalog);
  if (authn) app.use('*', authn);

  app.get('/config', (c) =>
    respond(c, {
      defaultBranch: ctx.defaultBranch,
      minSupportedApiVersion: 1,
      maxSupportedApiVersion: 2,
      actualApiVersion: 2,
      specVersion: NESSIE_SPEC_VERSION,
      noAncestorHash: NO_ANCESTOR_HASH,
    }),
  );
  // Repository configs (garbage-collection defaults and the like) are not kept; clients get none.
  app.get('/config/repository', (c) => respond(c, { configs: [] }));

  app.get('/trees', (c) => listReferences(ctx, c));
  app.post('/trees', (c) => createReference(ctx, c));
  app.on(['GET', 'POST', 'PUT', 'DELETE'], '/trees/*', (c) => dispatchTree(ctx, c));
  // Registered as a route, not notFound(): a mounted sub-app's notFound handler is not used by the parent.
  app.all('*', (c) => noEndpoint(c));
  return app;
}

/** The raw path after `/trees/`, still percent-encoded (a ref may hold an encoded '/'). */
function rawTreePath(c: Context): string {
  const path = new URL(c.req.url).pathname;
  const at = path.indexOf('/trees/');
  return at < 0 ? '' : path.slice(at + '/trees/'.length);
}

function notAllowed(c: Context): Response {
  return respond(c, routingErrorBody(405, `Method ${c.req.method} is not allowed on ${c.req.path}`), 405);
}

function noEndpoint(c: Context): Response {
  return respond(c, routingErrorBody(404, `No Nessie API v2 endpoint ${c.req.method} ${c.req.path}`), 404);
}

type TreeHandler = (ctx: NessieDeps, c: Context, route: TreeRoute) => Promise<Response> | Response;

/** Every endpoint below `/trees/`: route kind, method and handler (the operation table in src/rest/operations.ts names each). */
export const TREE_ENDPOINTS: { kind: TreeRoute['kind']; method: 'GET' | 'POST' | 'PUT' | 'DELETE'; path: string; handler: TreeHandler }[] = [
  { kind: 'ref', method: 'GET', path: '/trees/{ref}', handler: (d, c, r) => getReference(d, c, refOf(r)) },
  { kind: 'ref', method: 'PUT', path: '/trees/{ref}', handler: (d, c, r) => assignReference(d, c, refOf(r)) },
  { kind: 'ref', method: 'DELETE', path: '/trees/{ref}', handler: (d, c, r) => deleteReference(d, c, refOf(r)) },
  { kind: 'entries', method: 'GET', path: '/trees/{ref}/entries', handler: (d, c, r) => getEntries(d, c, refOf(r)) },
  { kind: 'history', method: 'GET', path: '/trees/{ref}/history', handler: (d, c, r) => getCommitLog(d, c, refOf(r)) },
  { kind: 'commit', method: 'POST', path: '/trees/{ref}/history/commit', handler: (d, c, r) => commitOperations(d, c, refOf(r)) },
  { kind: 'merge', method: 'POST', path: '/trees/{ref}/history/merge', handler: (d, c, r) => mergeIntoBranch(d, c, refOf(r)) },
  { kind: 'transplant', method: 'POST', path: '/trees/{ref}/history/transplant', handler: (d, c, r) => transplantIntoBranch(d, c, refOf(r)) },
  { kind: 'contents', method: 'GET', path: '/trees/{ref}/contents', handler: (d, c, r) => getSeveralContents(d, c, refOf(r)) },
  { kind: 'contents', method: 'POST', path: '/trees/{ref}/contents', handler: (d, c, r) => postMultipleContents(d, c, refOf(r)) },
  { kind: 'content', method: 'GET', path: '/trees/{ref}/contents/{key}', handler: (d, c, r) => (r.kind === 'content' ? getContent(d, c, r.ref, r.key) : noEndpoint(c)) },
  { kind: 'diff', method: 'GET', path: '/trees/{from}/diff/{to}', handler: (d, c, r) => (r.kind === 'diff' ? getDiff(d, c, r.from, r.to) : noEndpoint(c)) },
  {
    kind: 'recent-changes',
    method: 'GET',
    path: '/trees/{ref}/recent-changes',
    handler: (_d, c) => respond(c, errorBody('BAD_REQUEST', 'Reference history (recent-changes) is not recorded by lakecat'), 400),
  },
];

function refOf(route: TreeRoute): string {
  return 'ref' in route ? route.ref : '';
}

async function dispatchTree(ctx: NessieDeps, c: Context): Promise<Response> {
  const route: TreeRoute | undefined = matchTreePath(rawTreePath(c));
  if (route === undefined) return noEndpoint(c);
  const endpoints = TREE_ENDPOINTS.filter((e) => e.kind === route.kind);
  const endpoint = endpoints.find((e) => e.method === c.req.method);
  if (!endpoint) return endpoints.length > 0 ? notAllowed(c) : noEndpoint(c);
  return endpoint.handler(ctx, c, route);
}
