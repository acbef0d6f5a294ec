import { describe, expect, it } from 'vitest';
import { ValidationError } from './errors.js';
import type { NestedField, Schema } from './model.js';
import {
  assignFreshIds,
  assignFreshIdsFrom,
  checkDuplicateIds,
  checkSchemaCompatibility,
  findColumnName,
  findField,
  highestFieldId,
  indexById,
  indexByName,
  indexNameById,
  indexParents,
  sameSchema,
  validateDefaults,
  validateIdentifierFields,
  validateSchema,
} from './schema.js';

const req = (id: number, name: string, type: NestedField['type'], extra: Partial<NestedField> = {}): NestedField => ({
  id,
  name,
  required: true,
  type,
  ...extra,
});
const opt = (id: number, name: string, type: NestedField['type'], extra: Partial<NestedField> = {}): NestedField => ({
  id,
  name,
  required: false,
  type,
  ...extra,
});

/** id, data, points: list<struct<x, y>>, props: map<string, struct<v>>, loc: struct<lat, long> */
function nestedSchema(): Schema {
  return {
    type: 'struct',
    schemaId: 0,
    fields: [
      req(1, 'id', 'long'),
      opt(2, 'data', 'string'),
      opt(3, 'points', {
        type: 'list',
        elementId: 6,
        elementRequired: true,
        element: { type: 'struct', fields: [req(7, 'x', 'double'), req(8, 'y', 'double')] },
      }),
      opt(4, 'props', {
        type: 'map',
        keyId: 9,
        key: 'string',
        valueId: 10,
        valueRequired: false,
        value: { type: 'struct', fields: [opt(11, 'v', 'int')] },
      }),
      req(5, 'loc', { type: 'struct', fields: [req(12, 'lat', 'float'), req(13, 'long', 'float')] }),
    ],
  };
}

describe('indexById', () => {
  it('indexes every nested field including list elements and map keys/values', () => {
    const index = indexById(nestedSchema());
    expect([...index.keys()].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
    expect(index.get(6)).toMatchObject({ name: 'element', required: true });
    expect(index.get(9)).toMatchObject({ name: 'key', required: true, type: 'string' });
    expect(index.get(10)).toMatchObject({ name: 'value', required: false });
  });

  it('rejects duplicate ids at any depth', () => {
    const schema = nestedSchema();
    (schema.fields[4].type as { fields: NestedField[] }).fields[1].id = 7;
    expect(() => checkDuplicateIds(schema)).toThrow(ValidationError);
    expect(() => checkDuplicateIds(schema)).toThrow(/multiple fields for id 7/);
  });

  it('records the enclosing field of each nested field', () => {
    const parents = indexParents(nestedSchema());
    expect(parents.get(1)).toBeUndefined();
    expect(parents.get(6)).toBe(3);
    expect(parents.get(7)).toBe(6);
    expect(parents.get(11)).toBe(10);
    expect(parents.get(12)).toBe(5);
  });
});

describe('indexByName', () => {
  it('uses Java full names with element/key/value', () => {
    const names = indexByName(nestedSchema());
    expect(names.get('id')).toBe(1);
    expect(names.get('points')).toBe(3);
    expect(names.get('points.element')).toBe(6);
    expect(names.get('points.element.x')).toBe(7);
    expect(names.get('props.key')).toBe(9);
    expect(names.get('props.value')).toBe(10);
    expect(names.get('props.value.v')).toBe(11);
    expect(names.get('loc.lat')).toBe(12);
  });

  it('adds short names for fields of struct elements and struct values', () => {
    const names = indexByName(nestedSchema());
    expect(names.get('points.x')).toBe(7);
    expect(names.get('props.v')).toBe(11);
    expect(names.has('loc.element')).toBe(false);
  });

  it('keeps the element step in short names when the element is not a struct', () => {
    const schema: Schema = {
      type: 'struct',
      schemaId: 0,
      fields: [
        opt(1, 'a', {
          type: 'list',
          elementId: 2,
          elementRequired: false,
          element: { type: 'list', elementId: 3, elementRequired: false, element: { type: 'struct', fields: [opt(4, 'x', 'int')] } },
        }),
      ],
    };
    const names = indexByName(schema);
    expect(names.get('a.element.element.x')).toBe(4);
    expect(names.get('a.element.x')).toBe(4);
    expect(names.has('a.x')).toBe(false);
  });

  it('rejects two fields with the same full name', () => {
    const schema: Schema = { type: 'struct', schemaId: 0, fields: [req(1, 'a', 'int'), req(2, 'a', 'long')] };
    expect(() => indexByName(schema)).toThrow(/multiple fields for name a: 1 and 2/);
  });

  it('maps ids back to canonical names', () => {
    const names = indexNameById(nestedSchema());
    expect(names.get(7)).toBe('points.element.x');
    expect(names.get(11)).toBe('props.value.v');
    expect(findColumnName(nestedSchema(), 13)).toBe('loc.long');
  });
});

describe('findField and highestFieldId', () => {
  it('finds by id and by name, case-insensitively on request', () => {
    const schema = nestedSchema();
    expect(findField(schema, 12)?.name).toBe('lat');
    expect(findField(schema, 'points.x')?.id).toBe(7);
    expect(findField(schema, 'LOC.LAT')).toBeUndefined();
    expect(findField(schema, 'LOC.LAT', { caseSensitive: false })?.id).toBe(12);
    expect(findField(schema, 99)).toBeUndefined();
  });

  it('returns the highest id anywhere, or 0 for no fields', () => {
    expect(highestFieldId(nestedSchema())).toBe(13);
    expect(highestFieldId({ type: 'struct', schemaId: 0, fields: [] })).toBe(0);
    expect(highestFieldId('int')).toBe(0);
    expect(highestFieldId({ type: 'list', elementId: 42, elementRequired: true, element: 'int' })).toBe(42);
  });
});

describe('validateIdentifierFields', () => {
  const withIds = (ids: number[]): Schema => ({ ...nestedSchema(), identifierFieldIds: ids });

  it('accepts required primitives reached through required structs', () => {
    const schema: Schema = {
      type: 'struct',
      schemaId: 0,
      identifierFieldIds: [1, 12],
      fields: [req(1, 'id', 'long'), req(5, 'loc', { type: 'struct', fields: [req(12, 'code', 'string')] })],
    };
    expect(() => validateIdentifierFields(schema)).not.toThrow();
  });

  it.each([
    [[42], 'Cannot add fieldId 42 as an identifier field: field does not exist'],
    [[2], 'Cannot add field data as an identifier field: not a required field'],
    [[5], 'Cannot add field loc as an identifier field: not a primitive type field'],
    [[12], 'Cannot add field lat as an identifier field: must not be float or double field'],
    [[7], 'Cannot add field x as an identifier field: must not be float or double field'],
  ])('rejects %j', (ids, message) => {
    expect(() => validateIdentifierFields(withIds(ids))).toThrow(message);
  });

  it('rejects fields nested in lists, maps and optional structs', () => {
    const schema: Schema = {
      type: 'struct',
      schemaId: 0,
      fields: [
        opt(1, 'opt_struct', { type: 'struct', fields: [req(2, 'a', 'int')] }, { doc: 'maybe' }),
        req(3, 'l', { type: 'list', elementId: 4, elementRequired: true, element: { type: 'struct', fields: [req(5, 'b', 'int')] } }),
        req(6, 'm', { type: 'map', keyId: 7, key: 'string', valueId: 8, valueRequired: true, value: 'int' }),
      ],
    };
    expect(() => validateIdentifierFields({ ...schema, identifierFieldIds: [2] })).toThrow(
      'Cannot add field a as an identifier field: must not be nested in an optional field 1: opt_struct: optional struct<2: a: required int> (maybe)',
    );
    expect(() => validateIdentifierFields({ ...schema, identifierFieldIds: [5] })).toThrow(/must not be nested in 3: l: required list/);
    expect(() => validateIdentifierFields({ ...schema, identifierFieldIds: [7] })).toThrow(/must not be nested in 6: m: required map/);
  });
});

describe('assignFreshIds', () => {
  it('numbers a struct level first, then descends, like Java TypeUtil.assignFreshIds', () => {
    const fresh = assignFreshIds({ ...nestedSchema(), identifierFieldIds: [1] }, (() => {
      let n = 0;
      return () => ++n;
    })());
    // top level: id, data, points, props, loc -> 1..5; then points element 6, its fields 7, 8;
    // props key 9, value 10, value field 11; loc fields 12, 13.
    expect(indexNameById(fresh)).toEqual(indexNameById(nestedSchema()));
    expect(fresh.identifierFieldIds).toEqual([1]);
  });

  it('renumbers a scrambled schema and keeps identifier fields by name', () => {
    const schema: Schema = {
      type: 'struct',
      schemaId: 7,
      identifierFieldIds: [50],
      fields: [
        req(100, 'a', { type: 'struct', fields: [req(50, 'inner', 'string'), opt(51, 'm', { type: 'map', keyId: 60, key: 'int', valueId: 61, valueRequired: true, value: 'long' })] }),
        opt(20, 'b', 'int', { doc: 'kept', writeDefault: 3 }),
      ],
    };
    const { schema: fresh, lastColumnId } = assignFreshIdsFrom(schema, 0);
    expect(lastColumnId).toBe(6);
    expect(fresh.schemaId).toBe(7);
    const names = indexByName(fresh);
    expect(names.get('a')).toBe(1);
    expect(names.get('b')).toBe(2);
    expect(names.get('a.inner')).toBe(3);
    expect(names.get('a.m')).toBe(4);
    expect(names.get('a.m.key')).toBe(5);
    expect(names.get('a.m.value')).toBe(6);
    expect(fresh.identifierFieldIds).toEqual([3]);
    expect(fresh.fields[1]).toEqual({ id: 2, name: 'b', required: false, type: 'int', doc: 'kept', writeDefault: 3 });
    // the input is left untouched
    expect(schema.fields[0].id).toBe(100);
  });

  it('continues from a given last column id', () => {
    const { schema, lastColumnId } = assignFreshIdsFrom(
      { type: 'struct', schemaId: 0, fields: [req(1, 'x', 'int'), req(2, 'y', 'int')] },
      10,
    );
    expect(schema.fields.map((f) => f.id)).toEqual([11, 12]);
    expect(lastColumnId).toBe(12);
  });

  it('reuses ids of same-named fields of a base schema', () => {
    const base: Schema = { type: 'struct', schemaId: 0, fields: [req(1, 'x', 'int'), req(2, 'y', 'int')] };
    const replacement: Schema = { type: 'struct', schemaId: 0, fields: [req(1, 'z', 'int'), req(2, 'y', 'long')] };
    const { schema } = assignFreshIdsFrom(replacement, 2, base);
    expect(schema.fields.map((f) => [f.name, f.id])).toEqual([
      ['z', 3],
      ['y', 2],
    ]);
  });
});

describe('sameSchema', () => {
  it('ignores the schema id and identifier order but not fields', () => {
    const a: Schema = { ...nestedSchema(), schemaId: 0, identifierFieldIds: [1] };
    const b: Schema = { ...nestedSchema(), schemaId: 5, identifierFieldIds: [1] };
    expect(sameSchema(a, b)).toBe(true);
    expect(sameSchema(a, { ...b, identifierFieldIds: [] })).toBe(false);
    const renamed = nestedSchema();
    renamed.fields[1].name = 'payload';
    expect(sameSchema(a, { ...renamed, identifierFieldIds: [1] })).toBe(false);
  });

  it('compares docs, requiredness, nested types and defaults', () => {
    const base = (): Schema => ({ type: 'struct', schemaId: 0, fields: [opt(1, 'a', 'decimal(9,2)')] });
    expect(sameSchema(base(), { type: 'struct', schemaId: 1, fields: [opt(1, 'a', 'decimal(9, 2)')] })).toBe(true);
    expect(sameSchema(base(), { type: 'struct', schemaId: 0, fields: [opt(1, 'a', 'decimal(9,2)', { doc: 'd' })] })).toBe(false);
    expect(sameSchema(base(), { type: 'struct', schemaId: 0, fields: [req(1, 'a', 'decimal(9,2)')] })).toBe(false);
    expect(sameSchema(base(), { type: 'struct', schemaId: 0, fields: [opt(1, 'a', 'decimal(10,2)')] })).toBe(false);
    expect(sameSchema(base(), { type: 'struct', schemaId: 0, fields: [opt(1, 'a', 'decimal(9,2)', { writeDefault: '1.00' })] })).toBe(false);
    const list = (required: boolean): Schema => ({
      type: 'struct',
      schemaId: 0,
      fields: [opt(1, 'l', { type: 'list', elementId: 2, elementRequired: required, element: 'int' })],
    });
    expect(sameSchema(list(true), list(true))).toBe(true);
    expect(sameSchema(list(true), list(false))).toBe(false);
  });
});

describe('validateDefaults and checkSchemaCompatibility', () => {
  const one = (field: NestedField): Schema => ({ type: 'struct', schemaId: 0, fields: [field] });

  it('accepts well-formed defaults of every primitive type in v3', () => {
    const fields: NestedField[] = [
      opt(1, 'b', 'boolean', { initialDefault: true, writeDefault: false }),
      opt(2, 'i', 'int', { initialDefault: 34 }),
      opt(3, 'l', 'long', { initialDefault: 9223372036854775807n }),
      opt(4, 'f', 'float', { initialDefault: 1.5 }),
      opt(5, 'd', 'decimal(9,2)', { initialDefault: '14.20' }),
      opt(6, 'dt', 'date', { initialDefault: '2017-11-16' }),
      opt(7, 't', 'time', { initialDefault: '22:31:08.123456' }),
      opt(8, 'ts', 'timestamp', { initialDefault: '2017-11-16T22:31:08.123456' }),
      opt(9, 'tz', 'timestamptz', { initialDefault: '2017-11-16T22:31:08.123456+00:00' }),
      opt(10, 'ns', 'timestamp_ns', { initialDefault: '2017-11-16T22:31:08.123456789' }),
      opt(11, 's', 'string', { initialDefault: 'iceberg' }),
      opt(12, 'u', 'uuid', { initialDefault: 'f79c3e09-677c-4bbd-a479-3f349cb785e7' }),
      opt(13, 'fx', 'fixed[2]', { initialDefault: '00ff' }),
      opt(14, 'bin', 'binary', { initialDefault: '000102ff' }),
      opt(15, 'st', { type: 'struct', fields: [opt(16, 'x', 'int', { initialDefault: 0 })] }, { initialDefault: {} }),
      opt(17, 'li', { type: 'list', elementId: 18, elementRequired: true, element: 'int' }, { writeDefault: [1, 2] }),
      opt(19, 'mp', { type: 'map', keyId: 20, key: 'string', valueId: 21, valueRequired: false, value: 'int' }, { writeDefault: { keys: ['a'], values: [null] } }),
      opt(22, 'v', 'variant', { initialDefault: null }),
    ];
    expect(() => validateDefaults({ type: 'struct', schemaId: 0, fields }, 3)).not.toThrow();
  });

  it.each([
    [opt(1, 'x', 'int', { initialDefault: 2147483648 }), /cannot parse 2147483648 as a int value/],
    [opt(1, 'x', 'int', { initialDefault: '1' }), /initial default of x/],
    [opt(1, 'x', 'boolean', { writeDefault: 1 }), /write default of x/],
    [opt(1, 'x', 'decimal(9,2)', { initialDefault: '14.2' }), /decimal/],
    [opt(1, 'x', 'decimal(3,2)', { initialDefault: '14.20' }), /decimal/],
    [opt(1, 'x', 'date', { initialDefault: '2017-02-30' }), /date/],
    [opt(1, 'x', 'timestamptz', { initialDefault: '2017-11-16T22:31:08+01:00' }), /timestamptz/],
    [opt(1, 'x', 'timestamp', { initialDefault: '2017-11-16T22:31:08+00:00' }), /timestamp/],
    [opt(1, 'x', 'uuid', { initialDefault: 'not-a-uuid' }), /uuid/],
    [opt(1, 'x', 'fixed[2]', { initialDefault: '00' }), /fixed\[2\]/],
    [opt(1, 'x', 'binary', { initialDefault: 'zz' }), /binary/],
    [opt(1, 'x', 'variant', { initialDefault: 'a' }), /variant columns must default to null/],
    [opt(1, 'x', 'geometry', { writeDefault: 'POINT (30 10)' }), /geometry columns must default to null/],
    [opt(1, 'x', { type: 'struct', fields: [opt(2, 'y', 'int')] }, { initialDefault: { 2: 1 } }), /empty struct/],
    [opt(1, 'x', { type: 'list', elementId: 2, elementRequired: true, element: 'int' }, { initialDefault: [null] }), /null element/],
    [req(1, 'x', 'unknown'), /Cannot create required field with unknown type: x/],
  ])('rejects %j', (field, message) => {
    expect(() => validateDefaults(one(field), 3)).toThrow(message);
  });

  it('allows non-null initial defaults only from v3, write defaults always', () => {
    const schema = one(opt(1, 'x', 'int', { initialDefault: 1 }));
    expect(() => validateDefaults(schema, 2)).toThrow(
      'Invalid schema for v2:\n- Invalid initial default for x: non-null default (1) is not supported until v3',
    );
    expect(() => validateDefaults(schema, 3)).not.toThrow();
    expect(() => validateDefaults(one(opt(1, 'x', 'int', { writeDefault: 1, initialDefault: null })), 2)).not.toThrow();
  });

  it('rejects v3 types in older tables, naming the column', () => {
    const schema: Schema = {
      type: 'struct',
      schemaId: 0,
      fields: [opt(1, 's', { type: 'struct', fields: [opt(2, 'ts', 'timestamp_ns')] }), opt(3, 'v', 'variant')],
    };
    expect(() => checkSchemaCompatibility(schema, 2)).toThrow(
      'Invalid schema for v2:\n- Invalid type for s.ts: timestamp_ns is not supported until v3\n- Invalid type for v: variant is not supported until v3',
    );
    expect(() => checkSchemaCompatibility(schema, 3)).not.toThrow();
  });

  it('reports type and default problems together', () => {
    const schema: Schema = {
      type: 'struct',
      schemaId: 0,
      fields: [opt(1, 'ts', 'timestamp_ns'), opt(2, 's', 'string', { initialDefault: 'x' })],
    };
    expect(() => checkSchemaCompatibility(schema, 1)).toThrow(
      'Invalid schema for v1:\n- Invalid type for ts: timestamp_ns is not supported until v3\n- Invalid initial default for s: non-null default ("x") is not supported until v3',
    );
  });
});

describe('validateSchema', () => {
  it('accepts a valid nested schema', () => {
    expect(() => validateSchema({ ...nestedSchema(), identifierFieldIds: [1] }, 2)).not.toThrow();
  });

  it('rejects bad primitive types, reserved ids and bad identifier fields', () => {
    expect(() => validateSchema({ type: 'struct', schemaId: 0, fields: [req(1, 'a', 'integer')] }, 2)).toThrow(
      'Cannot parse type string to primitive: integer',
    );
    expect(() => validateSchema({ type: 'struct', schemaId: 0, fields: [req(2147483646, 'a', 'int')] }, 2)).toThrow(
      /Invalid field id 2147483646/,
    );
    expect(() => validateSchema({ ...nestedSchema(), identifierFieldIds: [2] }, 2)).toThrow(/not a required field/);
  });
});
