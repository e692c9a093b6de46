/**
 * Atlassian's paging styles on the kit's one contract: Jira's enhanced search hands out a
 * `nextPageToken` (absent on the last page; there is no total), Jira's other lists are
 * `startAt`/`maxResults` with `isLast` or `total`, and Confluence (v2, and v1 search) links the
 * next page in `_links.next`, whose `cursor` parameter is all that is kept.
 */
import type { z } from 'zod';
import { answer, paging, type Answer, type ListOutput, type Paging, type Query, type UpstreamResponse } from '../../kit';

type Row = Record<string, unknown>;
const body = (res: UpstreamResponse<unknown>) => (res.data ?? {}) as Row;

/** `POST /rest/api/3/search/jql`: the paging goes in the body (`maxResults`, `nextPageToken`). */
export const searchPages = paging.cursor({
  cursorParam: 'nextPageToken',
  limitParam: 'maxResults',
  defaultLimit: 20,
  maxLimit: 100,
  rows: (d) => (d as Row).issues,
  next: (res) => body(res).nextPageToken,
});

/** A Jira list of `startAt` / `maxResults`, its rows under `key` (`values`, `comments`...). */
export function jiraPages(key: string, defaultLimit = 25, maxLimit = 100) {
  return paging.offset({
    offsetParam: 'startAt',
    limitParam: 'maxResults',
    defaultLimit,
    maxLimit,
    rows: (d) => (d as Row)[key],
    more: (d, rows, limit) => {
      const b = d as Row;
      if (typeof b.isLast === 'boolean') return !b.isLast;
      const total = paging.intOf(b.total);
      const startAt = paging.intOf(b.startAt) ?? 0;
      return total !== undefined ? startAt + rows < total : rows >= limit;
    },
    total: (d) => paging.intOf((d as Row).total),
  });
}

/** Jira's user search: a bare list, `startAt` / `maxResults`; a full page may have more. */
export const userPages = paging.offset({ offsetParam: 'startAt', limitParam: 'maxResults', defaultLimit: 20, maxLimit: 100, rows: (d) => d });

/** The `cursor` of a Confluence `_links.next` (`/wiki/api/v2/pages?cursor=...&limit=25`), or `undefined`. */
export function nextCursor(data: unknown): string | undefined {
  const next = ((data as Row | null)?._links as Row | undefined)?.next;
  if (typeof next !== 'string') return undefined;
  try {
    return new URL(next, 'http://link.invalid').searchParams.get('cursor') ?? undefined;
  } catch {
    return undefined;
  }
}

/** Confluence v2 lists and v1 search: `limit` and `cursor`, rows under `results`. */
export function confluencePages(defaultLimit = 25, maxLimit = 100) {
  return paging.cursor({ cursorParam: 'cursor', limitParam: 'limit', defaultLimit, maxLimit, rows: (d) => (d as Row).results, next: (res) => nextCursor(res.data) });
}

/**
 * One page of a list as an answer. The kit's `listTool` calls the configured URL; Atlassian's
 * calls may go through the gateway (`site.ts`), so the tools fetch the page themselves.
 *
 * @example
 * return listPage(pages, a, 'jira_find_user', (query) => jira(ctx, { path: '/rest/api/3/user/search', query }), summarizeUser);
 */
export async function listPage<P extends z.ZodRawShape, R>(
  pages: Paging<P>,
  args: z.infer<z.ZodObject<P>>,
  tool: string,
  fetchPage: (query: Query) => Promise<UpstreamResponse<unknown>>,
  map: (row: Row) => R,
  extraNote?: string,
): Promise<Answer<ListOutput<R>>> {
  const res = await fetchPage(pages.query(args, tool));
  const { rows, continuation } = pages.read(res, args, tool);
  return answer.list(rows.map(map), extraNote ? { ...continuation, note: `${continuation.note} ${extraNote}` } : continuation);
}
