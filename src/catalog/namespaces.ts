import type { Actor } from './context.js';
import type { CatalogDeps } from './deps.js';
import { checkRead, readFilter } from './access/reads.js';
import { writeOnBranch } from './branch-write.js';
import { AlreadyExistsError, NamespaceNotEmptyError, NotFoundError, UnprocessableError } from './errors.js';
import { checkNamespaceProperties, formatNamespace, type Namespace } from './identifiers.js';
import { defaultNamespaceLocation } from './metadata-files.js';
import { writableBranch, type ResolvedRef } from './refs/resolve.js';
import type { NamespaceContent, Page, PageRequest } from './model.js';

async function readNamespace(deps: CatalogDeps, hash: string, ns: Namespace): Promise<NamespaceContent | null> {
  const c = await deps.store.getContent(hash, ns);
  return c && c.type === 'NAMESPACE' ? c : null;
}

export async function requireNamespace(deps: CatalogDeps, hash: string, ns: Namespace): Promise<NamespaceContent> {
  const c = await readNamespace(deps, hash, ns);
  if (!c) throw new NotFoundError(`Namespace does not exist: ${formatNamespace(ns)}`, 'namespace');
  return c;
}

export interface LoadedNamespace {
  content: NamespaceContent;
  /** Where the namespace's new tables go when it has no `location` property (the default table locations' parent). */
  defaultLocation: string;
}

export async function loadNamespace(deps: CatalogDeps, actor: Actor, ref: ResolvedRef, ns: Namespace): Promise<LoadedNamespace> {
  await checkRead(deps, actor, ref, ns, 'namespace');
  return { content: await requireNamespace(deps, ref.hash, ns), defaultLocation: defaultNamespaceLocation(deps, ns) };
}

export async function namespaceExists(deps: CatalogDeps, actor: Actor, ref: ResolvedRef, ns: Namespace): Promise<boolean> {
  await checkRead(deps, actor, ref, ns, 'namespace');
  return (await readNamespace(deps, ref.hash, ns)) !== null;
}

/** Direct children of `parent` (top-level namespaces when absent). */
export async function listNamespaces(
  deps: CatalogDeps,
  actor: Actor,
  ref: ResolvedRef,
  parent: Namespace | undefined,
  page: PageRequest,
): Promise<Page<Namespace>> {
  if (parent && parent.length > 0) {
    await checkRead(deps, actor, ref, parent, 'namespace');
    await requireNamespace(deps, ref.hash, parent);
  }
  const entries = await deps.store.listEntries(ref.hash, {
    ...page,
    prefix: parent ?? [],
    depth: 1,
    types: ['NAMESPACE'],
  });
  // Only namespaces the caller may read something in (a page may come out shorter; its token still continues).
  const filter = await readFilter(deps, actor, ref);
  return { items: entries.items.map((e) => e.key).filter((k) => filter.shows(k, 'NAMESPACE')), nextPageToken: entries.nextPageToken };
}

export async function createNamespace(
  deps: CatalogDeps,
  actor: Actor,
  ref: ResolvedRef,
  ns: Namespace,
  properties: Record<string, string>,
): Promise<NamespaceContent> {
  checkNamespaceProperties(properties);
  const branch = writableBranch(ref);
  const { result } = await writeOnBranch(deps, actor, branch, [{ key: ns, type: 'NAMESPACE' }], async (head) => {
    const existing = await deps.store.getContent(head, ns);
    if (existing) {
      const what = existing.type === 'NAMESPACE' ? 'Namespace' : 'An object with the same name';
      throw new AlreadyExistsError(`${what} already exists: ${formatNamespace(ns)}`, 'namespace');
    }
    const content: NamespaceContent = { type: 'NAMESPACE', id: deps.newUuid(), properties };
    return {
      operations: [{ kind: 'put', key: ns, content }],
      message: `Create namespace ${formatNamespace(ns)}`,
      result: content,
    };
  });
  return result;
}

export async function dropNamespace(deps: CatalogDeps, actor: Actor, ref: ResolvedRef, ns: Namespace): Promise<void> {
  const branch = writableBranch(ref);
  await writeOnBranch(deps, actor, branch, [{ key: ns, type: 'NAMESPACE' }], async (head) => {
    const current = await requireNamespace(deps, head, ns);
    const children = await deps.store.listEntries(head, { prefix: ns, pageSize: 2 });
    if (children.items.some((e) => e.key.length > ns.length)) {
      throw new NamespaceNotEmptyError(`Namespace ${formatNamespace(ns)} is not empty`);
    }
    return {
      operations: [{ kind: 'delete', key: ns, expectedContentId: current.id }],
      message: `Drop namespace ${formatNamespace(ns)}`,
      result: undefined,
    };
  });
}

export interface PropertiesUpdateResult {
  updated: string[];
  removed: string[];
  missing: string[];
}

export async function updateNamespaceProperties(
  deps: CatalogDeps,
  actor: Actor,
  ref: ResolvedRef,
  ns: Namespace,
  removals: string[],
  updates: Record<string, string>,
): Promise<PropertiesUpdateResult> {
  const overlap = removals.filter((k) => Object.prototype.hasOwnProperty.call(updates, k));
  if (overlap.length > 0) {
    throw new UnprocessableError(`Cannot set and remove the same properties: ${overlap.join(', ')}`);
  }
  checkNamespaceProperties(updates);
  const branch = writableBranch(ref);
  const { result } = await writeOnBranch(deps, actor, branch, [{ key: ns, type: 'NAMESPACE' }], async (head) => {
    const current = await requireNamespace(deps, head, ns);
    const properties = { ...current.properties };
    const removed: string[] = [];
    const missing: string[] = [];
    for (const k of removals) {
      if (Object.prototype.hasOwnProperty.call(properties, k)) {
        delete properties[k];
        removed.push(k);
      } else {
        missing.push(k);
      }
    }
    const updated = Object.keys(updates);
    for (const k of updated) properties[k] = updates[k];
    const changed = removed.length > 0 || updated.some((k) => current.properties[k] !== updates[k]);
    return {
      operations: changed
        ? [{ kind: 'put', key: ns, content: { ...current, properties }, expectedContentId: current.id }]
        : [],
      message: `Update properties of namespace ${formatNamespace(ns)}`,
      result: { updated, removed, missing },
    };
  });
  return result;
}
