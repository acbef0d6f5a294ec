import { Hono } from 'hono';
import { checkName, type LoadedView } from '../../catalog/index.js';
import { stringifyJson } from '../../iceberg/json.js';
import { schemaFromJson } from '../../iceberg/schema-json.js';
import { viewRequirementFromJson, viewUpdateFromJson } from '../../iceberg/updates-json.js';
import { viewVersionFromJson } from '../../iceberg/view-metadata-json.js';
import { json, rawJson, readJsonObject } from '../http.js';
import { requestActor, requestRef, type IcebergApiOptions, type IcebergEnv } from './context.js';
import {
  arrayField,
  field,
  identifierFromJson,
  identifierParam,
  identifierToJson,
  namespaceParam,
  objectField,
  optionalString,
  pageParams,
  requiredString,
  stringMap,
} from './decode.js';
import { collect } from './namespace-routes.js';
import { identifiersJson } from './list-json.js';

export function viewRoutes(opts: IcebergApiOptions): Hono<IcebergEnv> {
  const { catalog } = opts;
  const app = new Hono<IcebergEnv>();
  const configJson = stringifyJson(opts.storageConfig);
  const viewResult = (loaded: LoadedView) =>
    `{"metadata-location":${JSON.stringify(loaded.metadataLocation)},"metadata":${loaded.metadataText},"config":${configJson}}`;

  app.get('/namespaces/:namespace/views', async (c) => {
    const actor = requestActor(c);
    const ref = await requestRef(c, catalog, actor);
    const ns = namespaceParam(c);
    const page = pageParams(c);
    const result = await collect(page, (token) =>
      catalog.views.list(actor, ref, ns, { pageToken: token, pageSize: page.pageSize }),
    );
    return rawJson(c, identifiersJson(result.items, result.nextPageToken));
  });

  app.post('/namespaces/:namespace/views', async (c) => {
    const actor = requestActor(c);
    const ref = await requestRef(c, catalog, actor);
    const ns = namespaceParam(c);
    const body = await readJsonObject(c, opts.maxBodyBytes);
    const id = { namespace: ns, name: checkName('view name', requiredString(body, 'name')) };
    const loaded = await catalog.views.create(
      actor,
      ref,
      id,
      {
        location: optionalString(body, 'location'),
        schema: schemaFromJson(objectField(body, 'schema', true)),
        viewVersion: viewVersionFromJson(objectField(body, 'view-version', true)),
        properties: stringMap(body, 'properties'),
      },
    );
    return rawJson(c, viewResult(loaded));
  });

  app.post('/namespaces/:namespace/register-view', async (c) => {
    const actor = requestActor(c);
    const ref = await requestRef(c, catalog, actor);
    const ns = namespaceParam(c);
    const body = await readJsonObject(c, opts.maxBodyBytes);
    const id = { namespace: ns, name: checkName('view name', requiredString(body, 'name')) };
    const loaded = await catalog.views.register(actor, ref, id, requiredString(body, 'metadata-location'));
    return rawJson(c, viewResult(loaded));
  });

  app.get('/namespaces/:namespace/views/:view', async (c) => {
    const actor = requestActor(c);
    const ref = await requestRef(c, catalog, actor);
    if (c.req.method === 'HEAD') return c.body(null, (await catalog.views.exists(actor, ref, identifierParam(c, 'view'))) ? 204 : 404);
    return rawJson(c, viewResult(await catalog.views.load(actor, ref, identifierParam(c, 'view'))));
  });


  app.post('/namespaces/:namespace/views/:view', async (c) => {
    const actor = requestActor(c);
    const ref = await requestRef(c, catalog, actor);
    const id = identifierParam(c, 'view');
    const body = await readJsonObject(c, opts.maxBodyBytes);
    const loaded = await catalog.views.replace(
      actor,
      ref,
      id,
      arrayField(body, 'requirements').map(viewRequirementFromJson),
      arrayField(body, 'updates').map(viewUpdateFromJson),
    );
    return rawJson(c, viewResult(loaded));
  });

  app.delete('/namespaces/:namespace/views/:view', async (c) => {
    const actor = requestActor(c);
    const ref = await requestRef(c, catalog, actor);
    await catalog.views.drop(actor, ref, identifierParam(c, 'view'));
    return c.body(null, 204);
  });

  app.post('/views/rename', async (c) => {
    const actor = requestActor(c);
    const ref = await requestRef(c, catalog, actor);
    const body = await readJsonObject(c, opts.maxBodyBytes);
    const from = identifierFromJson(field(body, 'source'), 'source');
    const to = identifierFromJson(field(body, 'destination'), 'destination');
    await catalog.views.rename(actor, ref, from, to);
    return c.body(null, 204);
  });

  return app;
}
