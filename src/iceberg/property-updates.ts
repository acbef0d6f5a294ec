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
