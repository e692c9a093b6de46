/**
 * GitLab's offset pagination: `page` / `per_page` (at most 100) in; `x-page`, `x-next-page`,
 * `x-total` and `x-total-pages` out (GitLab omits the totals above 10,000 rows).
 */
import { paging, type PageRead, type Query, type ToolContext } from '../../kit';

const header = (name: string) => (res: { headers: Headers }) => paging.intOf(res.headers.get(name));

export const pages = paging.pageNumber({
  defaultSize: 20,
  maxSize: 100,
  next: header('x-next-page'),
  current: header('x-page'),
  totals: (res) => ({ total: header('x-total')(res), totalPages: header('x-total-pages')(res) }),
});

type PageArgs = { page?: number; per_page?: number; cursor?: string };

/**
 * One page of a GitLab list, for tools that add to what `listTool` does (a client-side filter, a
 * note about what GitLab left out): the rows and the continuation, as `listTool` would give them.
 */
export async function readPage(ctx: ToolContext, tool: string, args: PageArgs, path: string, query: Query = {}): Promise<PageRead> {
  const res = await ctx.upstream.request({ path, query: { ...query, ...pages.query(args, tool) } });
  return pages.read(res, args, tool);
}
