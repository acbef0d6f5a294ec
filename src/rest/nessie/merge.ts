/**
 * `POST /trees/{branch@hash}/history/merge` and `.../history/transplant`. Conflicts are a 409
 * REFERENCE_CONFLICT listing each key, or, with `isReturnConflictAsResult`, a 200 MergeResponse
 * with `wasSuccessful: false` and the conflict on each key's details. The rules are the
 * catalog's `merges` verbs; this file translates the wire format.
 */
import type { Context } from 'hono';
import type { IcebergKeyMerge, MergeBehavior, MergeKeyDetail, MergeOptions, MergeOutcome } from '../../catalog/index.js';
import type { JsonObject, JsonValue } from '../../iceberg/json.js';
import { asObject, optBool, optString, readObject, respond } from './body.js';
import { nessieActor, type NessieDeps } from './context.js';
import { NessieBadRequest } from './errors.js';
import { keyJson, parseCommitMeta, parseKey } from './wire.js';

const BEHAVIORS: readonly MergeBehavior[] = ['NORMAL', 'FORCE', 'DROP'];

function parseBehavior(v: JsonValue | undefined, field: string): MergeBehavior | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || !(BEHAVIORS as string[]).includes(v.toUpperCase())) {
    throw new NessieBadRequest(`Field '${field}' must be one of NORMAL, FORCE, DROP`);
  }
  return v.toUpperCase() as MergeBehavior;
}

function parseMergeOptions(target: string, body: JsonObject): MergeOptions {
  const modes = body.keyMergeModes;
  if (modes !== undefined && modes !== null && !Array.isArray(modes)) throw new NessieBadRequest("Field 'keyMergeModes' must be a list");
  const snapshotIsolationKeys: string[][] = [];
  const keyBehaviors = (modes ?? []).map((m) => {
    const o = asObject(m, 'keyMergeModes entry');
    if (o.resolvedContent !== undefined && o.resolvedContent !== null) {
      throw new NessieBadRequest('keyMergeModes with resolvedContent are not supported');
    }
    const key = parseKey(o.key);
    // A lakecat extension: "isolation": "SNAPSHOT" validates the key's Iceberg-level merge under
    // snapshot isolation ("SERIALIZABLE" or absent: the table's own isolation level).
    const isolation = o.isolation;
    if (isolation !== undefined && isolation !== null) {
      if (typeof isolation !== 'string' || !['SNAPSHOT', 'SERIALIZABLE'].includes(isolation.toUpperCase())) {
        throw new NessieBadRequest("Field 'isolation' of a keyMergeModes entry must be SNAPSHOT or SERIALIZABLE");
      }
      if (isolation.toUpperCase() === 'SNAPSHOT') snapshotIsolationKeys.push(key);
    }
    return { key, behavior: parseBehavior(o.mergeBehavior, 'mergeBehavior') ?? 'NORMAL' };
  });
  // Nessie's model names the flags isDryRun etc.; older clients send the bean names.
  return {
    target,
    fromRefName: optString(body, 'fromRefName'),
    dryRun: optBool(body, 'isDryRun', 'dryRun') ?? false,
    conflictsAsResult: optBool(body, 'isReturnConflictAsResult', 'returnConflictAsResult') ?? false,
    defaultBehavior: parseBehavior(body.defaultKeyMergeMode, 'defaultKeyMergeMode'),
    keyBehaviors,
    ...(snapshotIsolationKeys.length > 0 ? { snapshotIsolationKeys } : {}),
  };
}

/**
 * A request header asking for lakecat's extension of the merge response: `icebergMerge` on each
 * detail of a table merged (or refused) at the Iceberg level. Only on request: Nessie's Java
 * client refuses fields its model does not know.
 */
export const MERGE_DETAILS_HEADER = 'Lakecat-Merge-Details';

function icebergMergeJson(i: IcebergKeyMerge): JsonObject {
  const out: JsonObject = { outcome: i.outcome, isolation: i.isolation.toUpperCase(), message: i.message };
  if (i.replayedSnapshots) out.replayedSnapshots = i.replayedSnapshots;
  if (i.conflictType) out.conflictType = i.conflictType;
  if (i.sourceSnapshotId) out.sourceSnapshotId = i.sourceSnapshotId;
  if (i.hint) out.hint = i.hint;
  return out;
}

function detailJson(d: MergeKeyDetail, extended: boolean): JsonObject {
  return {
    key: keyJson(d.key),
    mergeBehavior: d.behavior,
    conflictType: d.conflict ? 'UNRESOLVABLE' : 'NONE',
    ...(d.conflict ? { conflict: { conflictType: d.conflict.conflictType, key: keyJson(d.key), message: d.conflict.message } } : {}),
    ...(extended && d.iceberg ? { icebergMerge: icebergMergeJson(d.iceberg) } : {}),
  };
}

function wantsExtension(c: Context): boolean {
  return /^(1|true|yes)$/i.test(c.req.header(MERGE_DETAILS_HEADER)?.trim() ?? '');
}

function mergeResponseJson(r: MergeOutcome, extended = false): JsonObject {
  return {
    targetBranch: r.targetBranch,
    effectiveTargetHash: r.effectiveTargetHash,
    resultantTargetHash: r.resultantTargetHash,
    ...(r.commonAncestor ? { commonAncestor: r.commonAncestor } : {}),
    ...(r.expectedHash ? { expectedHash: r.expectedHash } : {}),
    wasApplied: r.wasApplied,
    wasSuccessful: r.wasSuccessful,
    details: r.details.map((d) => detailJson(d, extended)),
  };
}

export async function mergeIntoBranch(deps: NessieDeps, c: Context, refText: string): Promise<Response> {
  const body = await readObject(c, 'Merge');
  const opts = parseMergeOptions(refText, body);
  const meta = parseCommitMeta(body.commitMeta) ?? { message: optString(body, 'message') };
  const result = await deps.catalog.merges.merge(nessieActor(c), { ...opts, fromHash: optString(body, 'fromHash') || undefined, meta });
  return respond(c, mergeResponseJson(result, wantsExtension(c)));
}

export async function transplantIntoBranch(deps: NessieDeps, c: Context, refText: string): Promise<Response> {
  const body = await readObject(c, 'Transplant');
  const opts = parseMergeOptions(refText, body);
  const raw = body.hashesToTransplant;
  // Anything but a list is no hashes, which the catalog refuses.
  const hashes = (Array.isArray(raw) ? raw : []).map((h) => {
    if (typeof h !== 'string') throw new NessieBadRequest("Field 'hashesToTransplant' must be a list of hashes");
    return h;
  });
  const result = await deps.catalog.merges.transplant(nessieActor(c), { ...opts, hashes, message: optString(body, 'message') });
  return respond(c, mergeResponseJson(result));
}
