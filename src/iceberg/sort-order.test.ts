import { describe, expect, it } from 'vitest';
import { ValidationError } from './errors.js';
import type { Schema, SortField, SortOrder } from './model.js';
import {
  assignFreshSortOrderIds,
  describeSortField,
  isUnsorted,
  sameSortFields,
  satisfies,
  UNSORTED_ORDER,
  validateSortOrder,
} from './sort-order.js';

const schema: Schema = {
  type: 'struct',
  schemaId: 0,
  fields: [
    { id: 1, name: 'id', required: true, type: 'long' },
    { id: 2, name: 'data', required: false, type: 'string' },
    { id: 3, name: 'ts', required: false, type: 'timestamp' },
    { id: 4, name: 'price', required: false, type: 'double' },
    { id: 5, name: 'm', required: false, type: { type: 'map', keyId: 6, key: 'string', valueId: 7, valueRequired: false, value: 'int' } },
  ],
};

const sf = (sourceId: number, transform = 'identity', direction: SortField['direction'] = 'asc', nullOrder: SortField['nullOrder'] = 'nulls-first'): SortField => ({
  transform,
  sourceId,
  direction,
  nullOrder,
});
const order = (orderId: number, ...fields: SortField[]): SortOrder => ({ orderId, fields });

describe('validateSortOrder', () => {
  it('accepts the unsorted order and valid sorted orders', () => {
    expect(() => validateSortOrder(UNSORTED_ORDER, schema)).not.toThrow();
    expect(() => validateSortOrder(order(1, sf(1), sf(3, 'day', 'desc', 'nulls-last'), sf(4), sf(2, 'bucket[4]')), schema)).not.toThrow();
  });

  it.each([
    [order(3), 'Unsorted order ID must be 0'],
    [order(0, sf(1)), 'Sort order ID 0 is reserved for unsorted order'],
    [order(1, sf(99)), 'Cannot find source column for sort field: identity(99) ASC NULLS FIRST'],
    [order(1, sf(5)), 'Cannot sort by non-primitive source field: map<string, int>'],
    [order(1, sf(2, 'day')), 'Invalid source type string for transform: day'],
    [order(1, sf(4, 'bucket[2]', 'desc', 'nulls-last')), 'Invalid source type double for transform: bucket[2]'],
    [order(1, { ...sf(1), direction: 'up' as never }), 'Invalid sort direction: up'],
    [order(1, { ...sf(1), nullOrder: 'nulls-middle' as never }), 'Invalid null order: nulls-middle'],
  ])('rejects %j', (o, message) => {
    expect(() => validateSortOrder(o, schema)).toThrow(ValidationError);
    expect(() => validateSortOrder(o, schema)).toThrow(message);
  });

  it('can allow dropped source columns', () => {
    expect(() => validateSortOrder(order(1, sf(99)), schema, { allowMissingFields: true })).not.toThrow();
  });
});

describe('sort order identity', () => {
  it('describes fields like Java', () => {
    expect(describeSortField(sf(3, 'bucket[4]', 'desc', 'nulls-last'))).toBe('bucket[4](3) DESC NULLS LAST');
  });

  it('compares fields, ignoring order ids and transform spelling', () => {
    expect(sameSortFields(order(1, sf(1), sf(2)), order(5, sf(1), sf(2, 'IDENTITY')))).toBe(true);
    expect(sameSortFields(order(1, sf(1), sf(2)), order(1, sf(2), sf(1)))).toBe(false);
    expect(sameSortFields(order(1, sf(1)), order(1, sf(1, 'identity', 'desc')))).toBe(false);
    expect(sameSortFields(order(1, sf(1)), order(1, sf(1, 'identity', 'asc', 'nulls-last')))).toBe(false);
    expect(sameSortFields(order(1, sf(1)), order(1, sf(1), sf(2)))).toBe(false);
    expect(sameSortFields(UNSORTED_ORDER, order(0))).toBe(true);
  });

  it('knows the unsorted order', () => {
    expect(isUnsorted(UNSORTED_ORDER)).toBe(true);
    expect(isUnsorted(order(1, sf(1)))).toBe(false);
  });
});

describe('assignFreshSortOrderIds', () => {
  it('rebinds sources by name and uses id 1, or 0 when unsorted', () => {
    const requestSchema: Schema = {
      type: 'struct',
      schemaId: 0,
      fields: [
        { id: 7, name: 'data', required: false, type: 'string' },
        { id: 8, name: 'id', required: true, type: 'long' },
      ],
    };
    const fresh: Schema = {
      type: 'struct',
      schemaId: 0,
      fields: [
        { id: 1, name: 'data', required: false, type: 'string' },
        { id: 2, name: 'id', required: true, type: 'long' },
      ],
    };
    expect(assignFreshSortOrderIds(order(9, sf(8, 'bucket[4]', 'desc', 'nulls-last'), sf(7)), requestSchema, fresh)).toEqual(
      order(1, sf(2, 'bucket[4]', 'desc', 'nulls-last'), sf(1)),
    );
    expect(assignFreshSortOrderIds(order(0), requestSchema, fresh)).toEqual(order(0));
    expect(() => assignFreshSortOrderIds(order(1, sf(99)), requestSchema, fresh)).toThrow('Cannot find source column: 99');
  });
});

describe('satisfies', () => {
  it('any order satisfies unsorted; fewer fields cannot satisfy more', () => {
    expect(satisfies(UNSORTED_ORDER, UNSORTED_ORDER)).toBe(true);
    expect(satisfies(order(1, sf(1)), UNSORTED_ORDER)).toBe(true);
    expect(satisfies(UNSORTED_ORDER, order(1, sf(1)))).toBe(false);
    expect(satisfies(order(1, sf(1)), order(1, sf(1), sf(2)))).toBe(false);
  });

  it('a longer order satisfies its prefix', () => {
    expect(satisfies(order(1, sf(1), sf(2)), order(2, sf(1)))).toBe(true);
    expect(satisfies(order(1, sf(1), sf(2)), order(2, sf(2)))).toBe(false);
  });

  it('needs the same direction and null order', () => {
    expect(satisfies(order(1, sf(1)), order(1, sf(1, 'identity', 'desc')))).toBe(false);
    expect(satisfies(order(1, sf(1)), order(1, sf(1, 'identity', 'asc', 'nulls-last')))).toBe(false);
  });

  it('uses transform ordering: identity and finer time units imply coarser ones', () => {
    expect(satisfies(order(1, sf(3)), order(1, sf(3, 'day')))).toBe(true);
    expect(satisfies(order(1, sf(3, 'hour')), order(1, sf(3, 'day')))).toBe(true);
    expect(satisfies(order(1, sf(3, 'day')), order(1, sf(3, 'hour')))).toBe(false);
    expect(satisfies(order(1, sf(1)), order(1, sf(1, 'bucket[4]')))).toBe(false);
    expect(satisfies(order(1, sf(2, 'truncate[5]')), order(1, sf(2, 'truncate[3]')), schema)).toBe(true);
    expect(satisfies(order(1, sf(1, 'truncate[5]')), order(1, sf(1, 'truncate[3]')), schema)).toBe(false);
    expect(satisfies(order(1, sf(1, 'truncate[5]')), order(1, sf(1, 'truncate[10]')), schema)).toBe(true);
  });
});
