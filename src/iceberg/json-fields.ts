/**
 * Typed readers for members of parsed JSON objects, shared by the metadata codecs.
 * Every failure is a ValidationError whose message names the member, in the wording of the
 * reference implementation's JsonUtil ("Cannot parse missing int: schema-id"), because clients
 * and the REST compatibility kit show these messages to users.
 */
import { ValidationError } from './errors.js';
import { stringifyJson, type JsonObject, type JsonValue } from './json.js';

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;
const SHOWN_CHARS = 200;

/** A JSON value for an error message, shortened so a huge document cannot flood a log line. */
export function show(v: JsonValue | undefined): string {
  if (v === undefined) return 'null';
  const text = stringifyJson(v);
  return text.length > SHOWN_CHARS ? `${text.slice(0, SHOWN_CHARS)}...` : text;
}

export function isObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** True when the member exists, even with a `null` value (Jackson's `has`). */
export function has(node: JsonObject, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(node, key);
}

/** True when the member exists and is not `null` (Jackson's `hasNonNull`). */
export function hasNonNull(node: JsonObject, key: string): boolean {
  return has(node, key) && node[key] !== null;
}

export function requireObject(v: JsonValue | undefined, what: string): JsonObject {
  if (!isObject(v)) throw new ValidationError(`Cannot parse ${what} from non-object: ${show(v)}`);
  return v;
}

/** A member that must be present and not null, of any JSON type. */
export function getField(node: JsonObject, key: string): JsonValue {
  if (!hasNonNull(node, key)) throw new ValidationError(`Cannot parse missing field: ${key}`);
  return node[key] as JsonValue;
}

function isIntegral(v: JsonValue | undefined): v is number | bigint {
  return typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v));
}

export function intValue(key: string, v: JsonValue | undefined): number {
  if (!isIntegral(v) || v < INT_MIN || v > INT_MAX) {
    throw new ValidationError(`Cannot parse to an integer value: ${key}: ${show(v)}`);
  }
  return Number(v);
}

export function longValue(key: string, v: JsonValue | undefined): bigint {
  if (!isIntegral(v)) throw new ValidationError(`Cannot parse to a long value: ${key}: ${show(v)}`);
  const n = BigInt(v);
  if (n < LONG_MIN || n > LONG_MAX) throw new ValidationError(`Cannot parse to a long value: ${key}: ${show(v)}`);
  return n;
}

export function getInt(node: JsonObject, key: string): number {
  if (!has(node, key)) throw new ValidationError(`Cannot parse missing int: ${key}`);
  return intValue(key, node[key]);
}

export function getIntOrUndefined(node: JsonObject, key: string): number | undefined {
  return hasNonNull(node, key) ? intValue(key, node[key]) : undefined;
}

export function getLong(node: JsonObject, key: string): bigint {
  if (!has(node, key)) throw new ValidationError(`Cannot parse missing long: ${key}`);
  return longValue(key, node[key]);
}

export function getLongOrUndefined(node: JsonObject, key: string): bigint | undefined {
  return hasNonNull(node, key) ? longValue(key, node[key]) : undefined;
}

/**
 * A JSON long the model keeps as `number` (timestamps, sizes, ages): it must fit in a double
 * exactly, or the value would silently change.
 */
export function getLongAsNumber(node: JsonObject, key: string): number {
  if (!has(node, key)) throw new ValidationError(`Cannot parse missing long: ${key}`);
  return safeNumber(key, node[key]);
}

export function getLongAsNumberOrUndefined(node: JsonObject, key: string): number | undefined {
  return hasNonNull(node, key) ? safeNumber(key, node[key]) : undefined;
}

function safeNumber(key: string, v: JsonValue | undefined): number {
  const n = longValue(key, v);
  if (n > BigInt(Number.MAX_SAFE_INTEGER) || n < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new ValidationError(`Cannot parse to a long value within 2^53: ${key}: ${show(v)}`);
  }
  return Number(n);
}

export function getBool(node: JsonObject, key: string): boolean {
  if (!has(node, key)) throw new ValidationError(`Cannot parse missing boolean: ${key}`);
  const v = node[key];
  if (typeof v !== 'boolean') throw new ValidationError(`Cannot parse to a boolean value: ${key}: ${show(v)}`);
  return v;
}

export function getString(node: JsonObject, key: string): string {
  if (!has(node, key)) throw new ValidationError(`Cannot parse missing string: ${key}`);
  const v = node[key];
  if (typeof v !== 'string') throw new ValidationError(`Cannot parse to a string value: ${key}: ${show(v)}`);
  return v;
}

export function getStringOrUndefined(node: JsonObject, key: string): string | undefined {
  return hasNonNull(node, key) ? getString(node, key) : undefined;
}

export function getStringMap(node: JsonObject, key: string): Record<string, string> {
  if (!has(node, key)) throw new ValidationError(`Cannot parse missing map: ${key}`);
  const v = node[key];
  if (!isObject(v)) throw new ValidationError(`Cannot parse string map from non-object value: ${key}: ${show(v)}`);
  const out: Record<string, string> = {};
  for (const k of Object.keys(v)) setOwn(out, k, getString(v, k));
  return out;
}

function getArray(node: JsonObject, key: string): JsonValue[] {
  if (!has(node, key)) throw new ValidationError(`Cannot parse missing list: ${key}`);
  const v = node[key];
  if (!Array.isArray(v)) throw new ValidationError(`Cannot parse JSON array from non-array value: ${key}: ${show(v)}`);
  return v;
}

export function getStringList(node: JsonObject, key: string): string[] {
  return getArray(node, key).map((e) => {
    if (typeof e !== 'string') throw new ValidationError(`Cannot parse string from non-text value in ${key}: ${show(e)}`);
    return e;
  });
}

export function getIntList(node: JsonObject, key: string): number[] {
  return getArray(node, key).map((e) => {
    if (!isIntegral(e) || e < INT_MIN || e > INT_MAX) {
      throw new ValidationError(`Cannot parse integer from non-int value in ${key}: ${show(e)}`);
    }
    return Number(e);
  });
}

export function getLongList(node: JsonObject, key: string): bigint[] {
  return getArray(node, key).map((e) => {
    if (!isIntegral(e) || BigInt(e) < LONG_MIN || BigInt(e) > LONG_MAX) {
      throw new ValidationError(`Cannot parse long from non-long value in ${key}: ${show(e)}`);
    }
    return BigInt(e);
  });
}

/** A list of objects, each converted by `parse`. */
export function getObjectList<T>(node: JsonObject, key: string, parse: (v: JsonObject) => T): T[] {
  return getArray(node, key).map((e) => {
    if (!isObject(e)) throw new ValidationError(`Cannot parse object from non-object value: ${show(e)}`);
    return parse(e);
  });
}

/** Assigns a member even when its name is `__proto__`, which plain assignment would swallow. */
export function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

/** Copies a string map so that serialised output never aliases the model. */
export function stringMapToJson(map: Record<string, string>): JsonObject {
  const out: JsonObject = {};
  for (const k of Object.keys(map)) setOwn(out, k, map[k] as string);
  return out;
}
