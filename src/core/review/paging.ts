/** What a long list of cases is cut to: a text to look for, then a page. */
export interface PageQuery {
  /** Keeps the items one of whose texts contains this, ignoring case. */
  text?: string;
  /** The first item to give, from 0, after filtering. */
  offset?: number;
  /** How many to give at most; all when absent. */
  limit?: number;
}

/**
 * `all` filtered by the query's text (looked for in each item's `texts`) and cut to
 * its page; `total` counts every item that matched. A page past the end is empty.
 */
export function pageOf<T>(all: T[], query: PageQuery, texts: (item: T) => Array<string | undefined>): { items: T[]; offset: number; total: number } {
  const text = query.text?.trim().toLowerCase();
  const matching = text ? all.filter((item) => texts(item).some((t) => t !== undefined && t.toLowerCase().includes(text))) : all;
  const offset = Math.max(0, Math.floor(query.offset ?? 0));
  const end = query.limit === undefined ? undefined : offset + Math.max(0, Math.floor(query.limit));
  return { items: matching.slice(offset, end), offset, total: matching.length };
}
