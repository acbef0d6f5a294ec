/**
 * Branches and tags: list, get, create, assign (move by compare-and-swap), delete.
 * Assign and delete take the expected head as `name@hash` in the path, like Nessie.
 */
import type { Context } from 'hono';
import type { Reference } from '../../catalog/index.js';
import type { JsonObject } from '../../iceberg/json.js';
import { fetchOption, pageSize, readBody, respond } from './body.js';
import { compileFilter, type CelValue } from './cel.js';
import { nessieActor, type NessieDeps } from './context.js';
import { decodeToken, encodeToken } from './paging.js';
import { parseRefType, parseReferenceInput, referenceJson, referenceMetadataJson } from './wire.js';

export async function listReferences(deps: NessieDeps, c: Context): Promise<Response> {
  const { catalog } = deps;
  const actor = nessieActor(c);
  const fetchAll = fetchOption(c) === 'ALL';
  const filterText = c.req.query('filter');
  const filter = filterText ? compileFilter(filterText, ['ref', 'refType', 'commit', 'refMeta']) : undefined;
  const limit = pageSize(c);
  const token = c.req.query('page-token');
  const after = token ? decodeToken(token) : undefined;

  const refs = await catalog.refs.list(actor);
  const base = fetchAll ? refs.find((r) => r.name === deps.defaultBranch && r.type === 'BRANCH') : undefined;
  const out: JsonObject[] = [];
  let lastName: string | undefined;
  let hasMore = false;
  for (const ref of refs) {
    if (after !== undefined && ref.name <= after) continue;
    const metadata = fetchAll ? referenceMetadataJson(await catalog.refs.describe(actor, ref, base)) : undefined;
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

export async function getReference(deps: NessieDeps, c: Context, refText: string): Promise<Response> {
  const { catalog } = deps;
  const actor = nessieActor(c);
  const ref = await catalog.refs.get(actor, refText);
  if (fetchOption(c) !== 'ALL') return respond(c, { reference: referenceJson(ref) });
  const base = await catalog.refs.get(actor, deps.defaultBranch);
  return respond(c, { reference: referenceJson(ref, referenceMetadataJson(await catalog.refs.describe(actor, ref, base))) });
}

export async function createReference(deps: NessieDeps, c: Context): Promise<Response> {
  const type = parseRefType(c.req.query('type'));
  const source = parseReferenceInput(await readBody(c));
  const created = await deps.catalog.refs.create(nessieActor(c), c.req.query('name'), type, source);
  return respond(c, { reference: referenceJson(created) });
}

export async function assignReference(deps: NessieDeps, c: Context, refText: string): Promise<Response> {
  const type = parseRefType(c.req.query('type'));
  const target = parseReferenceInput(await readBody(c));
  const updated = await deps.catalog.refs.assign(nessieActor(c), refText, type, target);
  return respond(c, { reference: referenceJson(updated) });
}

export async function deleteReference(deps: NessieDeps, c: Context, refText: string): Promise<Response> {
  const deleted = await deps.catalog.refs.delete(nessieActor(c), refText, parseRefType(c.req.query('type')));
  return respond(c, { reference: referenceJson(deleted) });
}
