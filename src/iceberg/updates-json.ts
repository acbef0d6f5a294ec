/**
 * JSON codec for the change sets of REST commits: table and view updates (`action`) and
 * requirements (`type`), with the member names of the REST catalog spec. An action or type we
 * do not know is a ValidationError, never skipped: the spec requires a 400 for it, and
 * ignoring part of a commit would apply something the client did not ask for.
 */
import { ValidationError } from './errors.js';
import type { JsonObject, JsonValue } from './json.js';
import {
  getField,
  getInt,
  getIntList,
  getIntOrUndefined,
  getLong,
  getLongAsNumberOrUndefined,
  getLongList,
  getLongOrUndefined,
  getString,
  getStringList,
  getStringMap,
  has,
  hasNonNull,
  isObject,
  show,
  stringMapToJson,
} from './json-fields.js';
import type { TableRequirement, TableUpdate, ViewRequirement, ViewUpdate } from './model.js';
import {
  partitionSpecToJson,
  schemaFromJson,
  schemaToJson,
  sortOrderFromJson,
  sortOrderToJson,
  unboundPartitionSpecFromJson,
} from './schema-json.js';
import {
  encryptionKeyFromJson,
  encryptionKeyToJson,
  partitionStatisticsFileFromJson,
  partitionStatisticsFileToJson,
  snapshotFromJson,
  snapshotRefTypeFromString,
  snapshotToJson,
  statisticsFileFromJson,
  statisticsFileToJson,
} from './snapshot-json.js';
import { viewVersionFromJson, viewVersionToJson } from './view-metadata-json.js';

/** Updates that tables and views share, with identical wire forms. */
type CommonUpdate = Extract<
  TableUpdate,
  { action: 'assign-uuid' | 'upgrade-format-version' | 'add-schema' | 'set-location' | 'set-properties' | 'remove-properties' }
>;

function updateNode(v: JsonValue): { node: JsonObject; action: string } {
  if (!isObject(v)) throw new ValidationError(`Cannot parse metadata update from non-object value: ${show(v)}`);
  if (!hasNonNull(v, 'action')) throw new ValidationError('Cannot parse metadata update. Missing field: action');
  return { node: v, action: getString(v, 'action').toLowerCase() };
}

function requirementNode(v: JsonValue): { node: JsonObject; type: string } {
  if (!isObject(v)) throw new ValidationError(`Cannot parse update requirement from non-object value: ${show(v)}`);
  if (!hasNonNull(v, 'type')) throw new ValidationError('Cannot parse update requirement. Missing field: type');
  return { node: v, type: getString(v, 'type').toLowerCase() };
}

function commonUpdateFromJson(action: string, node: JsonObject): CommonUpdate | undefined {
  switch (action) {
    case 'assign-uuid':
      return { action, uuid: getString(node, 'uuid') };
    case 'upgrade-format-version':
      return { action, formatVersion: getInt(node, 'format-version') };
    case 'add-schema': {
      const update: CommonUpdate = { action, schema: schemaFromJson(getField(node, 'schema')) };
      // Deprecated in the REST spec, but older clients still send it.
      const lastColumnId = getIntOrUndefined(node, 'last-column-id');
      if (lastColumnId !== undefined) update.lastColumnId = lastColumnId;
      return update;
    }
    case 'set-location':
      return { action, location: getString(node, 'location') };
    case 'set-properties':
      // Early Java clients wrote `updated`; the spec name wins when both are present.
      return { action, updates: getStringMap(node, has(node, 'updated') && !has(node, 'updates') ? 'updated' : 'updates') };
    case 'remove-properties': {
      const key = has(node, 'removed') && !has(node, 'removals') ? 'removed' : 'removals';
      return { action, removals: [...new Set(getStringList(node, key))] };
    }
    default:
      return undefined;
  }
}

function commonUpdateToJson(u: CommonUpdate): JsonObject {
  switch (u.action) {
    case 'assign-uuid':
      return { action: u.action, uuid: u.uuid };
    case 'upgrade-format-version':
      return { action: u.action, 'format-version': u.formatVersion };
    case 'add-schema': {
      const out: JsonObject = { action: u.action, schema: schemaToJson(u.schema) };
      if (u.lastColumnId !== undefined) out['last-column-id'] = u.lastColumnId;
      return out;
    }
    case 'set-location':
      return { action: u.action, location: u.location };
    case 'set-properties':
      return { action: u.action, updates: stringMapToJson(u.updates) };
    case 'remove-properties':
      return { action: u.action, removals: [...u.removals] };
    default: {
      const unknown: never = u;
      throw new ValidationError(`Unknown update action: ${(unknown as { action: string }).action}`);
    }
  }
}

// ---------------------------------------------------------------- table updates

export function tableUpdateFromJson(v: JsonValue): TableUpdate {
  const { node, action } = updateNode(v);
  const common = commonUpdateFromJson(action, node);
  if (common) return common;
  switch (action) {
    case 'set-current-schema':
      return { action, schemaId: getInt(node, 'schema-id') };
    case 'add-spec':
      return { action, spec: unboundPartitionSpecFromJson(getField(node, 'spec')) };
    case 'set-default-spec':
      return { action, specId: getInt(node, 'spec-id') };
    case 'add-sort-order':
      return { action, sortOrder: sortOrderFromJson(getField(node, 'sort-order')) };
    case 'set-default-sort-order':
      return { action, sortOrderId: getInt(node, 'sort-order-id') };
    case 'add-snapshot':
      return { action, snapshot: snapshotFromJson(getField(node, 'snapshot')) };
    case 'set-snapshot-ref': {
      const update: TableUpdate = {
        action,
        refName: getString(node, 'ref-name'),
        snapshotId: getLong(node, 'snapshot-id'),
        type: snapshotRefTypeFromString(getString(node, 'type')),
      };
      const minSnapshotsToKeep = getIntOrUndefined(node, 'min-snapshots-to-keep');
      if (minSnapshotsToKeep !== undefined) update.minSnapshotsToKeep = minSnapshotsToKeep;
      const maxSnapshotAgeMs = getLongAsNumberOrUndefined(node, 'max-snapshot-age-ms');
      if (maxSnapshotAgeMs !== undefined) update.maxSnapshotAgeMs = maxSnapshotAgeMs;
      const maxRefAgeMs = getLongAsNumberOrUndefined(node, 'max-ref-age-ms');
      if (maxRefAgeMs !== undefined) update.maxRefAgeMs = maxRefAgeMs;
      return update;
    }
    case 'remove-snapshots': {
      if (!hasNonNull(node, 'snapshot-ids')) {
        throw new ValidationError('Invalid set of snapshot ids to remove: must be non-null');
      }
      return { action, snapshotIds: [...new Set(getLongList(node, 'snapshot-ids'))] };
    }
    case 'remove-snapshot-ref':
      return { action, refName: getString(node, 'ref-name') };
    case 'set-statistics': {
      const update: TableUpdate = { action, statistics: statisticsFileFromJson(getField(node, 'statistics')) };
      // Deprecated duplicate of statistics.snapshot-id, still sent by older clients.
      const snapshotId = getLongOrUndefined(node, 'snapshot-id');
      if (snapshotId !== undefined) update.snapshotId = snapshotId;
      return update;
    }
    case 'remove-statistics':
      return { action, snapshotId: getLong(node, 'snapshot-id') };
    case 'set-partition-statistics':
      return {
        action,
        partitionStatistics: partitionStatisticsFileFromJson(getField(node, 'partition-statistics')),
      };
    case 'remove-partition-statistics':
      return { action, snapshotId: getLong(node, 'snapshot-id') };
    case 'remove-partition-specs':
      return { action, specIds: [...new Set(getIntList(node, 'spec-ids'))] };
    case 'remove-schemas':
      return { action, schemaIds: [...new Set(getIntList(node, 'schema-ids'))] };
    case 'add-encryption-key': {
      const key = node['encryption-key'];
      if (!isObject(key)) throw new ValidationError(`Invalid encryption key, must be non-null object: ${show(key)}`);
      return { action, encryptionKey: encryptionKeyFromJson(key) };
    }
    case 'remove-encryption-key':
      return { action, keyId: getString(node, 'key-id') };
    case 'enable-row-lineage':
      // Retired from the spec (row lineage is always on in v3); older clients still send it.
      return { action };
    default:
      throw new ValidationError(`Unknown table update action: ${action}`);
  }
}

export function tableUpdateToJson(u: TableUpdate): JsonObject {
  switch (u.action) {
    case 'assign-uuid':
    case 'upgrade-format-version':
    case 'add-schema':
    case 'set-location':
    case 'set-properties':
    case 'remove-properties':
      return commonUpdateToJson(u);
    case 'set-current-schema':
      return { action: u.action, 'schema-id': u.schemaId };
    case 'add-spec':
      return { action: u.action, spec: partitionSpecToJson(u.spec) };
    case 'set-default-spec':
      return { action: u.action, 'spec-id': u.specId };
    case 'add-sort-order':
      return { action: u.action, 'sort-order': sortOrderToJson(u.sortOrder) };
    case 'set-default-sort-order':
      return { action: u.action, 'sort-order-id': u.sortOrderId };
    case 'add-snapshot':
      return { action: u.action, snapshot: snapshotToJson(u.snapshot) };
    case 'set-snapshot-ref': {
      const out: JsonObject = { action: u.action, 'ref-name': u.refName, 'snapshot-id': u.snapshotId, type: u.type };
      if (u.minSnapshotsToKeep !== undefined) out['min-snapshots-to-keep'] = u.minSnapshotsToKeep;
      if (u.maxSnapshotAgeMs !== undefined) out['max-snapshot-age-ms'] = u.maxSnapshotAgeMs;
      if (u.maxRefAgeMs !== undefined) out['max-ref-age-ms'] = u.maxRefAgeMs;
      return out;
    }
    case 'remove-snapshots':
      return { action: u.action, 'snapshot-ids': [...u.snapshotIds] };
    case 'remove-snapshot-ref':
      return { action: u.action, 'ref-name': u.refName };
    case 'set-statistics': {
      const out: JsonObject = { action: u.action };
      if (u.snapshotId !== undefined) out['snapshot-id'] = u.snapshotId;
      out['statistics'] = statisticsFileToJson(u.statistics);
      return out;
    }
    case 'remove-statistics':
      return { action: u.action, 'snapshot-id': u.snapshotId };
    case 'set-partition-statistics':
      return { action: u.action, 'partition-statistics': partitionStatisticsFileToJson(u.partitionStatistics) };
    case 'remove-partition-statistics':
      return { action: u.action, 'snapshot-id': u.snapshotId };
    case 'remove-partition-specs':
      return { action: u.action, 'spec-ids': [...u.specIds] };
    case 'remove-schemas':
      return { action: u.action, 'schema-ids': [...u.schemaIds] };
    case 'add-encryption-key':
      return { action: u.action, 'encryption-key': encryptionKeyToJson(u.encryptionKey) };
    case 'remove-encryption-key':
      return { action: u.action, 'key-id': u.keyId };
    case 'enable-row-lineage':
      return { action: u.action };
    default: {
      const unknown: never = u;
      throw new ValidationError(`Unknown table update action: ${(unknown as { action: string }).action}`);
    }
  }
}

// ---------------------------------------------------------------- table requirements

export function tableRequirementFromJson(v: JsonValue): TableRequirement {
  const { node, type } = requirementNode(v);
  switch (type) {
    case 'assert-create':
      return { type };
    case 'assert-table-uuid':
      return { type, uuid: getString(node, 'uuid') };
    case 'assert-ref-snapshot-id':
      // `snapshot-id: null` (or, as Java reads it, a missing member) asserts the ref does not exist.
      return { type, ref: getString(node, 'ref'), snapshotId: getLongOrUndefined(node, 'snapshot-id') ?? null };
    case 'assert-last-assigned-field-id':
      return { type, lastAssignedFieldId: getInt(node, 'last-assigned-field-id') };
    case 'assert-current-schema-id':
      return { type, currentSchemaId: getInt(node, 'current-schema-id') };
    case 'assert-last-assigned-partition-id':
      return { type, lastAssignedPartitionId: getInt(node, 'last-assigned-partition-id') };
    case 'assert-default-spec-id':
      return { type, defaultSpecId: getInt(node, 'default-spec-id') };
    case 'assert-default-sort-order-id':
      return { type, defaultSortOrderId: getInt(node, 'default-sort-order-id') };
    default:
      throw new ValidationError(`Unknown table requirement type: ${type}`);
  }
}

export function tableRequirementToJson(r: TableRequirement): JsonObject {
  switch (r.type) {
    case 'assert-create':
      return { type: r.type };
    case 'assert-table-uuid':
      return { type: r.type, uuid: r.uuid };
    case 'assert-ref-snapshot-id':
      return { type: r.type, ref: r.ref, 'snapshot-id': r.snapshotId };
    case 'assert-last-assigned-field-id':
      return { type: r.type, 'last-assigned-field-id': r.lastAssignedFieldId };
    case 'assert-current-schema-id':
      return { type: r.type, 'current-schema-id': r.currentSchemaId };
    case 'assert-last-assigned-partition-id':
      return { type: r.type, 'last-assigned-partition-id': r.lastAssignedPartitionId };
    case 'assert-default-spec-id':
      return { type: r.type, 'default-spec-id': r.defaultSpecId };
    case 'assert-default-sort-order-id':
      return { type: r.type, 'default-sort-order-id': r.defaultSortOrderId };
    default: {
      const unknown: never = r;
      throw new ValidationError(`Unknown table requirement type: ${(unknown as { type: string }).type}`);
    }
  }
}

// ---------------------------------------------------------------- view updates and requirements

export function viewUpdateFromJson(v: JsonValue): ViewUpdate {
  const { node, action } = updateNode(v);
  const common = commonUpdateFromJson(action, node);
  if (common) return common;
  switch (action) {
    case 'add-view-version':
      return { action, viewVersion: viewVersionFromJson(getField(node, 'view-version')) };
    case 'set-current-view-version':
      return { action, viewVersionId: getInt(node, 'view-version-id') };
    default:
      throw new ValidationError(`Unknown view update action: ${action}`);
  }
}

export function viewUpdateToJson(u: ViewUpdate): JsonObject {
  switch (u.action) {
    case 'assign-uuid':
    case 'upgrade-format-version':
    case 'add-schema':
    case 'set-location':
    case 'set-properties':
    case 'remove-properties':
      return commonUpdateToJson(u);
    case 'add-view-version':
      return { action: u.action, 'view-version': viewVersionToJson(u.viewVersion) };
    case 'set-current-view-version':
      return { action: u.action, 'view-version-id': u.viewVersionId };
    default: {
      const unknown: never = u;
      throw new ValidationError(`Unknown view update action: ${(unknown as { action: string }).action}`);
    }
  }
}

export function viewRequirementFromJson(v: JsonValue): ViewRequirement {
  const { node, type } = requirementNode(v);
  switch (type) {
    case 'assert-view-uuid':
      return { type, uuid: getString(node, 'uuid') };
    default:
      throw new ValidationError(`Unknown view requirement type: ${type}`);
  }
}

export function viewRequirementToJson(r: ViewRequirement): JsonObject {
  switch (r.type) {
    case 'assert-view-uuid':
      return { type: r.type, uuid: r.uuid };
    default: {
      const unknown: never = r.type;
      throw new ValidationError(`Unknown view requirement type: ${String(unknown)}`);
    }
  }
}
