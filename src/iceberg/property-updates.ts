import { ValidationError } from './errors.js';

/**
 * Limits on one property, in characters: far above any property Iceberg or an engine writes (a
 * name mapping of a wide table stays well below a mebibyte), low enough that a client cannot
 * make every later metadata file of a table carry megabytes of one value.
 */
export const MAX_PROPERTY_KEY_CHARS = 1_024;
export const MAX_PROPERTY_VALUE_CHARS = 1_048_576;

/** Refuses a property key or value beyond the limits (tables, views and namespaces alike). */
export function checkPropertySizes(properties: Record<string, string>): void {
  for (const [key, value] of Object.entries(properties)) {
    if (key.length > MAX_PROPERTY_KEY_CHARS) throw new ValidationError(`Property key ${JSON.stringify(key.slice(0, 40))}... is longer than ${MAX_PROPERTY_KEY_CHARS} characters`);
    if (typeof value === 'string' && value.length > MAX_PROPERTY_VALUE_CHARS) {
      throw new ValidationError(`Property ${JSON.stringify(key.length > 100 ? `${key.slice(0, 100)}...` : key)}: value longer than ${MAX_PROPERTY_VALUE_CHARS} characters (${value.length})`);
    }
  }
}

/** The location and property updates that tables and views share (same semantics in both builders). */
interface PropertyState<U> {
  location?: string;
  properties: Record<string, string>;
  changes: U[];
}

export function setLocation<C, U extends C & { action: 'set-location'; location: string }>(state: PropertyState<C>, update: U): void {
  if (state.location === update.location) return;
  state.location = update.location;
  state.changes.push(update);
}

export function setProperties<C, U extends C & { action: 'set-properties'; updates: Record<string, string> }>(
  state: PropertyState<C>,
  update: U,
): void {
  if (Object.keys(update.updates).length === 0) return;
  checkPropertySizes(update.updates);
  Object.assign(state.properties, update.updates);
  state.changes.push(update);
}

export function removeProperties<C, U extends C & { action: 'remove-properties'; removals: string[] }>(
  state: PropertyState<C>,
  update: U,
): void {
  if (update.removals.length === 0) return;
  for (const key of update.removals) delete state.properties[key];
  state.changes.push(update);
}
