/**
 * Nessie API v2 calls for the branch workloads. lakecat serves the same wire format at
 * /api/v2, so one client drives both Nessie and lakecat.
 */
import { HttpClient } from './http.js';

export interface Reference {
  name: string;
  hash: string;
}

export interface TablePut {
  ns: string;
  name: string;
  metadataLocation: string;
  /** The content id of the table when it already exists on the branch. */
  contentId?: string;
}

export class NessieApi {
  constructor(
    readonly http: HttpClient,
    /** e.g. `http://127.0.0.1:19120/api/v2` */
    readonly base: string,
  ) {}

  async ref(name: string): Promise<Reference> {
    const r = await this.http.json('GET', `${this.base}/trees/${encodeURIComponent(name)}`);
    return { name: r.reference.name, hash: r.reference.hash };
  }

  async createBranch(name: string, from: Reference): Promise<Reference> {
    const r = await this.http.json('POST', `${this.base}/trees?name=${encodeURIComponent(name)}&type=BRANCH`, {
      type: 'BRANCH',
      name: from.name,
      hash: from.hash,
    });
    return { name: r.reference.name, hash: r.reference.hash };
  }

  /** One commit of Put operations; returns the new head and the content id of each new key. */
  async commitPuts(branch: Reference, puts: TablePut[], message: string): Promise<{ head: Reference; added: Map<string, string> }> {
    const r = await this.http.json('POST', `${this.base}/trees/${encodeURIComponent(branch.name)}@${branch.hash}/history/commit`, {
      commitMeta: { message, author: 'bench' },
      operations: puts.map((p) => ({
        type: 'PUT',
        key: { elements: [p.ns, p.name] },
        content: {
          type: 'ICEBERG_TABLE',
          ...(p.contentId ? { id: p.contentId } : {}),
          metadataLocation: p.metadataLocation,
          snapshotId: -1,
          schemaId: 0,
          specId: 0,
          sortOrderId: 0,
        },
      })),
    });
    const added = new Map<string, string>();
    for (const a of r.addedContents ?? []) added.set((a.key.elements as string[]).join('.'), a.contentId);
    return { head: { name: branch.name, hash: r.targetBranch.hash }, added };
  }

  /** Content ids of the tables in one namespace (`ns.table` -> id), following the paging token. */
  async contentIds(ref: string, ns: string): Promise<Map<string, string>> {
    const ids = new Map<string, string>();
    let token: string | undefined;
    for (;;) {
      const q = new URLSearchParams({ 'max-records': '5000' });
      if (token) q.set('page-token', token);
      const r = await this.http.json('GET', `${this.base}/trees/${encodeURIComponent(ref)}/entries?${q}`);
      for (const e of r.entries) {
        const elements = e.name.elements as string[];
        if (e.type === 'ICEBERG_TABLE' && elements.length === 2 && elements[0] === ns) ids.set(elements.join('.'), e.contentId);
      }
      if (!r.hasMore || !r.token) return ids;
      token = r.token;
    }
  }

  async merge(target: Reference, from: Reference): Promise<unknown> {
    return this.http.json('POST', `${this.base}/trees/${encodeURIComponent(target.name)}@${target.hash}/history/merge`, {
      fromRefName: from.name,
      fromHash: from.hash,
      message: `merge ${from.name}`,
    });
  }
}
