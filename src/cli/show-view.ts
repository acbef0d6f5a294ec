/** The view page of `lakecat show`: identity, the current version's schema and SQL, all versions, properties. */
import type { JsonObject } from '../iceberg/json.js';
import { fields, formatKey, formatTime, table } from './format.js';
import { list, objectOr, schemaTable, text } from './metadata-text.js';

export function renderView(name: string, ref: string, metadataLocation: string | undefined, m: JsonObject): string {
  const out: string[] = [];
  const currentId = m['current-version-id'];
  const versions = list(m.versions);
  const current = versions.find((v) => v['version-id'] === currentId);
  out.push(
    fields([
      ['View', `${name} (on ${ref})`],
      ['UUID', text(m['view-uuid'])],
      ['Format version', text(m['format-version'])],
      ['Location', text(m.location)],
      ['Metadata file', metadataLocation ?? '-'],
      ['Current version', text(currentId)],
    ]),
  );

  if (current) {
    const schemaId = current['schema-id'];
    const schema = list(m.schemas).find((s) => s['schema-id'] === schemaId) ?? {};
    out.push(`\nSchema (id ${text(schemaId)}):\n`);
    out.push(schemaTable(schema));
    const ns = current['default-namespace'];
    if (Array.isArray(ns) && ns.length > 0) out.push(`\nDefault namespace: ${formatKey(ns.map(String))}\n`);
    for (const r of list(current.representations)) {
      out.push(`\nSQL (${text(r.dialect)}):\n${indent(text(r.sql))}\n`);
    }
  }

  if (versions.length > 0) {
    out.push(`\nVersions (${versions.length}):\n`);
    out.push(
      table(
        ['ID', 'SCHEMA', 'CREATED', 'ENGINE', 'DIALECTS'],
        versions.map((v) => {
          const summary = objectOr(v.summary);
          const engine = [summary['engine-name'], summary['engine-version']].filter((x) => typeof x === 'string').join(' ');
          return [
            text(v['version-id']) + (v['version-id'] === currentId ? ' *' : ''),
            text(v['schema-id']),
            formatTime(v['timestamp-ms'] as number | bigint | undefined),
            engine || '-',
            list(v.representations)
              .map((r) => text(r.dialect))
              .join(', '),
          ];
        }),
      ),
    );
  }

  const properties = Object.entries(objectOr(m.properties));
  if (properties.length > 0) {
    out.push('\nProperties:\n');
    out.push(table(['KEY', 'VALUE'], properties.map(([k, v]) => [k, text(v)])));
  }
  return out.join('');
}

function indent(sql: string): string {
  return sql
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}
