/**
 * Partition spec and sort order updates of the table metadata builder (Java
 * `TableMetadata.Builder`): an added spec or order is bound to the current schema (transforms
 * take their canonical spelling, the client's partition field ids are kept, the rules of
 * `partitioning.ts` / `sort-order.ts` apply), an equivalent existing one is reused, and `-1`
 * names the one added last.
 */
import { ValidationError } from './errors.js';
import type { PartitionField, PartitionSpec, Schema, SortField, SortOrder } from './model.js';
import { describePartitionField, hasSequentialIds, lastAssignedPartitionId, specsCompatible, validatePartitionSpec } from './partitioning.js';
import { sameSortFields, validateSortOrder } from './sort-order.js';
import { LAST_ADDED, currentSchema, type BuilderState } from './table-metadata-builder-state.js';
import { formatTransform, parseTransform } from './transforms.js';

function canonicalTransform(transform: string): string {
  return formatTransform(parseTransform(transform));
}

function bindPartitionSpec(spec: PartitionSpec, schema: Schema): PartitionSpec {
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
function describeSpec(spec: PartitionSpec): string {
  return spec.fields.length === 0 ? '[]' : `[\n${spec.fields.map((f) => `  ${describePartitionField(f)}\n`).join('')}]`;
}

function bindSortOrder(order: SortOrder, schema: Schema): SortOrder {
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

// ---------------------------------------------------------------- partition specs

export function addPartitionSpec(state: BuilderState, spec: PartitionSpec): number {
  const schema = currentSchema(state, 'add a partition spec');
  const bound = bindPartitionSpec(spec, schema);
  const specId = reuseOrCreateSpecId(state, bound);
  if (state.specs.some((s) => s.specId === specId)) {
    // Java tests whether the spec added last came from these updates, not this one.
    const addedHere =
      state.lastAddedSpecId !== undefined &&
      state.changes.some((c) => c.action === 'add-spec' && c.spec.specId === state.lastAddedSpecId);
    state.lastAddedSpecId = addedHere ? specId : undefined;
    return specId;
  }
  if (state.formatVersion === 1 && !hasSequentialIds(bound)) {
    throw new ValidationError(`Spec does not use sequential IDs that are required in v1: ${describeSpec(bound)}`);
  }
  const added: PartitionSpec = { ...bound, specId };
  state.lastPartitionId = Math.max(state.lastPartitionId, lastAssignedPartitionId(added));
  state.specs.push(added);
  state.changes.push({ action: 'add-spec', spec: added });
  state.lastAddedSpecId = specId;
  return specId;
}

function reuseOrCreateSpecId(state: BuilderState, spec: PartitionSpec): number {
  let next = 0;
  for (const existing of state.specs) {
    if (specsCompatible(spec, existing)) return existing.specId;
    if (next <= existing.specId) next = existing.specId + 1;
  }
  return next;
}

export function setDefaultSpec(state: BuilderState, specId: number): void {
  if (specId === LAST_ADDED) {
    if (state.lastAddedSpecId === undefined) throw new ValidationError('Cannot set last added spec: no spec has been added');
    return setDefaultSpec(state, state.lastAddedSpecId);
  }
  if (state.defaultSpecId === specId) return;
  if (!state.specs.some((s) => s.specId === specId)) {
    throw new ValidationError(`Cannot set default partition spec to unknown spec: ${specId}`);
  }
  state.defaultSpecId = specId;
  state.changes.push({ action: 'set-default-spec', specId: state.lastAddedSpecId === specId ? LAST_ADDED : specId });
}

export function removeSpecs(state: BuilderState, specIds: readonly number[]): void {
  const ids = new Set(specIds);
  if (ids.has(state.defaultSpecId)) throw new ValidationError('Cannot remove the default partition spec');
  const removed = state.specs.filter((s) => ids.has(s.specId)).map((s) => s.specId);
  if (removed.length === 0) return;
  state.specs = state.specs.filter((s) => !ids.has(s.specId));
  state.changes.push({ action: 'remove-partition-specs', specIds: removed });
}

// ---------------------------------------------------------------- sort orders

export function addSortOrder(state: BuilderState, order: SortOrder): number {
  const schema = currentSchema(state, 'add a sort order');
  const bound = bindSortOrder(order, schema);
  const orderId = reuseOrCreateSortOrderId(state, bound);
  if (state.sortOrders.some((o) => o.orderId === orderId)) {
    const addedHere =
      state.lastAddedOrderId !== undefined &&
      state.changes.some((c) => c.action === 'add-sort-order' && c.sortOrder.orderId === state.lastAddedOrderId);
    state.lastAddedOrderId = addedHere ? orderId : undefined;
    return orderId;
  }
  const added: SortOrder = { ...bound, orderId };
  state.sortOrders.push(added);
  state.changes.push({ action: 'add-sort-order', sortOrder: added });
  state.lastAddedOrderId = orderId;
  return orderId;
}

function reuseOrCreateSortOrderId(state: BuilderState, order: SortOrder): number {
  if (order.fields.length === 0) return 0;
  let next = 1;
  for (const existing of state.sortOrders) {
    if (sameSortFields(existing, order)) return existing.orderId;
    if (next <= existing.orderId) next = existing.orderId + 1;
  }
  return next;
}

export function setDefaultSortOrder(state: BuilderState, orderId: number): void {
  if (orderId === LAST_ADDED) {
    if (state.lastAddedOrderId === undefined) {
      throw new ValidationError('Cannot set last added sort order: no sort order has been added');
    }
    return setDefaultSortOrder(state, state.lastAddedOrderId);
  }
  if (state.defaultSortOrderId === orderId) return;
  if (!state.sortOrders.some((o) => o.orderId === orderId)) {
    throw new ValidationError(`Cannot set default sort order to unknown sort order: ${orderId}`);
  }
  state.defaultSortOrderId = orderId;
  state.changes.push({ action: 'set-default-sort-order', sortOrderId: state.lastAddedOrderId === orderId ? LAST_ADDED : orderId });
}
