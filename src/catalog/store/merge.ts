/**
 * Merge and transplant. A merge finds the merge base, diffs base -> source on the key indexes
 * (cost follows the changed keys), compares each changed key with the target head, and lands
 * ONE commit on the target with the source as merge parent. Transplant re-applies commits one by
 * one, all of them in one transaction under the branch lock so the target moves once.
 */
import { BadRequestError } from '../errors.js';
import type { Executor, StoreCore } from './core.js';
import { LostRace, requireAncestor, withBranchRetry, writeOnHead, type KeyWrite } from './commit.js';
import { mergeBase, resolveHash } from './history.js';
import { contentHash } from './content-codec.js';
import { diffIndex, lookupMany, type IndexEntry } from './key-index.js';
import {
  keyFromString,
  keyToString,
  type Content,
  type ContentKey,
  type ContentType,
  type MergeBehavior,
  type MergeKeyDetail,
  type MergeRequest,
  type MergeResolution,
  type MergeResult,
  type TransplantRequest,
} from './port.js';

interface KeyPlan {
  keyString: string;
  behavior: MergeBehavior;
  /** Value before the change being merged (at the merge base, or the transplanted commit's parent). */
  before: IndexEntry | null;
  /** Value the change produced. */
  after: IndexEntry | null;
  /** Value on the target head. */
  target: IndexEntry | null;
}

type Conflict = NonNullable<MergeKeyDetail['conflict']>;

/**
 * The behaviour of each key, and (like Nessie's MergeBehaviors.postValidate) a refusal of
 * per-key behaviours for keys the merge or transplant does not touch: a mistyped key would
 * otherwise be silently ignored.
 */
function behaviorFor(req: { defaultMergeBehavior?: MergeBehavior; keyMergeBehaviors?: { key: ContentKey; behavior: MergeBehavior }[] }) {
  const perKey = new Map((req.keyMergeBehaviors ?? []).map((k) => [keyToString(k.key), k.behavior]));
  return {
    of: (keyString: string): MergeBehavior => perKey.get(keyString) ?? req.defaultMergeBehavior ?? 'NORMAL',
    /** Fails unless every per-key behaviour names one of `touched`. */
    checkUsed(touched: Iterable<string>): void {
      if (perKey.size === 0) return;
      const unused = new Set(perKey.keys());
      for (const k of touched) unused.delete(k);
      if (unused.size > 0) {
        const names = [...unused].map((k) => keyFromString(k).join('.')).sort();
        throw new BadRequestError(
          `Not all merge key behaviors specified in the request have been used. The following keys were not used: [${names.join(', ')}]`,
        );
      }
    },
  };
}

/** NORMAL merges conflict when the target changed the key since `before` to a different value than the source. */
function conflictOf(p: KeyPlan): Conflict | undefined {
  if (p.behavior !== 'NORMAL') return undefined;
  if (p.target?.hash === p.before?.hash || p.target?.hash === p.after?.hash) return undefined;
  const name = keyFromString(p.keyString).join('.');
  if (!p.before && p.target) return { conflictType: 'KEY_EXISTS', message: `Key '${name}' was added on the target too` };
  if (!p.target) return { conflictType: 'KEY_DOES_NOT_EXIST', message: `Key '${name}' was deleted on the target` };
  return { conflictType: 'VALUE_DIFFERS', message: `Key '${name}' has conflicting changes` };
}

/** The keys `writes` change, with their kind (from the value written, else the value replaced). */
function changedKeys(plans: KeyPlan[], writes: KeyWrite[]): { key: ContentKey; type: ContentType }[] {
  const byKey = new Map(plans.map((p) => [p.keyString, p]));
  return writes.map((w) => {
    const p = byKey.get(w.keyString);
    return { key: w.key, type: w.entry?.type ?? p?.target?.type ?? p?.before?.type ?? 'ICEBERG_TABLE' };
  });
}

/** The caller's resolutions by key, with the index hashes they expect. */
function resolutionsOf(resolutions: MergeResolution[] | undefined) {
  const byKey = new Map((resolutions ?? []).map((r) => [keyToString(r.key), { ...r, sourceHash: contentHash(r.expectedSource), targetHash: contentHash(r.expectedTarget) }]));
  /** The write that resolves a NORMAL plan's conflict, when the caller resolved exactly this one. */
  return (p: KeyPlan): KeyWrite | undefined => {
    const r = byKey.get(p.keyString);
    if (!r || p.behavior !== 'NORMAL' || p.after?.hash !== r.sourceHash || p.target?.hash !== r.targetHash) return undefined;
    return { key: r.key, keyString: p.keyString, entry: { key: p.keyString, hash: contentHash(r.content), type: r.content.type, id: p.target.id }, content: r.content };
  };
}

/** The write a plan leads to, if any (DROP and already-equal values write nothing). */
function writeOf(p: KeyPlan): KeyWrite | undefined {
  if (p.behavior === 'DROP' || p.target?.hash === p.after?.hash) return undefined;
  return { key: keyFromString(p.keyString), keyString: p.keyString, entry: p.after };
}

async function details(core: StoreCore, ex: Executor, plans: KeyPlan[], conflicts: Map<string, Conflict>): Promise<MergeKeyDetail[]> {
  // Values are loaded for conflicting keys only: what a caller may resolve (a merge of 1,000
  // tables would otherwise read 2,000 full metadata documents it does not use).
  const hashes = plans.filter((p) => conflicts.has(p.keyString)).flatMap((p) => [p.after?.hash, p.target?.hash]).filter((h): h is string => !!h);
  const values = await core.loadContents([...new Set(hashes)], ex);
  const value = (e: IndexEntry | null): Content | null => (e ? (values.get(e.hash) ?? null) : null);
  return plans.map((p) => {
    const conflicting = conflicts.has(p.keyString);
    const d: MergeKeyDetail = {
      key: keyFromString(p.keyString),
      behavior: p.behavior,
      sourceContent: conflicting ? value(p.after) : null,
      targetContent: conflicting ? value(p.target) : null,
    };
    const c = conflicts.get(p.keyString);
    if (c) d.conflict = c;
    return d;
  });
}

async function resolveExpected(core: StoreCore, hash: string | undefined): Promise<string | undefined> {
  return hash === undefined ? undefined : (await resolveHash(core, hash)).hash;
}

export async function mergeInto(core: StoreCore, req: MergeRequest): Promise<MergeResult> {
  const from = await resolveHash(core, req.fromHash);
  // Resolved up front: inside the attempt every query must go through `ex` (PGlite has one
  // connection, so a query outside an open transaction would wait for it forever).
  const expectedHash = await resolveExpected(core, req.expectedHash);
  const behavior = behaviorFor(req);
  const resolve = resolutionsOf(req.resolutions);
  return withBranchRetry(core, req.toBranch, async (ex, headHash) => {
    if (expectedHash !== undefined && expectedHash !== headHash) await requireAncestor(core, ex, req.toBranch, expectedHash, headHash);
    const head = await core.loadCommit(headHash, ex);
    const baseHash = await mergeBase(core, from.hash, headHash, ex);
    const result = (applied: boolean, ok: boolean, d: MergeKeyDetail[], resultant = headHash): MergeResult => ({
      wasApplied: applied,
      wasSuccessful: ok,
      resultantTargetHash: resultant,
      commonAncestor: baseHash,
      effectiveTargetHash: headHash,
      ...(req.expectedHash !== undefined ? { expectedHash: req.expectedHash } : {}),
      details: d,
    });
    if (baseHash === from.hash) {
      behavior.checkUsed([]);
      return result(false, true, []);
    }

    const base = await core.loadCommit(baseHash, ex);
    const src = core.nodeSource(ex);
    const changes: { keyString: string; before: IndexEntry | null; after: IndexEntry | null }[] = [];
    for await (const c of diffIndex(src, base.indexRoot, from.indexRoot, {})) {
      changes.push({ keyString: c.key, before: c.from, after: c.to });
    }
    const atHead = await lookupMany(src, head.indexRoot, changes.map((c) => c.keyString));
    behavior.checkUsed(changes.map((c) => c.keyString));
    const plans: KeyPlan[] = changes.map((c) => ({ ...c, behavior: behavior.of(c.keyString), target: atHead.get(c.keyString) ?? null }));
    const conflicts = new Map<string, Conflict>();
    const resolved = new Map<string, KeyWrite>();
    for (const p of plans) {
      const c = conflictOf(p);
      const resolution = c ? resolve(p) : undefined;
      if (resolution) resolved.set(p.keyString, resolution);
      else if (c) conflicts.set(p.keyString, c);
    }
    const writes = plans.map((p) => resolved.get(p.keyString) ?? writeOf(p)).filter((w): w is KeyWrite => !!w);
    // Access to every key the merge would change is decided before anything is written (dry runs too).
    req.checkKeys?.(changedKeys(plans, writes));
    if (conflicts.size > 0 || req.dryRun) return result(false, conflicts.size === 0, await details(core, ex, plans, conflicts));

    const commit = await writeOnHead(core, ex, req.toBranch, head, req.meta, writes, atHead, from.hash);
    if (!commit) return null;
    return result(true, true, await details(core, ex, plans, conflicts), commit.hash);
  });
}

export async function transplantOnto(core: StoreCore, req: TransplantRequest): Promise<MergeResult> {
  const sources = await Promise.all(req.hashes.map((h) => resolveHash(core, h)));
  const expectedHash = await resolveExpected(core, req.expectedHash);
  const behavior = behaviorFor(req);
  // Locked from the first attempt: the target moves once per transplanted commit, atomically.
  return withBranchRetry(
    core,
    req.toBranch,
    async (ex, headHash) => {
      if (expectedHash !== undefined && expectedHash !== headHash) await requireAncestor(core, ex, req.toBranch, expectedHash, headHash);
      let head = await core.loadCommit(headHash, ex);
      const src = core.nodeSource(ex);
      // Values on the target after the commits planned so far.
      const overlay = new Map<string, IndexEntry | null>();
      const steps: { writes: KeyWrite[]; existing: Map<string, IndexEntry>; source: (typeof sources)[number] }[] = [];
      const allPlans: KeyPlan[] = [];
      const conflicts = new Map<string, Conflict>();
      for (const source of sources) {
        const keys = source.operations.map((op) => keyToString(op[1]));
        const parent = await core.loadCommit(source.parent!, ex);
        const [before, atHead] = await Promise.all([lookupMany(src, parent.indexRoot, keys), lookupMany(src, head.indexRoot, keys)]);
        const existing = new Map<string, IndexEntry>();
        const plans = source.operations.map((op, i): KeyPlan => {
          const ks = keys[i];
          const target = overlay.has(ks) ? overlay.get(ks)! : (atHead.get(ks) ?? null);
          if (target) existing.set(ks, target);
          const after = op[0] === 'put' ? { key: ks, hash: op[2]!, type: op[3], id: op[4] } : null;
          return { keyString: ks, behavior: behavior.of(ks), before: before.get(ks) ?? null, after, target };
        });
        for (const p of plans) {
          const c = conflictOf(p);
          if (c) conflicts.set(p.keyString, c);
        }
        const writes = plans.map(writeOf).filter((w): w is KeyWrite => !!w);
        for (const w of writes) overlay.set(w.keyString, w.entry);
        allPlans.push(...plans);
        if (writes.length > 0) steps.push({ writes, existing, source });
      }
      behavior.checkUsed(allPlans.map((p) => p.keyString));
      const result = (applied: boolean, ok: boolean, resultant: string): MergeResult => ({
        wasApplied: applied,
        wasSuccessful: ok,
        resultantTargetHash: resultant,
        commonAncestor: headHash,
        effectiveTargetHash: headHash,
        ...(req.expectedHash !== undefined ? { expectedHash: req.expectedHash } : {}),
        details: [],
      });
      req.checkKeys?.(changedKeys(allPlans, steps.flatMap((st) => st.writes)));
      const d = await details(core, ex, allPlans, conflicts);
      if (conflicts.size > 0 || req.dryRun || steps.length === 0) {
        return { ...result(false, conflicts.size === 0, headHash), details: d };
      }
      for (const step of steps) {
        const meta = {
          author: req.meta?.author ?? step.source.author,
          message: req.meta?.message ?? step.source.message,
          properties: req.meta?.properties ?? step.source.properties,
          ...(req.meta?.commitTimeMs !== undefined ? { commitTimeMs: req.meta.commitTimeMs } : {}),
        };
        const next = await writeOnHead(core, ex, req.toBranch, head, meta, step.writes, step.existing, null);
        // Under the branch lock the CAS cannot lose; if it did, roll back every step and retry.
        if (!next) throw new LostRace();
        head = next;
      }
      return { ...result(true, true, head.hash), details: d };
    },
    true,
  );
}
