/**
 * How the table metadata builder binds an added partition spec or sort order to the current
 * schema (Java `UnboundPartitionSpec.bind`, `UnboundSortOrder.bind`): transforms take their
 * canonical spelling, the client's partition field ids are kept, and the rules of
 * `partitioning.ts` / `sort-order.ts` apply.
 */
import type { PartitionField, PartitionSpec, Schema, SortField, SortOrder } from './model.js';
import { describePartitionField, validatePartitionSpec } from './partitioning.js';
import { validateSortOrder } from './sort-order.js';
import { formatTransform, parseTransform } from './transforms.js';

function canonicalTransform(transform: string): string {
  return formatTransform(parseTransform(transform));
}

export function bindPartitionSpec(spec: PartitionSpec, schema: Schema): PartitionSpec {
  const fields = spec.fields.map((f): PartitionField => {
    const field: PartitionField = { sourceId: f.sourceId, fieldId: f.fieldId, name: f.name, transform: canonicalTransform(f.transform) };
    if (f.sourceIds !== undefined) field.sourceIds = [...f.sourceIds];
    return field;
  });
  const bound: PartitionSpec = { specId: spec.specId, fields };
  validatePartitionSpec(bound, schema);
  return bound;
}

/** The default spec must still bind to the current schema (Java `PartitionSpec.checkCompatibility`). */
export function checkSpecCompatibility(spec: PartitionSpec, schema: Schema): void {
  validatePartitionSpec(spec, schema, { checkNameConflicts: false });
}

/** Java `PartitionSpec.toString`, for the v1 sequential-id message. */
export function describeSpec(spec: PartitionSpec): string {
  return spec.fields.length === 0 ? '[]' : `[\n${spec.fields.map((f) => `  ${describePartitionField(f)}\n`).join('')}]`;
}

export function bindSortOrder(order: SortOrder, schema: Schema): SortOrder {
  const bound: SortOrder = {
    orderId: order.orderId,
    fields: order.fields.map((f): SortField => {
      const field: SortField = { transform: canonicalTransform(f.transform), sourceId: f.sourceId, direction: f.direction, nullOrder: f.nullOrder };
      if (f.sourceIds !== undefined) field.sourceIds = [...f.sourceIds];
      return field;
    }),
  };
  validateSortOrder(bound, schema);
  return bound;
}

/** The default sort order must still bind to the current schema (Java `SortOrder.checkCompatibility`). */
export function checkSortOrderCompatibility(order: SortOrder, schema: Schema): void {
  validateSortOrder(order, schema);
}
