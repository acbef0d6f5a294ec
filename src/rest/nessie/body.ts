/**
 * Request and response bodies of the Nessie API, parsed and printed losslessly: Iceberg
 * snapshot ids are 63-bit and must never pass through `JSON.parse` or hono's `c.json()`.
 */
import { gunzipSync, inflateSync } from 'node:zlib';
import type { Context } from 'hono';
import { parseJson, stringifyJson, JsonSyntaxError, type JsonObject, type JsonValue } from '../../iceberg/json.js';
import { NessieBadRequest } from './errors.js';

const MAX_BODY_BYTES = 16 * 1024 * 1024;

/** Reads an optional JSON body; an empty body is `null` (Nessie's create-reference allows it). */
export async function readBody(c: Context): Promise<JsonValue> {
  const declared = Number(c.req.header('content-length') ?? '0');
  if (declared > MAX_BODY_BYTES) throw new NessieBadRequest(`Request body larger than ${MAX_BODY_BYTES} bytes`);
  const text = await bodyText(c);
  if (text.trim() === '') return null;
  try {
    return parseJson(text);
  } catch (err) {
    if (err instanceof JsonSyntaxError) throw new NessieBadRequest(`Malformed JSON request body: ${err.message}`);
    throw err;
  }
}

/**
 * The request body as text. Nessie's Java client gzips request bodies unless compression is
 * disabled (`Content-Encoding: gzip`); the inflated size is capped like a plain body.
 */
async function bodyText(c: Context): Promise<string> {
  const encoding = (c.req.header('content-encoding') ?? 'identity').trim().toLowerCase();
  const raw = Buffer.from(await c.req.arrayBuffer());
  if (raw.length > MAX_BODY_BYTES) throw new NessieBadRequest(`Request body larger than ${MAX_BODY_BYTES} bytes`);
  let bytes: Buffer;
  try {
    switch (encoding) {
      case 'identity':
      case '':
        bytes = raw;
        break;
      case 'gzip':
      case 'x-gzip':
        bytes = gunzipSync(raw, { maxOutputLength: MAX_BODY_BYTES });
        break;
      case 'deflate':
        bytes = inflateSync(raw, { maxOutputLength: MAX_BODY_BYTES });
        break;
      default:
        throw new NessieBadRequest(`Unsupported Content-Encoding '${encoding}'`);
    }
  } catch (err) {
    if (err instanceof NessieBadRequest) throw err;
    throw new NessieBadRequest(`Cannot decode ${encoding} request body: ${err instanceof Error ? err.message : String(err)}`);
  }
  try {
    return UTF8.decode(bytes);
  } catch {
    throw new NessieBadRequest('The request body is not valid UTF-8');
  }
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

export async function readObject(c: Context, what: string): Promise<JsonObject> {
  const v = await readBody(c);
  return asObject(v, what);
}

export function asObject(v: JsonValue | undefined, what: string): JsonObject {
  if (v === null || v === undefined || typeof v !== 'object' || Array.isArray(v)) {
    throw new NessieBadRequest(`${what} must be a JSON object`);
  }
  return v;
}

export function optString(o: JsonObject, field: string): string | undefined {
  const v = o[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new NessieBadRequest(`Field '${field}' must be a string`);
  return v;
}

export function optBool(o: JsonObject, ...fields: string[]): boolean | undefined {
  for (const f of fields) {
    const v = o[f];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'boolean') throw new NessieBadRequest(`Field '${f}' must be a boolean`);
    return v;
  }
  return undefined;
}

export function optInt(o: JsonObject, field: string): number | undefined {
  const v = o[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new NessieBadRequest(`Field '${field}' must be an integer`);
  return v;
}

/** A 64-bit integer field, exact: small values parse as number, large ones as bigint. */
export function optLong(o: JsonObject, field: string): bigint | undefined {
  const v = o[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
  throw new NessieBadRequest(`Field '${field}' must be an integer`);
}

export function respond(c: Context, value: unknown, status = 200): Response {
  return new Response(stringifyJson(value), { status, headers: { 'content-type': 'application/json' } });
}

/**
 * `max-records` as Nessie applies it: absent or 0 means no limit unless the endpoint has a
 * strict maximum (the commit log's 250). Clients that read a single page, like Iceberg's
 * NessieCatalog listing tables, rely on an unlimited default. `undefined` is "no limit".
 */
export function pageSize(c: Context, strictMax?: number): number | undefined {
  const raw = c.req.query('max-records');
  if (raw === undefined || raw === '') return strictMax;
  if (!/^[0-9]+$/.test(raw)) throw new NessieBadRequest(`Invalid max-records '${raw}'`);
  const n = Number(raw);
  if (n <= 0 || !Number.isSafeInteger(n)) return strictMax;
  return strictMax === undefined ? n : Math.min(n, strictMax);
}

export function queryBool(c: Context, name: string): boolean {
  const raw = c.req.query(name);
  if (raw === undefined || raw === '') return false;
  if (raw === 'true' || raw === 'false') return raw === 'true';
  throw new NessieBadRequest(`Query parameter '${name}' must be true or false`);
}

export type FetchOption = 'MINIMAL' | 'ALL';

export function fetchOption(c: Context): FetchOption {
  const raw = c.req.query('fetch');
  if (raw === undefined || raw === '') return 'MINIMAL';
  const up = raw.toUpperCase();
  if (up === 'MINIMAL' || up === 'ALL') return up;
  throw new NessieBadRequest(`Invalid fetch option '${raw}': use MINIMAL or ALL`);
}
