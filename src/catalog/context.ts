/**
 * Who is acting, and the one hook where access control plugs in. Every catalog verb takes an
 * Actor first; reads are checked where a reference is resolved (refs/resolve.ts), every change
 * of a reference where it passes the write gate (branch-write.ts).
 */
import type { ContentKey, ReferenceType } from './model.js';

/** The authenticated party behind a request. Without authentication every request is anonymous (and may do everything). */
export type Principal =
  | { kind: 'anonymous' }
  /** Authenticated by a token: a person or a service client (`clientId`). */
  | { kind: 'user'; name: string; roles: string[]; issuer: string; subject: string; clientId?: string }
  | { kind: 'system'; name: string };

export const ANONYMOUS: Principal = { kind: 'anonymous' };

/** The acting principal, and what to record on the commits it makes. */
export interface Actor {
  principal: Principal;
  /** Commit author; when absent, the principal's name (or empty for an anonymous one). */
  author?: string;
  /** Free-form commit message; a default describing the operation is used when absent. */
  message?: string;
}

export function anonymousActor(author?: string, message?: string): Actor {
  return { principal: ANONYMOUS, ...(author !== undefined ? { author } : {}), ...(message !== undefined ? { message } : {}) };
}

/** The author recorded on a commit made by `actor`. */
export function commitAuthor(actor: Actor): string {
  if (actor.author !== undefined) return actor.author;
  return actor.principal.kind === 'anonymous' ? '' : actor.principal.name;
}

/**
 * What an actor is about to do. `read` is checked when a reference or commit is resolved for
 * reading; the others when a reference head is about to move (one check per attempt of a write).
 */
export type Action =
  | { kind: 'read'; ref: string | undefined; hash: string }
  | { kind: 'commit'; branch: string; keys: ContentKey[] }
  | { kind: 'merge'; branch: string; source: string }
  | { kind: 'transplant'; branch: string; source: string }
  | { kind: 'create-reference'; name: string; type: ReferenceType }
  | { kind: 'assign-reference'; name: string; type: ReferenceType }
  | { kind: 'delete-reference'; name: string; type: ReferenceType };

/** Decides whether an actor may do an action: returns to allow, throws a catalog error to refuse. */
export interface Authorizer {
  authorize(actor: Actor, action: Action): void | Promise<void>;
}

/** No access control: what a catalog without authentication does. */
export const ALLOW_ALL: Authorizer = { authorize: () => undefined };
