import { Hono } from 'hono';
import { checkName, type TableChange } from '../../catalog/index.js';
import type { JsonObject, JsonValue } from '../../iceberg/json.js';
import { stringifyJson } from '../../iceberg/json.js';
import { partitionSpecFromJson, schemaFromJson, sortOrderFromJson } from '../../iceberg/schema-json.js';
import { parseTableMetadata, tableMetadataToJson } from '../../iceberg/table-metadata-json.js';
import { tableRequirementFromJson, tableUpdateFromJson } from '../../iceberg/updates-json.js';
import { json, rawJson, readJsonObject, RequestError } from '../http.js';
import { requestActor, requestRef, type IcebergApiOptions, type IcebergEnv } from './context.js';
import {
  arrayField,
  field,
  identifierFromJson,
  identifierParam,
  identifierToJson,
  namespaceParam,
  objectField,
  optionalBoolean,
  optionalString,
  pageParams,
  requiredString,
  stringMap,
} from './decode.js';
import { collect } from './namespace-routes.js';
import { identifiersJson } from './list-json.js';
import { ifNoneMatchHits, LoadResultCache, loadResultText, type SnapshotsMode } from './load-result.js';

export function tableRoutes(opts: IcebergApiOptions): Hono<IcebergEnv> {
  const { catalog, metrics } = opts;
  const app = new Hono<IcebergEnv>();
  const storageConfigJson = stringifyJson(opts.storageConfig);
  const bodies = new LoadResultCache(storageConfigJson, opts.loadCacheBytes);

  /** LoadTableResult, built around the stored metadata text so that it is served byte for byte. */
  const loadResult = (metadataLocation: string | undefined, metadataText: string) =>
    loadResultText(metadataLocation, metadataText, storageConfigJson);
  /** The ETag header a following loadTable (all snapshots) of this version answers with. */
  const etagOf = (metadataLocation: string | undefined): Record<string, string> | undefined =>
    metadataLocation === undefined ? undefined : { etag: bodies.etag('all', metadataLocation) };

  app.get('/namespaces/:namespace/tables', async (c) => {
    const actor = requestActor(c);
    const ref = await requestRef(c, catalog, actor);
    const ns = namespaceParam(c);
    const page = pageParams(c);
    const result = await collect(page, (token) =>
      catalog.tables.list(actor, ref, ns, { pageToken: token, pageSize: page.pageSize }),
    );
    return rawJson(c, identifiersJson(result.items, result.nextPageToken));
  });

  app.post('/namespaces/:namespace/tables', async (c) => {
    const actor = requestActor(c);
    const ref = await requestRef(c, catalog, actor);
    const ns = namespaceParam(c);
    const body = await readJsonObject(c, opts.maxBodyBytes);
    const id = { namespace: ns, name: checkName('table name', requiredString(body, 'name')) };
    const specJson = objectField(body, 'partition-spec');
    const orderJson = objectField(body, 'write-order');
    const created = await catalog.tables.create(
      actor,
      ref,
      id,
      {
        location: optionalString(body, 'location'),
        schema: schemaFromJson(objectField(body, 'schema', true)),
        spec: specJson ? partitionSpecFromJson(withDefault(specJson, 'spec-id', 0)) : undefined,
        sortOrder: orderJson ? sortOrderFromJson(withDefault(orderJson, 'order-id', 1)) : undefined,
        properties: stringMap(body, 'properties'),
        stageCreate: optionalBoolean(body, 'stage-create'),
      },
    );
    return rawJson(c, loadResult(created.metadataLocation, created.metadataText), 200, etagOf(created.metadataLocation));
  });

  app.post('/namespaces/:namespace/register', async (c) => {
    const actor = requestActor(c);
    const ref = await requestRef(c, catalog, actor);
    const ns = namespaceParam(c);
    const body = await readJsonObject(c, opts.maxBodyBytes);
    const id = { namespace: ns, name: checkName('table name', requiredString(body, 'name')) };
    const loaded = await catalog.tables.register(
      actor,
      ref,
      id,
      requiredString(body, 'metadata-location'),
      optionalBoolean(body, 'overwrite'),
    );
    return rawJson(c, loadResult(loaded.metadataLocation, loaded.metadataText), 200, etagOf(loaded.metadataLocation));
  });

  app.get('/namespaces/:namespace/tables/:table', async (c) => {
    const actor = requestActor(c);
    const ref = await requestRef(c, catalog, actor);
    const id = identifierParam(c, 'table');
    if (c.req.method === 'HEAD') return c.body(null, (await catalog.tables.exists(actor, ref, id)) ? 204 : 404);
    const mode = snapshotsMode(c.req.query('snapshots'));
    const loaded = await catalog.tables.load(actor, ref, id);
    const served = bodies.get(mode, loaded.metadataLocation, loaded.metadataText, mode === 'refs' ? onlyReferencedSnapshots : same);
    if (ifNoneMatchHits(c.req.header('if-none-match'), served.etag)) return c.body(null, 304, { etag: served.etag });
    return c.body(served.body, 200, { 'content-type': 'application/json', etag: served.etag });
  });

  app.post('/namespaces/:namespace/tables/:table', async (c) => {
    const actor = requestActor(c);
    const ref = await requestRef(c, catalog, actor);
    const id = identifierParam(c, 'table');
    const body = await readJsonObject(c, opts.maxBodyBytes);
    const bodyId = field(body, 'identifier');
    if (bodyId !== undefined && bodyId !== null) {
      const named = identifierFromJson(bodyId, 'table');
      if (named.name !== id.name || named.namespace.join('\u001f') !== id.namespace.join('\u001f')) {
        throw new RequestError(400, 'Malformed request: identifier in the body does not match the path');
      }
    }
    const [committed] = await catalog.tables.commit(actor, ref, [changeFromJson(id, body)]);
    metrics.inc('lakecat_table_commits_total');
    return rawJson(
      c,
      `{"metadata-location":${JSON.stringify(committed.metadataLocation)},"metadata":${committed.metadataText}}`,
      200,
      etagOf(committed.metadataLocation),
    );
  });

  app.delete('/namespaces/:namespace/tables/:table', async (c) => {
    const actor = requestActor(c);
    const ref = await requestRef(c, catalog, actor);
    // purgeRequested only drops the table on this branch: its files may still be reachable
    // from other branches, tags and commits; deleting them is the garbage collector's job.
    await catalog.tables.drop(actor, ref, identifierParam(c, 'table'));
    return c.body(null, 204);
  });

  app.post('/namespaces/:namespace/tables/:table/unregister', async (c) => {
    const actor = requestActor(c);
    const ref = await requestRef(c, catalog, actor);
    const id = identifierParam(c, 'table');
    const loaded = await catalog.tables.unregister(actor, ref, id);
    return rawJson(c, `{"metadata-location":${JSON.stringify(loaded.metadataLocation)},"metadata":${loaded.metadataText}}`);
  });

  app.post('/namespaces/:namespace/tables/:table/metrics', async (c) => {
    const actor = requestActor(c);
    const ref = await requestRef(c, catalog, actor);
    const id = identifierParam(c, 'table');
    const body = await readJsonObject(c, opts.maxBodyBytes);
    const reportType = field(body, 'report-type');
    if (reportType !== 'scan-report' && reportType !== 'commit-report') {
      throw new RequestError(400, `Malformed request: unknown report-type ${JSON.stringify(reportType ?? null)}`);
    }
    // Only the namespace must exist: Iceberg's Java client reports a staged create's (CTAS,
    // RTAS) commit before it commits the create, so the table does not exist yet. The
    // reference server accepts such reports too; refusing them only made clients log a warning.
    await catalog.namespaces.load(actor, ref, id.namespace);
    metrics.inc('lakecat_metrics_reports_total', { type: reportType });
    return c.body(null, 204);
  });

  app.get('/namespaces/:namespace/tables/:table/credentials', async (c) => {
    const actor = requestActor(c);
    const ref = await requestRef(c, catalog, actor);
    const loaded = await catalog.tables.load(actor, ref, identifierParam(c, 'table'));
    const location = parseTableMetadata(loaded.metadataText).location;
    const credentials = Object.keys(opts.storageConfig).length > 0 ? [{ prefix: location, config: opts.storageConfig }] : [];
    return json(c, { 'storage-credentials': credentials });
  });

  app.post('/tables/rename', async (c) => {
    const actor = requestActor(c);
    const ref = await requestRef(c, catalog, actor);
    const body = await readJsonObject(c, opts.maxBodyBytes);
    const from = identifierFromJson(field(body, 'source'), 'source');
    const to = identifierFromJson(field(body, 'destination'), 'destination');
    await catalog.tables.rename(actor, ref, from, to);
    return c.body(null, 204);
  });

  app.post('/transactions/commit', async (c) => {
    const actor = requestActor(c);
    const ref = await requestRef(c, catalog, actor);
    const body = await readJsonObject(c, opts.maxBodyBytes);
    const changes = arrayField(body, 'table-changes').map((v) => {
      if (v === null || typeof v !== 'object' || Array.isArray(v)) {
        throw new RequestError(400, 'Malformed request: table-changes must hold objects');
      }
      return changeFromJson(identifierFromJson(field(v, 'identifier'), 'table'), v);
    });
    if (changes.length === 0) throw new RequestError(400, 'Malformed request: table-changes is empty');
    await catalog.tables.commit(actor, ref, changes);
    metrics.inc('lakecat_table_commits_total', {}, changes.length);
    return c.body(null, 204);
  });

  return app;
}

function changeFromJson(identifier: TableChange['identifier'], body: JsonObject): TableChange {
  return {
    identifier,
    requirements: arrayField(body, 'requirements').map(tableRequirementFromJson),
    updates: arrayField(body, 'updates').map(tableUpdateFromJson),
  };
}

function withDefault(obj: JsonObject, key: string, value: JsonValue): JsonObject {
  return field(obj, key) === undefined ? { ...obj, [key]: value } : obj;
}

function snapshotsMode(value: string | undefined): SnapshotsMode {
  if (value === undefined || value === 'all') return 'all';
  if (value === 'refs') return 'refs';
  throw new RequestError(400, `Invalid snapshots mode '${value}': expected 'all' or 'refs'`);
}

const same = (text: string) => text;

/** `snapshots=refs`: keep only the snapshots that a branch or tag points at. */
function onlyReferencedSnapshots(metadataText: string): string {
  const m = parseTableMetadata(metadataText);
  const referenced = new Set(Object.values(m.refs).map((r) => r.snapshotId));
  return stringifyJson(tableMetadataToJson({ ...m, snapshots: m.snapshots.filter((s) => referenced.has(s.snapshotId)) }));
}

