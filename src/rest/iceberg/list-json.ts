/**
 * Response bodies of the list endpoints (ListTablesResponse, ListNamespacesResponse), written
 * as text directly: a namespace of 10,000 tables would otherwise build 10,000 small objects and
 * walk them again through the lossless JSON writer. Names are plain strings, so JSON.stringify
 * of each string is exact.
 */
import type { Namespace, TableIdentifier } from '../../catalog/index.js';

/** Printable ASCII without `"` and `\\`: such a string is its own JSON body. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

function stringJson(s: string): string {
  return PLAIN.test(s) ? `"${s}"` : JSON.stringify(s);
}

function tokenJson(nextPageToken: string | undefined): string {
  return nextPageToken === undefined ? 'null' : JSON.stringify(nextPageToken);
}

function sameNamespace(a: Namespace, b: Namespace): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** `{"identifiers":[{"namespace":[...],"name":"..."}...],"next-page-token":...}` */
export function identifiersJson(items: TableIdentifier[], nextPageToken: string | undefined): string {
  const parts: string[] = [];
  let lastNs: Namespace | undefined;
  let nsPrefix = '';
  for (const id of items) {
    // Every item of a listing has the same namespace: encode it once.
    if (lastNs === undefined || !sameNamespace(id.namespace, lastNs)) {
      lastNs = id.namespace;
      nsPrefix = `{"namespace":${JSON.stringify(id.namespace)},"name":`;
    }
    parts.push(`${nsPrefix}${stringJson(id.name)}}`);
  }
  return `{"identifiers":[${parts.join(',')}],"next-page-token":${tokenJson(nextPageToken)}}`;
}

/** `{"namespaces":[[...],...],"next-page-token":...}` */
export function namespacesJson(items: Namespace[], nextPageToken: string | undefined): string {
  return `{"namespaces":${JSON.stringify(items)},"next-page-token":${tokenJson(nextPageToken)}}`;
}
