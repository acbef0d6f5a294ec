/**
 * Page tokens handed to Nessie clients. Tokens are opaque to clients; these wrap either a
 * reference name (reference listing) or the store's own page token.
 */
import { NessieBadRequest } from './errors.js';

export function encodeToken(value: string): string {
  return Buffer.from(value, 'utf8').toString('base64url');
}

export function decodeToken(token: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(token)) throw new NessieBadRequest(`Invalid page token '${token}'`);
  return Buffer.from(token, 'base64url').toString('utf8');
}

export interface StorePage<T> {
  items: T[];
  nextPageToken?: string;
}

/**
 * Fills one response page from store pages while a filter drops items. Each store page asks
 * for no more than the items still missing, so a page never overshoots and the store's own
 * token is always the right place to continue from.
 */
export async function collectFiltered<T>(
  fetchPage: (pageToken: string | undefined, pageSize: number | undefined) => Promise<StorePage<T>>,
  accept: (item: T) => boolean | 'stop',
  /** undefined: no limit. */
  limit: number | undefined,
  startToken: string | undefined,
): Promise<{ items: T[]; nextToken?: string }> {
  const items: T[] = [];
  let token = startToken;
  for (;;) {
    const page = await fetchPage(token, limit === undefined ? undefined : limit - items.length);
    for (const item of page.items) {
      const verdict = accept(item);
      if (verdict === 'stop') return { items };
      if (verdict) items.push(item);
    }
    token = page.nextPageToken;
    if (token === undefined) return { items };
    if (limit !== undefined && items.length >= limit) return { items, nextToken: token };
  }
}
