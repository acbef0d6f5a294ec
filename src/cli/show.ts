/**
 * `lakecat show TABLE`: a table as of a reference, read through the Iceberg REST API: schema,
 * partition spec, snapshots, snapshot refs, properties and the metadata file history.
 */
import type { JsonObject, JsonValue } from '../iceberg/json.js';
import { expectPositionals } from './args.js';
import { namespaceArg, REF_OPTION, refFor } from './catalog.js';
import type { Command } from './command.js';
import { EXIT, UsageError } from './errors.js';
import { fields, formatKey, formatTime, jsonOutput, table } from './format.js';

export const showCommand: Command = {
  name: 'show',
  summary: 'Show a table: schema, partition spec, snapshots, refs, metadata history',
  usage: 'lakecat show TABLE [--ref REF]     TABLE like db.orders or db.sales.orders',
  options: [REF_OPTION],
  async run(ctx, args) {
    const [text] = expectPositionals(args, 1, 1, this.usage);
    const key = namespaceArg(text, 'table');
    if (key.length < 2) throw new UsageError(`'${text}' needs a namespace: write NAMESPACE.TABLE, e.g. db.${text}`);
    const namespace = key.slice(0, -1);
    const name = key[key.length - 1];
    const ref = await refFor(ctx, args.values.get('ref'));
    const loaded = await ctx.client.loadTable(ref, namespace, name);
    // The load result's `config` can carry storage credentials; it is never printed.
    const metadata = objectOr(loaded.metadata);
    if (ctx.json) {
      ctx.out(jsonOutput({ identifier: { namespace, name }, ref, 'metadata-location': loaded['metadata-location'] ?? null, metadata }));
      return EXIT.OK;
    }
    ctx.out(renderTable(formatKey(key), ref, typeof loaded['metadata-location'] === 'string' ? loaded['metadata-location'] : undefined, metadata));
    return EXIT.OK;
  },
};

function objectOr(v: JsonValue | undefined): JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? v : {};
}

function list(v: JsonValue | undefined): JsonObject[] {
  return Array.isArray(v) ? v.map(objectOr) : [];
}

function text(v: JsonValue | undefined): string {
  return v === undefined || v === null ? '-' : String(v);
}

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
  const identifierIds = Array.isArray(schema['identifier-field-ids']) ? schema['identifier-field-ids'].map(String) : [];
  out.push(`\nSchema (id ${text(schema['schema-id'] ?? schemaId)}):\n`);
  out.push(
    table(
      ['ID', 'NAME', 'TYPE', 'NULLABLE', 'DOC'],
      columns.map((c) => [c.id + (identifierIds.includes(c.id) ? ' (key)' : ''), c.name, c.type, c.required ? 'no' : 'yes', c.doc]),
    ),
  );

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

interface Column {
  id: string;
  name: string;
  type: string;
  required: boolean;
  doc: string;
}

/** Columns in schema order; fields of nested structs follow their parent as `parent.child`. */
function schemaRows(fieldsJson: JsonObject[], prefix: string): Column[] {
  const rows: Column[] = [];
  for (const f of fieldsJson) {
    const name = prefix + text(f.name);
    rows.push({ id: text(f.id), name, type: typeString(f.type), required: f.required === true, doc: typeof f.doc === 'string' ? f.doc : '' });
    const t = f.type;
    if (t !== null && typeof t === 'object' && !Array.isArray(t) && t.type === 'struct') {
      rows.push(...schemaRows(list(t.fields), `${name}.`));
    }
  }
  return rows;
}

export function typeString(t: JsonValue | undefined): string {
  if (typeof t === 'string') return t;
  const o = objectOr(t);
  switch (o.type) {
    case 'struct':
      return `struct<${list(o.fields).map((f) => `${text(f.name)}: ${typeString(f.type)}`).join(', ')}>`;
    case 'list':
      return `list<${typeString(o.element)}>`;
    case 'map':
      return `map<${typeString(o.key)}, ${typeString(o.value)}>`;
    default:
      return text(o.type);
  }
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
