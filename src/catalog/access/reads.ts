/** Read checks the verbs make before reading content (the reference itself was checked when resolved). */
import type { Actor } from '../context.js';
import type { CatalogDeps } from '../deps.js';
import type { ContentType } from '../model.js';
import type { ResolvedRef } from '../refs/resolve.js';

/** Refuses unless `actor` may read in `namespace` at `ref` (scopes as in Action `read-content`). */
export async function checkRead(
  deps: CatalogDeps,
  actor: Actor,
  ref: ResolvedRef,
  namespace: string[],
  scope: 'objects' | 'namespace' | 'key',
): Promise<void> {
  await deps.authorizer?.authorize(actor, { kind: 'read-content', ref: ref.name, namespace, scope });
}

export interface ReadFilter {
  /** May the key (of this kind) be shown? */
  shows(key: string[], type: ContentType): boolean;
}

const ALL: ReadFilter = { shows: () => true };

/** The filter a listing applies to what it returns. */
export async function readFilter(deps: CatalogDeps, actor: Actor, ref: ResolvedRef): Promise<ReadFilter> {
  const f = await deps.authorizer?.contentFilter?.(actor, ref.name);
  if (!f) return ALL;
  return { shows: (key, type) => (type === 'NAMESPACE' ? f.visible(key) : f.readable(key.slice(0, -1))) };
}
