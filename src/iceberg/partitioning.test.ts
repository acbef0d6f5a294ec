import { describe, expect, it } from 'vitest';
import { ValidationError } from './errors.js';
import type { PartitionField, PartitionSpec, Schema } from './model.js';
import {
  assignFreshPartitionIds,
  hasSequentialIds,
  isUnpartitioned,
  lastAssignedPartitionId,
  partitionPath,
  partitionType,
  reusePartitionFieldIds,
  samePartitionFields,
  specsCompatible,
  UNPARTITIONED_SPEC,
  urlEncodeForm,
  validatePartitionSpec,
} from './partitioning.js';

const schema: Schema = {
  type: 'struct',
  schemaId: 0,
  fields: [
    { id: 1, name: 'id', required: true, type: 'long' },
    { id: 2, name: 'data', required: false, type: 'string' },
    { id: 3, name: 'ts', required: false, type: 'timestamptz' },
    { id: 4, name: 'price', required: false, type: 'double' },
    { id: 5, name: 'loc', required: false, type: { type: 'struct', fields: [{ id: 6, name: 'city', required: false, type: 'string' }] } },
    { id: 7, name: 'tags', required: false, type: { type: 'list', elementId: 8, elementRequired: true, element: 'string' } },
    { id: 9, name: 'd', required: false, type: 'date' },
  ],
};

const pf = (sourceId: number, fieldId: number, name: string, transform: string): PartitionField => ({
  sourceId,
  fieldId,
  name,
  transform,
});
const spec = (...fields: PartitionField[]): PartitionSpec => ({ specId: 0, fields });

describe('validatePartitionSpec', () => {
  it('accepts a spec over primitives, including nested struct fields', () => {
    const s = spec(
      pf(3, 1000, 'ts_day', 'day'),
      pf(1, 1001, 'id_bucket', 'bucket[16]'),
      pf(6, 1002, 'city', 'identity'),
      pf(2, 1003, 'data', 'identity'),
    );
    expect(() => validatePartitionSpec(s, schema, { formatVersion: 1 })).not.toThrow();
    expect(() => validatePartitionSpec(UNPARTITIONED_SPEC, schema)).not.toThrow();
  });

  it.each([
    [spec(pf(99, 1000, 'x', 'identity')), 'Cannot find source column for partition field: 1000: x: identity(99)'],
    [spec(pf(5, 1000, 'loc_id', 'identity')), 'Cannot partition by non-primitive source field: struct<6: city: optional string>'],
    [spec(pf(4, 1000, 'price_bucket', 'bucket[4]')), 'Invalid source type double for transform: bucket[4]'],
    [spec(pf(2, 1000, 'data_hour', 'hour')), 'Invalid source type string for transform: hour'],
    [spec(pf(8, 1000, 'tag', 'identity')), 'Invalid partition field parent: list<string>'],
    [spec(pf(1, 1000, 'data', 'identity')), 'Cannot create identity partition sourced from different field in schema: data'],
    [spec(pf(1, 1000, 'loc.city', 'bucket[2]')), 'Cannot create identity partition sourced from different field in schema: loc.city'],
    [spec(pf(1, 1000, 'p', 'identity'), pf(2, 1001, 'p', 'identity')), 'Cannot use partition name more than once: p'],
    [spec(pf(1, 1000, '', 'identity')), 'Cannot use empty or null partition name: '],
    [spec(pf(1, 1000, 'a', 'identity'), pf(2, 1000, 'b', 'identity')), 'Cannot use partition field id more than once: 1000'],
  ])('rejects %j', (s, message) => {
    expect(() => validatePartitionSpec(s, schema)).toThrow(ValidationError);
    expect(() => validatePartitionSpec(s, schema)).toThrow(message);
  });

  it('skips source checks for void fields and optionally for dropped columns', () => {
    expect(() => validatePartitionSpec(spec(pf(99, 1000, 'gone', 'void')), schema)).not.toThrow();
    expect(() => validatePartitionSpec(spec(pf(99, 1000, 'gone', 'day')), schema, { allowMissingFields: true })).not.toThrow();
  });

  it('tolerates unknown transforms on any source', () => {
    expect(() => validatePartitionSpec(spec(pf(2, 1000, 'z', 'zorder')), schema)).not.toThrow();
  });

  it('requires sequential ids in v1 only', () => {
    const s = spec(pf(1, 1000, 'a', 'identity'), pf(2, 1005, 'b', 'identity'));
    expect(hasSequentialIds(s)).toBe(false);
    expect(() => validatePartitionSpec(s, schema, { formatVersion: 1 })).toThrow(/Spec does not use sequential IDs that are required in v1/);
    expect(() => validatePartitionSpec(s, schema, { formatVersion: 2 })).not.toThrow();
  });

  it('can skip name conflict checks', () => {
    expect(() => validatePartitionSpec(spec(pf(1, 1000, 'data', 'identity')), schema, { checkNameConflicts: false })).not.toThrow();
  });
});

describe('partitionType', () => {
  it('has the partition field ids, names and result types, all optional', () => {
    const s = spec(
      pf(3, 1000, 'ts_day', 'day'),
      pf(1, 1001, 'id_bucket', 'bucket[16]'),
      pf(2, 1002, 'data_trunc', 'truncate[4]'),
      pf(9, 1003, 'd', 'identity'),
      pf(99, 1004, 'dropped', 'void'),
    );
    expect(partitionType(s, schema)).toEqual({
      type: 'struct',
      fields: [
        { id: 1000, name: 'ts_day', required: false, type: 'int' },
        { id: 1001, name: 'id_bucket', required: false, type: 'int' },
        { id: 1002, name: 'data_trunc', required: false, type: 'string' },
        { id: 1003, name: 'd', required: false, type: 'date' },
        { id: 1004, name: 'dropped', required: false, type: 'unknown' },
      ],
    });
  });
});

describe('partitionPath', () => {
  it('joins name=value pairs with human-readable values', () => {
    const s = spec(
      pf(3, 1000, 'ts_hour', 'hour'),
      pf(1, 1001, 'id_bucket', 'bucket[16]'),
      pf(9, 1002, 'd', 'identity'),
      pf(2, 1003, 'data', 'identity'),
    );
    expect(partitionPath(s, schema, [17486 * 24 + 22, 3, 17486, null])).toBe('ts_hour=2017-11-16-22/id_bucket=3/d=2017-11-16/data=null');
  });

  it('form-encodes names and values like Java URLEncoder', () => {
    const s = spec(pf(2, 1000, 'da ta/x', 'identity'));
    expect(partitionPath(s, schema, ['a b/c?d=é&*~'])).toBe('da+ta%2Fx=a+b%2Fc%3Fd%3D%C3%A9%26*%7E');
    expect(urlEncodeForm('A-z_0.9*')).toBe('A-z_0.9*');
    expect(urlEncodeForm("!'()")).toBe('%21%27%28%29');
    expect(urlEncodeForm('😀')).toBe('%F0%9F%98%80');
  });

  it('checks the tuple size', () => {
    expect(() => partitionPath(spec(pf(1, 1000, 'id_b', 'bucket[2]')), schema, [])).toThrow(/has 0 values but spec 0 has 1 fields/);
  });
});

describe('spec equivalence', () => {
  const a = spec(pf(3, 1000, 'ts_day', 'day'), pf(1, 1001, 'id_bucket', 'bucket[16]'));

  it('treats specs with the same sources, transforms and names as compatible, ignoring ids', () => {
    const b: PartitionSpec = { specId: 3, fields: [pf(3, 1005, 'ts_day', 'DAY'), pf(1, 1006, 'id_bucket', 'bucket[16]')] };
    expect(specsCompatible(a, b)).toBe(true);
    expect(samePartitionFields(a, b)).toBe(false);
    expect(samePartitionFields(a, { ...a, specId: 9 })).toBe(true);
  });

  it('tells apart different names, transforms, sources and lengths', () => {
    expect(specsCompatible(a, spec(pf(3, 1000, 'ts', 'day'), pf(1, 1001, 'id_bucket', 'bucket[16]')))).toBe(false);
    expect(specsCompatible(a, spec(pf(3, 1000, 'ts_day', 'hour'), pf(1, 1001, 'id_bucket', 'bucket[16]')))).toBe(false);
    expect(specsCompatible(a, spec(pf(9, 1000, 'ts_day', 'day'), pf(1, 1001, 'id_bucket', 'bucket[16]')))).toBe(false);
    expect(specsCompatible(a, spec(pf(3, 1000, 'ts_day', 'day')))).toBe(false);
    expect(specsCompatible(UNPARTITIONED_SPEC, spec())).toBe(true);
  });
});

describe('ids', () => {
  it('reports the last assigned partition id, 999 when unpartitioned', () => {
    expect(lastAssignedPartitionId(UNPARTITIONED_SPEC)).toBe(999);
    expect(lastAssignedPartitionId(spec(pf(1, 1003, 'a', 'identity'), pf(2, 1001, 'b', 'identity')))).toBe(1003);
  });

  it('knows unpartitioned specs', () => {
    expect(isUnpartitioned(UNPARTITIONED_SPEC)).toBe(true);
    expect(isUnpartitioned(spec(pf(1, 1000, 'a', 'void')))).toBe(true);
    expect(isUnpartitioned(spec(pf(1, 1000, 'a', 'identity')))).toBe(false);
  });

  it('rebinds a spec to a fresh schema by column name and numbers from 1000', () => {
    const requestSchema: Schema = {
      type: 'struct',
      schemaId: 0,
      fields: [
        { id: 10, name: 'ts', required: false, type: 'timestamptz' },
        { id: 20, name: 'id', required: true, type: 'long' },
      ],
    };
    const fresh: Schema = {
      type: 'struct',
      schemaId: 0,
      fields: [
        { id: 1, name: 'ts', required: false, type: 'timestamptz' },
        { id: 2, name: 'id', required: true, type: 'long' },
      ],
    };
    const result = assignFreshPartitionIds({ specId: 7, fields: [pf(20, 5, 'id_b', 'bucket[4]'), pf(10, 9, 'ts_day', 'day')] }, requestSchema, fresh);
    expect(result).toEqual({
      spec: { specId: 0, fields: [pf(2, 1000, 'id_b', 'bucket[4]'), pf(1, 1001, 'ts_day', 'day')] },
      lastPartitionId: 1001,
    });
    expect(assignFreshPartitionIds(UNPARTITIONED_SPEC, requestSchema, fresh).lastPartitionId).toBe(999);
    expect(() => assignFreshPartitionIds(spec(pf(30, 1, 'x', 'identity')), requestSchema, fresh)).toThrow('Cannot find source column: 30');
  });

  it('reuses ids of equivalent fields in existing specs and numbers new ones after the last id', () => {
    const existing = [spec(pf(3, 1000, 'ts_day', 'day'), pf(1, 1001, 'id_bucket', 'bucket[16]'))];
    const result = reusePartitionFieldIds(
      { specId: 1, fields: [pf(1, 0, 'renamed_bucket', 'bucket[16]'), pf(2, 0, 'data', 'identity'), pf(3, 0, 'ts_hour', 'hour')] },
      existing,
      1001,
    );
    expect(result.spec.fields.map((f) => f.fieldId)).toEqual([1001, 1002, 1003]);
    expect(result.lastPartitionId).toBe(1003);
  });
});
