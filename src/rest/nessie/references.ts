/**
 * Branches and tags: list, get, create, assign (move by compare-and-swap), delete.
 * Assign and delete take the expected head as `name@hash` in the path, like Nessie.
 */
import type { Context } from 'hono';
import { NO_ANCESTOR_HASH, type Reference, type VersionStore } from '../../catalog/store/port.js';
import type { JsonObject } from '../../iceberg/json.js';
import { fetchOption, pageSize, readBody, respond } from './body.js';
import { compileFilter, type CelValue } from './cel.js';
import type { NessieDeps } from './context.js';
import { NessieBadRequest } from './errors.js';
import { decodeToken, encodeToken } from './paging.js';
import { checkNewRefName, parseHashSpec, parseRefPath, resolveRef, applyRelative, fullHash, type ParsedRef } from './ref-spec.js';
import { commitMetaJson, parseRefType, parseReferenceInput, referenceJson, type ReferenceInput } from './wire.js';

const COUNT_CAP = 10_000;

export async function listReferences(deps: NessieDeps, c: Context): Promise<Response> {
  const fetchAll = fetchOption(c) === 'ALL';
  const filterText = c.req.query('filter');
  const filter = filterText ? compileFilter(filterText, ['ref', 'refType', 'commit', 'refMeta']) : undefined;
  const limit = pageSize(c);
  const token = c.req.query('page-token');
  const after = token ? decodeToken(token) : undefined;

  const refs = (await deps.store.listReferences()).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const defaultHead = fetchAll ? refs.find((r) => r.name === deps.defaultBranch && r.type === 'BRANCH')?.hash : undefined;
  const out: JsonObject[] = [];
  let lastName: string | undefined;
  let hasMore = false;
  for (const ref of refs) {
    if (after !== undefined && ref.name <= after) continue;
    const metadata = fetchAll ? await referenceMetadata(deps.store, ref, defaultHead) : undefined;
    if (filter && !filter.matches(referenceCelVars(ref, metadata))) continue;
    if (out.length === limit) {
      hasMore = true;
      break;
    }
    out.push(referenceJson(ref, metadata));
    lastName = ref.name;
  }
  return respond(c, { hasMore, ...(hasMore && lastName !== undefined ? { token: encodeToken(lastName) } : {}), references: out });
}

function referenceCelVars(ref: Reference, metadata: JsonObject | undefined): Record<string, CelValue> {
  const head = (metadata?.commitMetaOfHEAD as JsonObject | undefined) ?? { message: '', authors: [], allProperties: {} };
  const commit = celCommit(head);
  const refMeta: Record<string, CelValue> = {
    numCommitsAhead: (metadata?.numCommitsAhead as number | undefined) ?? null,
    numCommitsBehind: (metadata?.numCommitsBehind as number | undefined) ?? null,
    commonAncestorHash: (metadata?.commonAncestorHash as string | undefined) ?? null,
    commitMetaOfHEAD: commit,
  };
  return { ref: { name: ref.name, hash: ref.hash, metadata: refMeta }, refType: ref.type, commit, refMeta };
}

/** CommitMeta as CEL filters see it: Nessie exposes both singular and list spellings. */
export function celCommit(meta: JsonObject): Record<string, CelValue> {
  const authors = (meta.authors as string[] | undefined) ?? [];
  const all = (meta.allProperties as Record<string, string[]> | undefined) ?? {};
  const properties: Record<string, CelValue> = {};
  for (const [k, v] of Object.entries(all)) properties[k] = v[v.length - 1] ?? '';
  const time = (field: string): CelValue =>
    typeof meta[field] === 'string' ? { celTimestampMs: Date.parse(meta[field] as string) } : null;
  return {
    hash: (meta.hash as string | undefined) ?? '',
    committer: (meta.committer as string | undefined) ?? '',
    author: authors[0] ?? '',
    authors,
    signedOffBy: '',
    allSignedOffBy: [],
    message: (meta.message as string | undefined) ?? '',
    commitTime: time('commitTime'),
    authorTime: time('authorTime'),
    properties,
    allProperties: all,
    parentCommitHashes: (meta.parentCommitHashes as string[] | undefined) ?? [],
  };
}

/** Nessie's `fetch=ALL` reference metadata: HEAD commit, and for branches ahead/behind the default branch. */
async function referenceMetadata(store: VersionStore, ref: Reference, defaultHead: string | undefined): Promise<JsonObject | undefined> {
  if (ref.hash === NO_ANCESTOR_HASH) return undefined;
  const metadata: JsonObject = { commitMetaOfHEAD: commitMetaJson(await store.getCommit(ref.hash)) };
  if (ref.type === 'BRANCH' && defaultHead !== undefined) {
    const base = await store.mergeBase(defaultHead, ref.hash);
    metadata.commonAncestorHash = base;
    const ahead = await countUntil(store, ref.hash, base);
    const behind = await countUntil(store, defaultHead, base);
    if (ahead !== undefined) metadata.numCommitsAhead = ahead;
    if (behind !== undefined) metadata.numCommitsBehind = behind;
  }
  return metadata;
}

async function countUntil(store: VersionStore, from: string, base: string): Promise<number | undefined> {
  if (from === base) return 0;
  let n = 0;
  let pageToken: string | undefined;
  do {
    const page = await store.log(from, { pageToken, pageSize: 500, untilHash: base });
    for (const commit of page.items) {
      if (commit.hash === base) return n;
      if (++n > COUNT_CAP) return undefined;
    }
    pageToken = page.nextPageToken;
  } while (pageToken !== undefined);
  return n;
}

export async function getReference(deps: NessieDeps, c: Context, refText: string): Promise<Response> {
  const parsed = parseRefPath(refText, deps.defaultBranch);
  if (parsed.name === undefined || parsed.hash !== undefined || parsed.relative.length > 0) {
    throw new NessieBadRequest('Hashes are not allowed when fetching a reference by name');
  }
  const ref = await deps.store.getReference(parsed.name);
  const all = fetchOption(c) === 'ALL';
  const defaultHead = all ? (await deps.store.getReference(deps.defaultBranch)).hash : undefined;
  const metadata = all ? await referenceMetadata(deps.store, ref, defaultHead) : undefined;
  return respond(c, { reference: referenceJson(ref, metadata) });
}

/** The commit a request body reference points at: its hash (with relative parts) or its head. */
async function resolveTarget(deps: NessieDeps, input: ReferenceInput | undefined): Promise<string> {
  if (input === undefined) return (await deps.store.getReference(deps.defaultBranch)).hash;
  const spec = input.hash ? parseHashSpec(input.hash, 'Target hash') : { hash: undefined, relative: [] };
  if (input.type === 'DETACHED' || input.name === undefined) {
    if (spec.hash === undefined) throw new NessieBadRequest('Target hash must be provided.');
    return applyRelative(deps.store, await fullHash(deps.store, spec.hash), spec.relative);
  }
  const parsed: ParsedRef = { name: input.name, hash: spec.hash, relative: spec.relative };
  return (await resolveRef(deps.store, parsed, { checkOnRef: true })).hash;
}

export async function createReference(deps: NessieDeps, c: Context): Promise<Response> {
  const name = checkNewRefName(c.req.query('name'));
  const type = parseRefType(c.req.query('type'));
  if (type === undefined) throw new NessieBadRequest('Mandatory reference type missing');
  const source = parseReferenceInput(await readBody(c));
  const hash = await resolveTarget(deps, source);
  const created = await deps.store.createReference(name, type, hash);
  return respond(c, { reference: referenceJson(created) });
}

/** `name@hash` of a reference to change; the hash is the compare-and-swap expectation. */
async function expectedHead(deps: NessieDeps, refText: string, typeParam: string | undefined) {
  const parsed = parseRefPath(refText, deps.defaultBranch);
  if (parsed.name === undefined) throw new NessieBadRequest('Assignment target must be a branch or a tag.');
  if (parsed.hash === undefined) {
    throw new NessieBadRequest(
      parsed.relative.length > 0 ? 'Expected hash must contain a starting commit ID.' : 'Expected hash must be provided.',
    );
  }
  const type = parseRefType(typeParam);
  const resolved = await resolveRef(deps.store, parsed);
  if (type !== undefined && resolved.type !== type) {
    throw new NessieBadRequest(`Expected reference type ${type} does not match existing reference ${resolved.type} ${parsed.name}`);
  }
  return { name: parsed.name, type: resolved.type ?? type, expected: resolved.hash };
}

export async function assignReference(deps: NessieDeps, c: Context, refText: string): Promise<Response> {
  const { name, type, expected } = await expectedHead(deps, refText, c.req.query('type'));
  const target = await resolveTarget(deps, parseReferenceInput(await readBody(c)) ?? requiredBody());
  const updated = await deps.store.assignReference(name, type, expected, target);
  return respond(c, { reference: referenceJson(updated) });
}

function requiredBody(): never {
  throw new NessieBadRequest('The reference to assign to must be given in the request body');
}

export async function deleteReference(deps: NessieDeps, c: Context, refText: string): Promise<Response> {
  const { name, type, expected } = await expectedHead(deps, refText, c.req.query('type'));
  if (name === deps.defaultBranch && type === 'BRANCH') {
    throw new NessieBadRequest(`Default branch '${name}' cannot be deleted.`);
  }
  await deps.store.deleteReference(name, type, expected);
  return respond(c, { reference: referenceJson({ name, type: type ?? 'BRANCH', hash: expected }) });
}
