import { Hono } from 'hono';
import { checkNamespace, type Namespace, type Page } from '../../catalog/index.js';
import { json, rawJson, readJsonObject, RequestError } from '../http.js';
import { requestActor, requestRef, type IcebergApiOptions, type IcebergEnv } from './context.js';
import { namespacesJson } from './list-json.js';
import { field, namespaceParam, pageParams, stringArray, stringMap } from './decode.js';

export function namespaceRoutes(opts: IcebergApiOptions): Hono<IcebergEnv> {
  const { catalog } = opts;
  const app = new Hono<IcebergEnv>();

  app.get('/namespaces', async (c) => {
    const actor = requestActor(c);
    const ref = await requestRef(c, catalog, actor);
    const parentText = c.req.query('parent');
    const parent = parentText ? checkNamespace(parentText.split('\u001f')) : undefined;
    const page = pageParams(c);
    const result = await collect(page, (token) =>
      catalog.namespaces.list(actor, ref, parent, { pageToken: token, pageSize: page.pageSize }),
    );
    return rawJson(c, namespacesJson(result.items, result.nextPageToken));
  });

  app.post('/namespaces', async (c) => {
    const actor = requestActor(c);
    const ref = await requestRef(c, catalog, actor);
    const body = await readJsonObject(c, opts.maxBodyBytes);
    const ns = checkNamespace(field(body, 'namespace'));
    const created = await catalog.namespaces.create(actor, ref, ns, stringMap(body, 'properties'));
    return json(c, { namespace: ns, properties: created.properties });
  });

  // Hono answers HEAD with the GET handler: existence checks branch on the method there.
  app.get('/namespaces/:namespace', async (c) => {
    const actor = requestActor(c);
    const ref = await requestRef(c, catalog, actor);
    const ns = namespaceParam(c);
    if (c.req.method === 'HEAD') return c.body(null, (await catalog.namespaces.exists(actor, ref, ns)) ? 204 : 404);
    const { content, defaultLocation } = await catalog.namespaces.load(actor, ref, ns);
    const { properties } = content;
    // Like Java's catalogs, report where the namespace's tables go when no location is set.
    const withLocation = properties.location === undefined ? { ...properties, location: defaultLocation } : properties;
    return json(c, { namespace: ns, properties: withLocation });
  });


  app.delete('/namespaces/:namespace', async (c) => {
    const actor = requestActor(c);
    const ref = await requestRef(c, catalog, actor);
    await catalog.namespaces.drop(actor, ref, namespaceParam(c));
    return c.body(null, 204);
  });

  app.post('/namespaces/:namespace/properties', async (c) => {
    const actor = requestActor(c);
    const ref = await requestRef(c, catalog, actor);
    const ns = namespaceParam(c);
    const body = await readJsonObject(c, opts.maxBodyBytes);
    const result = await catalog.namespaces.updateProperties(
      actor,
      ref,
      ns,
      stringArray(body, 'removals'),
      stringMap(body, 'updates'),
    );
    return json(c, result);
  });

  return app;
}

/** One page when the client asked for a page size; every page otherwise. */
export async function collect<T>(
  page: { pageToken?: string; all: boolean },
  fetch: (token: string | undefined) => Promise<Page<T>>,
): Promise<Page<T>> {
  if (!page.all) return fetch(page.pageToken);
  const items: T[] = [];
  let token = page.pageToken;
  for (let i = 0; i < 100_000; i++) {
    const p = await fetch(token);
    items.push(...p.items);
    if (!p.nextPageToken) return { items };
    token = p.nextPageToken;
  }
  throw new RequestError(400, 'Listing too large: use pageSize');
}

export type { Namespace };
