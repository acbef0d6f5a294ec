/**
 * Applies Iceberg `ViewUpdate`s to view metadata with the semantics and messages of Java's
 * `ViewMetadata.Builder`: an added version identical to an existing one is reused, `-1` names
 * the schema or version added last, the version log records what became current, and old
 * versions expire beyond `version.history.num-entries`.
 */
import { removeProperties, setLocation, setProperties } from './property-updates.js';
import { v4 as randomUuid } from 'uuid';
import { ValidationError } from './errors.js';
import type { Schema, ViewHistoryEntry, ViewMetadata, ViewUpdate, ViewVersion } from './model.js';
import { sameSchema } from './schema.js';

export interface ApplyViewUpdatesOptions {
  /** The commit time, used when an older version becomes current again; defaults to the wall clock. */
  nowMs?: number;
}

export interface AppliedViewUpdates {
  metadata: ViewMetadata;
  changes: ViewUpdate[];
}

export const VERSION_HISTORY_SIZE = 'version.history.num-entries';
const VERSION_HISTORY_SIZE_DEFAULT = 10;
export const REPLACE_DROP_DIALECT_ALLOWED = 'replace.drop-dialect.allowed';
const SUPPORTED_VIEW_FORMAT_VERSION = 1;
const LAST_ADDED = -1;

interface ViewBuilderState {
  readonly base: ViewMetadata | null;
  readonly nowMs: number;
  formatVersion: number;
  uuid: string | undefined;
  location: string | undefined;
  /** Undefined until a new view gets its first current version. */
  currentVersionId: number | undefined;
  versions: ViewVersion[];
  schemas: Schema[];
  history: ViewHistoryEntry[];
  properties: Record<string, string>;
  changes: ViewUpdate[];
  lastAddedVersionId: number | undefined;
  lastAddedSchemaId: number | undefined;
  historyEntry: ViewHistoryEntry | undefined;
}

export function applyViewUpdates(
  base: ViewMetadata | null,
  updates: readonly ViewUpdate[],
  opts: ApplyViewUpdatesOptions = {},
): AppliedViewUpdates {
  const state: ViewBuilderState = {
    base,
    nowMs: opts.nowMs ?? Date.now(),
    formatVersion: base?.formatVersion ?? 1,
    uuid: base?.viewUuid,
    location: base?.location,
    currentVersionId: base?.currentVersionId,
    versions: [...(base?.versions ?? [])],
    schemas: [...(base?.schemas ?? [])],
    history: [...(base?.versionLog ?? [])],
    properties: { ...(base?.properties ?? {}) },
    changes: [],
    lastAddedVersionId: undefined,
    lastAddedSchemaId: undefined,
    historyEntry: undefined,
  };
  for (const update of updates) applyViewUpdate(state, update);
  if (base !== null && state.changes.length === 0) return { metadata: base, changes: [] };
  return { metadata: build(state), changes: state.changes };
}

export interface NewViewInput {
  schema: Schema;
  /** Its `schemaId` is replaced by the id the schema gets in the new view. */
  viewVersion: ViewVersion;
  location: string;
  properties?: Record<string, string>;
  viewUuid?: string;
  nowMs?: number;
}

/** Metadata of a new view whose only version is `viewVersion`. */
export function newViewMetadata(input: NewViewInput): ViewMetadata {
  const updates: ViewUpdate[] = [
    { action: 'assign-uuid', uuid: input.viewUuid ?? randomUuid() },
    { action: 'upgrade-format-version', formatVersion: 1 },
    { action: 'add-schema', schema: input.schema },
    { action: 'set-location', location: input.location },
    { action: 'set-properties', updates: input.properties ?? {} },
    { action: 'add-view-version', viewVersion: { ...input.viewVersion, schemaId: LAST_ADDED } },
    { action: 'set-current-view-version', viewVersionId: LAST_ADDED },
  ];
  return applyViewUpdates(null, updates, { nowMs: input.nowMs }).metadata;
}

function applyViewUpdate(state: ViewBuilderState, update: ViewUpdate): void {
  switch (update.action) {
    case 'assign-uuid':
      if (typeof update.uuid !== 'string') throw new ValidationError('Cannot set uuid to null');
      if (state.uuid !== undefined && state.uuid !== update.uuid) throw new ValidationError('Cannot reassign uuid');
      if (state.uuid === update.uuid) return;
      state.uuid = update.uuid;
      state.changes.push(update);
      return;
    case 'upgrade-format-version':
      if (update.formatVersion < state.formatVersion) {
        throw new ValidationError(`Cannot downgrade v${state.formatVersion} view to v${update.formatVersion}`);
      }
      if (update.formatVersion === state.formatVersion) return;
      state.formatVersion = update.formatVersion;
      state.changes.push(update);
      return;
    case 'add-schema':
      addSchema(state, update.schema);
      return;
    case 'set-location':
      if (typeof update.location !== 'string') throw new ValidationError('Invalid location: null');
      return setLocation(state, update);
    case 'set-properties':
      return setProperties(state, update);
    case 'remove-properties':
      return removeProperties(state, update);
    case 'add-view-version':
      addVersion(state, update.viewVersion);
      return;
    case 'set-current-view-version':
      return setCurrentVersion(state, update.viewVersionId);
    default:
      return unknownUpdate(update);
  }
}

function unknownUpdate(update: never): never {
  const action = (update as { action?: unknown }).action;
  throw new ValidationError(`Cannot apply unknown view update: ${String(action)}`);
}

function addSchema(state: ViewBuilderState, schema: Schema): number {
  let schemaId = 0;
  for (const existing of state.schemas) {
    if (sameSchema(existing, schema)) return existing.schemaId;
    if (existing.schemaId >= schemaId) schemaId = existing.schemaId + 1;
  }
  const added: Schema = schemaId === schema.schemaId ? schema : { ...schema, schemaId };
  state.schemas.push(added);
  state.changes.push({ action: 'add-schema', schema: added });
  state.lastAddedSchemaId = schemaId;
  return schemaId;
}

/** Java compares all but the id and the timestamp (the summary included). */
function sameVersion(a: ViewVersion, b: ViewVersion): boolean {
  return (
    sameStringMap(a.summary, b.summary) &&
    a.representations.length === b.representations.length &&
    a.representations.every((r, i) => {
      const s = b.representations[i];
      return r.type === s.type && r.sql === s.sql && r.dialect === s.dialect;
    }) &&
    (a.defaultCatalog ?? null) === (b.defaultCatalog ?? null) &&
    a.defaultNamespace.length === b.defaultNamespace.length &&
    a.defaultNamespace.every((level, i) => level === b.defaultNamespace[i]) &&
    a.schemaId === b.schemaId
  );
}

function sameStringMap(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.prototype.hasOwnProperty.call(b, k) && a[k] === b[k]);
}

function addVersion(state: ViewBuilderState, requested: ViewVersion): number {
  let versionId = requested.versionId;
  for (const existing of state.versions) {
    if (sameVersion(existing, requested)) {
      versionId = existing.versionId;
      break;
    }
    if (existing.versionId >= versionId) versionId = existing.versionId + 1;
  }
  let version: ViewVersion = versionId === requested.versionId ? requested : { ...requested, versionId };
  if (state.versions.some((v) => v.versionId === versionId)) {
    const addedHere = state.changes.some((c) => c.action === 'add-view-version' && c.viewVersion.versionId === versionId);
    state.lastAddedVersionId = addedHere ? versionId : undefined;
    return versionId;
  }
  if (version.schemaId === LAST_ADDED) {
    if (state.lastAddedSchemaId === undefined) {
      throw new ValidationError('Cannot set last added schema: no schema has been added');
    }
    version = { ...version, schemaId: state.lastAddedSchemaId };
  }
  if (!state.schemas.some((s) => s.schemaId === version.schemaId)) {
    throw new ValidationError(`Cannot add version with unknown schema: ${version.schemaId}`);
  }
  const dialects = new Set<string>();
  for (const representation of version.representations) {
    if (representation.type !== 'sql') continue;
    const dialect = representation.dialect.toLowerCase();
    if (dialects.has(dialect)) {
      throw new ValidationError(`Invalid view version: Cannot add multiple queries for dialect ${dialect}`);
    }
    dialects.add(dialect);
  }
  state.versions.push(version);
  const recorded = state.lastAddedSchemaId === version.schemaId ? { ...version, schemaId: LAST_ADDED } : version;
  state.changes.push({ action: 'add-view-version', viewVersion: recorded });
  state.lastAddedVersionId = versionId;
  return versionId;
}

function setCurrentVersion(state: ViewBuilderState, versionId: number): void {
  if (versionId === LAST_ADDED) {
    if (state.lastAddedVersionId === undefined) {
      throw new ValidationError('Cannot set last version id: no current version id has been set');
    }
    return setCurrentVersion(state, state.lastAddedVersionId);
  }
  if (state.currentVersionId === versionId) return;
  const version = state.versions.find((v) => v.versionId === versionId);
  if (version === undefined) throw new ValidationError(`Cannot set current version to unknown version: ${versionId}`);
  state.currentVersionId = versionId;
  state.changes.push({
    action: 'set-current-view-version',
    viewVersionId: state.lastAddedVersionId === versionId ? LAST_ADDED : versionId,
  });
  // A version added in these updates became current when it was written; re-activating an
  // older version happens now.
  const addedHere = state.changes.some((c) => c.action === 'add-view-version' && c.viewVersion.versionId === versionId);
  state.historyEntry = { timestampMs: addedHere ? version.timestampMs : state.nowMs, versionId };
}

function dialectsOf(version: ViewVersion | undefined): Set<string> {
  return new Set((version?.representations ?? []).filter((r) => r.type === 'sql').map((r) => r.dialect.toLowerCase()));
}

function build(state: ViewBuilderState): ViewMetadata {
  if (state.location === undefined) throw new ValidationError('Invalid location: null');
  if (state.versions.length === 0) throw new ValidationError('Invalid view: no versions were added');
  if (state.formatVersion < 1 || state.formatVersion > SUPPORTED_VIEW_FORMAT_VERSION) {
    throw new ValidationError(`Unsupported format version: ${state.formatVersion}`);
  }
  const current = state.versions.find((v) => v.versionId === state.currentVersionId);
  if (current === undefined) {
    throw new ValidationError(`Cannot find current version ${state.currentVersionId ?? 'none'} in view versions`);
  }
  const history = state.historyEntry === undefined ? state.history : [...state.history, state.historyEntry];

  const dropAllowed = (state.properties[REPLACE_DROP_DIALECT_ALLOWED] ?? 'false').toLowerCase() === 'true';
  const previous = state.base?.versions.find((v) => v.versionId === state.base?.currentVersionId);
  if (previous !== undefined && !dropAllowed) {
    const before = dialectsOf(previous);
    const after = dialectsOf(current);
    if ([...before].some((d) => !after.has(d))) {
      throw new ValidationError(
        `Cannot replace view due to loss of view dialects (${REPLACE_DROP_DIALECT_ALLOWED}=false):\n` +
          `Previous dialects: [${[...before].sort().join(', ')}]\nNew dialects: [${[...after].sort().join(', ')}]`,
      );
    }
  }

  const raw = state.properties[VERSION_HISTORY_SIZE];
  const historySize = raw === undefined ? VERSION_HISTORY_SIZE_DEFAULT : Number.parseInt(raw, 10);
  if (!(historySize > 0)) throw new ValidationError(`${VERSION_HISTORY_SIZE} must be positive but was ${raw}`);

  // Versions added by these updates and the current one are kept whatever the limit says.
  const mustKeep = new Set<number>([current.versionId]);
  for (const c of state.changes) if (c.action === 'add-view-version') mustKeep.add(c.viewVersion.versionId);
  const keep = Math.max(mustKeep.size, historySize);

  let versions = state.versions;
  let versionLog = history;
  if (versions.length > keep) {
    versions = expireVersions(state.versions, keep, current);
    const retained = new Set(versions.map((v) => v.versionId));
    versionLog = [];
    for (const entry of history) {
      // History before a version that is gone cannot be trusted to be complete.
      if (retained.has(entry.versionId)) versionLog.push(entry);
      else versionLog = [];
    }
  }

  const metadata: ViewMetadata = {
    viewUuid: state.uuid ?? randomUuid(),
    formatVersion: 1,
    location: state.location,
    currentVersionId: current.versionId,
    versions,
    versionLog,
    schemas: state.schemas,
    properties: state.properties,
  };
  if (state.base?.extra !== undefined) metadata.extra = state.base.extra;
  return metadata;
}

/** Keeps the current version and then the highest ids, as version ids grow with time. */
function expireVersions(versions: readonly ViewVersion[], keep: number, current: ViewVersion): ViewVersion[] {
  const newestFirst = [...versions].sort((a, b) => b.versionId - a.versionId).slice(0, keep);
  const retained: ViewVersion[] = [current];
  for (const version of newestFirst) {
    if (retained.length === keep) break;
    if (version.versionId !== current.versionId) retained.push(version);
  }
  return retained;
}
