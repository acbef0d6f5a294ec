import type { Context } from 'hono';
import { JsonSyntaxError, parseJson, stringifyJson, type JsonObject, type JsonValue } from '../iceberg/json.js';

/** Largest request body accepted, in bytes. Table metadata with thousands of snapshots fits easily. */
export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;

/** A request the HTTP layer rejects before any catalog verb runs. */
export class RequestError extends Error {
  constructor(
    readonly status: 400 | 404 | 406 | 413 | 415 | 422,
    message: string,
    readonly javaType = 'BadRequestException',
  ) {
    super(message);
    this.name = 'RequestError';
  }
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Reads and parses a JSON request body losslessly (63-bit ids stay exact). */
export async function readJson(c: Context, maxBytes = DEFAULT_MAX_BODY_BYTES): Promise<JsonValue> {
  const declared = Number(c.req.header('content-length') ?? '0');
  if (declared > maxBytes) throw new RequestError(413, `Request body larger than ${maxBytes} bytes`);
  const bytes = await c.req.arrayBuffer();
  if (bytes.byteLength > maxBytes) throw new RequestError(413, `Request body larger than ${maxBytes} bytes`);
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    // Decoding with replacement characters would store names and values the client never sent.
    throw new RequestError(400, 'Malformed request: the body is not valid UTF-8');
  }
  if (text.trim() === '') throw new RequestError(400, 'Malformed request: empty body, expected a JSON object');
  try {
    return parseJson(text);
  } catch (err) {
    if (err instanceof JsonSyntaxError) throw new RequestError(400, `Malformed request: invalid JSON: ${err.message}`);
    throw err;
  }
}

export async function readJsonObject(c: Context, maxBytes?: number): Promise<JsonObject> {
  const v = await readJson(c, maxBytes);
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw new RequestError(400, 'Malformed request: expected a JSON object');
  }
  return v;
}

/** Responds with a value serialised losslessly. */
export function json(c: Context, value: unknown, status: 200 | 201 | 400 | 404 | 409 | 412 | 422 | 500 | 503 = 200, headers?: Record<string, string>): Response {
  return rawJson(c, stringifyJson(value), status, headers);
}

/** Responds with JSON text that is already serialised (stored metadata is served as is). */
export function rawJson(c: Context, text: string, status = 200, headers?: Record<string, string>): Response {
  return c.body(text, status as 200, { 'content-type': 'application/json', ...headers });
}
