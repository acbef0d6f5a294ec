import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseJson, type JsonObject } from '../iceberg/json.js';
import { typeString } from './metadata-text.js';
import { renderTable } from './show-table.js';
import { renderView } from './show-view.js';

const metadata = parseJson(readFileSync(new URL('../iceberg/testdata/table-metadata-v2.json', import.meta.url), 'utf8')) as JsonObject;
const page = renderTable('analytics.page_views', 'main', 's3://warehouse/analytics.db/page_views/metadata/00034-x.metadata.json', metadata);

function section(title: string): string[] {
  const lines = page.split('\n');
  const start = lines.findIndex((l) => l.startsWith(title));
  expect(start, `section ${title}`).toBeGreaterThanOrEqual(0);
  const end = lines.findIndex((l, i) => i > start && l === '');
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

describe('show: one table page', () => {
  it('heads with identity, location and the exact 63-bit current snapshot', () => {
    expect(page).toMatch(/^Table: +analytics\.page_views \(on main\)$/m);
    expect(page).toMatch(/^UUID: +9c12d441-03fe-4693-9a96-a0705ddf69c1$/m);
    expect(page).toMatch(/^Current snapshot: +7777777777777777777$/m);
    expect(page).toMatch(/^Last updated: +2024-05-06 16:19:05Z$/m);
  });

  it('lists the current schema (not the first one) with nullability, docs and identifier fields', () => {
    expect(page).toContain('Schema (id 1):');
    const rows = section('Schema (id 1):');
    expect(rows[0].split(/ {2,}/)).toEqual(['ID', 'NAME', 'TYPE', 'NULLABLE', 'DOC']);
    expect(rows[1].split(/ {2,}/)).toEqual(['1 (key)', 'view_id', 'uuid', 'no']);
    expect(rows[3].split(/ {2,}/)).toEqual(['3', 'url', 'string', 'yes', 'full URL including query string']);
    expect(rows.find((r) => r.includes('tags'))!.split(/ {2,}/)).toEqual(['5', 'tags', 'list<string>', 'yes']);
  });

  it('shows the default partition spec and sort order with source column names', () => {
    expect(section('Partition spec (id 1):').map((r) => r.split(/ {2,}/))).toEqual([
      ['FIELD', 'TRANSFORM', 'SOURCE'],
      ['viewed_at_day', 'day', 'viewed_at'],
      ['user_id_bucket', 'bucket[16]', 'user_id'],
      ['url_trunc', 'truncate[8]', 'url'],
    ]);
    expect(section('Sort order (id 1):')[1].split(/ {2,}/)).toEqual(['user_id', 'identity', 'asc', 'nulls-first']);
  });

  it('lists snapshots with the current one starred, refs with retention, and metadata history ending in the current file', () => {
    const snaps = section('Snapshots (2):');
    expect(snaps[1].split(/ {2,}/)).toEqual(['5129384756102938475', '-', '33', '2024-05-06 12:53:20Z', 'append', '+rows=1000 +files=4 rows=250000']);
    expect(snaps[2].split(/ {2,}/).slice(0, 2)).toEqual(['7777777777777777777 *', '5129384756102938475']);
    const refs = section('Refs:');
    expect(refs.find((r) => r.startsWith('audit'))).toContain('max-snapshot-age-ms=604800000 min-snapshots-to-keep=5');
    expect(refs.find((r) => r.startsWith('release-2024-05'))!.split(/ {2,}/).slice(0, 3)).toEqual(['release-2024-05', 'tag', '5129384756102938475']);
    const history = section('Metadata history:');
    expect(history.length).toBe(1 + (metadata['metadata-log'] as unknown[]).length + 1);
    expect(history[history.length - 1]).toContain('00034-x.metadata.json (current)');
  });

  it('says so when a table has no snapshots and no partitioning', () => {
    const empty = renderTable('db.t', 'dev', undefined, {
      'format-version': 2,
      'current-schema-id': 0,
      schemas: [{ type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', required: true, type: 'long' }] }],
      'default-spec-id': 0,
      'partition-specs': [{ 'spec-id': 0, fields: [] }],
      'current-snapshot-id': -1,
      snapshots: [],
    });
    expect(empty).toMatch(/^Current snapshot: +none$/m);
    expect(empty).toContain('Partition spec (id 0): unpartitioned');
    expect(empty).toContain('Snapshots: none');
    expect(empty).not.toContain('Metadata history');
  });
});

describe('typeString', () => {
  it('renders nested types compactly', () => {
    expect(typeString({ type: 'map', 'key-id': 1, key: 'string', 'value-id': 2, value: { type: 'list', 'element-id': 3, element: 'int', 'element-required': false }, 'value-required': true })).toBe('map<string, list<int>>');
    expect(typeString({ type: 'struct', fields: [{ id: 1, name: 'a', required: true, type: 'decimal(9,2)' }] })).toBe('struct<a: decimal(9,2)>');
  });
});

describe('show: one view page', () => {
  const view = parseJson(readFileSync(new URL('../iceberg/testdata/view-metadata-v1.json', import.meta.url), 'utf8')) as JsonObject;
  const text = renderView('analytics.daily_views', 'dev', 's3://w/v.metadata.json', view);

  it('shows the current version: its schema (not the first), every SQL dialect, and the version list', () => {
    expect(text).toMatch(/^View: +analytics\.daily_views \(on dev\)$/m);
    expect(text).toMatch(/^Current version: +2$/m);
    expect(text).toContain('Schema (id 1):');
    expect(text).toMatch(/^2 +user_id +long +yes$/m);
    expect(text).toContain('SQL (trino):\n  SELECT date(viewed_at) AS day, user_id');
    expect(text).toContain('SQL (spark):');
    expect(text).toMatch(/^1 +0 +2024-05-06 12:53:20Z +Spark 3\.5\.1 +spark$/m);
    expect(text).toMatch(/^2 \* +1 +.* +trino 447 +trino, spark$/m);
    expect(text).toMatch(/^comment +Daily page views per user$/m);
  });
});
