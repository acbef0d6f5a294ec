/**
 * Sort orders against a schema: validation with the reference implementation's messages, the
 * reserved unsorted order, the equality used to reuse an existing order, fresh ids when a table
 * is created, and whether one order satisfies another.
 */
import { ValidationError } from './errors.js';
import type { IcebergType, Schema, SortField, SortOrder } from './model.js';
import { findColumnName, findField, indexById } from './schema.js';
import { canTransform, formatTransform, parseTransform, satisfiesOrderOf } from './transforms.js';
import { describeType } from './types.js';

/** Order id 0 is reserved for the unsorted order. */
export const UNSORTED_ORDER_ID = 0;
/** The id Java gives the first real sort order of a new table. */
export const INITIAL_SORT_ORDER_ID = 1;

export const UNSORTED_ORDER: SortOrder = Object.freeze({ orderId: UNSORTED_ORDER_ID, fields: [] }) as SortOrder;

export function isUnsorted(order: SortOrder): boolean {
  return order.fields.length === 0;
}

function sortSourceIds(field: SortField): number[] {
  return field.sourceIds !== undefined && field.sourceIds.length > 0 ? field.sourceIds : [field.sourceId];
}

/** Java `SortField.toString`, used in messages: `bucket[4](3) DESC NULLS LAST`. */
export function describeSortField(field: SortField): string {
  const direction = field.direction === 'asc' ? 'ASC' : 'DESC';
  const nulls = field.nullOrder === 'nulls-first' ? 'NULLS FIRST' : 'NULLS LAST';
  return `${field.transform}(${sortSourceIds(field).join(', ')}) ${direction} ${nulls}`;
}

export interface SortOrderCheckOptions {
  /** Accept fields whose source column was dropped (old orders of an evolved table). */
  allowMissingFields?: boolean;
}

/**
 * Checks a sort order as Java's `SortOrder.Builder` and `checkCompatibility` do: id 0 if and
 * only if unsorted, valid direction and null order, and every source column present,
 * primitive and accepted by the transform.
 */
export function validateSortOrder(order: SortOrder, schema: Schema, options: SortOrderCheckOptions = {}): void {
  if (order.fields.length === 0 && order.orderId !== UNSORTED_ORDER_ID) {
    throw new ValidationError('Unsorted order ID must be 0');
  }
  if (order.fields.length > 0 && order.orderId === UNSORTED_ORDER_ID) {
    throw new ValidationError('Sort order ID 0 is reserved for unsorted order');
  }
  const byId = indexById(schema);
  for (const field of order.fields) {
    if (field.direction !== 'asc' && field.direction !== 'desc') {
      throw new ValidationError(`Invalid sort direction: ${String(field.direction)}`);
    }
    if (field.nullOrder !== 'nulls-first' && field.nullOrder !== 'nulls-last') {
      throw new ValidationError(`Invalid null order: ${String(field.nullOrder)}`);
    }
    const sources = sortSourceIds(field);
    for (const sourceId of sources) {
      const source = byId.get(sourceId);
      if (source === undefined) {
        if (options.allowMissingFields) continue;
        throw new ValidationError(`Cannot find source column for sort field: ${describeSortField(field)}`);
      }
      if (typeof source.type !== 'string') {
        throw new ValidationError(`Cannot sort by non-primitive source field: ${describeType(source.type)}`);
      }
      const transform = parseTransform(field.transform);
      if (sources.length === 1 && !canTransform(transform, source.type)) {
        throw new ValidationError(`Invalid source type ${source.type} for transform: ${formatTransform(transform)}`);
      }
    }
  }
}

function sameField(a: SortField, b: SortField): boolean {
  const x = sortSourceIds(a);
  const y = sortSourceIds(b);
  return (
    x.length === y.length &&
    x.every((id, i) => id === y[i]) &&
    a.direction === b.direction &&
    a.nullOrder === b.nullOrder &&
    (a.transform === b.transform || canonicalTransform(a.transform) === canonicalTransform(b.transform))
  );
}

// Orders are compared with every earlier one when added: parse each spelling of a transform once.
const canonical = new Map<string, string>();

function canonicalTransform(text: string): string {
  let c = canonical.get(text);
  if (c === undefined) {
    c = formatTransform(parseTransform(text));
    if (canonical.size >= 1_024) canonical.clear();
    canonical.set(text, c);
  }
  return c;
}

/** Java `SortOrder.sameOrder`: the same fields in the same order; order ids are ignored. */
export function sameSortFields(a: SortOrder, b: SortOrder): boolean {
  return a.fields.length === b.fields.length && a.fields.every((f, i) => sameField(f, b.fields[i]));
}

/**
 * Rebinds an order written against `oldSchema` to `freshSchema` (source ids by column name) and
 * gives it id 1, or 0 when unsorted, as Java's `TableMetadata.freshSortOrder` does when a
 * table is created.
 */
export function assignFreshSortOrderIds(
  order: SortOrder,
  oldSchema: Schema,
  freshSchema: Schema,
  orderId: number = INITIAL_SORT_ORDER_ID,
): SortOrder {
  if (isUnsorted(order)) return { orderId: UNSORTED_ORDER_ID, fields: [] };
  const freshSourceId = (oldId: number): number => {
    const name = findColumnName(oldSchema, oldId);
    const fresh = name === undefined ? undefined : findField(freshSchema, name);
    if (fresh === undefined) throw new ValidationError(`Cannot find source column: ${oldId}`);
    return fresh.id;
  };
  return {
    orderId,
    fields: order.fields.map((field) => {
      const result: SortField = {
        transform: field.transform,
        sourceId: freshSourceId(field.sourceId),
        direction: field.direction,
        nullOrder: field.nullOrder,
      };
      if (field.sourceIds !== undefined) result.sourceIds = field.sourceIds.map(freshSourceId);
      return result;
    }),
  };
}

/**
 * Java `SortOrder.satisfies`: data sorted by `order` is also sorted by `other`. Anything
 * satisfies the unsorted order; otherwise `other`'s fields must be a prefix of `order`'s, each
 * with the same source, direction and null order and a transform whose order implies it.
 * Pass the schema so truncate on strings compares widths the right way round.
 */
export function satisfies(order: SortOrder, other: SortOrder, schema?: Schema): boolean {
  if (isUnsorted(other)) return true;
  if (other.fields.length > order.fields.length) return false;
  const byId = schema === undefined ? undefined : indexById(schema);
  return other.fields.every((wanted, i) => {
    const have = order.fields[i];
    if (sameField(have, wanted)) return true;
    if (
      have.sourceId !== wanted.sourceId ||
      have.direction !== wanted.direction ||
      have.nullOrder !== wanted.nullOrder ||
      sortSourceIds(have).length > 1 ||
      sortSourceIds(wanted).length > 1
    ) {
      return false;
    }
    const sourceType: IcebergType | undefined = byId?.get(have.sourceId)?.type;
    return satisfiesOrderOf(have.transform, wanted.transform, sourceType);
  });
}
