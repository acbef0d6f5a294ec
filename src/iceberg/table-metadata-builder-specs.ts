/**
 * Partition spec and sort order rules the metadata builder applies when a spec or an order is
 * added or becomes the default: binding to the current schema, the reuse test for an
 * equivalent spec or order, and Java's compatibility checks (`PartitionSpec.checkCompatibility`,
 * `SortOrder.checkCompatibility`) with the same messages.
 */
import { ValidationError } from './errors.js';
import type { IcebergType, PartitionField, PartitionSpec, Schema, SortField, SortOrder } from './model.js';
import { findField, indexById, indexParents } from './schema.js';
import { describeType, parsePrimitive, type PrimitiveKind } from './types.js';

/** Partition field ids start here; an unpartitioned spec has "assigned" up to 999. */
export const PARTITION_DATA_ID_START = 1000;

const TIMESTAMP_KINDS: ReadonlySet<PrimitiveKind> = new Set<PrimitiveKind>([
  'timestamp', 'timestamptz', 'timestamp_ns', 'timestamptz_ns',
]);
const BUCKET_KINDS: ReadonlySet<PrimitiveKind> = new Set<PrimitiveKind>([
  'int', 'long', 'date', 'time', 'string', 'binary', 'fixed', 'decimal', 'uuid', ...TIMESTAMP_KINDS,
]);
const TRUNCATE_KINDS: ReadonlySet<PrimitiveKind> = new Set<PrimitiveKind>(['int', 'long', 'string', 'binary', 'decimal']);
const NOT_IDENTITY_KINDS: ReadonlySet<PrimitiveKind> = new Set<PrimitiveKind>(['variant', 'geometry', 'geography']);

const WITH_ARGUMENT = /^(bucket|truncate)\[\s*(\d+)\s*\]$/i;
const SIMPLE_TRANSFORMS = new Set(['identity', 'year', 'month', 'day', 'hour', 'void']);

/** The spelling Java's `Transform.toString` gives a transform (unknown transforms keep theirs). */
export function normalizeTransform(transform: string): string {
  const t = transform.trim();
  const lower = t.toLowerCase();
  if (SIMPLE_TRANSFORMS.has(lower)) return lower;
  const m = WITH_ARGUMENT.exec(t);
  if (m) return `${m[1].toLowerCase()}[${Number(m[2])}]`;
  return transform;
}

function isVoid(transform: string): boolean {
  return normalizeTransform(transform) === 'void';
}

/** Java `Transform.canTransform` for a primitive source type. */
function canTransform(transform: string, type: string): boolean {
  const kind = parsePrimitive(type).kind;
  const t = normalizeTransform(transform);
  if (t === 'identity') return !NOT_IDENTITY_KINDS.has(kind);
  if (t === 'year' || t === 'month' || t === 'day') return kind === 'date' || TIMESTAMP_KINDS.has(kind);
  if (t === 'hour') return TIMESTAMP_KINDS.has(kind);
  if (t === 'void') return true;
  if (t.startsWith('bucket[')) return BUCKET_KINDS.has(kind);
  if (t.startsWith('truncate[')) return TRUNCATE_KINDS.has(kind);
  // An unknown transform is assumed to apply to anything, as Java's UnknownTransform does.
  return true;
}

export function describePartitionField(f: PartitionField): string {
  return `${f.fieldId}: ${f.name}: ${normalizeTransform(f.transform)}(${f.sourceId})`;
}

export function describeSortField(f: SortField): string {
  const direction = f.direction.toUpperCase();
  const nulls = f.nullOrder === 'nulls-first' ? 'NULLS FIRST' : 'NULLS LAST';
  return `${normalizeTransform(f.transform)}(${f.sourceId}) ${direction} ${nulls}`;
}

function describe(type: IcebergType): string {
  return describeType(type);
}

/** Source type checks shared by partition and sort fields. */
function checkSource(
  schema: Schema,
  sourceId: number,
  transform: string,
  what: 'partition' | 'sort',
  shown: string,
): void {
  const source = indexById(schema).get(sourceId);
  if (source === undefined) {
    throw new ValidationError(`Cannot find source column for ${what} field: ${shown}`);
  }
  if (typeof source.type !== 'string') {
    const verb = what === 'partition' ? 'partition' : 'sort';
    throw new ValidationError(`Cannot ${verb} by non-primitive source field: ${describe(source.type)}`);
  }
  if (!canTransform(transform, source.type)) {
    throw new ValidationError(`Invalid source type ${source.type} for transform: ${normalizeTransform(transform)}`);
  }
}

/** Java `PartitionSpec.checkCompatibility`: every non-void field has a primitive source reachable through structs. */
export function checkSpecCompatibility(spec: PartitionSpec, schema: Schema): void {
  const parents = indexParents(schema);
  const byId = indexById(schema);
  for (const field of spec.fields) {
    if (isVoid(field.transform)) continue;
    checkSource(schema, field.sourceId, field.transform, 'partition', describePartitionField(field));
    for (let parent = parents.get(field.sourceId); parent !== undefined; parent = parents.get(parent)) {
      const parentType = byId.get(parent)?.type;
      if (parentType === undefined || typeof parentType === 'string' || parentType.type !== 'struct') {
        throw new ValidationError(`Invalid partition field parent: ${parentType === undefined ? parent : describe(parentType)}`);
      }
    }
  }
}

/** Java `SortOrder.checkCompatibility`. */
export function checkSortOrderCompatibility(order: SortOrder, schema: Schema): void {
  for (const field of order.fields) {
    checkSource(schema, field.sourceId, field.transform, 'sort', describeSortField(field));
  }
}

/**
 * Binds an added spec to the current schema as Java's `PartitionSpec.Builder` does: names must be
 * non-empty and unique and must not take the name of a different schema column; the field ids
 * the client sent are kept; the spec gets `specId`.
 */
export function bindPartitionSpec(spec: PartitionSpec, schema: Schema, specId: number): PartitionSpec {
  const names = new Set<string>();
  const byId = indexById(schema);
  const fields = spec.fields.map((f): PartitionField => {
    const sameName = findField(schema, f.name);
    if (byId.has(f.sourceId) && sameName !== undefined && sameName.id !== f.sourceId) {
      throw new ValidationError(`Cannot create identity partition sourced from different field in schema: ${f.name}`);
    }
    if (f.name === '') throw new ValidationError(`Cannot use empty partition name: ${f.name}`);
    if (names.has(f.name)) throw new ValidationError(`Cannot use partition name more than once: ${f.name}`);
    names.add(f.name);
    const field: PartitionField = { sourceId: f.sourceId, fieldId: f.fieldId, name: f.name, transform: normalizeTransform(f.transform) };
    if (f.sourceIds !== undefined) field.sourceIds = [...f.sourceIds];
    return field;
  });
  const bound: PartitionSpec = { specId, fields };
  checkSpecCompatibility(bound, schema);
  return bound;
}

/** Java `PartitionSpec.compatibleWith`: same source, transform and name per field; ids ignored. */
export function compatibleSpecs(a: PartitionSpec, b: PartitionSpec): boolean {
  return (
    a.fields.length === b.fields.length &&
    a.fields.every((f, i) => {
      const g = b.fields[i];
      return f.sourceId === g.sourceId && normalizeTransform(f.transform) === normalizeTransform(g.transform) && f.name === g.name;
    })
  );
}

/** v1 specs must number their fields 1000, 1001, ... in order. */
export function hasSequentialIds(spec: PartitionSpec): boolean {
  return spec.fields.every((f, i) => f.fieldId === PARTITION_DATA_ID_START + i);
}

export function specLastAssignedFieldId(spec: PartitionSpec): number {
  return spec.fields.reduce((max, f) => Math.max(max, f.fieldId), PARTITION_DATA_ID_START - 1);
}

/**
 * Binds an added sort order (Java `UnboundSortOrder.bind`): id 0 is reserved for the unsorted
 * order and the unsorted order has no other id; the fields must sort primitive columns.
 */
export function bindSortOrder(order: SortOrder, schema: Schema): SortOrder {
  if (order.fields.length === 0) {
    if (order.orderId !== 0) throw new ValidationError('Unsorted order ID must be 0');
    return { orderId: 0, fields: [] };
  }
  if (order.orderId === 0) throw new ValidationError('Sort order ID 0 is reserved for unsorted order');
  const bound: SortOrder = {
    orderId: order.orderId,
    fields: order.fields.map((f) => {
      const field: SortField = {
        transform: normalizeTransform(f.transform),
        sourceId: f.sourceId,
        direction: f.direction,
        nullOrder: f.nullOrder,
      };
      if (f.sourceIds !== undefined) field.sourceIds = [...f.sourceIds];
      return field;
    }),
  };
  checkSortOrderCompatibility(bound, schema);
  return bound;
}

/** Java `SortOrder.sameOrder`: equal fields in the same order; the order id is ignored. */
export function sameSortOrder(a: SortOrder, b: SortOrder): boolean {
  return (
    a.fields.length === b.fields.length &&
    a.fields.every((f, i) => {
      const g = b.fields[i];
      return (
        normalizeTransform(f.transform) === normalizeTransform(g.transform) &&
        f.sourceId === g.sourceId &&
        f.direction === g.direction &&
        f.nullOrder === g.nullOrder
      );
    })
  );
}
