/**
 * The server's JSON answers as the CLI reads them: Nessie API v2 models (Reference, LogEntry,
 * DiffEntry, MergeResponse) and Iceberg REST results. Decoders check the fields the CLI relies
 * on, so a server that answers in an unexpected shape gives a clear error instead of `undefined`
 * in a table. Unknown fields are kept: `--json` prints what the server sent.
 */
import type { JsonObject, JsonValue } from '../iceberg/json.js';
import { OperationFailedError, type KeyConflict } from './errors.js';

export type RefType = 'BRANCH' | 'TAG';

export interface Reference {
  type: RefType;
  name: string;
  hash: string;
  metadata?: JsonObject;
}

export interface CommitMeta {
  hash: string;
  message: string;
  authors: string[];
  commitTime?: string;
  parentCommitHashes: string[];
  raw: JsonObject;
}

export interface DiffEntry {
  key: string[];
  from: JsonObject | null;
  to: JsonObject | null;
}

export interface MergeKeyDetail {
  key: string[];
  mergeBehavior: string;
  conflict?: KeyConflict;
  /** lakecat's account of a table merged (or refused) at the Iceberg level, when the server sent one. */
  icebergMerge?: IcebergMergeDetail;
}

export interface IcebergMergeDetail {
  outcome: string;
  isolation?: string;
  replayedSnapshots: string[];
  conflictType?: string;
  sourceSnapshotId?: string;
  hint?: string;
  message: string;
}

export interface MergeResult {
  wasApplied: boolean;
  wasSuccessful: boolean;
  resultantTargetHash?: string;
  commonAncestor?: string;
  targetBranch: string;
  effectiveTargetHash: string;
  details: MergeKeyDetail[];
  raw: JsonObject;
}

export interface TableIdentifier {
  namespace: string[];
  name: string;
}

function bad(what: string): never {
  throw new OperationFailedError(`unexpected answer from the server: ${what}`);
}

export function asObject(v: JsonValue | undefined, what: string): JsonObject {
  if (v === null || v === undefined || typeof v !== 'object' || Array.isArray(v)) bad(`${what} is not a JSON object`);
  return v;
}

export function asArray(v: JsonValue | undefined, what: string): JsonValue[] {
  if (!Array.isArray(v)) bad(`${what} is not a JSON array`);
  return v;
}

export function asString(v: JsonValue | undefined, what: string): string {
  if (typeof v !== 'string') bad(`${what} is not a string`);
  return v;
}

function optString(v: JsonValue | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function stringArray(v: JsonValue | undefined, what: string): string[] {
  if (v === undefined || v === null) return [];
  return asArray(v, what).map((x, i) => asString(x, `${what}[${i}]`));
}

export function decodeKey(v: JsonValue | undefined, what = 'key'): string[] {
  return stringArray(asObject(v, what).elements, `${what}.elements`);
}

export function decodeReference(v: JsonValue | undefined): Reference {
  const o = asObject(v, 'reference');
  const type = asString(o.type, 'reference.type');
  if (type !== 'BRANCH' && type !== 'TAG') bad(`reference type '${type}'`);
  const ref: Reference = { type, name: asString(o.name, 'reference.name'), hash: asString(o.hash, 'reference.hash') };
  if (o.metadata !== undefined && o.metadata !== null) ref.metadata = asObject(o.metadata, 'reference.metadata');
  return ref;
}

export function decodeCommitMeta(v: JsonValue | undefined): CommitMeta {
  const o = asObject(v, 'commitMeta');
  return {
    hash: asString(o.hash, 'commitMeta.hash'),
    message: optString(o.message) ?? '',
    authors: o.authors === undefined && typeof o.author === 'string' ? [o.author] : stringArray(o.authors, 'commitMeta.authors'),
    commitTime: optString(o.commitTime),
    parentCommitHashes: stringArray(o.parentCommitHashes, 'commitMeta.parentCommitHashes'),
    raw: o,
  };
}

export function decodeConflict(v: JsonValue | undefined): KeyConflict {
  const o = asObject(v, 'conflict');
  const conflict: KeyConflict = {
    conflictType: optString(o.conflictType) ?? 'UNKNOWN',
    message: optString(o.message) ?? '',
  };
  if (o.key !== undefined && o.key !== null) conflict.key = decodeKey(o.key, 'conflict.key');
  return conflict;
}

export function decodeDiffEntry(v: JsonValue): DiffEntry {
  const o = asObject(v, 'diff entry');
  const content = (c: JsonValue | undefined, what: string) => (c === undefined || c === null ? null : asObject(c, what));
  return { key: decodeKey(o.key, 'diff.key'), from: content(o.from, 'diff.from'), to: content(o.to, 'diff.to') };
}

export function decodeMergeResponse(v: JsonValue): MergeResult {
  const o = asObject(v, 'merge response');
  const details = o.details === undefined || o.details === null ? [] : asArray(o.details, 'details');
  return {
    wasApplied: o.wasApplied === true,
    wasSuccessful: o.wasSuccessful === true,
    resultantTargetHash: optString(o.resultantTargetHash),
    commonAncestor: optString(o.commonAncestor),
    targetBranch: optString(o.targetBranch) ?? '',
    effectiveTargetHash: optString(o.effectiveTargetHash) ?? '',
    details: details.map((d, i) => {
      const detail = asObject(d, `details[${i}]`);
      const out: MergeKeyDetail = {
        key: decodeKey(detail.key, `details[${i}].key`),
        mergeBehavior: optString(detail.mergeBehavior) ?? 'NORMAL',
      };
      if (detail.conflict !== undefined && detail.conflict !== null) out.conflict = decodeConflict(detail.conflict);
      if (detail.icebergMerge !== undefined && detail.icebergMerge !== null) out.icebergMerge = decodeIcebergMerge(detail.icebergMerge, `details[${i}].icebergMerge`);
      return out;
    }),
    raw: o,
  };
}

function decodeIcebergMerge(v: JsonValue, what: string): IcebergMergeDetail {
  const o = asObject(v, what);
  const out: IcebergMergeDetail = {
    outcome: asString(o.outcome, `${what}.outcome`),
    replayedSnapshots: o.replayedSnapshots === undefined ? [] : stringArray(o.replayedSnapshots, `${what}.replayedSnapshots`),
    message: optString(o.message) ?? '',
  };
  for (const k of ['isolation', 'conflictType', 'sourceSnapshotId', 'hint'] as const) {
    const value = optString(o[k]);
    if (value !== undefined) out[k] = value;
  }
  return out;
}

export function decodeIdentifier(v: JsonValue, what: string): TableIdentifier {
  const o = asObject(v, what);
  return { namespace: stringArray(o.namespace, `${what}.namespace`), name: asString(o.name, `${what}.name`) };
}
