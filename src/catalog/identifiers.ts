import { BadRequestError } from './errors.js';
import type { ContentKey } from './model.js';
import { ValidationError } from '../iceberg/errors.js';
import { checkPropertySizes } from '../iceberg/property-updates.js';

export type Namespace = string[];

export interface TableIdentifier {
  namespace: Namespace;
  name: string;
}

const MAX_ELEMENT_LENGTH = 255;
const MAX_DEPTH = 16;

/** Validates one namespace level or object name; returns it unchanged. */
export function checkName(what: string, name: unknown): string {
  if (typeof name !== 'string' || name.length === 0) {
    throw new BadRequestError(`Invalid ${what}: must be a non-empty string`);
  }
  if (name.length > MAX_ELEMENT_LENGTH) {
    throw new BadRequestError(`Invalid ${what}: longer than ${MAX_ELEMENT_LENGTH} characters`);
  }
  // U+0000 separates key elements in indexes; U+001F separates namespace levels in URLs; the
  // other control characters have no business in a name either.
  if (/[\u0000-\u001f\u007f]/.test(name)) {
    throw new BadRequestError(`Invalid ${what}: contains a control character`);
  }
  // HTTP clients and proxies resolve `.` and `..` path segments away: such a name could be
  // created but never addressed again.
  if (name === '.' || name === '..') {
    throw new BadRequestError(`Invalid ${what}: '${name}' cannot be used as a name (URLs resolve it away)`);
  }
  return name;
}

/** A namespace's properties within the limits of table and view properties (src/iceberg/property-updates.ts). */
export function checkNamespaceProperties(properties: Record<string, string>): Record<string, string> {
  try {
    checkPropertySizes(properties);
  } catch (err) {
    if (err instanceof ValidationError) throw new BadRequestError(err.message);
    throw err;
  }
  return properties;
}

export function checkNamespace(ns: unknown): Namespace {
  if (!Array.isArray(ns) || ns.length === 0) {
    throw new BadRequestError('Invalid namespace: must be a non-empty array of strings');
  }
  if (ns.length > MAX_DEPTH) throw new BadRequestError(`Invalid namespace: deeper than ${MAX_DEPTH} levels`);
  return ns.map((level) => checkName('namespace level', level));
}

export function tableKey(id: TableIdentifier): ContentKey {
  return [...id.namespace, id.name];
}

export function formatNamespace(ns: Namespace): string {
  return ns.join('.');
}

export function formatIdentifier(id: TableIdentifier): string {
  return [...id.namespace, id.name].join('.');
}

/**
 * Most requirements, and most updates, one table or view change may carry. Engines send a
 * handful (a create transaction about twenty); the metadata builder compares each added
 * schema, spec and sort order with the ones before it, so thousands in one request would hold
 * the process for seconds.
 */
export const MAX_CHANGE_ITEMS = 1_000;

export function checkChangeSize(id: TableIdentifier, requirements: readonly unknown[], updates: readonly unknown[]): void {
  for (const [what, list] of [['requirements', requirements], ['updates', updates]] as const) {
    if (list.length > MAX_CHANGE_ITEMS) {
      throw new BadRequestError(`Too many ${what} for ${formatIdentifier(id)}: ${list.length}, at most ${MAX_CHANGE_ITEMS} in one commit`);
    }
  }
}
