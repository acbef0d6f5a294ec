/**
 * Nessie API v2 JSON model <-> the version store's model. Field names follow Nessie's
 * `Views.V2` serialisation (e.g. CommitMeta has `authors` and `allProperties`, not `author`
 * and `properties`), which is what Nessie's Java client and pynessie read.
 */
import {
  NO_ANCESTOR_HASH,
  type Commit,
  type CommitMetaInput,
  type Content,
  type ContentInput,
  type ContentKey,
  type Reference,
  type ReferenceDetails,
  type ReferenceTarget,
  type ReferenceType,
  type ResolvedRef,
} from '../../catalog/index.js';
import { parseJson, type JsonObject, type JsonValue } from '../../iceberg/json.js';
import { asObject, optInt, optLong, optString } from './body.js';
import { checkKey, keyToString } from './content-key.js';
import { NessieBadRequest } from './errors.js';

export function keyJson(key: ContentKey): { elements: string[] } {
  return { elements: key };
}

export function parseKey(v: JsonValue | undefined, what = 'key'): ContentKey {
  const o = asObject(v, `Content ${what}`);
  return checkKey(o.elements);
}

/** Nessie's `fetch=ALL` reference metadata; undefined for a reference at the empty catalog. */
export function referenceMetadataJson(d: ReferenceDetails): JsonObject | undefined {
  if (d.head === undefined) return undefined;
  return {
    commitMetaOfHEAD: commitMetaJson(d.head),
    ...(d.commonAncestor !== undefined ? { commonAncestorHash: d.commonAncestor } : {}),
    ...(d.ahead !== undefined ? { numCommitsAhead: d.ahead } : {}),
    ...(d.behind !== undefined ? { numCommitsBehind: d.behind } : {}),
  };
}

export function referenceJson(ref: Reference, metadata?: JsonObject): JsonObject {
  return { type: ref.type, name: ref.name, hash: ref.hash, ...(metadata ? { metadata } : {}) };
}

/** The reference a read was answered from: a branch or tag at the resolved commit, or DETACHED. */
export function effectiveReference(ref: ResolvedRef): JsonObject {
  if (ref.name === undefined || ref.type === undefined) return { type: 'DETACHED', hash: ref.hash };
  return { type: ref.type, name: ref.name, hash: ref.hash };
}

/** A Reference in a request body: `{type, name, hash}`; DETACHED carries only a hash. */
export function parseReferenceInput(v: JsonValue): ReferenceTarget | undefined {
  if (v === null) return undefined;
  const o = asObject(v, 'Reference');
  const rawType = optString(o, 'type');
  const type = rawType?.toUpperCase();
  if (type !== undefined && type !== 'BRANCH' && type !== 'TAG' && type !== 'DETACHED') {
    throw new NessieBadRequest(`Invalid reference type '${rawType}'`);
  }
  return { type: type as ReferenceTarget['type'], name: optString(o, 'name'), hash: optString(o, 'hash') };
}

export function parseRefType(raw: string | undefined): ReferenceType | undefined {
  if (raw === undefined || raw === '') return undefined;
  const up = raw.toUpperCase();
  if (up === 'BRANCH' || up === 'TAG') return up;
  throw new NessieBadRequest(`Reference type name must be either 'branch' or 'tag' - but was: ${raw}`);
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** CommitMeta as Nessie v2 prints it. The store keeps one author and single-valued properties. */
export function commitMetaJson(c: Commit): JsonObject {
  const allProperties: JsonObject = {};
  for (const [k, v] of Object.entries(c.properties)) allProperties[k] = [v];
  const parents = [c.parentHash ?? NO_ANCESTOR_HASH, ...(c.mergeParentHash ? [c.mergeParentHash] : [])];
  return {
    hash: c.hash,
    committer: '',
    authors: c.author === '' ? [] : [c.author],
    allSignedOffBy: [],
    message: c.message,
    commitTime: iso(c.commitTimeMs),
    authorTime: iso(c.commitTimeMs),
    allProperties,
    parentCommitHashes: parents,
  };
}

/**
 * Reads client commit metadata; the catalog refuses server-owned fields. Both the v1 (`author`,
 * `properties`) and v2 (`authors`, `allProperties`) spellings are accepted.
 */
export function parseCommitMeta(v: JsonValue | undefined): CommitMetaInput | undefined {
  if (v === undefined || v === null) return undefined;
  const o = asObject(v, 'commitMeta');
  const text = (field: string): string | undefined => {
    const x = o[field];
    return x === undefined || x === null ? undefined : typeof x === 'string' ? x : String(x);
  };
  const parents = o.parentCommitHashes;
  let author = optString(o, 'author');
  const authors = o.authors;
  if (author === undefined && Array.isArray(authors) && authors.length > 0) {
    if (!authors.every((a) => typeof a === 'string')) throw new NessieBadRequest("Field 'authors' must be a list of strings");
    author = (authors as string[]).join(', ');
  }
  const properties: Record<string, string> = {};
  const all = o.allProperties;
  if (all !== undefined && all !== null) {
    for (const [k, vals] of Object.entries(asObject(all, 'allProperties'))) {
      if (!Array.isArray(vals) || vals.some((x) => typeof x !== 'string')) {
        throw new NessieBadRequest(`allProperties['${k}'] must be a list of strings`);
      }
      if (vals.length > 0) properties[k] = vals[vals.length - 1] as string;
    }
  }
  const props = o.properties;
  if (props !== undefined && props !== null) {
    for (const [k, val] of Object.entries(asObject(props, 'properties'))) {
      if (typeof val !== 'string') throw new NessieBadRequest(`properties['${k}'] must be a string`);
      properties[k] = val;
    }
  }
  return {
    author,
    message: optString(o, 'message'),
    properties,
    committer: text('committer'),
    commitTime: text('commitTime'),
    hash: text('hash'),
    parentCommitHashes: Array.isArray(parents) ? parents.map(String) : undefined,
  };
}

/** Content as a Nessie client sends it in a Put; the catalog completes tables and views from their metadata.json. */
export function parseContent(v: JsonValue | undefined, key: ContentKey): ContentInput {
  const o = asObject(v, 'content');
  const type = optString(o, 'type');
  const id = optString(o, 'id') || undefined;
  switch (type) {
    case 'ICEBERG_TABLE': {
      const metadataLocation = optString(o, 'metadataLocation');
      if (!metadataLocation) throw new NessieBadRequest(`Iceberg table '${keyToString(key)}' needs a metadataLocation`);
      return {
        type,
        id,
        metadataLocation,
        snapshotId: optLong(o, 'snapshotId') ?? -1n,
        schemaId: optInt(o, 'schemaId') ?? 0,
        specId: optInt(o, 'specId') ?? 0,
        sortOrderId: optInt(o, 'sortOrderId') ?? 0,
      };
    }
    case 'ICEBERG_VIEW': {
      const metadataLocation = optString(o, 'metadataLocation');
      if (!metadataLocation) throw new NessieBadRequest(`Iceberg view '${keyToString(key)}' needs a metadataLocation`);
      const versionId = optLong(o, 'versionId') ?? 0n;
      return { type, id, metadataLocation, versionId: Number(versionId) };
    }
    case 'NAMESPACE': {
      const elements = o.elements === undefined || o.elements === null ? undefined : checkKey(o.elements);
      if (elements !== undefined && keyToString(elements) !== keyToString(key)) {
        throw new NessieBadRequest(`Namespace elements '${keyToString(elements)}' do not match the content key '${keyToString(key)}'`);
      }
      const properties: Record<string, string> = {};
      if (o.properties !== undefined && o.properties !== null) {
        for (const [k, val] of Object.entries(asObject(o.properties, 'properties'))) {
          if (typeof val !== 'string') throw new NessieBadRequest(`Namespace property '${k}' must be a string`);
          properties[k] = val;
        }
      }
      return { type, id, properties };
    }
    case undefined:
      throw new NessieBadRequest(`Content for '${keyToString(key)}' has no type`);
    default:
      throw new NessieBadRequest(`Unsupported content type '${type}': lakecat stores ICEBERG_TABLE, ICEBERG_VIEW and NAMESPACE`);
  }
}

export function contentJson(key: ContentKey, content: Content): JsonObject {
  switch (content.type) {
    case 'ICEBERG_TABLE':
      return {
        type: content.type,
        id: content.id,
        metadataLocation: content.metadataLocation,
        snapshotId: content.snapshotId,
        schemaId: content.schemaId,
        specId: content.specId,
        sortOrderId: content.sortOrderId,
      };
    case 'ICEBERG_VIEW':
      return {
        type: content.type,
        id: content.id,
        metadataLocation: content.metadataLocation,
        versionId: content.versionId,
        schemaId: viewSchemaId(content.metadata),
      };
    case 'NAMESPACE':
      return { type: content.type, id: content.id, elements: key, properties: content.properties };
    default: {
      const never: never = content;
      throw new Error(`unknown content ${String(never)}`);
    }
  }
}

/** The schema id of a view's current version, read from its metadata JSON. */
function viewSchemaId(metadata: string): number {
  try {
    const m = parseJson(metadata);
    if (m === null || typeof m !== 'object' || Array.isArray(m)) return 0;
    const current = m['current-version-id'];
    const versions = m.versions;
    if (Array.isArray(versions)) {
      for (const v of versions) {
        if (v && typeof v === 'object' && !Array.isArray(v) && v['version-id'] === current && typeof v['schema-id'] === 'number') {
          return v['schema-id'];
        }
      }
    }
  } catch {
    // Metadata the store accepted is valid JSON; a 0 here only loses an informational field.
  }
  return 0;
}
