/** Plain-text helpers shared by the table and view pages of `lakecat show`. */
import type { JsonObject, JsonValue } from '../iceberg/json.js';
import { table } from './format.js';

export function objectOr(v: JsonValue | undefined): JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? v : {};
}

export function list(v: JsonValue | undefined): JsonObject[] {
  return Array.isArray(v) ? v.map(objectOr) : [];
}

export function text(v: JsonValue | undefined): string {
  return v === undefined || v === null ? '-' : String(v);
}

export interface Column {
  id: string;
  name: string;
  type: string;
  required: boolean;
  doc: string;
}

/** Columns in schema order; fields of nested structs follow their parent as `parent.child`. */
export function schemaRows(fieldsJson: JsonObject[], prefix: string): Column[] {
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


/** The columns of a schema as a table, identifier fields marked `(key)`. */
export function schemaTable(schema: JsonObject): string {
  const columns = schemaRows(list(schema.fields), '');
  const identifierIds = Array.isArray(schema['identifier-field-ids']) ? schema['identifier-field-ids'].map(String) : [];
  return table(
    ['ID', 'NAME', 'TYPE', 'NULLABLE', 'DOC'],
    columns.map((c) => [c.id + (identifierIds.includes(c.id) ? ' (key)' : ''), c.name, c.type, c.required ? 'no' : 'yes', c.doc]),
  );
}
