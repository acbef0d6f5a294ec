/**
 * The Iceberg REST calls the data clients make, over HTTP like any engine: the catalog config
 * for a warehouse (a lakecat branch), loadTable and a table commit. 64-bit values stay exact
 * (lossless JSON), errors keep the server's status and message.
 */
import { parseJson, stringifyJson, type JsonObject, type JsonValue } from '../iceberg/json.js';
import type { Schema, TableMetadata, TableRequirement, TableUpdate } from '../iceberg/model.js';
import { schemaToJson } from '../iceberg/schema-json.js';
import { tableMetadataFromJson } from '../iceberg/table-metadata-json.js';
import { tableRequirementToJson, tableUpdateToJson } from '../iceberg/updates-json.js';

export type Fetch = (url: string, init?: RequestInit) => Promise<Response>;

export interface RestClientOptions {
  /** lakecat's base URL, e.g. http://localhost:8181 (no trailing slash). */
  url: string;
  /** The warehouse: a branch name (default `main`). */
  warehouse?: string;
  /** A bearer token. */
  token?: string;
  fetch?: Fetch;
}

export interface LoadedTable {
  metadataLocation: string;
  metadata: TableMetadata;
  /** Per-table client settings (vended storage credentials, endpoint). */
  config: Record<string, string>;
}

function configOf(body: JsonObject): Record<string, string> {
  const config: Record<string, string> = {};
  for (const [k, v] of Object.entries((body.config as JsonObject | undefined) ?? {})) if (typeof v === 'string') config[k] = v;
  return config;
}

/** A non-2xx answer, with the Iceberg error's type and message. */
export class RestError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
    this.name = 'RestError';
  }
}

export class IcebergRestClient {
  private readonly fetch: Fetch;
  private prefix: Promise<string> | undefined;

  constructor(private readonly opts: RestClientOptions) {
    this.fetch = opts.fetch ?? ((url, init) => globalThis.fetch(url, init));
  }

  async loadTable(namespace: readonly string[], name: string): Promise<LoadedTable> {
    const body = (await this.call('GET', await this.tablePath(namespace, name))) as JsonObject;
    return { metadataLocation: String(body['metadata-location']), metadata: tableMetadataFromJson(body.metadata), config: configOf(body) };
  }

  /** Commits updates to one table; a lost race is a RestError with status 409. */
  async commitTable(namespace: readonly string[], name: string, requirements: TableRequirement[], updates: TableUpdate[]): Promise<LoadedTable> {
    const body = (await this.call('POST', await this.tablePath(namespace, name), {
      requirements: requirements.map(tableRequirementToJson),
      updates: updates.map(tableUpdateToJson),
    })) as JsonObject;
    return { metadataLocation: String(body['metadata-location']), metadata: tableMetadataFromJson(body.metadata), config: {} };
  }

  /** Creates a table (the server assigns fresh field ids); a clash is a RestError with status 409. */
  async createTable(namespace: readonly string[], name: string, schema: Schema, properties: Record<string, string> = {}): Promise<LoadedTable> {
    const path = (await this.tablePath(namespace, name)).replace(/\/[^/]*$/, '');
    const body = (await this.call('POST', path, { name, schema: schemaToJson(schema), properties })) as JsonObject;
    return { metadataLocation: String(body['metadata-location']), metadata: tableMetadataFromJson(body.metadata), config: configOf(body) };
  }

  private async tablePath(namespace: readonly string[], name: string): Promise<string> {
    this.prefix ??= this.call('GET', `/v1/config?warehouse=${encodeURIComponent(this.opts.warehouse ?? 'main')}`).then((c) => {
      const overrides = ((c as JsonObject).overrides as JsonObject | undefined) ?? {};
      return typeof overrides.prefix === 'string' ? `/${encodeURIComponent(overrides.prefix)}` : '';
    });
    const ns = namespace.map(encodeURIComponent).join('%1F');
    return `/v1${await this.prefix}/namespaces/${ns}/tables/${encodeURIComponent(name)}`;
  }

  private async call(method: string, path: string, body?: JsonValue): Promise<JsonValue> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.opts.token) headers.authorization = `Bearer ${this.opts.token}`;
    const init = { method, headers, body: body === undefined ? undefined : stringifyJson(body) };
    let res: Response;
    for (let attempt = 1; ; attempt++) {
      try {
        res = await this.fetch(`${this.opts.url}${path}`, init);
        break;
      } catch (err) {
        // A kept-alive connection the server closed while this process was busy (building files
        // blocks the event loop) fails the next request on it. A read is safe to send again; a
        // commit is not, and its failure reaches the caller as an unknown outcome.
        if (method !== 'GET' || attempt >= 3) throw err;
      }
    }
    const text = await res.text();
    let parsed: JsonValue | undefined;
    try {
      parsed = text ? parseJson(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!res.ok) {
      const error = ((parsed as JsonObject | undefined)?.error as JsonObject | undefined) ?? {};
      throw new RestError(res.status, String(error.type ?? 'HTTPError'), String(error.message ?? (text.slice(0, 300) || res.statusText)));
    }
    if (parsed === undefined) throw new RestError(res.status, 'InvalidResponse', `${method} ${path} answered no JSON`);
    return parsed;
  }
}
