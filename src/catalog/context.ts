/**
 * Who is acting, and the one hook where access control plugs in. Every catalog verb takes an
 * Actor first; reads are checked where a reference is resolved (refs/resolve.ts), every change
 * of a reference where it passes the write gate (branch-write.ts).
 */
import type { ContentKey, ContentType, ReferenceType } from './model.js';

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
 * reading, `read-content` before anything in a namespace is read; the others before a
 * reference head moves (writes are decided before anything is written).
 */
export type Action =
  | { kind: 'read'; ref: string | undefined; hash: string }
  /**
   * Reading in a namespace: `objects` its tables and views (content.read on it), `namespace` the
   * namespace itself (anything readable at or below it), `key` a key of unknown kind (either).
   */
  | { kind: 'read-content'; ref: string | undefined; namespace: string[]; scope: 'objects' | 'namespace' | 'key' }
  | { kind: 'commit'; branch: string; namespaces: string[][]; via: 'catalog' | 'nessie' }
  | { kind: 'merge'; branch: string; source: string | undefined; fromHash: string; targetHead: string }
  | { kind: 'transplant'; branch: string; source: string | undefined; hashes: string[] }
  | { kind: 'create-reference'; name: string; type: ReferenceType }
  | { kind: 'assign-reference'; name: string; type: ReferenceType }
  | { kind: 'delete-reference'; name: string; type: ReferenceType }
  | { kind: 'admin'; operation: string }
  | { kind: 'report-check'; name: string; hash: string };

/** What an allowed action adds to the commit it makes (e.g. the checks a merge was allowed on). */
export interface Decision {
  properties?: Record<string, string>;
}

/**
 * Decides whether an actor may do an action: returns (optionally with a Decision) to allow,
 * throws a catalog error (ForbiddenError) to refuse. The filters serve listings and merges,
 * which learn what they touch as they go: prepared once (async), then asked per item (sync).
 */
export interface Authorizer {
  authorize(actor: Actor, action: Action): void | Decision | Promise<void | Decision>;
  /** Which namespaces a listing at `ref` may show: `visible(ns)` for namespaces, `readable(ns)` for objects in it. */
  contentFilter?(actor: Actor, ref: string | undefined): Promise<{ visible(ns: string[]): boolean; readable(ns: string[]): boolean }>;
  /** Which references a listing may show. */
  refFilter?(actor: Actor): Promise<(name: string) => boolean>;
  /** Forgets cached rules after they changed through this process. */
  invalidate?(): void;
  /** Refuses (throws) if a change of any of these keys on `branch` is not allowed; asked by merges and transplants before they write. */
  writeFilter?(actor: Actor, branch: string): Promise<(changes: { key: ContentKey; type: ContentType }[]) => void>;
}

/** The namespace a key's access is decided in: a namespace itself, or the one holding a table or view. */
export function namespaceOf(key: ContentKey, type: ContentType | undefined): string[] {
  return type === 'NAMESPACE' ? key : key.slice(0, -1);
}
