import { describe, expect, it } from 'vitest';
import type { FormatVersion, StructType } from '../model.js';
import { decimalRequiredBytes, toAvroSchema } from './avro-schema.js';
import {
  dataFileSchema,
  manifestAvroSchema,
  manifestEntrySchema,
  manifestListAvroSchema,
  manifestListSchema,
} from './schemas.js';

/** `id name` for required fields, `id name?` for optional ones: compact to compare with the spec tables. */
function shape(struct: StructType): string[] {
  return struct.fields.map((f) => `${f.id} ${f.name}${f.required ? '' : '?'}`);
}

const noPartition: StructType = { type: 'struct', fields: [] };

describe('manifest list schemas (spec "Manifest Lists", Java V1/V2/V3 writers)', () => {
  it('v1', () => {
    expect(shape(manifestListSchema(1))).toEqual([
      '500 manifest_path',
      '501 manifest_length',
      '502 partition_spec_id',
      '503 added_snapshot_id',
      '504 added_files_count?',
      '505 existing_files_count?',
      '506 deleted_files_count?',
      '507 partitions?',
      '512 added_rows_count?',
      '513 existing_rows_count?',
      '514 deleted_rows_count?',
      '519 key_metadata?',
    ]);
  });

  const v2 = [
    '500 manifest_path',
    '501 manifest_length',
    '502 partition_spec_id',
    '517 content',
    '515 sequence_number',
    '516 min_sequence_number',
    '503 added_snapshot_id',
    '504 added_files_count',
    '505 existing_files_count',
    '506 deleted_files_count',
    '512 added_rows_count',
    '513 existing_rows_count',
    '514 deleted_rows_count',
    '507 partitions?',
    '519 key_metadata?',
  ];

  it('v2', () => {
    expect(shape(manifestListSchema(2))).toEqual(v2);
  });

  it('v3 adds first_row_id', () => {
    expect(shape(manifestListSchema(3))).toEqual([...v2, '520 first_row_id?']);
  });

  it('field_summary is list element 508 with fields 509, 518, 510, 511', () => {
    const partitions = manifestListSchema(2).fields.find((f) => f.id === 507)!;
    expect(partitions.type).toMatchObject({ type: 'list', elementId: 508, elementRequired: true });
    const element = (partitions.type as { element: StructType }).element;
    expect(shape(element)).toEqual(['509 contains_null', '518 contains_nan?', '510 lower_bound?', '511 upper_bound?']);
  });
});

describe('manifest entry schemas (spec "Manifests", Java V1/V2/V3 writers)', () => {
  it('entry fields per version', () => {
    expect(shape(manifestEntrySchema(1, noPartition))).toEqual(['0 status', '1 snapshot_id?', '2 data_file']);
    for (const v of [2, 3] as const) {
      expect(shape(manifestEntrySchema(v, noPartition))).toEqual([
        '0 status',
        '1 snapshot_id?',
        '3 sequence_number?',
        '4 file_sequence_number?',
        '2 data_file',
      ]);
    }
  });

  const metrics = [
    '108 column_sizes?',
    '109 value_counts?',
    '110 null_value_counts?',
    '137 nan_value_counts?',
    '125 lower_bounds?',
    '128 upper_bounds?',
    '131 key_metadata?',
    '132 split_offsets?',
  ];

  it('v1 data file has the required block_size_in_bytes and no content', () => {
    expect(shape(dataFileSchema(1, noPartition))).toEqual([
      '100 file_path',
      '101 file_format',
      '102 partition',
      '103 record_count',
      '104 file_size_in_bytes',
      '105 block_size_in_bytes',
      ...metrics,
      '140 sort_order_id?',
    ]);
  });

  it('v2 data file', () => {
    expect(shape(dataFileSchema(2, noPartition))).toEqual([
      '134 content',
      '100 file_path',
      '101 file_format',
      '102 partition',
      '103 record_count',
      '104 file_size_in_bytes',
      ...metrics,
      '135 equality_ids?',
      '140 sort_order_id?',
      '143 referenced_data_file?',
    ]);
  });

  it('v3 data file adds row lineage and deletion vector fields', () => {
    expect(shape(dataFileSchema(3, noPartition))).toEqual([
      '134 content',
      '100 file_path',
      '101 file_format',
      '102 partition',
      '103 record_count',
      '104 file_size_in_bytes',
      ...metrics,
      '135 equality_ids?',
      '140 sort_order_id?',
      '142 first_row_id?',
      '143 referenced_data_file?',
      '144 content_offset?',
      '145 content_size_in_bytes?',
    ]);
  });

  it('metric maps and lists carry the key, value and element ids of the spec', () => {
    const byId = new Map(dataFileSchema(3, noPartition).fields.map((f) => [f.id, f.type]));
    const maps: Array<[number, number, number, string]> = [
      [108, 117, 118, 'long'],
      [109, 119, 120, 'long'],
      [110, 121, 122, 'long'],
      [137, 138, 139, 'long'],
      [125, 126, 127, 'binary'],
      [128, 129, 130, 'binary'],
    ];
    for (const [id, keyId, valueId, value] of maps) {
      expect(byId.get(id)).toEqual({ type: 'map', keyId, key: 'int', valueId, value, valueRequired: true });
    }
    expect(byId.get(132)).toEqual({ type: 'list', elementId: 133, element: 'long', elementRequired: true });
    expect(byId.get(135)).toEqual({ type: 'list', elementId: 136, element: 'int', elementRequired: true });
  });
});

/** Every place an id must appear in the Avro form: record fields, arrays, maps. */
function missingIds(schema: unknown, path = '$'): string[] {
  if (Array.isArray(schema)) return schema.flatMap((s, i) => missingIds(s, `${path}|${i}`));
  if (typeof schema !== 'object' || schema === null) return [];
  const s = schema as Record<string, unknown>;
  const out: string[] = [];
  if (s.type === 'record') {
    for (const f of s.fields as Array<Record<string, unknown>>) {
      if (typeof f['field-id'] !== 'number') out.push(`${path}.${String(f.name)}`);
      out.push(...missingIds(f.type, `${path}.${String(f.name)}`));
    }
  } else if (s.type === 'array') {
    if (s.logicalType !== 'map' && typeof s['element-id'] !== 'number') out.push(`${path}[]`);
    out.push(...missingIds(s.items, `${path}[]`));
  } else if (s.type === 'map') {
    if (typeof s['key-id'] !== 'number' || typeof s['value-id'] !== 'number') out.push(`${path}{}`);
    out.push(...missingIds(s.values, `${path}{}`));
  }
  return out;
}

describe('Avro form of the schemas', () => {
  const partitionType: StructType = {
    type: 'struct',
    fields: [
      { id: 1000, name: 'id_bucket', required: false, type: 'int' },
      { id: 1001, name: 'ts_day', required: false, type: 'date' },
      { id: 1002, name: 'amount', required: false, type: 'decimal(9, 2)' },
    ],
  };

  for (const v of [1, 2, 3] as FormatVersion[]) {
    it(`v${v} manifest list and manifest carry an id on every field, element and map entry`, () => {
      expect(missingIds(manifestListAvroSchema(v))).toEqual([]);
      expect(missingIds(manifestAvroSchema(v, partitionType))).toEqual([]);
    });
  }

  it('writes int-keyed maps as arrays of k<key>_v<value> records, as Java does', () => {
    const schema = manifestAvroSchema(2, noPartition) as { fields: Array<{ name: string; type: unknown }> };
    const dataFile = schema.fields.find((f) => f.name === 'data_file')!.type as { fields: Array<Record<string, unknown>> };
    const columnSizes = dataFile.fields.find((f) => f.name === 'column_sizes')!;
    expect(columnSizes).toEqual({
      name: 'column_sizes',
      type: [
        'null',
        {
          type: 'array',
          items: {
            type: 'record',
            name: 'k117_v118',
            fields: [
              { name: 'key', type: 'int', 'field-id': 117 },
              { name: 'value', type: 'long', 'field-id': 118 },
            ],
          },
          logicalType: 'map',
        },
      ],
      default: null,
      'field-id': 108,
    });
    expect(dataFile.fields.find((f) => f.name === 'split_offsets')).toEqual({
      name: 'split_offsets',
      type: ['null', { type: 'array', items: 'long', 'element-id': 133 }],
      default: null,
      'field-id': 132,
    });
  });

  it('names records as Java does: manifest_file, manifest_entry, r2, r102, r508', () => {
    const text = JSON.stringify([manifestListAvroSchema(2), manifestAvroSchema(2, partitionType)]);
    for (const name of ['manifest_file', 'manifest_entry', 'r2', 'r102', 'r508']) {
      expect(text).toContain(`"name":"${name}"`);
    }
  });

  it('maps every partition result type to the Avro type Java writes', () => {
    const struct: StructType = {
      type: 'struct',
      fields: [
        ['boolean', 'boolean'],
        ['int', 'int'],
        ['long', 'long'],
        ['float', 'float'],
        ['double', 'double'],
        ['string', 'string'],
        ['binary', 'bytes'],
        ['date', { type: 'int', logicalType: 'date' }],
        ['time', { type: 'long', logicalType: 'time-micros' }],
        ['timestamp', { type: 'long', logicalType: 'timestamp-micros', 'adjust-to-utc': false }],
        ['timestamptz', { type: 'long', logicalType: 'timestamp-micros', 'adjust-to-utc': true }],
        ['timestamp_ns', { type: 'long', logicalType: 'timestamp-nanos', 'adjust-to-utc': false }],
        ['uuid', { type: 'fixed', name: 'uuid_fixed', size: 16, logicalType: 'uuid' }],
        ['fixed[3]', { type: 'fixed', name: 'fixed_3', size: 3 }],
        [
          'decimal(38, 10)',
          { type: 'fixed', name: 'decimal_38_10', size: 16, logicalType: 'decimal', precision: 38, scale: 10 },
        ],
      ].map(([type], i) => ({ id: 1000 + i, name: `f${i}`, required: true, type: type as string })),
    };
    const expected = [
      'boolean',
      'int',
      'long',
      'float',
      'double',
      'string',
      'bytes',
      { type: 'int', logicalType: 'date' },
      { type: 'long', logicalType: 'time-micros' },
      { type: 'long', logicalType: 'timestamp-micros', 'adjust-to-utc': false },
      { type: 'long', logicalType: 'timestamp-micros', 'adjust-to-utc': true },
      { type: 'long', logicalType: 'timestamp-nanos', 'adjust-to-utc': false },
      { type: 'fixed', name: 'uuid_fixed', size: 16, logicalType: 'uuid' },
      { type: 'fixed', name: 'fixed_3', size: 3 },
      { type: 'fixed', name: 'decimal_38_10', size: 16, logicalType: 'decimal', precision: 38, scale: 10 },
    ];
    const avro = toAvroSchema(struct, 'r102') as { fields: Array<{ type: unknown; 'field-id': number }> };
    expect(avro.fields.map((f) => f.type)).toEqual(expected);
    expect(avro.fields.map((f) => f['field-id'])).toEqual(expected.map((_, i) => 1000 + i));
  });

  it('defines a named type once and refers to it by name afterwards', () => {
    const struct: StructType = {
      type: 'struct',
      fields: [
        { id: 1000, name: 'a', required: false, type: 'decimal(9, 2)' },
        { id: 1001, name: 'b', required: false, type: 'decimal(9, 2)' },
      ],
    };
    const avro = toAvroSchema(struct, 'r102') as { fields: Array<{ type: unknown }> };
    expect((avro.fields[0].type as unknown[])[1]).toMatchObject({ type: 'fixed', name: 'decimal_9_2' });
    expect(avro.fields[1].type).toEqual(['null', 'decimal_9_2']);
  });

  it('sanitises invalid Avro names and keeps the original as iceberg-field-name', () => {
    const struct: StructType = {
      type: 'struct',
      fields: [{ id: 1000, name: '1st-day', required: true, type: 'date' }],
    };
    const avro = toAvroSchema(struct, 'r102') as { fields: Array<Record<string, unknown>> };
    expect(avro.fields[0]).toMatchObject({ name: '_1st_x2Dday', 'iceberg-field-name': '1st-day', 'field-id': 1000 });
  });

  it('sizes decimals like Java TypeUtil.decimalRequiredBytes', () => {
    expect([1, 2, 3, 9, 10, 18, 19, 38].map(decimalRequiredBytes)).toEqual([1, 1, 2, 4, 5, 8, 9, 16]);
  });
});
