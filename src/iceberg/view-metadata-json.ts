/**
 * JSON codec for view metadata files (view spec, format version 1) and view versions.
 * Output member order follows the reference writer.
 */
import { ValidationError } from './errors.js';
import { parseJson, stringifyJson, type JsonObject, type JsonValue } from './json.js';
import {
  getField,
  getInt,
  getLongAsNumber,
  getString,
  getStringList,
  getStringMap,
  getStringOrUndefined,
  has,
  requireObject,
  setOwn,
  show,
  stringMapToJson,
} from './json-fields.js';
import type { ViewHistoryEntry, ViewMetadata, ViewRepresentation, ViewVersion } from './model.js';
import { schemaFromJson, schemaToJson } from './schema-json.js';

const KNOWN_MEMBERS = new Set([
  'view-uuid',
  'format-version',
  'location',
  'properties',
  'schemas',
  'current-version-id',
  'versions',
  'version-log',
]);

export function parseViewMetadata(text: string): ViewMetadata {
  return viewMetadataFromJson(parseJson(text));
}

export function serializeViewMetadata(m: ViewMetadata): string {
  return stringifyJson(viewMetadataToJson(m));
}

export function viewMetadataFromJson(v: JsonValue): ViewMetadata {
  const node = requireObject(v, 'view metadata');
  const viewUuid = getString(node, 'view-uuid');
  const formatVersion = getInt(node, 'format-version');
  if (formatVersion !== 1) throw new ValidationError(`Unsupported format version: ${formatVersion}`);
  const location = getString(node, 'location');
  const properties = has(node, 'properties') ? getStringMap(node, 'properties') : {};
  const schemas = requiredArray(node, 'schemas').map(schemaFromJson);
  const currentVersionId = getInt(node, 'current-version-id');
  const versions = requiredArray(node, 'versions').map(viewVersionFromJson);
  const versionLog = requiredArray(node, 'version-log').map(viewHistoryEntryFromJson);

  const m: ViewMetadata = {
    viewUuid,
    formatVersion,
    location,
    currentVersionId,
    versions,
    versionLog,
    schemas,
    properties,
  };
  for (const key of Object.keys(node)) {
    if (KNOWN_MEMBERS.has(key)) continue;
    m.extra ??= {};
    setOwn(m.extra, key, node[key] as JsonValue);
  }
  return m;
}

function requiredArray(node: JsonObject, key: string): JsonValue[] {
  const v = getField(node, key);
  if (!Array.isArray(v)) throw new ValidationError(`Cannot parse ${key} from non-array: ${show(v)}`);
  return v;
}

export function viewMetadataToJson(m: ViewMetadata): JsonObject {
  const out: JsonObject = { 'view-uuid': m.viewUuid, 'format-version': m.formatVersion, location: m.location };
  // The reference writer leaves out an empty property map.
  if (Object.keys(m.properties).length > 0) out['properties'] = stringMapToJson(m.properties);
  out['schemas'] = m.schemas.map(schemaToJson);
  out['current-version-id'] = m.currentVersionId;
  out['versions'] = m.versions.map(viewVersionToJson);
  out['version-log'] = m.versionLog.map((e) => ({ 'timestamp-ms': e.timestampMs, 'version-id': e.versionId }));
  if (m.extra) {
    for (const key of Object.keys(m.extra)) {
      if (!has(out, key)) setOwn(out, key, m.extra[key] as JsonValue);
    }
  }
  return out;
}

function viewHistoryEntryFromJson(v: JsonValue): ViewHistoryEntry {
  const node = requireObject(v, 'view history entry');
  return { versionId: getInt(node, 'version-id'), timestampMs: getLongAsNumber(node, 'timestamp-ms') };
}

// ---------------------------------------------------------------- view versions

export function viewVersionFromJson(v: JsonValue): ViewVersion {
  const node = requireObject(v, 'view version');
  const versionId = getInt(node, 'version-id');
  const schemaId = getInt(node, 'schema-id');
  const timestampMs = getLongAsNumber(node, 'timestamp-ms');
  const summary = getStringMap(node, 'summary');
  const reps = getField(node, 'representations');
  if (!Array.isArray(reps)) throw new ValidationError(`Cannot parse representations from non-array: ${show(reps)}`);
  const version: ViewVersion = {
    versionId,
    timestampMs,
    schemaId,
    summary,
    representations: reps.map(viewRepresentationFromJson),
    defaultNamespace: getStringList(node, 'default-namespace'),
  };
  const defaultCatalog = getStringOrUndefined(node, 'default-catalog');
  if (defaultCatalog !== undefined) version.defaultCatalog = defaultCatalog;
  return version;
}

/**
 * Only SQL representations exist in the view spec. Another type is rejected rather than
 * dropped: rewriting the view without it would silently lose the definition.
 */
function viewRepresentationFromJson(v: JsonValue): ViewRepresentation {
  const node = requireObject(v, 'view representation');
  const type = getString(node, 'type').toLowerCase();
  if (type !== 'sql') throw new ValidationError(`Cannot parse unsupported view representation: ${type}`);
  return { type: 'sql', sql: getString(node, 'sql'), dialect: getString(node, 'dialect') };
}

export function viewVersionToJson(version: ViewVersion): JsonObject {
  const out: JsonObject = {
    'version-id': version.versionId,
    'timestamp-ms': version.timestampMs,
    'schema-id': version.schemaId,
    summary: stringMapToJson(version.summary),
  };
  if (version.defaultCatalog !== undefined) out['default-catalog'] = version.defaultCatalog;
  out['default-namespace'] = [...version.defaultNamespace];
  out['representations'] = version.representations.map((r) => ({ type: r.type, sql: r.sql, dialect: r.dialect }));
  return out;
}
