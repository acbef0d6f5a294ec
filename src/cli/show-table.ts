/** The table page of `lakecat show`: identity, schema, partition spec, sort order, snapshots, refs, properties, metadata history. */
import type { JsonObject } from '../iceberg/json.js';
import { fields, formatTime, table } from './format.js';
import { list, objectOr, schemaRows, schemaTable, text } from './metadata-text.js';

/** The human-readable page of one table; exported for unit tests. */
export function renderTable(name: string, ref: string, metadataLocation: string | undefined, m: JsonObject): string {
  const out: string[] = [];
  const current = m['current-snapshot-id'];
  const hasCurrent = current !== undefined && current !== null && String(current) !== '-1';
  out.push(
    fields([
      ['Table', `${name} (on ${ref})`],
      ['UUID', text(m['table-uuid'])],
      ['Format version', text(m['format-version'])],
      ['Location', text(m.location)],
      ['Metadata file', metadataLocation ?? '-'],
      ['Current snapshot', hasCurrent ? String(current) : 'none'],
      ['Last updated', formatTime(m['last-updated-ms'] as number | bigint | undefined)],
    ]),
  );

  const schemaId = m['current-schema-id'];
  const schema = list(m.schemas).find((s) => s['schema-id'] === schemaId) ?? objectOr(m.schema);
  const columns = schemaRows(list(schema.fields), '');
  out.push(`\nSchema (id ${text(schema['schema-id'] ?? schemaId)}):\n`);
  out.push(schemaTable(schema));

  const specId = m['default-spec-id'];
  const spec = list(m['partition-specs']).find((s) => s['spec-id'] === specId);
  const specFields = spec ? list(spec.fields) : [];
  const byId = new Map(columns.map((c) => [c.id, c.name]));
  if (specFields.length === 0) {
    out.push(`\nPartition spec (id ${text(specId)}): unpartitioned\n`);
  } else {
    out.push(`\nPartition spec (id ${text(specId)}):\n`);
    out.push(
      table(
        ['FIELD', 'TRANSFORM', 'SOURCE'],
        specFields.map((f) => [text(f.name), text(f.transform), byId.get(text(f['source-id'])) ?? `field ${text(f['source-id'])}`]),
      ),
    );
  }

  const orderId = m['default-sort-order-id'];
  const order = list(m['sort-orders']).find((o) => o['order-id'] === orderId);
  const orderFields = order ? list(order.fields) : [];
  if (orderFields.length > 0) {
    out.push(`\nSort order (id ${text(orderId)}):\n`);
    out.push(
      table(
        ['SOURCE', 'TRANSFORM', 'DIRECTION', 'NULLS'],
        orderFields.map((f) => [byId.get(text(f['source-id'])) ?? `field ${text(f['source-id'])}`, text(f.transform), text(f.direction), text(f['null-order'])]),
      ),
    );
  }

  const snapshots = list(m.snapshots);
  if (snapshots.length === 0) {
    out.push('\nSnapshots: none\n');
  } else {
    out.push(`\nSnapshots (${snapshots.length}):\n`);
    out.push(
      table(
        ['ID', 'PARENT', 'SEQ', 'COMMITTED', 'OPERATION', 'SUMMARY'],
        snapshots.map((s) => {
          const summary = objectOr(s.summary);
          const id = text(s['snapshot-id']);
          return [
            id + (hasCurrent && id === String(current) ? ' *' : ''),
            text(s['parent-snapshot-id']),
            text(s['sequence-number']),
            formatTime(s['timestamp-ms'] as number | bigint | undefined),
            text(summary.operation),
            summaryText(summary),
          ];
        }),
      ),
    );
  }

  const refs = Object.entries(objectOr(m.refs));
  if (refs.length > 0) {
    out.push('\nRefs:\n');
    out.push(
      table(
        ['NAME', 'TYPE', 'SNAPSHOT', 'RETENTION'],
        refs.map(([refName, r]) => {
          const o = objectOr(r);
          return [refName, text(o.type), text(o['snapshot-id']), retention(o)];
        }),
      ),
    );
  }

  const properties = Object.entries(objectOr(m.properties));
  if (properties.length > 0) {
    out.push('\nProperties:\n');
    out.push(table(['KEY', 'VALUE'], properties.map(([k, v]) => [k, text(v)])));
  }

  const history = list(m['metadata-log']).map((e) => [formatTime(e['timestamp-ms'] as number | bigint | undefined), text(e['metadata-file'])]);
  if (metadataLocation) history.push([formatTime(m['last-updated-ms'] as number | bigint | undefined), `${metadataLocation} (current)`]);
  if (history.length > 0) {
    out.push('\nMetadata history:\n');
    out.push(table(['UPDATED', 'FILE'], history));
  }
  return out.join('');
}

const SUMMARY_KEYS: [string, string][] = [
  ['added-records', '+rows'],
  ['deleted-records', '-rows'],
  ['added-data-files', '+files'],
  ['deleted-data-files', '-files'],
  ['total-records', 'rows'],
];

function summaryText(summary: JsonObject): string {
  return SUMMARY_KEYS.filter(([k]) => summary[k] !== undefined)
    .map(([k, label]) => `${label}=${text(summary[k])}`)
    .join(' ');
}

function retention(ref: JsonObject): string {
  const parts: string[] = [];
  if (ref['max-ref-age-ms'] !== undefined) parts.push(`max-ref-age-ms=${text(ref['max-ref-age-ms'])}`);
  if (ref['max-snapshot-age-ms'] !== undefined) parts.push(`max-snapshot-age-ms=${text(ref['max-snapshot-age-ms'])}`);
  if (ref['min-snapshots-to-keep'] !== undefined) parts.push(`min-snapshots-to-keep=${text(ref['min-snapshots-to-keep'])}`);
  return parts.join(' ');
}
