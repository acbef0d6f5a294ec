/**
 * The Iceberg REST calls of the workload, written once and pointed at each server. Snapshots
 * are metadata-only (a manifest-list path that is never read), which every catalog accepts:
 * the catalog under test stores and serves metadata, it does not scan data.
 */
import { HttpClient } from './http.js';

export interface TableState {
  /** The current snapshot of `main`, or null for a table without snapshots. */
  snapshotId: number | null;
  lastSequenceNumber: number;
}

/** Snapshot ids stay below 2^53 so that JSON numbers round-trip through JavaScript exactly. */
export function newSnapshotId(): number {
  return 1 + Math.floor(Math.random() * (2 ** 52 - 2));
}

const SCHEMA = {
  type: 'struct',
  'schema-id': 0,
  fields: [
    { id: 1, name: 'id', required: true, type: 'long' },
    { id: 2, name: 'payload', required: false, type: 'string' },
  ],
};

export function createTableBody(name: string) {
  // Nessie 0.99 rejects a request without stage-create, although the spec makes it optional.
  return { name, schema: SCHEMA, 'stage-create': false, properties: { 'format-version': '2' } };
}

/** add-snapshot + set-snapshot-ref on `main`, guarded by assert-ref-snapshot-id. */
export function appendSnapshotChange(state: TableState, location: string) {
  const snapshotId = newSnapshotId();
  const sequenceNumber = state.lastSequenceNumber + 1;
  const snapshot: Record<string, unknown> = {
    'snapshot-id': snapshotId,
    'sequence-number': sequenceNumber,
    'timestamp-ms': Date.now(),
    'manifest-list': `${location}/metadata/snap-${snapshotId}-1-bench.avro`,
    summary: { operation: 'append', 'added-records': '1' },
    'schema-id': 0,
  };
  if (state.snapshotId !== null) snapshot['parent-snapshot-id'] = state.snapshotId;
  return {
    next: { snapshotId, lastSequenceNumber: sequenceNumber } satisfies TableState,
    requirements: [{ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': state.snapshotId }],
    updates: [
      { action: 'add-snapshot', snapshot },
      { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': snapshotId },
    ],
  };
}

/** The state a commit must start from, read from a loadTable/commit response's metadata. */
export function stateOf(metadata: any): TableState {
  const current = metadata['current-snapshot-id'];
  return {
    snapshotId: current === null || current === undefined || current === -1 ? null : Number(current),
    lastSequenceNumber: Number(metadata['last-sequence-number'] ?? 0),
  };
}

/** One catalog's Iceberg REST API, addressed through the prefix its /v1/config hands out. */
export class IcebergCatalog {
  private constructor(
    readonly http: HttpClient,
    /** `http://host:port/v1/<prefix>/` or `http://host:port/v1/`. */
    readonly base: string,
  ) {}

  /** `root` is the URL that `/v1/config` hangs off, e.g. `http://127.0.0.1:8181` or `.../iceberg`. */
  static async connect(http: HttpClient, root: string): Promise<IcebergCatalog> {
    const config = await http.json('GET', `${root}/v1/config`);
    const prefix: string | undefined = config?.overrides?.prefix ?? config?.defaults?.prefix;
    const segment = prefix ? `${prefix.includes('%') ? prefix : encodeURIComponent(prefix)}/` : '';
    return new IcebergCatalog(http, `${root}/v1/${segment}`);
  }

  tableUrl(ns: string, table: string): string {
    return `${this.base}namespaces/${encodeURIComponent(ns)}/tables/${encodeURIComponent(table)}`;
  }

  createNamespace(ns: string): Promise<unknown> {
    return this.http.json('POST', `${this.base}namespaces`, { namespace: [ns], properties: {} });
  }

  async createTable(ns: string, table: string): Promise<{ location: string; metadataLocation: string; state: TableState }> {
    const r = await this.http.json('POST', `${this.base}namespaces/${encodeURIComponent(ns)}/tables`, createTableBody(table));
    return { location: r.metadata.location, metadataLocation: r['metadata-location'], state: stateOf(r.metadata) };
  }

  async loadTable(ns: string, table: string): Promise<any> {
    return this.http.json('GET', this.tableUrl(ns, table));
  }

  /** Commits one appended snapshot; the server's 409 surfaces as an HttpError with status 409. */
  async appendSnapshot(ns: string, table: string, state: TableState, location: string): Promise<{ state: TableState; metadataLocation: string }> {
    const change = appendSnapshotChange(state, location);
    const r = await this.http.json('POST', this.tableUrl(ns, table), { requirements: change.requirements, updates: change.updates });
    return { state: stateOf(r.metadata), metadataLocation: r['metadata-location'] };
  }

  /** Appends one snapshot to each table in one multi-table transaction. */
  async commitTransaction(tables: { ns: string; name: string; state: TableState; location: string }[]): Promise<TableState[]> {
    const changes = tables.map((t) => ({ t, change: appendSnapshotChange(t.state, t.location) }));
    await this.http.json('POST', `${this.base}transactions/commit`, {
      'table-changes': changes.map(({ t, change }) => ({
        identifier: { namespace: [t.ns], name: t.name },
        requirements: change.requirements,
        updates: change.updates,
      })),
    });
    return changes.map(({ change }) => change.next);
  }

  /** Every table of a namespace, following next-page-token. */
  async listTables(ns: string, pageSize?: number): Promise<number> {
    let count = 0;
    let token: string | undefined;
    for (;;) {
      const q = new URLSearchParams();
      if (pageSize) q.set('pageSize', String(pageSize));
      if (token) q.set('pageToken', token);
      const qs = q.toString();
      const r = await this.http.json('GET', `${this.base}namespaces/${encodeURIComponent(ns)}/tables${qs ? `?${qs}` : ''}`);
      count += r.identifiers.length;
      token = r['next-page-token'] ?? undefined;
      if (!token || r.identifiers.length === 0) return count;
    }
  }
}
