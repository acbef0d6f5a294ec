/**
 * Commit metadata as a client proposes it. The server owns the committer, the commit time, the
 * hash and the parents (as Nessie does): a client that sets any of them is refused.
 */
import { commitAuthor, type Actor } from '../context.js';
import { BadRequestError } from '../errors.js';
import type { CommitMeta } from '../model.js';

export interface CommitMetaInput {
  author?: string;
  message?: string;
  properties?: Record<string, string>;
  /** Server-owned fields, as the client sent them (refused when set). */
  committer?: string;
  commitTime?: string;
  hash?: string;
  parentCommitHashes?: string[];
}

/** The commit metadata to record: the client's, checked, with the default message and the actor's author as fallbacks. */
export function commitMeta(actor: Actor, input: CommitMetaInput | undefined, defaultMessage = ''): CommitMeta {
  const serverSide: [keyof CommitMetaInput, string][] = [
    ['committer', 'committer'],
    ['commitTime', 'commit time'],
    ['hash', 'commit hash'],
  ];
  for (const [field, label] of serverSide) {
    const v = input?.[field];
    if (v !== undefined && v !== '') throw new BadRequestError(`Cannot set the ${label} on the client side. It is set by the server.`);
  }
  if (input?.parentCommitHashes !== undefined && input.parentCommitHashes.length > 0) {
    throw new BadRequestError('Cannot set the parent commit hashes on the client side. It is set by the server.');
  }
  const message = input?.message;
  // An authenticated principal is the author, whatever the client claims.
  const author = actor.principal.kind === 'anonymous' ? (input?.author ?? commitAuthor(actor)) : commitAuthor(actor);
  return {
    author,
    message: message === undefined || message === '' ? defaultMessage : message,
    ...(input?.properties !== undefined ? { properties: input.properties } : {}),
  };
}
