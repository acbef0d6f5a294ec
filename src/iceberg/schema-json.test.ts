import { describe, expect, it } from 'vitest';
import { ValidationError } from './errors.js';
import { jsonEquals, parseJson, type JsonValue } from './json.js';
import {
  partitionFieldsFromJson,
  partitionSpecFromJson,
  partitionSpecToJson,
  schemaFromJson,
  unboundPartitionSpecFromJson,
  schemaToJson,
  sortOrderFromJson,
  sortOrderToJson,
  typeFromJson,
  typeToJson,
} from './schema-json.js';

function j(text: string): JsonValue {
  return parseJson(text);
}

function expectInvalid(fn: () => unknown, message: string | RegExp): void {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(ValidationError);
  if (typeof message === 'string') expect((thrown as Error).message).toBe(message);
  else expect((thrown as Error).message).toMatch(message);
}

describe('typeFromJson / typeToJson', () => {
  it('reads every primitive of the spec and writes it back unchanged', () => {
    const names = [
      'boolean', 'int', 'long', 'float', 'double', 'date', 'time', 'timestamp', 'timestamptz',
      'timestamp_ns', 'timestamptz_ns', 'string', 'uuid', 'binary', 'unknown', 'variant',
      'fixed[16]', 'decimal(9, 2)', 'geometry(srid:4326)', 'geography(srid:4326, spherical)',
    ];
    for (const name of names) {
      expect(typeFromJson(name)).toBe(name);
      expect(typeToJson(typeFromJson(name))).toBe(name);
    }
  });

  it('canonicalises spelling variants the spec allows', () => {
    expect(typeFromJson('decimal(9,2)')).toBe('decimal(9, 2)');
    expect(typeFromJson('decimal( 38 , 0 )')).toBe('decimal(38, 0)');
    expect(typeFromJson('fixed[ 8 ]')).toBe('fixed[8]');
    expect(typeFromJson('LONG')).toBe('long');
  });

  it('rejects unknown primitive names and impossible decimals', () => {
    expectInvalid(() => typeFromJson('int64'), 'Cannot parse type string to primitive: int64');
    expectInvalid(() => typeFromJson('decimal(39, 2)'), /precision larger than 38/);
    expectInvalid(() => typeFromJson('fixed[x]'), 'Cannot parse type string to primitive: fixed[x]');
  });

  it('rejects values that are neither a type name nor a nested type object', () => {
    expectInvalid(() => typeFromJson(5), 'Cannot parse type from json: 5');
    expectInvalid(() => typeFromJson(j('{"type":"tuple"}')), 'Cannot parse type from json: {"type":"tuple"}');
  });

  it('round-trips nested list, map and struct types', () => {
    const json = j(`{"type":"map","key-id":3,"key":"string","value-id":4,
      "value":{"type":"list","element-id":5,"element":{"type":"struct","fields":[
        {"id":6,"name":"a","required":true,"type":"int","doc":"d"}]},"element-required":false},
      "value-required":true}`);
    const t = typeFromJson(json);
    expect(t).toEqual({
      type: 'map',
      keyId: 3,
      key: 'string',
      valueId: 4,
      value: {
        type: 'list',
        elementId: 5,
        element: { type: 'struct', fields: [{ id: 6, name: 'a', required: true, type: 'int', doc: 'd' }] },
        elementRequired: false,
      },
      valueRequired: true,
    });
    expect(jsonEquals(typeToJson(t), json)).toBe(true);
  });

  it('names the missing or mistyped member of a nested type', () => {
    expectInvalid(() => typeFromJson(j('{"type":"list","element":"int","element-required":true}')), 'Cannot parse missing int: element-id');
    expectInvalid(
      () => typeFromJson(j('{"type":"list","element-id":1,"element":"int","element-required":"yes"}')),
      'Cannot parse to a boolean value: element-required: "yes"',
    );
    expectInvalid(() => typeFromJson(j('{"type":"map","key-id":1,"key":"int","value-id":2,"value-required":true}')), 'Cannot parse missing field: value');
    expectInvalid(() => typeFromJson(j('{"type":"struct","fields":{}}')), 'Cannot parse struct fields from non-array: {}');
  });
});

describe('schemaFromJson / schemaToJson', () => {
  it('reads schema id, identifier fields, docs and defaults', () => {
    const json = j(`{"type":"struct","schema-id":3,"identifier-field-ids":[1],"fields":[
      {"id":1,"name":"id","required":true,"type":"long"},
      {"id":2,"name":"unit","required":false,"type":"string","doc":"unit","initial-default":"c","write-default":"f"}]}`);
    const s = schemaFromJson(json);
    expect(s.schemaId).toBe(3);
    expect(s.identifierFieldIds).toEqual([1]);
    expect(s.fields[1]).toEqual({
      id: 2, name: 'unit', required: false, type: 'string', doc: 'unit', initialDefault: 'c', writeDefault: 'f',
    });
    expect(jsonEquals(schemaToJson(s), json)).toBe(true);
  });

  it('gives a schema without an id the id 0 and always writes the id', () => {
    const s = schemaFromJson(j('{"type":"struct","fields":[]}'));
    expect(s.schemaId).toBe(0);
    expect(schemaToJson(s)).toEqual({ type: 'struct', 'schema-id': 0, fields: [] });
  });

  it('leaves out an empty identifier field list like the reference writer', () => {
    const s = schemaFromJson(j('{"type":"struct","schema-id":1,"identifier-field-ids":[],"fields":[]}'));
    expect(schemaToJson(s)).not.toHaveProperty('identifier-field-ids');
  });

  it('treats a null default as no default', () => {
    const s = schemaFromJson(j('{"type":"struct","fields":[{"id":1,"name":"a","required":false,"type":"int","initial-default":null}]}'));
    expect(s.fields[0]).not.toHaveProperty('initialDefault');
  });

  it('rejects a schema that is not a struct', () => {
    expectInvalid(() => schemaFromJson('int'), 'Cannot create schema, not a struct type: "int"');
  });

  it('names the bad member of a struct field', () => {
    expectInvalid(() => schemaFromJson(j('{"type":"struct","fields":[{"name":"a","required":true,"type":"int"}]}')), 'Cannot parse missing int: id');
    expectInvalid(() => schemaFromJson(j('{"type":"struct","fields":[{"id":1,"required":true,"type":"int"}]}')), 'Cannot parse missing string: name');
    expectInvalid(() => schemaFromJson(j('{"type":"struct","fields":[{"id":1,"name":"a","type":"int"}]}')), 'Cannot parse missing boolean: required');
    expectInvalid(() => schemaFromJson(j('{"type":"struct","fields":[{"id":"1","name":"a","required":true,"type":"int"}]}')), 'Cannot parse to an integer value: id: "1"');
    expectInvalid(() => schemaFromJson(j('{"type":"struct","fields":[{"id":4294967296,"name":"a","required":true,"type":"int"}]}')), /integer value: id: 4294967296/);
    expectInvalid(() => schemaFromJson(j('{"type":"struct","fields":[7]}')), 'Cannot parse struct field from non-object: 7');
    expectInvalid(() => schemaFromJson(j('{"type":"struct","identifier-field-ids":["a"],"fields":[]}')), 'Cannot parse integer from non-int value in identifier-field-ids: "a"');
  });
});

describe('partition specs', () => {
  it('round-trips a spec and writes members in the reference order', () => {
    const json = j('{"spec-id":1,"fields":[{"name":"b","transform":"bucket[16]","source-id":2,"field-id":1001}]}');
    const spec = partitionSpecFromJson(json);
    expect(spec).toEqual({ specId: 1, fields: [{ sourceId: 2, fieldId: 1001, name: 'b', transform: 'bucket[16]' }] });
    const out = partitionSpecToJson(spec);
    expect(jsonEquals(out, json)).toBe(true);
    expect(Object.keys((out['fields'] as Record<string, unknown>[])[0] as object)).toEqual(['name', 'transform', 'source-id', 'field-id']);
  });

  it('numbers v1 fields without ids from 1000, as the reference implementation did', () => {
    const fields = partitionFieldsFromJson(j('[{"name":"a","transform":"identity","source-id":1},{"name":"b","transform":"day","source-id":2}]'));
    expect(fields.map((f) => f.fieldId)).toEqual([1000, 1001]);
  });

  it('rejects a spec where only some fields have ids', () => {
    expectInvalid(
      () => partitionFieldsFromJson(j('[{"name":"a","transform":"identity","source-id":1,"field-id":1000},{"name":"b","transform":"day","source-id":2}]')),
      'Cannot parse spec with missing field IDs: 1 missing of 2 fields.',
    );
  });

  it('reads v3 multi-argument source-ids and writes only source-ids back', () => {
    const json = j('{"spec-id":0,"fields":[{"name":"z","transform":"zorder","source-ids":[3,1],"field-id":1000}]}');
    const spec = partitionSpecFromJson(json);
    expect(spec.fields[0]).toEqual({ sourceId: 3, sourceIds: [3, 1], fieldId: 1000, name: 'z', transform: 'zorder' });
    expect(jsonEquals(partitionSpecToJson(spec), json)).toBe(true);
  });

  it('reads a client spec without spec-id or field ids, as the REST spec allows', () => {
    const spec = unboundPartitionSpecFromJson(j('{"fields":[{"name":"d","transform":"day","source-id":4}]}'));
    expect(spec).toEqual({ specId: 0, fields: [{ sourceId: 4, fieldId: 1000, name: 'd', transform: 'day' }] });
    expect(unboundPartitionSpecFromJson(j('{"spec-id":3,"fields":[]}')).specId).toBe(3);
    expectInvalid(() => unboundPartitionSpecFromJson(j('{"spec-id":"3","fields":[]}')), 'Cannot parse to an integer value: spec-id: "3"');
  });

  it('names missing or mistyped members', () => {
    expectInvalid(() => partitionSpecFromJson(j('{"fields":[]}')), 'Cannot parse missing int: spec-id');
    expectInvalid(() => partitionSpecFromJson(j('{"spec-id":0}')), 'Cannot parse missing field: fields');
    expectInvalid(() => partitionSpecFromJson(j('{"spec-id":0,"fields":[{"name":"a","source-id":1}]}')), 'Cannot parse missing string: transform');
    expectInvalid(() => partitionSpecFromJson(j('{"spec-id":0,"fields":[{"name":"a","transform":"identity"}]}')), 'Cannot parse missing int: source-id');
    expectInvalid(() => partitionSpecFromJson(j('{"spec-id":0,"fields":"x"}')), 'Cannot parse partition spec fields, not an array: "x"');
    expectInvalid(() => partitionSpecFromJson(j('[]')), 'Cannot parse spec from non-object: []');
  });
});

describe('sort orders', () => {
  it('round-trips a sort order', () => {
    const json = j(`{"order-id":1,"fields":[
      {"transform":"identity","source-id":2,"direction":"asc","null-order":"nulls-first"},
      {"transform":"bucket[4]","source-id":3,"direction":"desc","null-order":"nulls-last"}]}`);
    const order = sortOrderFromJson(json);
    expect(order.fields[1]).toEqual({ transform: 'bucket[4]', sourceId: 3, direction: 'desc', nullOrder: 'nulls-last' });
    expect(jsonEquals(sortOrderToJson(order), json)).toBe(true);
  });

  it('accepts upper-case direction and null order, and writes them lower-case', () => {
    const order = sortOrderFromJson(j('{"order-id":1,"fields":[{"transform":"identity","source-id":2,"direction":"ASC","null-order":"NULLS-LAST"}]}'));
    expect(order.fields[0]).toMatchObject({ direction: 'asc', nullOrder: 'nulls-last' });
  });

  it('round-trips multi-argument sort fields', () => {
    const json = j('{"order-id":2,"fields":[{"transform":"zorder","source-ids":[1,2],"direction":"asc","null-order":"nulls-first"}]}');
    expect(jsonEquals(sortOrderToJson(sortOrderFromJson(json)), json)).toBe(true);
  });

  it('rejects bad directions, null orders and missing members', () => {
    expectInvalid(
      () => sortOrderFromJson(j('{"order-id":1,"fields":[{"transform":"identity","source-id":2,"direction":"up","null-order":"nulls-first"}]}')),
      'Invalid sort direction: up',
    );
    expectInvalid(
      () => sortOrderFromJson(j('{"order-id":1,"fields":[{"transform":"identity","source-id":2,"direction":"asc","null-order":"first"}]}')),
      'Unexpected null order: first',
    );
    expectInvalid(() => sortOrderFromJson(j('{"fields":[]}')), 'Cannot parse missing int: order-id');
    expectInvalid(() => sortOrderFromJson(j('{"order-id":1,"fields":[{"source-id":2,"direction":"asc","null-order":"nulls-first"}]}')), 'Cannot parse missing string: transform');
    expectInvalid(() => sortOrderFromJson(j('{"order-id":1,"fields":3}')), 'Cannot parse sort order fields, not an array: 3');
  });
});
