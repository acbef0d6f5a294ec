/**
 * JSON codec for table metadata files (format v1, v2 and v3) and the objects nested in them:
 * snapshots, refs, statistics files, encryption keys. Reading follows the reference parser's
 * defaults for members older writers left out; writing emits the members, in the order, that
 * current Java engines write, so a file we rewrite reads the same in every engine.
 */
import { ValidationError } from './errors.js';
import { parseJson, stringifyJson, type JsonObject, type JsonValue } from './json.js';
import {
  getField,
  getInt,
  getIntOrUndefined,
  getLong,
  getLongAsNumber,
  getLongOrUndefined,
  getObjectList,
  getString,
  getStringMap,
  getStringOrUndefined,
  has,
  requireObject,
  setOwn,
  show,
  stringMapToJson,
} from './json-fields.js';
import type {
  FormatVersion,
  MetadataLogEntry,
  PartitionSpec,
  Schema,
  SnapshotLogEntry,
  SnapshotRef,
  SortOrder,
  TableMetadata,
} from './model.js';
import {
  INITIAL_SPEC_ID,
  PARTITION_DATA_ID_START,
  partitionFieldsFromJson,
  partitionFieldsToJson,
  partitionSpecFromJson,
  partitionSpecToJson,
  schemaFromJson,
  schemaToJson,
  sortOrderFromJson,
  sortOrderToJson,
} from './schema-json.js';
import {
  encryptionKeyFromJson,
  encryptionKeyToJson,
  partitionStatisticsFileFromJson,
  partitionStatisticsFileToJson,
  snapshotFromJson,
  snapshotRefFromJson,
  snapshotRefToJson,
  snapshotToJson,
  statisticsFileFromJson,
  statisticsFileToJson,
} from './snapshot-json.js';

// The nested-object codecs are part of this module's contract; they live in their own file.
export {
  encryptionKeyFromJson,
  encryptionKeyToJson,
  partitionStatisticsFileFromJson,
  partitionStatisticsFileToJson,
  snapshotFromJson,
  snapshotRefFromJson,
  snapshotRefToJson,
  snapshotRefTypeFromString,
  snapshotToJson,
  statisticsFileFromJson,
  statisticsFileToJson,
} from './snapshot-json.js';

export const SUPPORTED_TABLE_FORMAT_VERSION = 3;
/** From v3 on, "no current snapshot" is written as `null` instead of -1. */
const MIN_NULL_CURRENT_SNAPSHOT_VERSION = 3;
const UNSORTED_ORDER_ID = 0;
const MAIN_BRANCH = 'main';

/** Top-level members this codec reads; anything else is carried in `extra`. */
const KNOWN_MEMBERS = new Set([
  'format-version',
  'table-uuid',
  'location',
  'last-sequence-number',
  'last-updated-ms',
  'last-column-id',
  'schema',
  'schemas',
  'current-schema-id',
  'partition-spec',
  'partition-specs',
  'default-spec-id',
  'last-partition-id',
  'default-sort-order-id',
  'sort-orders',
  'properties',
  'current-snapshot-id',
  'next-row-id',
  'encryption-keys',
  'refs',
  'snapshots',
  'statistics',
  'partition-statistics',
  'snapshot-log',
  'metadata-log',
]);

// ---------------------------------------------------------------- table metadata

/** Parses a metadata.json document; integers beyond 2^53 are kept exact. */
export function parseTableMetadata(text: string): TableMetadata {
  return tableMetadataFromJson(parseJson(text));
}

export function serializeTableMetadata(m: TableMetadata): string {
  return stringifyJson(tableMetadataToJson(m));
}

export function tableMetadataFromJson(v: JsonValue): TableMetadata {
  const node = requireObject(v, 'metadata');
  const formatVersion = formatVersionFromJson(node);

  // v1 files written before table UUIDs existed have none; the empty string marks that, and
  // it is not written back. From v2 on the UUID is required.
  const tableUuid =
    formatVersion === 1 ? (getStringOrUndefined(node, 'table-uuid') ?? '') : getString(node, 'table-uuid');
  const location = getString(node, 'location');
  const lastSequenceNumber = formatVersion > 1 ? getLong(node, 'last-sequence-number') : 0n;
  const lastColumnId = getInt(node, 'last-column-id');

  const { schemas, currentSchemaId } = schemasFromJson(node, formatVersion);
  const { partitionSpecs, defaultSpecId } = specsFromJson(node, formatVersion);

  let lastPartitionId = getIntOrUndefined(node, 'last-partition-id');
  if (lastPartitionId === undefined) {
    requireV1(formatVersion, 'last-partition-id');
    lastPartitionId = Math.max(
      PARTITION_DATA_ID_START - 1,
      ...partitionSpecs.flatMap((s) => s.fields.map((f) => f.fieldId)),
    );
  }

  let sortOrders: SortOrder[];
  let defaultSortOrderId: number;
  if (has(node, 'sort-orders')) {
    defaultSortOrderId = getInt(node, 'default-sort-order-id');
    sortOrders = arrayMember(node, 'sort-orders', 'sort orders').map(sortOrderFromJson);
  } else {
    requireV1(formatVersion, 'sort-orders');
    sortOrders = [{ orderId: UNSORTED_ORDER_ID, fields: [] }];
    defaultSortOrderId = UNSORTED_ORDER_ID;
  }

  const properties = has(node, 'properties') ? getStringMap(node, 'properties') : {};

  // -1 is how v1/v2 writers say "no current snapshot"; v3 writers use null.
  let currentSnapshotId = getLongOrUndefined(node, 'current-snapshot-id');
  if (currentSnapshotId === -1n) currentSnapshotId = undefined;

  const nextRowId = formatVersion >= 3 ? getLong(node, 'next-row-id') : undefined;
  const lastUpdatedMs = getLongAsNumber(node, 'last-updated-ms');
  const encryptionKeys = has(node, 'encryption-keys')
    ? getObjectList(node, 'encryption-keys', encryptionKeyFromJson)
    : undefined;

  let refs: Record<string, SnapshotRef>;
  if (has(node, 'refs')) {
    refs = refsFromJson(node['refs']);
  } else if (currentSnapshotId !== undefined) {
    // Written before refs existed: the current snapshot is the head of `main`.
    refs = { [MAIN_BRANCH]: { snapshotId: currentSnapshotId, type: 'branch' } };
  } else {
    refs = {};
  }

  const snapshots = has(node, 'snapshots') ? arrayMember(node, 'snapshots', 'snapshots').map(snapshotFromJson) : [];
  const statistics = has(node, 'statistics')
    ? arrayMember(node, 'statistics', 'statistics files').map(statisticsFileFromJson)
    : [];
  const partitionStatistics = has(node, 'partition-statistics')
    ? arrayMember(node, 'partition-statistics', 'partition statistics files').map(partitionStatisticsFileFromJson)
    : [];
  const snapshotLog = has(node, 'snapshot-log')
    ? arrayMember(node, 'snapshot-log', 'snapshot-log').map(snapshotLogEntryFromJson)
    : [];
  const metadataLog = has(node, 'metadata-log')
    ? arrayMember(node, 'metadata-log', 'metadata-log').map(metadataLogEntryFromJson)
    : [];

  const m: TableMetadata = {
    formatVersion,
    tableUuid,
    location,
    lastSequenceNumber,
    lastUpdatedMs,
    lastColumnId,
    schemas,
    currentSchemaId,
    partitionSpecs,
    defaultSpecId,
    lastPartitionId,
    properties,
    snapshots,
    snapshotLog,
    metadataLog,
    sortOrders,
    defaultSortOrderId,
    refs,
    statistics,
    partitionStatistics,
  };
  if (currentSnapshotId !== undefined) m.currentSnapshotId = currentSnapshotId;
  if (nextRowId !== undefined) m.nextRowId = nextRowId;
  if (encryptionKeys !== undefined) m.encryptionKeys = encryptionKeys;
  const extra = extraMembers(node);
  if (extra) m.extra = extra;
  checkReferences(m);
  return m;
}

/**
 * The cross-member checks the reference reader makes when it loads a file: a document that
 * fails them would make every engine fail later, so it is rejected at the boundary instead.
 */
function checkReferences(m: TableMetadata): void {
  if (m.partitionSpecs.length === 0) throw new ValidationError('Partition specs cannot be null or empty');
  if (m.sortOrders.length === 0) throw new ValidationError('Sort orders cannot be null or empty');
  const snapshotIds = new Set<bigint>();
  for (const s of m.snapshots) {
    if (s.sequenceNumber !== undefined && s.sequenceNumber > m.lastSequenceNumber && m.formatVersion > 1) {
      throw new ValidationError(
        `Invalid snapshot with sequence number ${s.sequenceNumber} greater than last sequence number ${m.lastSequenceNumber}`,
      );
    }
    snapshotIds.add(s.snapshotId);
  }
  for (const [name, ref] of Object.entries(m.refs)) {
    if (!snapshotIds.has(ref.snapshotId)) {
      throw new ValidationError(
        `Snapshot for reference ${name} does not exist in the existing snapshots list: ${ref.snapshotId}`,
      );
    }
  }
  const main = Object.prototype.hasOwnProperty.call(m.refs, MAIN_BRANCH) ? m.refs[MAIN_BRANCH] : undefined;
  if (m.currentSnapshotId !== undefined) {
    if (main && main.snapshotId !== m.currentSnapshotId) {
      throw new ValidationError(
        `Current snapshot ID does not match main branch (${m.currentSnapshotId} != ${main.snapshotId})`,
      );
    }
    if (!snapshotIds.has(m.currentSnapshotId)) {
      throw new ValidationError('Invalid table metadata: Cannot find current version');
    }
  } else if (main) {
    throw new ValidationError(`Current snapshot is not set, but main branch exists: ${main.snapshotId}`);
  }
}

function formatVersionFromJson(node: JsonObject): FormatVersion {
  const version = getInt(node, 'format-version');
  if (version !== 1 && version !== 2 && version !== 3) {
    throw new ValidationError(`Cannot read unsupported version ${version}`);
  }
  return version;
}

function requireV1(formatVersion: FormatVersion, member: string): void {
  if (formatVersion !== 1) throw new ValidationError(`${member} must exist in format v${formatVersion}`);
}

function arrayMember(node: JsonObject, key: string, what: string): JsonValue[] {
  const v = node[key];
  if (!Array.isArray(v)) throw new ValidationError(`Cannot parse ${what} from non-array: ${show(v)}`);
  return v;
}

function schemasFromJson(node: JsonObject, formatVersion: FormatVersion): { schemas: Schema[]; currentSchemaId: number } {
  if (has(node, 'schemas')) {
    const list = arrayMember(node, 'schemas', 'schemas');
    const currentSchemaId = getInt(node, 'current-schema-id');
    const schemas = list.map(schemaFromJson);
    if (!schemas.some((s) => s.schemaId === currentSchemaId)) {
      throw new ValidationError(`Cannot find schema with current-schema-id=${currentSchemaId} from schemas`);
    }
    return { schemas, currentSchemaId };
  }
  requireV1(formatVersion, 'schemas');
  const schema = schemaFromJson(getField(node, 'schema'));
  return { schemas: [schema], currentSchemaId: schema.schemaId };
}

function specsFromJson(
  node: JsonObject,
  formatVersion: FormatVersion,
): { partitionSpecs: PartitionSpec[]; defaultSpecId: number } {
  if (has(node, 'partition-specs')) {
    const list = arrayMember(node, 'partition-specs', 'partition specs');
    return { defaultSpecId: getInt(node, 'default-spec-id'), partitionSpecs: list.map(partitionSpecFromJson) };
  }
  requireV1(formatVersion, 'partition-specs');
  // Written before spec evolution: the only spec is the legacy field list, with id 0.
  const fields = partitionFieldsFromJson(getField(node, 'partition-spec'));
  return { defaultSpecId: INITIAL_SPEC_ID, partitionSpecs: [{ specId: INITIAL_SPEC_ID, fields }] };
}

function refsFromJson(v: JsonValue | undefined): Record<string, SnapshotRef> {
  const node = requireObject(v, 'refs');
  const refs: Record<string, SnapshotRef> = {};
  for (const name of Object.keys(node)) {
    const refNode = node[name];
    if (refNode === null || typeof refNode !== 'object' || Array.isArray(refNode)) {
      throw new ValidationError(`Cannot parse ref ${name} from non-object: ${show(refNode)}`);
    }
    setOwn(refs, name, snapshotRefFromJson(refNode));
  }
  return refs;
}

function extraMembers(node: JsonObject): JsonObject | undefined {
  let extra: JsonObject | undefined;
  for (const key of Object.keys(node)) {
    if (KNOWN_MEMBERS.has(key)) continue;
    extra ??= {};
    setOwn(extra, key, node[key] as JsonValue);
  }
  return extra;
}

export function tableMetadataToJson(m: TableMetadata): JsonObject {
  const out: JsonObject = { 'format-version': m.formatVersion };
  if (m.tableUuid !== '') out['table-uuid'] = m.tableUuid;
  out['location'] = m.location;
  if (m.formatVersion > 1) out['last-sequence-number'] = m.lastSequenceNumber;
  out['last-updated-ms'] = m.lastUpdatedMs;
  out['last-column-id'] = m.lastColumnId;
  // v1 readers predate schema and spec lists: keep writing the current ones on their own too.
  if (m.formatVersion === 1) out['schema'] = schemaToJson(findCurrentSchema(m));
  out['current-schema-id'] = m.currentSchemaId;
  out['schemas'] = m.schemas.map(schemaToJson);
  if (m.formatVersion === 1) out['partition-spec'] = partitionFieldsToJson(findDefaultSpec(m).fields);
  out['default-spec-id'] = m.defaultSpecId;
  out['partition-specs'] = m.partitionSpecs.map(partitionSpecToJson);
  out['last-partition-id'] = m.lastPartitionId;
  out['default-sort-order-id'] = m.defaultSortOrderId;
  out['sort-orders'] = m.sortOrders.map(sortOrderToJson);
  out['properties'] = stringMapToJson(m.properties);
  if (m.currentSnapshotId !== undefined) {
    out['current-snapshot-id'] = m.currentSnapshotId;
  } else {
    out['current-snapshot-id'] = m.formatVersion >= MIN_NULL_CURRENT_SNAPSHOT_VERSION ? null : -1;
  }
  if (m.formatVersion >= 3) out['next-row-id'] = m.nextRowId ?? 0n;
  if (m.encryptionKeys && m.encryptionKeys.length > 0) out['encryption-keys'] = m.encryptionKeys.map(encryptionKeyToJson);
  const refs: JsonObject = {};
  for (const name of Object.keys(m.refs)) setOwn(refs, name, snapshotRefToJson(m.refs[name] as SnapshotRef));
  out['refs'] = refs;
  out['snapshots'] = m.snapshots.map(snapshotToJson);
  out['statistics'] = m.statistics.map(statisticsFileToJson);
  out['partition-statistics'] = m.partitionStatistics.map(partitionStatisticsFileToJson);
  out['snapshot-log'] = m.snapshotLog.map((e) => ({ 'timestamp-ms': e.timestampMs, 'snapshot-id': e.snapshotId }));
  out['metadata-log'] = m.metadataLog.map((e) => ({ 'timestamp-ms': e.timestampMs, 'metadata-file': e.metadataFile }));
  if (m.extra) {
    for (const key of Object.keys(m.extra)) {
      if (!has(out, key)) setOwn(out, key, m.extra[key] as JsonValue);
    }
  }
  return out;
}

function findCurrentSchema(m: TableMetadata): Schema {
  const schema = m.schemas.find((s) => s.schemaId === m.currentSchemaId);
  if (!schema) throw new ValidationError(`Cannot find schema with current-schema-id=${m.currentSchemaId} from schemas`);
  return schema;
}

function findDefaultSpec(m: TableMetadata): PartitionSpec {
  const spec = m.partitionSpecs.find((s) => s.specId === m.defaultSpecId);
  if (!spec) throw new ValidationError(`Cannot find partition spec with default-spec-id=${m.defaultSpecId}`);
  return spec;
}

function snapshotLogEntryFromJson(v: JsonValue): SnapshotLogEntry {
  const node = requireObject(v, 'snapshot-log entry');
  return { timestampMs: getLongAsNumber(node, 'timestamp-ms'), snapshotId: getLong(node, 'snapshot-id') };
}

function metadataLogEntryFromJson(v: JsonValue): MetadataLogEntry {
  const node = requireObject(v, 'metadata-log entry');
  return { timestampMs: getLongAsNumber(node, 'timestamp-ms'), metadataFile: getString(node, 'metadata-file') };
}
