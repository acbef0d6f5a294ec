import type { Context } from 'hono';
import { checkName, checkNamespace, type Namespace, type PageRequest, type TableIdentifier } from '../../catalog/index.js';
import type { JsonObject, JsonValue } from '../../iceberg/json.js';
import { RequestError } from '../http.js';

export const MAX_PAGE_SIZE = 1000;

/** A namespace path parameter: levels joined by the unit separator (U+001F, `%1F` in URLs). */
export function namespaceParam(c: Context, name = 'namespace'): Namespace {
  const raw = c.req.param(name);
  if (raw === undefined || raw === '') throw new RequestError(400, 'Malformed request: missing namespace');
  return checkNamespace(raw.split('\u001f'));
}

export function identifierParam(c: Context, nameParam: string): TableIdentifier {
  return { namespace: namespaceParam(c), name: checkName('name', c.req.param(nameParam)) };
}

export function pageParams(c: Context): PageRequest & { all: boolean } {
  const token = c.req.query('pageToken');
  const sizeText = c.req.query('pageSize');
  let pageSize: number | undefined;
  if (sizeText !== undefined && sizeText !== '') {
    pageSize = /^[0-9]+$/.test(sizeText) ? Number(sizeText) : NaN;
    if (!(pageSize >= 1)) {
      throw new RequestError(400, `Invalid pageSize '${sizeText}': must be a positive integer`);
    }
    pageSize = Math.min(pageSize, MAX_PAGE_SIZE);
  }
  return { pageToken: token === '' ? undefined : token, pageSize, all: pageSize === undefined };
}

export function field(obj: JsonObject, name: string): JsonValue | undefined {
  return Object.prototype.hasOwnProperty.call(obj, name) ? obj[name] : undefined;
}

export function requiredString(obj: JsonObject, name: string): string {
  const v = field(obj, name);
  if (typeof v !== 'string') throw new RequestError(400, `Malformed request: missing or non-string field '${name}'`);
  return v;
}

export function optionalString(obj: JsonObject, name: string): string | undefined {
  const v = field(obj, name);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new RequestError(400, `Malformed request: field '${name}' must be a string`);
  return v;
}

export function optionalBoolean(obj: JsonObject, name: string): boolean {
  const v = field(obj, name);
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') throw new RequestError(400, `Malformed request: field '${name}' must be a boolean`);
  return v;
}

export function stringMap(obj: JsonObject, name: string): Record<string, string> {
  const v = field(obj, name);
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) {
    throw new RequestError(400, `Malformed request: field '${name}' must be an object of strings`);
  }
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) {
    if (typeof val !== 'string') {
      throw new RequestError(400, `Malformed request: value of '${name}.${k}' must be a string`);
    }
    out[k] = val;
  }
  return out;
}

export function stringArray(obj: JsonObject, name: string): string[] {
  const v = field(obj, name);
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
    throw new RequestError(400, `Malformed request: field '${name}' must be an array of strings`);
  }
  return v as string[];
}

export function objectField(obj: JsonObject, name: string, required: true): JsonObject;
export function objectField(obj: JsonObject, name: string, required?: false): JsonObject | undefined;
export function objectField(obj: JsonObject, name: string, required = false): JsonObject | undefined {
  const v = field(obj, name);
  if (v === undefined || v === null) {
    if (required) throw new RequestError(400, `Malformed request: missing field '${name}'`);
    return undefined;
  }
  if (typeof v !== 'object' || Array.isArray(v)) throw new RequestError(400, `Malformed request: field '${name}' must be an object`);
  return v;
}

export function arrayField(obj: JsonObject, name: string): JsonValue[] {
  const v = field(obj, name);
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new RequestError(400, `Malformed request: field '${name}' must be an array`);
  return v;
}

/** `{"namespace": [...], "name": "..."}` */
export function identifierFromJson(v: JsonValue | undefined, what: string): TableIdentifier {
  if (v === null || v === undefined || typeof v !== 'object' || Array.isArray(v)) {
    throw new RequestError(400, `Malformed request: missing or invalid ${what} identifier`);
  }
  return { namespace: checkNamespace(v.namespace), name: checkName('name', v.name) };
}

export function identifierToJson(id: TableIdentifier): JsonObject {
  return { namespace: id.namespace, name: id.name };
}
