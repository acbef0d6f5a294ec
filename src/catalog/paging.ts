/** Paging helpers shared by the listing verbs. */
import type { Page } from './model.js';

/**
 * Fills one page from store pages while a filter drops items. Each store page asks for no more
 * than the items still missing, so a page never overshoots and the store's own token is always
 * the right place to continue from. `accept` answers 'stop' to end the listing early.
 */
export async function collectFiltered<T>(
  fetchPage: (pageToken: string | undefined, pageSize: number | undefined) => Promise<Page<T>>,
  accept: (item: T) => boolean | 'stop',
  /** undefined: no limit. */
  limit: number | undefined,
  startToken: string | undefined,
): Promise<Page<T>> {
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
    if (limit !== undefined && items.length >= limit) return { items, nextPageToken: token };
  }
}
