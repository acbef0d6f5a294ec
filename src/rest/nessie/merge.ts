/**
 * `POST /trees/{branch@hash}/history/merge` and `.../history/transplant`. Conflicts are a 409
 * REFERENCE_CONFLICT listing each key, or, with `isReturnConflictAsResult`, a 200 MergeResponse
 * with `wasSuccessful: false` and the conflict on each key's details.
 */
import type { Context } from 'hono';
import { ConflictError } from '../../catalog/errors.js';
import type { ContentKey, MergeBehavior, MergeKeyDetail, MergeResult } from '../../catalog/store/port.js';
import type { JsonObject, JsonValue } from '../../iceberg/json.js';
import { asObject, optBool, optString, readObject, respond } from './body.js';
import { keyToString } from './content-key.js';
import type { NessieDeps } from './context.js';
import { NessieBadRequest, NessieHttpError, type NessieConflict } from './errors.js';
import { applyRelative, fullHash, isValidRefName, parseHashSpec, resolveRef } from './ref-spec.js';
import { writeTarget } from './commit.js';
import { keyJson, parseCommitMeta, parseKey } from './wire.js';

const BEHAVIORS: readonly MergeBehavior[] = ['NORMAL', 'FORCE', 'DROP'];
const DETACHED = 'DETACHED';

function parseBehavior(v: JsonValue | undefined, field: string): MergeBehavior | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || !(BEHAVIORS as string[]).includes(v.toUpperCase())) {
    throw new NessieBadRequest(`Field '${field}' must be one of NORMAL, FORCE, DROP`);
  }
  return v.toUpperCase() as MergeBehavior;
}

interface MergeOptions {
  fromRefName: string;
  dryRun: boolean;
  returnConflictAsResult: boolean;
  defaultMergeBehavior?: MergeBehavior;
  keyMergeBehaviors: { key: ContentKey; behavior: MergeBehavior }[];
}

function parseMergeOptions(body: JsonObject): MergeOptions {
  const fromRefName = optString(body, 'fromRefName');
  if (!fromRefName || !isValidRefName(fromRefName)) throw new NessieBadRequest(`Invalid fromRefName '${fromRefName ?? ''}'`);
  const modes = body.keyMergeModes;
  if (modes !== undefined && modes !== null && !Array.isArray(modes)) throw new NessieBadRequest("Field 'keyMergeModes' must be a list");
  const keyMergeBehaviors = (modes ?? []).map((m) => {
    const o = asObject(m, 'keyMergeModes entry');
    if (o.resolvedContent !== undefined && o.resolvedContent !== null) {
      throw new NessieBadRequest('keyMergeModes with resolvedContent are not supported');
    }
    return { key: parseKey(o.key), behavior: parseBehavior(o.mergeBehavior, 'mergeBehavior') ?? 'NORMAL' };
  });
  // Nessie's model names the flags isDryRun etc.; older clients send the bean names.
  return {
    fromRefName,
    dryRun: optBool(body, 'isDryRun', 'dryRun') ?? false,
    returnConflictAsResult: optBool(body, 'isReturnConflictAsResult', 'returnConflictAsResult') ?? false,
    defaultMergeBehavior: parseBehavior(body.defaultKeyMergeMode, 'defaultKeyMergeMode'),
    keyMergeBehaviors,
  };
}

function detailJson(d: MergeKeyDetail): JsonObject {
  return {
    key: keyJson(d.key),
    mergeBehavior: d.behavior,
    conflictType: d.conflict ? 'UNRESOLVABLE' : 'NONE',
    ...(d.conflict ? { conflict: { conflictType: d.conflict.conflictType, key: keyJson(d.key), message: d.conflict.message } } : {}),
  };
}

function mergeResponseJson(targetBranch: string, r: MergeResult, withAncestor: boolean): JsonObject {
  return {
    targetBranch,
    effectiveTargetHash: r.effectiveTargetHash,
    resultantTargetHash: r.resultantTargetHash,
    ...(withAncestor && r.commonAncestor ? { commonAncestor: r.commonAncestor } : {}),
    ...(r.expectedHash ? { expectedHash: r.expectedHash } : {}),
    wasApplied: r.wasApplied,
    wasSuccessful: r.wasSuccessful,
    details: r.details.map(detailJson),
  };
}

function conflictMessage(keys: ContentKey[]): string {
  return `The following keys have been changed in conflict: ${keys.map((k) => `'${keyToString(k)}'`).join(', ')}`;
}

/** Runs a merge or transplant and shapes the outcome the way Nessie reports it. */
async function runMerge(
  c: Context,
  deps: NessieDeps,
  target: { name: string; hash: string },
  opts: MergeOptions,
  run: () => Promise<MergeResult>,
  /** Nessie reports no common ancestor for transplants. */
  withAncestor: boolean,
): Promise<Response> {
  let result: MergeResult;
  try {
    result = await run();
  } catch (err) {
    if (!(err instanceof ConflictError) || !opts.returnConflictAsResult) throw err;
    const head = (await deps.store.getReference(target.name)).hash;
    result = {
      wasApplied: false,
      wasSuccessful: false,
      resultantTargetHash: head,
      commonAncestor: '',
      effectiveTargetHash: head,
      expectedHash: target.hash,
      details: err.conflicts.map((k) => ({
        key: k.key,
        behavior: 'NORMAL',
        conflict: { conflictType: k.conflictType === 'KEY_EXISTS' || k.conflictType === 'KEY_DOES_NOT_EXIST' || k.conflictType === 'VALUE_DIFFERS' ? k.conflictType : 'UNKNOWN', message: k.message },
        sourceContent: null,
        targetContent: null,
      })),
    };
  }
  const conflicted = result.details.filter((d) => d.conflict !== undefined);
  if (!result.wasSuccessful && !opts.returnConflictAsResult) {
    const conflicts: NessieConflict[] = conflicted.map((d) => ({
      conflictType: d.conflict!.conflictType,
      key: d.key,
      message: d.conflict!.message,
    }));
    throw new NessieHttpError('REFERENCE_CONFLICT', conflictMessage(conflicted.map((d) => d.key)), conflicts);
  }
  return respond(c, mergeResponseJson(target.name, result, withAncestor));
}

export async function mergeIntoBranch(deps: NessieDeps, c: Context, refText: string): Promise<Response> {
  const target = await writeTarget(deps, refText, 'Reference to merge into');
  const body = await readObject(c, 'Merge');
  const opts = parseMergeOptions(body);
  const fromHashText = optString(body, 'fromHash');
  const spec = fromHashText ? parseHashSpec(fromHashText, 'Source hash') : { hash: undefined, relative: [] };
  // Nessie names a detached source commit DETACHED; it then needs a hash.
  const detached = opts.fromRefName === DETACHED;
  if (detached && spec.hash === undefined) throw new NessieBadRequest('Source hash must contain a starting commit ID.');
  const from = await resolveRef(deps.store, { name: detached ? undefined : opts.fromRefName, hash: spec.hash, relative: spec.relative });
  const defaultMessage = `Merged ${opts.fromRefName} at ${from.hash} into ${target.name} at ${target.hash}`;
  const meta = parseCommitMeta(body.commitMeta ?? { message: optString(body, 'message') ?? '' }, defaultMessage);
  return runMerge(c, deps, target, opts, () =>
    deps.store.merge({
      fromHash: from.hash,
      fromRefName: opts.fromRefName,
      toBranch: target.name,
      expectedHash: target.hash,
      meta,
      dryRun: opts.dryRun,
      defaultMergeBehavior: opts.defaultMergeBehavior,
      keyMergeBehaviors: opts.keyMergeBehaviors,
    }),
    true,
  );
}

export async function transplantIntoBranch(deps: NessieDeps, c: Context, refText: string): Promise<Response> {
  const target = await writeTarget(deps, refText, 'Reference to transplant into');
  const body = await readObject(c, 'Transplant');
  const opts = parseMergeOptions(body);
  const raw = body.hashesToTransplant;
  if (!Array.isArray(raw) || raw.length === 0) throw new NessieBadRequest('No hashes given to transplant.');
  if (opts.fromRefName !== DETACHED) await deps.store.getReference(opts.fromRefName);
  const hashes: string[] = [];
  for (const h of raw) {
    if (typeof h !== 'string') throw new NessieBadRequest("Field 'hashesToTransplant' must be a list of hashes");
    const spec = parseHashSpec(h, 'Hash to transplant');
    if (spec.hash === undefined) throw new NessieBadRequest('Hash to transplant must contain a starting commit ID.');
    hashes.push(await applyRelative(deps.store, await fullHash(deps.store, spec.hash), spec.relative));
  }
  // Like Nessie, a message override only applies when a single commit is transplanted.
  const message = optString(body, 'message');
  const meta = hashes.length === 1 && message ? { message } : undefined;
  return runMerge(c, deps, target, opts, () =>
    deps.store.transplant({
      hashes,
      fromRefName: opts.fromRefName,
      toBranch: target.name,
      expectedHash: target.hash,
      dryRun: opts.dryRun,
      defaultMergeBehavior: opts.defaultMergeBehavior,
      keyMergeBehaviors: opts.keyMergeBehaviors,
      ...(meta ? { meta } : {}),
    }),
    false,
  );
}
