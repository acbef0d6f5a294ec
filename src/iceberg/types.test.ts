import { describe, expect, it } from 'vitest';
import { ValidationError } from './errors.js';
import {
  checkPromotion,
  formatPrimitive,
  isPrimitive,
  isPromotionAllowed,
  minFormatVersion,
  normalizePrimitive,
  parsePrimitive,
  samePrimitive,
} from './types.js';

describe('parsePrimitive / formatPrimitive', () => {
  it.each([
    'boolean', 'int', 'long', 'float', 'double', 'date', 'time', 'timestamp', 'timestamptz',
    'timestamp_ns', 'timestamptz_ns', 'string', 'uuid', 'binary', 'unknown', 'variant',
  ])('round-trips %s', (name) => {
    expect(parsePrimitive(name)).toEqual({ kind: name });
    expect(formatPrimitive(parsePrimitive(name))).toBe(name);
  });

  it('parses decimals with or without blanks and prints them as Java does', () => {
    expect(parsePrimitive('decimal(9,2)')).toEqual({ kind: 'decimal', precision: 9, scale: 2 });
    expect(parsePrimitive('decimal( 38 , 0 )')).toEqual({ kind: 'decimal', precision: 38, scale: 0 });
    expect(formatPrimitive({ kind: 'decimal', precision: 9, scale: 2 })).toBe('decimal(9, 2)');
    expect(normalizePrimitive('DECIMAL(10,4)')).toBe('decimal(10, 4)');
  });

  it('rejects decimals wider than 38 digits', () => {
    expect(() => parsePrimitive('decimal(39,2)')).toThrow(
      'Decimals with precision larger than 38 are not supported: 39',
    );
  });

  it('parses fixed lengths', () => {
    expect(parsePrimitive('fixed[16]')).toEqual({ kind: 'fixed', length: 16 });
    expect(parsePrimitive('fixed[ 3 ]')).toEqual({ kind: 'fixed', length: 3 });
    expect(formatPrimitive({ kind: 'fixed', length: 16 })).toBe('fixed[16]');
  });

  it('parses geometry with and without a CRS, keeping the CRS case', () => {
    expect(parsePrimitive('geometry')).toEqual({ kind: 'geometry' });
    expect(parsePrimitive('geometry(srid:4326)')).toEqual({ kind: 'geometry', crs: 'srid:4326' });
    expect(parsePrimitive('geometry(projjson:MyProp)')).toEqual({ kind: 'geometry', crs: 'projjson:MyProp' });
    expect(formatPrimitive({ kind: 'geometry', crs: 'srid:4326' })).toBe('geometry(srid:4326)');
    expect(formatPrimitive({ kind: 'geometry' })).toBe('geometry');
  });

  it('parses geography with CRS and edge algorithm', () => {
    expect(parsePrimitive('geography')).toEqual({ kind: 'geography' });
    expect(parsePrimitive('geography(srid:4326)')).toEqual({ kind: 'geography', crs: 'srid:4326' });
    expect(parsePrimitive('geography(srid:4326,spherical)')).toEqual({
      kind: 'geography',
      crs: 'srid:4326',
      algorithm: 'spherical',
    });
    expect(parsePrimitive('geography(OGC:CRS84, Karney)')).toEqual({
      kind: 'geography',
      crs: 'OGC:CRS84',
      algorithm: 'karney',
    });
    expect(formatPrimitive({ kind: 'geography', crs: 'srid:4326', algorithm: 'vincenty' })).toBe(
      'geography(srid:4326, vincenty)',
    );
    expect(formatPrimitive({ kind: 'geography', algorithm: 'thomas' })).toBe('geography(OGC:CRS84, thomas)');
  });

  it.each([
    ['integer', 'Cannot parse type string to primitive: integer'],
    ['fixed[]', 'Cannot parse type string to primitive: fixed[]'],
    ['decimal(9)', 'Cannot parse type string to primitive: decimal(9)'],
    ['geography(srid:4326, flat)', 'Invalid edge interpolation algorithm: flat'],
    ['geometry()', 'Invalid geometry type, empty CRS: geometry()'],
    ['', 'Cannot parse type string to primitive: '],
  ])('rejects %j', (text, message) => {
    expect(() => parsePrimitive(text)).toThrow(ValidationError);
    expect(() => parsePrimitive(text)).toThrow(message);
  });

  it('recognises primitives and nothing else', () => {
    expect(isPrimitive('timestamptz_ns')).toBe(true);
    expect(isPrimitive('Long')).toBe(true);
    expect(isPrimitive('struct')).toBe(false);
    expect(isPrimitive({ type: 'struct', fields: [] })).toBe(false);
    expect(isPrimitive(3)).toBe(false);
  });

  it('compares spellings of the same type', () => {
    expect(samePrimitive('decimal(9,2)', 'decimal(9, 2)')).toBe(true);
    expect(samePrimitive('decimal(9,2)', 'decimal(9,3)')).toBe(false);
    expect(samePrimitive('nonsense', 'nonsense')).toBe(true);
    expect(samePrimitive('nonsense', 'other')).toBe(false);
  });
});

describe('minFormatVersion', () => {
  it.each([
    ['int', 1], ['decimal(9,2)', 1], ['uuid', 1], ['fixed[4]', 1], ['timestamptz', 1],
    ['timestamp_ns', 3], ['timestamptz_ns', 3], ['unknown', 3], ['variant', 3], ['geometry', 3],
    ['geography(srid:4326)', 3],
  ])('%s needs v%d', (type, version) => {
    expect(minFormatVersion(type)).toBe(version);
  });

  it('takes the maximum over nested types', () => {
    expect(minFormatVersion({ type: 'list', elementId: 1, elementRequired: false, element: 'int' })).toBe(1);
    expect(
      minFormatVersion({
        type: 'struct',
        fields: [
          { id: 1, name: 'a', required: false, type: 'int' },
          {
            id: 2,
            name: 'm',
            required: false,
            type: { type: 'map', keyId: 3, key: 'string', valueId: 4, valueRequired: false, value: 'variant' },
          },
        ],
      }),
    ).toBe(3);
  });
});

describe('type promotion', () => {
  it.each([
    ['int', 'long', 1, true],
    ['int', 'long', 3, true],
    ['long', 'int', 2, false],
    ['int', 'string', 2, false],
    ['float', 'double', 1, true],
    ['double', 'float', 2, false],
    ['decimal(9,2)', 'decimal(18,2)', 2, true],
    ['decimal(9,2)', 'decimal(9,2)', 2, true],
    ['decimal(18,2)', 'decimal(9,2)', 2, false],
    ['decimal(9,2)', 'decimal(18,3)', 2, false],
    ['date', 'timestamp', 2, false],
    ['date', 'timestamp', 3, true],
    ['date', 'timestamp_ns', 3, true],
    ['date', 'timestamptz', 3, false],
    ['date', 'timestamptz_ns', 3, false],
    ['unknown', 'string', 3, true],
    ['timestamp', 'timestamp_ns', 3, false],
    ['string', 'binary', 3, false],
  ] as const)('%s -> %s in v%d: %s', (from, to, version, allowed) => {
    expect(isPromotionAllowed(from, to, version)).toBe(allowed);
  });

  it('lets unknown become a nested type in v3 only', () => {
    const list = { type: 'list' as const, elementId: 2, elementRequired: false, element: 'int' };
    expect(isPromotionAllowed('unknown', list, 3)).toBe(true);
    expect(isPromotionAllowed('int', list, 3)).toBe(false);
    expect(isPromotionAllowed(list, 'int', 3)).toBe(false);
  });

  it('explains a refused promotion', () => {
    expect(() => checkPromotion('long', 'int', 2)).toThrow('Cannot change column type: long -> int');
    expect(() => checkPromotion('int', 'long', 2)).not.toThrow();
  });
});
