import type { Actor } from './context.js';
import type { CatalogDeps } from './deps.js';
import { checkRead } from './access/reads.js';
import { writeOnBranch } from './branch-write.js';
import { NotFoundError } from './errors.js';
import { checkChangeSize, formatIdentifier, formatNamespace, tableKey, type TableIdentifier } from './identifiers.js';
import { defaultObjectLocation, nextMetadataLocation, readMetadataFile, trimSlash } from './metadata-files.js';
import { writableBranch, type ResolvedRef } from './refs/resolve.js';
import { requireFreeName } from './tables.js';
import type { ViewContent } from './model.js';
import type { Schema, ViewMetadata, ViewRequirement, ViewUpdate, ViewVersion } from '../iceberg/model.js';
import { checkViewRequirements } from '../iceberg/requirements.js';
import { applyViewUpdates } from '../iceberg/view-metadata-builder.js';
import { parseViewMetadata, serializeViewMetadata } from '../iceberg/view-metadata-json.js';

export interface LoadedView {
  metadataLocation: string;
  metadataText: string;
  content: ViewContent;
}

export async function requireView(deps: CatalogDeps, hash: string, id: TableIdentifier): Promise<ViewContent> {
  const c = await deps.store.getContent(hash, tableKey(id));
  if (c && c.type === 'ICEBERG_VIEW') return c;
  const ns = await deps.store.getContent(hash, id.namespace);
  if (!ns || ns.type !== 'NAMESPACE') {
    throw new NotFoundError(`Namespace does not exist: ${formatNamespace(id.namespace)}`, 'namespace');
  }
  throw new NotFoundError(`View does not exist: ${formatIdentifier(id)}`, 'view');
}

export async function loadView(deps: CatalogDeps, actor: Actor, ref: ResolvedRef, id: TableIdentifier): Promise<LoadedView> {
  await checkRead(deps, actor, ref, id.namespace, 'objects');
  // Like a table load: NoSuchView even when the namespace is missing, as Java's catalogs answer.
  const c = await deps.store.getContent(ref.hash, tableKey(id));
  if (!c || c.type !== 'ICEBERG_VIEW') throw new NotFoundError(`View does not exist: ${formatIdentifier(id)}`, 'view');
  const content = c;
  return { metadataLocation: content.metadataLocation, metadataText: content.metadata, content };
}

export async function viewExists(deps: CatalogDeps, actor: Actor, ref: ResolvedRef, id: TableIdentifier): Promise<boolean> {
  await checkRead(deps, actor, ref, id.namespace, 'objects');
  const c = await deps.store.getContent(ref.hash, tableKey(id));
  return c !== null && c.type === 'ICEBERG_VIEW';
}

function viewContent(id: string, metadataLocation: string, metadataText: string, m: ViewMetadata): ViewContent {
  return { type: 'ICEBERG_VIEW', id, metadataLocation, metadata: metadataText, versionId: m.currentVersionId };
}

export interface CreateViewInput {
  location?: string;
  schema: Schema;
  viewVersion: ViewVersion;
  properties?: Record<string, string>;
}

export async function createView(
  deps: CatalogDeps,
  actor: Actor,
  ref: ResolvedRef,
  id: TableIdentifier,
  input: CreateViewInput,
): Promise<LoadedView> {
  const branch = writableBranch(ref);
  const { result } = await writeOnBranch(deps, actor, branch, [{ key: tableKey(id), type: 'ICEBERG_VIEW' }], async (head) => {
    await requireFreeName(deps, head, id, 'view');
    const location = input.location ? trimSlash(input.location) : defaultObjectLocation(deps, id);
    const { metadata } = applyViewUpdates(
      null,
      [
        { action: 'assign-uuid', uuid: deps.newUuid() },
        { action: 'upgrade-format-version', formatVersion: 1 },
        { action: 'add-schema', schema: input.schema },
        { action: 'set-location', location },
        { action: 'set-properties', updates: input.properties ?? {} },
        // Like Java's setCurrentVersion(version, schema): the version points at the schema as
        // numbered in the new view, whatever id the client gave it.
        { action: 'add-view-version', viewVersion: { ...input.viewVersion, schemaId: -1 } },
        { action: 'set-current-view-version', viewVersionId: -1 },
      ],
      { nowMs: deps.now() },
    );
    return writeViewPlan(deps, id, metadata, undefined, `Create view ${formatIdentifier(id)}`);
  });
  return result;
}

async function writeViewPlan(
  deps: CatalogDeps,
  id: TableIdentifier,
  metadata: ViewMetadata,
  current: ViewContent | undefined,
  message: string,
) {
  const metadataText = serializeViewMetadata(metadata);
  const metadataLocation = nextMetadataLocation(deps, metadata.location, metadata.properties, current?.metadataLocation);
  await deps.objects.write(metadataLocation, metadataText, { ifAbsent: true, contentType: 'application/json' });
  const content = viewContent(current?.id ?? deps.newUuid(), metadataLocation, metadataText, metadata);
  return {
    operations: [{ kind: 'put' as const, key: tableKey(id), content, expectedContentId: current?.id }],
    message,
    result: { metadataLocation, metadataText, content },
    writtenFiles: [metadataLocation],
  };
}

export async function replaceView(
  deps: CatalogDeps,
  actor: Actor,
  ref: ResolvedRef,
  id: TableIdentifier,
  requirements: ViewRequirement[],
  updates: ViewUpdate[],
): Promise<LoadedView> {
  const branch = writableBranch(ref);
  checkChangeSize(id, requirements, updates);
  const { result } = await writeOnBranch(deps, actor, branch, [{ key: tableKey(id), type: 'ICEBERG_VIEW' }], async (head) => {
    const current = await requireView(deps, head, id);
    const base = parseViewMetadata(current.metadata);
    checkViewRequirements(base, requirements);
    const { metadata, changes } = applyViewUpdates(base, updates, { nowMs: deps.now() });
    if (changes.length === 0) {
      return {
        operations: [],
        message: '',
        result: { metadataLocation: current.metadataLocation, metadataText: current.metadata, content: current },
      };
    }
    return writeViewPlan(deps, id, metadata, current, `Replace view ${formatIdentifier(id)}`);
  });
  return result;
}

export async function dropView(deps: CatalogDeps, actor: Actor, ref: ResolvedRef, id: TableIdentifier): Promise<void> {
  const branch = writableBranch(ref);
  await writeOnBranch(deps, actor, branch, [{ key: tableKey(id), type: 'ICEBERG_VIEW' }], async (head) => {
    const current = await requireView(deps, head, id);
    return {
      operations: [{ kind: 'delete', key: tableKey(id), expectedContentId: current.id }],
      message: `Drop view ${formatIdentifier(id)}`,
      result: undefined,
    };
  });
}

export async function registerView(
  deps: CatalogDeps,
  actor: Actor,
  ref: ResolvedRef,
  id: TableIdentifier,
  metadataLocation: string,
): Promise<LoadedView> {
  const branch = writableBranch(ref);
  const { text, metadata } = await readMetadataFile(deps, metadataLocation, parseViewMetadata, 'view');
  const { result } = await writeOnBranch(deps, actor, branch, [{ key: tableKey(id), type: 'ICEBERG_VIEW' }], async (head) => {
    await requireFreeName(deps, head, id, 'view');
    const content = viewContent(deps.newUuid(), metadataLocation, text, metadata);
    return {
      operations: [{ kind: 'put', key: tableKey(id), content }],
      message: `Register view ${formatIdentifier(id)}`,
      result: { metadataLocation, metadataText: text, content },
    };
  });
  return result;
}
