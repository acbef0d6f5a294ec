/**
 * HTTP client of a running lakecat server: the Nessie API v2 endpoints at `/api/v2` for branches,
 * tags, history, diff and merge, and the Iceberg REST API at `/v1/{ref}` for namespaces and
 * tables. Bodies are parsed and printed with the lossless codec: snapshot ids are 63-bit.
 */
import { parseJson, stringifyJson, type JsonObject, type JsonValue } from '../iceberg/json.js';
import { ApiError, ServerUnreachableError, UsageError, type KeyConflict } from './errors.js';
import {
  asArray,
  asObject,
  decodeCommitMeta,
  decodeConflict,
  decodeDiffEntry,
  decodeIdentifier,
  decodeMergeResponse,
  decodeReference,
  type CommitMeta,
  type DiffEntry,
  type MergeResult,
  type RefType,
  type Reference,
  type TableIdentifier,
} from './wire.js';

export const DEFAULT_SERVER_URL = 'http://localhost:8181';

type Query = Record<string, string | undefined>;

export interface LogEntry {
  commitMeta: CommitMeta;
  parentCommitHash?: string;
  raw: JsonObject;
}

/** What a merge or transplant request asks for, besides the source. */
export interface MergeOptions {
  dryRun: boolean;
  /** Per-key modes; NORMAL only with `isolation` (lakecat's extension: SNAPSHOT for that table's Iceberg-level merge). */
  keyMergeModes: { key: string[]; mergeBehavior: 'NORMAL' | 'FORCE' | 'DROP'; isolation?: 'SNAPSHOT' }[];
  message?: string;
}

/** The commit a new or moved reference should point at, as Nessie's `Reference` body. */
export type RefTarget = { type: RefType; name: string; hash: string } | { type: 'DETACHED'; hash: string };

/**
 * How the CLI authenticates: a bearer token as is, or service-client credentials exchanged for
 * one at the token endpoint (lakecat's own `/v1/oauth/tokens` by default, or an IdP's).
 */
export interface ClientAuth {
  token?: string;
  clientId?: string;
  clientSecret?: string;
  /** Token endpoint for the client-credentials grant (default `<server>/v1/oauth/tokens`). */
  tokenUrl?: string;
  scope?: string;
}

export class LakecatClient {
  readonly baseUrl: string;
  private bearer: { token: string; until: number } | undefined;

  constructor(
    serverUrl: string,
    private readonly auth: ClientAuth = {},
  ) {
    let url: URL;
    try {
      url = new URL(serverUrl);
    } catch {
      throw new UsageError(`invalid server URL '${serverUrl}' (expected e.g. ${DEFAULT_SERVER_URL})`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new UsageError(`invalid server URL '${serverUrl}': only http:// and https:// are supported`);
    }
    this.baseUrl = url.href.replace(/\/+$/, '');
  }

  async request(method: string, path: string, query: Query = {}, body?: JsonValue, extraHeaders: Record<string, string> = {}): Promise<JsonValue> {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, v);
    const qs = params.toString();
    const url = `${this.baseUrl}${path}${qs ? `?${qs}` : ''}`;
    let res: Response;
    const headers: Record<string, string> = body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' };
    Object.assign(headers, extraHeaders);
    const token = await this.token();
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    try {
      res = await fetch(url, { method, headers, body: body === undefined ? undefined : stringifyJson(body) });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? (err as Error).message;
      throw new ServerUnreachableError(
        `cannot reach the lakecat server at ${this.baseUrl} (${why}). Start one with 'lakecat serve', or point the CLI at yours with --server URL or LAKECAT_URL.`,
        this.baseUrl,
      );
    }
    const text = await res.text();
    if (!res.ok) throw errorFromResponse(res.status, text, `${method} ${path}`);
    if (text.trim() === '') return null;
    try {
      return parseJson(text);
    } catch {
      throw new ApiError(res.status, 'BAD_RESPONSE', `the server at ${this.baseUrl} answered ${method} ${path} with something that is not JSON`);
    }
  }

  /** fetch() with this client's bearer token, for clients of other APIs (the data clients' Iceberg REST calls). */
  async fetchAuthorized(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    const token = await this.token();
    if (token !== undefined) headers.set('authorization', `Bearer ${token}`);
    try {
      return await fetch(url, { ...init, headers });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new ServerUnreachableError(`cannot reach the lakecat server at ${this.baseUrl} (${cause?.code ?? cause?.message ?? (err as Error).message})`, this.baseUrl);
    }
  }

  /** The bearer token to send, if any; a client-credentials token is fetched once and renewed shortly before it expires. */
  private async token(): Promise<string | undefined> {
    if (this.auth.token) return this.auth.token;
    if (!this.auth.clientId) return undefined;
    if (this.bearer && this.bearer.until > Date.now()) return this.bearer.token;
    const tokenUrl = this.auth.tokenUrl ?? `${this.baseUrl}/v1/oauth/tokens`;
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: this.auth.clientId, client_secret: this.auth.clientSecret ?? '' });
    if (this.auth.scope) form.set('scope', this.auth.scope);
    let res: Response;
    try {
      res = await fetch(tokenUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body: form });
    } catch (err) {
      throw new ServerUnreachableError(`cannot reach the token endpoint ${tokenUrl} (${(err as Error).message})`, tokenUrl);
    }
    const text = await res.text();
    let o: Record<string, unknown> = {};
    try {
      o = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // reported below
    }
    if (!res.ok || typeof o.access_token !== 'string') {
      const why = typeof o.error === 'string' ? `${o.error}${typeof o.error_description === 'string' ? `: ${o.error_description}` : ''}` : `HTTP ${res.status}`;
      throw new ApiError(res.status === 200 ? 502 : res.status, 'TOKEN_REQUEST_FAILED', `the token endpoint ${tokenUrl} refused the client credentials (${why})`);
    }
    const lifetime = typeof o.expires_in === 'number' ? o.expires_in : 300;
    this.bearer = { token: o.access_token, until: Date.now() + Math.max(0, lifetime - 30) * 1000 };
    return this.bearer.token;
  }

  /** Who the server takes the caller for (`GET /api/lakecat/v1/whoami`). */
  async whoami(): Promise<JsonObject> {
    return asObject(await this.request('GET', '/api/lakecat/v1/whoami'), 'whoami');
  }

  // ---- lakecat API: access and checks ----------------------------------------------------------

  async grants(): Promise<JsonObject[]> {
    return asArray(asObject(await this.request('GET', '/api/lakecat/v1/grants'), 'grants').grants, 'grants').map((g) => asObject(g, 'grant'));
  }

  /** True when added, false when it existed. */
  async grant(g: { subject: string; privilege: string; on: string; namespace: string }): Promise<boolean> {
    return asObject(await this.request('POST', '/api/lakecat/v1/grants', {}, g), 'grant').added === true;
  }

  async revoke(g: { subject: string; privilege: string; on: string; namespace: string }): Promise<void> {
    await this.request('DELETE', '/api/lakecat/v1/grants', {}, g);
  }

  async protections(): Promise<JsonObject[]> {
    return asArray(asObject(await this.request('GET', '/api/lakecat/v1/protections'), 'protections').protections, 'protections').map((p) => asObject(p, 'protection'));
  }

  async protect(pattern: string, rule: JsonObject): Promise<JsonObject> {
    return asObject(await this.request('PUT', `/api/lakecat/v1/protections/${encodeURIComponent(pattern)}`, {}, rule), 'protection');
  }

  async unprotect(pattern: string): Promise<void> {
    await this.request('DELETE', `/api/lakecat/v1/protections/${encodeURIComponent(pattern)}`);
  }

  async reportCheck(ref: string, check: { name: string; state: string; description?: string; detailsUrl?: string }): Promise<JsonObject> {
    return asObject(await this.request('POST', `/api/lakecat/v1/commits/${encodeURIComponent(ref)}/checks`, {}, check as JsonObject), 'check');
  }

  async checks(ref: string): Promise<JsonObject> {
    return asObject(await this.request('GET', `/api/lakecat/v1/commits/${encodeURIComponent(ref)}/checks`), 'checks');
  }

  async audit(limit: number): Promise<JsonObject[]> {
    return asArray(asObject(await this.request('GET', '/api/lakecat/v1/audit', { limit: String(limit) }), 'audit').records, 'records').map((r) => asObject(r, 'record'));
  }

  // ---- Nessie API v2 -------------------------------------------------------------------------

  async config(): Promise<{ defaultBranch: string; raw: JsonObject }> {
    const o = asObject(await this.request('GET', '/api/v2/config'), 'config');
    return { defaultBranch: typeof o.defaultBranch === 'string' ? o.defaultBranch : 'main', raw: o };
  }

  /** All branches and tags, following pages. `withMetadata` asks for HEAD commit and ahead/behind counts. */
  async listReferences(withMetadata = false): Promise<Reference[]> {
    const refs: Reference[] = [];
    let token: string | undefined;
    do {
      const page = asObject(
        await this.request('GET', '/api/v2/trees', { fetch: withMetadata ? 'ALL' : undefined, 'page-token': token }),
        'references response',
      );
      for (const r of asArray(page.references, 'references')) refs.push(decodeReference(r));
      token = page.hasMore === true && typeof page.token === 'string' ? page.token : undefined;
    } while (token !== undefined);
    return refs;
  }

  async getReference(name: string, withMetadata = false): Promise<Reference> {
    const o = asObject(await this.request('GET', `/api/v2/trees/${refPath(name)}`, { fetch: withMetadata ? 'ALL' : undefined }), 'reference response');
    return decodeReference(o.reference);
  }

  async createReference(name: string, type: RefType, target: RefTarget): Promise<Reference> {
    const o = asObject(await this.request('POST', '/api/v2/trees', { name, type }, { ...target }), 'reference response');
    return decodeReference(o.reference);
  }

  /** Moves `name` from `expectedHash` to `target`; the server refuses if the head moved (CAS). */
  async assignReference(name: string, type: RefType, expectedHash: string, target: RefTarget): Promise<Reference> {
    const o = asObject(
      await this.request('PUT', `/api/v2/trees/${refPath(name, expectedHash)}`, { type }, { ...target }),
      'reference response',
    );
    return decodeReference(o.reference);
  }

  async deleteReference(name: string, type: RefType, expectedHash: string): Promise<Reference> {
    const o = asObject(await this.request('DELETE', `/api/v2/trees/${refPath(name, expectedHash)}`, { type }), 'reference response');
    return decodeReference(o.reference);
  }

  /** Commit log of `ref`, newest first, at most `limit` entries. */
  async history(ref: string, limit: number): Promise<LogEntry[]> {
    const entries: LogEntry[] = [];
    let token: string | undefined;
    do {
      const page = asObject(
        await this.request('GET', `/api/v2/trees/${refPath(ref)}/history`, {
          'max-records': String(Math.min(limit - entries.length, 250)),
          'page-token': token,
        }),
        'log response',
      );
      for (const e of asArray(page.logEntries, 'logEntries')) {
        if (entries.length === limit) break;
        const o = asObject(e, 'log entry');
        entries.push({
          commitMeta: decodeCommitMeta(o.commitMeta),
          parentCommitHash: typeof o.parentCommitHash === 'string' ? o.parentCommitHash : undefined,
          raw: o,
        });
      }
      token = page.hasMore === true && typeof page.token === 'string' ? page.token : undefined;
    } while (token !== undefined && entries.length < limit);
    return entries;
  }

  async diff(from: string, to: string): Promise<{ entries: DiffEntry[]; raw: JsonValue[] }> {
    const raw: JsonValue[] = [];
    let token: string | undefined;
    do {
      const page = asObject(
        await this.request('GET', `/api/v2/trees/${refPath(from)}/diff/${refPath(to)}`, { 'page-token': token }),
        'diff response',
      );
      raw.push(...asArray(page.diffs, 'diffs'));
      token = page.hasMore === true && typeof page.token === 'string' ? page.token : undefined;
    } while (token !== undefined);
    return { entries: raw.map(decodeDiffEntry), raw };
  }

  /**
   * Merges `fromHash` (on `fromRefName`) into `branch` at `expectedHash`. Conflicts come back as
   * a result (`isReturnConflictAsResult`) so the CLI can list them per table.
   */
  async merge(branch: string, expectedHash: string, fromRefName: string, fromHash: string, opts: MergeOptions): Promise<MergeResult> {
    const body: JsonObject = { fromRefName, fromHash, ...mergeFlags(opts) };
    // Asks for lakecat's per-table account of the Iceberg-level merge (see MERGE_DETAILS_HEADER).
    return decodeMergeResponse(await this.request('POST', `/api/v2/trees/${refPath(branch, expectedHash)}/history/merge`, {}, body, { 'lakecat-merge-details': 'true' }));
  }

  async transplant(branch: string, expectedHash: string, fromRefName: string, hashes: string[], opts: MergeOptions): Promise<MergeResult> {
    const body: JsonObject = { fromRefName, hashesToTransplant: hashes, ...mergeFlags(opts) };
    return decodeMergeResponse(await this.request('POST', `/api/v2/trees/${refPath(branch, expectedHash)}/history/transplant`, {}, body));
  }

  // ---- Iceberg REST ---------------------------------------------------------------------------

  async listNamespaces(ref: string, parent?: string[]): Promise<string[][]> {
    const out: string[][] = [];
    let token: string | undefined;
    do {
      const page = asObject(
        await this.request('GET', `/v1/${encodeURIComponent(ref)}/namespaces`, {
          parent: parent && parent.length > 0 ? parent.join('\u001f') : undefined,
          pageToken: token,
        }),
        'namespaces response',
      );
      for (const ns of asArray(page.namespaces, 'namespaces')) {
        out.push(asArray(ns, 'namespace').map((e) => String(e)));
      }
      token = typeof page['next-page-token'] === 'string' ? page['next-page-token'] : undefined;
    } while (token !== undefined);
    return out;
  }

  async listTables(ref: string, namespace: string[]): Promise<TableIdentifier[]> {
    return this.listIdentifiers(ref, namespace, 'tables');
  }

  async listViews(ref: string, namespace: string[]): Promise<TableIdentifier[]> {
    return this.listIdentifiers(ref, namespace, 'views');
  }

  private async listIdentifiers(ref: string, namespace: string[], kind: 'tables' | 'views'): Promise<TableIdentifier[]> {
    const out: TableIdentifier[] = [];
    let token: string | undefined;
    do {
      const page = asObject(
        await this.request('GET', `/v1/${encodeURIComponent(ref)}/namespaces/${namespacePath(namespace)}/${kind}`, { pageToken: token }),
        `${kind} response`,
      );
      for (const id of asArray(page.identifiers, 'identifiers')) out.push(decodeIdentifier(id, 'identifier'));
      token = typeof page['next-page-token'] === 'string' ? page['next-page-token'] : undefined;
    } while (token !== undefined);
    return out;
  }

  /** Iceberg's LoadViewResult: `metadata-location`, `metadata`, `config`. */
  async loadView(ref: string, namespace: string[], name: string): Promise<JsonObject> {
    return asObject(
      await this.request('GET', `/v1/${encodeURIComponent(ref)}/namespaces/${namespacePath(namespace)}/views/${encodeURIComponent(name)}`),
      'load view response',
    );
  }

  /** Iceberg's LoadTableResult: `metadata-location`, `metadata`, `config`. */
  async loadTable(ref: string, namespace: string[], name: string): Promise<JsonObject> {
    return asObject(
      await this.request('GET', `/v1/${encodeURIComponent(ref)}/namespaces/${namespacePath(namespace)}/tables/${encodeURIComponent(name)}`),
      'load table response',
    );
  }
}

function mergeFlags(opts: MergeOptions): JsonObject {
  const flags: JsonObject = { isDryRun: opts.dryRun, isFetchAdditionalInfo: true, isReturnConflictAsResult: true };
  if (opts.keyMergeModes.length > 0) {
    flags.keyMergeModes = opts.keyMergeModes.map((m) => ({ key: { elements: m.key }, mergeBehavior: m.mergeBehavior, ...(m.isolation ? { isolation: m.isolation } : {}) }));
  }
  if (opts.message !== undefined) flags.message = opts.message;
  return flags;
}

/**
 * A reference in a Nessie URL path: `name`, or `name@hash` to state the expected head. A name
 * containing '/' is ended with '@', the way Nessie's clients write it, so the server can tell
 * where the reference ends.
 */
export function refPath(ref: string, expectedHash?: string): string {
  let text = ref;
  if (expectedHash !== undefined) text = `${ref}@${expectedHash}`;
  else if (ref.includes('/') && !ref.includes('@')) text = `${ref}@`;
  return encodeURIComponent(text).replace(/%2F/gi, '/').replace(/%40/gi, '@');
}

/** A namespace in an Iceberg REST path: levels joined by the unit separator (U+001F). */
export function namespacePath(namespace: string[]): string {
  return encodeURIComponent(namespace.join('\u001f'));
}

function errorFromResponse(status: number, text: string, what: string): ApiError {
  let body: JsonValue | undefined;
  try {
    body = parseJson(text);
  } catch {
    body = undefined;
  }
  if (body !== null && typeof body === 'object' && !Array.isArray(body)) {
    if (typeof body.errorCode === 'string') {
      const details = body.errorDetails;
      let conflicts: KeyConflict[] = [];
      if (details && typeof details === 'object' && !Array.isArray(details) && Array.isArray(details.conflicts)) {
        conflicts = details.conflicts.map(decodeConflict);
      }
      return new ApiError(status, body.errorCode, typeof body.message === 'string' ? body.message : text, conflicts);
    }
    const err = body.error;
    if (err && typeof err === 'object' && !Array.isArray(err)) {
      return new ApiError(status, typeof err.type === 'string' ? err.type : 'UNKNOWN', typeof err.message === 'string' ? err.message : text);
    }
  }
  return new ApiError(status, 'UNKNOWN', `${what} failed with HTTP ${status}${text ? `: ${text.slice(0, 500)}` : ''}`);
}
