/**
 * JSON codec for schemas, types, partition specs and sort orders (spec appendix C).
 * Field order on output follows the reference implementation so that our metadata files
 * diff cleanly against files written by Java engines.
 */
import { ValidationError } from './errors.js';
import type { JsonObject, JsonValue } from './json.js';
import {
  getBool,
  getField,
  getInt,
  getIntList,
  getIntOrUndefined,
  getString,
  getStringOrUndefined,
  has,
  hasNonNull,
  isObject,
  requireObject,
  show,
} from './json-fields.js';
import type {
  IcebergType,
  ListType,
  MapType,
  NestedField,
  NullOrder,
  PartitionField,
  PartitionSpec,
  Schema,
  SortDirection,
  SortField,
  SortOrder,
  StructType,
} from './model.js';

/** Schema id used when a (v1) schema carries none, as the reference implementation does. */
export const DEFAULT_SCHEMA_ID = 0;
/** v1 partition fields without ids were numbered from here, in order. */
export const PARTITION_DATA_ID_START = 1000;
/** Id of a table's first partition spec. */
export const INITIAL_SPEC_ID = 0;
const MAX_DECIMAL_PRECISION = 38;

const SIMPLE_TYPES = new Set([
  'boolean',
  'int',
  'long',
  'float',
  'double',
  'date',
  'time',
  'timestamp',
  'timestamptz',
  'timestamp_ns',
  'timestamptz_ns',
  'string',
  'uuid',
  'binary',
  'unknown',
  'variant',
]);
const FIXED = /^fixed\[\s*(\d+)\s*\]$/;
const DECIMAL = /^decimal\(\s*(\d+)\s*,\s*(\d+)\s*\)$/;
const GEOMETRY = /^geometry\s*(?:\(\s*([^)]*?)\s*\))?$/i;
const GEOGRAPHY = /^geography\s*(?:\(\s*([^,]*?)\s*(?:,\s*(\w*)\s*)?\))?$/i;

/**
 * Validates a primitive type string and returns its canonical spelling: lower case, and
 * `fixed[L]` / `decimal(P, S)` as Java engines print them, so that equal types compare equal
 * as strings. Geospatial types keep their CRS text as written (it is case-sensitive data).
 */
export function primitiveTypeFromString(text: string): string {
  const lower = text.toLowerCase();
  if (SIMPLE_TYPES.has(lower)) return lower;
  const fixed = FIXED.exec(lower);
  if (fixed) return `fixed[${Number(fixed[1])}]`;
  const decimal = DECIMAL.exec(lower);
  if (decimal) {
    const precision = Number(decimal[1]);
    const scale = Number(decimal[2]);
    if (precision > MAX_DECIMAL_PRECISION) {
      throw new ValidationError(
        `Decimals with precision larger than ${MAX_DECIMAL_PRECISION} are not supported: ${precision}`,
      );
    }
    return `decimal(${precision}, ${scale})`;
  }
  if (GEOMETRY.test(text) || GEOGRAPHY.test(text)) return text;
  throw new ValidationError(`Cannot parse type string to primitive: ${text}`);
}

// ---------------------------------------------------------------- types

export function typeFromJson(v: JsonValue): IcebergType {
  if (typeof v === 'string') return primitiveTypeFromString(v);
  if (isObject(v)) {
    switch (v['type']) {
      case 'struct':
        return structFromJson(v);
      case 'list':
        return listFromJson(v);
      case 'map':
        return mapFromJson(v);
      default:
        break;
    }
  }
  throw new ValidationError(`Cannot parse type from json: ${show(v)}`);
}

function structFromJson(node: JsonObject): StructType {
  const fields = getField(node, 'fields');
  if (!Array.isArray(fields)) throw new ValidationError(`Cannot parse struct fields from non-array: ${show(fields)}`);
  return { type: 'struct', fields: fields.map(nestedFieldFromJson) };
}

function nestedFieldFromJson(v: JsonValue): NestedField {
  const node = requireObject(v, 'struct field');
  const field: NestedField = {
    id: getInt(node, 'id'),
    name: getString(node, 'name'),
    required: getBool(node, 'required'),
    type: typeFromJson(getField(node, 'type')),
  };
  const doc = getStringOrUndefined(node, 'doc');
  if (doc !== undefined) field.doc = doc;
  // Defaults stay in their single-value JSON form; only the null literal means "no default".
  if (hasNonNull(node, 'initial-default')) field.initialDefault = node['initial-default'] as JsonValue;
  if (hasNonNull(node, 'write-default')) field.writeDefault = node['write-default'] as JsonValue;
  return field;
}

function listFromJson(node: JsonObject): ListType {
  return {
    type: 'list',
    elementId: getInt(node, 'element-id'),
    element: typeFromJson(getField(node, 'element')),
    elementRequired: getBool(node, 'element-required'),
  };
}

function mapFromJson(node: JsonObject): MapType {
  return {
    type: 'map',
    keyId: getInt(node, 'key-id'),
    key: typeFromJson(getField(node, 'key')),
    valueId: getInt(node, 'value-id'),
    value: typeFromJson(getField(node, 'value')),
    valueRequired: getBool(node, 'value-required'),
  };
}

export function typeToJson(t: IcebergType): JsonValue {
  if (typeof t === 'string') return t;
  switch (t.type) {
    case 'struct':
      return structToJson(t.fields);
    case 'list':
      return {
        type: 'list',
        'element-id': t.elementId,
        element: typeToJson(t.element),
        'element-required': t.elementRequired,
      };
    case 'map':
      return {
        type: 'map',
        'key-id': t.keyId,
        key: typeToJson(t.key),
        'value-id': t.valueId,
        value: typeToJson(t.value),
        'value-required': t.valueRequired,
      };
    default: {
      const unknown: never = t;
      throw new ValidationError(`Cannot write unknown type: ${show(unknown as JsonValue)}`);
    }
  }
}

function structToJson(fields: NestedField[], head: JsonObject = { type: 'struct' }): JsonObject {
  const out: JsonObject = { ...head };
  out['fields'] = fields.map((f) => {
    const field: JsonObject = { id: f.id, name: f.name, required: f.required, type: typeToJson(f.type) };
    if (f.doc !== undefined) field['doc'] = f.doc;
    if (f.initialDefault !== undefined && f.initialDefault !== null) field['initial-default'] = f.initialDefault;
    if (f.writeDefault !== undefined && f.writeDefault !== null) field['write-default'] = f.writeDefault;
    return field;
  });
  return out;
}

// ---------------------------------------------------------------- schemas

export function schemaFromJson(v: JsonValue): Schema {
  const type = typeFromJson(v);
  if (typeof type === 'string' || type.type !== 'struct') {
    throw new ValidationError(`Cannot create schema, not a struct type: ${show(v)}`);
  }
  const node = v as JsonObject;
  const schema: Schema = {
    type: 'struct',
    schemaId: getIntOrUndefined(node, 'schema-id') ?? DEFAULT_SCHEMA_ID,
    fields: type.fields,
  };
  if (hasNonNull(node, 'identifier-field-ids')) schema.identifierFieldIds = getIntList(node, 'identifier-field-ids');
  return schema;
}

export function schemaToJson(s: Schema): JsonObject {
  const head: JsonObject = { type: 'struct', 'schema-id': s.schemaId };
  // An empty identifier list is the same as none; the reference writer omits it.
  if (s.identifierFieldIds && s.identifierFieldIds.length > 0) head['identifier-field-ids'] = [...s.identifierFieldIds];
  return structToJson(s.fields, head);
}

// ---------------------------------------------------------------- partition specs

export function partitionSpecFromJson(v: JsonValue): PartitionSpec {
  const node = requireObject(v, 'spec');
  return { specId: getInt(node, 'spec-id'), fields: partitionFieldsFromJson(getField(node, 'fields')) };
}

/**
 * A spec sent by a client (create-table `partition-spec`, the `add-spec` update): the REST
 * spec marks `spec-id` read-only, and some clients leave it and the field ids out. The server
 * assigns the real ids, so a missing spec id reads as the initial id 0.
 */
export function unboundPartitionSpecFromJson(v: JsonValue): PartitionSpec {
  const node = requireObject(v, 'spec');
  return {
    specId: getIntOrUndefined(node, 'spec-id') ?? INITIAL_SPEC_ID,
    fields: partitionFieldsFromJson(getField(node, 'fields')),
  };
}

export function partitionSpecToJson(spec: PartitionSpec): JsonObject {
  return { 'spec-id': spec.specId, fields: partitionFieldsToJson(spec.fields) };
}

/**
 * The bare field list, as in the v1 `partition-spec` member. Fields of old v1 specs carry no
 * `field-id`; they get the ids the reference implementation always gave them (1000, 1001, ...).
 */
export function partitionFieldsFromJson(v: JsonValue): PartitionField[] {
  if (!Array.isArray(v)) throw new ValidationError(`Cannot parse partition spec fields, not an array: ${show(v)}`);
  let withIds = 0;
  const fields = v.map((e, index): PartitionField => {
    const node = requireObject(e, 'partition field');
    const name = getString(node, 'name');
    const transform = getString(node, 'transform');
    const { sourceId, sourceIds } = sourceIdsFromJson(node);
    let fieldId = PARTITION_DATA_ID_START + index;
    if (has(node, 'field-id')) {
      fieldId = getInt(node, 'field-id');
      withIds++;
    }
    const field: PartitionField = { sourceId, fieldId, name, transform };
    if (sourceIds) field.sourceIds = sourceIds;
    return field;
  });
  if (withIds !== 0 && withIds !== v.length) {
    throw new ValidationError(
      `Cannot parse spec with missing field IDs: ${v.length - withIds} missing of ${v.length} fields.`,
    );
  }
  return fields;
}

export function partitionFieldsToJson(fields: PartitionField[]): JsonObject[] {
  return fields.map((f) => {
    const out: JsonObject = { name: f.name, transform: f.transform };
    Object.assign(out, sourceIdsToJson(f));
    out['field-id'] = f.fieldId;
    return out;
  });
}

/**
 * v3 multi-argument transforms list their inputs in `source-ids`; single-argument ones keep
 * `source-id`. The model always has `sourceId` (the first input) so v2 code can ignore the list.
 */
function sourceIdsFromJson(node: JsonObject): { sourceId: number; sourceIds?: number[] } {
  if (hasNonNull(node, 'source-ids')) {
    const sourceIds = getIntList(node, 'source-ids');
    if (sourceIds.length === 0) throw new ValidationError('Cannot parse empty list: source-ids');
    const sourceId = has(node, 'source-id') ? getInt(node, 'source-id') : (sourceIds[0] as number);
    return { sourceId, sourceIds };
  }
  return { sourceId: getInt(node, 'source-id') };
}

function sourceIdsToJson(f: { sourceId: number; sourceIds?: number[] }): JsonObject {
  return f.sourceIds ? { 'source-ids': [...f.sourceIds] } : { 'source-id': f.sourceId };
}

// ---------------------------------------------------------------- sort orders

export function sortOrderFromJson(v: JsonValue): SortOrder {
  const node = requireObject(v, 'sort order');
  const orderId = getInt(node, 'order-id');
  const fields = getField(node, 'fields');
  if (!Array.isArray(fields)) throw new ValidationError(`Cannot parse sort order fields, not an array: ${show(fields)}`);
  return { orderId, fields: fields.map(sortFieldFromJson) };
}

function sortFieldFromJson(v: JsonValue): SortField {
  const node = requireObject(v, 'sort field');
  const transform = getString(node, 'transform');
  const { sourceId, sourceIds } = sourceIdsFromJson(node);
  const field: SortField = {
    transform,
    sourceId,
    direction: sortDirectionFromString(getString(node, 'direction')),
    nullOrder: nullOrderFromString(getString(node, 'null-order')),
  };
  if (sourceIds) field.sourceIds = sourceIds;
  return field;
}

function sortDirectionFromString(s: string): SortDirection {
  const lower = s.toLowerCase();
  if (lower === 'asc' || lower === 'desc') return lower;
  throw new ValidationError(`Invalid sort direction: ${s}`);
}

function nullOrderFromString(s: string): NullOrder {
  const lower = s.toLowerCase();
  if (lower === 'nulls-first' || lower === 'nulls-last') return lower;
  throw new ValidationError(`Unexpected null order: ${s}`);
}

export function sortOrderToJson(o: SortOrder): JsonObject {
  return {
    'order-id': o.orderId,
    fields: o.fields.map((f) => ({
      transform: f.transform,
      ...sourceIdsToJson(f),
      direction: f.direction,
      'null-order': f.nullOrder,
    })),
  };
}
