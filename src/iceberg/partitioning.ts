/**
 * Partition specs against a schema: validation with the reference implementation's rules and
 * messages, the partition tuple's struct type, partition paths, the equivalence used to reuse
 * an existing spec, and fresh id assignment when a table is created.
 */
import { ValidationError } from './errors.js';
import { toHumanString } from './human-strings.js';
import type { FormatVersion, IcebergType, NestedField, PartitionField, PartitionSpec, Schema, StructType } from './model.js';
import { findColumnName, findField, indexById, indexParents } from './schema.js';
import { canTransform, formatTransform, parseTransform, resultType, type TransformValue } from './transforms.js';
import { describeType } from './types.js';

/** Partition field ids start here (v1 numbered them implicitly from 1000). */
export const PARTITION_DATA_ID_START = 1000;

export const INITIAL_SPEC_ID = 0;

/** The spec of a table without partitioning. */
export const UNPARTITIONED_SPEC: PartitionSpec = Object.freeze({ specId: INITIAL_SPEC_ID, fields: [] }) as PartitionSpec;

/** The source ids of a field: `sourceIds` for multi-argument transforms, else `[sourceId]`. */
export function partitionSourceIds(field: PartitionField): number[] {
  return field.sourceIds !== undefined && field.sourceIds.length > 0 ? field.sourceIds : [field.sourceId];
}

/** Java `PartitionField.toString`, used in messages: `1000: ts_day: day(4)`. */
export function describePartitionField(field: PartitionField): string {
  return `${field.fieldId}: ${field.name}: ${field.transform}(${partitionSourceIds(field).join(', ')})`;
}

/** A spec without fields, or whose fields all use `void` (Java `isUnpartitioned`). */
export function isUnpartitioned(spec: PartitionSpec): boolean {
  return spec.fields.every((f) => parseTransform(f.transform).kind === 'void');
}

/** The highest partition field id of the spec, or 999 when it has none. */
export function lastAssignedPartitionId(spec: PartitionSpec): number {
  return spec.fields.reduce((max, f) => Math.max(max, f.fieldId), PARTITION_DATA_ID_START - 1);
}

/** v1 requires field ids 1000, 1001, ... in field order (Java `PartitionSpec.hasSequentialIds`). */
export function hasSequentialIds(spec: PartitionSpec): boolean {
  return spec.fields.every((f, i) => f.fieldId === PARTITION_DATA_ID_START + i);
}

export interface PartitionSpecCheckOptions {
  /** v1 specs must number fields sequentially from 1000. */
  formatVersion?: FormatVersion;
  /**
   * Accept fields whose source column no longer exists (old specs of a table whose column was
   * dropped; Java reads such metadata). Default false.
   */
  allowMissingFields?: boolean;
  /** Check partition names against schema column names (Java `checkConflicts`). Default true. */
  checkNameConflicts?: boolean;
}

/**
 * Checks a spec against a schema as Java's `PartitionSpec.Builder` and `checkCompatibility` do:
 * names non-empty and unique; a name equal to a schema column only when that column is the
 * field's source; field ids unique; every source column present (unless allowed missing),
 * primitive, reached only through structs, and accepted by the transform. `void` fields skip the
 * source checks, since v1 replaces dropped fields with them.
 */
export function validatePartitionSpec(spec: PartitionSpec, schema: Schema, options: PartitionSpecCheckOptions = {}): void {
  const names = new Set<string>();
  const fieldIds = new Set<number>();
  for (const field of spec.fields) {
    if (typeof field.name !== 'string' || field.name === '') {
      throw new ValidationError(`Cannot use empty or null partition name: ${String(field.name)}`);
    }
    if (options.checkNameConflicts !== false) {
      const column = findField(schema, field.name);
      if (column !== undefined && !partitionSourceIds(field).includes(column.id)) {
        throw new ValidationError(`Cannot create identity partition sourced from different field in schema: ${field.name}`);
      }
    }
    if (names.has(field.name)) {
      throw new ValidationError(`Cannot use partition name more than once: ${field.name}`);
    }
    names.add(field.name);
    if (fieldIds.has(field.fieldId)) {
      throw new ValidationError(`Cannot use partition field id more than once: ${field.fieldId}`);
    }
    fieldIds.add(field.fieldId);
  }

  if (options.formatVersion === 1 && !hasSequentialIds(spec)) {
    throw new ValidationError(
      `Spec does not use sequential IDs that are required in v1: [${spec.fields.map(describePartitionField).join(', ')}]`,
    );
  }

  const byId = indexById(schema);
  const parents = indexParents(schema);
  for (const field of spec.fields) {
    const transform = parseTransform(field.transform);
    if (transform.kind === 'void') continue;
    for (const sourceId of partitionSourceIds(field)) {
      const source = byId.get(sourceId);
      if (source === undefined) {
        if (options.allowMissingFields) continue;
        throw new ValidationError(`Cannot find source column for partition field: ${describePartitionField(field)}`);
      }
      if (typeof source.type !== 'string') {
        throw new ValidationError(`Cannot partition by non-primitive source field: ${describeType(source.type)}`);
      }
      if (partitionSourceIds(field).length === 1 && !canTransform(transform, source.type)) {
        throw new ValidationError(`Invalid source type ${source.type} for transform: ${formatTransform(transform)}`);
      }
      for (let parentId = parents.get(sourceId); parentId !== undefined; parentId = parents.get(parentId)) {
        const parent = byId.get(parentId) as NestedField;
        if (typeof parent.type !== 'object' || parent.type.type !== 'struct') {
          throw new ValidationError(`Invalid partition field parent: ${describeType(parent.type)}`);
        }
      }
    }
  }
}

/**
 * The struct of partition values: one optional field per partition field, with the partition
 * field id and the transform's result type (`unknown` when the source column was dropped).
 */
export function partitionType(spec: PartitionSpec, schema: Schema): StructType {
  const byId = indexById(schema);
  return {
    type: 'struct',
    fields: spec.fields.map((field) => {
      const source = byId.get(field.sourceId);
      const type: IcebergType =
        source === undefined || partitionSourceIds(field).length > 1 ? 'unknown' : resultType(field.transform, source.type);
      return { id: field.fieldId, name: field.name, required: false, type };
    }),
  };
}

const FORM_SAFE = /[A-Za-z0-9.\-*_]/;

/** Java `URLEncoder.encode(s, UTF_8)`: form encoding, space as `+`, other bytes as `%XX`. */
export function urlEncodeForm(text: string): string {
  let out = '';
  for (const ch of text) {
    if (FORM_SAFE.test(ch)) out += ch;
    else if (ch === ' ') out += '+';
    else for (const byte of new TextEncoder().encode(ch)) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * The partition path of a tuple of partition values (outputs of the transforms, in spec field
 * order), as Java's `PartitionSpec.partitionToPath`: `name=value` pairs joined by `/`, names
 * and human-readable values form-URL-encoded.
 */
export function partitionPath(spec: PartitionSpec, schema: Schema, values: readonly TransformValue[]): string {
  if (values.length !== spec.fields.length) {
    throw new ValidationError(`Partition tuple has ${values.length} values but spec ${spec.specId} has ${spec.fields.length} fields`);
  }
  const byId = indexById(schema);
  return spec.fields
    .map((field, i) => {
      const sourceType = byId.get(field.sourceId)?.type ?? 'unknown';
      return `${urlEncodeForm(field.name)}=${urlEncodeForm(toHumanString(field.transform, sourceType, values[i]))}`;
    })
    .join('/');
}

function sameTransform(a: string, b: string): boolean {
  return formatTransform(parseTransform(a)) === formatTransform(parseTransform(b));
}

function sameSources(a: PartitionField, b: PartitionField): boolean {
  const x = partitionSourceIds(a);
  const y = partitionSourceIds(b);
  return x.length === y.length && x.every((id, i) => id === y[i]);
}

/**
 * Java `PartitionSpec.compatibleWith` and the spec's equivalence: same number of fields and,
 * pairwise, the same source ids, transform and name; field ids and spec ids are ignored. A
 * table reuses an existing equivalent spec instead of adding a new one.
 */
export function specsCompatible(a: PartitionSpec, b: PartitionSpec): boolean {
  return (
    a.fields.length === b.fields.length &&
    a.fields.every((f, i) => {
      const g = b.fields[i];
      return sameSources(f, g) && f.name === g.name && sameTransform(f.transform, g.transform);
    })
  );
}

/** Same fields including partition field ids; only the spec id may differ. */
export function samePartitionFields(a: PartitionSpec, b: PartitionSpec): boolean {
  return specsCompatible(a, b) && a.fields.every((f, i) => f.fieldId === b.fields[i].fieldId);
}

/**
 * Rebinds a spec written against `oldSchema` to `freshSchema` (source ids looked up by column
 * name) and numbers its fields from 1000, as Java's `TableMetadata.freshSpec` does when a
 * table is created. Returns the spec and the last assigned partition id.
 */
export function assignFreshPartitionIds(
  spec: PartitionSpec,
  oldSchema: Schema,
  freshSchema: Schema,
  specId: number = INITIAL_SPEC_ID,
): { spec: PartitionSpec; lastPartitionId: number } {
  const freshSourceId = (oldId: number): number => {
    const name = findColumnName(oldSchema, oldId);
    const fresh = name === undefined ? undefined : findField(freshSchema, name);
    if (fresh === undefined) throw new ValidationError(`Cannot find source column: ${oldId}`);
    return fresh.id;
  };
  const fields = spec.fields.map((field, i): PartitionField => {
    const result: PartitionField = {
      sourceId: freshSourceId(field.sourceId),
      fieldId: PARTITION_DATA_ID_START + i,
      name: field.name,
      transform: field.transform,
    };
    if (field.sourceIds !== undefined) result.sourceIds = field.sourceIds.map(freshSourceId);
    return result;
  });
  const fresh: PartitionSpec = { specId, fields };
  return { spec: fresh, lastPartitionId: lastAssignedPartitionId(fresh) };
}

/**
 * Gives each field of a new spec the id of an equivalent field (same sources and transform)
 * in an existing spec, or a new id above `lastPartitionId`, as the spec requires for v2+
 * evolution. Returns the spec and the new last assigned partition id.
 */
export function reusePartitionFieldIds(
  spec: PartitionSpec,
  existingSpecs: readonly PartitionSpec[],
  lastPartitionId: number,
): { spec: PartitionSpec; lastPartitionId: number } {
  let last = lastPartitionId;
  const fields = spec.fields.map((field) => {
    for (const existingSpec of existingSpecs) {
      const match = existingSpec.fields.find((e) => sameSources(e, field) && sameTransform(e.transform, field.transform));
      if (match !== undefined) return { ...field, fieldId: match.fieldId };
    }
    last += 1;
    return { ...field, fieldId: last };
  });
  return { spec: { specId: spec.specId, fields }, lastPartitionId: last };
}
