/**
 * `POST /trees/{branch@hash}/history/commit`: Put/Delete operations as one commit. The hash in
 * the path is the commit the client read its state at. The rules (content ids, namespaces,
 * reading pointed-to metadata files) are the catalog's `contents.commit` verb; this file
 * translates the wire format.
 */
import type { Context } from 'hono';
import type { OperationInput } from '../../catalog/index.js';
import { readObject, respond } from './body.js';
import { nessieActor, type NessieDeps } from './context.js';
import { NessieBadRequest } from './errors.js';
import { keyJson, parseCommitMeta, parseContent, parseKey } from './wire.js';

function parseOperations(v: unknown): OperationInput[] {
  if (!Array.isArray(v)) throw new NessieBadRequest("Field 'operations' must be a list");
  return v.map((raw): OperationInput => {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new NessieBadRequest('Each operation must be a JSON object');
    const o = raw as Record<string, never>;
    const key = parseKey(o.key);
    const type = typeof o.type === 'string' ? (o.type as string).toUpperCase() : undefined;
    switch (type) {
      case 'PUT':
        return { kind: 'put', key, content: parseContent(o.content, key) };
      case 'DELETE':
        return { kind: 'delete', key };
      case 'UNCHANGED':
        return { kind: 'unchanged', key };
      default:
        throw new NessieBadRequest(`Unknown operation type '${String(o.type)}': use PUT, DELETE or UNCHANGED`);
    }
  });
}

export async function commitOperations(deps: NessieDeps, c: Context, refText: string): Promise<Response> {
  const body = await readObject(c, 'Operations');
  const meta = parseCommitMeta(body.commitMeta);
  const operations = parseOperations(body.operations);
  const result = await deps.catalog.contents.commit(nessieActor(c), refText, meta, operations);
  return respond(c, {
    targetBranch: { type: 'BRANCH', name: result.target.name, hash: result.target.hash },
    addedContents: result.addedContents.map((a) => ({ key: keyJson(a.key), contentId: a.contentId })),
  });
}
