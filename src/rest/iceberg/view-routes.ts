import { Hono } from 'hono';
import { checkName } from '../../catalog/identifiers.js';
import * as tables from '../../catalog/tables.js';
import * as views from '../../catalog/views.js';
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
  const { deps } = opts;
  const app = new Hono<IcebergEnv>();
  const configJson = stringifyJson(opts.storageConfig);
  const viewResult = (loaded: views.LoadedView) =>
    `{"metadata-location":${JSON.stringify(loaded.metadataLocation)},"metadata":${loaded.metadataText},"config":${configJson}}`;

  app.get('/namespaces/:namespace/views', async (c) => {
    const ref = await requestRef(c, deps);
    const ns = namespaceParam(c);
    const page = pageParams(c);
    const result = await collect(page, (token) =>
      tables.listTables(deps, ref, ns, { pageToken: token, pageSize: page.pageSize }, 'ICEBERG_VIEW'),
    );
    return rawJson(c, identifiersJson(result.items, result.nextPageToken));
  });

  app.post('/namespaces/:namespace/views', async (c) => {
    const ref = await requestRef(c, deps);
    const ns = namespaceParam(c);
    const body = await readJsonObject(c, opts.maxBodyBytes);
    const id = { namespace: ns, name: checkName('view name', requiredString(body, 'name')) };
    const loaded = await views.createView(
      deps,
      ref,
      id,
      {
        location: optionalString(body, 'location'),
        schema: schemaFromJson(objectField(body, 'schema', true)),
        viewVersion: viewVersionFromJson(objectField(body, 'view-version', true)),
        properties: stringMap(body, 'properties'),
      },
      requestActor(c),
    );
    return rawJson(c, viewResult(loaded));
  });

  app.post('/namespaces/:namespace/register-view', async (c) => {
    const ref = await requestRef(c, deps);
    const ns = namespaceParam(c);
    const body = await readJsonObject(c, opts.maxBodyBytes);
    const id = { namespace: ns, name: checkName('view name', requiredString(body, 'name')) };
    const loaded = await views.registerView(deps, ref, id, requiredString(body, 'metadata-location'), requestActor(c));
    return rawJson(c, viewResult(loaded));
  });

  app.get('/namespaces/:namespace/views/:view', async (c) => {
    const ref = await requestRef(c, deps);
    if (c.req.method === 'HEAD') return c.body(null, (await views.viewExists(deps, ref, identifierParam(c, 'view'))) ? 204 : 404);
    return rawJson(c, viewResult(await views.loadView(deps, ref, identifierParam(c, 'view'))));
  });


  app.post('/namespaces/:namespace/views/:view', async (c) => {
    const ref = await requestRef(c, deps);
    const id = identifierParam(c, 'view');
    const body = await readJsonObject(c, opts.maxBodyBytes);
    const loaded = await views.replaceView(
      deps,
      ref,
      id,
      arrayField(body, 'requirements').map(viewRequirementFromJson),
      arrayField(body, 'updates').map(viewUpdateFromJson),
      requestActor(c),
    );
    return rawJson(c, viewResult(loaded));
  });

  app.delete('/namespaces/:namespace/views/:view', async (c) => {
    const ref = await requestRef(c, deps);
    await views.dropView(deps, ref, identifierParam(c, 'view'), requestActor(c));
    return c.body(null, 204);
  });

  app.post('/views/rename', async (c) => {
    const ref = await requestRef(c, deps);
    const body = await readJsonObject(c, opts.maxBodyBytes);
    const from = identifierFromJson(field(body, 'source'), 'source');
    const to = identifierFromJson(field(body, 'destination'), 'destination');
    await tables.renameObject(deps, ref, from, to, 'ICEBERG_VIEW', requestActor(c));
    return c.body(null, 204);
  });

  return app;
}
